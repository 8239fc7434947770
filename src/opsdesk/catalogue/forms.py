"""Forms of the catalogue pages. They only parse and validate input; the services decide and write."""

from __future__ import annotations

from django import forms

from opsdesk.accounts.choices import OrganisationKind
from opsdesk.accounts.models import Organisation, Workgroup
from opsdesk.catalogue.choices import ServiceStatus
from opsdesk.core.views import StyledForm

OUTDATED = {"required": "This form is out of date; reload the page.", "invalid": "This form is out of date."}


class CatalogueFilterForm(StyledForm):
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Name or description"}),
    )
    status = forms.ChoiceField(label="Status", required=False, choices=[("", "Any"), *ServiceStatus.choices])
    owner = forms.ModelChoiceField(
        label="Owner workgroup", required=False, queryset=Workgroup.objects.none(), empty_label="Any"
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = Workgroup.objects.restrict(user)


def parse_parameters(text: str) -> list[tuple[str, str]]:
    """``Name: value`` per line (blank lines ignored) -> ordered rows."""
    rows = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        name, sep, value = line.partition(":")
        if not sep or not name.strip() or not value.strip():
            raise forms.ValidationError(f"Line {number}: write “Name: value”.")
        rows.append((name.strip(), value.strip()))
    return rows


def format_parameters(rows) -> str:
    return "\n".join(f"{p.name}: {p.value}" for p in rows)


class ServiceForm(StyledForm):
    name = forms.CharField(label="Name", max_length=150)
    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    owner = forms.ModelChoiceField(label="Owner workgroup", queryset=Workgroup.objects.none())
    service_hours = forms.CharField(
        label="Service hours", required=False, max_length=200, help_text="For example: Mon-Fri 08:00-18:00"
    )
    parameters = forms.CharField(
        label="Parameters",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="One per line, in table order: “Name: value”, e.g. “Mailbox size: 2 GB”.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, error_messages=OUTDATED)

    def __init__(self, *args, user=None, service=None, **kwargs):
        if service is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": service.name,
                "description": service.description,
                "owner": service.owner_id,
                "service_hours": service.service_hours,
                "parameters": format_parameters(service.parameters.all()),
                "version": service.version,
            }
        super().__init__(*args, **kwargs)
        self.service = service
        self.fields["owner"].queryset = Workgroup.objects.restrict(user).filter(is_active=True)
        if service is None:
            self.fields["status"] = forms.ChoiceField(
                label="Status",
                choices=[(ServiceStatus.PIPELINE, "Pipeline"), (ServiceStatus.LIVE, "Live")],
                initial=ServiceStatus.PIPELINE,
            )
            self.fields["status"].widget.attrs["class"] = "form-select"
            del self.fields["version"]
        else:
            self.fields["version"].required = True

    def clean_parameters(self):
        return parse_parameters(self.cleaned_data.get("parameters", ""))

    def changes(self) -> dict:
        data = self.cleaned_data
        fields = ("name", "description", "owner", "service_hours")
        return {name: data[name] for name in fields if data[name] != getattr(self.service, name)}


class SubscriptionForm(StyledForm):
    organisation = forms.ModelChoiceField(label="Customer", queryset=Organisation.objects.none())
    start_date = forms.DateField(label="Start date", widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(
        label="End date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Leave empty for an open-ended subscription.",
    )
    sla_notes = forms.CharField(
        label="SLA", required=False, max_length=200, help_text="The agreed service level, as text for now."
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, error_messages=OUTDATED)

    def __init__(self, *args, user=None, subscription=None, **kwargs):
        if subscription is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "start_date": subscription.start_date,
                "end_date": subscription.end_date,
                "sla_notes": subscription.sla_notes,
                "version": subscription.version,
            }
        super().__init__(*args, **kwargs)
        if subscription is None:
            self.fields["organisation"].queryset = Organisation.objects.restrict(user).filter(
                kind=OrganisationKind.CUSTOMER, is_active=True
            )
            del self.fields["version"]
        else:
            del self.fields["organisation"]
            self.fields["version"].required = True

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "The end date cannot be before the start date.")
        return data
