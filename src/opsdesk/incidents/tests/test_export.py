"""The queue's CSV download: what the queue shows (filters, sort, tenancy), streamed chunk by chunk, safe to
open in a spreadsheet."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from opsdesk.incidents.filters import SORTABLE
from opsdesk.incidents.models import Incident
from opsdesk.incidents.views import export


def body(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8")


def rows(response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.content.decode()[:300]
    text = body(response)
    assert text.startswith("\ufeff")  # the byte order mark spreadsheets need to read UTF-8
    return list(csv.DictReader(io.StringIO(text[1:], newline="")))


def numbers(response) -> list[str]:
    return [row["Number"] for row in rows(response)]


@pytest.fixture
def incidents(world):
    made = {
        "printer": world.incident(title="Printer jams on tray 2"),
        "vpn": world.incident(org=world.globex, title="VPN drops", channel="email"),
        "outlook": world.incident(title="Outlook cannot connect", workgroup=world.service_desk),
        "switch": world.incident(
            title="Switch port flapping", workgroup=world.network, impact="high", urgency="critical"
        ),
    }
    made["laptop"] = world.act(
        world.incident(title="Laptop will not boot", workgroup=world.service_desk), "accept"
    )
    return {k: Incident.objects.get(pk=v.pk) for k, v in made.items()}


def test_queue_page_links_to_the_download_with_its_filters_and_sort(world, login, incidents):
    html = login(world.agent).get("/incidents/?status=new&sort=title").content.decode()
    assert 'href="/incidents/export.csv?sort=title&amp;status=new"' in html
    assert "Download CSV" in html


def test_download_is_an_attachment_with_the_columns(world, login, incidents):
    response = login(world.agent).get("/incidents/export.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="incidents-')
    assert response["Content-Disposition"].endswith('.csv"')
    listed = rows(response)
    assert list(listed[0]) == list(export.HEADER)
    assert "Description" not in listed[0]
    laptop = next(r for r in listed if r["Number"] == incidents["laptop"].number)
    assert laptop["Title"] == "Laptop will not boot"
    assert laptop["Organisation"] == "Acme Ltd" and laptop["Requester"] == "Alice Acme"
    assert laptop["Status"] == "Accepted" and laptop["Workgroup"] == "Service Desk"
    assert laptop["Owner"] == "Sam Desk" and laptop["Channel"] == "Phone"
    assert laptop["Opened"][:4].isdigit() and laptop["Accepted"] and laptop["Closed"] == ""
    assert laptop["Reopen count"] == "0"
    switch = next(r for r in listed if r["Number"] == incidents["switch"].number)
    assert switch["Priority"] == "1"


@pytest.mark.parametrize(
    "query,expected",
    [
        ("status=new", {"printer", "vpn"}),
        ("status=accepted", {"laptop"}),
        ("q=printer", {"printer"}),
        ("channel=email", {"vpn"}),
        ("workgroup=mine&status=assigned", {"outlook"}),
        ("owner=me", {"laptop"}),
    ],
)
def test_download_honours_the_filters(world, login, incidents, query, expected):
    response = login(world.agent).get(f"/incidents/export.csv?{query}")
    assert set(numbers(response)) == {incidents[k].number for k in expected}


def test_download_honours_the_organisation_filter(world, login, incidents):
    response = login(world.agent).get(f"/incidents/export.csv?organisation={world.globex.pk}")
    assert numbers(response) == [incidents["vpn"].number]


def test_download_keeps_the_queue_order(world, login, incidents):
    client = login(world.agent)
    by_title = sorted(incidents.values(), key=lambda i: i.title)
    assert numbers(client.get("/incidents/export.csv?sort=title")) == [i.number for i in by_title]
    newest_first = sorted(incidents.values(), key=lambda i: -i.pk)
    assert numbers(client.get("/incidents/export.csv")) == [i.number for i in newest_first]


def test_agent_limited_to_acme_never_gets_globex_rows(world, login, incidents):
    client = login(world.acme_only_agent)
    listed = rows(client.get("/incidents/export.csv"))
    assert listed and {r["Organisation"] for r in listed} == {"Acme Ltd"}
    # Asking for Globex by name of filter gives an empty file, not Globex's incidents.
    assert numbers(client.get(f"/incidents/export.csv?organisation={world.globex.pk}")) == []


def test_customers_and_visitors_get_no_download(world, login, client, incidents):
    for user in (world.acme_user, world.acme_manager, world.globex_user):
        assert login(user).get("/incidents/export.csv").status_code == 404
    response = client.get("/incidents/export.csv")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.parametrize(
    "query,message",
    [
        ("status=bogus", "status: Unknown status 'bogus'."),
        ("priority=9", "priority: Priority must be 0-4, not '9'."),
        ("sort=colour", "sort: Sort by one of"),
    ],
)
def test_bad_filters_get_the_queue_message(world, login, incidents, query, message):
    response = login(world.agent).get(f"/incidents/export.csv?{query}")
    assert response.status_code == 400
    assert message in response.content.decode()


def test_formula_cells_are_escaped(world, login):
    world.incident(title='=HYPERLINK("http://evil.example","click")')
    world.incident(title="+1+2")
    world.incident(title="-2+3")
    world.incident(title="@SUM(A1)")
    world.incident(title="Plain – ünïcode title")
    titles = {r["Title"] for r in rows(login(world.agent).get("/incidents/export.csv"))}
    assert titles == {
        '\'=HYPERLINK("http://evil.example","click")',
        "'+1+2",
        "'-2+3",
        "'@SUM(A1)",
        "Plain – ünïcode title",
    }


def _export_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/incidents/export.csv")
        rows(response)
    return len(ctx.captured_queries)


@pytest.mark.parametrize("user", ["agent", "acme_only_agent"])
def test_one_query_per_chunk_however_many_rows(world, login, monkeypatch, user):
    monkeypatch.setattr(export, "CHUNK_SIZE", 3)
    client = login(getattr(world, user))
    for i in range(3):
        world.act(world.incident(title=f"Row {i}", workgroup=world.service_desk), "accept")
    one_chunk = _export_queries(client)
    for i in range(6):
        world.act(world.incident(title=f"More {i}", workgroup=world.service_desk), "accept")
    three_chunks = _export_queries(client)
    assert three_chunks == one_chunk + 2


@pytest.mark.parametrize("key", sorted(SORTABLE))
@pytest.mark.parametrize("direction", ["", "-"])
def test_every_sort_reads_the_same_across_chunks(world, login, monkeypatch, incidents, key, direction):
    monkeypatch.setattr(export, "CHUNK_SIZE", 2)
    client = login(world.agent)
    queue = client.get(f"/incidents/?sort={direction}{key}&limit=200").content.decode()
    shown = re.findall(r'<td class="text-nowrap"><a href="/incidents/(INC-\d{6})/">', queue)
    assert numbers(client.get(f"/incidents/export.csv?sort={direction}{key}")) == shown
