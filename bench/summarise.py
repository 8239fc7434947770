"""Markdown tables from the JSON figures of ``bench/load.py`` (for bench/README.md and closing notes).

.venv/bin/python bench/summarise.py bench/out/load-postgresql-<time>.json [more.json ...]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def _cpu(row: dict) -> str:
    web, db = row.get("web_cpu_ms_per_req"), row.get("db_cpu_ms_per_req")
    return f"{web} + {db}" if db is not None else f"{web}"


def _lists(result: dict) -> list[str]:
    by_case: dict[str, dict] = {}
    for part in ("api_list", "html_list"):
        for row in result.get(part, []):
            name = row["case"].split("  ")[-1].strip() if "  " in row["case"] else row["case"]
            by_case.setdefault(name, {})[(part, row["concurrency"])] = row
    levels = sorted({level for case in by_case.values() for _part, level in case})
    head = ["first page, one filter"]
    for label in ("API", "queue"):
        head += [f"{label} p95 c={level}" for level in levels] + [f"{label} cpu"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name, rows in by_case.items():
        cells = [name]
        for part in ("api_list", "html_list"):
            for level in levels:
                row = rows.get((part, level))
                cells.append(f"{row['p95_ms']:.0f}" if row else "–")
            first = rows.get((part, levels[0]))
            cells.append(_cpu(first) if first else "–")
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def summarise(path: Path) -> str:
    result = json.loads(path.read_text())
    out = [
        f"### {result['database_version']}, {result['server']['workers']} web worker(s) "
        f"(`{path.name}`, load average {result['loadavg_start'][0]} → {result['loadavg_end'][0]})",
        "",
        "p95 in ms; cpu = server (+ database) CPU per request in ms.",
        "",
        *_lists(result),
        "",
    ]
    create = result.get("create")
    if create:
        out.append(
            f"- single creates, concurrency {create['concurrency']}: **{create['per_s']}/s** "
            f"(p95 {create['p95_ms']} ms; cpu {_cpu(create)} ms per create)"
        )
        batch = create.get("batch")
        if batch:
            out.append(
                f"- {batch['case']}: **{batch['incidents_per_s']} incidents/s** "
                f"(p95 {batch['p95_ms']} ms per request; cpu {_cpu(batch)} ms per request)"
            )
    rss = ", ".join(f"{p['role']} {p['max_rss_mb']} MB" for p in result.get("rss", []))
    out.append(f"- resident memory, maximum: {rss}")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    for name in sys.argv[1:]:
        print(summarise(Path(name)))
