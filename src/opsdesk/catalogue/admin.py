"""Django admin for the catalogue: administrators may inspect it; changes go through the pages and the
API, which run the lifecycle and overlap rules (the admin offers them read-only)."""

from django.contrib import admin

from opsdesk.accounts.admin import ReadOnlyAdmin
from opsdesk.catalogue.models import Service, ServiceParameter, Subscription


class ParameterInline(ReadOnlyAdmin, admin.TabularInline):
    model = ServiceParameter
    fields = ("position", "name", "value")
    readonly_fields = fields
    extra = 0


@admin.register(Service)
class ServiceAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ("name", "status", "owner", "service_hours")
    list_filter = ("status", "owner")
    search_fields = ("name", "description")
    list_select_related = ("owner",)
    readonly_fields = ("name", "description", "owner", "status", "service_hours", "created_at", "updated_at")
    inlines = [ParameterInline]


@admin.register(Subscription)
class SubscriptionAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ("service", "organisation", "start_date", "end_date", "sla_notes")
    list_filter = ("service", "organisation")
    list_select_related = ("service", "organisation")
    readonly_fields = ("service", "organisation", "start_date", "end_date", "sla_notes", "created_at")
