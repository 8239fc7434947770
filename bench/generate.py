#!/usr/bin/env python
"""Fill a database with a large, realistic incident history for benchmarks.

    python bench/generate.py --incidents 1000000 [--database-url postgres://...] [--data-dir DIR]

The reference data (the provider, 5 customers with sites, people and customer logins, 22 staff logins,
5 workgroups, categories) is created through the services, acting as the system, so it is audited like
any other. The incidents and their timelines are then bulk-inserted (COPY on PostgreSQL, executemany on
SQLite), in one transaction per batch, but shaped exactly as ``incidents.services`` would leave them:

- ``number`` = pk, assigned in opening order over two years up to ``--end``;
- priority read from the priority matrix (``PriorityRule``) for the incident's impact and urgency, with
  e-mail calls defaulting to none x negotiated as ``create_incident`` does;
- one ``StatusChange`` row per transition (open, assign, reassign, accept, pend, resume, complete,
  reopen, close) with the actor, channel, note and details the service writes, and the stage timestamps
  (assigned_at, accepted_at, completed_at, closed_at), pending reason, resolution, reopen count, version
  and updated_at that follow from them;
- 0-4 comments per incident, about a third of them internal work notes;
- with ``--audit create`` (the default) one ``AuditEntry`` "create" row per incident, with the field
  snapshot ``record_create`` writes; transitions and comments get no audit rows (``--audit none``: none).

About 95 % of the incidents are closed; the rest are new, assigned, accepted, pending or completed, most
of them among the newest. The same seed, count and end date give the same data.
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import json
import random
import re
import sys
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _django  # noqa: E402

DAY = 86400.0
HOUR = 3600.0
MINUTE = 60.0

CUSTOMERS = [
    # name, short name, e-mail domain, share of incidents, people
    ("Acme Manufacturing", "acme", "acme.example", 0.34, 600),
    ("Globex Logistics", "globex", "globex.example", 0.26, 450),
    ("Initech Insurance", "initech", "initech.example", 0.18, 300),
    ("Umbrella Health", "umbrella", "umbrella.example", 0.13, 200),
    ("Soylent Foods", "soylent", "soylent.example", 0.09, 150),
]
SITES = ["Head office", "Warehouse", "Branch office"]
CUSTOMER_LOGINS = 8  # per customer: one customer manager and seven customer users

WORKGROUPS = [
    # name, mailbox, agents (by number)
    ("Service Desk", "servicedesk", range(1, 9)),
    ("Network", "network", range(9, 12)),
    ("Server", "server", range(12, 15)),
    ("Applications", "applications", range(15, 18)),
    ("Field Service", "field", range(18, 21)),
]

CATEGORIES = {
    # top-level category: (subcategories, the workgroup that usually takes it, subjects for titles)
    "Hardware": (
        ["Laptop", "Desktop", "Printer", "Monitor"],
        "Field Service",
        ["Laptop", "Desktop PC", "Printer", "Label printer", "Monitor", "Docking station", "Scanner"],
    ),
    "Software": (
        ["Office", "ERP", "Browser", "Line-of-business application"],
        "Applications",
        ["Excel", "Word", "SAP", "Browser", "Payroll application", "CRM", "PDF reader"],
    ),
    "Network": (
        ["Wi-Fi", "VPN", "LAN", "Internet"],
        "Network",
        ["Wi-Fi", "VPN", "Network port", "Internet access", "Firewall", "Switch in comms room"],
    ),
    "E-mail": (
        ["Mailbox", "Spam", "Distribution list"],
        "Server",
        ["Outlook", "Shared mailbox", "Mail delivery", "Distribution list", "Calendar"],
    ),
    "Access": (
        ["Password reset", "New account", "Permissions"],
        "Service Desk",
        ["Password", "Account", "File share permissions", "MFA token", "Door badge"],
    ),
    "Telephony": (
        ["Desk phone", "Mobile"],
        "Network",
        ["Desk phone", "Mobile phone", "Voicemail", "Conference phone"],
    ),
}
GENERIC_SUBJECTS = ["Application", "Computer", "System", "Website", "File server", "Backup job"]
SYMPTOMS = [
    "not working",
    "very slow",
    "cannot connect",
    "keeps crashing",
    "error on start-up",
    "locked out",
    "intermittent failures",
    "shows an error message",
    "stopped responding",
    "needs replacing",
    "not available since this morning",
    "cannot log in",
]
WHERE = [
    "",
    "",
    "",
    " at head office",
    " on floor 3",
    " in the warehouse",
    " for the sales team",
    " (urgent)",
]
DESCRIPTIONS = [
    "{name} reports that the {subject} is {symptom}. Started today around {hour}:00.",
    "Caller: {name}. {subject} {symptom}; a restart did not help. Affects {count} users.",
    "{subject} {symptom} since the update last night. {name} needs it for month-end work.",
    "{name} says the {subject} is {symptom}. Error code 0x{code:04X} shown on screen.",
]
PUBLIC_REPLIES = [
    "Thank you, we are looking into this now.",
    "Could you please send a screenshot of the error?",
    "We have applied a fix; please try again and let us know.",
    "An engineer will visit your site tomorrow morning.",
    "We are still waiting for the replacement part from the supplier.",
    "Please restart your computer and try once more.",
]
CUSTOMER_REPLIES = [
    "Screenshot attached, thank you.",
    "Still not working after the restart.",
    "That worked, thanks for the quick help.",
    "Any update on this please? The team is blocked.",
]
WORK_NOTES = [
    "Checked the logs; nothing obvious. Escalating if it happens again.",
    "Known issue with the latest driver; rolled back.",
    "Remote session with the user, cleared the profile cache.",
    "Vendor ticket opened, reference VND-{code}.",
    "Same symptom as last week at this site; linking for the problem record.",
    "Replaced the cable in the comms room.",
]
RESOLUTIONS = {
    "fixed": "Fault found and fixed.",
    "workaround": "Workaround applied: user works from the web version until the patch ships.",
    "configuration": "Configuration corrected on the server.",
    "hardware": "Faulty unit replaced with a spare from stock.",
    "advice": "Explained how to use the feature; no fault.",
    "no_fault": "Tested end to end with the user; no fault found.",
    "duplicate": "Duplicate of an incident already being worked on.",
    "withdrawn": "The customer withdrew the request.",
}
RESOLUTION_WEIGHTS = [0.42, 0.14, 0.14, 0.1, 0.1, 0.06, 0.02, 0.02]
CONTACT_NOTES = [
    "Phoned the requester; agreed to look at it remotely.",
    "Called the requester back and confirmed the symptoms.",
    "Left a voicemail and sent an e-mail with the incident number.",
]
CLOSE_NOTES = [
    "Customer agreed to closure by phone.",
    "Customer confirmed by e-mail that service is restored.",
    "No reply to three contact attempts; closed as agreed in the contract.",
]
PENDING_REASONS = ["customer", "part_shipped", "external", "scheduled"]
PENDING_WEIGHTS = [0.5, 0.2, 0.2, 0.1]
OPEN_STATUS_MIX = [("new", 0.1), ("assigned", 0.15), ("accepted", 0.4), ("pending", 0.15), ("completed", 0.2)]
CHANNELS = [
    ("phone", 0.32),
    ("email", 0.30),
    ("portal", 0.12),
    ("web", 0.08),
    ("monitoring", 0.14),
    ("api", 0.03),
    ("fax", 0.01),
]
# The actor context (StatusChange.channel / AuditEntry.channel) through which each kind of call arrives.
CONTEXT_CHANNEL = {"email": "email", "monitoring": "event", "api": "api"}
IMPACTS = [("severe", 0.002), ("high", 0.01), ("medium", 0.06), ("low", 0.67), ("none", 0.258)]
URGENCIES = [
    ("immediate", 0.003),
    ("critical", 0.012),
    ("urgent", 0.08),
    ("normal", 0.65),
    ("negotiated", 0.255),
]
# Alerts from monitoring: mostly one server or service (priority 2-3), now and then a site (1) or worse.
MONITORING = [
    (("low", "normal"), 0.5),
    (("low", "urgent"), 0.25),
    (("medium", "urgent"), 0.15),
    (("high", "critical"), 0.08),
    (("severe", "immediate"), 0.02),
]
# Mean time to restore service, by priority.
WORK_MEAN = {0: 2 * HOUR, 1: 4 * HOUR, 2: DAY, 3: 2 * DAY, 4: 5 * DAY}
# Share of incidents opened within the last RECENT_DAYS that are still open, and of older ones.
RECENT_DAYS = 14
RECENT_OPEN_SHARE = 0.6
OLD_OPEN_SHARE = 0.04


class Picker:
    """Weighted choice from a fixed list, fast: one random number and a bisect."""

    def __init__(self, rng: random.Random, items_weights):
        self.rng = rng
        self.items = [item for item, _ in items_weights]
        total = 0.0
        self.cum = []
        for _, weight in items_weights:
            total += weight
            self.cum.append(total)
        self.total = total

    def __call__(self):
        return self.items[bisect.bisect_right(self.cum, self.rng.random() * self.total)]


@dataclass
class Customer:
    id: int
    name: str
    people: list[tuple[int, str]]  # (person id, full name)
    logins: list[tuple[int, int, str]]  # (person id, user id, full name) of customer users


@dataclass
class Reference:
    provider_id: int
    customers: list[Customer]
    agents: dict[int, tuple[int, str]] = field(default_factory=dict)  # agent number -> (user id, name)
    workgroups: dict[str, tuple[int, list[int]]] = field(default_factory=dict)  # name -> (id, agent numbers)
    categories: dict[str, tuple[int, dict[str, int]]] = field(default_factory=dict)
    priority: dict[tuple[str, str], int] = field(default_factory=dict)
    incident_content_type: int = 0


# --- reference data, through the services ----------------------------------------------------------------


FIRST = (  # noqa: SIM905
    "Alex Sam Jordan Taylor Morgan Casey Jamie Robin Chris Pat Lee Dana Kim Ari Noor "
    "Maya Omar Lena Ivan Zoe Priya Tom Ella Ben Nina Raj Sara Leo Ada Hugo"
).split()
LAST = (  # noqa: SIM905
    "Smith Jones Patel Garcia Müller Rossi Nowak Kowalski Silva Chen Okafor Novak Brown Wilson Evans "
    "Moore Martin Clarke Walker Hall Young King Wright Scott Green Baker Adams Hill Khan Ward"
).split()


def person_name(rng: random.Random, taken: set[str]) -> str:
    while True:
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        if name not in taken:
            taken.add(name)
            return name
        name = f"{name} {rng.choice('ABCDEFGHJKLMNPRSTW')}."
        if name not in taken:
            taken.add(name)
            return name


def mailbox_name(full_name: str) -> str:
    plain = unicodedata.normalize("NFKD", full_name).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z]+", ".", plain).strip(".")


def ensure_reference_data(rng: random.Random) -> Reference:
    from django.contrib.contenttypes.models import ContentType

    from opsdesk.accounts import services as accounts
    from opsdesk.accounts.models import Organisation, Person, Site, User, Workgroup
    from opsdesk.core import crud
    from opsdesk.core.context import acting_as
    from opsdesk.incidents.models import Category, Incident, PriorityRule

    def login(person, username: str, role: str) -> User:
        existing = User.objects.filter(username=username).first()
        if existing is not None:
            return existing
        return accounts.create_login(person=person, username=username, password=_django.PASSWORD, role=role)

    def org(name: str, short: str, domain: str, kind: str) -> Organisation:
        existing = Organisation.objects.filter(name=name).first()
        return existing or accounts.create_organisation(
            name=name, short_name=short, email_domain=domain, kind=kind, phone="+44 20 7946 0000"
        )

    with acting_as(None, "system"):
        provider = org(_django.PROVIDER_NAME, "northwind", "northwind.example", "provider")
        ref = Reference(provider_id=provider.pk, customers=[])
        taken: set[str] = set(Person.objects.values_list("full_name", flat=True))

        staff = {p.email: p for p in Person.objects.filter(organisation=provider)}
        for username, role, name in [
            ("bench.admin", "admin", "Ada Admin"),
            ("bench.manager", "manager", "Max Manager"),
        ]:
            email = f"{username}@northwind.example"
            person = staff.get(email) or accounts.create_person(
                organisation=provider, full_name=name, email=email
            )
            login(person, username, role)
        for number in range(1, 21):
            username = f"agent{number:02d}"
            email = f"{username}@northwind.example"
            person = staff.get(email) or accounts.create_person(
                organisation=provider,
                full_name=person_name(rng, taken),
                email=email,
                job_title="Support engineer",
            )
            user = login(person, username, "agent")
            ref.agents[number] = (user.pk, str(user))
        for name, mailbox, numbers in WORKGROUPS:
            group = Workgroup.objects.filter(name=name).first()
            if group is None:
                members = list(User.objects.filter(username__in=[f"agent{n:02d}" for n in numbers]))
                group = accounts.create_workgroup(
                    name=name,
                    email=f"{mailbox}@northwind.example",
                    lead=min(members, key=lambda u: u.username),
                    members=members,
                )
            ref.workgroups[name] = (group.pk, list(numbers))

        for name, short, domain, _share, size in CUSTOMERS:
            customer = org(name, short, domain, "customer")
            sites = []
            for site_name in SITES:
                site = Site.objects.filter(organisation=customer, name=site_name).first()
                sites.append(site or crud.create(Site, organisation=customer, name=site_name))
            existing = list(Person.objects.filter(organisation=customer).order_by("id"))
            for i in range(len(existing), size):
                full_name = person_name(rng, taken)
                existing.append(
                    accounts.create_person(
                        organisation=customer,
                        site=sites[i % len(sites)],
                        full_name=full_name,
                        email=f"{mailbox_name(full_name)}.{i}@{domain}",
                        phone=f"+44 161 496 {i:04d}",
                    )
                )
            logins = []
            for i, person in enumerate(existing[:CUSTOMER_LOGINS]):
                role = "customer_manager" if i == 0 else "customer"
                username = f"{short}.manager" if i == 0 else f"{short}.user{i}"
                user = login(person, username, role)
                logins.append((person.pk, user.pk, person.full_name))
            ref.customers.append(Customer(customer.pk, name, [(p.pk, p.full_name) for p in existing], logins))

        for top, (subs, _group, _subjects) in CATEGORIES.items():
            category = Category.objects.filter(name=top, parent=None).first()
            category = category or crud.create(Category, name=top)
            children = {}
            for sub in subs:
                child = Category.objects.filter(name=sub, parent=category).first()
                children[sub] = (child or crud.create(Category, name=sub, parent=category)).pk
            ref.categories[top] = (category.pk, children)

    ref.priority = {(r.impact, r.urgency): r.priority for r in PriorityRule.objects.all()}
    ref.incident_content_type = ContentType.objects.get_for_model(Incident).pk
    return ref


# --- bulk rows --------------------------------------------------------------------------------------------


class Table:
    """The columns we fill for one model, plus constant defaults for any other column it has."""

    def __init__(self, model, attnames: list[str]):
        from django.db import connection

        self.model = model
        self.name = model._meta.db_table
        self.fields = [model._meta.get_field(name) for name in attnames]
        known = set(attnames)
        self.extra_fields = []
        self.extra: list[object] = []
        for f in model._meta.concrete_fields:
            if f.attname in known or f.primary_key:
                continue
            if not f.has_default() and not f.null:
                raise SystemExit(f"{self.name}.{f.column} has no default; teach bench/generate.py to fill it")
            value = f.get_default()
            self.extra_fields.append(f)
            self.extra.append(json.dumps(value) if isinstance(value, dict | list) else value)
        self.columns = [connection.ops.quote_name(f.column) for f in self.fields + self.extra_fields]


class Writer:
    def __init__(self):
        from django.db import connection

        self.connection = connection
        self.vendor = connection.vendor

    def timestamp(self, seconds: float) -> str:
        text = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(seconds))
        return text + "+00" if self.vendor == "postgresql" else text

    def write(self, table: Table, rows: list[tuple]) -> None:
        if not rows:
            return
        extra = tuple(table.extra)
        columns = ", ".join(table.columns)
        if self.vendor == "postgresql":
            with (
                self.connection.cursor() as cursor,
                cursor.copy(f"COPY {table.name} ({columns}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row + extra if extra else row)
        else:
            marks = ", ".join("?" * len(table.columns))
            raw = self.connection.connection
            sql = f"INSERT INTO {table.name} ({columns}) VALUES ({marks})"
            raw.executemany(sql, (row + extra for row in rows) if extra else rows)


INCIDENT_COLUMNS = [
    "id", "created_at", "updated_at", "version", "title", "description", "organisation_id", "requester_id",
    "channel", "category_id", "subcategory_id", "impact", "urgency", "priority", "status", "workgroup_id",
    "owner_id", "pending_reason", "resolution_code", "resolution_notes", "opened_at", "assigned_at",
    "accepted_at", "completed_at", "closed_at", "reopen_count", "parent_id",
]  # fmt: skip
STATUS_COLUMNS = [
    "incident_id",
    "action",
    "from_status",
    "to_status",
    "at",
    "actor_id",
    "channel",
    "note",
    "details",
]
COMMENT_COLUMNS = ["incident_id", "created_at", "updated_at", "version", "author_id", "body", "is_public"]
AUDIT_COLUMNS = [
    "content_type_id", "object_id", "object_repr", "organisation_id", "action", "actor_id", "actor_name",
    "channel", "correlation_id", "at", "changes", "summary",
]  # fmt: skip


class Generator:
    def __init__(
        self,
        ref: Reference,
        rng: random.Random,
        writer: Writer,
        start: float,
        end: float,
        total: int,
        audit: bool,
        first_pk: int,
    ):
        from opsdesk.core.models import AuditEntry
        from opsdesk.incidents.models import Comment, Incident, StatusChange

        self.ref, self.rng, self.w = ref, rng, writer
        self.start, self.end, self.total, self.audit = start, end, total, audit
        self.first_pk = first_pk
        self.incidents = Table(Incident, INCIDENT_COLUMNS)
        self.status_changes = Table(StatusChange, STATUS_COLUMNS)
        self.comments = Table(Comment, COMMENT_COLUMNS)
        self.audit_entries = Table(AuditEntry, AUDIT_COLUMNS)
        # Fields of the create snapshot that this generator does not set itself (added later by others),
        # as ``record_create`` snapshots them: the audit-excluded ones (SLA clock columns) left out.
        excluded = set(getattr(Incident, "audit_exclude", ()))
        self.snapshot_extra = {
            f.name: value
            for f, value in zip(self.incidents.extra_fields, self.incidents.extra, strict=True)
            if f.name not in excluded
        }
        shares = [share for _name, _short, _domain, share, _people in CUSTOMERS]
        self.pick_customer = Picker(rng, list(zip(ref.customers, shares, strict=True)))
        self.pick_channel = Picker(rng, CHANNELS)
        self.pick_monitoring = Picker(rng, MONITORING)
        self.pick_impact = Picker(rng, IMPACTS)
        self.pick_urgency = Picker(rng, URGENCIES)
        self.pick_open_status = Picker(rng, OPEN_STATUS_MIX)
        self.pick_reason = Picker(rng, list(zip(PENDING_REASONS, PENDING_WEIGHTS, strict=True)))
        self.pick_resolution = Picker(rng, list(zip(RESOLUTIONS, RESOLUTION_WEIGHTS, strict=True)))
        self.category_names = list(CATEGORIES)
        self.service_desk = ref.workgroups["Service Desk"]
        self.workgroup_names = {wg_id: name for name, (wg_id, _) in ref.workgroups.items()}
        self.recent_from = end - RECENT_DAYS * DAY

    # -- one incident ---------------------------------------------------------------------------------------

    def agent(self, numbers: list[int]) -> tuple[int, str]:
        return self.ref.agents[self.rng.choice(numbers)]

    def incident(self, pk: int, out: dict[str, list]) -> None:
        rng, ref, ts = self.rng, self.ref, self.w.timestamp
        opened = int(self.start + (self.end - self.start) * (pk - self.first_pk + rng.random()) / self.total)
        customer: Customer = self.pick_customer()
        channel = self.pick_channel()
        context = CONTEXT_CHANNEL.get(channel, "web")
        if channel == "portal" and customer.logins:
            requester_id, requester_user, requester_name = rng.choice(customer.logins)
        else:
            requester_id, requester_name = rng.choice(customer.people)
            requester_user = None
            if rng.random() < 0.1 and customer.logins:
                requester_id, requester_user, requester_name = rng.choice(customer.logins)

        if channel == "email" and rng.random() < 0.9:
            impact, urgency = "none", "negotiated"
        elif channel == "monitoring":
            impact, urgency = self.pick_monitoring()
        else:
            impact, urgency = self.pick_impact(), self.pick_urgency()
        priority = ref.priority.get((impact, urgency), 3)

        if rng.random() < 0.9:
            top = rng.choice(self.category_names)
            subs, group_name, subjects = CATEGORIES[top]
            category_id, children = ref.categories[top]
            sub = rng.choice(subs) if rng.random() < 0.7 else None
            subcategory_id = children[sub] if sub else None
            workgroup = ref.workgroups[group_name] if rng.random() < 0.7 else self.service_desk
        else:
            category_id = subcategory_id = None
            subjects = GENERIC_SUBJECTS
            workgroup = self.service_desk
        subject = rng.choice(subjects)
        symptom = rng.choice(SYMPTOMS)
        title = f"{subject} {symptom}{rng.choice(WHERE)}"
        description = rng.choice(DESCRIPTIONS).format(
            name=requester_name,
            subject=subject if subject[1:2].isupper() else subject[0].lower() + subject[1:],
            symptom=symptom,
            hour=rng.randint(7, 18),
            count=rng.randint(1, 40),
            code=rng.randint(0, 0xFFFF),
        )
        description = description[0].upper() + description[1:]

        open_share = RECENT_OPEN_SHARE if opened >= self.recent_from else OLD_OPEN_SHARE
        status = self.pick_open_status() if rng.random() < open_share else "closed"

        # The creator: the requester on the portal, nobody for e-mail and monitoring, else an agent.
        if channel == "portal":
            creator = (requester_user, requester_name)
        elif channel in ("email", "monitoring"):
            creator = (None, "system")
        else:
            creator = self.agent(self.service_desk[1])

        # -- the timeline (action, from, to, seconds after opening, actor id, channel, note, details)
        events = [["open", "", "new", 0.0, creator[0], context, "", "{}"]]
        t = 0.0
        state = "new"
        owner = None
        wg_id, wg_agents = None, None
        pending_reason = resolution_code = resolution_notes = ""
        reopen_count = 0
        quick = priority <= 1

        def step(action, target, delay, actor, note="", details="{}", channel="web"):
            nonlocal t, state
            t += delay
            events.append([action, state, target, t, actor, channel, note, details])
            state = target

        if status != "new":
            sd_agent = self.agent(self.service_desk[1])
            first = (
                self.service_desk if workgroup is not self.service_desk and rng.random() < 0.15 else workgroup
            )
            delay = rng.expovariate(1 / (2 * MINUTE if quick else 15 * MINUTE))
            step(
                "assign",
                "assigned",
                delay,
                sd_agent[0],
                details=_details(workgroup=self.workgroup_names[first[0]]),
            )
            wg_id, wg_agents = first
            if first is not workgroup:
                step(
                    "reassign",
                    "assigned",
                    rng.expovariate(1 / HOUR),
                    self.agent(first[1])[0],
                    details=_details(workgroup=self.workgroup_names[workgroup[0]]),
                )
                wg_id, wg_agents = workgroup
        if status not in ("new", "assigned"):
            owner = self.agent(wg_agents)
            step(
                "accept",
                "accepted",
                rng.expovariate(1 / (10 * MINUTE if quick else HOUR)),
                owner[0],
                note=rng.choice(CONTACT_NOTES),
                details=_details(owner=owner[1], customer_contacted=True),
            )
            work = rng.expovariate(1 / WORK_MEAN[priority])
            if status == "pending" or (status != "accepted" and rng.random() < 0.15):
                pending_reason = self.pick_reason()
                step("pend", "pending", work * 0.3, owner[0], details=_details(reason=pending_reason))
                if status != "pending":
                    step("resume", "accepted", rng.expovariate(1 / DAY), owner[0])
                    pending_reason = ""
                work *= 0.7
            if status in ("completed", "closed"):
                resolution_code = self.pick_resolution()
                resolution_notes = RESOLUTIONS[resolution_code]
                step("complete", "completed", work, owner[0])
                if rng.random() < 0.03:
                    if requester_user and rng.random() < 0.5:
                        step(
                            "reject",
                            "accepted",
                            rng.expovariate(1 / DAY),
                            requester_user,
                            note="The fault is back.",
                        )
                    else:
                        step(
                            "reopen",
                            "accepted",
                            rng.expovariate(1 / DAY),
                            owner[0],
                            note="Customer called: the fault is back.",
                        )
                    reopen_count = 1
                    step("complete", "completed", rng.expovariate(1 / DAY), owner[0])
            if status == "closed":
                if requester_user and rng.random() < 0.3:
                    step(
                        "close",
                        "closed",
                        rng.expovariate(1 / DAY),
                        requester_user,
                        details=_details(agreement="confirmed by the customer"),
                    )
                else:
                    step(
                        "close",
                        "closed",
                        rng.expovariate(1 / (2 * DAY)),
                        self.agent(self.service_desk[1])[0],
                        note=rng.choice(CLOSE_NOTES),
                        details=_details(agreement="recorded by the service desk"),
                    )

        # Squeeze the timeline of a recent incident so that it ends before now.
        room = self.end - 60 - opened
        if t > room:
            factor = max(room, 1.0) / t
            for event in events:
                event[3] *= factor
            t *= factor
        stamps = {}
        for event in events:
            at = opened + event[3]
            event[3] = at
            stamps.setdefault(event[0], at)
            if event[0] == "complete":
                stamps["complete"] = at  # the last completion counts
        last = events[-1][3]

        row = (
            pk,
            ts(opened),
            ts(last),
            len(events),
            title,
            description,
            customer.id,
            requester_id,
            channel,
            category_id,
            subcategory_id,
            impact,
            urgency,
            priority,
            status,
            wg_id,
            owner[0] if owner and status != "assigned" else None,
            pending_reason if status == "pending" else "",
            resolution_code,
            resolution_notes,
            ts(opened),
            ts(stamps["assign"]) if "assign" in stamps else None,
            ts(stamps["accept"]) if "accept" in stamps else None,
            ts(stamps["complete"]) if status in ("completed", "closed") else None,
            ts(stamps["close"]) if status == "closed" else None,
            reopen_count,
            None,
        )
        out["incidents"].append(row)
        for action, source, target, at, actor, chan, note, details in events:
            out["status"].append((pk, action, source, target, ts(at), actor, chan, note, details))

        # Comments, spread between opening and the last change (or now, if still open).
        n = rng.choices((0, 1, 2, 3, 4), cum_weights=(0.2, 0.5, 0.75, 0.9, 1.0))[0]
        if n:
            until = last if status == "closed" else min(self.end - 1, max(last, opened + 60))
            times = sorted(opened + rng.random() * (until - opened) for _ in range(n))
            staff = [owner[0]] if owner else [self.agent(self.service_desk[1])[0]]
            for at in times:
                if rng.random() < 0.35:
                    author, body, public = rng.choice(staff), rng.choice(WORK_NOTES), False
                    body = body.format(code=rng.randint(10000, 99999))
                elif requester_user and rng.random() < 0.5:
                    author, body, public = requester_user, rng.choice(CUSTOMER_REPLIES), True
                else:
                    author, body, public = rng.choice(staff), rng.choice(PUBLIC_REPLIES), True
                stamp = ts(at)
                out["comments"].append((pk, stamp, stamp, 1, author, body, public))

        if self.audit:
            opened_iso = dt.datetime.fromtimestamp(opened, dt.UTC).isoformat()
            snapshot = {
                "title": title,
                "description": description,
                "organisation": customer.id,
                "requester": requester_id,
                "channel": channel,
                "category": category_id,
                "subcategory": subcategory_id,
                "impact": impact,
                "urgency": urgency,
                "priority": priority,
                "status": "new",
                "workgroup": None,
                "owner": None,
                "pending_reason": "",
                "resolution_code": "",
                "resolution_notes": "",
                "opened_at": opened_iso,
                "assigned_at": None,
                "accepted_at": None,
                "completed_at": None,
                "closed_at": None,
                "reopen_count": 0,
                "parent": None,
                **self.snapshot_extra,
            }
            changes = json.dumps({k: [None, v] for k, v in snapshot.items()}, ensure_ascii=False)
            out["audit"].append(
                (
                    ref.incident_content_type,
                    str(pk),
                    f"INC-{pk:06d} {title}"[:200],
                    customer.id,
                    "create",
                    creator[0],
                    creator[1],
                    context,
                    f"{rng.getrandbits(128):032x}",
                    ts(opened),
                    changes,
                    f"Incident opened via {channel}",
                )
            )

    def batch(self, first_pk: int, count: int) -> dict[str, int]:
        out: dict[str, list] = {"incidents": [], "status": [], "comments": [], "audit": []}
        for pk in range(first_pk, first_pk + count):
            self.incident(pk, out)
        from django.db import transaction

        with transaction.atomic():
            self.w.write(self.incidents, out["incidents"])
            self.w.write(self.status_changes, out["status"])
            self.w.write(self.comments, out["comments"])
            self.w.write(self.audit_entries, out["audit"])
        return {name: len(rows) for name, rows in out.items()}


def _details(**values) -> str:
    return json.dumps(values, ensure_ascii=False)


def finish(vendor: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('incidents_incident', 'id'), "
                "(SELECT MAX(id) FROM incidents_incident))"
            )
            for table in (
                "incidents_incident",
                "incidents_statuschange",
                "incidents_comment",
                "core_auditentry",
            ):
                cursor.execute(f"VACUUM (ANALYZE) {table}")
            cursor.execute("ANALYZE")
        else:
            cursor.execute("ANALYZE")
            cursor.execute("PRAGMA optimize")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def database_size(vendor: str) -> str:
    from django.db import connection

    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
            return cursor.fetchone()[0]
    path = Path(connection.settings_dict["NAME"])
    return f"{path.stat().st_size / 2**30:.2f} GB"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--incidents", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=10_000, help="incidents per transaction")
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument(
        "--end", default="", help="the history ends at 00:00 UTC of this day, YYYY-MM-DD (default: today)"
    )
    parser.add_argument("--years", type=float, default=2.0, help="how far back the history goes")
    parser.add_argument("--audit", choices=["create", "none"], default="create")
    _django.add_database_arguments(parser)
    args = parser.parse_args(argv)
    _django.setup(args)

    from django.core.management import call_command
    from django.db import connection

    from opsdesk.incidents.models import Incident

    started = time.monotonic()
    print(f"database: {_django.describe_database()}", flush=True)
    call_command("migrate", verbosity=0, interactive=False)
    existing = Incident.objects.count()
    if existing:
        print(
            f"The database already holds {existing:,} incidents; generate into an empty one "
            "(PostgreSQL: dropdb/createdb; SQLite: delete the file).",
            file=sys.stderr,
        )
        return 2

    rng = random.Random(args.seed)
    ref = ensure_reference_data(rng)
    setup_done = time.monotonic()
    print(f"reference data ready in {setup_done - started:.1f} s", flush=True)

    end_day = dt.date.fromisoformat(args.end) if args.end else dt.date.today()
    end = dt.datetime.combine(end_day, dt.time(0, 0), dt.UTC).timestamp()
    start = end - args.years * 365 * DAY
    writer = Writer()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit = off")
    first = (Incident.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    gen = Generator(ref, rng, writer, start, end, args.incidents, args.audit == "create", first)
    totals = {"incidents": 0, "status": 0, "comments": 0, "audit": 0}
    done = 0
    while done < args.incidents:
        count = min(args.batch, args.incidents - done)
        for name, n in gen.batch(first + done, count).items():
            totals[name] += n
        done += count
        elapsed = time.monotonic() - setup_done
        rate = done / elapsed
        eta = (args.incidents - done) / rate if rate else 0
        print(
            f"  {done:>10,} / {args.incidents:,} incidents  {rate:,.0f}/s  "
            f"elapsed {elapsed:,.0f} s  eta {eta:,.0f} s",
            flush=True,
        )
    loaded = time.monotonic()
    print("analysing ...", flush=True)
    finish(connection.vendor)
    finished = time.monotonic()
    print(
        f"done: {totals['incidents']:,} incidents, {totals['status']:,} status changes, "
        f"{totals['comments']:,} comments, {totals['audit']:,} audit entries\n"
        f"time: reference data {setup_done - started:.0f} s, incidents {loaded - setup_done:.0f} s, "
        f"analyse {finished - loaded:.0f} s, total {finished - started:.0f} s; "
        f"database size {database_size(connection.vendor)}",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
