"""Calendars and SLAs in the admin, for inspection only: they are written through ``sla.calendar_services``
and ``sla.services`` (the pages under ``/slas/`` and the API), which check whole calendars and all five
targets together and tell the SLA clocks about every edit."""

from django.contrib import admin

from opsdesk.accounts.admin import ReadOnlyAdmin
from opsdesk.sla.models import Calendar, CalendarException, CalendarHours, Sla, SlaTarget, SubscriptionSla


class CalendarHoursInline(ReadOnlyAdmin, admin.TabularInline):
    model = CalendarHours
    fields = ("weekday", "start", "end")
    readonly_fields = fields
    extra = 0


class CalendarExceptionInline(ReadOnlyAdmin, admin.TabularInline):
    model = CalendarException
    fields = ("date", "kind", "start", "end", "note")
    readonly_fields = fields
    extra = 0


@admin.register(Calendar)
class CalendarAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ("name", "time_zone", "is_24x7", "holiday_country", "holiday_subdivision")
    list_filter = ("is_24x7",)
    search_fields = ("name", "notes")
    fields = ("name", "time_zone", "is_24x7", "holiday_country", "holiday_subdivision", "notes")
    readonly_fields = fields
    inlines = [CalendarHoursInline, CalendarExceptionInline]


class SlaTargetInline(ReadOnlyAdmin, admin.TabularInline):
    model = SlaTarget
    fields = ("priority", "response_minutes", "resolution_minutes")
    readonly_fields = fields
    extra = 0


@admin.register(Sla)
class SlaAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ("name", "organisation", "is_default", "calendar", "is_active")
    list_filter = ("is_default", "is_active", "calendar")
    search_fields = ("name", "notes", "organisation__name")
    list_select_related = ("organisation", "calendar")
    readonly_fields = (
        "name",
        "organisation",
        "is_default",
        "calendar",
        "warning_thresholds",
        "notify_roles",
        "pausing_reasons",
        "is_active",
        "notes",
        "created_at",
        "updated_at",
    )
    inlines = [SlaTargetInline]


@admin.register(SubscriptionSla)
class SubscriptionSlaAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ("subscription", "sla")
    list_select_related = ("subscription__organisation", "subscription__service", "sla")
    readonly_fields = ("subscription", "sla", "created_at")
