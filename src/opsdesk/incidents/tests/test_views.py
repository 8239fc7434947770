"""The agents' dashboard and incident queue: filters, search, sorting, cursor pagination, saved views."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import parse_qs, urlparse

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from opsdesk.incidents.choices import Status
from opsdesk.incidents.filters import SORTABLE
from opsdesk.incidents.models import Incident, SavedView

ROW = re.compile(r'<td class="text-nowrap"><a href="/incidents/(INC-\d{6})/">')


def numbers(response) -> list[str]:
    """Incident numbers in the queue table, in the order shown."""
    html = response.content.decode()
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    return ROW.findall(body)


def next_link(response) -> str | None:
    match = re.search(r'href="([^"]+)" rel="next"', response.content.decode())
    return match.group(1).replace("&amp;", "&") if match else None


def prev_link(response) -> str | None:
    match = re.search(r'href="([^"]+)" rel="prev"', response.content.decode())
    return match.group(1).replace("&amp;", "&") if match else None


def walk(client, url: str) -> tuple[list[list[str]], list]:
    """Follow Next links from ``url``; return the pages and the responses."""
    pages, responses = [], []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content.decode()[:500]
        pages.append(numbers(response))
        responses.append(response)
        link = next_link(response)
        url = f"/incidents/{link}" if link and link.startswith("?") else link
    return pages, responses


@pytest.fixture
def queue(world):
    """A mixed queue: statuses, priorities, workgroups, owners, channels, organisations, open dates."""
    base = timezone.now() - dt.timedelta(days=30)
    made = {}
    made["new_acme"] = world.incident(title="Printer jams on tray 2", impact="low", urgency="normal")
    made["new_globex"] = world.incident(org=world.globex, title="VPN drops", channel="email")
    made["assigned_sd"] = world.incident(title="Outlook cannot connect", workgroup=world.service_desk)
    made["assigned_net"] = world.incident(
        title="Switch port flapping", workgroup=world.network, impact="high", urgency="critical"
    )
    accepted = world.incident(title="Laptop will not boot", workgroup=world.service_desk)
    made["accepted_mine"] = world.act(accepted, "accept")
    pending = world.act(world.incident(title="Mailbox full", workgroup=world.service_desk), "accept")
    made["pending_mine"] = world.act(pending, "pend", reason="customer")
    done = world.act(
        world.incident(title="Wi-Fi slow", workgroup=world.network), "accept", by=world.net_agent
    )
    made["completed_net"] = world.act(
        done, "complete", by=world.net_agent, resolution_code="fixed", resolution_notes="New access point"
    )
    for i, inc in enumerate(made.values()):
        Incident.objects.filter(pk=inc.pk).update(opened_at=base + dt.timedelta(days=i))
    return {k: Incident.objects.get(pk=v.pk) for k, v in made.items()}


# --- dashboard ----------------------------------------------------------------------------------------------


def test_dashboard_shows_my_work_and_counts(world, login, queue):
    response = login(world.agent).get("/")
    assert response.status_code == 200
    html = response.content.decode()
    mine = html[html.index("My open incidents") : html.index("My workgroups' queue")]
    assert queue["accepted_mine"].number in mine and queue["pending_mine"].number in mine
    assert queue["assigned_net"].number not in mine
    wg_queue = html[html.index("My workgroups' queue") : html.index("Oldest unaccepted")]
    assert queue["assigned_sd"].number in wg_queue
    assert queue["assigned_net"].number not in wg_queue  # Sam is not in Network
    oldest = html[html.index("Oldest unaccepted") :]
    assert oldest.index(queue["new_acme"].number) < oldest.index(queue["assigned_net"].number)
    assert 'id="count-status-new">2<' in html and 'id="count-status-pending">1<' in html
    assert 'id="count-priority-1">1<' in html  # high x critical


def test_customers_are_sent_from_the_dashboard_to_the_portal(world, login):
    for user in (world.acme_user, world.acme_manager, world.globex_user):
        response = login(user).get("/")
        assert response.status_code == 302 and response["Location"] == "/portal/"


def test_anonymous_visitors_must_log_in(client):
    for url in ("/", "/incidents/", "/incidents/1/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")


# --- filters and search -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query,expected",
    [
        ("status=new", {"new_acme", "new_globex"}),
        (
            "status=open",
            {"new_acme", "new_globex", "assigned_sd", "assigned_net", "accepted_mine", "pending_mine"},
        ),
        ("status=new,assigned", {"new_acme", "new_globex", "assigned_sd", "assigned_net"}),
        ("priority=1", {"assigned_net"}),
        ("channel=email", {"new_globex"}),
        ("workgroup=none", {"new_acme", "new_globex"}),
        ("owner=me", {"accepted_mine", "pending_mine"}),
        ("owner=none&status=open", {"new_acme", "new_globex", "assigned_sd", "assigned_net"}),
        ("workgroup=mine&status=new,assigned", {"assigned_sd"}),
        ("q=printer", {"new_acme"}),
        ("q=flapping", {"assigned_net"}),
    ],
)
def test_queue_filters(world, login, queue, query, expected):
    response = login(world.agent).get(f"/incidents/?{query}")
    assert response.status_code == 200
    assert set(numbers(response)) == {queue[k].number for k in expected}


def test_queue_rows_name_the_owner_and_workgroup_or_show_a_dash(world, login, queue):
    response = login(world.agent).get("/incidents/")
    page = response.content.decode()
    rows = {number: page.split(f">{number}</a>")[1].split("</tr>")[0] for number in numbers(response)}
    unowned = rows[queue["new_acme"].number]
    assert "None" not in unowned and unowned.count("<td>—</td>") == 2  # no workgroup, no owner
    owned = rows[queue["accepted_mine"].number]
    assert f"<td>{world.agent.get_full_name() or world.agent.username}</td>" in owned
    assert f"<td>{world.service_desk.name}</td>" in owned


def test_queue_filters_by_ids_and_dates(world, login, queue):
    client = login(world.agent)
    assert set(numbers(client.get(f"/incidents/?organisation={world.globex.pk}"))) == {
        queue["new_globex"].number
    }
    assert set(numbers(client.get(f"/incidents/?workgroup={world.network.pk}"))) == {
        queue["assigned_net"].number,
        queue["completed_net"].number,
    }
    assert set(numbers(client.get(f"/incidents/?owner={world.net_agent.pk}"))) == {
        queue["completed_net"].number
    }
    day = timezone.localdate(queue["assigned_sd"].opened_at).isoformat()
    following = timezone.localdate(queue["assigned_net"].opened_at).isoformat()
    shown = numbers(client.get(f"/incidents/?opened_from={day}&opened_to={following}"))
    assert set(shown) == {queue["assigned_sd"].number, queue["assigned_net"].number}


def test_queue_filters_by_category(world, login):
    from opsdesk.core import crud
    from opsdesk.core.context import acting_as
    from opsdesk.incidents.models import Category

    with acting_as(None, "system"):
        email = crud.create(Category, name="E-mail")
    tagged = world.incident(title="Mail bounce", category=email)
    world.incident(title="Something else")
    response = login(world.agent).get(f"/incidents/?category={email.pk}")
    assert numbers(response) == [tagged.number]
    assert f'<option value="{email.pk}" selected>E-mail</option>' in response.content.decode()


def test_search_finds_number_title_and_description(world, login):
    target = world.incident(title="Scanner offline", description="The Kyocera on floor 3 shows E-501")
    world.incident(title="Other")
    client = login(world.agent)
    for q in (target.number, str(target.pk), "scanner", "kyocera"):
        assert numbers(client.get("/incidents/", {"q": q})) == [target.number], q


def test_filter_form_shows_current_values(world, login, queue):
    html = login(world.agent).get("/incidents/?status=pending&q=mail&owner=me").content.decode()
    assert '<option value="pending" selected>Pending</option>' in html
    assert '<option value="me" selected>Me</option>' in html
    assert 'value="mail"' in html
    for name in ("q", "status", "priority", "organisation", "workgroup", "owner", "channel", "category"):
        assert f'<label class="form-label" for="id_{name}">' in html
    assert '<label class="form-label" for="id_opened_from">Opened from</label>' in html


@pytest.mark.parametrize(
    "query,field,message",
    [
        ("status=bogus", "status", "Unknown status"),
        ("priority=9", "priority", "Priority must be 0-4"),
        ("channel=pigeon", "channel", "Unknown channel"),
        ("opened_from=31/01/2026", "opened_from", "Use a date like"),
        ("organisation=acme", "organisation", "is not a valid id"),
        ("sort=colour", None, "Sort by one of"),
        ("cursor=not-a-cursor", None, "page link is not valid"),
    ],
)
def test_bad_filter_input_shows_the_message(world, login, queue, query, field, message):
    response = login(world.agent).get(f"/incidents/?{query}")
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    if field:
        assert f'id="id_{field}_error"' in html
    assert numbers(response) == []


# --- sorting ------------------------------------------------------------------------------------------------


def _key(inc: Incident, sort: str):
    column = {
        "number": lambda i: i.pk,
        "title": lambda i: i.title,
        "priority": lambda i: i.priority,
        "status": lambda i: i.status,
        "opened": lambda i: i.opened_at,
        "organisation": lambda i: i.organisation.name,
        "workgroup": lambda i: i.workgroup.name if i.workgroup else None,
        "owner": lambda i: i.owner.username if i.owner else None,
    }[sort]
    return column(inc)


SORTS = ["number", "title", "priority", "status", "opened", "organisation", "workgroup", "owner"]


def test_sort_by_any_column(world, login, queue):
    client = login(world.agent)
    incidents = {i.number: i for i in Incident.objects.select_related("organisation", "workgroup", "owner")}

    # NULL (no workgroup / no owner) sorts as the smallest value; ties are broken by number.
    def order(inc, sort):
        value = _key(inc, sort)
        return (value is not None, value if value is not None else 0)

    for sort in SORTS:
        for desc in (False, True):
            response = client.get(f"/incidents/?sort={'-' if desc else ''}{sort}")
            assert response.status_code == 200
            expected = sorted(incidents.values(), key=lambda i, s=sort: (order(i, s), i.pk), reverse=desc)
            assert numbers(response) == [i.number for i in expected], (sort, desc)


def test_column_headers_are_sort_links(world, login, queue):
    html = login(world.agent).get("/incidents/?sort=title&status=open").content.decode()
    assert 'aria-sort="ascending"' in html
    assert 'href="/incidents/?sort=-title&amp;status=open"' in html  # clicking again reverses
    assert 'href="/incidents/?sort=priority&amp;status=open"' in html


def test_a_date_range_is_newest_opened_first_and_can_still_sort_by_number(world, login, queue):
    client = login(world.agent)
    html = client.get("/incidents/?opened_from=2026-01-01").content.decode()
    assert html.count('aria-sort="descending"') == 1
    assert 'href="/incidents/?opened_from=2026-01-01&amp;sort=opened">Opened <span' in html  # reverses
    assert 'href="/incidents/?opened_from=2026-01-01&amp;sort=-number"' in html  # kept: not the default here
    by_number = client.get("/incidents/?opened_from=2026-01-01&sort=-number").content.decode()
    assert 'href="/incidents/?opened_from=2026-01-01&amp;sort=number">Number <span' in by_number


# --- cursor pagination --------------------------------------------------------------------------------------


@pytest.fixture
def many(world):
    """23 incidents with ties on every sortable column (same opened time, same priority, ...)."""
    opened = timezone.now() - dt.timedelta(days=1)
    made = []
    for i in range(23):
        workgroup = [None, world.service_desk, world.network][i % 3]
        inc = world.incident(
            title=f"Issue {i % 4}",
            impact=["low", "medium"][i % 2],
            urgency="normal",
            org=world.acme if i % 5 else world.globex,
            workgroup=workgroup,
            opened_at=opened + dt.timedelta(hours=i % 3),
        )
        if workgroup == world.service_desk and i % 2:
            inc = world.act(inc, "accept")
        made.append(inc)
    return made


def test_cursor_pages_have_no_duplicates_or_gaps(world, login, many):
    client = login(world.agent)
    for sort in [
        "-number",
        "number",
        "title",
        "-priority",
        "status",
        "opened",
        "-opened",
        "workgroup",
        "-owner",
    ]:
        pages, responses = walk(client, f"/incidents/?sort={sort}&limit=5")
        assert [len(p) for p in pages] == [5, 5, 5, 5, 3], sort
        flat = [n for page in pages for n in page]
        assert len(flat) == len(set(flat)) == 23, sort
        assert flat == numbers(client.get(f"/incidents/?sort={sort}&limit=50")), sort
        assert prev_link(responses[0]) is None and next_link(responses[-1]) is None

        # Walking back with Previous shows the same pages in reverse.
        back = []
        response = responses[-1]
        while True:
            back.append(numbers(response))
            link = prev_link(response)
            if not link:
                break
            response = client.get(f"/incidents/{link}")
        assert back == list(reversed(pages)), sort


def test_pagination_keeps_the_filter(world, login, many):
    client = login(world.agent)
    pages, _ = walk(client, f"/incidents/?organisation={world.acme.pk}&limit=4")
    flat = [n for page in pages for n in page]
    acme = Incident.objects.filter(organisation=world.acme).order_by("-id")
    assert flat == [i.number for i in acme]


def test_queue_never_counts_the_whole_table(world, login, many):
    with CaptureQueriesContext(connection) as ctx:
        login(world.agent).get("/incidents/?limit=5")
    assert not [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]


def test_cursor_from_another_sort_order_is_refused(world, login, many):
    client = login(world.agent)
    link = next_link(client.get("/incidents/?sort=title&limit=5"))
    cursor = parse_qs(urlparse(link).query)["cursor"][0]
    response = client.get(f"/incidents/?sort=priority&limit=5&cursor={cursor}")
    assert response.status_code == 400
    assert "another sort order" in response.content.decode()


# --- query count --------------------------------------------------------------------------------------------


def _queue_queries(client, query="") -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"/incidents/?{query}")
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("user", ["agent", "acme_only_agent"])
def test_queue_query_count_does_not_grow_with_rows(world, login, django_assert_max_num_queries, user):
    client = login(getattr(world, user))
    for i in range(5):
        inc = world.incident(title=f"Row {i}", workgroup=world.service_desk if i % 2 else None)
        if i == 1:
            world.act(inc, "accept")
    small = _queue_queries(client)
    for i in range(45):
        inc = world.incident(title=f"More {i}", workgroup=world.service_desk)
        if i % 3 == 0:
            world.act(inc, "accept")
    large = _queue_queries(client)
    assert small == large
    # Every sort costs the same (each reads its own column of the last row for the next page's link): no
    # column a row shows or sorts by is left to load row by row.
    for key in SORTABLE:
        assert _queue_queries(client, f"sort=-{key}") == large, key
    # session, user, scope, the page, one query per related table shown, the filter form's choices
    with django_assert_max_num_queries(16):
        client.get("/incidents/?workgroup=mine&status=open&sort=owner")


def test_dashboard_and_detail_query_counts_are_bounded(world, login, django_assert_max_num_queries):
    client = login(world.agent)
    incidents = [world.incident(title=f"Row {i}", workgroup=world.service_desk) for i in range(20)]
    for inc in incidents[:10]:
        world.act(inc, "accept")
    with django_assert_max_num_queries(18):  # three short lists, each with its related tables
        assert client.get("/").status_code == 200
    with django_assert_max_num_queries(16):
        assert client.get(f"/incidents/{incidents[0].number}/").status_code == 200


# --- saved views --------------------------------------------------------------------------------------------


def test_builtin_views_are_tabs(world, login, queue):
    client = login(world.agent)
    html = client.get("/incidents/").content.decode()
    for name, href in [
        ("My open", "/incidents/?owner=me&amp;status=open"),
        ("My workgroups&#x27; queue", "/incidents/?status=new,assigned&amp;workgroup=mine"),
        ("Unassigned", "/incidents/?status=open&amp;workgroup=none"),
        ("All open", "/incidents/?status=open"),
    ]:
        assert f'href="{href}"' in html and name in html
    mine = client.get("/incidents/?owner=me&status=open")
    assert 'aria-current="page">My open</a>' in mine.content.decode()
    assert set(numbers(mine)) == {queue["accepted_mine"].number, queue["pending_mine"].number}


def test_save_and_delete_my_own_view(world, login, queue):
    client = login(world.agent)
    response = client.post(
        "/incidents/views/",
        {"save-name": "Globex e-mail", "save-query": f"channel=email&organisation={world.globex.pk}"},
    )
    assert response.status_code == 302
    view = SavedView.objects.get(user=world.agent)
    assert view.name == "Globex e-mail"
    page = client.get(response["Location"])
    assert numbers(page) == [queue["new_globex"].number]
    assert 'aria-current="page">' in page.content.decode() and "Globex e-mail" in page.content.decode()

    # Saving under the same name replaces the filter; other agents never see or delete it.
    client.post("/incidents/views/", {"save-name": "Globex e-mail", "save-query": "status=new"})
    assert SavedView.objects.get(user=world.agent).query == "status=new"
    other = login(world.net_agent)
    assert "Globex e-mail" not in other.get("/incidents/").content.decode()
    assert other.post(f"/incidents/views/{view.pk}/delete/").status_code == 404

    assert client.post(f"/incidents/views/{view.pk}/delete/").status_code == 302
    assert not SavedView.objects.exists()


def test_a_view_needs_a_name(world, login):
    client = login(world.agent)
    response = client.post("/incidents/views/", {"save-name": "  ", "save-query": "status=new"}, follow=True)
    assert "Give the view a name" in response.content.decode()
    assert not SavedView.objects.exists()


def test_status_filter_choice_lists_every_status(world, login):
    html = login(world.agent).get("/incidents/").content.decode()
    for value, label in Status.choices:
        assert f'<option value="{value}">{label}</option>' in html
