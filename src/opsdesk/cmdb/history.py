"""A CI and its relationships as they were at a past moment, rebuilt from the audit trail.

Every write through ``services`` leaves an ``AuditEntry``: a create holds every field's value, an update the
changed fields, a delete the last values. Replaying an object's entries up to a moment gives its state
then; the relationships of a CI are those whose create entry names it as source or target.
Items bulk-loaded without audit entries (benchmarks) have no past.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils import timezone

from opsdesk.accounts.models import Organisation
from opsdesk.cmdb.models import CI, CIClass, Relationship, RelationshipType
from opsdesk.core.models import AuditEntry


def parse_moment(value: str) -> dt.datetime:
    """``2026-11-20T22:00`` (the current time zone) or with an offset; ValueError if not a moment."""
    moment = dt.datetime.fromisoformat(value.strip())
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _entries(model, object_ids, at: dt.datetime):
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(model),
        object_id__in=[str(pk) for pk in object_ids],
        at__lte=at,
    ).order_by("at", "id")


def states_at(model, object_ids, at: dt.datetime) -> dict[int, dict[str, Any]]:
    """``{pk: {field: value}}`` for the objects that existed at ``at`` (foreign keys as ids)."""
    states: dict[int, dict[str, Any] | None] = {}
    for entry in _entries(model, object_ids, at):
        pk = int(entry.object_id)
        if entry.action == AuditEntry.Action.CREATE:
            states[pk] = {name: pair[1] for name, pair in entry.changes.items()}
        elif entry.action == AuditEntry.Action.DELETE:
            states[pk] = None
        elif states.get(pk) is not None:
            for name, pair in entry.changes.items():
                states[pk][name] = pair[1]
    return {pk: state for pk, state in states.items() if state is not None}


def _as_ci(pk: int, state: dict[str, Any]) -> CI:
    """An unsaved CI carrying the past values (for display only)."""
    fields = {f.name: f for f in CI._meta.concrete_fields}
    values = {fields[name].attname: value for name, value in state.items() if name in fields}
    return CI(pk=pk, **values)


@dataclass
class PastRelationship:
    label: str
    other_id: int
    other_name: str
    redundancy_group: str
    outgoing: bool


@dataclass
class PastView:
    at: dt.datetime
    ci: CI | None  # None: the CI did not exist yet (or has no audit history)
    class_name: str = ""
    organisation_name: str = ""
    relationships: list[PastRelationship] | None = None


def ci_at(ci: CI, at: dt.datetime, user) -> PastView:
    """``ci`` as it was at ``at``, with the relationships it had then to CIs the user may see now."""
    state = states_at(CI, [ci.pk], at).get(ci.pk)
    if state is None:
        return PastView(at, None)
    past = _as_ci(ci.pk, state)
    klass = CIClass.objects.filter(pk=past.ci_class_id).first()
    view = PastView(at, past, klass.name if klass else "", ci.organisation.name, [])
    if past.organisation_id != ci.organisation_id:
        org = Organisation.objects.filter(pk=past.organisation_id).first()
        view.organisation_name = org.name if org else ""
    created = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Relationship),
        action=AuditEntry.Action.CREATE,
        at__lte=at,
    ).filter(Q(changes__source__1=ci.pk) | Q(changes__target__1=ci.pk))
    rel_ids = {int(pk) for pk in created.values_list("object_id", flat=True)}
    rels = states_at(Relationship, rel_ids, at)
    ends = {r["source"] if r["target"] == ci.pk else r["target"] for r in rels.values()}
    visible = set(CI.objects.restrict(user).filter(pk__in=ends).values_list("pk", flat=True))
    names = {pk: s.get("name", "") for pk, s in states_at(CI, visible, at).items()}
    kinds = RelationshipType.objects.in_bulk({r["type"] for r in rels.values()})
    for _pk, rel in sorted(rels.items()):
        outgoing = rel["source"] == ci.pk
        other = rel["target"] if outgoing else rel["source"]
        kind = kinds.get(rel["type"])
        if other not in visible or kind is None:
            continue
        view.relationships.append(
            PastRelationship(
                label=kind.forward_name if outgoing else kind.reverse_name,
                other_id=other,
                other_name=names.get(other) or f"#{other}",
                redundancy_group=rel.get("redundancy_group") or "",
                outgoing=outgoing,
            )
        )
    view.relationships.sort(key=lambda r: (r.label, r.other_name))
    return view
