#!/usr/bin/env python
"""Fill a database with a large CMDB for benchmarks: 100,000 CIs and 300,000 relationships across 5
customers (20,000 CIs and 60,000 relationships each).

    python bench/cmdb_generate.py --database-url postgres://postgres@127.0.0.1:5432/opsdesk_cmdb_bench
    python bench/cmdb_generate.py --data-dir /work/bench-data/cmdb

The organisations and the bench agent are created through the services (audited); the CIs and
relationships are bulk-inserted (``bulk_create``, one transaction per customer) without audit entries,
shaped as the services would leave them: attribute values valid for their class, relationship types
joining the classes they allow, no self-links or duplicates. Per customer: 20 locations, 200 routers,
400 switches, 6,000 servers, 8,000 applications, 380 services and 4,999 desktop PCs plus one spare; each
server is connected to two switches (one redundancy group) and located in a location, each application
runs on a server (a fifth of them on a second one, redundantly) and depends on other applications,
services run on three applications, desktops connect to a switch and use an application.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _django import PASSWORD, add_database_arguments, analyze, describe_database, setup  # noqa: E402

CUSTOMERS = [
    ("Acme Corporation", "acme"),
    ("Globex Industries", "globex"),
    ("Initech", "initech"),
    ("Umbrella Health", "umbrella"),
    ("Soylent Foods", "soylent"),
]
SHAPE = [  # (class key, count per customer)
    ("location", 20),
    ("router", 200),
    ("switch", 400),
    ("server", 6000),
    ("application", 8000),
    ("service", 380),
    ("desktop-pc", 5000),
]
RELATIONSHIPS_PER_CUSTOMER = 60_000
BENCH_AGENT = "cmdb.agent"


def reference():
    from opsdesk.accounts import services as accounts
    from opsdesk.accounts.choices import OrganisationKind, Role
    from opsdesk.accounts.models import Organisation, User
    from opsdesk.core.context import acting_as

    with acting_as(None, "system"):
        provider = Organisation.objects.filter(short_name="cmdb-provider").first() or (
            accounts.create_organisation(
                name="Northwind CMDB Provider", short_name="cmdb-provider", kind=OrganisationKind.PROVIDER
            )
        )
        if not User.objects.filter(username=BENCH_AGENT).exists():
            person = accounts.create_person(
                organisation=provider, full_name="Bench Agent", email="cmdb.agent@northwind.example"
            )
            accounts.create_login(person=person, username=BENCH_AGENT, password=PASSWORD, role=Role.AGENT)
        customers = []
        for name, short in CUSTOMERS:
            org = Organisation.objects.filter(short_name=short).first()
            customers.append(org or accounts.create_organisation(name=name, short_name=short))
    return customers


def attributes_for(key: str, rng: random.Random, n: int) -> dict:
    if key == "server":
        return {
            "cpu_count": rng.choice([2, 4, 8, 16, 32]),
            "ram_gb": rng.choice([8, 16, 32, 64, 128, 256]),
            "ip_address": f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}",
            "virtual": rng.random() < 0.7,
        }
    if key == "switch":
        return {"ports": rng.choice([24, 48])}
    if key == "router":
        return {"firmware": f"17.{rng.randint(1, 9)}.{rng.randint(0, 9)}"}
    if key == "application":
        return {"url": f"https://app{n}.example"}
    if key == "location":
        return {"address": f"{n} High Street"}
    return {}


def generate_customer(org, classes, kinds, rng: random.Random) -> tuple[int, int]:
    from django.db import transaction

    from opsdesk.cmdb.models import CI, Relationship

    statuses = ["installed"] * 90 + ["in_maintenance"] * 4 + ["in_stock"] * 3 + ["retired"] * 3
    environments = ["production"] * 70 + ["test"] * 20 + ["development"] * 10
    with transaction.atomic():
        made: dict[str, list[int]] = {}
        for key, count in SHAPE:
            rows = [
                CI(
                    name=f"{org.short_name}-{key}-{n:05d}",
                    ci_class=classes[key],
                    organisation=org,
                    status=rng.choice(statuses),
                    environment=rng.choice(environments),
                    criticality=rng.choice(["low", "medium", "medium", "high", "critical"]),
                    external_id=f"{org.short_name.upper()}-{key.upper()}-{n:05d}",
                    serial_number=f"SN{rng.randrange(10**9):09d}" if key in ("server", "switch") else "",
                    attributes=attributes_for(key, rng, n),
                )
                for n in range(1, count + 1)
            ]
            made[key] = [ci.pk for ci in CI.objects.bulk_create(rows, batch_size=2000)]
        edges: set[tuple[int, int, int]] = set()
        out: list[Relationship] = []

        def link(source, kind, target, group=""):
            key = (source, kinds[kind].pk, target)
            if source == target or key in edges or (target, kinds[kind].pk, source) in edges:
                return
            edges.add(key)
            out.append(
                Relationship(source_id=source, type=kinds[kind], target_id=target, redundancy_group=group)
            )

        loc, routers, switches = made["location"], made["router"], made["switch"]
        servers, apps, svcs, desks = made["server"], made["application"], made["service"], made["desktop-pc"]
        for i, sw in enumerate(switches):
            link(sw, "connected-to", routers[i % len(routers)], "core")
            link(sw, "connected-to", routers[(i + 1) % len(routers)], "core")
            link(sw, "located-in", rng.choice(loc))
        for r in routers:
            link(r, "located-in", rng.choice(loc))
        for srv in servers:
            a, b = rng.sample(switches, 2)
            link(srv, "connected-to", a, "uplink")
            link(srv, "connected-to", b, "uplink")
            link(srv, "located-in", rng.choice(loc))
        for i, app in enumerate(apps):
            link(app, "runs-on", rng.choice(servers), "cluster")
            if rng.random() < 0.2:
                link(app, "runs-on", rng.choice(servers), "cluster")
            for _ in range(2):
                if i > 10:
                    link(app, "depends-on", apps[rng.randrange(i)])  # older apps only: no cycles by design
        for svc in svcs:
            for app in rng.sample(apps, 3):
                link(svc, "runs-on", app)
        for d in desks:
            link(d, "connected-to", rng.choice(switches))
            link(d, "located-in", rng.choice(loc))
            link(d, "depends-on", rng.choice(apps))
        while len(out) < RELATIONSHIPS_PER_CUSTOMER:
            a, b = rng.sample(range(len(apps)), 2)
            link(apps[max(a, b)], "depends-on", apps[min(a, b)])
        del out[RELATIONSHIPS_PER_CUSTOMER:]
        Relationship.objects.bulk_create(out, batch_size=5000)
    return sum(len(v) for v in made.values()), len(out)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_database_arguments(parser)
    parser.add_argument("--seed", type=int, default=4)
    args = parser.parse_args(argv)
    setup(args)
    from django.core.management import call_command

    from opsdesk.cmdb.models import CI, CIClass, RelationshipType

    print(f"database: {describe_database()}", flush=True)
    call_command("migrate", verbosity=0, interactive=False)
    customers = reference()
    classes = {c.key: c for c in CIClass.objects.all()}
    kinds = {k.key: k for k in RelationshipType.objects.all()}
    rng = random.Random(args.seed)
    for org in customers:
        if CI.objects.filter(organisation=org).exists():
            print(f"{org.name}: already filled, skipped", flush=True)
            continue
        started = time.perf_counter()
        cis, rels = generate_customer(org, classes, kinds, rng)
        print(
            f"{org.name}: {cis} CIs, {rels} relationships in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
    started = time.perf_counter()
    analyze()
    print(f"ANALYZE in {time.perf_counter() - started:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
