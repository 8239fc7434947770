"""Affected configuration items of incidents: what the forms offer, bulk loading for lists, and the
"open incidents" of a CI and of an impact analysis that the CMDB shows (registered with
``opsdesk.cmdb.links``).

"Open" is what the queue calls open (``Incident.objects.open()``): new, assigned, accepted, pending. A
completed incident is left out: its fault is fixed and only the customer's agreement to close it is
awaited."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from opsdesk.accounts.choices import OrganisationKind
from opsdesk.accounts.models import Person
from opsdesk.cmdb import links
from opsdesk.cmdb.models import CI
from opsdesk.incidents.models import Incident
from opsdesk.incidents.services import UNUSABLE_CI_STATUSES

OFFER_LIMIT = 500


@dataclass
class CIOffer:
    """The CIs a form offers for an incident: those at the requester's site first, then the rest."""

    site_name: str
    at_site: list[CI]
    others: list[CI]
    more: bool = False  # more CIs match than OFFER_LIMIT: a search narrows the list

    def groups(self) -> list[tuple[str, list[tuple[int, str]]]]:
        """(heading, [(id, label)]) pairs; a single group without a heading when nothing is at the site."""

        def options(cis):
            return [(ci.pk, option_label(ci)) for ci in cis]

        if not self.at_site:
            return [("", options(self.others))] if self.others else []
        return [(f"At {self.site_name}", options(self.at_site)), ("Other CIs", options(self.others))]

    def choices(self) -> list:
        """The groups as Django form choices."""
        return [opt for heading, opts in self.groups() for opt in ([(heading, opts)] if heading else opts)]


def option_label(ci: CI) -> str:
    owner = " · shared" if ci.organisation.kind == OrganisationKind.PROVIDER else ""
    return f"{ci.name} ({ci.ci_class.name}{owner})"


def offerable(user, organisation_id) -> QuerySet:
    """The CIs ``user`` may name on an incident of ``organisation_id``: the organisation's and the
    provider's shared ones, still in service."""
    if not organisation_id:
        return CI.objects.none()
    return (
        CI.objects.restrict(user)
        .filter(
            Q(organisation_id=organisation_id) | Q(organisation__kind=OrganisationKind.PROVIDER),
        )
        .exclude(status__in=UNUSABLE_CI_STATUSES)
        .select_related("ci_class", "organisation")
    )


def chosen(user, organisation_id, ids) -> list[CI]:
    """The CIs of ``ids`` already ticked on a form that may stay on it: visible to ``user`` and of the
    organisation or the provider's shared kit (a retired one named before included)."""
    if not organisation_id or not ids:
        return []
    return list(
        CI.objects.restrict(user)
        .filter(Q(organisation_id=organisation_id) | Q(organisation__kind=OrganisationKind.PROVIDER))
        .filter(pk__in=ids)
        .select_related("ci_class", "organisation")
    )


def offer(user, organisation_id, requester_id=None, *, include=(), q: str = "") -> CIOffer:
    """The CI choices of the incident forms. The CMDB places a CI at a Location CI; the requester's site
    (accounts) is matched to the location by name. ``include``: CIs already named, offered even if they
    no longer would be (a retired CI stays on the incidents that named it) or do not match ``q``, the
    search typed in the form (name contains, or serial number / asset tag / external id)."""
    site_name = ""
    if requester_id:
        person = Person.objects.filter(pk=requester_id).select_related("site").first()
        if person is not None and person.site_id:
            site_name = person.site.name
    qs = offerable(user, organisation_id).search(q)
    if include:
        qs = qs | CI.objects.restrict(user).filter(pk__in=[ci.pk for ci in include]).select_related(
            "ci_class", "organisation"
        )
    if site_name:
        qs = qs.annotate(
            away=Case(
                When(location__name__iexact=site_name, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        ).order_by("away", "name", "id")
    else:
        qs = qs.order_by("name", "id")
    rows = list(qs[: OFFER_LIMIT + 1])
    more = len(rows) > OFFER_LIMIT
    rows = rows[:OFFER_LIMIT]
    missing = {ci.pk for ci in include} - {ci.pk for ci in rows}
    if missing:  # the chosen CIs stay on offer, however long the list
        rows += [ci for ci in include if ci.pk in missing]
    at_site = [ci for ci in rows if getattr(ci, "away", 1) == 0]
    return CIOffer(site_name, at_site, [ci for ci in rows if getattr(ci, "away", 1) != 0], more)


def attach_cis(incidents) -> None:
    """Set ``incident.affected_cis`` (a list, by name) on every incident with one query, whatever their
    number."""
    through = Incident.cis.through
    by_incident: dict[int, list[CI]] = defaultdict(list)
    ids = [incident.pk for incident in incidents]
    if ids:
        rows = (
            through.objects.filter(incident_id__in=ids)
            .select_related("ci")
            .only("incident_id", "ci__id", "ci__name")
            .order_by("ci__name", "ci_id")
        )
        for row in rows:
            by_incident[row.incident_id].append(row.ci)
    for incident in incidents:
        incident.affected_cis = by_incident.get(incident.pk, [])


def affected_cis(incident) -> list[CI]:
    """The incident's CIs by name (from :func:`attach_cis` when it ran)."""
    if not hasattr(incident, "affected_cis"):
        attach_cis([incident])
    return incident.affected_cis


def open_incidents(ci: CI, user, limit: int) -> list[links.LinkedRecord]:
    """The open incidents naming ``ci`` that ``user`` may see, highest priority first."""
    rows = (
        Incident.objects.restrict(user)
        .open()
        .filter(cis=ci)
        .only("id", "title", "status", "priority")
        .order_by("priority", "-id")[:limit]
    )
    return [_record(incident, user) for incident in rows]


def _record(incident, user, on=()) -> links.LinkedRecord:
    return links.LinkedRecord(
        kind="incident",
        reference=incident.number,
        title=incident.title,
        status=incident.get_status_display(),
        url=incident.get_absolute_url() if user.is_provider_staff else f"/portal/{incident.number}/",
        priority=incident.priority,
        on=tuple(on),
    )


def open_incidents_on(ci_ids, service_ids, user, limit: int) -> tuple[list[links.LinkedRecord], int]:
    """The open incidents ``user`` may see that name any of ``ci_ids`` or whose affected service is one
    of ``service_ids``: the ``limit`` most pressing (priority, then the earliest due time, then the
    oldest), each with the CIs and service of those it is on, and how many there are in all. Three
    queries, whatever the number of CIs or incidents."""
    through = Incident.cis.through
    named = Q(pk__in=through.objects.filter(ci_id__in=ci_ids).values("incident_id"))
    qs = Incident.objects.restrict(user).open().filter(named | Q(service_id__in=service_ids))
    total = qs.count()
    if not total:
        return [], 0
    rows = list(
        qs.select_related("service")
        .only("id", "title", "status", "priority", "next_due_at", "opened_at", "service__name")
        .order_by("priority", "next_due_at", "opened_at", "id")[:limit]
    )
    on_cis: dict[int, list[links.Target]] = defaultdict(list)
    for incident_id, ci_id, name in (
        through.objects.filter(incident_id__in=[i.pk for i in rows], ci_id__in=ci_ids)
        .order_by("ci__name", "ci_id")
        .values_list("incident_id", "ci_id", "ci__name")
    ):
        on_cis[incident_id].append(links.Target("ci", ci_id, name))
    wanted = set(service_ids)
    records = []
    for incident in rows:
        on = on_cis.get(incident.pk, [])
        if incident.service_id in wanted:
            on = [*on, links.Target("service", incident.service_id, incident.service.name)]
        records.append(_record(incident, user, on))
    return records, total


def queue_url(ci: CI, user) -> str:
    """The agents' queue filtered to the CI (every status); customers have no queue."""
    return f"/incidents/?ci={ci.pk}" if user.is_provider_staff else ""


def incidents_naming(ci: CI) -> int:
    """Every incident naming the CI, open or closed (a CI they name is not deleted)."""
    return Incident.cis.through.objects.filter(ci_id=ci.pk).count()


def register() -> None:
    links.register("incident", "Open incidents", open_incidents, more=queue_url, on_impact=open_incidents_on)
    links.register_uses("incident", "incident", incidents_naming)
