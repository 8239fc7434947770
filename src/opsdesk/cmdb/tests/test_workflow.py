"""The CI status workflow: every move of the table allowed, every other refused, by every entry point
(services, API, edit form, retire button, import)."""

import itertools

import pytest
from django.core.exceptions import ValidationError

from opsdesk.cmdb import services
from opsdesk.cmdb.choices import CIStatus
from opsdesk.cmdb.models import CI
from opsdesk.cmdb.tests.conftest import cls, ensure_seeded, make_ci
from opsdesk.cmdb.workflow import START_STATUSES, next_statuses
from opsdesk.core.audit import history_for
from opsdesk.core.context import acting_as
from opsdesk.core.errors import IllegalTransition

S = CIStatus

# The table as the README gives it: a change of the workflow changes this test and the README with it.
DOCUMENTED = {
    S.PROPOSED: [S.ORDERED, S.IN_STOCK, S.INSTALLED, S.RETIRED],
    S.ORDERED: [S.IN_STOCK, S.INSTALLED, S.RETIRED],
    S.IN_STOCK: [S.INSTALLED, S.RETIRED, S.DISPOSED],
    S.INSTALLED: [S.IN_STOCK, S.IN_MAINTENANCE, S.RETIRED],
    S.IN_MAINTENANCE: [S.IN_STOCK, S.INSTALLED, S.RETIRED],
    S.RETIRED: [S.IN_STOCK, S.INSTALLED, S.DISPOSED],
    S.DISPOSED: [],
}

MOVES = [(a, b) for a, b in itertools.permutations(S.values, 2)]
ALLOWED = [(a, b) for a, b in MOVES if b in next_statuses(a)]
REFUSED = [(a, b) for a, b in MOVES if b not in next_statuses(a)]


def in_status(world, status: str, name: str = "fs1") -> CI:
    """A server put straight into ``status`` (the set-up, not a move under test)."""
    ci = make_ci(world.agent, name, "server", world.acme)
    CI.objects.filter(pk=ci.pk).update(status=status)
    return CI.objects.get(pk=ci.pk)


def test_the_table_is_the_documented_one():
    assert {s: next_statuses(s) for s in S.values} == DOCUMENTED
    assert list(START_STATUSES) == [S.PROPOSED, S.ORDERED, S.IN_STOCK, S.INSTALLED, S.IN_MAINTENANCE]


@pytest.mark.parametrize(("source", "target"), ALLOWED)
def test_an_allowed_move_is_made_and_audited(world, source, target):
    ci = in_status(world, source)
    with acting_as(world.agent, "web"):
        moved = services.update_ci(ci, {"status": target}, by=world.agent)
    assert CI.objects.get(pk=ci.pk).status == target == moved.status
    assert history_for(ci).last().changes == {"status": [source, target]}


@pytest.mark.parametrize(("source", "target"), REFUSED)
def test_any_other_move_is_refused_naming_the_allowed_statuses(world, source, target):
    ci = in_status(world, source)
    with pytest.raises(IllegalTransition) as err:
        services.update_ci(ci, {"status": target, "notes": "moved"}, by=world.agent)
    assert err.value.status == source
    assert err.value.allowed == sorted(next_statuses(source))
    unchanged = CI.objects.get(pk=ci.pk)
    assert (unchanged.status, unchanged.notes, unchanged.version) == (source, "", ci.version)


@pytest.mark.parametrize("status", S.values)
def test_a_new_ci_starts_in_a_start_status_only(world, status):
    if status in START_STATUSES:
        assert make_ci(world.agent, "new", "server", world.acme, status=status).status == status
    else:
        with pytest.raises(ValidationError, match="cannot start"):
            make_ci(world.agent, "new", "server", world.acme, status=status)
        assert not CI.objects.filter(name="new").exists()


def test_the_api_answers_409_naming_the_allowed_statuses(world, api):
    ci = in_status(world, S.INSTALLED)
    client = api(world.agent)
    refused = client.patch(f"/api/v1/cis/{ci.pk}", {"status": "ordered"})
    assert refused.status_code == 409
    assert refused.json()["detail"] == (
        "Cannot change the status to 'ordered' from status 'installed'. "
        "Allowed from 'installed': in_maintenance, in_stock, retired."
    )
    assert CI.objects.get(pk=ci.pk).status == S.INSTALLED
    moved = client.patch(f"/api/v1/cis/{ci.pk}", {"status": "in_stock"})
    assert moved.status_code == 200 and moved.json()["status"] == "in_stock"


def status_options(client, url: str) -> list[str]:
    form = client.get(url).context["form"]
    return [value for value, _label in form.fields["status"].choices]


def test_the_edit_form_offers_the_current_status_and_where_it_may_go(world, login):
    client = login(world.agent)
    ordered = in_status(world, S.ORDERED)
    assert status_options(client, f"/cmdb/{ordered.pk}/edit/") == [
        "ordered",
        "in_stock",
        "installed",
        "retired",
    ]
    retired = in_status(world, S.RETIRED, "old")
    assert status_options(client, f"/cmdb/{retired.pk}/edit/") == [
        "in_stock",
        "installed",
        "retired",
        "disposed",
    ]
    assert status_options(client, "/cmdb/new/server/") == [s.value for s in START_STATUSES]
    data = {
        "name": "fs1",
        "organisation": world.acme.pk,
        "status": "proposed",
        "environment": "production",
        "criticality": "medium",
        "version": ordered.version,
    }
    refused = client.post(f"/cmdb/{ordered.pk}/edit/", data)
    assert refused.status_code == 422 and "Select a valid choice" in refused.content.decode()
    assert CI.objects.get(pk=ordered.pk).status == S.ORDERED
    assert client.post(f"/cmdb/{ordered.pk}/edit/", {**data, "status": "in_stock"}).status_code == 302
    assert CI.objects.get(pk=ordered.pk).status == S.IN_STOCK


def test_the_retire_button_shows_only_where_retiring_is_allowed(world, login):
    client = login(world.agent)
    installed = in_status(world, S.INSTALLED)
    assert "/retire/" in client.get(f"/cmdb/{installed.pk}/").content.decode()
    retired = in_status(world, S.RETIRED, "old")
    assert "/retire/" not in client.get(f"/cmdb/{retired.pk}/").content.decode()
    again = client.post(f"/cmdb/{retired.pk}/retire/", {"version": retired.version}, follow=True)
    assert "Cannot retire from status &#x27;retired&#x27;" in again.content.decode()
    assert CI.objects.get(pk=retired.pk).version == retired.version


def test_an_import_row_making_a_refused_move_is_rejected_with_line_column_and_reason(world):
    ensure_seeded()
    in_status(world, S.INSTALLED, "Web1")
    data = "name,status,vendor\nWeb1,ordered,Dell\nWeb2,installed,HPE\n"
    with acting_as(world.agent, "web"):
        report = services.import_cis(data, ci_class=cls("server"), organisation=world.acme, by=world.agent)
    [reject] = report.rejects
    assert (reject.line, reject.column) == (2, "status")
    assert "Allowed from 'installed': in_maintenance, in_stock, retired." in reject.reason
    assert not report.applied and not CI.objects.filter(name="Web2").exists()
    assert CI.objects.get(name="Web1").vendor == ""
