"""Forms of the agent pages. They only parse and validate input; the services decide and write."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from opsdesk.accounts.choices import STAFF_ROLES
from opsdesk.accounts.models import Organisation, Person, User, Workgroup
from opsdesk.catalogue.models import Service
from opsdesk.cmdb.models import CI
from opsdesk.core.views import QuickSelect, StyledForm
from opsdesk.incidents import cis as affected
from opsdesk.incidents.choices import Channel, Impact, PendingReason, ResolutionCode, Status, Urgency
from opsdesk.incidents.models import Category, Incident, format_number, parse_number

# --- the queue's filter bar -------------------------------------------------------------------------------

UNACCEPTED = f"{Status.NEW},{Status.ASSIGNED}"
SLA_FILTERS = [
    ("at_risk", "At risk (past the first warning)"),
    ("breached", "Breached"),
    ("paused", "Clock paused"),
]
OUTDATED = {"required": "This form is out of date; reload the page.", "invalid": "This form is out of date."}


def _choices(*pairs, extra=()) -> list[tuple[str, str]]:
    return [("", "Any"), *pairs, *extra]


class QueueFilterForm(StyledForm):
    """Renders the queue's filter bar. Parsing and validation are IncidentFilter's job: every field is a
    plain string here, and IncidentFilter's errors are put onto these fields by the view."""

    q = forms.CharField(
        label="Search",
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Number, title or description"}),
    )
    status = forms.CharField(label="Status", required=False, widget=QuickSelect)
    priority = forms.CharField(label="Priority", required=False, widget=QuickSelect)
    organisation = forms.CharField(label="Organisation", required=False, widget=QuickSelect)
    workgroup = forms.CharField(label="Workgroup", required=False, widget=QuickSelect)
    owner = forms.CharField(label="Owner", required=False, widget=QuickSelect)
    channel = forms.CharField(label="Channel", required=False, widget=QuickSelect)
    category = forms.CharField(label="Category", required=False, widget=QuickSelect)
    service = forms.CharField(label="Service", required=False, widget=QuickSelect)
    sla = forms.CharField(label="SLA", required=False, widget=QuickSelect)
    opened_from = forms.CharField(
        label="Opened from", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    opened_to = forms.CharField(
        label="Opened to", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, data, *, user: User, workgroups, owners, organisations, categories, services=()):
        super().__init__(data)
        status_choices = [
            ("open", "Open"),
            (UNACCEPTED, "Not yet accepted"),
            *Status.choices,
        ]
        self._set("status", _choices(*status_choices))
        self._set("priority", _choices(*[(str(p), f"P{p}") for p in range(5)]))
        self._set("organisation", _choices(*[(str(o.pk), o.name) for o in organisations]))
        self._set(
            "workgroup",
            _choices(
                ("mine", "My workgroups"),
                ("none", "No workgroup"),
                *[(str(w.pk), w.name) for w in workgroups],
            ),
        )
        self._set(
            "owner",
            _choices(("me", "Me"), ("none", "Nobody"), *[(str(u.pk), str(u)) for u in owners]),
        )
        self._set("channel", _choices(*Channel.choices))
        self._set("category", _choices(*[(str(c.pk), c.name) for c in categories]))
        self._set("service", _choices(("none", "No service"), *[(str(s.pk), s.name) for s in services]))
        self._set("sla", _choices(*SLA_FILTERS))

    def _set(self, name: str, choices: list[tuple[str, str]]) -> None:
        # A value from a hand-written URL (a list, say) is shown as it is rather than silently as "Any".
        value = ",".join(self.data.getlist(name)) if hasattr(self.data, "getlist") else self.data.get(name)
        if value and value not in {c[0] for c in choices}:
            choices.append((value, value))
        self.fields[name].widget.choices = choices

    @property
    def advanced_fields(self):
        return [
            self[name]
            for name in ("sla", "organisation", "workgroup", "owner", "channel", "category", "service")
        ]


class SaveViewForm(StyledForm):
    name = forms.CharField(label="View name", max_length=80)
    query = forms.CharField(required=False, widget=forms.HiddenInput)


# --- create and edit --------------------------------------------------------------------------------------


def people_of(user: User, organisation_id) -> QuerySet:
    if not organisation_id:
        return Person.objects.none()
    return (
        Person.objects.restrict(user)
        .filter(organisation_id=organisation_id, is_active=True)
        .select_related("organisation")
    )


def subcategories_of(category_id) -> QuerySet:
    if not category_id:
        return Category.objects.none()
    return Category.objects.filter(parent_id=category_id, is_active=True).select_related("parent")


def services_of(organisation_id, on=None) -> QuerySet:
    """The services an organisation subscribes to on the day ``on`` (default today)."""
    if not organisation_id:
        return Service.objects.none()
    return Service.objects.subscribed_by(organisation_id, on=on or timezone.localdate()).only("id", "name")


def _field_value(form: forms.Form, name: str, fallback=None):
    if form.is_bound:
        value = form.data.get(form.add_prefix(name))
        return value if str(value or "").isdigit() else None
    return form.initial.get(name, fallback)


class IncidentForm(StyledForm):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), label="Organisation", empty_label="Choose the organisation…"
    )
    requester = forms.ModelChoiceField(
        queryset=Person.objects.none(),
        label="Requester",
        empty_label="Choose the requester…",
        help_text="The person who reported the incident (people of the chosen organisation).",
    )
    title = forms.CharField(max_length=200, label="Title")
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}), required=False, label="Description"
    )
    channel = forms.ChoiceField(choices=Channel.choices, initial=Channel.PHONE, label="Channel")
    impact = forms.ChoiceField(choices=Impact.choices, initial=Impact.LOW, label="Impact")
    urgency = forms.ChoiceField(choices=Urgency.choices, initial=Urgency.NORMAL, label="Urgency")
    category = forms.ModelChoiceField(
        queryset=Category.objects.none(), required=False, label="Category", empty_label="None"
    )
    subcategory = forms.ModelChoiceField(
        queryset=Category.objects.none(), required=False, label="Subcategory", empty_label="None"
    )
    service = forms.ModelChoiceField(
        queryset=Service.objects.none(),
        required=False,
        label="Affected service",
        empty_label="None / not known",
        help_text="The services the organisation subscribes to.",
    )
    ci_q = forms.CharField(
        required=False,
        max_length=200,
        label="Find configuration items",
        help_text="Name, serial number, asset tag or external id; the items already chosen stay chosen.",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off", "aria-controls": "id_cis"}),
    )
    cis = forms.ModelMultipleChoiceField(
        queryset=CI.objects.none(),
        required=False,
        label="Affected configuration items",
        help_text="The organisation's CIs and the provider's shared ones; the requester's site first. "
        "Ctrl-click (⌘-click) to choose several.",
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    parent = forms.CharField(
        required=False,
        max_length=20,
        label="Part of major incident",
        help_text="The number of the major incident this one belongs to (for example INC-000123); "
        "empty for none.",
        widget=forms.TextInput(attrs={"placeholder": "INC-000123", "autocomplete": "off"}),
    )
    workgroup = forms.ModelChoiceField(
        queryset=Workgroup.objects.none(),
        required=False,
        label="Assign to workgroup",
        empty_label="Not yet",
        help_text="Optional: assign straight away.",
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["organisation"].queryset = Organisation.objects.restrict(user).filter(is_active=True)
        self.fields["requester"].queryset = people_of(user, _field_value(self, "organisation"))
        if not _field_value(self, "organisation"):
            self.fields["requester"].empty_label = "Choose the organisation first"
        self.fields["category"].queryset = Category.objects.filter(parent__isnull=True, is_active=True)
        self.fields["subcategory"].queryset = subcategories_of(_field_value(self, "category"))
        self.fields["workgroup"].queryset = Workgroup.objects.restrict(user).filter(is_active=True)
        self.fields["service"].queryset = services_of(_field_value(self, "organisation"))
        self._offer_cis(_field_value(self, "organisation"), _field_value(self, "requester"))
        self.fields["cis"].widget.attrs.update(
            {
                "hx-get": "/incidents/new/cis/",
                "hx-trigger": "change from:#id_organisation, change from:#id_requester",
                "hx-include": "#id_organisation, #id_requester, #id_ci_q, this",
                "hx-swap": "innerHTML",
            }
        )
        self.fields["ci_q"].widget.attrs.update(
            {
                "hx-get": "/incidents/new/cis/",
                "hx-trigger": "input changed delay:300ms, search",
                "hx-include": "#id_organisation, #id_requester, #id_cis",
                "hx-target": "#id_cis",
                "hx-swap": "innerHTML",
            }
        )
        self.fields["service"].widget.attrs.update(
            {
                "hx-get": "/incidents/new/services/",
                "hx-trigger": "change from:#id_organisation",
                "hx-include": "#id_organisation",
                "hx-swap": "innerHTML",
            }
        )
        self.fields["organisation"].widget.attrs.update(
            {
                "hx-get": "/incidents/new/requesters/",
                "hx-target": "#id_requester",
                "hx-trigger": "change",
                "hx-swap": "innerHTML",
            }
        )
        self.fields["category"].widget.attrs.update(
            {
                "hx-get": "/incidents/new/subcategories/",
                "hx-target": "#id_subcategory",
                "hx-trigger": "change",
                "hx-swap": "innerHTML",
            }
        )

    def clean_parent(self) -> Incident | None:
        """The major incident by its number, among those the user may see (whether it fits is the
        service's decision: same organisation, one level deep, not closed)."""
        text = (self.cleaned_data.get("parent") or "").strip()
        if not text:
            return None
        pk = parse_number(text)
        parent = Incident.objects.restrict(self.user).filter(pk=pk).first() if pk else None
        if parent is None:
            raise forms.ValidationError(f"No such incident: {text}.")
        return parent

    def _offer_cis(self, organisation_id, requester_id, include=()) -> None:
        """Choices grouped by the requester's site; validation against every CI that may be offered."""
        shown, term = list(include), ""
        if self.is_bound:
            # Redisplayed after an error: the search typed and the CIs ticked (found by it) stay.
            raw = self.data.getlist("cis") if hasattr(self.data, "getlist") else self.data.get("cis") or []
            ticked = [pk for pk in raw if str(pk).isdigit()]
            shown += list(affected.offerable(self.user, organisation_id).filter(pk__in=ticked))
            term = (self.data.get("ci_q") or "")[:200]
        offer = affected.offer(self.user, organisation_id, requester_id, include=shown, q=term)
        field = self.fields["cis"]
        field.queryset = affected.offerable(self.user, organisation_id) | CI.objects.filter(
            pk__in=[ci.pk for ci in include]
        )
        field.choices = offer.choices()


class IncidentEditForm(IncidentForm):
    """The descriptive fields of an existing incident, with the version it was read at."""

    version = forms.IntegerField(widget=forms.HiddenInput, error_messages=OUTDATED)

    def __init__(self, *args, incident: Incident, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "organisation": incident.organisation_id,
                "requester": incident.requester_id,
                "title": incident.title,
                "description": incident.description,
                "channel": incident.channel,
                "impact": incident.impact,
                "urgency": incident.urgency,
                "category": incident.category_id,
                "subcategory": incident.subcategory_id,
                "service": incident.service_id,
                "cis": [ci.pk for ci in affected.affected_cis(incident)],
                "parent": format_number(incident.parent_id) if incident.parent_id else "",
                "version": incident.version,
            },
        )
        super().__init__(*args, **kwargs)
        self.incident = incident
        del self.fields["organisation"]
        del self.fields["workgroup"]
        self.fields["requester"].queryset = people_of(self.user, incident.organisation_id)
        self.fields["requester"].help_text = f"A person of {incident.organisation}."
        opened = timezone.localdate(incident.opened_at)
        self.fields["service"].queryset = services_of(incident.organisation_id, on=opened)
        self.fields[
            "service"
        ].help_text = f"Services {incident.organisation} subscribed to on {opened:%d %b %Y}."
        for name in ("hx-get", "hx-trigger", "hx-include", "hx-swap"):
            self.fields["service"].widget.attrs.pop(name, None)
        # The organisation is fixed: the CIs follow the requester only (a retired CI named before stays).
        self._offer_cis(
            incident.organisation_id,
            _field_value(self, "requester", incident.requester_id),
            include=affected.affected_cis(incident),
        )
        self.fields["cis"].widget.attrs.update(
            {
                "hx-get": "/incidents/new/cis/",
                "hx-trigger": "change from:#id_requester",
                "hx-include": "#id_requester, #id_ci_q, this",
                "hx-vals": f'{{"organisation": "{incident.organisation_id}"}}',
                "hx-swap": "innerHTML",
            }
        )
        self.fields["ci_q"].widget.attrs.update(
            {
                "hx-include": "#id_requester, #id_cis",
                "hx-vals": f'{{"organisation": "{incident.organisation_id}"}}',
            }
        )

    def changes(self) -> dict:
        changed = {
            name: self.cleaned_data[name] for name in self.changed_data if name not in ("version", "ci_q")
        }
        if "cis" in changed:
            changed["cis"] = list(changed["cis"])
        if "parent" in changed and getattr(changed["parent"], "pk", None) == self.incident.parent_id:
            del changed["parent"]  # the same incident, typed differently ("42" for "INC-000042")
        return changed


# --- the detail page: timeline and actions ----------------------------------------------------------------


class CommentForm(StyledForm):
    body = forms.CharField(label="Reply or work note", widget=forms.Textarea(attrs={"rows": 4}))
    is_public = forms.BooleanField(
        label="Public reply (the requester sees it and is e-mailed)",
        required=False,
        help_text="Leave unticked for an internal work note that only the service desk sees.",
    )


class AttachmentForm(StyledForm):
    file = forms.FileField(label="File")
    is_public = forms.BooleanField(label="Visible to the requester", required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = (
            f"Up to {settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)} MB; "
            f"{', '.join(settings.ATTACHMENT_ALLOWED_TYPES)}."
        )
        self.fields["file"].widget.attrs["accept"] = ",".join(settings.ATTACHMENT_ALLOWED_TYPES)


class ActionForm(StyledForm):
    """The fields one lifecycle action needs, plus the incident version the agent saw."""

    version = forms.IntegerField(widget=forms.HiddenInput, error_messages=OUTDATED)

    def __init__(self, *args, incident: Incident, user: User, **kwargs):
        kwargs.setdefault("prefix", self.action)
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("version", incident.version)
        super().__init__(*args, **kwargs)
        self.incident = incident
        self.user = user

    def params(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "version" and v not in (None, "")}


def _note(label="Note", required=False, help_text=""):
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AssignForm(ActionForm):
    action = "assign"
    workgroup = forms.ModelChoiceField(
        queryset=Workgroup.objects.none(), label="Workgroup", empty_label="Choose a workgroup…"
    )
    note = _note()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        groups = Workgroup.objects.restrict(self.user).filter(is_active=True)
        if self.incident.workgroup_id:
            groups = groups.exclude(pk=self.incident.workgroup_id)
        self.fields["workgroup"].queryset = groups


class ReassignForm(AssignForm):
    action = "reassign"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["workgroup"].label = "New workgroup"
        self.fields["note"].label = "Reason"


class AcceptForm(ActionForm):
    action = "accept"
    owner = forms.ModelChoiceField(queryset=User.objects.none(), label="Owner", empty_label="Choose…")
    note = _note(
        "Customer contacted",
        required=True,
        help_text="How and when you reached the customer (for example: phoned Alice at 10:20, "
        "remote session booked for 11:00).",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        members = User.objects.none()
        if self.incident.workgroup_id:
            members = self.incident.workgroup.members.filter(is_active=True, role__in=STAFF_ROLES)
        self.fields["owner"].queryset = members
        self.fields["owner"].help_text = f"A member of {self.incident.workgroup or 'the workgroup'}."
        if not self.is_bound and any(m.pk == self.user.pk for m in members):
            self.initial["owner"] = self.user.pk


class PendForm(ActionForm):
    action = "pend"
    reason = forms.ChoiceField(choices=[("", "Choose…"), *PendingReason.choices], label="Waiting for")
    note = _note()


class ResumeForm(ActionForm):
    action = "resume"
    note = _note()


class CompleteForm(ActionForm):
    action = "complete"
    resolution_code = forms.ChoiceField(
        choices=[("", "Choose…"), *ResolutionCode.choices], label="Resolution code"
    )
    resolution_notes = _note("Resolution notes", required=True, help_text="How was service restored?")


class CloseForm(ActionForm):
    action = "close"
    note = _note(
        "Customer's agreement",
        required=True,
        help_text="Who agreed to closure, and how (for example: phoned Alice Acme, she confirmed).",
    )


class ReopenForm(ActionForm):
    action = "reopen"
    note = _note("Why reopen?", required=True, help_text="What is still not working.")


ACTION_FORMS: dict[str, type[ActionForm]] = {
    form.action: form
    for form in (
        AssignForm,
        ReassignForm,
        AcceptForm,
        PendForm,
        ResumeForm,
        CompleteForm,
        CloseForm,
        ReopenForm,
    )
}

# What each action's form is for, shown as its legend.
ACTION_LEGENDS = {
    "assign": "Assign to a workgroup",
    "accept": "Take ownership",
    "pend": "Wait for something",
    "resume": "Continue working",
    "complete": "Record the resolution",
    "close": "Close with the customer's agreement",
    "reopen": "The fix did not work",
    "reassign": "Send to another workgroup",
}

# Button text and style per action, in the order the panel shows them.
ACTION_BUTTONS = {
    "assign": ("Assign", "btn-primary"),
    "accept": ("Accept", "btn-primary"),
    "pend": ("Set pending", "btn-warning"),
    "resume": ("Resume work", "btn-primary"),
    "complete": ("Complete", "btn-success"),
    "close": ("Close incident", "btn-secondary"),
    "reopen": ("Reopen", "btn-outline-danger"),
    "reassign": ("Reassign", "btn-outline-primary"),
}
