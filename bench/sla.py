#!/usr/bin/env python
"""SLA benchmarks on a database made by ``bench/generate.py``.

    python bench/sla.py fill   [--database-url ... | --data-dir ...]   # clock data for every incident
    python bench/sla.py due    [--count 100000]                          # due dates on the clock start path
    python bench/sla.py report [--month YYYY-MM] [--repeat 3]            # one-month SLA report

``fill`` migrates the database, creates the provider-wide, non-default SLA "Bench round the clock"
(24x7 calendar; respond P0-P4 in 15 min / 30 min / 2 h / 4 h / 8 h, resolve in 4 h / 8 h / 48 h / 96 h /
240 h) through the services, and gives every incident that has no SLA yet the clocks it would have
under it, with plain SQL in batches of ``--batch`` ids (one transaction each): targets from the
priority, the response clock stopped at ``accepted_at``, the resolution clock at ``completed_at``, paused
while pending, running otherwise; due times, breach flags and the business time used (on a 24x7
calendar: the wall-clock time; pending time is counted, which makes the figures a little worse than
real ones), and a "started" plus a "met"/"breached" clock event per stopped clock.

``due`` builds ``--count`` unsaved incidents of the bench customers (priorities as generated, opening
instants spread over 2025, every hour of the week) and times ``incidents.clocks.start`` on them: the
SLA lookup (cached per customer, service and day, as a batch does) and the due, warning and target
arithmetic under the "Standard" SLA (UK office hours, English bank holidays). Twice: with an empty
lookup cache, then again with the cache filled (the arithmetic alone). Nothing is saved.

``report`` times the SLA compliance report (``reports.compliance``) for one month over the whole
database, as the service-desk manager: grouped by customer and priority, by service, filtered to one
customer, and the monthly service report of the largest customer; then one year by month. Prints the
best and the median of ``--repeat`` runs and writes ``bench/out/sla-<vendor>-<time>.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _django  # noqa: E402

SLA_NAME = "Bench round the clock"
RESPONSE = {0: 15, 1: 30, 2: 120, 3: 240, 4: 480}
RESOLUTION = {0: 240, 1: 480, 2: 2880, 3: 5760, 4: 14400}


def _case(column: str, minutes: dict[int, int]) -> str:
    whens = " ".join(f"WHEN {p} THEN {m}" for p, m in minutes.items())
    return f"(CASE {column} {whens} END)"


class Dialect:
    def __init__(self, vendor: str):
        self.vendor = vendor

    def seconds(self, start: str, end: str) -> str:
        if self.vendor == "postgresql":
            return f"CAST(EXTRACT(EPOCH FROM ({end} - {start})) AS BIGINT)"
        return f"CAST(ROUND((julianday({end}) - julianday({start})) * 86400) AS INTEGER)"

    def plus_minutes(self, start: str, minutes: str) -> str:
        if self.vendor == "postgresql":
            return f"({start} + make_interval(mins => {minutes}))"
        return f"strftime('%Y-%m-%d %H:%M:%f', {start}, '+' || {minutes} || ' minutes')"

    def never(self) -> str:
        return "'9999-01-01 00:00:00+00'" if self.vendor == "postgresql" else "'9999-01-01 00:00:00'"

    def boolean(self, condition: str) -> str:
        return (
            f"({condition})" if self.vendor == "postgresql" else f"(CASE WHEN {condition} THEN 1 ELSE 0 END)"
        )


def _bench_sla():
    from opsdesk.accounts.models import User
    from opsdesk.core.context import acting_as
    from opsdesk.sla import services
    from opsdesk.sla.models import Calendar, Sla

    existing = Sla.objects.filter(name=SLA_NAME).first()
    if existing:
        return existing
    admin = User.objects.get(username="bench.admin")
    with acting_as(admin, "system"):
        return services.create_sla(
            by=admin,
            name=SLA_NAME,
            organisation=None,
            is_default=False,
            calendar=Calendar.objects.get(name="24x7"),
            targets=[
                {"priority": p, "response_minutes": RESPONSE[p], "resolution_minutes": RESOLUTION[p]}
                for p in range(5)
            ],
        )


def fill(args) -> dict:
    from django.core.management import call_command
    from django.db import connection, transaction

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrated = time.perf_counter() - started
    sla = _bench_sla()
    d = Dialect(connection.vendor)
    resp_target, resol_target = _case("priority", RESPONSE), _case("priority", RESOLUTION)
    resp_used = d.seconds("opened_at", "accepted_at")
    resol_used = d.seconds("opened_at", "completed_at")
    pending_used = d.seconds("opened_at", "updated_at")
    resol_late = d.boolean(f"completed_at IS NOT NULL AND {resol_used} > {resol_target} * 60")
    update = f"""
        UPDATE incidents_incident SET
          sla_id = %s,
          response_target_minutes = {resp_target},
          resolution_target_minutes = {resol_target},
          response_state = CASE WHEN accepted_at IS NOT NULL THEN 'stopped' ELSE 'running' END,
          response_due_at = {d.plus_minutes("opened_at", resp_target)},
          response_used_seconds = CASE WHEN accepted_at IS NOT NULL THEN {resp_used} END,
          response_breached = {d.boolean(f"accepted_at IS NOT NULL AND {resp_used} > {resp_target} * 60")},
          resolution_state = CASE WHEN completed_at IS NOT NULL THEN 'stopped'
                                  WHEN status = 'pending' THEN 'paused' ELSE 'running' END,
          resolution_due_at = CASE WHEN status = 'pending' AND completed_at IS NULL THEN NULL
                                   ELSE {d.plus_minutes("opened_at", resol_target)} END,
          resolution_used_seconds = CASE WHEN completed_at IS NOT NULL THEN {resol_used}
                                         WHEN status = 'pending' THEN {pending_used} END,
          resolution_breached = {resol_late},
          next_due_at = CASE WHEN accepted_at IS NULL THEN {d.plus_minutes("opened_at", resp_target)}
                             WHEN completed_at IS NULL AND status <> 'pending'
                               THEN {d.plus_minutes("opened_at", resol_target)}
                             ELSE {d.never()} END
        WHERE id BETWEEN %s AND %s AND sla_id IS NULL
    """
    details_stop = "'{\"stopped\": true}'"
    events = [
        f"""INSERT INTO incidents_clockevent
              (incident_id, clock, kind, at, due_at, target_minutes, used_seconds, reason, details, actor_id)
            SELECT id, '{clock}', 'started', opened_at, {clock}_due_at, {clock}_target_minutes, 0,
                   'SLA {SLA_NAME} in 24x7, priority P' || priority, '{{}}', NULL
            FROM incidents_incident WHERE id BETWEEN %s AND %s AND sla_id = %s"""
        for clock in ("response", "resolution")
    ] + [
        f"""INSERT INTO incidents_clockevent
              (incident_id, clock, kind, at, due_at, target_minutes, used_seconds, reason, details, actor_id)
            SELECT id, '{clock}', CASE WHEN {clock}_breached THEN 'breached' ELSE 'met' END, {stamp},
                   {clock}_due_at, {clock}_target_minutes, {clock}_used_seconds, '{why}', {details_stop}, NULL
            FROM incidents_incident
            WHERE id BETWEEN %s AND %s AND sla_id = %s AND {clock}_state = 'stopped'"""
        for clock, stamp, why in (
            ("response", "accepted_at", "Accepted"),
            ("resolution", "completed_at", "Completed"),
        )
    ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT MIN(id), MAX(id) FROM incidents_incident WHERE sla_id IS NULL")
        low, high = cursor.fetchone()
    filled = 0
    fill_started = time.perf_counter()
    if low is not None:
        for start in range(low, high + 1, args.batch):
            end = start + args.batch - 1
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(update, [sla.pk, start, end])
                filled += cursor.rowcount
                for statement in events:
                    cursor.execute(statement, [start, end, sla.pk])
            print(f"  filled up to id {end}: {filled} incidents, {time.perf_counter() - fill_started:.0f} s")
    fill_seconds = time.perf_counter() - fill_started
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Every incident row was rewritten: reclaim the old versions as autovacuum would, so the
            # benchmarks that follow read a table of its real size.
            cursor.execute("VACUUM (ANALYZE) incidents_incident")
        cursor.execute("ANALYZE")
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA optimize")
    result = {
        "migrate_seconds": round(migrated, 1),
        "filled_incidents": filled,
        "fill_seconds": round(fill_seconds, 1),
        "per_second": round(filled / fill_seconds) if fill_seconds and filled else None,
    }
    print(json.dumps(result, indent=2))
    return result


def due(args) -> dict:
    from zoneinfo import ZoneInfo

    from opsdesk.accounts.models import Organisation
    from opsdesk.incidents import clocks
    from opsdesk.incidents.models import Incident

    rng = random.Random(args.seed)
    customers = list(Organisation.objects.filter(kind="customer").values_list("pk", flat=True))
    london = ZoneInfo("Europe/London")
    base = dt.datetime(2025, 1, 1, tzinfo=london)
    priorities = [0] * 3 + [1] * 14 + [2] * 126 + [3] * 549 + [4] * 308
    specs = [
        (
            rng.choice(customers),
            rng.choice(priorities),
            base + dt.timedelta(minutes=rng.randrange(365 * 24 * 60)),
        )
        for _ in range(args.count)
    ]

    def batch():
        return [Incident(organisation_id=o, priority=p, opened_at=t) for o, p, t in specs]

    seen: dict = {}
    passes = {}
    for name in ("cold", "warm"):  # cold: SLA looked up per customer and day; warm: arithmetic only
        incidents = batch()
        started = time.perf_counter()
        for incident in incidents:
            clocks.start(incident, now=incident.opened_at, by=None, seen=seen)
        seconds = time.perf_counter() - started
        passes[name] = {
            "seconds": round(seconds, 2),
            "per_incident_us": round(seconds / args.count * 1e6),
            "per_second": round(args.count / seconds),
        }
    result = {
        "incidents": args.count,
        "cold_cache": passes["cold"],
        "warm_cache": passes["warm"],
        "policy_lookups": len(seen),
        "slas": sorted({inc.sla_id for inc in incidents if inc.sla_id}),
        "with_due_dates": sum(1 for inc in incidents if inc.resolution_due_at),
    }
    print(json.dumps(result, indent=2))
    return result


def _time(label: str, func, repeat: int) -> dict:
    runs = []
    value = None
    for _ in range(repeat):
        started = time.perf_counter()
        value = func()
        runs.append(time.perf_counter() - started)
    figures = {
        "case": label,
        "best_ms": round(min(runs) * 1000),
        "median_ms": round(statistics.median(runs) * 1000),
        "runs_ms": [round(r * 1000) for r in runs],
    }
    print(f"  {label:<55} best {figures['best_ms']:>6} ms  median {figures['median_ms']:>6} ms")
    return figures | {"value": value}


def report(args) -> dict:
    from django.db import connection
    from django.utils import timezone

    from opsdesk.accounts.models import Organisation, User
    from opsdesk.incidents.models import Incident
    from opsdesk.reports import compliance, csv_export, monthly
    from opsdesk.reports.compliance import Selection

    manager = User.objects.get(username="bench.manager")
    now = timezone.now()
    month = (
        compliance.parse_month(args.month)
        if args.month
        else compliance.add_months(compliance.this_month(now), -1)
    )
    acme = Organisation.objects.filter(kind="customer").order_by("pk").first()
    total = Incident.objects.count()
    in_month = Selection(first=month, last=month, by=()).incidents(manager).count()
    print(f"{total} incidents, {in_month} opened in {month:%Y-%m}; acting as {manager.username}")

    def run(selection):
        return lambda: compliance.compliance(manager, selection, now)

    cases = [
        ("month, by customer and priority", Selection(month, month, by=("organisation", "priority"))),
        ("month, by service", Selection(month, month, by=("service",))),
        ("month, one customer, by priority", Selection(month, month, organisation=acme.pk, by=("priority",))),
        ("month, total only", Selection(month, month, by=())),
        (
            "12 months, by month",
            Selection(compliance.add_months(month, -11), month, by=("month",)),
        ),
    ]
    results = []
    for label, selection in cases:
        figures = _time(label, run(selection), args.repeat)
        rep = figures.pop("value")
        figures["rows"] = len(rep.rows)
        figures["total"] = {
            "incidents": rep.total.incidents,
            "breaches": rep.total.breaches,
            "response": rep.total.response.as_dict(),
            "resolution": rep.total.resolution.as_dict(),
        }
        results.append(figures)
    figures = _time(
        "month, by customer and priority, as CSV",
        lambda: csv_export.render(compliance.compliance(manager, cases[0][1], now)),
        args.repeat,
    )
    figures["bytes"] = len(figures.pop("value"))
    results.append(figures)
    figures = _time(
        f"monthly service report, {acme.name}",
        lambda: monthly.build(manager, acme, month, now),
        args.repeat,
    )
    built = figures.pop("value")
    figures["breaches_explained"] = len(built.breaches)
    results.append(figures)
    return {
        "month": month.strftime("%Y-%m"),
        "incidents": total,
        "incidents_in_month": in_month,
        "cases": results,
        "vendor": connection.vendor,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["fill", "due", "report"])
    _django.add_database_arguments(parser)
    parser.add_argument("--batch", type=int, default=50_000, help="fill: incidents per transaction")
    parser.add_argument("--count", type=int, default=100_000, help="due: incidents")
    parser.add_argument("--seed", type=int, default=20261126)
    parser.add_argument("--month", help="report: YYYY-MM (default: last month)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    _django.setup(args)
    from django.db import connection

    print(f"{args.command} on {_django.describe_database()}")
    started = time.perf_counter()
    result = {"fill": fill, "due": due, "report": report}[args.command](args)
    out = {
        "command": args.command,
        "database": _django.describe_database(),
        "vendor": connection.vendor,
        "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "elapsed_seconds": round(time.perf_counter() - started, 1),
        "result": result,
    }
    _django.OUT_DIR.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    path = _django.OUT_DIR / f"sla-{args.command}-{connection.vendor}-{stamp}.json"
    path.write_text(json.dumps(out, indent=2, default=str))
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
