"""``GET /api/v1/incidents``: the queue's filters, keyset pagination under every sort, bounded queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from opsdesk.core import crud
from opsdesk.core.context import acting_as
from opsdesk.incidents.choices import OPEN_STATUSES
from opsdesk.incidents.filters import SORTABLE
from opsdesk.incidents.models import Category, Incident

pytestmark = pytest.mark.django_db

BASE = timezone.make_aware(dt.datetime(2026, 3, 2, 9, 0))


@pytest.fixture
def queue(world):
    """A varied queue: two customers, all statuses that matter, owners and workgroups present and missing,
    repeated titles and priorities (so sorting needs its tie-breaker)."""
    with acting_as(None, "system"):
        hardware = crud.create(Category, name="Hardware")
        software = crud.create(Category, name="Software")
    specs = [
        dict(title="Printer jammed", impact="low", urgency="normal", channel="phone", category=hardware),
        dict(title="Printer jammed", impact="high", urgency="critical", channel="email"),
        dict(title="VPN down", impact="severe", urgency="immediate", channel="web", category=software),
        dict(title="Mail slow", impact="medium", urgency="urgent", channel="phone"),
        dict(title="Apple printer", impact="none", urgency="negotiated", channel="portal", category=hardware),
        dict(title="Zebra label printer", impact="low", urgency="normal", channel="phone"),
        dict(title="Mail slow", impact="low", urgency="urgent", channel="email", category=software),
        dict(title="Broken chair", impact="low", urgency="normal", channel="fax"),
    ]
    made = []
    for i, spec in enumerate(specs):
        made.append(world.incident(opened_at=BASE + dt.timedelta(days=i % 4, hours=i), **spec))
    made.append(world.incident(org=world.globex, title="Globex ERP error", channel="phone"))
    made.append(world.incident(requester=world.acme_user2.person, title="Bob's monitor flickers"))
    # Lifecycle: some assigned to either group, some owned, one completed.
    world.act(made[0], "assign", workgroup=world.service_desk)
    world.act(made[1], "assign", workgroup=world.network)
    inc = world.act(made[2], "assign", workgroup=world.service_desk)
    world.act(inc, "accept", by=world.agent)
    inc = world.act(made[3], "assign", workgroup=world.network)
    inc = world.act(inc, "accept", by=world.net_agent)
    world.act(inc, "complete", by=world.net_agent, resolution_code="fixed", resolution_notes="Done")
    inc = world.act(made[9], "assign", workgroup=world.service_desk)
    world.act(inc, "accept", by=world.acme_only_agent)
    return Incident.objects.order_by("id")


def _numbers(response):
    assert response.status_code == 200, response.content
    return [row["number"] for row in response.json()["results"]]


def _all(client, query=""):
    return _numbers(client.get(f"/api/v1/incidents?limit=500&{query}"))


def _cases(world, queue):
    hardware = Category.objects.get(name="Hardware")
    return [
        ("status=new", lambda i: i.status == "new"),
        ("status=open", lambda i: i.status in OPEN_STATUSES),
        ("status=assigned,accepted", lambda i: i.status in ("assigned", "accepted")),
        ("status=assigned&status=completed", lambda i: i.status in ("assigned", "completed")),
        ("priority=1", lambda i: i.priority == 1),
        ("priority=3,4", lambda i: i.priority in (3, 4)),
        (f"organisation={world.globex.pk}", lambda i: i.organisation_id == world.globex.pk),
        (f"workgroup={world.network.pk}", lambda i: i.workgroup_id == world.network.pk),
        ("workgroup=none", lambda i: i.workgroup_id is None),
        (f"workgroup=none,{world.network.pk}", lambda i: i.workgroup_id in (None, world.network.pk)),
        ("owner=me", lambda i: i.owner_id == world.agent.pk),
        (f"owner={world.net_agent.pk}", lambda i: i.owner_id == world.net_agent.pk),
        ("owner=none", lambda i: i.owner_id is None),
        ("channel=email,fax", lambda i: i.channel in ("email", "fax")),
        (f"category={hardware.pk}", lambda i: i.category_id == hardware.pk),
        (f"requester={world.acme_user2.person.pk}", lambda i: i.requester_id == world.acme_user2.person.pk),
        ("opened_from=2026-03-03", lambda i: i.opened_at >= BASE + dt.timedelta(days=1)),
        ("opened_to=2026-03-03", lambda i: i.opened_at < BASE + dt.timedelta(days=2)),
        ("q=printer", lambda i: "printer" in i.title.lower()),
        (f"q={queue[2].number}", lambda i: i.pk == queue[2].pk),
        ("status=open&channel=phone", lambda i: i.status in OPEN_STATUSES and i.channel == "phone"),
    ]


def test_each_filter_selects_what_it_says(world, api, queue):
    client = api(world.agent)
    everything = list(queue)
    for query, wanted in _cases(world, queue):
        # newest first: by number, or by opening time within a date range
        by_opening = "opened_" in query
        chosen = [i for i in everything if wanted(i)]
        chosen.sort(key=(lambda i: (i.opened_at, i.pk)) if by_opening else (lambda i: i.pk), reverse=True)
        expected = [i.number for i in chosen]
        assert expected, f"{query} selects nothing in the test queue; make the queue richer"
        assert _all(client, query) == expected, query


def test_filters_never_widen_a_customers_view(world, api, queue):
    client = api(world.acme_user)
    mine = sorted((i.number for i in queue if i.requester_id == world.acme_user.person.pk), reverse=True)
    assert _all(client) == mine
    assert _all(client, f"organisation={world.globex.pk}") == []
    assert _all(client, f"requester={world.acme_user2.person.pk}") == []


@pytest.mark.parametrize(
    "query,field",
    [
        ("status=bogus", "status"),
        ("priority=9", "priority"),
        ("channel=pigeon", "channel"),
        ("workgroup=abc", "workgroup"),
        ("opened_from=yesterday", "opened_from"),
        ("sort=colour", "sort"),
        ("limit=0", "limit"),
        ("limit=100000", "limit"),
        ("cursor=not-a-cursor", "cursor"),
    ],
)
def test_bad_filter_values_are_422_naming_the_parameter(world, api, query, field):
    response = api(world.agent).get(f"/api/v1/incidents?{query}")
    assert response.status_code == 422
    assert field in response.json()["errors"]


def _walk(client, query, limit):
    url = f"/api/v1/incidents?limit={limit}&{query}"
    pages = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        data = response.json()
        assert len(data["results"]) <= limit
        pages.append([row["number"] for row in data["results"]])
        url = data["next"]
        assert len(pages) < 50
    return pages


def _sort_value(row, key):
    return {
        "number": row["id"],
        "title": row["title"],
        "priority": row["priority"],
        "status": row["status"],
        "opened": row["opened_at"],
        "organisation": row["organisation_name"],
        "workgroup": row["workgroup_name"],
        "owner": None if row["owner"] is None else row["owner"],
        "updated": row["updated_at"],
        # The soonest running due time is not one field of the row; the database column is the truth.
        "due": Incident.objects.get(pk=row["id"]).next_due_at if key == "due" else None,
    }[key]


@pytest.mark.parametrize("sort", sorted(SORTABLE) + [f"-{key}" for key in sorted(SORTABLE)])
def test_cursor_pagination_walks_every_sort_without_gaps_or_duplicates(world, api, queue, sort):
    client = api(world.agent)
    full = client.get(f"/api/v1/incidents?limit=500&sort={sort}").json()["results"]
    assert {row["number"] for row in full} == {i.number for i in queue}
    # The single page is in the requested order (NULL the smallest value: first ascending, last
    # descending, as on the queue page)...
    key, desc = sort.lstrip("-"), sort.startswith("-")
    values = [_sort_value(row, key) for row in full]
    present = [v for v in values if v is not None]
    if key not in ("owner",):  # owners sort by username, which the row does not carry
        assert present == sorted(present, reverse=desc)
    nulls = [i for i, v in enumerate(values) if v is None]
    if nulls:
        expected_nulls = (
            list(range(len(values) - len(nulls), len(values))) if desc else list(range(len(nulls)))
        )
        assert nulls == expected_nulls
    # ...and walking it in small pages gives exactly the same sequence.
    for limit in (1, 3, 4):
        pages = _walk(client, f"sort={sort}", limit)
        walked = [number for page in pages for number in page]
        assert walked == [row["number"] for row in full], (sort, limit)
        assert len(set(walked)) == len(walked)
    # ...and back: "previous" from the last page returns the pages before it.
    url = f"/api/v1/incidents?limit=3&sort={sort}"
    while (data := client.get(url).json())["next"]:
        url = data["next"]
    back = [[row["number"] for row in data["results"]]]
    while data["previous"]:
        data = client.get(data["previous"]).json()
        back.insert(0, [row["number"] for row in data["results"]])
    assert [n for page in back for n in page] == [row["number"] for row in full]


def test_filtered_pagination_keeps_the_filter(world, api, queue):
    client = api(world.agent)
    pages = _walk(client, "status=open&sort=priority", 2)
    walked = [n for page in pages for n in page]
    assert walked == _all(client, "status=open&sort=priority")


def test_a_cursor_does_not_work_for_another_sort(world, api, queue):
    client = api(world.agent)
    next_url = client.get("/api/v1/incidents?limit=2&sort=title").json()["next"]
    response = client.get(next_url.replace("sort=title", "sort=priority"))
    assert response.status_code == 422
    assert "cursor" in response.json()["errors"]


def test_count_only_when_asked(world, api, queue):
    client = api(world.agent)
    with CaptureQueriesContext(connection) as queries:
        data = client.get("/api/v1/incidents?limit=2").json()
    assert data["count"] is None
    assert not any("COUNT(" in q["sql"].upper() for q in queries.captured_queries)
    data = client.get("/api/v1/incidents?limit=2&status=open&count=true").json()
    assert data["count"] == Incident.objects.open().count()


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries), response.json()


@pytest.mark.parametrize("persona", ["agent", "acme_only_agent", "acme_manager"])
def test_query_count_is_bounded_and_independent_of_page_size(
    world, api, persona, django_assert_max_num_queries
):
    user = getattr(world, persona)
    for i in range(52):
        incident = world.incident(title=f"Incident {i}", impact="medium" if i % 2 else "low")
        if i % 3 == 0:
            incident = world.act(incident, "assign", workgroup=world.service_desk)
        if i % 6 == 0:
            world.act(incident, "accept", by=world.agent)
    client = api(user)
    client.get("/api/v1/incidents?limit=1")  # the token's first use records its time once
    small, page5 = _queries(client, "/api/v1/incidents?limit=5&sort=-owner")
    large, page50 = _queries(client, "/api/v1/incidents?limit=50&sort=-owner")
    assert (len(page5["results"]), len(page50["results"])) == (5, 50)
    assert small == large
    _second, _data = _queries(client, page5["next"])
    assert _second == small
    # token, the user's scope (2 for an agent limited to some customers), the page, and one query per
    # related table shown (organisation, workgroup, owner, category, subcategory)
    with django_assert_max_num_queries(9):
        client.get("/api/v1/incidents?limit=50&sort=-workgroup&status=open")


def test_a_date_range_lists_the_latest_opened_first_unless_sorted_otherwise(world, api):
    """Numbers follow logging, not opening: a call logged late keeps its opening time's place in a range."""
    on_time = world.incident(title="On time", opened_at=BASE + dt.timedelta(hours=2))
    logged_late = world.incident(title="Logged late", opened_at=BASE + dt.timedelta(hours=1))
    world.incident(title="Day before", opened_at=BASE - dt.timedelta(days=1))
    client = api(world.agent)
    day = BASE.date().isoformat()
    assert _all(client, f"opened_from={day}") == [on_time.number, logged_late.number]
    assert _all(client, f"opened_from={day}&sort=-number") == [logged_late.number, on_time.number]


def test_date_filters_use_the_local_day(world, api):
    """An incident opened at 23:30 London time in summer (22:30 UTC) belongs to that London day."""
    import zoneinfo

    late = dt.datetime(2026, 7, 1, 23, 30, tzinfo=zoneinfo.ZoneInfo("Europe/London"))
    incident = world.incident(title="Late call", opened_at=late)
    client = api(world.agent)

    def numbers(query):
        return [row["number"] for row in client.get(f"/api/v1/incidents?{query}").json()["results"]]

    assert incident.number in numbers("opened_to=2026-07-01&opened_from=2026-07-01")
    assert incident.number not in numbers("opened_from=2026-07-02")
    assert incident.number not in numbers("opened_to=2026-06-30")
