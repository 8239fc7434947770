"""Django admin for configuration only: organisations, sites, people, logins, workgroups, API tokens.

Only administrators (role ``admin``, or superusers) may use it, and every save or delete made here is
written to the audit log like any other change.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.template.response import TemplateResponse

from opsdesk.accounts import services
from opsdesk.accounts.models import ApiToken, Organisation, Person, Site, User, Workgroup
from opsdesk.core.audit import diff, record, snapshot
from opsdesk.core.history import PAGE_SIZE, history_page, history_rows
from opsdesk.core.pagination import BadCursor

admin.site.site_header = "opsdesk administration"
admin.site.site_title = "opsdesk admin"
admin.site.index_title = "Configuration"
admin.site.site_url = "/"


def is_administrator(request) -> bool:
    user = request.user
    return bool(user.is_active and user.is_staff and getattr(user, "is_admin", False))


class AdministratorsOnly:
    """Configuration belongs to administrators, whatever Django permissions say."""

    def has_module_permission(self, request):
        return is_administrator(request)

    def has_view_permission(self, request, obj=None):
        return is_administrator(request)

    def has_add_permission(self, request, *args):
        return is_administrator(request)

    def has_change_permission(self, request, obj=None):
        return is_administrator(request)

    def has_delete_permission(self, request, obj=None):
        return is_administrator(request)


class AuditHistory:
    """The admin's *History* button shows the audit log (changes made anywhere), 50 entries to a page."""

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.model._meta, object_id)
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        try:
            page = history_page(obj, request.GET.get("cursor"), PAGE_SIZE)
        except BadCursor:
            page = history_page(obj, None, PAGE_SIZE)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Change history: {obj}",
            "subtitle": None,
            "module_name": str(self.model._meta.verbose_name_plural).capitalize(),
            "object": obj,
            "opts": self.model._meta,
            "rows": history_rows(obj, page.items, request.user),
            "prev_url": f"?cursor={page.prev_cursor}" if page.prev_cursor else "",
            "next_url": f"?cursor={page.next_cursor}" if page.next_cursor else "",
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/audit_history.html", context)


class AuditedModelAdmin(AuditHistory, AdministratorsOnly, admin.ModelAdmin):
    """Saves and deletes made in the admin are audited (who, when, the field diff), like the services."""

    audit_hidden: tuple[str, ...] = ()

    def _snapshot(self, obj) -> dict[str, Any]:
        return {k: v for k, v in snapshot(obj).items() if k not in self.audit_hidden}

    def _m2m(self, obj) -> dict[str, list[int]]:
        if obj.pk is None:
            return {}
        return {
            f.name: sorted(getattr(obj, f.name).values_list("pk", flat=True)) for f in obj._meta.many_to_many
        }

    @transaction.atomic
    def save_model(self, request, obj, form, change):
        if change and obj.pk is not None:
            current = type(obj)._base_manager.select_for_update().get(pk=obj.pk)
            before = self._snapshot(current)
            if hasattr(obj, "version"):
                obj.version = current.version + 1
            obj.save()
            changes = diff(before, self._snapshot(obj))
            if changes:
                record(obj, "update", changes, summary="changed in the admin")
        else:
            obj.save()
            record(
                obj, "create", {k: [None, v] for k, v in self._snapshot(obj).items()}, "added in the admin"
            )

    @transaction.atomic
    def save_related(self, request, form, formsets, change):
        before = self._m2m(form.instance)
        super().save_related(request, form, formsets, change)
        after = self._m2m(form.instance)
        changes = {
            name: [before.get(name, []), ids] for name, ids in after.items() if before.get(name, []) != ids
        }
        if changes:
            record(form.instance, "update", changes, summary="changed in the admin")

    @transaction.atomic
    def delete_model(self, request, obj):
        record(obj, "delete", {k: [v, None] for k, v in self._snapshot(obj).items()}, "deleted in the admin")
        obj.delete()

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


class ReadOnlyAdmin(AuditHistory, AdministratorsOnly):
    """Shown to administrators for inspection only: the record's rules live in its services."""

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Organisation)
class OrganisationAdmin(AuditedModelAdmin):
    list_display = ("name", "short_name", "kind", "time_zone", "email_domain", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "short_name", "email_domain")
    readonly_fields = ("created_at", "updated_at", "version")


@admin.register(Site)
class SiteAdmin(AuditedModelAdmin):
    list_display = ("name", "organisation")
    list_filter = ("organisation",)
    search_fields = ("name", "organisation__name")
    list_select_related = ("organisation",)


@admin.register(Person)
class PersonAdmin(AuditedModelAdmin):
    list_display = ("full_name", "organisation", "email", "phone", "job_title", "is_active")
    list_filter = ("organisation", "is_active")
    search_fields = ("full_name", "email", "phone")
    list_select_related = ("organisation",)
    autocomplete_fields = ("organisation",)
    readonly_fields = ("created_at", "updated_at", "version")


@admin.register(User)
class UserAdmin(AuditedModelAdmin, DjangoUserAdmin):
    audit_hidden = ("password", "last_login")
    list_display = ("username", "get_full_name", "role", "person", "is_active", "last_login")
    list_filter = ("role", "is_active")
    search_fields = ("username", "first_name", "last_name", "email", "person__full_name")
    list_select_related = ("person",)
    filter_horizontal = ("limited_to",)
    autocomplete_fields = ("person",)
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Person", {"fields": ("person", "first_name", "last_name", "email")}),
        ("Access", {"fields": ("role", "limited_to", "is_active")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "password1", "password2")}),
        ("Access", {"fields": ("person", "role")}),
    )
    readonly_fields = ("last_login", "date_joined")


@admin.register(Workgroup)
class WorkgroupAdmin(AuditedModelAdmin):
    list_display = ("name", "email", "lead", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "email")
    filter_horizontal = ("members",)
    list_select_related = ("lead",)
    readonly_fields = ("created_at", "updated_at", "version")


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """Tokens are created with ``opsdesk token create`` (the secret is shown once); here they can only
    be inspected and revoked."""

    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "prefix", "user__username")
    list_select_related = ("user",)
    readonly_fields = ("user", "name", "prefix", "key_hash", "created_at", "last_used_at", "revoked_at")
    actions = ("revoke",)

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        count = 0
        for token in queryset.filter(revoked_at__isnull=True).select_related("user"):
            services.revoke_token(token)
            count += 1
        self.message_user(request, f"Revoked {count} token(s).", messages.SUCCESS)
