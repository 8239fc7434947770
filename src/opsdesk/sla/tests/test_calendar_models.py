"""Stored calendars: the validation an administrator sees, the shipped calendars, the values they build."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from opsdesk.core import crud
from opsdesk.core.context import acting_as
from opsdesk.sla.calendars import add, elapsed
from opsdesk.sla.choices import ExceptionKind
from opsdesk.sla.models import Calendar, CalendarException, CalendarHours

LONDON = ZoneInfo("Europe/London")
H = timedelta(hours=1)

pytestmark = pytest.mark.django_db


def make(model, **fields):
    with acting_as(None, "system"):
        return crud.create(model, **fields)


def errors_of(model, **fields) -> dict:
    with pytest.raises(ValidationError) as caught:
        make(model, **fields)
    return caught.value.message_dict


@pytest.fixture
def office():
    cal = make(Calendar, name="Leeds office", time_zone="Europe/London")
    for weekday in range(5):
        make(CalendarHours, calendar=cal, weekday=weekday, start=time(9), end=time(12))
        make(CalendarHours, calendar=cal, weekday=weekday, start=time(13), end=time(17))
    return cal


# --- the shipped calendars -------------------------------------------------------------------------------


def test_uk_office_hours_ships_with_england_bank_holidays():
    uk = Calendar.objects.get(name="UK office hours").to_business_calendar()
    assert uk.tz == "Europe/London"
    assert (uk.holiday_country, uk.holiday_subdivision) == ("GB", "ENG")
    assert [uk.weekly[d] for d in range(7)] == [((time(9), time(17, 30)),)] * 5 + [(), ()]
    # The P2 example: opened Friday 16:30, four business hours, Monday a bank holiday.
    due = add(uk, datetime(2025, 5, 2, 16, 30, tzinfo=LONDON), 4 * H)
    assert due == datetime(2025, 5, 6, 12, 0, tzinfo=LONDON)


def test_24x7_ships_and_counts_every_hour():
    always = Calendar.objects.get(name="24x7").to_business_calendar()
    assert always.always_open
    start = datetime(2025, 12, 24, 18, 0, tzinfo=LONDON)
    assert add(always, start, 48 * H) == datetime(2025, 12, 26, 18, 0, tzinfo=LONDON)


# --- building the pure value ----------------------------------------------------------------------------


def test_exceptions_close_days_and_open_extra_ones(office):
    make(CalendarException, calendar=office, date=date(2025, 1, 16), kind=ExceptionKind.CLOSED, note="Move")
    for start, end in ((time(10), time(12)), (time(12, 30), time(14))):
        make(CalendarException, calendar=office, date=date(2025, 1, 18), kind="open", start=start, end=end)
    cal = office.to_business_calendar()
    assert cal.closed_dates == frozenset({date(2025, 1, 16)})
    assert cal.open_dates[date(2025, 1, 18)] == ((time(10), time(12)), (time(12, 30), time(14)))
    day = timedelta(days=1)
    thursday = datetime(2025, 1, 16, tzinfo=LONDON)
    assert elapsed(cal, thursday, thursday + day) == timedelta(0)
    assert elapsed(cal, thursday + 2 * day, thursday + 3 * day) == 3.5 * H  # the open Saturday
    assert elapsed(cal, thursday - day, thursday) == 7 * H  # lunch break not counted


def test_equal_definitions_give_equal_values(office):
    assert office.to_business_calendar() == Calendar.objects.get(pk=office.pk).to_business_calendar()


def test_hours_ending_at_midnight(office):
    make(CalendarHours, calendar=office, weekday=5, start=time(18), end=time(0))
    saturday = datetime(2025, 1, 18, tzinfo=LONDON)
    assert elapsed(office.to_business_calendar(), saturday, saturday + timedelta(days=1)) == 6 * H


# --- validation ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields,field,text",
    [
        ({"time_zone": "Europe/Londres"}, "time_zone", "not a known time zone"),
        ({"holiday_country": "XX"}, "holiday_country", "unknown holiday country"),
        ({"holiday_country": "GB", "holiday_subdivision": "XYZ"}, "holiday_subdivision", "ENG"),
        ({"holiday_subdivision": "ENG"}, "holiday_subdivision", "holiday country first"),
    ],
)
def test_calendar_validation(fields, field, text):
    errors = errors_of(Calendar, name="Bad", **fields)
    assert text in " ".join(errors[field])
    assert not Calendar.objects.filter(name="Bad").exists()


def test_holiday_country_is_normalised():
    cal = make(Calendar, name="Edinburgh", holiday_country="gb", holiday_subdivision="SCT")
    make(CalendarHours, calendar=cal, weekday=0, start=time(9), end=time(17))
    assert Calendar.objects.get(pk=cal.pk).holiday_country == "GB"
    value = cal.to_business_calendar()
    assert value.hours_on(date(2025, 8, 4)) == ()  # Scotland's summer bank holiday
    assert value.hours_on(date(2025, 8, 25)) == ((time(9), time(17)),)  # England's is a working day


def test_hours_must_end_after_they_start(office):
    errors = errors_of(CalendarHours, calendar=office, weekday=5, start=time(17), end=time(9))
    assert "after the start" in errors["end"][0]


def test_hours_on_a_weekday_must_not_overlap(office):
    errors = errors_of(CalendarHours, calendar=office, weekday=0, start=time(11), end=time(14))
    assert errors["start"] == ["Overlaps the opening hours 09:00-12:00 on Monday."]
    # Touching intervals and other weekdays are fine.
    make(CalendarHours, calendar=office, weekday=0, start=time(12), end=time(13))
    make(CalendarHours, calendar=office, weekday=5, start=time(11), end=time(14))


def test_moving_hours_is_checked_against_the_other_rows(office):
    row = office.hours.get(weekday=0, start=time(13))
    with acting_as(None, "system"), pytest.raises(ValidationError) as caught:
        crud.update(row, {"start": time(11, 30)})
    assert "start" in caught.value.message_dict
    with acting_as(None, "system"):
        crud.update(row, {"start": time(12, 30)})


@pytest.mark.parametrize(
    "fields,errors",
    [
        (
            {"kind": "closed", "start": time(9), "end": time(12)},
            {"start": ["A closed day has no hours; to open part of a day, add an open exception."]},
        ),
        (
            {"kind": "open"},
            {
                "start": ["Give the time the calendar opens on this day."],
                "end": ["Give the time the calendar closes on this day."],
            },
        ),
        (
            {"kind": "open", "start": time(12), "end": time(10)},
            {"end": ["The end must be after the start (00:00 means midnight)."]},
        ),
    ],
)
def test_exception_validation(office, fields, errors):
    assert errors_of(CalendarException, calendar=office, date=date(2025, 1, 18), **fields) == errors


def test_a_date_is_either_closed_or_open(office):
    day = date(2025, 1, 18)
    make(CalendarException, calendar=office, date=day, kind="open", start=time(10), end=time(12))
    errors = errors_of(CalendarException, calendar=office, date=day, kind="closed")
    assert errors == {"date": ["2025-01-18 cannot be both closed and open."]}
    errors = errors_of(
        CalendarException, calendar=office, date=day, kind="open", start=time(11), end=time(13)
    )
    assert "overlap" in errors["date"][0]
    make(CalendarException, calendar=office, date=date(2025, 1, 16), kind="closed")
    errors = errors_of(CalendarException, calendar=office, date=date(2025, 1, 16), kind="closed")
    assert errors == {"date": ["2025-01-16 is already a closed day."]}


# --- admin: inspection only (calendars are written through their services) ------------------------------


def test_admin_shows_calendars_read_only(admin_client):
    uk = Calendar.objects.get(name="UK office hours")
    page = admin_client.get("/admin/sla/calendar/")
    assert page.status_code == 200 and b"UK office hours" in page.content
    page = admin_client.get(f"/admin/sla/calendar/{uk.pk}/change/")
    assert page.status_code == 200
    assert b"Opening hours" in page.content and b"Calendar exceptions" in page.content
    assert b'name="_save"' not in page.content
    assert admin_client.get("/admin/sla/calendar/add/").status_code == 403
    before = uk.version
    assert admin_client.post(f"/admin/sla/calendar/{uk.pk}/change/", {"name": "Hacked"}).status_code == 403
    assert Calendar.objects.get(pk=uk.pk).version == before
