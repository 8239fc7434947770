"""The demo's configuration: the provider's data centre (two redundant core routers, a switch, a mail
cluster, a backup vault), one Service CI per catalogue service, and each customer's servers, printers and
sites, related so that impact analysis has something to say."""

from __future__ import annotations

from opsdesk.accounts.models import Organisation
from opsdesk.catalogue.models import Service
from opsdesk.cmdb import services as cmdb
from opsdesk.cmdb.models import CI, CIClass, RelationshipType
from opsdesk.cmdb.service_cis import ensure_service_ci


def load(provider: Organisation, customers: list[tuple[object, Organisation, list, list]]) -> int:
    """Create the demo CIs (nothing if the CMDB has some besides the Service CIs); returns how many."""
    if CI.objects.filter(service__isnull=True).exists():
        return 0
    classes = {c.key: c for c in CIClass.objects.all()}
    kinds = {k.key: k for k in RelationshipType.objects.all()}
    made: list[CI] = []

    def ci(name, klass, org, **fields):
        made.append(cmdb.create_ci(name=name, ci_class=classes[klass], organisation=org, **fields))
        return made[-1]

    def relate(source, kind, target, group=""):
        cmdb.add_relationship(source, kinds[kind], target, redundancy_group=group)

    dc = ci("Company X data centre, Leeds", "location", provider, attributes={"address": "Leeds LS1"})
    r1 = ci("cx-core-r1", "router", provider, vendor="Cisco", model="ASR 1001-X", location=dc)
    r2 = ci("cx-core-r2", "router", provider, vendor="Cisco", model="ASR 1001-X", location=dc)
    switch = ci("cx-dc-sw1", "switch", provider, vendor="Arista", attributes={"ports": 48}, location=dc)
    relate(switch, "connected-to", r1, "uplink")
    relate(switch, "connected-to", r2, "uplink")
    vault = ci("cx-backup-vault", "backup-target", provider, attributes={"capacity_tb": 200}, location=dc)
    exchange = ci("Exchange 2019 cluster", "application", provider, software_version="CU14")
    for n in (1, 2):
        mx = ci(
            f"cx-mx{n}", "server", provider, attributes={"ram_gb": 128, "ip_address": f"10.10.0.{10 + n}"}
        )
        relate(mx, "connected-to", switch)
        relate(mx, "backed-up-by", vault)
        relate(exchange, "installed-on", mx, "mail-nodes")
    # Each catalogue service got its Service CI when it was created (cmdb.service_cis).
    service_cis = {
        s.name: ensure_service_ci(s) or ci(s.name, "service", provider, service=s)
        for s in Service.objects.order_by("name")
    }
    for name in ("Managed Mail", "Email Services"):
        if name in service_cis:
            relate(service_cis[name], "runs-on", exchange)
    if "Backups" in service_cis:
        relate(service_cis["Backups"], "depends-on", vault)
    for number, (customer, org, _people, sites) in enumerate(customers, start=1):
        places = [ci(site.name, "location", org) for site in sites]
        for index, name in enumerate(customer.servers):
            server = ci(
                name,
                "server",
                org,
                location=dc,
                attributes={"ip_address": f"10.{20 + number}.0.{10 + index}"},
            )
            relate(server, "connected-to", switch)
            relate(server, "backed-up-by", vault)
            if "Server Systems" in service_cis:
                relate(service_cis["Server Systems"], "depends-on", server)
        for index, name in enumerate(customer.printers):
            ci(name, "printer", org, location=places[index % len(places)] if places else None)
    return len(made)
