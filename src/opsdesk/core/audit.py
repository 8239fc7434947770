"""Audit by construction: services snapshot an object before a write and record the diff after it."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Sequence
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from opsdesk.core.context import current_actor
from opsdesk.core.models import AuditEntry

BATCH_SIZE = 1000  # entries per INSERT when recording in bulk


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    return value


def snapshot(obj: models.Model) -> dict[str, Any]:
    exclude = set(getattr(obj, "audit_exclude", ()))
    data = {}
    for f in obj._meta.concrete_fields:
        if f.name in exclude or f.primary_key:
            continue
        name = f.attname
        value = getattr(obj, name)
        if isinstance(f, models.FileField):
            value = value.name if value else ""
        data[f.name] = _plain(value)
    return data


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


def _organisation_id(obj: models.Model) -> int | None:
    """Follow the model's ``tenant_path`` (``organisation``, ``incident__organisation`` or ``id``)."""
    path = getattr(obj, "tenant_path", None)
    if not path:
        return None
    if path == "id":
        return obj.pk
    *hops, last = path.split("__")
    target: Any = obj
    for hop in hops:
        target = getattr(target, hop, None)
        if target is None:
            return None
    return getattr(target, f"{last}_id", None)


def _entry(
    obj: models.Model,
    action: str,
    changes: dict[str, Any] | None = None,
    summary: str = "",
) -> AuditEntry:
    actor = current_actor()
    user = actor.user
    return AuditEntry(
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        organisation_id=_organisation_id(obj),
        action=action,
        actor=user if user is not None and user.pk else None,
        actor_name=(user.get_full_name() or user.username) if user is not None else "system",
        channel=actor.channel,
        correlation_id=actor.correlation_id,
        at=timezone.now(),
        changes=changes or {},
        summary=summary[:200],
    )


def record(
    obj: models.Model,
    action: str,
    changes: dict[str, Any] | None = None,
    summary: str = "",
) -> AuditEntry:
    entry = _entry(obj, action, changes, summary)
    entry.save()
    return entry


def _created(obj: models.Model) -> dict[str, list[Any]]:
    return {k: [None, v] for k, v in snapshot(obj).items()}


def record_create(obj: models.Model, summary: str = "") -> AuditEntry:
    return record(obj, AuditEntry.Action.CREATE, _created(obj), summary)


def record_creates(
    objs: Sequence[models.Model],
    summaries: Sequence[str],
    extra: Sequence[dict[str, Any]] | None = None,
) -> list[AuditEntry]:
    """:func:`record_create` for many new objects at once (one INSERT). ``extra``: per object, changes
    beyond its own columns (many-to-many fields such as an incident's CIs)."""
    extra = extra or [{}] * len(objs)
    entries = [
        _entry(obj, AuditEntry.Action.CREATE, {**_created(obj), **more}, summary)
        for obj, summary, more in zip(objs, summaries, extra, strict=True)
    ]
    return AuditEntry.objects.bulk_create(entries, batch_size=BATCH_SIZE)


def record_update(obj: models.Model, before: dict[str, Any], summary: str = "") -> AuditEntry | None:
    changes = diff(before, snapshot(obj))
    if not changes:
        return None
    return record(obj, AuditEntry.Action.UPDATE, changes, summary)


def record_updates(
    objs: Sequence[models.Model],
    befores: Sequence[dict[str, Any]],
    summaries: Sequence[str] | None = None,
) -> list[AuditEntry]:
    """:func:`record_update` for many changed objects at once (one INSERT per batch): each object's diff
    against its snapshot taken before the change; an object that did not change gets no entry."""
    summaries = summaries or [""] * len(objs)
    entries = []
    for obj, before, summary in zip(objs, befores, summaries, strict=True):
        changes = diff(before, snapshot(obj))
        if changes:
            entries.append(_entry(obj, AuditEntry.Action.UPDATE, changes, summary))
    return AuditEntry.objects.bulk_create(entries, batch_size=BATCH_SIZE)


def history_for(obj: models.Model):
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True), object_id=str(obj.pk)
    ).select_related("actor")
