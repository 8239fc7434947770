"""The calendar pages under /slas/calendars/: the list, the detail (weekly hours, exceptions, next public
holidays), the forms with their validation messages, and who may see and change what."""

import datetime as dt

import pytest
import time_machine

from opsdesk.sla import calendar_services
from opsdesk.sla.models import Calendar
from opsdesk.sla.signals import calendar_changed

WEEKDAYS = {f"hours_{d}": "09:00-12:30, 13:30-17:30" for d in range(5)}


def _form(**overrides) -> dict:
    data = {
        "name": "Leeds office",
        "time_zone": "Europe/London",
        "holiday_country": "GB",
        "holiday_subdivision": "ENG",
        "exceptions": "2026-12-24 09:00-13:00 Christmas Eve\n2026-12-29 closed Stock take",
        "notes": "",
        **WEEKDAYS,
    }
    data.update(overrides)
    return data


@pytest.fixture
def uk():
    return Calendar.objects.get(name="UK office hours")


def test_staff_list_calendars_from_the_sla_list(world, login, uk):
    client = login(world.agent)
    assert 'href="/slas/calendars/"' in client.get("/slas/").content.decode()
    page = client.get("/slas/calendars/").content.decode()
    assert f'href="/slas/calendars/{uk.pk}/"' in page and "5 days a week" in page
    assert "United Kingdom (GB) · ENG" in page and "New calendar" not in page


@time_machine.travel(dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC), tick=False)
def test_the_detail_shows_hours_exceptions_and_the_next_public_holidays(world, login):
    calendar = calendar_services.create_calendar(
        by=world.manager,
        name="Leeds office",
        holiday_country="GB",
        holiday_subdivision="ENG",
        hours=[
            {"weekday": 0, "start": "09:00", "end": "12:30"},
            {"weekday": 0, "start": "13:30", "end": "17:30"},
        ],
        exceptions=[
            {"date": "2026-12-28", "kind": "open", "start": "10:00", "end": "14:00", "note": "Skeleton crew"},
            {"date": "2026-12-29", "kind": "closed", "note": "Stock take"},
        ],
    )
    page = login(world.agent).get(f"/slas/calendars/{calendar.pk}/").content.decode()
    assert "<td>09:00–12:30, 13:30–17:30</td>" in page
    assert 'Tuesday</th><td><span class="text-secondary">Closed</span>' in page
    assert "Tue 29 Dec 2026" in page and "Stock take" in page and "Open 10:00–14:00 only" in page
    holidays = page.split('id="holidays-heading"', 1)[1]
    assert holidays.index("Christmas Day") < holidays.index("Boxing Day") < holidays.index("New Year")
    assert "Fri 25 Dec 2026" in holidays
    # Boxing Day falls on a Saturday in 2026; the substitute Monday is open here by exception.
    assert "Open 10:00–14:00 (exception)" in holidays


def test_a_manager_creates_a_calendar_with_the_form(world, login):
    client = login(world.manager)
    page = client.get("/slas/calendars/new/").content.decode()
    assert 'for="id_hours_0"' in page and ">Monday</label>" in page and 'list="time-zones"' in page
    assert 'hx-get="/slas/calendars/subdivisions/"' in page and "Create calendar</button>" in page
    response = client.post("/slas/calendars/new/", _form())
    calendar = Calendar.objects.get(name="Leeds office")
    assert response.status_code == 302 and response["Location"] == f"/slas/calendars/{calendar.pk}/"
    value = calendar.to_business_calendar()
    assert value.weekly[4] == ((dt.time(9), dt.time(12, 30)), (dt.time(13, 30), dt.time(17, 30)))
    assert value.weekly[5] == () and value.closed_dates == frozenset({dt.date(2026, 12, 29)})
    assert value.open_dates[dt.date(2026, 12, 24)] == ((dt.time(9), dt.time(13)),)
    assert calendar.exceptions.get(date=dt.date(2026, 12, 24)).note == "Christmas Eve"


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"hours_0": "9-13, 12-17"}, "hours_0", "09:00-13:00 and 12:00-17:00 overlap."),
        ({"hours_2": "17:00-09:00"}, "hours_2", "the end must be after the start"),
        ({"hours_3": "nine to five"}, "hours_3", "Write the hours as 09:00-17:30"),
        ({"exceptions": "24/12/2026 closed"}, "exceptions", "Line 1: write “YYYY-MM-DD closed”"),
        ({"exceptions": "2026-12-24 closed\n2026-12-24 10:00-12:00"}, "exceptions", "both closed and open"),
        ({"time_zone": "Europe/Leeds"}, "time_zone", "not a known time zone"),
        ({"holiday_country": "XX"}, "holiday_country", "Choose a country from the list"),
        ({"holiday_subdivision": "BY"}, "holiday_subdivision", "Choose a region of the selected country"),
        ({"name": "24x7"}, "name", "already exists"),
    ],
)
def test_bad_input_is_shown_on_its_field(world, login, overrides, field, message):
    response = login(world.manager).post("/slas/calendars/new/", _form(**overrides))
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert any(message in error for error in errors[field]), errors
    assert f'id="id_{field}_error"' in response.content.decode()
    assert not Calendar.objects.filter(name="Leeds office").exists()


def test_editing_round_trips_the_form_and_announces_once(world, login, uk):
    heard = []

    def receiver(sender, calendar, by, reason, **kwargs):
        heard.append((calendar.pk, by, reason))

    client = login(world.admin)
    page = client.get(f"/slas/calendars/{uk.pk}/edit/").content.decode()
    assert 'name="hours_0" value="09:00-17:30"' in page and 'value="ENG" selected' in page
    form = {**_form(name="UK office hours", exceptions="", notes=uk.notes), "version": str(uk.version)}
    for day in range(5):
        form[f"hours_{day}"] = "09:00-17:30"
    calendar_changed.connect(receiver)
    try:
        unchanged = client.post(f"/slas/calendars/{uk.pk}/edit/", form)
        assert unchanged.status_code == 302 and heard == []
        form["hours_4"] = "09:00-16:00"
        assert client.post(f"/slas/calendars/{uk.pk}/edit/", form).status_code == 302
        late = client.post(f"/slas/calendars/{uk.pk}/edit/", {**form, "hours_3": "10:00-16:00"})
        assert late.status_code == 412 and "Someone else changed this record" in late.content.decode()
    finally:
        calendar_changed.disconnect(receiver)
    assert heard == [(uk.pk, world.admin, "Calendar UK office hours edited")]
    assert Calendar.objects.get(pk=uk.pk).to_business_calendar().weekly[4] == ((dt.time(9), dt.time(16)),)


def test_the_region_list_follows_the_country(world, login):
    client = login(world.manager)
    page = client.get("/slas/calendars/subdivisions/?holiday_country=GB").content.decode()
    assert '<option value="SCT">SCT – Scotland</option>' in page
    assert (
        "Choose the country first"
        in client.get("/slas/calendars/subdivisions/?holiday_country=ZZ").content.decode()
    )


def test_agents_and_customers_read_but_cannot_write(world, login, uk, acme_gold):
    agent = login(world.agent)
    assert agent.get(f"/slas/calendars/{uk.pk}/").status_code == 200
    assert "Edit calendar" not in agent.get(f"/slas/calendars/{uk.pk}/").content.decode()
    assert agent.get("/slas/calendars/new/").status_code == 403
    assert agent.post("/slas/calendars/new/", _form()).status_code == 403
    assert agent.post(f"/slas/calendars/{uk.pk}/edit/", _form(version=str(uk.version))).status_code == 403
    # Customers see the calendars of their own and the provider-wide SLAs, nothing else, and no forms.
    always = Calendar.objects.get(name="24x7")
    acme = login(world.acme_user)
    assert acme.get(f"/slas/calendars/{always.pk}/").status_code == 200
    assert acme.get(f"/slas/calendars/{always.pk}/edit/").status_code == 404
    globex = login(world.globex_user)
    assert globex.get(f"/slas/calendars/{always.pk}/").status_code == 404
    assert "24x7" not in globex.get("/slas/calendars/").content.decode()
    assert globex.get(f"/slas/calendars/{uk.pk}/").status_code == 200
    assert not Calendar.objects.filter(name="Leeds office").exists()
    assert Calendar.objects.get(pk=uk.pk).version == uk.version
