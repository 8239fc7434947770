"""Generic helpers for the server-rendered pages: staff-only access, Tabler form styling and mapping
service errors onto forms. Nothing here knows about ITIL records. (Pagination: ``core.pagination``.)"""

from __future__ import annotations

import functools
from collections.abc import Callable

from django import forms
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import ProtectedError, RestrictedError
from django.forms.utils import flatatt
from django.http import Http404
from django.shortcuts import redirect
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from opsdesk.core.errors import IllegalTransition, PermissionDenied, StaleObject, protected_message

# --- access ----------------------------------------------------------------------------------------------


def staff_only(view: Callable | None = None, *, customers_to: str | None = None) -> Callable:
    """Require a logged-in service-provider user. Customer users get a 404 (the page does not exist for
    them), or a redirect to ``customers_to`` when given (the dashboard sends them to the portal)."""

    def decorate(func: Callable) -> Callable:
        @functools.wraps(func)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if getattr(user, "is_customer", False) or not getattr(user, "is_provider_staff", True):
                if customers_to:
                    return redirect(customers_to)
                raise Http404("No such page")
            return func(request, *args, **kwargs)

        return wrapper

    return decorate(view) if view is not None else decorate


# --- forms -----------------------------------------------------------------------------------------------


class StyledForm(forms.Form):
    """A form whose widgets carry Tabler's classes (``form-control``, ``form-select``, ...), so that
    ``partials/form_field.html`` renders it without further markup."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for bound in self.fields.values():
            widget = bound.widget
            if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple | forms.RadioSelect):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            elif isinstance(widget, forms.HiddenInput):
                continue
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class QuickSelect(forms.Select):
    """A single-choice ``<select>`` over flat choices, rendered in Python. Django renders every option
    through a template; on a filter bar with a hundred options that cost more than the page's query."""

    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        chosen = "" if value is None else str(value)
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (option, mark_safe(" selected") if str(option) == chosen else "", label)
                for option, label in self.choices
            ),
        )
        return format_html("<select{}>{}</select>", flatatt(final), options)


def apply_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ValidationError onto the form: field errors on their fields when the form shows
    that field, everything else as form-wide errors. Call after ``form.is_valid()``."""
    if not hasattr(form, "cleaned_data"):
        form.cleaned_data = {}
    if hasattr(exc, "error_dict"):
        for name, messages in exc.message_dict.items():
            visible = name in form.fields and not form.fields[name].widget.is_hidden
            target = name if visible and name != NON_FIELD_ERRORS else None
            for message in messages:
                form.add_error(target, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


STALE_MESSAGE = "Someone else changed this record while you were editing it; reload the form and try again."


def save_form(
    form: forms.Form,
    write: Callable[[], object],
    *,
    stale_message: str = STALE_MESSAGE,
    map_errors: Callable[[ValidationError], ValidationError] | None = None,
) -> int | None:
    """Run ``write`` (the service call that saves a valid ``form``). None when it saved; otherwise the
    HTTP status to show the form again with, the reason put on the form: 403 the user may not, 409 a step
    the record's lifecycle refuses or a delete of a record others still refer to, 412 someone else changed
    the record first, 422 the service's validation errors (through ``map_errors`` first, when given)."""
    try:
        write()
    except PermissionDenied as exc:
        form.add_error(None, str(exc) or "You may not change this.")
        return 403
    except IllegalTransition as exc:
        form.add_error(None, str(exc))
        return 409
    except (ProtectedError, RestrictedError) as exc:
        form.add_error(None, protected_message(exc))
        return 409
    except StaleObject:
        form.add_error(None, stale_message)
        return 412
    except ValidationError as exc:
        apply_errors(form, map_errors(exc) if map_errors else exc)
        return 422
    return None


class ConfirmForm(StyledForm):
    """A confirmation button's form: only the version the page showed, for the stale check (412)."""

    version = forms.IntegerField(
        widget=forms.HiddenInput,
        required=False,
        error_messages={"invalid": "This form is out of date; reload the page."},
    )

    def confirm(self, write: Callable[[int | None], object]) -> int | None:
        """Run ``write(expected_version)`` through ``save_form``: None when done, else the HTTP status to
        show the page again with (422 a garbled version, or ``save_form``'s 403/409/412/422)."""
        if not self.is_valid():
            return 422
        return save_form(self, lambda: write(self.cleaned_data["version"]))


def focus_first_error(form: forms.Form) -> None:
    """Mark the first visible field with an error ``autofocus``: a page re-rendered with errors, or a region
    htmx swaps in (htmx focuses its first ``[autofocus]`` element), puts the keyboard where the fix goes."""
    for name in form.errors:
        field = form.fields.get(name)
        if field is not None and not field.widget.is_hidden:
            field.widget.attrs["autofocus"] = True
            return
