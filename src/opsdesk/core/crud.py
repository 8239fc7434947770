"""Generic audited create/update/delete for simple records (organisations, people, workgroups, ...).

Domain apps with real lifecycles (incidents) write their own services and use the same audit calls.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models, transaction

from opsdesk.core.audit import record, record_create, record_update, snapshot
from opsdesk.core.errors import StaleObject

M = TypeVar("M", bound=models.Model)


def lock(obj: M, expected_version: int | None = None) -> M:
    """Re-read ``obj`` with a row lock; refuse if a client's expected version is stale."""
    fresh = type(obj)._base_manager.select_for_update().get(pk=obj.pk)
    if expected_version is not None and getattr(fresh, "version", None) != expected_version:
        raise StaleObject(fresh.version)
    return fresh


@transaction.atomic
def create(model: type[M], /, *, m2m: dict[str, Any] | None = None, **fields: Any) -> M:
    obj = model(**fields)
    obj.full_clean()
    obj.save()
    for name, values in (m2m or {}).items():
        getattr(obj, name).set(values)
    record_create(obj)
    return obj


@transaction.atomic
def update(
    obj: M, changes: dict[str, Any], *, expected_version: int | None = None, m2m: dict[str, Any] | None = None
) -> M:
    obj = lock(obj, expected_version)
    before = snapshot(obj)
    for name, value in changes.items():
        setattr(obj, name, value)
    obj.full_clean()
    if hasattr(obj, "version"):
        obj.version += 1
    obj.save()
    m2m_changes = {}
    for name, values in (m2m or {}).items():
        manager = getattr(obj, name)
        old = sorted(manager.values_list("pk", flat=True))
        manager.set(values)
        new = sorted(manager.values_list("pk", flat=True))
        if old != new:
            m2m_changes[name] = [old, new]
    entry = record_update(obj, before)
    if m2m_changes and entry is None:
        record(obj, "update", m2m_changes)
    elif m2m_changes and entry is not None:
        entry_changes = {**entry.changes, **m2m_changes}
        type(entry).objects.filter(pk=entry.pk).update(changes=entry_changes)
    return obj


@transaction.atomic
def delete(obj: models.Model) -> None:
    record(obj, "delete", {k: [v, None] for k, v in snapshot(obj).items()})
    obj.delete()
