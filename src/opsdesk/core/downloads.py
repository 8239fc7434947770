"""Serving stored files safely: always as a download, never rendered by the browser as a page; and CSV
downloads that a spreadsheet opens as data, never as formulas."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, StreamingHttpResponse

# Types a browser may be told; anything else (HTML, SVG, XML, scripts, ...) is sent as opaque bytes.
SAFE_TYPES = frozenset(
    {
        "application/pdf",
        "image/png",
        "image/jpeg",
        "image/gif",
        "text/plain",
        "text/csv",
        "application/zip",
        "message/rfc822",
        "application/vnd.ms-outlook",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
    }
)


def safe_content_type(content_type: str) -> str:
    """The stored type if it is known to be passive, else ``application/octet-stream`` (never HTML/SVG)."""
    base = (content_type or "").split(";")[0].strip().lower()
    return base if base in SAFE_TYPES else "application/octet-stream"


def file_download(stored: FieldFile, filename: str, content_type: str) -> FileResponse:
    """A download response for a stored file; Http404 when the file is gone from storage."""
    try:
        handle = stored.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404("The file is missing.")
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=safe_content_type(content_type)
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


# --- CSV ---------------------------------------------------------------------------------------------------

# A cell starting with one of these is run as a formula by spreadsheets ("CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(value: str) -> str:
    """Text a spreadsheet shows as typed: a leading formula character gets an apostrophe before it."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def csv_lines(header: Sequence[str], rows: Iterable[Iterable[Sequence[Any]]]) -> Iterator[str]:
    """CSV text, a chunk of rows at a time: a UTF-8 byte order mark (so spreadsheets read the accents
    right), the header, then each chunk of ``rows``. Text cells pass through :func:`spreadsheet_text`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    yield "\ufeff" + buffer.getvalue()
    for chunk in rows:
        buffer.seek(0)
        buffer.truncate()
        for row in chunk:
            writer.writerow([spreadsheet_text(v) if isinstance(v, str) else v for v in row])
        yield buffer.getvalue()


def csv_download(
    header: Sequence[str], rows: Iterable[Iterable[Sequence[Any]]], filename: str
) -> StreamingHttpResponse:
    """A streamed CSV attachment of ``rows`` (an iterable of chunks of rows), read as it is sent.
    Anything in ``filename`` but ASCII letters, digits, dots, dashes and underscores becomes a dash."""
    filename = re.sub(r"[^A-Za-z0-9._-]", "-", filename) or "export.csv"
    response = StreamingHttpResponse(csv_lines(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
