"""Reading the audit log of one object: its History tab and ``GET …/{id}/history`` in the API.

The object is looked up by the caller through ``.restrict(user)`` (another tenant's object is a 404 before
anything here runs); this module pages its entries oldest first and puts names on the ids in the diffs,
within the same user's tenancy. It knows nothing of ITIL: the model's own field metadata says what an id
refers to and which labels a code has.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.http import HttpRequest
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.text import capfirst

from opsdesk.core.audit import history_for
from opsdesk.core.models import AuditEntry
from opsdesk.core.pagination import BadCursor, KeysetPage, keyset_page

ORDER = ["at", "id"]
PAGE_SIZE = 50
VERBS = {"create": "created", "update": "edited", "transition": "status change", "delete": "deleted"}
EMPTY = (None, "", [], {})


def history_page(obj: models.Model, cursor: str | None, limit: int) -> KeysetPage:
    """One page of ``obj``'s audit entries, oldest first: one query, however long the history."""
    return keyset_page(history_for(obj), ORDER, cursor, limit)


def _field(model: type[models.Model], name: str) -> Any:
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _ids(pair: list[Any]) -> set[int]:
    return {i for v in pair for i in (v if isinstance(v, list) else [v]) if isinstance(i, int)}


def _reference_names(model: type[models.Model], entries: list[AuditEntry], user) -> dict[str, dict]:
    """For each related field in the diffs, {id: name} of the objects the user may see: one query per
    field. An object the user may not see keeps its bare id."""
    wanted: dict[str, set[int]] = {}
    for entry in entries:
        for name, pair in entry.changes.items():
            field = _field(model, name)
            if isinstance(field, models.ForeignKey | models.ManyToManyField) and isinstance(pair, list):
                wanted.setdefault(name, set()).update(_ids(pair))
    names: dict[str, dict] = {}
    for name, ids in wanted.items():
        related = _field(model, name).related_model
        manager = related._default_manager
        qs = manager.restrict(user) if hasattr(manager, "restrict") else manager.all()
        names[name] = {obj.pk: str(obj) for obj in qs.filter(pk__in=ids)}
    return names


def _display(field: Any, value: Any, names: dict[Any, str] | None) -> str:
    if value in EMPTY:
        return "—"
    if isinstance(value, dict):  # a row of a table kept on the record (opening hours, exceptions)
        return ", ".join(f"{k.replace('_', ' ')} {_display(None, v, None)}" for k, v in value.items())
    if isinstance(value, list):  # ids of a many-to-many field, or the rows of such a table
        rows = any(isinstance(v, list | dict) for v in value)
        return ("; " if rows else ", ").join(_display(field, v, names) for v in value)
    if names is not None:
        return names.get(value, f"#{value}")
    choices = dict(field.flatchoices) if field is not None and getattr(field, "choices", None) else {}
    if value in choices:
        return str(choices[value])
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and "T" in value:
        parsed = parse_datetime(value)
        if parsed is not None:
            return timezone.localtime(parsed).strftime("%d %b %Y %H:%M")
    return str(value)


def history_rows(obj: models.Model, entries: list[AuditEntry], user) -> list[dict[str, Any]]:
    """The entries as rows for ``partials/history_table.html``: who, when, what, and each changed field
    with readable old and new values (a creation lists only the fields it filled)."""
    model = type(obj)
    names = _reference_names(model, entries, user)
    kind = capfirst(model._meta.verbose_name)
    rows = []
    for entry in entries:
        diffs = []
        for name, pair in entry.changes.items():
            if not isinstance(pair, list) or len(pair) != 2:
                continue
            old, new = pair
            created = entry.action == AuditEntry.Action.CREATE
            if created and new in (*EMPTY, False):
                continue
            field = _field(model, name)
            label = field.verbose_name if field is not None and hasattr(field, "verbose_name") else name
            diffs.append(
                {
                    "field": str(label).replace("_", " "),
                    "old": _display(field, old, names.get(name)),
                    "new": _display(field, new, names.get(name)),
                    "created": created,
                }
            )
        rows.append(
            {"entry": entry, "what": f"{kind} {VERBS.get(entry.action, entry.action)}", "diffs": diffs}
        )
    return rows


def render_history(request: HttpRequest, obj: models.Model, template: str, context: dict[str, Any]):
    """The History tab of ``obj``'s page: ``template`` extends ``history.html`` (or is it) and gets
    ``obj``, ``rows`` and the cursor links. A foreign cursor starts again from the beginning."""
    try:
        page = history_page(obj, request.GET.get("cursor"), PAGE_SIZE)
    except BadCursor:
        page = history_page(obj, None, PAGE_SIZE)
    context = {
        **context,
        "object": obj,
        "rows": history_rows(obj, page.items, request.user),
        "prev_url": f"?cursor={page.prev_cursor}" if page.prev_cursor else "",
        "next_url": f"?cursor={page.next_cursor}" if page.next_cursor else "",
        "active_tab": "history",
    }
    return render(request, template, context)
