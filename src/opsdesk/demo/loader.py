"""Load the demo organisation set through the services, as the system, in one transaction.

Everything is written by ``opsdesk.accounts.services`` and ``opsdesk.incidents.services``, so the demo
data obeys the same rules (lifecycle, permissions, priority matrix) as real data. The only direct writes
are the timestamp adjustments explained in :meth:`Loader._backdate` and the removal of the demo's
notification e-mails in :func:`load`.

Deterministic: the same seed gives the same organisations, people and incident stories; times are spread
over the 90 days before the moment of loading.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Case, DateTimeField, Max, Value, When
from django.utils import timezone

from opsdesk.accounts import services as accounts
from opsdesk.accounts.choices import OrganisationKind, Role
from opsdesk.accounts.models import Organisation, Person, User, Workgroup
from opsdesk.catalogue import services as catalogue
from opsdesk.catalogue.models import Service
from opsdesk.core.context import acting_as
from opsdesk.core.models import OutboxMessage
from opsdesk.demo import cmdb as demo_cmdb
from opsdesk.demo import data
from opsdesk.incidents import services as incidents
from opsdesk.incidents.choices import Channel, Impact, Status, Urgency
from opsdesk.incidents.models import Attachment, Category, Comment, Incident, StatusChange

DEFAULT_SEED = 2026
DEFAULT_INCIDENTS = 300
HISTORY_DAYS = 90

# The first incidents are recent and take one final status each, so every status is always present.
FORCED_STATUSES = [
    Status.NEW,
    Status.ASSIGNED,
    Status.ACCEPTED,
    Status.PENDING,
    Status.COMPLETED,
    Status.CLOSED,
    Status.COMPLETED,
    Status.PENDING,
]


def demo_provider() -> Organisation | None:
    return Organisation.objects.filter(short_name=data.PROVIDER["short_name"]).first()


def other_provider() -> Organisation | None:
    """A provider organisation that is not the demo's: a real installation, never mixed with demo data."""
    return (
        Organisation.objects.filter(kind=OrganisationKind.PROVIDER)
        .exclude(short_name=data.PROVIDER["short_name"])
        .first()
    )


@dataclass
class Login:
    username: str
    name: str
    role: str
    organisation: str


def demo_logins() -> list[Login]:
    """The demo's logins as stored (so a second run prints the same table without loading anything)."""
    usernames = [s.username for s in data.STAFF] + [u for c in data.CUSTOMERS for u in c.logins]
    users = {
        u.username: u
        for u in User.objects.filter(username__in=usernames).select_related("person__organisation")
    }
    return [
        Login(
            u.username,
            str(u.person) if u.person_id else u.username,
            Role(u.role).label,
            str(u.person.organisation) if u.person_id else "",
        )
        for name in usernames
        if (u := users.get(name)) is not None
    ]


@dataclass
class Summary:
    organisations: int = 0
    people: int = 0
    logins: int = 0
    incidents: int = 0
    by_status: Counter = field(default_factory=Counter)


def load(*, seed: int = DEFAULT_SEED, incident_count: int = DEFAULT_INCIDENTS, now=None) -> Summary:
    """Load everything in one transaction, acting as the system. The caller checks it is not loaded yet."""
    now = (now or timezone.now()).replace(microsecond=0)
    with transaction.atomic(), acting_as(None, "system"):
        outbox_mark = OutboxMessage.objects.aggregate(m=Max("id"))["m"] or 0
        summary = Loader(random.Random(seed), now).run(incident_count)
        # The demo's people are invented and its incidents happened "in the past": the acknowledgements,
        # assignment and completion e-mails the services queued for them must never be sent.
        OutboxMessage.objects.filter(id__gt=outbox_mark).delete()
    return summary


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _email(full_name: str, domain: str) -> str:
    name = re.sub(r"^(dr|prof)\.?\s+", "", _ascii(full_name).lower())
    local = re.sub(r"[^a-z.]", "", re.sub(r"\s+", ".", name.strip()))
    return f"{local}@{domain}"


@dataclass
class Step:
    """One thing that happens to an incident, at a planned time (see ``Loader._backdate``)."""

    kind: str
    by: Any = None
    params: dict = field(default_factory=dict)
    gap: float = 0.0  # minutes after the previous step
    at: dt.datetime | None = None


class Loader:
    def __init__(self, rng: random.Random, now: dt.datetime):
        self.rng = rng
        self.now = now
        self.summary = Summary()
        self.users: dict[str, User] = {}
        self.workgroups: dict[str, Workgroup] = {}
        self.categories: dict[str, Category] = {}
        self.subcategories: dict[tuple[str, str], Category] = {}
        self.customers: list[tuple[data.Customer, Organisation, list[Person], list[Any]]] = []
        self.login_of: dict[int, User] = {}  # person id -> login
        self.services_of: dict[int, dict[str, Service]] = {}  # organisation id -> subscribed, by name

    # --- organisations, people, workgroups, categories --------------------------------------------------

    def run(self, incident_count: int) -> Summary:
        self._provider()
        for customer in data.CUSTOMERS:
            self._customer(customer)
        self._categories()
        self._catalogue()
        demo_cmdb.load(demo_provider(), self.customers)
        for index in range(incident_count):
            self._incident(index)
        return self.summary

    def _person(self, org: Organisation, full_name: str, job_title: str, domain: str, site, index: int):
        self.summary.people += 1
        return accounts.create_person(
            organisation=org,
            site=site,
            full_name=full_name,
            email=_email(full_name, domain),
            job_title=job_title,
            phone=f"{org.phone[:-3]}{100 + index:03d}" if org.phone else "",
        )

    def _login(self, person: Person, username: str, role: str) -> User:
        user = accounts.create_login(person=person, username=username, password=data.DEMO_PASSWORD, role=role)
        self.users[username] = user
        self.login_of[person.pk] = user
        self.summary.logins += 1
        return user

    def _provider(self) -> None:
        provider = accounts.create_organisation(kind=OrganisationKind.PROVIDER, **data.PROVIDER)
        self.summary.organisations += 1
        site = accounts.create_site(
            organisation=provider, name=data.PROVIDER_SITE[0], address=data.PROVIDER_SITE[1]
        )
        for index, staff in enumerate(data.STAFF):
            person = self._person(
                provider, staff.full_name, staff.job_title, data.PROVIDER["email_domain"], site, index
            )
            self._login(person, staff.username, staff.role)
        for name, email, description in data.WORKGROUPS:
            members = [self.users[s.username] for s in data.STAFF if name in s.workgroups]
            lead = next((self.users[s.username] for s in data.STAFF if s.leads == name), None)
            self.workgroups[name] = accounts.create_workgroup(
                name=name, email=email, description=description, lead=lead, members=members
            )

    def _customer(self, customer: data.Customer) -> None:
        org = accounts.create_organisation(
            name=customer.name,
            short_name=customer.short_name,
            kind=OrganisationKind.CUSTOMER,
            time_zone=customer.time_zone,
            email_domain=customer.domain,
            phone=customer.phone,
        )
        self.summary.organisations += 1
        sites = [
            accounts.create_site(organisation=org, name=name, address=addr) for name, addr in customer.sites
        ]
        people = []
        for index, (full_name, job_title) in enumerate(customer.people):
            site = sites[index % len(sites)]
            person = self._person(org, full_name, job_title, customer.domain, site, index)
            people.append(person)
            if index < len(customer.logins):
                role = Role.CUSTOMER_MANAGER if index == 0 else Role.CUSTOMER
                self._login(person, customer.logins[index], role)
        self.customers.append((customer, org, people, sites))

    def _categories(self) -> None:
        for name, subs in data.CATEGORIES.items():
            parent = incidents.create_category(name=name)
            self.categories[name] = parent
            for sub in subs:
                self.subcategories[(name, sub)] = incidents.create_category(name=sub, parent=parent)

    def _catalogue(self) -> None:
        """The manual's services with their parameters, and the customers' subscriptions (skipping any
        service already in the catalogue, so running it again changes nothing)."""
        orgs = {org.short_name: org for _customer, org, _people, _sites in self.customers}
        start = (self.now - dt.timedelta(days=data.SUBSCRIPTION_DAYS_AGO)).date()
        for item in data.SERVICES:
            if Service.objects.filter(name=item.name).exists():
                continue
            service = catalogue.create_service(
                name=item.name,
                description=item.description,
                owner=self.workgroups[item.owner],
                status=item.status,
                service_hours=item.hours,
                parameters=item.parameters,
            )
            for short_name in item.subscribers:
                if short_name in orgs:
                    catalogue.subscribe(
                        service,
                        orgs[short_name],
                        start_date=start,
                        sla_notes=data.SLA_NOTES.get(short_name, ""),
                    )

    # --- incidents ------------------------------------------------------------------------------------------

    def _agents(self, workgroup: str) -> list[User]:
        return [
            self.users[s.username] for s in data.STAFF if workgroup in s.workgroups and s.role == Role.AGENT
        ]

    def _opened_at(self, index: int, channel: str) -> dt.datetime:
        if index < len(FORCED_STATUSES):
            age_days = 0.15 + index * 0.35
        else:
            # Somewhat more incidents recently than three months ago.
            age_days = HISTORY_DAYS * self.rng.random() ** 1.3
        day = self.now - dt.timedelta(days=int(age_days))
        if channel != Channel.MONITORING:
            while day.weekday() >= 5:  # people call during the working week
                day -= dt.timedelta(days=1)
            minutes = self.rng.randint(7 * 60 + 30, 17 * 60)
        else:
            minutes = self.rng.randint(0, 24 * 60 - 1)
        opened = day.replace(hour=0, minute=0, second=0) + dt.timedelta(
            minutes=minutes, seconds=self.rng.randint(0, 59)
        )
        if opened > self.now - dt.timedelta(minutes=30):
            opened = self.now - dt.timedelta(minutes=self.rng.randint(30, 300))
        return opened

    def _target_status(self, index: int, opened: dt.datetime) -> str:
        if index < len(FORCED_STATUSES):
            return FORCED_STATUSES[index]
        age = (self.now - opened).total_seconds() / 86400
        if age > 14:
            table = {
                Status.CLOSED: 87,
                Status.COMPLETED: 4,
                Status.PENDING: 4,
                Status.ACCEPTED: 4,
                Status.ASSIGNED: 1,
            }
        elif age > 3:
            table = {
                Status.CLOSED: 40,
                Status.COMPLETED: 20,
                Status.PENDING: 14,
                Status.ACCEPTED: 16,
                Status.ASSIGNED: 6,
                Status.NEW: 4,
            }
        else:
            table = {
                Status.NEW: 12,
                Status.ASSIGNED: 20,
                Status.ACCEPTED: 25,
                Status.PENDING: 10,
                Status.COMPLETED: 18,
                Status.CLOSED: 15,
            }
        statuses, weights = zip(*table.items(), strict=True)
        return self.rng.choices(statuses, weights)[0]

    def _incident(self, index: int) -> None:
        rng = self.rng
        customer, org, people, sites = self.customers[
            rng.choices(range(len(self.customers)), weights=[40, 30, 30])[0]
        ]
        story = rng.choices(data.STORIES, weights=[s.weight for s in data.STORIES])[0]
        channel = rng.choice(story.channels)
        if channel == Channel.MONITORING:
            requester = people[0]  # the customer's IT contact hears about monitoring alerts
        elif rng.random() < 0.5:
            requester = people[rng.randrange(len(customer.logins))]  # the demo logins have incidents
        else:
            requester = rng.choice(people)
        login = self.login_of.get(requester.pk)
        if channel == Channel.PORTAL and login is None:
            channel = Channel.PHONE
        site = next((s for s in sites if s.pk == requester.site_id), sites[0])
        words = {
            "server": rng.choice(customer.servers),
            "printer": rng.choice(customer.printers),
            "site": site.name,
            "person": requester.full_name,
            "first": requester.full_name.removeprefix("Dr. ").split(" ")[0],
        }
        opened = self._opened_at(index, channel)
        target = self._target_status(index, opened)
        impact, urgency = self._grading(story)
        desk = self._agents("Service Desk")
        call_taker = rng.choice(desk)
        category = self.categories[story.category]
        subcategory = self.subcategories[(story.category, story.subcategory)]

        fields: dict[str, Any] = {
            "organisation": org,
            "requester": requester,
            "title": story.title.format(**words),
            "description": story.description.format(**words),
            "channel": channel,
            "opened_at": opened,
            "service": self._service(org, story.category, opened),
        }
        classify = {"category": category, "subcategory": subcategory, "impact": impact, "urgency": urgency}
        steps: list[Step] = []
        if channel == Channel.PORTAL:
            by = login
            fields["urgency"] = urgency  # the portal offers every urgency but "immediate"
            fields["impact"] = Impact.LOW
            steps.append(Step("classify", call_taker, classify, gap=rng.uniform(3, 40)))
        elif channel == Channel.EMAIL:
            by = call_taker  # e-mail calls start at priority 4; the desk qualifies them
            steps.append(Step("classify", call_taker, classify, gap=rng.uniform(5, 90)))
        elif channel == Channel.MONITORING:
            by = None
            fields.update(classify)
        else:
            by = call_taker
            fields.update(classify)
        steps += self._story_steps(story, target, words, login, call_taker)
        self._play(fields, by, steps, opened, story, login)

    def _service(self, org: Organisation, category: str, opened: dt.datetime) -> Service | None:
        """The first of the category's services the customer subscribes to (all demo subscriptions run
        for the whole demo history)."""
        if org.pk not in self.services_of:
            subscribed = Service.objects.subscribed_by(org, on=timezone.localdate(opened))
            self.services_of[org.pk] = {s.name: s for s in subscribed}
        names = data.CATEGORY_SERVICES.get(category, ())
        return next((self.services_of[org.pk][n] for n in names if n in self.services_of[org.pk]), None)

    def _grading(self, story: data.Story) -> tuple[str, str]:
        impact, urgency = story.impact, story.urgency
        if self.rng.random() < 0.2:
            ranks = Urgency.values
            pos = ranks.index(urgency) + self.rng.choice((-1, 1))
            urgency = ranks[min(max(pos, 1), len(ranks) - 1)]
        return impact, urgency

    def _story_steps(
        self, story: data.Story, target: str, words: dict, login: User | None, call_taker: User
    ) -> list[Step]:
        rng = self.rng
        group = data.CATEGORY_WORKGROUP[story.category]
        steps: list[Step] = []
        if target == Status.NEW:
            return steps
        fast = story.urgency in ("critical", "immediate")
        via_desk = group != "Service Desk" and rng.random() < 0.35
        first_group = "Service Desk" if via_desk else group
        steps.append(
            Step("assign", call_taker, {"workgroup": first_group}, gap=rng.uniform(2, 20 if fast else 60))
        )
        if via_desk:
            steps.append(
                Step(
                    "note",
                    call_taker,
                    {"body": f"First-line checks done; passing to {group}."},
                    rng.uniform(5, 60),
                )
            )
            steps.append(
                Step(
                    "reassign",
                    call_taker,
                    {"workgroup": group, "note": "Needs second-line"},
                    rng.uniform(1, 10),
                )
            )
        if target == Status.ASSIGNED:
            return steps
        owner = rng.choice(self._agents(group))
        contact = rng.choice(data.CONTACT_NOTES).format(**words)
        steps.append(Step("accept", owner, {"note": contact}, gap=rng.uniform(3, 30 if fast else 180)))
        if rng.random() < 0.7:
            opener = rng.choice(data.AGENT_OPENERS).format(**words)
            steps.append(Step("reply", owner, {"body": opener}, rng.uniform(2, 30)))
        if story.notes:
            steps.append(Step("note", owner, {"body": story.notes[0]}, rng.uniform(10, 240)))
        if story.questions and rng.random() < 0.6:
            steps.append(Step("reply", owner, {"body": story.questions[0]}, rng.uniform(5, 120)))
            answer = rng.choice(story.answers) if story.answers else "Thanks, noted."
            if login is not None:
                steps.append(Step("reply", login, {"body": answer}, rng.uniform(15, 600)))
            else:
                steps.append(
                    Step("note", owner, {"body": f"Called {words['first']}: {answer}"}, rng.uniform(15, 300))
                )
        if rng.random() < 0.15:
            steps.append(
                Step("file", owner, {"name": "diagnostics.log", "public": False}, rng.uniform(5, 60))
            )
        pend = target == Status.PENDING or rng.random() < 0.25
        if pend:
            reason = rng.choice(list(data.PENDING_STORIES))
            note, public = data.PENDING_STORIES[reason]
            steps.append(Step("pend", owner, {"reason": reason, "note": note}, rng.uniform(10, 240)))
            steps.append(Step("reply", owner, {"body": public}, rng.uniform(1, 5)))
            if target == Status.PENDING:
                return steps
            steps.append(Step("resume", owner, {}, rng.uniform(240, 4 * 1440)))
        for extra in story.notes[1:]:
            steps.append(Step("note", owner, {"body": extra}, rng.uniform(20, 600)))
        # Some incidents are reopened once: rejected by the customer, or reopened by the desk on their behalf.
        bounce = rng.random() < (0.35 if target == Status.ACCEPTED else 0.08)
        if target == Status.ACCEPTED and not bounce:
            return steps
        resolution = {
            "resolution_code": story.resolution_code,
            "resolution_notes": story.resolution.format(**words),
        }
        steps.append(Step("complete", owner, resolution, rng.uniform(30, 2 * 1440)))
        if bounce:
            reason = rng.choice(data.REJECTIONS)
            if login is not None:
                steps.append(Step("reject", login, {"note": reason}, rng.uniform(120, 2 * 1440)))
            else:
                steps.append(
                    Step(
                        "reopen",
                        owner,
                        {"note": f"{words['first']} called: {reason}"},
                        rng.uniform(120, 2 * 1440),
                    )
                )
            if target == Status.ACCEPTED:
                return steps
            steps.append(
                Step("note", owner, {"body": "Looked at it again on site; found the real cause."}, 120)
            )
            again = dict(resolution, resolution_notes=f"Second visit: {resolution['resolution_notes']}")
            steps.append(Step("complete", owner, again, rng.uniform(60, 1440)))
        if target == Status.COMPLETED:
            return steps
        if login is not None and rng.random() < 0.65:
            steps.append(Step("confirm", login, {}, rng.uniform(60, 3 * 1440)))
        else:
            agreement = rng.choice(data.PHONE_AGREEMENT).format(name=words["person"])
            steps.append(Step("close", owner, {"note": agreement}, rng.uniform(60, 3 * 1440)))
        return steps

    # --- playing a story through the services ---------------------------------------------------------------

    def _schedule(self, opened: dt.datetime, steps: list[Step]) -> None:
        """Give every step a time after ``opened``; squeeze the story if it would run past now."""
        total = sum(s.gap for s in steps)
        room = (self.now - opened).total_seconds() / 60 - 5
        scale = min(1.0, room / total) if total else 1.0
        at = opened
        for step in steps:
            at = at + dt.timedelta(minutes=max(step.gap * scale, 0.02))
            step.at = at.replace(microsecond=0) if at.microsecond else at

    def _play(self, fields: dict, by: User | None, steps: list[Step], opened, story, login) -> None:
        self._schedule(opened, steps)
        incident = incidents.create_incident(by=by, **fields)
        status_times = [opened]
        comments: list[tuple[int, dt.datetime]] = []
        files: list[tuple[int, dt.datetime]] = []
        if login is not None and fields["channel"] == Channel.PORTAL and self.rng.random() < 0.25:
            upload = SimpleUploadedFile("error-message.txt", fields["description"].encode())
            files.append((incidents.add_attachment(incident, upload, by=login).pk, opened))
        for step in steps:
            incident = self._apply(incident, step, comments, files)
            if step.kind not in ("classify", "note", "reply", "file"):
                status_times.append(step.at)
        self._backdate(incident, status_times, comments, files, steps)
        self.summary.incidents += 1
        self.summary.by_status[incident.status] += 1

    def _apply(self, incident: Incident, step: Step, comments: list, files: list) -> Incident:
        p = step.params
        if step.kind == "classify":
            return incidents.update_incident(incident, dict(p), by=step.by)
        if step.kind in ("note", "reply"):
            comment = incidents.add_comment(incident, p["body"], by=step.by, is_public=step.kind == "reply")
            comments.append((comment.pk, step.at))
            return incident
        if step.kind == "file":
            body = f"Collected by {step.by} for {incident.number}.\n".encode()
            upload = SimpleUploadedFile(p["name"], body)
            attachment = incidents.add_attachment(incident, upload, by=step.by, is_public=p["public"])
            files.append((attachment.pk, step.at))
            return incident
        action = {"confirm": "close"}.get(step.kind, step.kind)
        params = dict(p)
        if "workgroup" in params:
            params["workgroup"] = self.workgroups[params["workgroup"]]
        return incidents.transition(incident, action, by=step.by, **params)

    def _backdate(self, incident: Incident, status_times: list, comments: list, files: list, steps) -> None:
        """Move the story into the past.

        The services stamp everything with the current time, which is right for real work. The demo,
        though, replays 90 days of history in a few seconds, and the timeline, stage metrics and reports
        only make sense with those days spread out. So, after the services have written each incident, its
        status rows, stage timestamps, comments and attachments get their planned times: one bulk update
        per table and incident. The audit log is left alone: it truthfully records when the demo was loaded.
        """
        rows = list(
            StatusChange.objects.filter(incident=incident).order_by("id").values_list("id", flat=True)
        )
        if len(rows) != len(status_times):
            raise RuntimeError(
                f"{incident.number}: {len(rows)} status rows for {len(status_times)} planned steps"
            )
        _set_times(StatusChange, "at", list(zip(rows, status_times, strict=True)))
        _set_times(Comment, "created_at", comments, also="updated_at")
        _set_times(Attachment, "created_at", files, also="updated_at")

        def first(*kinds):
            return next((s.at for s in steps if s.kind in kinds), None)

        def last(*kinds):
            return next((s.at for s in reversed(steps) if s.kind in kinds), None)

        stamps: dict[str, Any] = {
            "created_at": incident.opened_at,
            "updated_at": steps[-1].at if steps else incident.opened_at,
        }
        if incident.assigned_at:
            stamps["assigned_at"] = first("assign")
        if incident.accepted_at:
            stamps["accepted_at"] = first("accept")
        if incident.completed_at:
            stamps["completed_at"] = last("complete")
        if incident.closed_at:
            stamps["closed_at"] = last("confirm", "close")
        Incident.objects.filter(pk=incident.pk).update(**stamps)
        # The SLA clocks were counted at load time; count them again at the story's own times.
        incident.refresh_from_db()
        incidents.rebuild_clocks(incident)


def _set_times(model, name: str, pairs: list[tuple[int, dt.datetime]], also: str = "") -> None:
    if not pairs:
        return
    value = Case(*[When(pk=pk, then=Value(at)) for pk, at in pairs], output_field=DateTimeField())
    changes = {name: value, **({also: value} if also else {})}
    model.objects.filter(pk__in=[pk for pk, _ in pairs]).update(**changes)
