"""The CMDB pages: the CI list with filters, a CI's page (attributes, relationships both ways, impact,
history), the create/edit forms and the relationship buttons.

Staff read the CIs of their scope and change them; customers read their own organisation's CIs. Every
lookup goes through ``restrict(request.user)``; anything not visible is a 404.
"""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from opsdesk.cmdb import history, links, listing, references, services, transfer, workflow
from opsdesk.cmdb.api import relationship_rows
from opsdesk.cmdb.choices import AttributeType, CIStatus
from opsdesk.cmdb.forms import (
    CIFilterForm,
    CIForm,
    ImportForm,
    RelationshipForm,
    attribute_errors_to_fields,
    class_choices,
)
from opsdesk.cmdb.graph import impact_report
from opsdesk.cmdb.models import CI, CIClass, ClassTree, Relationship
from opsdesk.core.audit import history_for
from opsdesk.core.errors import IllegalTransition, PermissionDenied, StaleObject
from opsdesk.core.pagination import BadCursor, keyset_page
from opsdesk.core.views import STALE_MESSAGE, ConfirmForm, apply_errors, save_form, staff_only

PAGE_SIZE = 50


def _ci_or_404(request, ci_id: int) -> CI:
    ci = (
        CI.objects.restrict(request.user)
        .select_related("ci_class", "organisation", "location", "service")
        .filter(pk=ci_id)
        .first()
    )
    if ci is None:
        raise Http404("No such configuration item")
    return ci


def _forbidden(exc: Exception) -> HttpResponse:
    return HttpResponse(str(exc) or "You may not do that.", status=403)


@login_required
def ci_list(request):
    user = request.user
    tree = ClassTree.load()
    form = CIFilterForm(request.GET or None, user=user, tree=tree)
    qs, status = filtered_cis(user, form, tree)
    sort = form.cleaned_data.get("sort") or listing.DEFAULT_SORT if form.is_bound else listing.DEFAULT_SORT
    qs = listing.with_sort_columns(qs, sort)
    order = listing.order_fields(sort)
    try:
        page = keyset_page(qs, order, request.GET.get("cursor"), PAGE_SIZE)
    except BadCursor as exc:
        messages.error(request, str(exc))
        page = keyset_page(qs, order, None, PAGE_SIZE)
    query = request.GET.copy()
    query.pop("cursor", None)
    base = f"?{query.urlencode()}&" if query else "?"
    export_query = query.copy()
    export_query.pop("sort", None)
    context = {
        "form": form,
        "page": page,
        "sort": sort,
        "headers": listing.headers(query, sort),
        "export_query": export_query.urlencode(),
        "prev_url": f"{base}cursor={page.prev_cursor}" if page.prev_cursor else "",
        "next_url": f"{base}cursor={page.next_cursor}" if page.next_cursor else "",
        "can_edit": services.can_edit(user),
    }
    return render(request, "cmdb/list.html", context, status=status)


def filtered_cis(user, form: CIFilterForm, tree: ClassTree):
    """The CIs the user sees, narrowed by the list's filters; (queryset, status) - 422 if a filter is bad."""
    if not form.is_bound:
        return listing.filter_cis(user, {}, tree), 200
    if form.is_valid():
        return listing.filter_cis(user, form.cleaned_data, tree), 200
    return CI.objects.none(), 422


@login_required
def ci_export(request):
    """The list's current filters, as a CSV or JSON download (``?format=csv|json``); with
    ``?what=relationships``, the relationships of those CIs (both ends visible) instead."""
    tree = ClassTree.load()
    query = request.GET.copy()
    file_format = query.pop("format", ["csv"])[-1]
    what = query.pop("what", ["cis"])[-1]
    if file_format not in transfer.FORMATS:
        return HttpResponse("format must be csv or json.", status=422)
    form = CIFilterForm(query or None, user=request.user, tree=tree)
    qs, status = filtered_cis(request.user, form, tree)
    if status != 200:
        return HttpResponse("Some filters are not valid.", status=status)
    if what == "relationships":
        rels = Relationship.objects.restrict(request.user).filter(source__in=qs)
        return transfer.relationships_export_response(rels, file_format)
    return transfer.export_response(qs, tree, file_format)


def _attribute_rows(ci: CI, tree: ClassTree, user=None) -> list[dict]:
    """Label, value and type of each attribute; a reference to a CI the user may see carries that CI
    (shown as a link with its name), one they may not see only its id."""
    definitions = tree.definitions(ci.ci_class_id)
    values = ci.attributes or {}
    refs = [values.get(d["name"]) for d in definitions if d["type"] == AttributeType.CI]
    referenced = references.names(refs, user) if user is not None else {}
    rows = []
    for definition in definitions:
        value = values.get(definition["name"])
        if isinstance(value, bool):
            value = "Yes" if value else "No"
        row = {"label": definition["label"], "value": value, "type": definition["type"]}
        if definition["type"] == AttributeType.CI:
            row["ci"] = referenced.get(value)
        rows.append(row)
    return rows


def graph_data(ci: CI, user, relationships: list[dict], report, tree: ClassTree | None = None) -> dict:
    """Nodes and edges for the page's graph: the CI, its neighbours, and what the analysis reached.
    ``statuses`` names the status values, so the page's legend reads "In stock" rather than in_stock."""
    tree = tree or ClassTree.load()
    nodes: dict[int, dict] = {}

    def add(pk, name, ci_class, status, role):
        if pk not in nodes:
            nodes[pk] = {"id": str(pk), "label": name, "class": ci_class, "status": status, "role": role}
            nodes[pk]["url"] = f"/cmdb/{pk}/"

    add(ci.pk, ci.name, ci.ci_class.name, ci.status, "root")
    for side, role in ((report["downstream"].cis, "downstream"), (report["upstream"].cis, "upstream")):
        for row in side:
            add(row["id"], row["name"], row["ci_class"], row["status"], role)
    for row in report["downstream"].degraded:
        add(row["id"], row["name"], row["ci_class"], row["status"], "degraded")
    for row in relationships:
        other = row["other"]
        klass = tree.by_id.get(other.ci_class_id)
        add(other.pk, other.name, klass.name if klass else "", other.status, "neighbour")
    ids = list(nodes)
    edges = [
        {
            "id": f"r{rel.pk}",
            "source": str(rel.source_id),
            "target": str(rel.target_id),
            "label": rel.type.forward_name,
            "redundant": bool(rel.redundancy_group),
        }
        for rel in Relationship.objects.restrict(user)
        .filter(source_id__in=ids, target_id__in=ids)
        .select_related("type")[:1000]
    ]
    statuses = {value: label for value, label in CIStatus.choices}
    return {"root": ci.pk, "nodes": list(nodes.values()), "edges": edges, "statuses": statuses}


def _history(ci: CI) -> list[dict]:
    """The latest changes, leaving out fields that were empty before and after (a create's blanks)."""
    empty = (None, "", {}, [])
    return [
        {
            "entry": entry,
            "changes": [
                (k, pair) for k, pair in entry.changes.items() if pair[0] not in empty or pair[1] not in empty
            ],
        }
        for entry in history_for(ci).order_by("-at", "-id")[:20]
    ]


@login_required
def ci_detail(request, ci_id: int):
    user = request.user
    ci = _ci_or_404(request, ci_id)
    tree = ClassTree.load()
    if request.GET.get("at") and user.is_provider_staff:
        return _past(request, ci, tree)
    can_edit = services.can_edit(user) and ci.status != CIStatus.DISPOSED
    report = impact_report(ci, user)
    relationships = relationship_rows(ci, user)
    context = {
        "ci": ci,
        "lineage": tree.lineage(ci.ci_class_id),
        "attributes": _attribute_rows(ci, tree, user),
        "relationships": relationships,
        "graph": graph_data(ci, user, relationships, report, tree),
        "downstream": report["downstream"],
        "linkable_cis": {ci.pk, *(row["id"] for row in report["downstream"].cis)},
        "linkable_services": {row["id"] for row in report["downstream"].services},
        "upstream": report["upstream"],
        "history": _history(ci) if user.is_provider_staff else [],
        "linked_sections": links.sections(ci, user),
        "can_edit": can_edit,
        "can_delete": services.can_delete_ci(user, ci),
        "can_retire": can_edit and CIStatus.RETIRED in workflow.next_statuses(ci.status),
        "relationship_form": RelationshipForm(user=user, ci=ci) if can_edit else None,
        "nearby": CI.objects.restrict(user).filter(organisation=ci.organisation).exclude(pk=ci.pk)[:200]
        if can_edit
        else [],
    }
    return render(request, "cmdb/detail.html", context)


def _past(request, ci: CI, tree: ClassTree):
    """``?at=2026-11-20T22:00``: the CI and its relationships as they were then (staff, like history)."""
    try:
        moment = history.parse_moment(request.GET["at"])
    except ValueError:
        messages.error(request, "Give the moment as a date and time, e.g. 2026-11-20T22:00.")
        return redirect(ci.get_absolute_url())
    view = history.ci_at(ci, moment, request.user)
    attributes = _attribute_rows(view.ci, tree) if view.ci else []
    context = {"ci": ci, "past": view, "attributes": attributes, "at_value": request.GET["at"][:16]}
    return render(request, "cmdb/past.html", context)


@staff_only
def ci_choose_class(request):
    tree = ClassTree.load()
    active = {c.key for c in tree.by_id.values() if c.is_active}
    classes = [(key, label) for key, label in class_choices(tree) if key in active]
    return render(request, "cmdb/choose_class.html", {"classes": classes})


@staff_only
def ci_create(request, class_key: str):
    user = request.user
    ci_class = CIClass.objects.filter(key=class_key, is_active=True).first()
    if ci_class is None:
        raise Http404("No such class")
    tree = ClassTree.load()
    status = 200
    if request.method == "POST":
        form = CIForm(request.POST, user=user, ci_class=ci_class, tree=tree)
        if form.is_valid():
            try:
                ci = services.create_ci(by=user, ci_class=ci_class, **form.values())
            except PermissionDenied as exc:
                return _forbidden(exc)
            except ValidationError as exc:
                apply_errors(form, attribute_errors_to_fields(exc))
            else:
                messages.success(request, f"Created the {ci_class.name.lower()} “{ci.name}”.")
                return redirect(ci.get_absolute_url())
        status = 422
    else:
        form = CIForm(user=user, ci_class=ci_class, tree=tree)
    return render(request, "cmdb/form.html", {"form": form, "ci": None, "ci_class": ci_class}, status=status)


@staff_only
def ci_edit(request, ci_id: int):
    user = request.user
    ci = _ci_or_404(request, ci_id)
    if ci.status == CIStatus.DISPOSED:
        messages.error(request, "A disposed configuration item cannot be edited.")
        return redirect(ci.get_absolute_url())
    tree = ClassTree.load()
    status = 200
    if request.method == "POST":
        form = CIForm(request.POST, user=user, ci_class=ci.ci_class, tree=tree, ci=ci)
        if form.is_valid():
            status = save_form(
                form,
                lambda: services.update_ci(
                    ci, form.changes(), by=user, expected_version=form.cleaned_data["version"]
                ),
                map_errors=attribute_errors_to_fields,
            )
            if status is None:
                messages.success(request, f"Saved “{ci.name}”.")
                return redirect(ci.get_absolute_url())
        else:
            status = 422
    else:
        form = CIForm(user=user, ci_class=ci.ci_class, tree=tree, ci=ci)
    return render(request, "cmdb/form.html", {"form": form, "ci": ci, "ci_class": ci.ci_class}, status=status)


@staff_only
@require_POST
def ci_retire(request, ci_id: int):
    ci = _ci_or_404(request, ci_id)
    version = request.POST.get("version")
    try:
        services.retire_ci(
            ci, by=request.user, expected_version=int(version) if version and version.isdigit() else None
        )
    except PermissionDenied as exc:
        return _forbidden(exc)
    except (IllegalTransition, StaleObject) as exc:
        messages.error(request, STALE_MESSAGE if isinstance(exc, StaleObject) else str(exc))
    else:
        messages.success(request, f"“{ci.name}” is retired.")
    return redirect(ci.get_absolute_url())


@staff_only
def ci_delete(request, ci_id: int):
    """The *Delete* button's confirmation: GET shows what would go, or why it may not (what still uses the
    CI, with no button); POST deletes through ``services.delete_ci`` and returns to the list."""
    user = request.user
    ci = _ci_or_404(request, ci_id)
    if not services.can_delete_ci(user, ci):
        return _forbidden(PermissionDenied("You may not delete this configuration item."))
    form = ConfirmForm(request.POST if request.method == "POST" else None, initial={"version": ci.version})
    status = 200
    if request.method == "POST":
        status = form.confirm(lambda version: services.delete_ci(ci, by=user, expected_version=version))
        if status is None:
            messages.success(request, f"Deleted the configuration item “{ci.name}”.")
            return redirect("/cmdb/")
    context = {
        "form": form,
        "what": f"the configuration item “{ci.name}”",
        "facts": [
            ("Class", ci.ci_class.name),
            ("Organisation", ci.organisation.name),
            ("Status", ci.get_status_display()),
        ],
        "uses": services.ci_uses(ci),
        "instead": "Retire or dispose of it instead, so that its history and the records naming it stay.",
        "back_url": ci.get_absolute_url(),
    }
    return render(request, "cmdb/delete.html", context, status=status)


@staff_only
@require_POST
def relationship_add(request, ci_id: int):
    user = request.user
    ci = _ci_or_404(request, ci_id)
    form = RelationshipForm(request.POST, user=user, ci=ci)
    if form.is_valid():
        (kind, outgoing), other = form.cleaned_data["relation"], form.cleaned_data["other"]
        source, target = (ci, other) if outgoing else (other, ci)
        try:
            services.add_relationship(
                source, kind, target, by=user, redundancy_group=form.cleaned_data["redundancy_group"]
            )
        except PermissionDenied as exc:
            return _forbidden(exc)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            label = kind.forward_name if outgoing else kind.reverse_name
            messages.success(request, f"{ci.name} {label} {other.name}.")
    else:
        for field_errors in form.errors.values():
            for message in field_errors:
                messages.error(request, message)
    return redirect(f"{ci.get_absolute_url()}#relationships")


@staff_only
@require_POST
def relationship_remove(request, ci_id: int, relationship_id: int):
    user = request.user
    ci = _ci_or_404(request, ci_id)
    rel = (
        Relationship.objects.restrict(user)
        .filter(Q(source=ci) | Q(target=ci), pk=relationship_id)
        .select_related("source", "target", "type")
        .first()
    )
    if rel is None:
        raise Http404("No such relationship")
    try:
        services.remove_relationship(rel, by=user)
    except PermissionDenied as exc:
        return _forbidden(exc)
    messages.success(request, f"Removed: {rel.source.name} {rel.type.forward_name} {rel.target.name}.")
    return redirect(f"{ci.get_absolute_url()}#relationships")


@staff_only
def ci_import(request):
    """Upload a CSV or JSON file of CIs of one class (or of relationships) and show what it did."""
    user = request.user
    report = rejects_url = problem = None
    status = 200
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES, user=user)
        if form.is_valid():
            data = form.cleaned_data
            upload = data["file"]
            options = {
                "by": user,
                "file_format": transfer.guess_format(upload.name),
                "dry_run": data["dry_run"],
                "partial": data["partial"] and not data["dry_run"],
            }
            try:
                if data["what"] == ImportForm.RELATIONSHIPS:
                    report = services.import_relationships(
                        upload.read(), organisation=data["organisation"], **options
                    )
                else:
                    klass = CIClass.objects.get(key=data["what"])
                    report = services.import_cis(
                        upload.read(), ci_class=klass, organisation=data["organisation"], **options
                    )
            except PermissionDenied as exc:
                return _forbidden(exc)
            except transfer.FileProblem as exc:
                problem = str(exc)
            if report is not None and report.rejects:
                content, content_type = transfer.write_rejects(report)
                rejects_url = f"data:{content_type};charset=utf-8,{quote(content)}"
        if problem or not form.is_valid() or (report and report.rejects):
            status = 422
    else:
        form = ImportForm(user=user)
    context = {"form": form, "report": report, "problem": problem, "rejects_url": rejects_url}
    return render(request, "cmdb/import.html", context, status=status)
