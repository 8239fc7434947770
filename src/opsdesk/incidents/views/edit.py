"""Creating and editing incidents, and the htmx option lists of the forms (requesters, services,
subcategories of the chosen organisation or category)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from opsdesk.accounts.models import Organisation
from opsdesk.core.errors import PermissionDenied
from opsdesk.core.views import apply_errors, save_form, staff_only
from opsdesk.incidents import cis as affected
from opsdesk.incidents import services
from opsdesk.incidents.choices import (
    Status,
)
from opsdesk.incidents.forms import (
    IncidentEditForm,
    IncidentForm,
    people_of,
    services_of,
    subcategories_of,
)
from opsdesk.incidents.views.common import STALE_MESSAGE, incident_or_404

# --- create and edit --------------------------------------------------------------------------------------


@staff_only
def incident_create(request):
    user = request.user
    status = 200
    if request.method == "POST":
        form = IncidentForm(request.POST, user=user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                incident = services.create_incident(
                    by=user,
                    organisation=data["organisation"],
                    requester=data["requester"],
                    title=data["title"],
                    description=data["description"],
                    channel=data["channel"],
                    impact=data["impact"],
                    urgency=data["urgency"],
                    category=data["category"],
                    subcategory=data["subcategory"],
                    service=data["service"],
                    cis=list(data["cis"]),
                    parent=data["parent"],
                    workgroup=data["workgroup"],
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            except (PermissionDenied, Organisation.DoesNotExist) as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, f"Created {incident.number}.")
                return redirect(incident.get_absolute_url())
        status = 422
    else:
        # Without JavaScript the "Show people" button reloads the form with what was typed so far.
        initial = {k: v for k, v in request.GET.items() if k in IncidentForm.base_fields}
        form = IncidentForm(initial=initial, user=user)
    return render(request, "incidents/form.html", {"form": form, "incident": None}, status=status)


@staff_only
def incident_edit(request, number: str):
    incident = incident_or_404(request, number)
    if incident.status == Status.CLOSED:
        messages.error(request, "A closed incident cannot be edited.")
        return redirect(incident.get_absolute_url())
    status = 200
    if request.method == "POST":
        form = IncidentEditForm(request.POST, incident=incident, user=request.user)
        if form.is_valid():
            changes = form.changes()
            if not changes:
                messages.info(request, "Nothing was changed.")
                return redirect(incident.get_absolute_url())
            status = save_form(
                form,
                lambda: services.update_incident(
                    incident, changes, by=request.user, expected_version=form.cleaned_data["version"]
                ),
                stale_message=STALE_MESSAGE,
            )
            if status is None:
                messages.success(request, f"Saved {incident.number}.")
                return redirect(incident.get_absolute_url())
        else:
            status = 422
    else:
        form = IncidentEditForm(incident=incident, user=request.user)
    return render(request, "incidents/form.html", {"form": form, "incident": incident}, status=status)


@staff_only
@require_GET
def requester_options(request):
    organisation = request.GET.get("organisation", "")
    people = people_of(request.user, organisation if organisation.isdigit() else None)
    placeholder = "Choose the requester…" if organisation else "Choose the organisation first"
    return render(
        request,
        "incidents/_options.html",
        {"options": [(p.pk, p.full_name) for p in people], "placeholder": placeholder},
    )


@staff_only
@require_GET
def service_options(request):
    organisation = request.GET.get("organisation", "")
    services = services_of(organisation if organisation.isdigit() else None)
    return render(
        request,
        "incidents/_options.html",
        {"options": [(s.pk, s.name) for s in services], "placeholder": "None / not known"},
    )


@staff_only
@require_GET
def subcategory_options(request):
    category = request.GET.get("category", "")
    subs = subcategories_of(category if category.isdigit() else None)
    return render(
        request,
        "incidents/_options.html",
        {"options": [(c.pk, c.name) for c in subs], "placeholder": "None"},
    )


@staff_only
@require_GET
def ci_options(request):
    """The CIs of the chosen organisation for the form's list, the requester's site's first, narrowed by
    the search box (``q``); what was already ticked stays ticked (and listed, whatever the search)."""
    organisation = request.GET.get("organisation", "")
    requester = request.GET.get("requester", "")
    organisation_id = organisation if organisation.isdigit() else None
    ticked = [pk for pk in request.GET.getlist("cis") if pk.isdigit()]
    keep = affected.chosen(request.user, organisation_id, ticked)
    term = (request.GET.get("q") or request.GET.get("ci_q") or "")[:200]
    offer = affected.offer(
        request.user, organisation_id, requester if requester.isdigit() else None, include=keep, q=term
    )
    context = {
        "groups": offer.groups(),
        "selected": {ci.pk for ci in keep},
        "organisation": organisation_id,
        "more": offer.more,
        "searched": bool(term.strip()),
    }
    return render(request, "incidents/_ci_options.html", context)
