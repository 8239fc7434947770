"""Create and edit forms, the detail page with its lifecycle actions, timeline, attachments and history,
as a service-desk agent uses them."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from opsdesk.core.context import acting_as
from opsdesk.core.views import apply_errors
from opsdesk.incidents import services
from opsdesk.incidents.choices import Status
from opsdesk.incidents.models import Attachment, Comment, Incident, StatusChange
from opsdesk.incidents.views import detail
from opsdesk.incidents.workflow import INCIDENT_WORKFLOW

HTMX = {"HTTP_HX_REQUEST": "true"}


def _path(world, status):
    """An Acme incident brought to ``status`` through the service, with Sam (Service Desk) owning it."""
    inc = world.incident()
    steps = {
        Status.NEW: [],
        Status.ASSIGNED: ["assign"],
        Status.ACCEPTED: ["assign", "accept"],
        Status.PENDING: ["assign", "accept", "pend"],
        Status.COMPLETED: ["assign", "accept", "complete"],
        Status.CLOSED: ["assign", "accept", "complete", "close"],
    }[status]
    params = {
        "assign": {"workgroup": world.service_desk},
        "pend": {"reason": "customer"},
        "complete": {"resolution_code": "fixed", "resolution_notes": "Replaced the toner"},
        "close": {"note": "Alice agreed by phone"},
    }
    for action in steps:
        inc = world.act(inc, action, **params.get(action, {}))
    return inc


def buttons(html: str) -> list[str]:
    """Visible texts of the action panel's buttons."""
    panel = html[html.index('id="actions-heading"') : html.index('id="fields-heading"')]
    return re.findall(r'<button type="submit" class="btn [^"]*w-100">([^<]+)</button>', panel)


# --- create -----------------------------------------------------------------------------------------------


def test_create_form_labels_every_field(world, login):
    html = login(world.agent).get("/incidents/new/").content.decode()
    for name in (
        "organisation",
        "requester",
        "title",
        "description",
        "channel",
        "impact",
        "urgency",
        "category",
        "subcategory",
        "workgroup",
    ):
        assert f'for="id_{name}"' in html and f'id="id_{name}"' in html, name
    assert 'hx-get="/incidents/new/requesters/"' in html and 'hx-target="#id_requester"' in html
    assert '<button type="submit" class="btn btn-primary">Create incident</button>' in html


def test_create_an_incident(world, login):
    client = login(world.agent)
    response = client.post(
        "/incidents/new/",
        {
            "organisation": world.acme.pk,
            "requester": world.acme_user.person.pk,
            "title": "Printer jams",
            "description": "Tray 2",
            "channel": "phone",
            "impact": "high",
            "urgency": "critical",
            "workgroup": world.service_desk.pk,
        },
    )
    inc = Incident.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/incidents/{inc.number}/"
    assert (inc.requester, inc.priority, inc.status, inc.workgroup) == (
        world.acme_user.person,
        1,
        Status.ASSIGNED,
        world.service_desk,
    )
    page = client.get(response["Location"]).content.decode()
    assert f"Created {inc.number}." in page and "Printer jams" in page


def test_create_form_validation(world, login):
    client = login(world.agent)
    response = client.post(
        "/incidents/new/",
        {
            "organisation": world.acme.pk,
            "requester": world.globex_user.person.pk,  # not a person of Acme
            "title": "",
            "channel": "phone",
            "impact": "catastrophic",
            "urgency": "normal",
        },
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="id_title_error"' in html and "This field is required." in html
    assert 'id="id_requester_error"' in html and 'id="id_impact_error"' in html
    assert "The incident was not saved" in html
    assert not Incident.objects.exists()


def test_service_errors_land_on_the_form_fields(world, login, monkeypatch):
    def refuse(**kwargs):
        raise ValidationError({"title": ["Too vague."], "parent": ["Not here."]})

    monkeypatch.setattr(services, "create_incident", refuse)
    response = login(world.agent).post(
        "/incidents/new/",
        {
            "organisation": world.acme.pk,
            "requester": world.acme_user.person.pk,
            "title": "Help",
            "channel": "phone",
            "impact": "low",
            "urgency": "normal",
        },
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert re.search(r'id="id_title_error">\s*<div>Too vague.</div>', html)
    assert "Not here." in html  # a field the form does not show becomes a form-wide message


def test_apply_errors_maps_fields_and_the_rest():
    class F(forms.Form):
        title = forms.CharField()
        version = forms.IntegerField(widget=forms.HiddenInput)

    form = F({"title": "x", "version": 1})
    assert form.is_valid()
    apply_errors(form, ValidationError({"title": ["Bad"], "version": ["Old"], "status": ["Closed"]}))
    assert form.errors["title"] == ["Bad"]
    assert form.non_field_errors() == ["Old", "Closed"]
    apply_errors(form, ValidationError("Plain"))
    assert "Plain" in form.non_field_errors()


def test_requester_options_follow_the_organisation(world, login):
    response = login(world.agent).get("/incidents/new/requesters/", {"organisation": world.acme.pk}, **HTMX)
    html = response.content.decode()
    assert "Alice Acme" in html and "Bob Acme" in html and "Gus Globex" not in html
    assert html.strip().startswith('<option value="">')
    limited = login(world.acme_only_agent).get(
        "/incidents/new/requesters/", {"organisation": world.globex.pk}
    )
    assert "Gus Globex" not in limited.content.decode()


def test_create_form_without_javascript_keeps_the_organisation(world, login):
    html = login(world.agent).get(f"/incidents/new/?organisation={world.acme.pk}&title=Jam").content.decode()
    assert f'<option value="{world.acme.pk}" selected>Acme Ltd</option>' in html
    assert "Alice Acme" in html and 'value="Jam"' in html


# --- edit -------------------------------------------------------------------------------------------------


def test_edit_an_incident(world, login):
    inc = world.incident(title="Printer jams")
    client = login(world.agent)
    html = client.get(f"/incidents/{inc.number}/edit/").content.decode()
    assert f'name="version" value="{inc.version}"' in html
    response = client.post(
        f"/incidents/{inc.number}/edit/",
        {
            "requester": inc.requester_id,
            "title": "Printer jams on tray 2",
            "description": "",
            "channel": inc.channel,
            "impact": "severe",
            "urgency": "immediate",
            "version": inc.version,
        },
    )
    assert response.status_code == 302
    inc.refresh_from_db()
    assert inc.title == "Printer jams on tray 2" and inc.priority == 0


def _edit(client, inc, **changes):
    data = {
        "requester": inc.requester_id,
        "title": inc.title,
        "description": inc.description,
        "channel": inc.channel,
        "impact": inc.impact,
        "urgency": inc.urgency,
        "version": inc.version,
        **changes,
    }
    return client.post(f"/incidents/{inc.number}/edit/", data)


def test_the_edit_form_links_a_child_to_its_major_incident(world, login):
    major = world.incident(title="Leeds site offline")
    child = world.incident(title="No e-mail in Leeds")
    client = login(world.agent)
    form = client.get(f"/incidents/{child.number}/edit/").content.decode()
    assert re.search(r'<label[^>]*for="id_parent"[^>]*>\s*Part of major incident', form)

    assert _edit(client, child, parent=major.number.lower()).status_code == 302
    child.refresh_from_db()
    assert child.parent == major
    page = client.get(f"/incidents/{child.number}/").content.decode()
    banner = page[page.index('id="major-incident"') :][:400]
    assert f'Part of major incident <a href="/incidents/{major.number}/">{major.number}</a>' in banner
    assert "Leeds site offline" in banner
    page = client.get(f"/incidents/{major.number}/").content.decode()
    children = page[page.index('id="child-incidents"') : page.index('id="timeline"')]
    assert f'<a href="/incidents/{child.number}/">{child.number}</a>' in children
    assert "No e-mail in Leeds" in children
    assert 'id="major-incident"' not in page
    # The form shows the link it has; emptying the field detaches the child.
    assert f'value="{major.number}"' in client.get(f"/incidents/{child.number}/edit/").content.decode()
    assert _edit(client, child, parent="").status_code == 302
    child.refresh_from_db()
    assert child.parent is None


def test_the_edit_form_refuses_a_major_incident_that_does_not_fit(world, login):
    child = world.incident()
    client = login(world.agent)
    elsewhere = world.incident(org=world.globex)
    cases = [
        ("banana", "No such incident: banana."),
        ("INC-999999", "No such incident: INC-999999."),
        (elsewhere.number, "A major incident and its children belong to one organisation."),
        (child.number, "An incident cannot be its own major incident."),
    ]
    for value, message in cases:
        response = _edit(client, child, parent=value)
        assert response.status_code == 422, value
        html = response.content.decode()
        assert re.search(rf'id="id_parent_error">\s*<div>{re.escape(message)}</div>', html), value
        assert f'value="{value}"' in html  # what was typed is kept
    # An agent limited to Acme does not learn that a Globex incident exists.
    response = _edit(login(world.acme_only_agent), child, parent=elsewhere.number)
    assert f"No such incident: {elsewhere.number}." in response.content.decode()
    child.refresh_from_db()
    assert child.parent is None


def test_the_child_list_is_one_bounded_query(world, login, monkeypatch):
    monkeypatch.setattr(detail, "CHILDREN_SHOWN", 2)
    major = world.incident(title="Leeds site offline")
    client = login(world.agent)

    def page():
        with CaptureQueriesContext(connection) as queries:
            html = client.get(f"/incidents/{major.number}/").content.decode()
        return html, len(queries)

    def link(title):
        with acting_as(world.agent, "web"):
            services.update_incident(world.incident(title=title), {"parent": major}, by=world.agent)

    link("Child 1")
    html, one_child = page()
    assert "1 linked to this major incident" in html
    link("Child 2")
    link("Child 3")
    html, three_children = page()
    assert three_children == one_child
    listed = html[html.index('id="child-incidents"') : html.index('id="timeline"')]
    assert "The 2 newest" in listed
    assert "Child 3" in listed and "Child 2" in listed and "Child 1" not in listed
    # The rest are one click away: the queue filtered to this major incident's children.
    assert f'href="/incidents/?parent={major.number}"' in listed
    queue = client.get(f"/incidents/?parent={major.number}").content.decode()
    assert f'Child incidents of <a href="/incidents/{major.number}/">{major.number}</a>' in queue
    table = queue[queue.index("<table") :]
    assert all(f"Child {n}" in table for n in (1, 2, 3)) and "Leeds site offline" not in table


def test_stale_edit_is_refused(world, login):
    inc = world.incident(title="Printer jams")
    seen = inc.version
    with acting_as(world.net_agent, "web"):
        services.update_incident(inc, {"title": "Printer is on fire"}, by=world.net_agent)
    response = login(world.agent).post(
        f"/incidents/{inc.number}/edit/",
        {
            "requester": inc.requester_id,
            "title": "Printer jams a bit",
            "channel": inc.channel,
            "impact": inc.impact,
            "urgency": inc.urgency,
            "version": seen,
        },
    )
    assert response.status_code == 412
    assert "changed by someone else" in response.content.decode()
    inc.refresh_from_db()
    assert inc.title == "Printer is on fire"


def test_closed_incident_cannot_be_edited(world, login):
    inc = _path(world, Status.CLOSED)
    client = login(world.agent)
    response = client.get(f"/incidents/{inc.number}/edit/", follow=True)
    assert "A closed incident cannot be edited." in response.content.decode()
    assert "/edit/" not in response.redirect_chain[-1][0]


# --- the detail page --------------------------------------------------------------------------------------


def test_detail_page_shows_fields_badges_and_number_forms(world, login):
    inc = world.incident(title="VPN drops", description="Since Monday", impact="high", urgency="critical")
    client = login(world.agent)
    response = client.get(f"/incidents/{inc.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="badge prio-1"' in html and 'class="badge status-new"' in html
    for text in ("VPN drops", "Since Monday", "Acme Ltd", "Alice Acme", "High", "Critical", inc.number):
        assert text in html
    assert client.get(f"/incidents/inc-{inc.pk}/").status_code == 200
    assert client.get("/incidents/INC-999999/").status_code == 404
    assert client.get("/incidents/banana/").status_code == 404


@pytest.mark.parametrize("status", Status.values)
def test_action_panel_offers_exactly_the_allowed_actions(world, login, status):
    inc = _path(world, status)
    html = login(world.agent).get(f"/incidents/{inc.number}/").content.decode()
    labels = {
        "assign": "Assign",
        "accept": "Accept",
        "pend": "Set pending",
        "resume": "Resume work",
        "complete": "Complete",
        "close": "Close incident",
        "reopen": "Reopen",
        "reassign": "Reassign",
    }
    assert sorted(buttons(html)) == sorted(labels[a] for a in services.allowed_actions(inc, world.agent))
    for action in services.allowed_actions(inc, world.agent):
        assert f'action="/incidents/{inc.number}/actions/{action}/"' in html
        assert f'hx-post="/incidents/{inc.number}/actions/{action}/"' in html
        assert f'name="{action}-version" value="{inc.version}"' in html


def test_every_field_on_the_page_is_labelled(world, login):
    for status in (Status.NEW, Status.ASSIGNED, Status.ACCEPTED, Status.PENDING, Status.COMPLETED):
        html = login(world.agent).get(f"/incidents/{_path(world, status).number}/").content.decode()
        tags = re.findall(r"<(?:select|textarea|input)\b[^>]*>", html)
        fields = [t for t in tags if 'type="hidden"' not in t]
        assert len(fields) >= 4
        for tag in fields:
            field_id = re.search(r'id="([^"]+)"', tag).group(1)
            assert re.search(rf'<label[^>]*for="{field_id}"', html), (status, tag)


def test_accept_offers_workgroup_members_and_defaults_to_me(world, login):
    inc = _path(world, Status.ASSIGNED)
    html = login(world.agent).get(f"/incidents/{inc.number}/").content.decode()
    select = html[
        html.index('id="id_accept-owner"') : html.index("</select>", html.index('id="id_accept-owner"'))
    ]
    assert f'<option value="{world.agent.pk}" selected>Sam Desk</option>' in select
    assert "Lena Limited" in select and "Nora Network" not in select


# Form data per action for an incident in a status that allows it.
ACTION_CASES = [
    (Status.NEW, "assign", lambda w: {"workgroup": w.network.pk}, Status.ASSIGNED),
    (
        Status.ASSIGNED,
        "accept",
        lambda w: {"owner": w.acme_only_agent.pk, "note": "Phoned Alice at 10:20"},
        Status.ACCEPTED,
    ),
    (Status.ACCEPTED, "pend", lambda w: {"reason": "external", "note": "Vendor case 123"}, Status.PENDING),
    (Status.PENDING, "resume", lambda w: {}, Status.ACCEPTED),
    (
        Status.ACCEPTED,
        "complete",
        lambda w: {"resolution_code": "fixed", "resolution_notes": "Swapped cable"},
        Status.COMPLETED,
    ),
    (Status.COMPLETED, "close", lambda w: {"note": "Alice agreed on the phone"}, Status.CLOSED),
    (Status.COMPLETED, "reopen", lambda w: {"note": "Still broken"}, Status.ACCEPTED),
    (Status.ACCEPTED, "reassign", lambda w: {"workgroup": w.network.pk, "note": "Cabling"}, Status.ASSIGNED),
]


@pytest.mark.parametrize("start,action,data,target", ACTION_CASES, ids=[c[1] for c in ACTION_CASES])
def test_each_action_through_the_page(world, login, start, action, data, target):
    inc = _path(world, start)
    client = login(world.agent)
    payload = {f"{action}-{k}": v for k, v in {**data(world), "version": inc.version}.items()}
    response = client.post(f"/incidents/{inc.number}/actions/{action}/", payload)
    assert response.status_code == 302 and response["Location"] == f"/incidents/{inc.number}/"
    inc.refresh_from_db()
    assert inc.status == target
    assert StatusChange.objects.filter(incident=inc, action=action, actor=world.agent).exists()
    notice = client.get(response["Location"]).content.decode().split('role="status"')[1][:200]
    assert inc.number in notice


def test_action_with_htmx_returns_the_detail_region(world, login):
    inc = _path(world, Status.ASSIGNED)
    response = login(world.agent).post(
        f"/incidents/{inc.number}/actions/accept/",
        {"accept-owner": world.agent.pk, "accept-note": "Phoned Alice", "accept-version": inc.version},
        **HTMX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith('<div id="incident-detail"') and "<html" not in html
    assert 'class="badge status-accepted"' in html and f"{inc.number} accepted; Sam Desk owns it." in html
    assert sorted(buttons(html)) == ["Complete", "Reassign", "Set pending"]


@pytest.mark.parametrize("htmx", [False, True])
def test_action_validation_error_is_shown_on_the_form(world, login, htmx):
    inc = _path(world, Status.ACCEPTED)
    response = login(world.agent).post(
        f"/incidents/{inc.number}/actions/complete/",
        {
            "complete-resolution_code": "",
            "complete-resolution_notes": "Rebooted",
            "complete-version": inc.version,
        },
        **(HTMX if htmx else {}),
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="id_complete-resolution_code_error"' in html
    assert "Rebooted</textarea>" in html  # what was typed is kept
    inc.refresh_from_db()
    assert inc.status == Status.ACCEPTED


def _focus_after_swap(html: str) -> str:
    """The opening tag htmx focuses after swapping the region in: its first ``[autofocus]`` element."""
    tags = re.findall(r"<[a-z]+\b[^>]*\bautofocus\b[^>]*>", html)
    assert tags, "nothing in the region takes the focus"
    return tags[0]


def test_after_an_action_the_focus_goes_to_its_outcome(world, login):
    """A keyboard or screen-reader user is not left on a button that the swap removed: the focus goes
    to the confirmation, the refusal, or the first field to correct."""
    inc = _path(world, Status.ASSIGNED)
    client = login(world.agent)
    url = f"/incidents/{inc.number}/actions/"

    missing = client.post(
        url + "accept/", {"accept-owner": world.agent.pk, "accept-version": inc.version}, **HTMX
    )
    assert missing.status_code == 422
    assert 'id="id_accept-note"' in _focus_after_swap(missing.content.decode())

    refused = client.post(url + "close/", {"close-note": "Agreed", "close-version": inc.version}, **HTMX)
    assert refused.status_code == 409
    tag = _focus_after_swap(refused.content.decode())
    assert 'role="alert"' in tag and 'tabindex="-1"' in tag

    done = client.post(
        url + "accept/",
        {"accept-owner": world.agent.pk, "accept-note": "Phoned Alice", "accept-version": inc.version},
        **HTMX,
    )
    assert done.status_code == 200
    html = done.content.decode()
    tag = _focus_after_swap(html)
    assert 'role="status"' in tag and 'tabindex="-1"' in tag
    assert f"{tag}{inc.number} accepted; Sam Desk owns it.</div>" in html


def test_closing_needs_the_customers_agreement(world, login):
    inc = _path(world, Status.COMPLETED)
    response = login(world.agent).post(
        f"/incidents/{inc.number}/actions/close/", {"close-note": " ", "close-version": inc.version}, **HTMX
    )
    assert response.status_code == 422
    assert 'id="id_close-note_error"' in response.content.decode()


def test_accepting_records_how_the_customer_was_contacted(world, login):
    inc = _path(world, Status.ASSIGNED)
    client = login(world.agent)
    url = f"/incidents/{inc.number}/actions/accept/"
    response = client.post(url, {"accept-owner": world.agent.pk, "accept-version": inc.version}, **HTMX)
    assert response.status_code == 422
    html = response.content.decode()
    assert re.search(r'id="id_accept-note_error">\s*<div>This field is required.</div>', html)
    inc.refresh_from_db()
    assert inc.status == Status.ASSIGNED and inc.owner is None

    note = "Phoned Alice at 10:20; remote session booked for 11:00."
    data = {"accept-owner": world.agent.pk, "accept-note": note, "accept-version": inc.version}
    assert client.post(url, data).status_code == 302
    timeline = client.get(f"/incidents/{inc.number}/").content.decode()
    timeline = timeline[timeline.index('id="timeline"') :]
    assert "accepted the incident (owner: Sam Desk; customer contacted)" in timeline
    assert note in timeline


def test_owner_outside_the_workgroup_is_refused(world, login):
    inc = world.act(_path(world, Status.ASSIGNED), "reassign", workgroup=world.network)
    response = login(world.agent).post(
        f"/incidents/{inc.number}/actions/accept/",
        {"accept-owner": world.agent.pk, "accept-note": "Phoned Alice", "accept-version": inc.version},
        **HTMX,
    )
    assert response.status_code == 422
    assert 'id="id_accept-owner_error"' in response.content.decode()
    inc.refresh_from_db()
    assert inc.status == Status.ASSIGNED


def test_service_validation_lands_on_the_action_field(world, login, monkeypatch):
    def refuse(*args, **kwargs):
        raise ValidationError({"owner": ["Sam is not on shift."], "status": ["Odd."]})

    inc = _path(world, Status.ASSIGNED)
    monkeypatch.setattr(services, "transition", refuse)
    response = login(world.agent).post(
        f"/incidents/{inc.number}/actions/accept/",
        {"accept-owner": world.agent.pk, "accept-note": "Phoned Alice", "accept-version": inc.version},
        **HTMX,
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert re.search(r'id="id_accept-owner_error">\s*<div>Sam is not on shift.</div>', html)
    assert "Odd." in html


@pytest.mark.parametrize("htmx", [False, True])
def test_illegal_action_names_the_allowed_ones(world, login, htmx):
    inc = world.incident()
    response = login(world.agent).post(
        f"/incidents/{inc.number}/actions/close/",
        {"close-note": "Agreed", "close-version": inc.version},
        **(HTMX if htmx else {}),
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "“Close incident” is not possible while the incident is New. Allowed now: Assign." in html
    assert 'role="alert"' in html
    inc.refresh_from_db()
    assert inc.status == Status.NEW


def test_actions_on_a_closed_incident_say_none_are_left(world, login):
    inc = _path(world, Status.CLOSED)
    response = login(world.agent).post(
        f"/incidents/{inc.number}/actions/reopen/", {"reopen-note": "x", "reopen-version": inc.version}
    )
    assert response.status_code == 409
    assert "no further actions are allowed" in response.content.decode()


def test_stale_action_is_refused(world, login):
    inc = _path(world, Status.ASSIGNED)
    seen = inc.version
    world.act(inc, "accept", by=world.acme_only_agent)
    response = login(world.agent).post(
        f"/incidents/{inc.number}/actions/reassign/",
        {"reassign-workgroup": world.network.pk, "reassign-version": seen},
        **HTMX,
    )
    assert response.status_code == 412
    html = response.content.decode()
    assert "changed by someone else" in html and "Reload the incident" in html
    inc.refresh_from_db()
    assert inc.workgroup == world.service_desk and inc.owner == world.acme_only_agent


def test_agents_cannot_reject_for_the_customer(world, login):
    inc = _path(world, Status.COMPLETED)
    response = login(world.agent).post(
        f"/incidents/{inc.number}/actions/reject/", {"reject-note": "No", "reject-version": inc.version}
    )
    assert response.status_code == 403
    assert "Only the customer" in response.content.decode()


def test_unknown_action_is_404_and_get_is_refused(world, login):
    inc = world.incident()
    client = login(world.agent)
    assert client.post(f"/incidents/{inc.number}/actions/escalate/", {}).status_code == 404
    assert client.get(f"/incidents/{inc.number}/actions/assign/").status_code == 405


# --- timeline ---------------------------------------------------------------------------------------------


def test_timeline_shows_everything_in_order(world, login):
    inc = _path(world, Status.PENDING)
    with acting_as(world.agent, "web"):
        services.add_comment(inc, "We are on it.", by=world.agent, is_public=True)
        services.add_comment(inc, "Suspect the driver.", by=world.agent, is_public=False)
        services.add_attachment(inc, SimpleUploadedFile("trace.log", b"x" * 2048), by=world.agent)
    html = login(world.agent).get(f"/incidents/{inc.number}/").content.decode()
    timeline = html[html.index('<ol class="timeline">') : html.index("</ol>")]
    kinds = re.findall(r'<li class="timeline-(\w+)">', timeline)
    assert kinds == ["status", "status", "status", "status", "public", "internal", "attachment"]
    internal = timeline[timeline.index('class="timeline-internal"') :]
    assert "Internal work note." in internal and "Suspect the driver." in internal
    assert "not visible to the customer" in internal
    assert "set the incident pending: waiting for customer" in timeline
    assert "Sam Desk" in timeline and "trace.log" in timeline and "2.0" in timeline


def test_reply_and_work_note_forms(world, login):
    inc = world.incident()
    client = login(world.agent)
    response = client.post(
        f"/incidents/{inc.number}/comments/", {"comment-body": "Hello Alice", "comment-is_public": "on"}
    )
    assert response.status_code == 302
    response = client.post(f"/incidents/{inc.number}/comments/", {"comment-body": "Internal only"}, **HTMX)
    assert response.status_code == 200 and "Work note added." in response.content.decode()
    assert 'class="timeline-internal"' in response.content.decode()
    assert [(c.body, c.is_public) for c in Comment.objects.filter(incident=inc)] == [
        ("Hello Alice", True),
        ("Internal only", False),
    ]
    empty = client.post(f"/incidents/{inc.number}/comments/", {"comment-body": "  "}, **HTMX)
    assert empty.status_code == 422 and 'id="id_comment-body_error"' in empty.content.decode()
    html = client.get(f"/incidents/{inc.number}/").content.decode()
    assert '<label class="form-label required" for="id_comment-body">' in html
    assert 'for="id_comment-is_public"' in html


# --- attachments ------------------------------------------------------------------------------------------


def test_upload_and_download_an_attachment(world, login):
    inc = world.incident()
    client = login(world.agent)
    upload = SimpleUploadedFile("error.txt", b"0x800CCC0E", content_type="text/plain")
    response = client.post(
        f"/incidents/{inc.number}/attachments/", {"attachment-file": upload, "attachment-is_public": "on"}
    )
    assert response.status_code == 302
    attachment = Attachment.objects.get(incident=inc)
    html = client.get(f"/incidents/{inc.number}/").content.decode()
    link = f"/incidents/{inc.number}/attachments/{attachment.pk}/"
    assert f'href="{link}"' in html
    download = client.get(link)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"0x800CCC0E"
    assert download["Content-Disposition"].startswith("attachment;")
    assert 'filename="error.txt"' in download["Content-Disposition"]
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Type"].startswith("text/plain")
    assert "sandbox" in download["Content-Security-Policy"]


@pytest.mark.parametrize("name", ["drawing.svg", "page.html"])
def test_active_content_is_never_served_inline(world, login, settings, name):
    settings.ATTACHMENT_ALLOWED_TYPES = [".svg", ".html"]
    inc = world.incident()
    with acting_as(world.agent, "web"):
        attachment = services.add_attachment(
            inc, SimpleUploadedFile(name, b"<script>alert(1)</script>"), by=world.agent
        )
    download = login(world.agent).get(f"/incidents/{inc.number}/attachments/{attachment.pk}/")
    assert download["Content-Type"] == "application/octet-stream"
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"


def test_attachment_limits_give_a_form_error(world, login, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    inc = world.incident()
    client = login(world.agent)
    big = client.post(
        f"/incidents/{inc.number}/attachments/",
        {"attachment-file": SimpleUploadedFile("dump.txt", b"x" * 4096)},
        **HTMX,
    )
    assert big.status_code == 422
    html = big.content.decode()
    assert 'id="id_attachment-file_error"' in html and "the limit is 1 KiB" in html
    exe = client.post(
        f"/incidents/{inc.number}/attachments/", {"attachment-file": SimpleUploadedFile("setup.exe", b"MZ")}
    )
    assert exe.status_code == 422 and "are not accepted" in exe.content.decode()
    none = client.post(f"/incidents/{inc.number}/attachments/", {})
    assert none.status_code == 422 and 'id="id_attachment-file_error"' in none.content.decode()
    assert not Attachment.objects.exists()


def test_download_of_another_incidents_attachment_is_404(world, login):
    one, two = world.incident(), world.incident()
    with acting_as(world.agent, "web"):
        attachment = services.add_attachment(one, SimpleUploadedFile("a.txt", b"a"), by=world.agent)
    assert login(world.agent).get(f"/incidents/{two.number}/attachments/{attachment.pk}/").status_code == 404


# --- history ----------------------------------------------------------------------------------------------


def test_history_lists_who_when_channel_and_diffs(world, login):
    inc = world.incident(title="Printer jams")
    with acting_as(world.net_agent, "api"):
        services.update_incident(
            inc, {"title": "Printer jams badly", "urgency": "urgent"}, by=world.net_agent
        )
    world.act(inc, "assign", workgroup=world.network)
    with acting_as(world.agent, "web"):
        services.add_comment(inc, "Looking", by=world.agent, is_public=False)
    response = login(world.agent).get(f"/incidents/{inc.number}/history/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Incident created" in html and "Incident edited" in html and "Incident status change" in html
    assert "Comment created" in html
    assert re.search(r"<del[^>]*>Printer jams</del>.*<ins[^>]*>Printer jams badly</ins>", html, re.S)
    assert re.search(r"<del[^>]*>Normal</del>.*<ins[^>]*>Urgent</ins>", html, re.S)
    assert re.search(r"<del[^>]*>—</del>.*<ins[^>]*>Network</ins>", html, re.S)  # names, not ids
    assert "Nora Network" in html and ">api</span>" in html
    assert 'aria-current="page">History</a>' in html


def test_every_transition_of_the_table_is_reachable_from_the_page(world):
    # The panel's buttons and the workflow table cannot drift apart: every agent action has a form.
    from opsdesk.incidents.forms import ACTION_BUTTONS, ACTION_FORMS

    agent_actions = set(INCIDENT_WORKFLOW.transitions) - {"reject"}
    assert set(ACTION_FORMS) == agent_actions == set(ACTION_BUTTONS)
