"""The customers' self-service pages: raise an incident, follow it, reply, confirm or reject a fix.

Views only parse input, call ``opsdesk.incidents.services`` and render. What a customer may see is decided
once, by ``Model.objects.restrict(user)``: a customer user sees the incidents they requested, a customer
manager those of the whole organisation, and nobody sees internal work notes or internal attachments.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from opsdesk.catalogue.models import Service
from opsdesk.core.downloads import file_download
from opsdesk.core.errors import IllegalTransition, PermissionDenied, StaleObject
from opsdesk.incidents import clocks, services
from opsdesk.incidents.choices import OPEN_STATUSES, Channel, Impact, Status
from opsdesk.incidents.models import Attachment, Comment, Incident, StatusChange, parse_number
from opsdesk.portal.forms import ListFilterForm, RaiseIncidentForm, RejectForm, ReplyForm, UploadForm
from opsdesk.portal.templatetags.portal_tags import pending_text

PAGE_SIZE = 25
AWAITING_SHOWN = 5

# What a customer can do, in their words (used when an action is no longer possible).
CUSTOMER_ACTION_TEXT = {"close": "confirm the fix", "reject": "report that it is not fixed"}

# Content types a browser could render as a page or run as script are always sent as plain bytes.


def customer_required(view):
    """Customers only; provider staff work in the agent pages, so they are sent there."""

    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not request.user.is_customer:
            return redirect("/")
        return view(request, *args, **kwargs)

    return wrapper


def incident_or_404(request: HttpRequest, number: str) -> Incident:
    pk = parse_number(number)
    if pk is None:
        raise Http404("No such incident")
    qs = Incident.objects.restrict(request.user).select_related(
        "requester", "owner", "organisation", "service"
    )
    return get_object_or_404(qs, pk=pk)


def _detail_url(incident: Incident) -> str:
    return reverse("portal:detail", args=[incident.number])


def _add_errors(form, err: ValidationError, rename: dict[str, str] | None = None) -> None:
    """Put a service's ValidationError onto the form: on the matching field, else at the top."""
    rename = rename or {}
    if not hasattr(err, "error_dict"):
        form.add_error(None, err.messages)
        return
    for name, errors in err.message_dict.items():
        field = rename.get(name, name)
        form.add_error(field if field in form.fields else None, errors)


# --- list -------------------------------------------------------------------------------------------------


def _filtered(qs, status: str):
    if status == "open":
        return qs.filter(status__in=OPEN_STATUSES)
    if status in (Status.COMPLETED, Status.CLOSED):
        return qs.filter(status=status)
    return qs


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 18 else None


def _page(request: HttpRequest, qs) -> tuple[list[Incident], str, str]:
    """Keyset pagination on the id, newest first: every page is one bounded query, whatever the total."""
    after = _int_or_none(request.GET.get("after"))  # older than this id: the next page
    before = _int_or_none(request.GET.get("before"))  # newer than this id: the previous page
    if before is not None:
        rows = list(qs.filter(pk__gt=before).order_by("pk")[: PAGE_SIZE + 1])
        has_prev, has_next = len(rows) > PAGE_SIZE, True
        rows = list(reversed(rows[:PAGE_SIZE]))
    else:
        page_qs = qs if after is None else qs.filter(pk__lt=after)
        rows = list(page_qs.order_by("-pk")[: PAGE_SIZE + 1])
        has_next = len(rows) > PAGE_SIZE
        rows = rows[:PAGE_SIZE]
        has_prev = after is not None and bool(rows) and qs.filter(pk__gt=rows[0].pk).exists()
    if not rows:
        return [], "", ""

    def url(**cursor: int) -> str:
        query = request.GET.copy()
        query.pop("after", None)
        query.pop("before", None)
        query.update(cursor)
        return f"?{query.urlencode()}"

    prev_url = url(before=rows[0].pk) if has_prev else ""
    next_url = url(after=rows[-1].pk) if has_next else ""
    return rows, prev_url, next_url


@customer_required
def home(request: HttpRequest) -> HttpResponse:
    form = ListFilterForm(request.GET or None)
    status, text = "all", ""
    if form.is_valid():
        status = form.cleaned_data["status"] or "all"
        text = form.cleaned_data["q"].strip()
    visible = Incident.objects.restrict(request.user)
    qs = _filtered(visible, status).search(text).select_related("requester")
    incidents, prev_url, next_url = _page(request, qs)
    awaiting = list(visible.filter(status=Status.COMPLETED).order_by("-pk")[: AWAITING_SHOWN + 1])
    return render(
        request,
        "portal/list.html",
        {
            "form": form,
            "incidents": incidents,
            "status": status,
            "searching": bool(text) or status != "all",
            "awaiting": awaiting[:AWAITING_SHOWN],
            "more_awaiting": len(awaiting) > AWAITING_SHOWN,
            "prev_url": prev_url,
            "next_url": next_url,
            "is_manager": request.user.role == "customer_manager",
        },
    )


# --- raise ------------------------------------------------------------------------------------------------


def _raise(user, data: dict[str, Any]) -> Incident:
    """Create the incident and its attachments in one transaction: a bad file leaves nothing behind."""
    with transaction.atomic():
        incident = services.create_incident(
            by=user,
            organisation=user.person.organisation,
            requester=user.person,
            title=data["title"],
            description=data["description"],
            urgency=data["urgency"],
            impact=Impact.LOW,
            channel=Channel.PORTAL,
            service=data.get("service"),
        )
        _attach_all(incident, data["attachments"], user, field="attachments")
    return incident


def _attach_all(incident: Incident, uploads, user, field: str) -> list[Attachment]:
    """Add every upload, collecting each file's problems; any problem fails the caller's transaction
    (call it inside ``transaction.atomic``), and the files already stored are removed again."""
    stored, problems = [], []
    for upload in uploads:
        try:
            stored.append(services.add_attachment(incident, upload, by=user, is_public=True))
        except ValidationError as err:
            problems.extend(f"{upload.name}: {message}" for message in err.messages)
    if problems:
        _discard_files(stored)
        raise ValidationError({field: problems})
    return stored


def _discard_files(attachments: list[Attachment]) -> None:
    # The rows are rolled back with the transaction; the files already written to storage are not.
    for attachment in attachments:
        if attachment.file:
            attachment.file.delete(save=False)


@customer_required
def new(request: HttpRequest) -> HttpResponse:
    if request.user.person_id is None:
        raise DjangoPermissionDenied("This login is not linked to a person of a customer organisation.")
    services = Service.objects.subscribed_by(request.user.person.organisation_id).only("id", "name")
    form = RaiseIncidentForm(request.POST or None, request.FILES or None, services=services)
    if request.method == "POST" and form.is_valid():
        try:
            incident = _raise(request.user, form.cleaned_data)
        except ValidationError as err:
            _add_errors(form, err)
            if "attachments" in form.errors:
                form.add_error(
                    None,
                    "Your incident has not been raised yet. Please fix the attachments "
                    "and choose the files again; the text you typed is kept.",
                )
        except PermissionDenied as err:
            raise DjangoPermissionDenied(str(err))
        else:
            messages.success(
                request, f"Thank you – your incident {incident.number} has been raised. We will be in touch."
            )
            return redirect(_detail_url(incident))
    return render(request, "portal/new.html", {"form": form})


# --- detail and its actions -------------------------------------------------------------------------------


@dataclass
class Entry:
    kind: str  # reply, attachment, status
    at: Any
    order: int
    obj: Any
    text: str = ""


def _actor_name(user) -> str:
    if user is None:
        return "opsdesk"
    return user.get_full_name() or user.username


def _status_text(change: StatusChange) -> str:
    details = change.details or {}
    if change.action == "open":
        return "Incident raised"
    if change.action in ("assign", "reassign"):
        return "Passed to a support team"
    if change.action == "accept":
        return f"{details.get('owner') or _actor_name(change.actor)} is working on it"
    if change.action == "pend":
        return f"On hold – {pending_text(details.get('reason', ''))}"
    if change.action == "resume":
        return "Work resumed"
    if change.action == "complete":
        return "Marked as fixed – waiting for confirmation"
    if change.action == "close":
        if details.get("agreement") == "confirmed by the customer":
            return f"Fix confirmed by {_actor_name(change.actor)} – incident closed"
        return "Closed – the customer's agreement was recorded by the service desk"
    if change.action == "reject":
        # The note of a rejection is the customer's own reason, so it is shown; other notes are staff's.
        return f"Reported as not fixed by {_actor_name(change.actor)}: {change.note}"
    if change.action == "reopen":
        return "Reopened by the service desk"
    return f"Status changed to {Status(change.to_status).label}"


def _timeline(user, incident: Incident) -> list[Entry]:
    entries = [
        Entry("reply", c.created_at, 1, c)
        for c in Comment.objects.restrict(user).filter(incident=incident).select_related("author")
    ]
    entries += [
        Entry("attachment", a.created_at, 2, a)
        for a in Attachment.objects.restrict(user).filter(incident=incident).select_related("uploaded_by")
    ]
    entries += [
        Entry("status", s.at, 0, s, _status_text(s))
        for s in StatusChange.objects.filter(incident=incident).select_related("actor")
    ]
    entries.sort(key=lambda e: (e.at, e.order, e.obj.pk))
    return entries


def _render_detail(request: HttpRequest, incident: Incident, **forms) -> HttpResponse:
    actions = services.allowed_actions(incident, request.user)
    context = {
        "incident": incident,
        "sla": clocks.panel(incident),
        "timeline": _timeline(request.user, incident),
        "reply_form": forms.get("reply_form") or ReplyForm(),
        "upload_form": forms.get("upload_form") or UploadForm(),
        "reject_form": forms.get("reject_form") or RejectForm(),
        "can_confirm": "close" in actions,
        "can_reject": "reject" in actions,
        "is_closed": incident.status == Status.CLOSED,
    }
    return render(request, "portal/detail.html", context)


@customer_required
def detail(request: HttpRequest, number: str) -> HttpResponse:
    return _render_detail(request, incident_or_404(request, number))


def _expected_version(request: HttpRequest) -> int | None:
    return _int_or_none(request.POST.get("version"))


def _transition_failed(request: HttpRequest, incident: Incident, err: Exception) -> HttpResponse:
    if isinstance(err, StaleObject):
        messages.warning(
            request, "The incident changed while you were reading it. Please look at it again and retry."
        )
    elif isinstance(err, IllegalTransition):
        incident.refresh_from_db()
        possible = [CUSTOMER_ACTION_TEXT[a] for a in services.allowed_actions(incident, request.user)]
        message = f"Nothing was changed: the incident is now “{Status(incident.status).label}”."
        if possible:
            message += f" You can {' or '.join(possible)}."
        messages.error(request, message)
    return redirect(_detail_url(incident))


def _post_only(view):
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if request.method != "POST":
            return redirect(reverse("portal:detail", args=[kwargs["number"]]))
        return view(request, *args, **kwargs)

    return wrapper


@customer_required
@_post_only
def confirm(request: HttpRequest, number: str) -> HttpResponse:
    incident = incident_or_404(request, number)
    try:
        services.transition(incident, "close", by=request.user, expected_version=_expected_version(request))
    except (StaleObject, IllegalTransition) as err:
        return _transition_failed(request, incident, err)
    except PermissionDenied as err:
        raise DjangoPermissionDenied(str(err))
    messages.success(request, f"Thank you for confirming. Incident {incident.number} is now closed.")
    return redirect(_detail_url(incident))


@customer_required
@_post_only
def reject(request: HttpRequest, number: str) -> HttpResponse:
    incident = incident_or_404(request, number)
    form = RejectForm(request.POST)
    if form.is_valid():
        try:
            services.transition(
                incident,
                "reject",
                by=request.user,
                expected_version=_expected_version(request),
                note=form.cleaned_data["reason"],
            )
        except (StaleObject, IllegalTransition) as err:
            return _transition_failed(request, incident, err)
        except PermissionDenied as err:
            raise DjangoPermissionDenied(str(err))
        except ValidationError as err:
            _add_errors(form, err, {"note": "reason"})
        else:
            messages.success(
                request, f"Thank you. Incident {incident.number} is reopened and back with the service desk."
            )
            return redirect(_detail_url(incident))
    return _render_detail(request, incident, reject_form=form)


@customer_required
@_post_only
def reply(request: HttpRequest, number: str) -> HttpResponse:
    incident = incident_or_404(request, number)
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            services.add_comment(incident, form.cleaned_data["body"], by=request.user, is_public=True)
        except PermissionDenied as err:
            raise DjangoPermissionDenied(str(err))
        except ValidationError as err:
            _add_errors(form, err)
        else:
            messages.success(request, "Your reply has been sent to the service desk.")
            return redirect(_detail_url(incident))
    return _render_detail(request, incident, reply_form=form)


@customer_required
@_post_only
def upload(request: HttpRequest, number: str) -> HttpResponse:
    incident = incident_or_404(request, number)
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            with transaction.atomic():
                stored = _attach_all(incident, form.cleaned_data["files"], request.user, field="files")
        except ValidationError as err:
            _add_errors(form, err)
        else:
            names = ", ".join(a.filename for a in stored)
            messages.success(request, f"Added {names}.")
            return redirect(_detail_url(incident))
    return _render_detail(request, incident, upload_form=form)


@customer_required
def download(request: HttpRequest, number: str, attachment_id: int) -> FileResponse:
    incident = incident_or_404(request, number)
    attachment = get_object_or_404(
        Attachment.objects.restrict(request.user), pk=attachment_id, incident_id=incident.pk
    )
    return file_download(attachment.file, attachment.filename, attachment.content_type)
