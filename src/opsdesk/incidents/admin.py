"""Django admin for the incident configuration lists: categories and the priority matrix."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Case, IntegerField, Value, When

from opsdesk.accounts.admin import AuditedModelAdmin
from opsdesk.incidents.models import Category, PriorityRule
from opsdesk.incidents.priority import IMPACT_RANK, URGENCY_RANK


@admin.register(Category)
class CategoryAdmin(AuditedModelAdmin):
    list_display = ("name", "parent", "is_active")
    list_filter = ("is_active", ("parent", admin.RelatedOnlyFieldListFilter))
    search_fields = ("name", "parent__name")
    list_select_related = ("parent",)
    readonly_fields = ("created_at", "updated_at", "version")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent":
            # Subcategories hang under top-level categories only.
            kwargs["queryset"] = Category.objects.filter(parent__isnull=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def _rank(field: str, ranks: dict[str, int]) -> Case:
    return Case(*[When(**{field: v}, then=Value(r)) for v, r in ranks.items()], output_field=IntegerField())


@admin.register(PriorityRule)
class PriorityRuleAdmin(AuditedModelAdmin):
    """The impact x urgency matrix, one row per cell, in the operations manual's order."""

    list_display = ("impact", "urgency", "priority")
    list_editable = ("priority",)
    list_filter = ("impact", "urgency")
    list_per_page = 25

    def get_ordering(self, request):
        return (_rank("impact", IMPACT_RANK).asc(), _rank("urgency", URGENCY_RANK).asc())
