#!/usr/bin/env python
"""Measure the CMDB on a database filled by ``cmdb_generate.py``: impact analysis of random CIs, the
first page of the CI list API with filters, and 10,000-row CSV imports of CIs and of relationships.
In-process (no web server): the API is called through Django's test client with a bearer token, so
routing, authentication, tenancy and serialisation are all measured; the impact analysis is
``graph.impact_report`` as the CI page and ``/impact`` run it; the imports are ``services.import_cis``
and ``services.import_relationships`` as the page and the command run them.

    python bench/cmdb_measure.py --database-url postgres://postgres@127.0.0.1:5432/opsdesk_cmdb_bench
    python bench/cmdb_measure.py --data-dir /work/bench-data/cmdb

Prints a JSON summary (and writes it to bench/out/cmdb-<vendor>.json). The import adds 10,000 servers
to the first customer on each run (new external ids), then imports the same file again (all unchanged);
then connects each of them to a switch from a relationship file (and imports that file again).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _django import OUT_DIR, add_database_arguments, analyze, describe_database, setup  # noqa: E402


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def figures(samples: list[float]) -> dict:
    return {
        "n": len(samples),
        "p50_ms": round(percentile(samples, 50), 1),
        "p95_ms": round(percentile(samples, 95), 1),
        "mean_ms": round(statistics.fmean(samples), 1),
    }


def timed(fn, *args, **kwargs):
    """(milliseconds, result) of one call."""
    started = time.perf_counter()
    value = fn(*args, **kwargs)
    return (time.perf_counter() - started) * 1000, value


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_database_arguments(parser)
    parser.add_argument("--impact-samples", type=int, default=200)
    parser.add_argument("--list-samples", type=int, default=40, help="requests per filter")
    parser.add_argument("--import-rows", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    setup(args)

    from cmdb_generate import BENCH_AGENT, CUSTOMERS
    from django.db import connection
    from django.test import Client

    from opsdesk.accounts import services as accounts
    from opsdesk.accounts.models import Organisation, User
    from opsdesk.cmdb import services
    from opsdesk.cmdb.graph import impact_report
    from opsdesk.cmdb.models import CI, CIClass, Relationship
    from opsdesk.core.context import acting_as

    rng = random.Random(args.seed)
    agent = User.objects.get(username=BENCH_AGENT)
    analyze()  # the previous run's imports, or a database generated before the generator did it
    result = {
        "database": describe_database(),
        "cis": CI.objects.count(),
        "relationships": Relationship.objects.count(),
    }
    print(json.dumps(result), flush=True)

    # Impact analysis: both directions, as the CI page shows it, for random CIs.
    max_pk = CI.objects.order_by("-pk").values_list("pk", flat=True).first()
    samples, reached, limited = [], [], 0
    with acting_as(agent, "web"):
        while len(samples) < args.impact_samples:
            ci = (
                CI.objects.select_related("ci_class", "organisation")
                .filter(pk=rng.randint(1, max_pk))
                .first()
            )
            if ci is None:
                continue
            ms, report = timed(impact_report, ci, agent)
            samples.append(ms)
            reached.append(len(report["downstream"].cis) + len(report["upstream"].cis))
            limited += report["downstream"].size_limited or report["upstream"].size_limited
    result["impact"] = {
        **figures(samples),
        "median_cis_reached": statistics.median(reached),
        "size_capped": limited,
    }
    print(json.dumps({"impact": result["impact"]}), flush=True)

    # The CI list API, first page, with filters.
    with acting_as(None, "system"):
        _token, raw = accounts.create_token(agent, "cmdb bench")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    acme = Organisation.objects.get(short_name=CUSTOMERS[0][1])
    filters = {
        "none": "",
        "class=server": "class=server",
        "class=hardware&status=installed": "class=hardware&status=installed",
        "organisation": f"organisation={acme.pk}",
        "organisation&class=application&environment=test": (
            f"organisation={acme.pk}&class=application&environment=test"
        ),
        "attribute ram_gb=64": "class=server&attribute=ram_gb%3D64",
        "q=name part": "q=server-0123",
    }
    lists = {}
    for label, query in filters.items():
        url = f"/api/v1/cis?{query}"
        assert client.get(url).status_code == 200, url
        lists[label] = figures([timed(client.get, url)[0] for _ in range(args.list_samples)])
    result["list_api_first_page"] = lists
    print(json.dumps({"list_api_first_page": lists}), flush=True)

    # A 10,000-row CSV import of new servers into the first customer, then the same file again.
    run = int(time.time())
    lines = ["name,external_id,status,environment,cpu_count,ram_gb,ip_address,virtual"]
    for n in range(args.import_rows):
        lines.append(
            f"imp{run}-{n:05d},IMP-{run}-{n:05d},installed,production,{rng.choice([2, 4, 8])},"
            f"{rng.choice([16, 32, 64])},10.200.{n // 256 % 256}.{n % 256},true"
        )
    data = ("\n".join(lines) + "\n").encode()
    server = CIClass.objects.get(key="server")
    imports = {}
    for label in ("new rows", "same file again (unchanged)"):
        with acting_as(agent, "web"):
            ms, report = timed(services.import_cis, data, ci_class=server, organisation=acme, by=agent)
        imports[label] = {
            "rows": args.import_rows,
            "seconds": round(ms / 1000, 1),
            "rows_per_second": round(args.import_rows / (ms / 1000)),
            "summary": report.summary(),
        }
        print(json.dumps({label: imports[label]}), flush=True)
    result["import_10k"] = imports

    # A 10,000-row relationship file: each imported server connected to one of the customer's switches.
    switches = list(
        CI.objects.filter(organisation=acme, ci_class__key="switch")
        .order_by("pk")
        .values_list("external_id", flat=True)
    )
    lines = ["source,type,target,redundancy_group"]
    for n in range(args.import_rows):
        lines.append(f"IMP-{run}-{n:05d},connected-to,{switches[n % len(switches)]},uplink")
    data = ("\n".join(lines) + "\n").encode()
    relationships = {}
    for label in ("new rows", "same file again (unchanged)"):
        with acting_as(agent, "web"):
            ms, report = timed(services.import_relationships, data, organisation=acme, by=agent)
        relationships[label] = {
            "rows": args.import_rows,
            "seconds": round(ms / 1000, 1),
            "rows_per_second": round(args.import_rows / (ms / 1000)),
            "summary": report.summary(),
        }
        print(json.dumps({f"relationships, {label}": relationships[label]}), flush=True)
    result["relationship_import_10k"] = relationships
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    out = OUT_DIR / f"cmdb-{connection.vendor}.json"
    out.write_text(json.dumps(result, indent=2))
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
