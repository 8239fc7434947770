"""CSV and JSON in and out of the CMDB: reading an import file into numbered rows, writing rejects, and
exporting a list of CIs or their relationships (in the relationship import's columns, so an export reads
back unchanged). Nothing here writes to the database; ``services.import_cis`` and
``services.import_relationships`` apply the rows.

Columns (CSV headers, or JSON keys) are the CI's common fields plus the attribute names of its class::

    name, external_id, status, environment, criticality, vendor, model, serial_number, asset_tag,
    version, notes, <attribute>...

``id``, ``class`` and ``organisation`` (as written by the export) are accepted and ignored: the class and
organisation of an import are chosen once for the whole file. Relationship files have the columns
``source``, ``type``, ``target``, ``redundancy_group`` and ``notes``.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

# Column -> CI field (``version`` is the software version; the model's ``version`` is its lock counter).
COMMON_COLUMNS = {
    "name": "name",
    "external_id": "external_id",
    "status": "status",
    "environment": "environment",
    "criticality": "criticality",
    "vendor": "vendor",
    "model": "model",
    "serial_number": "serial_number",
    "asset_tag": "asset_tag",
    "version": "software_version",
    "notes": "notes",
}
FIELD_COLUMNS = {v: k for k, v in COMMON_COLUMNS.items()}
IGNORED_COLUMNS = frozenset({"id", "class", "organisation", "location"})
RELATIONSHIP_COLUMNS = ("source", "type", "target", "redundancy_group", "notes")
EXPORT_COLUMNS = ("id", "name", "class", "organisation", *list(COMMON_COLUMNS)[1:], "location")
FORMATS = ("csv", "json")


class FileProblem(ValueError):
    """The file as a whole cannot be read (not CSV/JSON, no header, not a list of objects)."""


@dataclass
class Row:
    line: int  # CSV: the line the record starts on (the header is line 1); JSON: position in the list
    values: dict[str, Any]


@dataclass
class Reject:
    line: int
    column: str
    reason: str
    values: dict[str, Any] = field(default_factory=dict)


@dataclass
class ImportReport:
    kind: str = "cis"  # or "relationships"
    file_format: str = "csv"
    columns: list[str] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejects: list[Reject] = field(default_factory=list)
    dry_run: bool = False
    partial: bool = False
    applied: bool = False  # whether the database was changed

    @property
    def rejected(self) -> int:
        """Rejected rows (a row with several problems counts once)."""
        return len({r.line for r in self.rejects})

    def summary(self) -> str:
        counts = (
            f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.rejected} rejected"
        )
        if self.dry_run:
            return f"Would import: {counts}."
        if self.rejects and not self.partial:
            return f"Imported nothing: the file has rejected rows ({counts})."
        return f"Imported: {counts}."


def guess_format(filename: str, declared: str | None = None) -> str:
    if declared in FORMATS:
        return declared
    return "json" if filename.lower().endswith(".json") else "csv"


def _text(data: bytes | str) -> str:
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileProblem("The file is not UTF-8 text.") from exc


def read_rows(data: bytes | str, file_format: str) -> tuple[list[str], list[Row]]:
    """The header (column names) and the numbered rows of an import file."""
    text = _text(data)
    if file_format == "json":
        return _read_json(text)
    return _read_csv(text)


def _read_csv(text: str) -> tuple[list[str], list[Row]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise FileProblem("The file is empty: the first line must name the columns.") from None
    except csv.Error as exc:
        raise FileProblem(f"Line 1: {exc}") from None
    header = [h.strip() for h in header]
    if not any(header):
        raise FileProblem("The first line must name the columns.")
    rows: list[Row] = []
    start = reader.line_num + 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise FileProblem(f"Line {start}: {exc}") from None
        if any(c.strip() for c in cells):
            values = {name: (cells[i] if i < len(cells) else None) for i, name in enumerate(header)}
            if len(cells) > len(header):
                values["\0extra"] = cells[len(header) :]
            rows.append(Row(start, values))
        start = reader.line_num + 1
    return header, rows


def _read_json(text: str) -> tuple[list[str], list[Row]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FileProblem(f"Not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno}).") from None
    if isinstance(data, dict) and isinstance(data.get("items"), list):
        data = data["items"]
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise FileProblem("Give a JSON list of objects (one per row).")
    header: list[str] = []
    rows: list[Row] = []
    for position, item in enumerate(data, start=1):
        flat = dict(item)
        nested = flat.pop("attributes", None)
        if isinstance(nested, dict):
            flat.update(nested)
        for key in flat:
            if key not in header:
                header.append(key)
        rows.append(Row(position, flat))
    return header, rows


def write_rejects(report: ImportReport) -> tuple[str, str]:
    """The rejected rows as a file in the import's format: (content, content type). Each row keeps its
    original values, with the line, column and reason added, so it can be fixed and imported again."""
    if report.file_format == "json":
        items = [{"line": r.line, "column": r.column, "reason": r.reason, **r.values} for r in report.rejects]
        return json.dumps(items, indent=2, default=str) + "\n", "application/json"
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["line", "column", "reason", *report.columns])
    for r in report.rejects:
        writer.writerow([r.line, r.column, r.reason, *(_cell(r.values.get(c)) for c in report.columns)])
    return out.getvalue(), "text/csv"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# --- export ---------------------------------------------------------------------------------------------


def export_row(ci, attribute_names: list[str]) -> dict[str, Any]:
    """One CI as a flat record: common fields, then the attributes (JSON types kept)."""
    values = (ci.attributes or {}) if ci.attributes else {}
    row = {
        "id": ci.pk,
        "name": ci.name,
        "class": ci.ci_class.key,
        "organisation": ci.organisation.name,
        **{column: getattr(ci, name) for column, name in COMMON_COLUMNS.items() if column != "name"},
        "location": ci.location.name if ci.location_id else "",
    }
    for name in attribute_names:
        row[name] = values.get(name)
    return row


def records_csv(columns: list[str], records: Iterable[dict[str, Any]]) -> Iterator[str]:
    """CSV lines of flat records (header first), produced as ``records`` are read. No formula guard:
    these files are meant to be imported back unchanged."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(columns)
    yield flush()
    for record in records:
        writer.writerow([_cell(record[c]) for c in columns])
        yield flush()


def records_json(records: Iterable[dict[str, Any]]) -> Iterator[str]:
    """A JSON list of flat records, produced as they are read."""
    yield "["
    for position, record in enumerate(records):
        yield ("," if position else "") + "\n" + json.dumps(record, default=str)
    yield "\n]\n"


def export_records(columns: list[str], records: Iterable[dict[str, Any]], file_format: str) -> Iterator[str]:
    return records_json(records) if file_format == "json" else records_csv(columns, records)


def _download(content: Iterator[str], file_format: str, filename: str, *, stream: bool):
    """The attachment response: streamed as the rows are read, or (``stream=False``, for API clients that
    want a plain body) built whole first."""
    from django.http import HttpResponse, StreamingHttpResponse

    content_type = "application/json" if file_format == "json" else "text/csv; charset=utf-8"
    if stream:
        response = StreamingHttpResponse(content, content_type=content_type)
    else:
        response = HttpResponse("".join(content), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{file_format}"'
    return response


def ci_reference(ci) -> str:
    """How a relationship file names a CI: its external id if it has one, else its name (what the
    relationship import looks up, in that order)."""
    return ci.external_id or ci.name


def relationship_row(rel) -> dict[str, Any]:
    """One relationship in the import's columns: ``source, type, target, redundancy_group, notes``."""
    return {
        "source": ci_reference(rel.source),
        "type": rel.type.key,
        "target": ci_reference(rel.target),
        "redundancy_group": rel.redundancy_group,
        "notes": rel.notes,
    }


def relationships_export_response(qs, file_format: str, *, stream: bool = True):
    """A download of the relationships ``qs`` (already restricted) in the relationship import's format,
    so ``opsdesk cmdb import --relationships`` reads it back unchanged."""
    rows = qs.select_related("source", "target", "type").order_by("id").iterator(2000)
    content = export_records(RELATIONSHIP_COLUMNS, map(relationship_row, rows), file_format)
    return _download(content, file_format, "relationships", stream=stream)


def attribute_columns(tree, class_ids) -> list[str]:
    """The attribute names of the given classes (and their ancestors), in class-tree order, each once."""
    names: list[str] = []
    for class_id in sorted(class_ids, key=lambda pk: [c.name for c in tree.lineage(pk)]):
        for definition in tree.definitions(class_id):
            if definition["name"] not in names:
                names.append(definition["name"])
    return names


def export_response(
    qs, tree, file_format: str, *, stream: bool = True, filename: str = "configuration-items"
):
    """A download of ``qs`` (already restricted and filtered) as CSV or JSON: the common fields, then the
    attributes of the classes in the result."""
    class_ids = set(qs.order_by().values_list("ci_class_id", flat=True).distinct())
    names = attribute_columns(tree, class_ids)
    rows = qs.select_related("ci_class", "organisation", "location").order_by("name", "id").iterator(2000)
    records = (export_row(ci, names) for ci in rows)
    return _download(
        export_records([*EXPORT_COLUMNS, *names], records, file_format), file_format, filename, stream=stream
    )
