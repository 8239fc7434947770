"""The pages where managers and administrators define the CMDB's shape: CI classes (a tree, each with its
own typed attribute definitions) and relationship types (names both ways, which classes they join).

Every provider user may read these pages (the API shows classes to everyone as well); changing them is
for managers and administrators (``services.check_can_manage_classes``), others get a 403. Customers
get a 404, as for every staff page. Writes go through ``services`` like the API's."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from opsdesk.cmdb import services
from opsdesk.cmdb.models import CIClass, ClassTree, RelationshipType
from opsdesk.cmdb.schema_forms import ClassForm, RelationshipTypeForm, attribute_rows
from opsdesk.core.views import ConfirmForm, save_form, staff_only

FORBIDDEN = "Only administrators and managers may change CI classes and relationship types."


def _forbidden() -> HttpResponse:
    return HttpResponse(FORBIDDEN, status=403)


def _class_rows(tree: ClassTree) -> list[dict]:
    """Every class, parents before children, with its depth, own and inherited attributes."""
    rows: list[dict] = []

    def walk(parent_id, depth):
        children = sorted((c for c in tree.by_id.values() if c.parent_id == parent_id), key=lambda c: c.name)
        for child in children:
            rows.append(
                {
                    "klass": child,
                    "depth": depth,
                    "indent": depth * 1.5,
                    "own": child.attributes or [],
                    "inherited": len(tree.definitions(child.pk)) - len(child.attributes or []),
                }
            )
            walk(child.pk, depth + 1)

    walk(None, 0)
    return rows


@staff_only
def class_list(request):
    tree = ClassTree.load()
    context = {"rows": _class_rows(tree), "can_manage": services.can_manage_classes(request.user)}
    return render(request, "cmdb/classes.html", context)


@staff_only
def class_create(request):
    return _class_form(request, None)


@staff_only
def class_edit(request, class_id: int):
    klass = CIClass.objects.filter(pk=class_id).first()
    if klass is None:
        raise Http404("No such class")
    return _class_form(request, klass)


@staff_only
def class_delete(request, class_id: int):
    """The edit page's *Delete* button's confirmation: GET shows the class, or why it may not go (its CIs,
    subclasses, relationship types naming it; no button then); POST deletes through
    ``services.delete_class`` and returns to the class tree."""
    user = request.user
    klass = CIClass.objects.select_related("parent").filter(pk=class_id).first()
    if klass is None:
        raise Http404("No such class")
    if not services.can_manage_classes(user):
        return _forbidden()
    form = ConfirmForm(request.POST if request.method == "POST" else None, initial={"version": klass.version})
    status = 200
    if request.method == "POST":
        status = form.confirm(lambda version: services.delete_class(klass, by=user, expected_version=version))
        if status is None:
            messages.success(request, f"Deleted the class “{klass.name}”.")
            return redirect("/cmdb/classes/")
    context = {
        "form": form,
        "what": f"the class “{klass.name}”",
        "facts": [("Key", klass.key), ("Parent", klass.parent.name if klass.parent else "—")],
        "uses": services.class_uses(klass),
        "instead": "Untick Active on its edit page instead, so that no new configuration items are of it.",
        "back_url": f"/cmdb/classes/{klass.pk}/edit/",
    }
    return render(request, "cmdb/delete.html", context, status=status)


def _class_form(request, klass: CIClass | None):
    user = request.user
    if not services.can_manage_classes(user):
        return _forbidden()
    tree = ClassTree.load()
    status = 200
    if request.method == "POST":
        form = ClassForm(request.POST, tree=tree, klass=klass)
        rows = attribute_rows(request.POST, add_row="add_row" in request.POST)
        if "add_row" in request.POST:
            form.is_valid(), rows.is_valid()  # show the entered values and their errors, save nothing
        elif form.is_valid() & rows.is_valid():
            values = {**form.values(), "attributes": rows.definitions()}

            def write():
                if klass is None:
                    return services.create_class(by=user, **values)
                return services.update_class(
                    klass, values, by=user, expected_version=form.cleaned_data["version"]
                )

            status = save_form(form, write)
            if status is None:
                messages.success(request, f"Saved the class “{values['name']}”.")
                return redirect("/cmdb/classes/")
        else:
            status = 422
    else:
        form = ClassForm(tree=tree, klass=klass)
        rows = attribute_rows(klass=klass)
    inherited = tree.definitions(klass.parent_id) if klass is not None and klass.parent_id else []
    context = {"form": form, "rows": rows, "klass": klass, "inherited": inherited}
    return render(request, "cmdb/class_form.html", context, status=status)


def _types():
    return RelationshipType.objects.prefetch_related("source_classes", "target_classes")


@staff_only
def type_list(request):
    context = {"types": _types(), "can_manage": services.can_manage_classes(request.user)}
    return render(request, "cmdb/relationship_types.html", context)


@staff_only
def type_create(request):
    return _type_form(request, None)


@staff_only
def type_edit(request, type_id: int):
    kind = _types().filter(pk=type_id).first()
    if kind is None:
        raise Http404("No such relationship type")
    return _type_form(request, kind)


def _type_form(request, kind: RelationshipType | None):
    user = request.user
    if not services.can_manage_classes(user):
        return _forbidden()
    tree = ClassTree.load()
    status = 200
    if request.method == "POST":
        form = RelationshipTypeForm(request.POST, tree=tree, kind=kind)
        if form.is_valid():
            values = form.values()

            def write():
                if kind is None:
                    return services.create_relationship_type(by=user, **values)
                return services.update_relationship_type(
                    kind, values, by=user, expected_version=form.cleaned_data["version"]
                )

            status = save_form(form, write)
            if status is None:
                messages.success(request, f"Saved the relationship type “{values['forward_name']}”.")
                return redirect("/cmdb/relationship-types/")
        else:
            status = 422
    else:
        form = RelationshipTypeForm(tree=tree, kind=kind)
    return render(request, "cmdb/relationship_type_form.html", {"form": form, "kind": kind}, status=status)
