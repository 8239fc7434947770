"""Writing calendars: hours and exceptions checked as a whole, one transaction, audited, managers only, and
the SLA clocks told exactly once per edit (likewise for SLA edits)."""

from datetime import date, time

import pytest
from django.core.exceptions import ValidationError

from opsdesk.core.audit import history_for
from opsdesk.core.errors import PermissionDenied, StaleObject
from opsdesk.sla import calendar_services, services
from opsdesk.sla.models import Calendar
from opsdesk.sla.signals import calendar_changed, sla_changed
from opsdesk.sla.tests.conftest import targets

LUNCH_BREAK = [
    {"weekday": day, "start": start, "end": end}
    for day in range(5)
    for start, end in (("09:00", "12:30"), ("13:30", "17:30"))
]


@pytest.fixture
def heard():
    """What the SLA clocks would hear: every calendar_changed / sla_changed sent, with its kwargs."""
    calls = []

    def calendar_receiver(sender, signal, **kwargs):
        calls.append(("calendar", kwargs))

    def sla_receiver(sender, signal, **kwargs):
        calls.append(("sla", kwargs))

    calendar_changed.connect(calendar_receiver)
    sla_changed.connect(sla_receiver)
    yield calls
    calendar_changed.disconnect(calendar_receiver)
    sla_changed.disconnect(sla_receiver)


@pytest.fixture
def leeds(world):
    return calendar_services.create_calendar(
        by=world.manager,
        name="Leeds office",
        time_zone="Europe/London",
        holiday_country="gb",
        holiday_subdivision="ENG",
        hours=LUNCH_BREAK,
        exceptions=[
            {"date": "2026-12-24", "kind": "open", "start": "09:00", "end": "13:00", "note": "Christmas Eve"},
            {"date": date(2026, 12, 29), "kind": "closed", "note": "Stock take"},
        ],
    )


def test_a_manager_creates_a_calendar_with_hours_and_exceptions(leeds):
    value = leeds.to_business_calendar()
    assert value.holiday_country == "GB"
    assert value.weekly[0] == ((time(9), time(12, 30)), (time(13, 30), time(17, 30)))
    assert value.weekly[5] == ()
    assert value.open_dates[date(2026, 12, 24)] == ((time(9), time(13)),)
    assert value.closed_dates == frozenset({date(2026, 12, 29)})
    entries = list(history_for(leeds))
    assert [e.action for e in entries] == ["create", "update"]
    assert entries[0].changes["name"] == [None, "Leeds office"]
    assert entries[1].changes["hours"][1][0] == [0, "09:00", "12:30"]
    assert entries[1].changes["exceptions"][1][0] == ["2026-12-24", "open", "09:00", "13:00", "Christmas Eve"]


def _hours(*rows):
    return {"hours": [{"weekday": d, "start": s, "end": e} for d, s, e in rows]}


def _exceptions(*rows):
    return {"exceptions": list(rows)}


XMAS = "2026-12-24"


@pytest.mark.parametrize(
    "fields, field, text",
    [
        (
            _hours((0, "09:00", "13:00"), (0, "12:00", "17:00")),
            "hours",
            "Monday: intervals ending 13:00 and starting 12:00 overlap",
        ),
        (_hours((2, "17:00", "09:00")), "hours", "Wednesday 17:00-09:00: The end must be after the start"),
        (_hours((7, "09:00", "17:00")), "hours", "0 (Monday) to 6 (Sunday)"),
        (_hours((1, "9am", "17:00")), "hours", "Tuesday: give the start and end as HH:MM"),
        (
            _exceptions(
                {"date": XMAS, "kind": "closed"},
                {"date": XMAS, "kind": "open", "start": "09:00", "end": "12:00"},
            ),
            "exceptions",
            "cannot be both closed and open",
        ),
        (_exceptions({"date": XMAS, "kind": "open"}), "exceptions", "Give the time the calendar opens"),
        (_exceptions({"date": "24/12/2026", "kind": "closed"}), "exceptions", "YYYY-MM-DD"),
        ({"time_zone": "Europe/Leeds"}, "time_zone", "not a known time zone"),
        ({"holiday_country": "XX"}, "holiday_country", "unknown holiday country"),
        (
            {"holiday_country": "GB", "holiday_subdivision": "YKS"},
            "holiday_subdivision",
            "known: ENG, NIR, SCT, WLS",
        ),
        ({"colour": "blue"}, "colour", "cannot be set"),
    ],
)
def test_invalid_calendars_name_the_field_and_write_nothing(world, fields, field, text):
    with pytest.raises(ValidationError) as caught:
        calendar_services.create_calendar(by=world.manager, name="Broken", **fields)
    assert text in " ".join(caught.value.message_dict[field]), caught.value.message_dict
    assert not Calendar.objects.filter(name="Broken").exists()


def test_field_and_row_errors_are_reported_together(world):
    with pytest.raises(ValidationError) as caught:
        calendar_services.create_calendar(
            by=world.manager,
            name="Broken",
            time_zone="Mars/Olympus",
            hours=[{"weekday": 0, "start": "12:00", "end": "11:00"}],
        )
    assert set(caught.value.message_dict) == {"time_zone", "hours"}


@pytest.mark.parametrize("who", ["agent", "acme_manager", "acme_user"])
def test_only_administrators_and_managers_change_calendars(world, leeds, who):
    user = getattr(world, who)
    with pytest.raises(PermissionDenied):
        calendar_services.create_calendar(by=user, name="Mine")
    with pytest.raises(PermissionDenied):
        calendar_services.update_calendar(leeds, {"notes": "mine"}, by=user)
    calendar_services.update_calendar(leeds, {"notes": "Admin was here"}, by=world.admin)


def test_an_edit_replaces_rows_bumps_the_version_once_and_is_audited(world, leeds, heard):
    version = leeds.version
    updated = calendar_services.update_calendar(
        leeds,
        {"name": "Leeds HQ", "notes": "Moved"},
        by=world.manager,
        expected_version=version,
        hours=[{"weekday": 0, "start": "08:00", "end": "18:00"}],
        exceptions=[],
    )
    assert updated.version == version + 1
    value = Calendar.objects.get(pk=leeds.pk).to_business_calendar()
    assert value.weekly[0] == ((time(8), time(18)),) and value.weekly[1] == ()
    assert value.open_dates == {} and value.closed_dates == frozenset()
    last = list(history_for(leeds))[-2:]
    assert "name" in last[0].changes and {"hours", "exceptions"} <= set(last[1].changes)
    assert heard == [
        ("calendar", {"calendar": updated, "by": world.manager, "reason": "Calendar Leeds HQ edited"})
    ]


def test_hours_alone_are_an_edit_too(world, leeds, heard):
    updated = calendar_services.update_calendar(
        leeds, {}, by=world.manager, hours=[{"weekday": 5, "start": "10:00", "end": "14:00"}]
    )
    assert updated.version == leeds.version + 1
    assert [kind for kind, _ in heard] == ["calendar"]


def test_an_edit_that_changes_nothing_is_not_announced(world, leeds, heard):
    same = calendar_services.update_calendar(
        leeds,
        {"name": "Leeds office", "holiday_country": "gb"},
        by=world.manager,
        hours=list(reversed(LUNCH_BREAK)),
    )
    assert same.version == leeds.version and heard == []


def test_a_stale_version_changes_nothing(world, leeds, heard):
    with pytest.raises(StaleObject):
        calendar_services.update_calendar(leeds, {"notes": "late"}, by=world.manager, expected_version=99)
    assert Calendar.objects.get(pk=leeds.pk).notes == "" and heard == []


def test_a_rejected_edit_rolls_back_and_is_not_announced(world, leeds, heard):
    with pytest.raises(ValidationError):
        calendar_services.update_calendar(
            leeds,
            {"notes": "half done"},
            by=world.manager,
            exceptions=[{"date": "2026-01-05", "kind": "closed", "start": "09:00"}],
        )
    assert Calendar.objects.get(pk=leeds.pk).notes == "" and heard == []


# --- SLA edits tell the clocks too ------------------------------------------------------------------------


def test_update_sla_announces_once_for_fields_and_targets(world, standard, heard):
    updated = services.update_sla(
        standard,
        {"notes": "Revised", "warning_thresholds": [50, 100]},
        by=world.manager,
        targets=targets(20, 200),
    )
    assert updated.version == standard.version + 1
    reason = "SLA Standard changed: warning thresholds, targets"
    assert heard == [("sla", {"sla": updated, "by": world.manager, "reason": reason})]


def test_notes_alone_are_an_edit_but_concern_no_clock(world, standard, leeds, heard):
    reviewed = services.update_sla(standard, {"notes": "Reviewed"}, by=world.manager)
    assert reviewed.version == standard.version + 1
    updated = calendar_services.update_calendar(leeds, {"notes": "Reviewed"}, by=world.manager)
    assert updated.version == leeds.version + 1 and heard == []


def test_set_targets_announces_and_a_no_op_does_not(world, standard, heard):
    same = [
        {
            "priority": t.priority,
            "response_minutes": t.response_minutes,
            "resolution_minutes": t.resolution_minutes,
        }
        for t in standard.targets.all()
    ]
    services.set_targets(standard, same, by=world.manager)
    services.update_sla(standard, {"name": "Standard"}, by=world.manager)
    assert heard == []
    services.set_targets(standard, targets(20, 200), by=world.manager)
    assert [kind for kind, _ in heard] == ["sla"]


def test_a_receiver_failure_rolls_the_edit_back(world, standard):
    def broken(sender, **kwargs):
        raise RuntimeError("clock recompute failed")

    sla_changed.connect(broken)
    try:
        with pytest.raises(RuntimeError):
            services.update_sla(standard, {"notes": "Lost", "warning_thresholds": [50]}, by=world.manager)
    finally:
        sla_changed.disconnect(broken)
    assert services.Sla.objects.get(pk=standard.pk).notes == standard.notes


def test_choosing_the_same_roles_in_another_order_is_no_edit(world, standard, heard):
    roles = list(reversed(standard.notify_roles))
    same = services.update_sla(standard, {"notify_roles": roles}, by=world.manager)
    assert same.version == standard.version and heard == []
