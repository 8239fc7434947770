"""The service catalogue pages: the list with its filters, the detail page (parameters, subscribers,
lifecycle buttons) and the forms for services and subscriptions.

Staff read everything; customers read only the services their organisation subscribes to (and only their
own subscriptions); administrators and managers change the catalogue. Every lookup goes through
``restrict(request.user)``; anything not visible is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from opsdesk.catalogue import services
from opsdesk.catalogue.forms import CatalogueFilterForm, ServiceForm, SubscriptionForm
from opsdesk.catalogue.models import Service, Subscription
from opsdesk.catalogue.workflow import SERVICE_WORKFLOW
from opsdesk.core.errors import IllegalTransition, PermissionDenied, StaleObject
from opsdesk.core.history import render_history
from opsdesk.core.pagination import BadCursor, keyset_page
from opsdesk.core.views import STALE_MESSAGE, apply_errors, save_form, staff_only

PAGE_SIZE = 50


def _service_or_404(request, service_id: int) -> Service:
    service = (
        Service.objects.restrict(request.user)
        .select_related("owner")
        .prefetch_related("parameters")
        .filter(pk=service_id)
        .first()
    )
    if service is None:
        raise Http404("No such service")
    return service


def _forbidden(exc: Exception) -> HttpResponse:
    return HttpResponse(str(exc) or "You may not do that.", status=403)


@login_required
def service_list(request):
    user = request.user
    form = CatalogueFilterForm(request.GET or None, user=user)
    qs = Service.objects.restrict(user).select_related("owner")
    status = 200
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["status"]:
            qs = qs.filter(status=data["status"])
        if data["owner"] is not None:
            qs = qs.filter(owner=data["owner"])
        if data["q"].strip():
            qs = qs.filter(Q(name__icontains=data["q"].strip()) | Q(description__icontains=data["q"].strip()))
    elif form.is_bound:
        qs = qs.none()
        status = 422
    try:
        page = keyset_page(qs, ["name", "id"], request.GET.get("cursor"), PAGE_SIZE)
    except BadCursor as exc:
        messages.error(request, str(exc))
        page = keyset_page(qs, ["name", "id"], None, PAGE_SIZE)
    query = request.GET.copy()
    query.pop("cursor", None)
    base = f"?{query.urlencode()}&" if query else "?"
    context = {
        "form": form,
        "page": page,
        "prev_url": f"{base}cursor={page.prev_cursor}" if page.prev_cursor else "",
        "next_url": f"{base}cursor={page.next_cursor}" if page.next_cursor else "",
        "can_manage": services.can_manage(user),
    }
    return render(request, "catalogue/list.html", context, status=status)


@login_required
def service_detail(request, service_id: int):
    user = request.user
    service = _service_or_404(request, service_id)
    subscriptions = Subscription.objects.restrict(user).filter(service=service).select_related("organisation")
    can_manage = services.can_manage(user)
    actions = SERVICE_WORKFLOW.allowed_actions(service.status) if can_manage else []
    context = {
        "service": service,
        "parameters": list(service.parameters.all()),
        "subscriptions": subscriptions,
        "can_manage": can_manage and service.status != "retired",
        "actions": actions,
    }
    return render(request, "catalogue/detail.html", context)


@staff_only
@require_GET
def service_history(request, service_id: int):
    service = _service_or_404(request, service_id)
    context = {
        "section": "Service catalogue",
        "section_url": "/catalogue/",
        "base_url": service.get_absolute_url(),
    }
    return render_history(request, service, "history.html", context)


@staff_only
def service_create(request):
    user = request.user
    if not services.can_manage(user):
        return _forbidden(PermissionDenied("Only administrators and managers may change the catalogue."))
    status = 200
    if request.method == "POST":
        form = ServiceForm(request.POST, user=user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                service = services.create_service(
                    by=user,
                    name=data["name"],
                    description=data["description"],
                    owner=data["owner"],
                    status=data["status"],
                    service_hours=data["service_hours"],
                    parameters=data["parameters"],
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, f"Created the service “{service.name}”.")
                return redirect(service.get_absolute_url())
        status = 422
    else:
        form = ServiceForm(user=user)
    return render(request, "catalogue/form.html", {"form": form, "service": None}, status=status)


@staff_only
def service_edit(request, service_id: int):
    user = request.user
    service = _service_or_404(request, service_id)
    if not services.can_manage(user):
        return _forbidden(PermissionDenied("Only administrators and managers may change the catalogue."))
    if service.status == "retired":
        messages.error(request, "A retired service cannot be edited.")
        return redirect(service.get_absolute_url())
    status = 200
    if request.method == "POST":
        form = ServiceForm(request.POST, user=user, service=service)
        if form.is_valid():
            status = save_form(
                form,
                lambda: services.update_service(
                    service,
                    form.changes(),
                    by=user,
                    expected_version=form.cleaned_data["version"],
                    parameters=form.cleaned_data["parameters"],
                ),
            )
            if status is None:
                messages.success(request, f"Saved the service “{service.name}”.")
                return redirect(service.get_absolute_url())
        else:
            status = 422
    else:
        form = ServiceForm(user=user, service=service)
    return render(request, "catalogue/form.html", {"form": form, "service": service}, status=status)


@staff_only
@require_POST
def service_action(request, service_id: int, action: str):
    user = request.user
    service = _service_or_404(request, service_id)
    version = request.POST.get("version")
    try:
        service = services.transition(
            service, action, by=user, expected_version=int(version) if version and version.isdigit() else None
        )
    except PermissionDenied as exc:
        return _forbidden(exc)
    except IllegalTransition as exc:
        messages.error(request, str(exc))
        return redirect(service.get_absolute_url())
    except StaleObject:
        messages.error(request, STALE_MESSAGE)
        return redirect(service.get_absolute_url())
    messages.success(request, f"“{service.name}” is now {service.get_status_display().lower()}.")
    return redirect(service.get_absolute_url())


@staff_only
def subscription_create(request, service_id: int):
    user = request.user
    service = _service_or_404(request, service_id)
    if not services.can_manage(user):
        return _forbidden(PermissionDenied("Only administrators and managers may change the catalogue."))
    status = 200
    if request.method == "POST":
        form = SubscriptionForm(request.POST, user=user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                subscription = services.subscribe(
                    service,
                    data["organisation"],
                    start_date=data["start_date"],
                    end_date=data["end_date"],
                    sla_notes=data["sla_notes"],
                    by=user,
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, f"{subscription.organisation} now subscribes to {service.name}.")
                return redirect(service.get_absolute_url())
        status = 422
    else:
        form = SubscriptionForm(user=user)
    context = {"form": form, "service": service, "subscription": None}
    return render(request, "catalogue/subscription_form.html", context, status=status)


@staff_only
def subscription_edit(request, service_id: int, subscription_id: int):
    user = request.user
    service = _service_or_404(request, service_id)
    subscription = (
        Subscription.objects.restrict(user)
        .select_related("organisation")
        .filter(service=service, pk=subscription_id)
        .first()
    )
    if subscription is None:
        raise Http404("No such subscription")
    if not services.can_manage(user):
        return _forbidden(PermissionDenied("Only administrators and managers may change the catalogue."))
    status = 200
    if request.method == "POST":
        form = SubscriptionForm(request.POST, user=user, subscription=subscription)
        if form.is_valid():
            data = form.cleaned_data
            changes = {
                k: data[k]
                for k in ("start_date", "end_date", "sla_notes")
                if data[k] != getattr(subscription, k)
            }
            status = save_form(
                form,
                lambda: services.update_subscription(
                    subscription, changes, by=user, expected_version=data["version"]
                ),
            )
            if status is None:
                messages.success(request, f"Saved the subscription of {subscription.organisation}.")
                return redirect(service.get_absolute_url())
        else:
            status = 422
    else:
        form = SubscriptionForm(user=user, subscription=subscription)
    context = {"form": form, "service": service, "subscription": subscription}
    return render(request, "catalogue/subscription_form.html", context, status=status)
