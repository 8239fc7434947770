"""The incident API as its users meet it: create, read, edit, move through the lifecycle, talk, attach."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from opsdesk.core.audit import history_for
from opsdesk.core.context import acting_as
from opsdesk.core.models import OutboxMessage
from opsdesk.incidents import services
from opsdesk.incidents.models import Attachment, Comment, Incident

pytestmark = pytest.mark.django_db


def _url(incident, suffix=""):
    return f"/api/v1/incidents/{incident.number}{suffix}"


# --- create and read ---------------------------------------------------------------------------------------


def test_staff_create_an_incident_and_get_its_location_and_etag(world, api):
    body = {
        "organisation": world.acme.pk,
        "requester": world.acme_user.person.pk,
        "title": "  VPN drops every hour ",
        "description": "Since the firewall update",
        "impact": "high",
        "urgency": "critical",
        "workgroup": world.network.pk,
    }
    response = api(world.agent).post("/api/v1/incidents", body)
    assert response.status_code == 201, response.json()
    data = response.json()
    incident = Incident.objects.get(pk=data["id"])
    assert response["Location"] == f"/api/v1/incidents/{incident.number}"
    assert response["ETag"] == incident.etag
    assert data["number"] == incident.number
    assert (data["title"], data["priority"], data["status"]) == ("VPN drops every hour", 1, "assigned")
    assert (data["channel"], data["workgroup_name"]) == ("api", "Network")
    assert dt.datetime.fromisoformat(data["opened_at"]).utcoffset() == dt.timedelta(0)
    # Audit rows of an API request say who and through which channel.
    entry = history_for(incident).get(action="create")
    assert (entry.actor, entry.channel) == (world.agent, "api")


def test_staff_must_name_organisation_and_requester(world, api):
    response = api(world.agent).post("/api/v1/incidents", {"title": "Something"})
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"organisation", "requester"}


def test_requester_must_belong_to_the_organisation(world, api):
    body = {"organisation": world.acme.pk, "requester": world.globex_user.person.pk, "title": "Mixed up"}
    response = api(world.agent).post("/api/v1/incidents", body)
    assert response.status_code == 422
    assert "requester" in response.json()["errors"]
    assert not Incident.objects.exists()


def test_a_customer_raises_an_incident_for_themselves(world, api):
    response = api(world.acme_user).post("/api/v1/incidents", {"title": "Laptop will not boot"})
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["organisation"], data["requester"], data["channel"]) == (
        world.acme.pk,
        world.acme_user.person.pk,
        "portal",
    )


def test_a_customer_cannot_raise_an_incident_for_a_colleague(world, api):
    body = {"title": "For Bob", "requester": world.acme_user2.person.pk}
    response = api(world.acme_user).post("/api/v1/incidents", body)
    assert response.status_code == 422
    assert "requester" in response.json()["errors"]
    assert not Incident.objects.exists()


def test_a_customer_manager_raises_an_incident_on_behalf_of_a_colleague(world, api):
    body = {"title": "Bob's laptop is stolen", "requester": world.acme_user2.person.pk}
    response = api(world.acme_manager).post("/api/v1/incidents", body)
    assert response.status_code == 201, response.json()
    assert (response.json()["requester"], response.json()["organisation"]) == (
        world.acme_user2.person.pk,
        world.acme.pk,
    )
    other = {"title": "Not ours", "requester": world.globex_user.person.pk}
    assert api(world.acme_manager).post("/api/v1/incidents", other).status_code == 422


@pytest.mark.parametrize("form", ["{number}", "{pk}", "inc-{pk}"])
def test_an_incident_is_addressed_by_its_number_or_plain_id(world, api, form):
    incident = world.incident()
    path = "/api/v1/incidents/" + form.format(number=incident.number, pk=incident.pk)
    response = api(world.agent).get(path)
    assert response.status_code == 200
    assert response.json()["number"] == incident.number
    assert response["ETag"] == f'"{incident.pk}-{incident.version}"'


def test_unknown_incident_is_404_with_json(world, api):
    for path in ("/api/v1/incidents/INC-999999", "/api/v1/incidents/not-a-number"):
        response = api(world.agent).get(path)
        assert response.status_code == 404
        assert response.json()["detail"]


# --- errors ------------------------------------------------------------------------------------------------


def test_malformed_json_is_400(world, api):
    incident = world.incident()
    response = api(world.agent).patch(_url(incident), raw='{"title": "unterminated')
    assert response.status_code == 400
    assert response.json() == {"detail": "The request body is not valid JSON.", "errors": {}}


def test_a_body_that_is_not_an_object_is_400(world, api):
    response = api(world.agent).post("/api/v1/incidents", raw="[1, 2]")
    assert response.status_code == 400


def test_unknown_and_read_only_fields_are_422_naming_them(world, api):
    incident = world.incident()
    response = api(world.agent).patch(_url(incident), {"title": "New title", "colour": "red", "priority": 0})
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) == {"colour", "priority"}
    incident.refresh_from_db()
    assert incident.title == "Outlook cannot connect"


def test_bad_enum_is_422_naming_the_field(world, api):
    incident = world.incident()
    response = api(world.agent).patch(_url(incident), {"urgency": "yesterday"})
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["urgency"]
    assert "immediate" in response.json()["errors"]["urgency"][0]


def test_model_validation_from_services_is_422_naming_the_field(world, api):
    incident = world.incident()
    response = api(world.agent).patch(_url(incident), {"title": "x" * 201})
    assert response.status_code == 422
    assert "title" in response.json()["errors"]


# --- editing and the lifecycle ----------------------------------------------------------------------------


def test_editing_impact_recomputes_priority(world, api):
    incident = world.incident()
    response = api(world.agent).patch(_url(incident), {"impact": "severe", "urgency": "immediate"})
    assert response.status_code == 200
    assert response.json()["priority"] == 0


def test_stale_if_match_is_412_and_changes_nothing(world, api):
    incident = world.incident()
    stale = incident.etag
    world.act(incident, "assign", workgroup=world.service_desk)  # someone else moved it meanwhile
    client = api(world.agent)
    response = client.patch(_url(incident), {"title": "Mine"}, headers={"HTTP_IF_MATCH": stale})
    assert response.status_code == 412
    assert response.json()["detail"]
    response = client.patch(_url(incident), {"status": "accepted"}, headers={"HTTP_IF_MATCH": stale})
    assert response.status_code == 412
    fresh = Incident.objects.get(pk=incident.pk)
    assert (fresh.title, fresh.status, fresh.version) == ("Outlook cannot connect", "assigned", 2)


def test_matching_if_match_is_200_with_a_new_etag(world, api):
    incident = world.incident()
    client = api(world.agent)
    current = client.get(_url(incident))["ETag"]
    response = client.patch(_url(incident), {"title": "Mine"}, headers={"HTTP_IF_MATCH": current})
    assert response.status_code == 200
    assert response["ETag"] != current
    assert response["ETag"] == Incident.objects.get(pk=incident.pk).etag
    assert response.json()["title"] == "Mine"


def test_if_match_of_another_object_or_garbage_never_matches(world, api):
    incident, other = world.incident(), world.incident()
    for tag in (other.etag, "garbage", f'"{incident.pk}"'):
        response = api(world.agent).patch(_url(incident), {"title": "Mine"}, headers={"HTTP_IF_MATCH": tag})
        assert response.status_code == 412, tag
    assert Incident.objects.get(pk=incident.pk).title == "Outlook cannot connect"


def test_a_status_change_runs_the_lifecycle(world, api):
    incident = world.incident()
    client = api(world.agent)

    def patch(body):
        response = client.patch(_url(incident), body)
        assert response.status_code == 200, response.json()
        return response.json()

    assert (
        patch({"status": "assigned", "workgroup": world.service_desk.pk})["workgroup"]
        == world.service_desk.pk
    )
    data = patch({"status": "accepted", "note": "Phoned Alice at 10:20"})
    assert (data["status"], data["owner"]) == ("accepted", world.agent.pk)
    assert patch({"status": "pending", "pending_reason": "customer"})["pending_reason"] == "customer"
    assert patch({"status": "accepted"})["status"] == "accepted"  # resume
    data = patch({"status": "completed", "resolution_code": "fixed", "resolution_notes": "Replaced cable"})
    assert data["status"] == "completed"
    data = patch({"status": "accepted", "note": "Customer phoned: still broken"})  # staff reopen
    assert (data["status"], data["reopen_count"]) == ("accepted", 1)
    actions = list(incident.status_changes.values_list("action", "channel"))
    assert actions[-5:] == [
        ("accept", "api"),
        ("pend", "api"),
        ("resume", "api"),
        ("complete", "api"),
        ("reopen", "api"),
    ]


def test_a_workgroup_change_on_an_accepted_incident_is_a_reassignment(world, api):
    incident = world.act(world.act(world.incident(), "assign", workgroup=world.service_desk), "accept")
    response = api(world.agent).patch(_url(incident), {"workgroup": world.network.pk})
    assert response.status_code == 200
    data = response.json()
    assert (data["status"], data["workgroup"], data["owner"]) == ("assigned", world.network.pk, None)
    assert incident.status_changes.last().action == "reassign"


def test_the_customer_closes_or_rejects_a_completed_incident(world, api):
    first, second = world.incident(), world.incident()
    for incident in (first, second):
        incident = world.act(world.act(incident, "assign", workgroup=world.service_desk), "accept")
        world.act(incident, "complete", resolution_code="fixed", resolution_notes="Rebooted")
    client = api(world.acme_user)
    assert client.patch(_url(first), {"status": "closed"}).json()["status"] == "closed"
    response = client.patch(_url(second), {"status": "accepted", "note": "Still broken"})
    assert response.status_code == 200
    assert second.status_changes.last().action == "reject"


def test_an_illegal_status_change_is_409_listing_the_allowed_ones(world, api):
    incident = world.incident()
    response = api(world.agent).patch(_url(incident), {"status": "closed"})
    assert response.status_code == 409
    detail = response.json()["detail"]
    assert "'new'" in detail and "assigned (assign)" in detail
    assert response.json()["errors"]["status"]
    assert Incident.objects.get(pk=incident.pk).status == "new"


def test_a_failed_transition_rolls_back_the_edit_in_the_same_request(world, api):
    incident = world.act(world.act(world.incident(), "assign", workgroup=world.service_desk), "accept")
    response = api(world.agent).patch(_url(incident), {"title": "Edited", "status": "completed"})
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"resolution_code", "resolution_notes"}
    fresh = Incident.objects.get(pk=incident.pk)
    assert (fresh.title, fresh.status) == ("Outlook cannot connect", "accepted")


def test_lifecycle_parameters_without_their_action_are_422(world, api):
    incident = world.incident()
    response = api(world.agent).patch(_url(incident), {"resolution_code": "fixed"})
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["resolution_code"]


def test_pending_needs_a_reason_named_as_in_the_api(world, api):
    incident = world.act(world.act(world.incident(), "assign", workgroup=world.service_desk), "accept")
    response = api(world.agent).patch(_url(incident), {"status": "pending"})
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["pending_reason"]


def test_customers_cannot_edit_or_assign(world, api):
    incident = world.incident()
    client = api(world.acme_user)
    assert client.patch(_url(incident), {"title": "Mine now"}).status_code == 403
    assert client.patch(_url(incident), {"status": "assigned"}).status_code == 403
    assert Incident.objects.get(pk=incident.pk).version == 1


# --- comments and history ---------------------------------------------------------------------------------


def _with_notes(world):
    incident = world.incident()
    with acting_as(world.agent, "web"):
        services.add_comment(incident, "We are on it", by=world.agent, is_public=True)
        services.add_comment(
            incident, "Customer's printer is ancient, bill them", by=world.agent, is_public=False
        )
    return incident


def test_customers_never_see_internal_notes(world, api):
    incident = _with_notes(world)
    customer = api(world.acme_user)
    bodies = [c["body"] for c in customer.get(_url(incident, "/comments")).json()["results"]]
    assert bodies == ["We are on it"]
    history = customer.get(_url(incident, "/history"))
    assert history.status_code == 200
    assert "bill them" not in history.content.decode()
    assert "We are on it" in history.content.decode()
    staff = api(world.agent).get(_url(incident, "/comments")).json()["results"]
    assert [(c["body"][:9], c["public"]) for c in staff] == [("We are on", True), ("Customer'", False)]


def test_a_customer_cannot_post_an_internal_note(world, api):
    incident = world.incident()
    response = api(world.acme_user).post(_url(incident, "/comments"), {"body": "secret", "public": False})
    assert response.status_code == 403
    assert not Comment.objects.exists()


def test_comments_are_created_through_the_api(world, api):
    incident = world.incident()
    response = api(world.acme_user).post(_url(incident, "/comments"), {"body": "Any news?"})
    assert response.status_code == 201
    assert response["ETag"]
    assert response.json()["public"] is True and response.json()["author"] == world.acme_user.pk
    response = api(world.agent).post(_url(incident, "/comments"), {"body": "  "})
    assert response.status_code == 422 and "body" in response.json()["errors"]


def test_history_lists_changes_and_status_steps_with_actor_and_channel(world, api):
    incident = world.incident()
    client = api(world.agent)
    client.patch(_url(incident), {"status": "assigned", "workgroup": world.network.pk})
    results = client.get(_url(incident, "/history")).json()["results"]
    steps = [(r["source"], r["action"], r["channel"]) for r in results]
    assert ("status", "open", "web") in steps
    assert ("status", "assign", "api") in steps
    assert ("audit", "transition", "api") in steps
    assign = next(r for r in results if r["action"] == "assign")
    assert assign["actor"] == "Sam Desk" and assign["changes"]["status"] == ["new", "assigned"]
    assert [r["at"] for r in results] == sorted(r["at"] for r in results)


# --- attachments -------------------------------------------------------------------------------------------


def _upload(client, incident, name, content, **fields):
    upload = SimpleUploadedFile(name, content)
    return client.client.post(_url(incident, "/attachments"), {"file": upload, **fields}, **client.auth)


def test_upload_list_and_download_an_attachment(world, api):
    incident = world.incident()
    client = api(world.acme_user)
    response = _upload(client, incident, "error log.txt", b"boom")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["filename"], data["size"], data["content_type"]) == ("error log.txt", 4, "text/plain")
    assert response["Location"] == data["download"]
    assert [a["id"] for a in client.get(_url(incident, "/attachments")).json()["results"]] == [data["id"]]
    download = client.get(data["download"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"boom"
    assert download["Content-Disposition"].startswith("attachment;")
    assert "error log.txt" in download["Content-Disposition"]
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Type"] == "text/plain"


@pytest.mark.parametrize("name", ["page.html", "logo.svg"])
def test_risky_files_are_never_served_as_themselves(world, api, settings, name):
    settings.ATTACHMENT_ALLOWED_TYPES = [".html", ".svg"]
    incident = world.incident()
    client = api(world.agent)
    response = _upload(client, incident, name, b"<svg onload=alert(1)><script>alert(1)</script></svg>")
    assert response.status_code == 201
    assert response.json()["content_type"] in ("text/html", "image/svg+xml")
    download = client.get(response.json()["download"])
    assert download["Content-Type"] == "application/octet-stream"
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"


def test_too_large_upload_is_413(world, api, settings):
    settings.ATTACHMENT_MAX_BYTES = 10
    incident = world.incident()
    response = _upload(api(world.agent), incident, "big.txt", b"x" * 11)
    assert response.status_code == 413
    assert "file" in response.json()["errors"]
    assert not Attachment.objects.exists()


def test_too_large_json_body_is_413(world, api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    incident = world.incident()
    response = api(world.agent).post(_url(incident, "/comments"), {"body": "x" * 200})
    assert response.status_code == 413
    assert response.json()["detail"]


def test_disallowed_file_type_is_422_naming_the_file(world, api):
    incident = world.incident()
    response = _upload(api(world.agent), incident, "run.exe", b"MZ")
    assert response.status_code == 422
    assert "file" in response.json()["errors"]


def test_customers_do_not_see_internal_attachments(world, api):
    incident = world.incident()
    staff = api(world.agent)
    internal = _upload(staff, incident, "notes.txt", b"internal", public="false").json()
    assert internal["public"] is False
    customer = api(world.acme_user)
    assert customer.get(_url(incident, "/attachments")).json()["results"] == []
    assert customer.get(internal["download"]).status_code == 404


def test_accepting_on_behalf_of_a_workgroup_member(world, api):
    incident = world.act(world.incident(), "assign", workgroup=world.network)
    client = api(world.manager)
    note = "Nora phoned Alice"
    response = client.patch(_url(incident), {"status": "accepted", "owner": world.agent.pk, "note": note})
    assert response.status_code == 422 and "owner" in response.json()["errors"]  # not in Network
    response = client.patch(_url(incident), {"status": "accepted", "owner": world.net_agent.pk, "note": note})
    assert response.status_code == 200
    assert (response.json()["owner"], response.json()["owner_name"]) == (world.net_agent.pk, "Nora Network")


def test_accepting_needs_how_the_customer_was_contacted(world, api):
    incident = world.act(world.incident(), "assign", workgroup=world.service_desk)
    client = api(world.agent)
    for body in ({"status": "accepted"}, {"status": "accepted", "note": "  "}):
        response = client.patch(_url(incident), body)
        assert response.status_code == 422
        assert list(response.json()["errors"]) == ["note"]
        assert "contacted the customer" in response.json()["errors"]["note"][0]
    assert Incident.objects.get(pk=incident.pk).status == "assigned"
    response = client.patch(
        _url(incident), {"status": "accepted", "note": "E-mailed Alice, she replied 10:05"}
    )
    assert response.status_code == 200 and response.json()["status"] == "accepted"
    history = client.get(_url(incident, "/history")).json()["results"]
    accept = next(r for r in history if r["source"] == "status" and r["action"] == "accept")
    assert accept["note"] == "E-mailed Alice, she replied 10:05"


def test_a_customer_cannot_attach_to_their_closed_incident(world, api, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    incident = world.act(world.act(world.incident(), "assign", workgroup=world.service_desk), "accept")
    incident = world.act(incident, "complete", resolution_code="fixed", resolution_notes="Rebooted")
    incident = world.act(incident, "close", by=world.acme_user)
    response = _upload(api(world.acme_user), incident, "after.txt", b"it broke again")
    assert response.status_code == 422
    assert response.json()["errors"]["file"] == ["This incident is closed; raise a new one."]
    assert not Attachment.objects.filter(incident=incident).exists()
    # As with work notes, the service desk may still file a document (a post-incident report, say).
    response = _upload(api(world.agent), incident, "review.txt", b"post-incident review", public="false")
    assert response.status_code == 201


def test_linking_a_child_to_a_major_incident(world, api):
    major, child = world.incident(title="Site offline"), world.incident()
    other = world.incident(org=world.globex)
    client = api(world.agent)
    response = client.patch(_url(child), {"parent": major.number})
    assert response.status_code == 200 and response.json()["parent"] == major.number
    response = client.patch(_url(child), {"parent": other.number})
    assert response.status_code == 422 and "parent" in response.json()["errors"]
    response = client.patch(_url(child), {"parent": None})
    assert response.status_code == 200 and response.json()["parent"] is None


def test_the_list_filters_the_children_of_a_major_incident(world, api):
    major, first, second, unrelated = (world.incident(title=t) for t in ("Site down", "A", "B", "C"))
    client = api(world.agent)
    for child in (first, second):
        assert client.patch(_url(child), {"parent": major.number}).status_code == 200
    listed = client.get(f"/api/v1/incidents?parent={major.number}").json()["results"]
    assert [r["number"] for r in listed] == [second.number, first.number]
    assert client.get(f"/api/v1/incidents?parent={major.pk}").json()["results"] == listed
    response = client.get("/api/v1/incidents?parent=banana")
    assert response.status_code == 422 and "parent" in response.json()["errors"]
    assert unrelated.parent_id is None


def test_major_incidents_are_one_level_deep_and_never_their_own(world, api):
    major, child, grandchild = world.incident(title="Site offline"), world.incident(), world.incident()
    client = api(world.agent)
    assert client.patch(_url(child), {"parent": major.number}).status_code == 200
    refusals = [
        (major, major.number, "its own major incident"),
        (grandchild, child.number, f"is itself part of major incident {major.number}"),
        (major, grandchild.number, "has child incidents of its own"),
    ]
    for incident, parent, message in refusals:
        response = client.patch(_url(incident), {"parent": parent})
        assert response.status_code == 422, (incident, parent)
        assert message in response.json()["errors"]["parent"][0]
        assert Incident.objects.get(pk=incident.pk).parent_id is None


# --- several at once ----------------------------------------------------------------------------------------


def _batch_item(world, title, **extra):
    return {"organisation": world.acme.pk, "requester": world.acme_user.person.pk, "title": title, **extra}


def test_a_batch_opens_every_incident_with_its_timeline_audit_and_acknowledgement(world, api):
    items = [
        _batch_item(world, "Disk full on FS01", impact="high", urgency="urgent"),
        _batch_item(world, "Printer offline", workgroup=world.network.pk),
        _batch_item(world, "Mail queue stuck", channel="email"),
    ]
    response = api(world.agent).post("/api/v1/incidents/batch", {"incidents": items})
    assert response.status_code == 201, response.json()
    results = response.json()["results"]
    assert [r["title"] for r in results] == ["Disk full on FS01", "Printer offline", "Mail queue stuck"]
    assert [r["status"] for r in results] == ["new", "assigned", "new"]
    assert [r["priority"] for r in results] == [1, 3, 4]  # e-mail calls default to P4
    for row in results:
        incident = Incident.objects.get(pk=row["id"])
        assert incident.status_changes.filter(action="open").count() == 1
        entry = history_for(incident).get(action="create")
        assert (entry.actor, entry.channel) == (world.agent, "api")
    assert OutboxMessage.objects.filter(subject__contains="received").count() == 3


def test_a_batch_with_one_bad_item_opens_nothing_and_names_the_item(world, api):
    items = [
        _batch_item(world, "Fine"),
        _batch_item(world, "Wrong person", requester=world.globex_user.person.pk),
        _batch_item(world, "Unknown category", category=999999),
    ]
    response = api(world.agent).post("/api/v1/incidents/batch", {"incidents": items})
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"incidents.2.category"}
    items.pop()
    response = api(world.agent).post("/api/v1/incidents/batch", {"incidents": items})
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"incidents.1.requester"}
    assert not Incident.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_a_batch_is_bounded_and_validated_per_field(world, api):
    client = api(world.agent)
    too_many = {"incidents": [_batch_item(world, f"Item {i}") for i in range(101)]}
    assert client.post("/api/v1/incidents/batch", too_many).status_code == 422
    assert client.post("/api/v1/incidents/batch", {"incidents": []}).status_code == 422
    response = client.post("/api/v1/incidents/batch", {"incidents": [_batch_item(world, "")]})
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"incidents.0.title"}


def test_another_customers_organisation_in_a_batch_is_unknown(world, api):
    item = {"organisation": world.globex.pk, "requester": world.globex_user.person.pk, "title": "Theirs"}
    response = api(world.acme_only_agent).post("/api/v1/incidents/batch", {"incidents": [item]})
    assert response.status_code == 422
    assert "incidents.0.organisation" in response.json()["errors"]
    assert not Incident.objects.exists()
