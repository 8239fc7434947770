"""The API's shared plumbing: the OpenAPI document, the offline docs page, cursors, ETags, error shapes."""

import datetime as dt
import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client, RequestFactory
from django.utils import timezone

from opsdesk.core.api import (
    ApiError,
    expected_version,
    paginate,
)
from opsdesk.core.downloads import safe_content_type
from opsdesk.core.errors import StaleObject
from opsdesk.core.models import OutboxMessage

EXPECTED_ROUTES = {
    "/api/v1/incidents": {"get", "post"},
    "/api/v1/incidents/batch": {"post"},
    "/api/v1/incidents/{number}": {"get", "patch"},
    "/api/v1/incidents/{number}/comments": {"get", "post"},
    "/api/v1/incidents/{number}/history": {"get"},
    "/api/v1/incidents/{number}/sla": {"get"},
    "/api/v1/incidents/{number}/attachments": {"get", "post"},
    "/api/v1/incidents/{number}/attachments/{attachment_id}": {"get"},
    "/api/v1/organisations": {"get", "post"},
    "/api/v1/organisations/{organisation_id}": {"get", "patch", "delete"},
    "/api/v1/people": {"get", "post"},
    "/api/v1/people/{person_id}": {"get", "patch", "delete"},
    "/api/v1/workgroups": {"get", "post"},
    "/api/v1/workgroups/{workgroup_id}": {"get", "patch", "delete"},
    "/api/v1/services": {"get", "post"},
    "/api/v1/services/{service_id}": {"get", "patch"},
    "/api/v1/services/{service_id}/subscriptions": {"get", "post"},
    "/api/v1/services/{service_id}/subscriptions/{subscription_id}/sla": {"get", "put", "patch"},
    "/api/v1/slas": {"get", "post"},
    "/api/v1/slas/{sla_id}": {"get", "patch"},
    "/api/v1/calendars": {"get", "post"},
    "/api/v1/calendars/{calendar_id}": {"get", "patch"},
    "/api/v1/cis": {"get", "post"},
    "/api/v1/cis/export": {"get"},
    "/api/v1/cis/relationships/export": {"get"},
    "/api/v1/cis/{ci_id}": {"get", "patch", "delete"},
    "/api/v1/cis/{ci_id}/relationships": {"get", "post"},
    "/api/v1/cis/{ci_id}/relationships/{relationship_id}": {"get", "patch", "delete"},
    "/api/v1/cis/{ci_id}/impact": {"get"},
    "/api/v1/cis/{ci_id}/records": {"get"},
    "/api/v1/ci-classes": {"get", "post"},
    "/api/v1/ci-classes/{class_id}": {"get", "patch", "delete"},
    "/api/v1/ci-relationship-types": {"get", "post"},
    "/api/v1/ci-relationship-types/{type_id}": {"get", "patch"},
    "/api/v1/reports/sla": {"get"},
    "/api/v1/reports/sla/breaches": {"get"},
}


@pytest.mark.django_db
def test_openapi_document_lists_the_routes():
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    assert doc["openapi"].startswith("3.")
    routes = {path: set(ops) for path, ops in doc["paths"].items()}
    assert routes == EXPECTED_ROUTES
    schemes = doc["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())
    patch = doc["paths"]["/api/v1/incidents/{number}"]["patch"]
    assert {"409", "412", "422"} <= set(patch["responses"])
    impact = doc["components"]["schemas"]["Impact"]
    assert impact["enum"] == ["severe", "high", "medium", "low", "none"]


@pytest.mark.django_db
def test_docs_page_needs_no_external_host():
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    references = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert references, html
    for url in references:
        assert not re.match(r"^(https?:)?//", url), f"external reference {url}"
        assert url.startswith("/static/"), url
        assert finders.find(url.removeprefix("/static/")), f"{url} is not a served static file"
    assert "cdn" not in html.lower()
    assert '"validatorUrl": null' in html  # no badge fetched from swagger.io
    assert '"url": "/api/v1/openapi.json"' in html


# --- cursors -------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("cursor", ["", "!!!", "e30", "eyJvIjpbXSwiayI6W119", "bm90IGpzb24"])
def test_a_forged_cursor_is_422_on_the_cursor(cursor):
    request = RequestFactory().get("/api/v1/x")
    with pytest.raises(ApiError) as caught:
        paginate(request, OutboxMessage.objects.all(), ["subject", "id"], limit=5, cursor=cursor or "x")
    assert caught.value.status_code == 422 and "cursor" in caught.value.errors


@pytest.mark.django_db
@pytest.mark.parametrize("order", [["sent_at", "id"], ["-sent_at", "-id"], ["subject", "-id"], ["-id"]])
def test_keyset_pages_cover_nullable_columns_exactly_once(order):
    base = timezone.now()
    for i in range(11):
        OutboxMessage.objects.create(
            recipients=["a@example.org"],
            subject=f"S{i % 3}",
            body="",
            next_attempt_at=base,
            sent_at=None if i % 3 == 0 else base + dt.timedelta(minutes=i % 4),
        )
    request = RequestFactory().get("/api/v1/x")
    everything = [m.pk for m in paginate(request, OutboxMessage.objects.all(), order, limit=100)["results"]]
    assert len(everything) == 11
    for limit in (1, 2, 5):
        walked, cursor = [], None
        while True:
            page = paginate(request, OutboxMessage.objects.all(), order, limit=limit, cursor=cursor)
            walked += [m.pk for m in page["results"]]
            if not page["next"]:
                break
            cursor = re.search(r"cursor=([^&]+)", page["next"]).group(1)
        assert walked == everything, (order, limit)
    # NULL is the smallest value, as on the pages: first ascending, last descending, on every database
    if order[0] == "sent_at":
        assert all(m.sent_at is None for m in OutboxMessage.objects.filter(pk__in=everything[:4]))
    if order[0] == "-sent_at":
        assert all(m.sent_at is None for m in OutboxMessage.objects.filter(pk__in=everything[-4:]))


# --- ETags and downloads ------------------------------------------------------------------------------


class _Obj:
    pk = 7
    version = 3


@pytest.mark.parametrize(
    "header,expected",
    [(None, None), ("*", None), ('"7-3"', 3), ('W/"7-2"', 2), ('"9-3", "7-1"', 1), ('"7-1", "7-3"', 3)],
)
def test_if_match_gives_the_version_the_client_saw(header, expected):
    headers = {"HTTP_IF_MATCH": header} if header else {}
    assert expected_version(RequestFactory().patch("/", **headers), _Obj()) == expected


@pytest.mark.parametrize("header", ['"8-3"', "7-3", "garbage", '"7-x"'])
def test_an_if_match_for_something_else_is_stale(header):
    with pytest.raises(StaleObject):
        expected_version(RequestFactory().patch("/", HTTP_IF_MATCH=header), _Obj())


@pytest.mark.parametrize(
    "stored,served",
    [
        ("application/pdf", "application/pdf"),
        ("image/png", "image/png"),
        ("text/plain", "text/plain"),
        ("text/html", "application/octet-stream"),
        ("image/svg+xml", "application/octet-stream"),
        ("application/xhtml+xml", "application/octet-stream"),
        ("text/javascript", "application/octet-stream"),
        ("TEXT/HTML; charset=utf-8", "application/octet-stream"),
        ("", "application/octet-stream"),
    ],
)
def test_downloads_never_serve_active_content_types(stored, served):
    assert safe_content_type(stored) == served
