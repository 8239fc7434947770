from types import SimpleNamespace

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from opsdesk.accounts.admin import ReadOnlyAdmin
from opsdesk.sla.models import (
    Calendar,
    CalendarException,
    CalendarHours,
    Sla,
    SlaTarget,
    SubscriptionSla,
    exceptions_error,
    hours_error,
)


class _RowsTogether(BaseInlineFormSet):
    """Validates the submitted rows as a whole (the saved rows are about to be replaced by them)."""

    fields_checked: tuple[str, ...] = ()
    fields_required: tuple[str, ...] = ()

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.instance.check_siblings = False
        return form

    def rows(self):
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if data.get("DELETE") or any(data.get(name) is None for name in self.fields_required):
                continue
            yield SimpleNamespace(**{name: data.get(name) for name in self.fields_checked})

    def error(self, rows) -> str | None:
        raise NotImplementedError

    def clean(self):
        super().clean()
        message = self.error(list(self.rows()))
        if message:
            raise ValidationError(message)


class HoursFormSet(_RowsTogether):
    fields_checked = fields_required = ("weekday", "start", "end")

    def error(self, rows):
        return hours_error(rows)


class ExceptionsFormSet(_RowsTogether):
    fields_checked = ("date", "kind", "start", "end")
    fields_required = ("date", "kind")

    def error(self, rows):
        return exceptions_error(rows)


class CalendarHoursInline(admin.TabularInline):
    model = CalendarHours
    formset = HoursFormSet
    fields = ("weekday", "start", "end")
    extra = 0


class CalendarExceptionInline(admin.TabularInline):
    model = CalendarException
    formset = ExceptionsFormSet
    fields = ("date", "kind", "start", "end", "note")
    extra = 0


@admin.register(Calendar)
class CalendarAdmin(admin.ModelAdmin):
    list_display = ("name", "time_zone", "is_24x7", "holiday_country", "holiday_subdivision")
    list_filter = ("is_24x7",)
    search_fields = ("name", "notes")
    fields = ("name", "time_zone", "is_24x7", "holiday_country", "holiday_subdivision", "notes")
    inlines = [CalendarHoursInline, CalendarExceptionInline]


# --- SLAs: read-only here; changes go through the API and services, which keep all five targets together.


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
