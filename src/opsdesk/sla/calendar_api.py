"""``/api/v1/calendars``: business-hours calendars with their weekly hours and exceptions.

Reads go through ``.restrict(user)``: staff see every calendar, a customer only those their visible SLAs
count in; anything else is a 404. Writes go through ``sla.calendar_services`` (administrators and managers,
else 403); ``hours`` and ``exceptions`` given in a PATCH replace the calendar's rows wholesale.
"""

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpResponse
from ninja import Query, Router

from opsdesk.core.api import (
    ERRORS,
    add_history_route,
    created,
    expected_version,
    get_visible,
    page_of,
    page_size_default,
    page_size_max,
    paginate,
    set_etag,
)
from opsdesk.sla import calendar_services as services
from opsdesk.sla.models import Calendar
from opsdesk.sla.schemas import CalendarIn, CalendarOut, CalendarPatch

router = Router(tags=["calendars"])

TEXT_FIELDS = ("holiday_country", "holiday_subdivision", "notes")


def _calendars(user):
    return Calendar.objects.restrict(user).prefetch_related("hours", "exceptions")


@router.get("", response={200: page_of(CalendarOut), **ERRORS})
def list_calendars(
    request,
    q: str = Query("", max_length=200, description="Part of the name or notes"),
    is_24x7: bool | None = None,
    limit: int = Query(page_size_default(), ge=1, le=page_size_max()),
    cursor: str | None = None,
    count: bool = False,
):
    qs = _calendars(request.auth)
    if q.strip():
        qs = qs.filter(Q(name__icontains=q.strip()) | Q(notes__icontains=q.strip()))
    if is_24x7 is not None:
        qs = qs.filter(is_24x7=is_24x7)
    return paginate(request, qs, ["name", "id"], limit=limit, cursor=cursor, count=count)


@router.post("", response={201: CalendarOut, **ERRORS})
def create_calendar(request, payload: CalendarIn, response: HttpResponse):
    user = request.auth
    services.check_can_manage(user)
    data = payload.model_dump()
    hours, exceptions = data.pop("hours"), data.pop("exceptions")
    calendar = services.create_calendar(by=user, hours=hours, exceptions=exceptions, **data)
    calendar = _calendars(user).get(pk=calendar.pk)
    return created(response, calendar, f"calendars/{calendar.pk}")


@router.get("/{calendar_id}", response={200: CalendarOut, **ERRORS})
def get_calendar(request, calendar_id: int, response: HttpResponse):
    calendar = get_visible(_calendars(request.auth), "calendar", pk=calendar_id)
    set_etag(response, calendar)
    return calendar


add_history_route(router, "/{calendar_id}", lambda user, pk: get_visible(_calendars(user), "calendar", pk=pk))


@router.patch("/{calendar_id}", response={200: CalendarOut, **ERRORS})
def update_calendar(request, calendar_id: int, payload: CalendarPatch, response: HttpResponse):
    user = request.auth
    calendar = get_visible(_calendars(user), "calendar", pk=calendar_id)
    services.check_can_manage(user)
    changes = payload.model_dump(exclude_unset=True)
    hours, exceptions = changes.pop("hours", None), changes.pop("exceptions", None)
    for name in TEXT_FIELDS:
        if name in changes and changes[name] is None:
            changes[name] = ""
    empty = sorted(name for name, value in changes.items() if value is None)
    if empty:
        raise ValidationError({name: ["This field cannot be empty."] for name in empty})
    calendar = services.update_calendar(
        calendar,
        changes,
        by=user,
        expected_version=expected_version(request, calendar),
        hours=hours,
        exceptions=exceptions,
    )
    calendar = _calendars(user).get(pk=calendar.pk)
    set_etag(response, calendar)
    return calendar
