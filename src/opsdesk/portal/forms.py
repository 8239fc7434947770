"""Forms of the customer portal. They only parse input; the services validate and write."""

from __future__ import annotations

from django import forms
from django.conf import settings

from opsdesk.catalogue.models import Service
from opsdesk.incidents.choices import Urgency

# How urgent the customer says it is, in their words, mapped to the contract's urgency values. Impact is
# the service desk's call (it defaults to low), and "immediate" is for disasters reported by phone.
URGENCY_CHOICES = [
    (Urgency.NORMAL.value, "Normal – it affects my work, but I can carry on"),
    (Urgency.URGENT.value, "Urgent – part of my work is blocked"),
    (Urgency.CRITICAL.value, "Critical – I cannot work at all"),
    (Urgency.NEGOTIATED.value, "Not urgent – a question or a request"),
]

STATUS_FILTERS = [
    ("all", "All incidents"),
    ("open", "Open"),
    ("completed", "Fixed – awaiting your confirmation"),
    ("closed", "Closed"),
]


def _accept_attribute() -> str:
    return ",".join(settings.ATTACHMENT_ALLOWED_TYPES)


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Zero or more uploaded files. The form only collects them: each one is checked (name, type, size)
    by ``incidents.services.add_attachment``, the one place that knows the rules."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"class": "form-control"}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)
        self.widget.attrs.setdefault("accept", _accept_attribute())

    def clean(self, data, initial=None):
        files = [f for f in data if f] if isinstance(data, list | tuple) else [data] if data else []
        if not files and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return files


def _attachment_help() -> str:
    limit = settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)
    return f"Optional. Up to {limit} MB each; accepted types: {', '.join(settings.ATTACHMENT_ALLOWED_TYPES)}."


class RaiseIncidentForm(forms.Form):
    title = forms.CharField(
        label="Summary",
        max_length=200,
        help_text="One line, e.g. “Outlook asks for my password again and again”.",
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}),
    )
    description = forms.CharField(
        label="What happened?",
        help_text="What you were doing, what you expected, what happened instead, and any error message.",
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 6}),
    )
    urgency = forms.ChoiceField(
        label="How urgent is it?",
        choices=URGENCY_CHOICES,
        initial=Urgency.NORMAL.value,
        help_text="If a whole site or business unit is down, please also phone the service desk.",
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    service = forms.ModelChoiceField(
        label="Which service is affected?",
        queryset=Service.objects.none(),
        required=False,
        empty_label="I don't know",
        help_text="Optional: one of the services your organisation receives.",
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    attachments = MultipleFileField(label="Attachments")

    def __init__(self, *args, services=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = _attachment_help()
        if services is None:
            del self.fields["service"]
        else:
            self.fields["service"].queryset = services


class ReplyForm(forms.Form):
    body = forms.CharField(
        label="Your reply",
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 4}),
        help_text="The service desk sees this reply and is notified.",
    )


class UploadForm(forms.Form):
    files = MultipleFileField(label="Add files", required=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = _attachment_help().removeprefix("Optional. ")


class RejectForm(forms.Form):
    reason = forms.CharField(
        label="What is still not working?",
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 3}),
        error_messages={"required": "Please tell us what is still not working."},
    )


class ListFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Show",
        choices=STATUS_FILTERS,
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={"class": "form-control", "type": "search", "placeholder": "Number or words"}
        ),
    )
