"""What the agents' incident pages share: the incident lookup (404 outside the user's scope) and page
sizes."""

from __future__ import annotations

from django.http import Http404

from opsdesk.incidents.models import Incident, parse_number

STALE_MESSAGE = (
    "This incident was changed by someone else after you opened it, so your change was not saved. "
    "Reload the page to see the current version, then try again."
)
PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


def incident_or_404(request, number: str) -> Incident:
    pk = parse_number(number)
    if pk is None:
        raise Http404("No such incident")
    incident = (
        Incident.objects.restrict(request.user)
        # Four joins at most: PostgreSQL's planning time grows steeply with each one (see for_list);
        # category, subcategory, parent and service are read when shown, one small query each.
        .select_related("organisation", "requester", "workgroup", "owner")
        .filter(pk=pk)
        .first()
    )
    if incident is None:
        raise Http404("No such incident")
    return incident
