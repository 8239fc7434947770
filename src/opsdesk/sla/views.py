"""The SLA pages: the list and the detail page (targets per priority in business time, the calendar, the
warning thresholds). Staff read every SLA in their scope; a customer reads their organisation's SLAs and
the provider-wide ones. Every lookup goes through ``restrict(request.user)``; anything else is a 404.
SLAs are changed through the API (and its services) for now.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from opsdesk.sla import services
from opsdesk.sla.choices import NotifyRole, PendingReason
from opsdesk.sla.models import Sla

# As the incidents' priority labels (the operations manual); ``sla`` cannot import ``incidents``.
PRIORITY_NAMES = {
    0: "Natural disaster",
    1: "Business units or sites",
    2: "Workgroups or departments",
    3: "One person",
    4: "Request / negotiated",
}


def business_time(minutes: int) -> str:
    """``90`` -> ``"1 h 30 min"``; ``240`` -> ``"4 h"``; ``15`` -> ``"15 min"``."""
    hours, rest = divmod(int(minutes), 60)
    parts = [f"{hours} h"] if hours else []
    if rest or not hours:
        parts.append(f"{rest} min")
    return " ".join(parts)


def _visible(user):
    return Sla.objects.restrict(user).select_related("organisation", "calendar")


@login_required
def sla_list(request):
    slas = _visible(request.user).prefetch_related("targets").order_by("organisation__name", "name", "id")
    return render(request, "sla/list.html", {"slas": slas, "can_manage": services.can_manage(request.user)})


@login_required
def sla_detail(request, sla_id: int):
    sla = _visible(request.user).prefetch_related("targets", "calendar__hours").filter(pk=sla_id).first()
    if sla is None:
        raise Http404("No such SLA")
    targets = [
        {
            "priority": t.priority,
            "label": f"P{t.priority} – {PRIORITY_NAMES.get(t.priority, '')}",
            "response": business_time(t.response_minutes),
            "resolution": business_time(t.resolution_minutes),
        }
        for t in sorted(sla.targets.all(), key=lambda t: t.priority)
    ]
    roles = dict(NotifyRole.choices)
    reasons = dict(PendingReason.choices)
    context = {
        "sla": sla,
        "targets": targets,
        "hours": list(sla.calendar.hours.all()),
        "notify_roles": [roles.get(r, r) for r in sla.notify_roles],
        "pausing_reasons": [reasons.get(r, r) for r in sla.pausing_reasons],
    }
    return render(request, "sla/detail.html", context)
