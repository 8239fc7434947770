"""The customer portal, through the eyes of Acme's and Globex's people."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from opsdesk.core.context import acting_as
from opsdesk.core.models import OutboxMessage
from opsdesk.incidents import services
from opsdesk.incidents.choices import Channel, Impact, Status, Urgency
from opsdesk.incidents.models import Attachment, Comment, Incident, StatusChange
from opsdesk.incidents.priority import priority_for


def _raise(client, **data):
    payload = {"title": "Printer jams", "description": "Every page jams on tray 2.", "urgency": "normal"}
    payload.update(data)
    return client.post("/portal/new/", payload)


def _for(world, user, **fields):
    """An incident requested by ``user`` (recorded by the service desk)."""
    return world.incident(org=user.person.organisation, requester=user.person, **fields)


def _completed(world, user, **fields):
    inc = _for(world, user, **fields)
    inc = world.act(inc, "assign", workgroup=world.service_desk)
    inc = world.act(inc, "accept")
    return world.act(
        inc, "complete", resolution_code="fixed", resolution_notes="Cleaned the rollers on tray 2."
    )


def _upload(name, content=b"some bytes"):
    return SimpleUploadedFile(name, content)


def _staff_note(world, inc, body, is_public=False):
    with acting_as(world.agent, "web"):
        return services.add_comment(inc, body, by=world.agent, is_public=is_public)


def _staff_file(world, inc, name, is_public=False):
    with acting_as(world.agent, "web"):
        return services.add_attachment(
            inc, _upload(name, b"internal data"), by=world.agent, is_public=is_public
        )


# --- who gets in -------------------------------------------------------------------------------------------


def test_staff_are_sent_to_the_agent_pages(world, login):
    for user in (world.agent, world.manager, world.admin):
        response = login(user).get("/portal/")
        assert response.status_code == 302 and response["Location"] == "/"


def test_anonymous_visitors_must_log_in(client):
    response = client.get("/portal/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


# --- raising an incident ----------------------------------------------------------------------------------


def test_raise_an_incident_without_attachments(world, login):
    alice = login(world.acme_user)
    response = _raise(alice, title="VPN drops every hour", urgency="urgent")
    inc = Incident.objects.get(title="VPN drops every hour")
    assert response.status_code == 302 and response["Location"] == f"/portal/{inc.number}/"
    assert inc.channel == Channel.PORTAL
    assert inc.requester == world.acme_user.person and inc.organisation == world.acme
    assert (inc.impact, inc.urgency) == (Impact.LOW, Urgency.URGENT)
    assert inc.priority == priority_for(Impact.LOW, Urgency.URGENT)
    assert inc.status == Status.NEW
    page = alice.get(response["Location"]).content.decode()
    assert "VPN drops every hour" in page and "Every page jams on tray 2." in page
    assert f"{inc.number} has been raised" in page


def test_the_form_labels_every_field(world, login):
    page = login(world.acme_user).get("/portal/new/").content.decode()
    for field in ("id_title", "id_description", "id_urgency", "id_attachments"):
        assert f'for="{field}"' in page
    assert "Raise the incident</button>" in page
    # Impact is the service desk's call, and "immediate" is for disasters reported by phone.
    assert 'name="impact"' not in page and 'value="immediate"' not in page


def test_raise_with_attachments(world, login):
    alice = login(world.acme_user)
    response = alice.post(
        "/portal/new/",
        {
            "title": "Screen flickers",
            "description": "See the photo and the log.",
            "urgency": "normal",
            "attachments": [_upload("photo.png", b"\x89PNG fake"), _upload("event.log", b"error 42")],
        },
    )
    assert response.status_code == 302
    inc = Incident.objects.get(title="Screen flickers")
    files = list(Attachment.objects.filter(incident=inc).order_by("filename"))
    assert [a.filename for a in files] == ["event.log", "photo.png"]
    assert all(a.is_public and a.uploaded_by == world.acme_user for a in files)
    page = alice.get(f"/portal/{inc.number}/").content.decode()
    assert "photo.png" in page and "event.log" in page
    download = alice.get(f"/portal/{inc.number}/attachments/{files[0].pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"error 42"


def test_a_bad_attachment_keeps_nothing_and_keeps_the_typed_text(world, login, settings):
    alice = login(world.acme_user)
    incidents, outbox = Incident.objects.count(), OutboxMessage.objects.count()
    response = alice.post(
        "/portal/new/",
        {
            "title": "Strange program on my PC",
            "description": "It appeared this morning.",
            "urgency": "critical",
            "attachments": [_upload("notes.txt", b"fine"), _upload("setup.exe", b"MZ...")],
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "setup.exe" in page and "not accepted" in page
    assert "has not been raised yet" in page
    assert 'value="Strange program on my PC"' in page and "It appeared this morning." in page
    assert Incident.objects.count() == incidents
    assert Attachment.objects.count() == 0
    assert OutboxMessage.objects.count() == outbox
    stored = settings.MEDIA_ROOT / "attachments"
    assert not stored.exists() or not any(p.is_file() for p in stored.rglob("*"))


def test_missing_title_is_reported(world, login):
    response = _raise(login(world.acme_user), title="")
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not Incident.objects.exists()


# --- who sees what ----------------------------------------------------------------------------------------


@pytest.fixture
def three(world):
    """One incident each for Alice and Bob (Acme) and Gus (Globex)."""
    return (
        _for(world, world.acme_user, title="Alice cannot print"),
        _for(world, world.acme_user2, title="Bob lost his mailbox"),
        _for(world, world.globex_user, title="Gus has no network"),
    )


@pytest.mark.parametrize(
    "persona,sees,hidden",
    [
        ("acme_user", ["Alice cannot print"], ["Bob lost his mailbox", "Gus has no network"]),
        ("acme_user2", ["Bob lost his mailbox"], ["Alice cannot print", "Gus has no network"]),
        ("acme_manager", ["Alice cannot print", "Bob lost his mailbox"], ["Gus has no network"]),
        ("globex_user", ["Gus has no network"], ["Alice cannot print", "Bob lost his mailbox"]),
    ],
)
def test_the_list_shows_only_what_the_user_may_see(world, login, three, persona, sees, hidden):
    page = login(getattr(world, persona)).get("/portal/").content.decode()
    for title in sees:
        assert title in page
    for title in hidden:
        assert title not in page


def _urls(inc, attachment):
    n = inc.number
    return [
        ("get", f"/portal/{n}/", {}),
        ("post", f"/portal/{n}/reply/", {"body": "hello"}),
        ("post", f"/portal/{n}/confirm/", {}),
        ("post", f"/portal/{n}/reject/", {"reason": "still broken"}),
        ("post", f"/portal/{n}/attachments/", {"files": _upload("x.txt")}),
        ("get", f"/portal/{n}/attachments/{attachment.pk}/", {}),
    ]


@pytest.mark.parametrize(
    "persona,owner",
    [("acme_user2", "acme_user"), ("globex_user", "acme_user"), ("acme_manager", "globex_user")],
)
def test_another_users_or_organisations_incident_is_not_found(world, login, persona, owner):
    inc = _completed(world, getattr(world, owner))
    attachment = _staff_file(world, inc, "report.pdf", is_public=True)
    client = login(getattr(world, persona))
    for method, url, data in _urls(inc, attachment):
        assert getattr(client, method)(url, data).status_code == 404, url
    inc.refresh_from_db()
    assert inc.status == Status.COMPLETED
    assert not Comment.objects.filter(incident=inc).exists()
    assert Attachment.objects.filter(incident=inc).count() == 1


def test_a_customer_manager_follows_the_whole_organisation(world, login, three):
    alice_inc = three[0]
    carol = login(world.acme_manager)
    assert carol.get(f"/portal/{alice_inc.number}/").status_code == 200
    page = carol.get("/portal/").content.decode()
    assert "Raised by" in page and "Alice Acme" in page


def test_unknown_numbers_are_not_found(world, login):
    alice = login(world.acme_user)
    assert alice.get("/portal/INC-999999/").status_code == 404
    assert alice.get("/portal/not-a-number/").status_code == 404


def test_internal_notes_and_files_never_reach_the_portal(world, login):
    inc = _for(world, world.acme_user, title="Mail bounces")
    inc = world.act(inc, "assign", workgroup=world.service_desk)
    inc = world.act(inc, "reassign", workgroup=world.network, note="staff-only handover remark")
    _staff_note(world, inc, "INTERNAL: customer's admin broke the MX record")
    _staff_note(world, inc, "We are checking your mail server now.", is_public=True)
    secret = _staff_file(world, inc, "internal-dump.txt")
    _staff_file(world, inc, "public-guide.pdf", is_public=True)
    for persona in ("acme_user", "acme_manager"):
        client = login(getattr(world, persona))
        page = client.get(f"/portal/{inc.number}/").content.decode()
        assert "We are checking your mail server now." in page and "public-guide.pdf" in page
        assert "INTERNAL" not in page and "internal-dump.txt" not in page
        assert "staff-only handover remark" not in page
        assert client.get(f"/portal/{inc.number}/attachments/{secret.pk}/").status_code == 404
        listing = client.get("/portal/").content.decode()
        assert "INTERNAL" not in listing


# --- confirming or rejecting a fix ------------------------------------------------------------------------


def test_the_list_calls_out_incidents_awaiting_confirmation(world, login):
    inc = _completed(world, world.acme_user, title="Laptop will not boot")
    page = login(world.acme_user).get("/portal/").content.decode()
    assert "waits for your confirmation" in page
    assert f'href="/portal/{inc.number}/"' in page
    assert "awaiting-title" not in login(world.acme_user2).get("/portal/").content.decode()


def test_confirm_closes_the_incident(world, login):
    inc = _completed(world, world.acme_user)
    alice = login(world.acme_user)
    page = alice.get(f"/portal/{inc.number}/").content.decode()
    assert "Cleaned the rollers on tray 2." in page
    assert "Confirm – it is fixed</button>" in page and "Not fixed</button>" in page
    response = alice.post(f"/portal/{inc.number}/confirm/", {"version": inc.version})
    assert response.status_code == 302
    inc.refresh_from_db()
    assert inc.status == Status.CLOSED and inc.closed_at is not None
    last = StatusChange.objects.filter(incident=inc).last()
    assert last.action == "close" and last.actor == world.acme_user
    assert last.details["agreement"] == "confirmed by the customer"
    page = alice.get(f"/portal/{inc.number}/").content.decode()
    assert "Fix confirmed by Alice Acme" in page
    assert "Confirm – it is fixed" not in page and "Send reply" not in page


def test_a_customer_manager_may_confirm_for_a_colleague(world, login):
    inc = _completed(world, world.acme_user)
    login(world.acme_manager).post(f"/portal/{inc.number}/confirm/")
    inc.refresh_from_db()
    assert inc.status == Status.CLOSED


def test_reject_needs_a_reason_and_reopens(world, login):
    inc = _completed(world, world.acme_user)
    alice = login(world.acme_user)
    response = alice.post(f"/portal/{inc.number}/reject/", {"reason": "  "})
    assert response.status_code == 200
    assert "Please tell us what is still not working." in response.content.decode()
    inc.refresh_from_db()
    assert inc.status == Status.COMPLETED and inc.reopen_count == 0

    response = alice.post(f"/portal/{inc.number}/reject/", {"reason": "Tray 2 still jams."})
    assert response.status_code == 302
    inc.refresh_from_db()
    assert inc.status == Status.ACCEPTED and inc.reopen_count == 1
    page = alice.get(f"/portal/{inc.number}/").content.decode()
    assert "Reported as not fixed by Alice Acme: Tray 2 still jams." in page
    assert "Confirm – it is fixed" not in page


def test_confirming_when_there_is_nothing_to_confirm_changes_nothing(world, login):
    inc = _for(world, world.acme_user)
    alice = login(world.acme_user)
    response = alice.post(f"/portal/{inc.number}/confirm/", follow=True)
    assert "Nothing was changed" in response.content.decode()
    inc.refresh_from_db()
    assert inc.status == Status.NEW


def test_a_stale_page_does_not_confirm(world, login):
    inc = _completed(world, world.acme_user)
    stale_version = inc.version
    world.act(inc, "reopen", note="Found another fault while on site")
    inc = world.act(inc, "complete", resolution_code="hardware", resolution_notes="Replaced the fuser.")
    response = login(world.acme_user).post(
        f"/portal/{inc.number}/confirm/", {"version": stale_version}, follow=True
    )
    assert "changed while you were reading it" in response.content.decode()
    inc.refresh_from_db()
    assert inc.status == Status.COMPLETED


# --- the conversation -------------------------------------------------------------------------------------


def test_replies_appear_on_the_timeline(world, login):
    inc = _for(world, world.acme_user)
    _staff_note(world, inc, "Could you tell us the printer's asset tag?", is_public=True)
    alice = login(world.acme_user)
    response = alice.post(f"/portal/{inc.number}/reply/", {"body": "It is PRN-0042."})
    assert response.status_code == 302
    comment = Comment.objects.get(incident=inc, author=world.acme_user)
    assert comment.is_public and comment.body == "It is PRN-0042."
    page = alice.get(f"/portal/{inc.number}/").content.decode()
    assert page.index("asset tag") < page.index("It is PRN-0042.")
    # The manager of the organisation follows the same conversation.
    assert "It is PRN-0042." in login(world.acme_manager).get(f"/portal/{inc.number}/").content.decode()


def test_an_empty_reply_is_refused(world, login):
    inc = _for(world, world.acme_user)
    response = login(world.acme_user).post(f"/portal/{inc.number}/reply/", {"body": ""})
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    assert not Comment.objects.filter(incident=inc).exists()


def test_a_closed_incident_takes_no_more_replies(world, login):
    inc = _completed(world, world.acme_user)
    inc = world.act(inc, "close", by=world.acme_user)
    alice = login(world.acme_user)
    response = alice.post(f"/portal/{inc.number}/reply/", {"body": "One more thing"})
    assert "raise a new one" in response.content.decode()
    assert not Comment.objects.filter(incident=inc).exists()


def test_a_closed_incident_takes_no_more_files(world, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    inc = world.act(_completed(world, world.acme_user), "close", by=world.acme_user)
    alice = login(world.acme_user)
    page = alice.get(f"/portal/{inc.number}/").content.decode()
    assert "raise a new incident" in page and "Attach files" not in page
    response = alice.post(f"/portal/{inc.number}/attachments/", {"files": [_upload("trace.txt")]})
    assert response.status_code == 200
    assert "trace.txt: This incident is closed; raise a new one." in response.content.decode()
    assert not Attachment.objects.filter(incident=inc).exists()
    assert not list(tmp_path.rglob("*"))  # no file left in storage either


def test_add_files_to_an_open_incident(world, login):
    inc = _for(world, world.acme_user)
    alice = login(world.acme_user)
    response = alice.post(f"/portal/{inc.number}/attachments/", {"files": [_upload("trace.txt")]})
    assert response.status_code == 302
    assert Attachment.objects.get(incident=inc).filename == "trace.txt"
    response = alice.post(f"/portal/{inc.number}/attachments/", {"files": [_upload("virus.exe")]})
    assert response.status_code == 200 and "virus.exe" in response.content.decode()
    assert Attachment.objects.filter(incident=inc).count() == 1


@pytest.mark.parametrize("name", ["page.html", "drawing.svg", "notes.txt"])
def test_downloads_are_never_rendered_by_the_browser(world, login, settings, name):
    settings.ATTACHMENT_ALLOWED_TYPES = [".html", ".svg", ".txt"]
    inc = _for(world, world.acme_user)
    attachment = _staff_file(world, inc, name, is_public=True)
    response = login(world.acme_user).get(f"/portal/{inc.number}/attachments/{attachment.pk}/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert name in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "html" not in response["Content-Type"] and "svg" not in response["Content-Type"]


# --- finding incidents ------------------------------------------------------------------------------------


def test_status_filter_and_search(world, login):
    _completed(world, world.acme_user, title="Monitor is dark")
    _for(world, world.acme_user, title="Keyboard sticks")
    alice = login(world.acme_user)
    page = alice.get("/portal/?status=completed").content.decode()
    assert "Monitor is dark" in page and "Keyboard sticks" not in page
    page = alice.get("/portal/?status=open").content.decode()
    assert "Keyboard sticks" in page and "Monitor is dark</td>" not in page
    page = alice.get("/portal/?q=keyboard").content.decode()
    assert "Keyboard sticks" in page and "Monitor is dark</td>" not in page


def test_pages_newest_first_with_bounded_queries(world, login, django_assert_max_num_queries):
    made = [_for(world, world.acme_user, title=f"Issue number {i:02d}") for i in range(30)]
    alice = login(world.acme_user)
    with django_assert_max_num_queries(12):
        first = alice.get("/portal/")
    page = first.content.decode()
    assert "Issue number 29" in page and "Issue number 05" in page and "Issue number 04" not in page
    assert page.index("Issue number 29") < page.index("Issue number 28")
    next_url = f"?after={made[5].pk}"
    assert next_url in page
    second = alice.get(f"/portal/{next_url}").content.decode()
    assert "Issue number 04" in second and "Issue number 00" in second and "Issue number 05" not in second
    assert f"?before={made[4].pk}" in second
    back = alice.get(f"/portal/?before={made[4].pk}").content.decode()
    assert "Issue number 29" in back and "Issue number 05" in back and "Issue number 04" not in back
