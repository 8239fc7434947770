"""The SLA compliance report as CSV: one line per report row, then a total line."""

from __future__ import annotations

import csv
import io

from opsdesk.core.downloads import spreadsheet_text
from opsdesk.reports.compliance import CLOCKS, Report, Row

FIGURES = ("met", "breached", "open", "met_percent", "mean_seconds", "p90_seconds")
HEADER = [
    "month",
    "organisation_id",
    "organisation",
    "service_id",
    "service",
    "priority",
    "incidents",
    "breaches",
    *(f"{clock}_{figure}" for clock in CLOCKS for figure in FIGURES),
]


def _line(row: Row, month: str) -> list:
    line = [
        month,
        row.organisation_id if row.organisation_id is not None else "",
        spreadsheet_text(row.organisation),
        row.service_id if row.service_id is not None else "",
        spreadsheet_text(row.service),
        "" if row.priority is None else row.priority,
        row.incidents,
        row.breaches,
    ]
    for clock in CLOCKS:
        figures = getattr(row, clock).as_dict()
        line += ["" if figures[f] is None else figures[f] for f in FIGURES]
    return line


def render(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for row in report.rows:
        writer.writerow(_line(row, row.month.strftime("%Y-%m") if row.month else ""))
    writer.writerow(_line(report.total, "total"))
    return out.getvalue()
