"""Serving stored files safely: always as a download, never rendered by the browser as a page."""

from __future__ import annotations

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404

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
