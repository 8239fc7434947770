"""The incident lifecycle of the operations manual, enforced at the one write path."""

import itertools

import pytest
from django.core.exceptions import ValidationError

from opsdesk.core.context import acting_as
from opsdesk.core.errors import IllegalTransition, PermissionDenied
from opsdesk.incidents import services
from opsdesk.incidents.choices import Status
from opsdesk.incidents.models import Incident, StatusChange
from opsdesk.incidents.workflow import INCIDENT_WORKFLOW


# What each action needs to succeed, given the world's personas (by, params).
def _params(world, action):
    return {
        "assign": (world.agent, {"workgroup": world.network}),
        "reassign": (world.agent, {"workgroup": world.network}),
        "accept": (world.agent, {"note": "Phoned Alice at 10:20; remote session booked"}),
        "pend": (world.agent, {"reason": "customer"}),
        "resume": (world.agent, {}),
        "complete": (world.agent, {"resolution_code": "fixed", "resolution_notes": "Rebooted the router"}),
        "close": (world.acme_user, {}),
        "reject": (world.acme_user, {"note": "Still broken"}),
        "reopen": (world.agent, {"note": "Customer phoned: still broken"}),
    }[action]


def _incident_in(world, status):
    inc = world.incident()
    path = {
        Status.NEW: [],
        Status.ASSIGNED: ["assign"],
        Status.ACCEPTED: ["assign", "accept"],
        Status.PENDING: ["assign", "accept", "pend"],
        Status.COMPLETED: ["assign", "accept", "complete"],
        Status.CLOSED: ["assign", "accept", "complete", "close"],
    }[status]
    for action in path:
        by, params = _params(world, action)
        if action == "assign":
            params = {"workgroup": world.service_desk}
        inc = world.act(inc, action, by=by, **params)
    assert inc.status == status
    return inc


EXPECTED = {
    (Status.NEW, "assign"): Status.ASSIGNED,
    (Status.ASSIGNED, "reassign"): Status.ASSIGNED,
    (Status.ACCEPTED, "reassign"): Status.ASSIGNED,
    (Status.PENDING, "reassign"): Status.ASSIGNED,
    (Status.ASSIGNED, "accept"): Status.ACCEPTED,
    (Status.ACCEPTED, "pend"): Status.PENDING,
    (Status.PENDING, "resume"): Status.ACCEPTED,
    (Status.ACCEPTED, "complete"): Status.COMPLETED,
    (Status.PENDING, "complete"): Status.COMPLETED,
    (Status.COMPLETED, "close"): Status.CLOSED,
    (Status.COMPLETED, "reject"): Status.ACCEPTED,
    (Status.COMPLETED, "reopen"): Status.ACCEPTED,
}
ALL_CASES = list(itertools.product(Status.values, INCIDENT_WORKFLOW.transitions))


def test_transition_table_is_the_manuals():
    table = {
        (source, t.action): t.target for t in INCIDENT_WORKFLOW.transitions.values() for source in t.sources
    }
    assert table == EXPECTED


@pytest.mark.parametrize("status,action", [c for c in ALL_CASES if c in EXPECTED])
def test_allowed_transition(world, status, action):
    inc = _incident_in(world, status)
    by, params = _params(world, action)
    if action == "accept" and inc.workgroup == world.network:
        by = world.net_agent
    result = world.act(inc, action, by=by, **params)
    assert result.status == EXPECTED[(status, action)]
    last = StatusChange.objects.filter(incident=inc).last()
    assert (last.action, last.from_status, last.to_status) == (action, status, result.status)


@pytest.mark.parametrize("status,action", [c for c in ALL_CASES if c not in EXPECTED])
def test_illegal_transition_is_refused_and_names_allowed(world, status, action):
    inc = _incident_in(world, status)
    by, params = _params(world, action)
    with pytest.raises(IllegalTransition) as err:
        world.act(inc, action, by=by, **params)
    allowed = sorted(t.action for t in INCIDENT_WORKFLOW.allowed_actions(status))
    assert err.value.allowed == allowed
    for name in allowed:
        assert name in str(err.value)
    inc.refresh_from_db()
    assert inc.status == status


def test_closure_needs_customer_agreement(world):
    inc = _incident_in(world, Status.COMPLETED)
    with pytest.raises(ValidationError) as err:
        world.act(inc, "close", by=world.agent)
    assert "note" in err.value.message_dict
    inc.refresh_from_db()
    assert inc.status == Status.COMPLETED
    closed = world.act(inc, "close", by=world.agent, note="Alice agreed on the phone at 14:05")
    assert closed.status == Status.CLOSED and closed.closed_at is not None


def test_customer_confirms_and_rejects(world):
    inc = _incident_in(world, Status.COMPLETED)
    inc = world.act(inc, "reject", by=world.acme_user, note="Printer still jams")
    assert inc.status == Status.ACCEPTED and inc.reopen_count == 1
    inc = world.act(inc, "complete", **_params(world, "complete")[1])
    inc = world.act(inc, "close", by=world.acme_user)
    assert inc.status == Status.CLOSED


def test_customer_cannot_work_the_ticket(world):
    inc = _incident_in(world, Status.ASSIGNED)
    with pytest.raises(PermissionDenied):
        world.act(inc, "accept", by=world.acme_user)


def test_other_customer_cannot_close(world):
    inc = _incident_in(world, Status.COMPLETED)
    with pytest.raises(type(inc).DoesNotExist):
        world.act(inc, "close", by=world.globex_user)


def test_accept_only_by_workgroup_member(world):
    inc = world.incident(workgroup=world.network)
    with pytest.raises(ValidationError) as err:
        world.act(inc, "accept", by=world.agent)
    assert "owner" in err.value.message_dict
    assert world.act(inc, "accept", by=world.net_agent).owner == world.net_agent


@pytest.mark.parametrize("note", ["", "   "])
def test_accepting_records_that_the_customer_was_contacted(world, note):
    inc = _incident_in(world, Status.ASSIGNED)
    with pytest.raises(ValidationError) as err:
        world.act(inc, "accept", note=note)
    assert list(err.value.message_dict) == ["note"]
    inc.refresh_from_db()
    assert (inc.status, inc.owner, inc.accepted_at) == (Status.ASSIGNED, None, None)
    assert not StatusChange.objects.filter(incident=inc, action="accept").exists()

    inc = world.act(inc, "accept", note=" Phoned Alice at 10:20; remote session booked \n")
    change = StatusChange.objects.get(incident=inc, action="accept")
    assert change.note == "Phoned Alice at 10:20; remote session booked"
    assert change.details == {"owner": "Sam Desk", "customer_contacted": True}


def test_pending_needs_a_known_reason(world):
    inc = _incident_in(world, Status.ACCEPTED)
    with pytest.raises(ValidationError):
        world.act(inc, "pend", reason="")
    with pytest.raises(ValidationError):
        world.act(inc, "pend", reason="lunch")
    assert world.act(inc, "pend", reason="part_shipped").pending_reason == "part_shipped"


def test_completion_needs_resolution(world):
    inc = _incident_in(world, Status.ACCEPTED)
    with pytest.raises(ValidationError) as err:
        world.act(inc, "complete", resolution_code="", resolution_notes=" ")
    assert set(err.value.message_dict) == {"resolution_code", "resolution_notes"}


def test_assignment_notifies_workgroup(world, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        world.incident(workgroup=world.network)
    sent_to = {addr for m in mailoutbox for addr in m.to}
    assert {"net@cx.example", "nora@cx.example"} <= sent_to


def test_stage_timestamps(world):
    inc = _incident_in(world, Status.CLOSED)
    assert inc.opened_at <= inc.assigned_at <= inc.accepted_at <= inc.completed_at <= inc.closed_at


# --- major incidents --------------------------------------------------------------------------------------


def _link(world, child, parent):
    with acting_as(world.agent, "web"):
        return services.update_incident(child, {"parent": parent}, by=world.agent)


def test_a_child_names_an_open_major_incident_of_its_own_organisation(world):
    major, child = world.incident(title="Leeds site offline"), world.incident(title="No e-mail in Leeds")
    child = _link(world, child, major)
    assert child.parent == major and list(major.children.all()) == [child]
    refused = {
        "another organisation": world.incident(org=world.globex),
        "closed": _incident_in(world, Status.CLOSED),
    }
    for why, parent in refused.items():
        other = world.incident()
        with pytest.raises(ValidationError) as err:
            _link(world, other, parent)
        assert "parent" in err.value.message_dict, why
        assert Incident.objects.get(pk=other.pk).parent_id is None
    with pytest.raises(ValidationError, match="itself part of major incident"):
        world.incident(parent=child)  # opening one is checked the same way
    assert _link(world, child, None).parent is None


def test_a_child_stays_editable_after_its_major_incident_closed(world):
    major, child = world.incident(title="Leeds site offline"), world.incident()
    _link(world, child, major)
    for action in ("assign", "accept", "complete", "close"):
        by, params = _params(world, action)
        params = {"workgroup": world.service_desk} if action == "assign" else params
        major = world.act(major, action, by=by, **params)
    assert major.status == Status.CLOSED
    with acting_as(world.agent, "web"):
        edited = services.update_incident(child, {"title": "No e-mail in Leeds"}, by=world.agent)
    assert (edited.title, edited.parent) == ("No e-mail in Leeds", major)
