import datetime as dt
from dataclasses import dataclass

import pytest

from opsdesk.catalogue import services
from opsdesk.catalogue.choices import ServiceStatus
from opsdesk.core.context import acting_as

JAN_1 = dt.date(2026, 1, 1)


@dataclass
class Catalogue:
    mail: object  # live, Acme subscribes from 2026-01-01 (open-ended)
    backup: object  # live, Globex subscribes from 2026-01-01 to 2026-06-30
    vpn: object  # pipeline, nobody subscribes
    acme_mail: object
    globex_backup: object


@pytest.fixture
def catalogue(world) -> Catalogue:
    with acting_as(world.manager, "web"):
        mail = services.create_service(
            by=world.manager,
            name="Managed Mail",
            description="Hosted Exchange mailboxes",
            owner=world.service_desk,
            status=ServiceStatus.LIVE,
            service_hours="Mon-Fri 08:00-18:00",
            parameters=[("Mailbox size", "2 GB"), ("Retention", "30 days"), ("Availability", "99.5%")],
        )
        backup = services.create_service(
            by=world.manager,
            name="Backups",
            description="Nightly backups of servers",
            owner=world.network,
            status=ServiceStatus.LIVE,
            parameters=[("Schedule", "Nightly 22:00")],
        )
        vpn = services.create_service(by=world.manager, name="VPN", owner=world.network)
        acme_mail = services.subscribe(mail, world.acme, start_date=JAN_1, by=world.manager)
        globex_backup = services.subscribe(
            backup, world.globex, start_date=JAN_1, end_date=dt.date(2026, 6, 30), by=world.manager
        )
    return Catalogue(mail, backup, vpn, acme_mail, globex_backup)
