"""Forms of the SLA and calendar pages. They only parse and validate what was typed; the services decide
and write (and their ValidationErrors are put back onto these forms)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from opsdesk.accounts.choices import OrganisationKind
from opsdesk.accounts.models import Organisation
from opsdesk.core.views import StyledForm
from opsdesk.sla.choices import PRIORITIES, NotifyRole, PendingReason, Weekday
from opsdesk.sla.holiday_info import country_choices, subdivision_choices
from opsdesk.sla.models import Calendar, Sla, thresholds_error, validate_time_zone
from opsdesk.sla.parsing import (
    format_business_time,
    format_exceptions,
    format_intervals,
    parse_business_time,
    parse_exceptions,
    parse_intervals,
)

OUTDATED = {"required": "This form is out of date; reload the page.", "invalid": "This form is out of date."}

# As the incidents' priority labels (the operations manual); ``sla`` cannot import ``incidents``.
PRIORITY_NAMES = {
    0: "Natural disaster",
    1: "Business units or sites",
    2: "Workgroups or departments",
    3: "One person",
    4: "Request / negotiated",
}


class BusinessTimeField(forms.Field):
    """Business time typed as ``4h``, ``1h 30m`` or ``90m``; cleaned to whole minutes."""

    widget = forms.TextInput

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.widget.attrs.update({"placeholder": "e.g. 4h or 1h 30m", "autocomplete": "off", "maxlength": 40})

    def prepare_value(self, value):
        return format_business_time(value) if isinstance(value, int) else value

    def to_python(self, value):
        text = (value or "").strip() if isinstance(value, str) else value
        if text in self.empty_values:
            return None
        if isinstance(text, int):
            return text
        try:
            return parse_business_time(text)
        except ValueError as exc:
            raise ValidationError(str(exc), code="invalid")


def parse_thresholds(text: str) -> list[int]:
    parts = [p.strip().rstrip("%").strip() for p in (text or "").replace(";", ",").split(",")]
    parts = [p for p in parts if p]
    if not parts or not all(p.isdigit() for p in parts):
        raise ValidationError("Write whole percentages separated by commas, e.g. 75, 100.")
    return [int(p) for p in parts]


class SlaForm(StyledForm):
    name = forms.CharField(label="Name", max_length=100)
    organisation = forms.ModelChoiceField(
        label="Customer",
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="All customers (provider-wide)",
        help_text="An SLA cannot move to another customer later.",
    )
    calendar = forms.ModelChoiceField(
        label="Calendar",
        queryset=Calendar.objects.none(),
        help_text="The business hours the targets count in.",
    )
    is_default = forms.BooleanField(
        label="Default SLA",
        required=False,
        help_text="The customer's default (provider-wide: the default for customers without their own).",
    )
    is_active = forms.BooleanField(label="Active", required=False, initial=True)
    warning_thresholds = forms.CharField(
        label="Warn at (percent of a target)",
        max_length=100,
        initial="75, 100",
        help_text="Whole percentages in ascending order, e.g. 75, 100.",
    )
    notify_roles = forms.MultipleChoiceField(
        label="Who is warned",
        required=False,
        choices=NotifyRole.choices,
        initial=NotifyRole.values,
        widget=forms.CheckboxSelectMultiple,
    )
    pausing_reasons = forms.MultipleChoiceField(
        label="Pending reasons that stop the clock",
        required=False,
        choices=PendingReason.choices,
        initial=PendingReason.values,
        widget=forms.CheckboxSelectMultiple,
    )
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, error_messages=OUTDATED)

    def __init__(self, *args, user=None, sla: Sla | None = None, **kwargs):
        if sla is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": sla.name,
                "calendar": sla.calendar_id,
                "is_default": sla.is_default,
                "is_active": sla.is_active,
                "warning_thresholds": ", ".join(str(t) for t in sla.warning_thresholds),
                "notify_roles": sla.notify_roles,
                "pausing_reasons": sla.pausing_reasons,
                "notes": sla.notes,
                "version": sla.version,
                **{f"p{t.priority}_response": t.response_minutes for t in sla.targets.all()},
                **{f"p{t.priority}_resolution": t.resolution_minutes for t in sla.targets.all()},
            }
        super().__init__(*args, **kwargs)
        self.sla = sla
        for p in PRIORITIES:
            for kind, label in (("response", "response"), ("resolution", "resolution")):
                field = BusinessTimeField(label=f"P{p} {label} target")
                field.widget.attrs["class"] = "form-control"
                self.fields[f"p{p}_{kind}"] = field
        self.fields["calendar"].queryset = Calendar.objects.restrict(user)
        if sla is None:
            self.fields["organisation"].queryset = Organisation.objects.restrict(user).filter(
                kind=OrganisationKind.CUSTOMER, is_active=True
            )
            del self.fields["version"]
        else:
            del self.fields["organisation"]
            self.fields["version"].required = True

    def target_rows(self) -> list[dict]:
        return [
            {
                "priority": p,
                "label": f"P{p} – {PRIORITY_NAMES[p]}",
                "cells": [self[f"p{p}_response"], self[f"p{p}_resolution"]],
            }
            for p in PRIORITIES
        ]

    def clean_warning_thresholds(self):
        value = parse_thresholds(self.cleaned_data.get("warning_thresholds", ""))
        error = thresholds_error(value)
        if error:
            raise ValidationError(error)
        return value

    def clean(self):
        data = super().clean()
        for p in PRIORITIES:
            response, resolution = data.get(f"p{p}_response"), data.get(f"p{p}_resolution")
            if response and resolution and resolution < response:
                self.add_error(
                    f"p{p}_resolution", "The resolution target cannot be shorter than the response target."
                )
        return data

    def targets(self) -> list[dict]:
        data = self.cleaned_data
        return [
            {
                "priority": p,
                "response_minutes": data[f"p{p}_response"],
                "resolution_minutes": data[f"p{p}_resolution"],
            }
            for p in PRIORITIES
        ]

    def fields_for_service(self) -> dict:
        data = self.cleaned_data
        names = ["name", "calendar", "is_default", "is_active", "warning_thresholds", "notes"]
        fields = {name: data[name] for name in names}
        fields["notify_roles"] = list(data["notify_roles"])
        fields["pausing_reasons"] = list(data["pausing_reasons"])
        if self.sla is None:
            fields["organisation"] = data["organisation"]
        return fields


# --- calendars ---------------------------------------------------------------------------------------------


class CalendarForm(StyledForm):
    name = forms.CharField(label="Name", max_length=100)
    time_zone = forms.CharField(
        label="Time zone",
        max_length=64,
        initial="Europe/London",
        help_text="An IANA name such as Europe/London or America/New_York.",
        widget=forms.TextInput(attrs={"list": "time-zones", "autocomplete": "off"}),
    )
    is_24x7 = forms.BooleanField(
        label="24x7 (every hour counts)",
        required=False,
        help_text="Opening hours, holidays and exceptions are then ignored.",
    )
    holiday_country = forms.ChoiceField(
        label="Public holidays of",
        required=False,
        error_messages={"invalid_choice": "Choose a country from the list (or None)."},
    )
    holiday_subdivision = forms.ChoiceField(
        label="Region",
        required=False,
        error_messages={"invalid_choice": "Choose a region of the selected country, or the whole country."},
    )
    exceptions = forms.CharField(
        label="Exceptions",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "spellcheck": "false"}),
        help_text=(
            "One date per line: “2026-12-29 closed Stock take” closes a day; “2026-12-24 09:00-13:00 "
            "Christmas Eve” opens it for those hours only (also on a weekend or a public holiday)."
        ),
    )
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, error_messages=OUTDATED)

    def __init__(self, *args, calendar: Calendar | None = None, **kwargs):
        if calendar is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": calendar.name,
                "time_zone": calendar.time_zone,
                "is_24x7": calendar.is_24x7,
                "holiday_country": calendar.holiday_country,
                "holiday_subdivision": calendar.holiday_subdivision,
                "exceptions": format_exceptions(calendar.exceptions.all()),
                "notes": calendar.notes,
                "version": calendar.version,
                **{
                    f"hours_{day}": format_intervals(
                        (h.start, h.end) for h in calendar.hours.all() if h.weekday == day
                    )
                    for day in Weekday.values
                },
            }
        super().__init__(*args, **kwargs)
        self.calendar = calendar
        for day in Weekday:
            self.fields[f"hours_{day.value}"] = forms.CharField(
                label=day.label,
                required=False,
                max_length=200,
                widget=forms.TextInput(attrs={"class": "form-control", "placeholder": "Closed"}),
            )
        country = self["holiday_country"].value() or ""
        self.fields["holiday_country"].choices = [("", "None"), *country_choices()]
        self.fields["holiday_subdivision"].choices = subdivision_options(country)
        self.fields["holiday_country"].widget.attrs.update(
            {
                "hx-get": "/slas/calendars/subdivisions/",
                "hx-target": "#id_holiday_subdivision",
                "hx-trigger": "change",
                "hx-swap": "innerHTML",
            }
        )
        if calendar is None:
            del self.fields["version"]
        else:
            self.fields["version"].required = True

    def hours_fields(self):
        return [self[f"hours_{day}"] for day in Weekday.values]

    def clean_time_zone(self):
        value = self.cleaned_data["time_zone"].strip()
        validate_time_zone(value)
        return value

    def clean_exceptions(self):
        try:
            return parse_exceptions(self.cleaned_data.get("exceptions", ""))
        except ValueError as exc:
            raise ValidationError(str(exc))

    def clean(self):
        data = super().clean()
        hours = []
        for day in Weekday.values:
            name = f"hours_{day}"
            if name not in data:
                continue
            try:
                intervals = parse_intervals(data[name])
            except ValueError as exc:
                self.add_error(name, str(exc))
                continue
            hours += [{"weekday": day, "start": start, "end": end} for start, end in intervals]
        data["hours"] = hours
        return data

    def fields_for_service(self) -> dict:
        data = self.cleaned_data
        names = ["name", "time_zone", "is_24x7", "holiday_country", "holiday_subdivision", "notes"]
        return {name: data[name] for name in names}


def subdivision_options(country: str) -> list[tuple[str, str]]:
    if not country:
        return [("", "Choose the country first")]
    return [("", "The whole country"), *subdivision_choices(country)]
