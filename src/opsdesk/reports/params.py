"""Reading a report's selection from query parameters, the same for the pages, the CSV and the API:
``organisation``, ``service`` (an id, or ``none``), ``priority`` (0-4), ``from`` and ``to`` (``YYYY-MM``,
inclusive; default the last six months) and ``by`` (``month``, ``organisation``, ``service``,
``priority``, comma-separated or repeated; default ``month,organisation``).

An organisation or service the user may not see is a 404, exactly like one that does not exist.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.http import Http404, QueryDict
from django.utils.http import urlencode

from opsdesk.reports.compliance import (
    DIMENSIONS,
    MAX_MONTHS,
    NO_SERVICE,
    Selection,
    add_months,
    months_between,
    parse_month,
    this_month,
    visible_customers,
    visible_services,
)

DEFAULT_BY = ("month", "organisation")
DEFAULT_MONTHS = 6


def _int(value: str, name: str, errors: dict) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    if not value.isdigit() or len(value) > 12:
        errors[name] = ["Give a number."]
        return None
    return int(value)


def _by(params: QueryDict, errors: dict) -> tuple[str, ...]:
    if "by" not in params:
        return DEFAULT_BY
    chosen = [part.strip() for value in params.getlist("by") for part in value.split(",") if part.strip()]
    unknown = [d for d in chosen if d not in DIMENSIONS]
    if unknown:
        errors["by"] = [f"Group by any of {', '.join(DIMENSIONS)}; not {', '.join(unknown)}."]
    return tuple(d for d in chosen if d in DIMENSIONS)


def selection_from(params: QueryDict, user, now: dt.datetime | None = None) -> Selection:
    """The selection the parameters ask for; ValidationError naming the fields that are wrong, Http404
    for an organisation or service the user may not see."""
    errors: dict[str, list[str]] = {}
    months = {}
    for name in ("from", "to"):
        text = (params.get(name) or "").strip()
        if text:
            try:
                months[name] = parse_month(text)
            except ValueError as exc:
                errors[name] = [str(exc)]
    last = months.get("to") or this_month(now)
    first = months.get("from") or add_months(last, 1 - DEFAULT_MONTHS)
    if "from" not in errors and "to" not in errors:
        if first > last:
            errors["to"] = ["The last month must not be before the first."]
        elif months_between(first, last) > MAX_MONTHS:
            errors["to"] = [f"Choose at most {MAX_MONTHS} months."]
    organisation = _int(params.get("organisation", ""), "organisation", errors)
    service_text = (params.get("service") or "").strip()
    service: int | str | None = NO_SERVICE if service_text == NO_SERVICE else None
    if service is None:
        service = _int(service_text, "service", errors)
    priority = _int(params.get("priority", ""), "priority", errors)
    if priority is not None and priority > 4:
        errors["priority"] = ["Priorities are 0 to 4."]
    by = _by(params, errors)
    if errors:
        raise ValidationError({k: v[0] for k, v in errors.items()})
    if organisation is not None and not visible_customers(user).filter(pk=organisation).exists():
        raise Http404("No such organisation")
    if isinstance(service, int) and not visible_services(user).filter(pk=service).exists():
        raise Http404("No such service")
    return Selection(
        first=first, last=last, organisation=organisation, service=service, priority=priority, by=by
    )


def query_string(selection: Selection, *, by: bool = True) -> str:
    """The parameters that select ``selection`` again (for links to the CSV, the API, a row's breaches)."""
    params: list[tuple[str, str]] = [
        ("from", selection.first.strftime("%Y-%m")),
        ("to", selection.last.strftime("%Y-%m")),
    ]
    for name in ("organisation", "service", "priority"):
        value = getattr(selection, name)
        if value is not None:
            params.append((name, str(value)))
    if by:
        params.append(("by", ",".join(selection.by)))
    return urlencode(params)
