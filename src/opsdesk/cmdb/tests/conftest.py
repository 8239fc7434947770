import datetime as dt
import importlib
from dataclasses import dataclass

import pytest
from django.apps import apps

from opsdesk.catalogue import services as catalogue
from opsdesk.catalogue.choices import ServiceStatus
from opsdesk.cmdb import services
from opsdesk.cmdb.models import CI, CIClass, RelationshipType
from opsdesk.core.context import acting_as


def cls(key: str) -> CIClass:
    return CIClass.objects.get(key=key)


def rel(key: str) -> RelationshipType:
    return RelationshipType.objects.get(key=key)


@dataclass
class Estate:
    """Acme's mail service: the Mail service CI runs on the mail app, installed on server ``mx1``, which
    reaches the network through two redundant routers (``r1``, ``r2``); Globex has its own server."""

    mail_service: object  # catalogue service, Acme subscribes
    mail: CI  # Service CI
    app: CI
    mx1: CI
    r1: CI
    r2: CI
    globex_db: CI


def ensure_seeded() -> None:
    """The classes and relationship types come from a data migration; a transactional test (the browser
    tests) may run after another one has flushed them away, so put them back the same way."""
    if not CIClass.objects.exists():
        migration = importlib.import_module("opsdesk.cmdb.migrations.0002_seed_classes_and_types")
        migration.seed(apps, None)


def make_ci(by, name, klass, organisation, **fields) -> CI:
    return services.create_ci(by=by, name=name, ci_class=cls(klass), organisation=organisation, **fields)


@pytest.fixture
def estate(world) -> Estate:
    ensure_seeded()
    with acting_as(world.manager, "web"):
        mail_service = catalogue.create_service(
            by=world.manager, name="Managed Mail", owner=world.service_desk, status=ServiceStatus.LIVE
        )
        catalogue.subscribe(mail_service, world.acme, start_date=dt.date(2020, 1, 1), by=world.manager)
        by = world.agent
        # The catalogue gave the service its CI (the provider's); here Acme runs its own mail.
        mail = CI.objects.get(service=mail_service)
        mail = services.update_ci(mail, {"name": "Acme mail", "organisation": world.acme}, by=by)
        app = make_ci(by, "Exchange", "application", world.acme, software_version="2019 CU14")
        mx1 = make_ci(by, "MX1", "server", world.acme, attributes={"ram_gb": 64, "ip_address": "10.0.0.5"})
        r1 = make_ci(by, "Core-R1", "router", world.provider)
        r2 = make_ci(by, "Core-R2", "router", world.provider)
        globex_db = make_ci(by, "Globex-DB", "server", world.globex)
        services.add_relationship(mail, rel("runs-on"), app, by=by)
        services.add_relationship(app, rel("installed-on"), mx1, by=by)
        services.add_relationship(mx1, rel("connected-to"), r1, by=by, redundancy_group="uplink")
        services.add_relationship(mx1, rel("connected-to"), r2, by=by, redundancy_group="uplink")
    return Estate(mail_service, mail, app, mx1, r1, r2, globex_db)
