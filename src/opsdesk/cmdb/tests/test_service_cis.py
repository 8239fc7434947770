"""One Service CI per catalogue service: created with the service, following its name and lifecycle."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from opsdesk.catalogue import services as catalogue
from opsdesk.catalogue.choices import ServiceStatus
from opsdesk.cmdb import services
from opsdesk.cmdb.models import CI
from opsdesk.cmdb.tests.conftest import ensure_seeded, make_ci
from opsdesk.core.context import acting_as
from opsdesk.core.models import AuditEntry


@pytest.fixture
def backup(world):
    ensure_seeded()
    with acting_as(world.manager, "web"):
        return catalogue.create_service(by=world.manager, name="Backups", owner=world.service_desk)


def test_a_new_catalogue_service_gets_its_service_ci_audited_as_its_creator(world, backup):
    ci = CI.objects.get(service=backup)
    assert (ci.name, ci.ci_class.key, ci.organisation, ci.status) == (
        "Backups",
        "service",
        world.provider,
        "proposed",
    )
    created = AuditEntry.objects.get(object_id=str(ci.pk), action="create", content_type__model="ci")
    assert created.actor_id == world.manager.pk


def test_the_ci_follows_rename_go_live_and_retirement(world, backup):
    with acting_as(world.manager, "web"):
        backup = catalogue.update_service(backup, {"name": "Backup & Restore"}, by=world.manager)
        assert CI.objects.get(service=backup).name == "Backup & Restore"
        backup = catalogue.go_live(backup, by=world.manager)
        assert CI.objects.get(service=backup).status == "installed"
        services.update_ci(CI.objects.get(service=backup), {"name": "Backup platform"}, by=world.agent)
        backup = catalogue.update_service(backup, {"name": "Backup"}, by=world.manager)
        catalogue.retire_service(backup, by=world.manager)
    ci = CI.objects.get(service=backup)
    assert ci.name == "Backup platform"  # a name of its own is kept
    assert ci.status == "retired"


def test_a_second_ci_cannot_stand_for_the_same_service(world, backup):
    with acting_as(world.agent, "web"), pytest.raises(ValidationError) as exc:
        make_ci(world.agent, "Backups again", "service", world.provider, service=backup)
    assert exc.value.message_dict["service"] == [
        "Another configuration item already stands for this service."
    ]
    with acting_as(world.agent, "web"):
        other = make_ci(world.agent, "Backups (old)", "service", world.provider)
    with pytest.raises(IntegrityError), transaction.atomic():
        CI.objects.filter(pk=other.pk).update(service=backup)
    assert CI.objects.filter(service=backup).count() == 1


def test_the_service_status_carries_over_when_it_starts_live(world):
    ensure_seeded()
    with acting_as(world.manager, "web"):
        live = catalogue.create_service(
            by=world.manager, name="Printing", owner=world.service_desk, status=ServiceStatus.LIVE
        )
    assert CI.objects.get(service=live).status == "installed"
