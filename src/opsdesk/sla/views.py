"""The SLA pages: the list, the detail page (targets per priority in business time, the calendar, the
warning thresholds) and the forms to create and edit an SLA. Staff read every SLA in their scope; a
customer reads their organisation's SLAs and the provider-wide ones; administrators and managers write
(through ``sla.services``). Every lookup goes through ``restrict(request.user)``; anything else is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from opsdesk.catalogue.models import Subscription
from opsdesk.core.history import render_history
from opsdesk.core.views import apply_errors, save_form, staff_only
from opsdesk.sla import services
from opsdesk.sla.choices import NotifyRole, PendingReason
from opsdesk.sla.forms import PRIORITY_NAMES, SlaForm
from opsdesk.sla.models import Sla, SubscriptionSla


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
    context = {"slas": slas, "can_manage": services.can_manage(request.user)}
    return render(request, "sla/list.html", context)


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
        "can_manage": services.can_manage(request.user),
        "subscriptions": SubscriptionSla.objects.filter(
            sla=sla, subscription__in=Subscription.objects.restrict(request.user)
        ).select_related("subscription__service", "subscription__organisation"),
        "candidates": _candidates(request.user, sla) if services.can_manage(request.user) else [],
    }
    return render(request, "sla/detail.html", context)


@staff_only
@require_GET
def sla_history(request, sla_id: int):
    sla = _visible(request.user).filter(pk=sla_id).first()
    if sla is None:
        raise Http404("No such SLA")
    context = {"section": "SLAs", "section_url": "/slas/", "base_url": sla.get_absolute_url()}
    return render_history(request, sla, "history.html", context)


def _candidates(user, sla: Sla):
    """Subscriptions that may be put under ``sla``: its customer's (all customers' for a provider-wide SLA),
    not ended, not already under it."""
    qs = Subscription.objects.restrict(user).exclude(sla_link__sla=sla)
    qs = qs.select_related("service", "organisation")
    if sla.organisation_id:
        qs = qs.filter(organisation_id=sla.organisation_id)
    return [s for s in qs if s.end_date is None or s.end_date >= timezone.localdate()]


@staff_only
@require_POST
def subscription_put(request, sla_id: int):
    """Put a subscription under this SLA (``subscription``), or back under the default (``remove``)."""
    user = request.user
    sla = _visible(user).filter(pk=sla_id).first()
    if sla is None:
        raise Http404("No such SLA")
    if not services.can_manage(user):
        return forbidden()
    remove = "remove" in request.POST
    raw = request.POST.get("remove" if remove else "subscription", "")
    subscription = Subscription.objects.restrict(user).filter(pk=raw).first() if raw.isdigit() else None
    if subscription is None:
        messages.error(request, "Choose a subscription.")
        return redirect(sla.get_absolute_url())
    try:
        services.set_subscription_sla(subscription, None if remove else sla, by=user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if remove:
            messages.success(request, f"{subscription} is back under its customer's default SLA.")
        else:
            messages.success(request, f"{subscription} is now under {sla.name}.")
    return redirect(sla.get_absolute_url())


def forbidden() -> HttpResponse:
    return HttpResponse("Only administrators and managers may change SLAs and calendars.", status=403)


@staff_only
def sla_create(request):
    user = request.user
    if not services.can_manage(user):
        return forbidden()
    status = 200
    if request.method == "POST":
        form = SlaForm(request.POST, user=user)
        if form.is_valid():
            try:
                sla = services.create_sla(by=user, targets=form.targets(), **form.fields_for_service())
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, f"Created the SLA “{sla.name}”.")
                return redirect(sla.get_absolute_url())
        status = 422
    else:
        form = SlaForm(user=user)
    return render(request, "sla/form.html", {"form": form, "sla": None}, status=status)


@staff_only
def sla_edit(request, sla_id: int):
    user = request.user
    sla = _visible(user).prefetch_related("targets").filter(pk=sla_id).first()
    if sla is None:
        raise Http404("No such SLA")
    if not services.can_manage(user):
        return forbidden()
    status = 200
    if request.method == "POST":
        form = SlaForm(request.POST, user=user, sla=sla)
        if form.is_valid():
            status = save_form(
                form,
                lambda: services.update_sla(
                    sla,
                    form.fields_for_service(),
                    by=user,
                    expected_version=form.cleaned_data["version"],
                    targets=form.targets(),
                ),
            )
            if status is None:
                messages.success(request, f"Saved the SLA “{sla.name}”.")
                return redirect(sla.get_absolute_url())
        else:
            status = 422
    else:
        form = SlaForm(user=user, sla=sla)
    return render(request, "sla/form.html", {"form": form, "sla": sla}, status=status)
