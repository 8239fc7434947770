"""``core.views.save_form``: each way a service refuses a form's write becomes a status and a message on
the form, so the page shows the form again with the reason instead of an error page."""

from __future__ import annotations

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError

from opsdesk.core.errors import IllegalTransition, PermissionDenied, StaleObject
from opsdesk.core.views import STALE_MESSAGE, save_form


class NameForm(forms.Form):
    name = forms.CharField()


def _form() -> NameForm:
    form = NameForm({"name": "Router"})
    assert form.is_valid()
    return form


def _raise(exc):
    def write():
        raise exc

    return write


def test_a_write_that_succeeds_leaves_the_form_alone():
    form = _form()
    saved = []
    assert save_form(form, lambda: saved.append(form.cleaned_data["name"])) is None
    assert saved == ["Router"] and not form.errors


@pytest.mark.parametrize(
    ("exc", "status", "message"),
    [
        (PermissionDenied("Only managers may change classes."), 403, "Only managers may change classes."),
        (IllegalTransition("retire", "disposed", []), 409, "disposed"),
        (StaleObject(current_version=4), 412, STALE_MESSAGE),
        (ProtectedError("MX1 is still in use (3 relationships).", set()), 409, "MX1 is still in use"),
        (ProtectedError("Cannot delete some instances of model 'CI'", set()), 409, "still refer to this one"),
    ],
)
def test_a_refused_write_gives_its_status_and_says_why_on_the_form(exc, status, message):
    form = _form()
    assert save_form(form, _raise(exc)) == status
    assert any(message in error for error in form.non_field_errors())


def test_validation_errors_land_on_their_fields_mapped_first_when_asked():
    form = _form()
    exc = ValidationError({"attributes.name": ["Taken."]})
    status = save_form(form, _raise(exc), map_errors=lambda e: ValidationError({"name": e.messages}))
    assert status == 422
    assert form.errors["name"] == ["Taken."]


def test_a_page_may_word_the_stale_message_its_own_way():
    form = _form()
    stale = _raise(StaleObject(current_version=4))
    assert save_form(form, stale, stale_message="Reload the incident.") == 412
    assert form.non_field_errors() == ["Reload the incident."]
