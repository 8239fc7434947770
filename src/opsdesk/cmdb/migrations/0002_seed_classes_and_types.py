"""The CI classes and relationship types every installation starts with (administrators add more)."""

from django.db import migrations


def attr(name, label, kind, required=False, choices=None):
    definition = {"name": name, "label": label, "type": kind, "required": required}
    if choices:
        definition["choices"] = choices
    return definition


# (key, name, parent key, own attribute definitions)
CLASSES = [
    (
        "hardware",
        "Hardware",
        None,
        [
            attr("purchase_date", "Purchase date", "date"),
            attr("warranty_end", "Warranty end", "date"),
        ],
    ),
    (
        "server",
        "Server",
        "hardware",
        [
            attr("cpu_count", "CPUs", "number"),
            attr("ram_gb", "RAM (GB)", "number"),
            attr("ip_address", "IP address", "ip"),
            attr("virtual", "Virtual machine", "boolean"),
        ],
    ),
    ("desktop-pc", "Desktop PC", "hardware", [attr("ip_address", "IP address", "ip")]),
    ("laptop", "Laptop", "hardware", [attr("disk_encrypted", "Disk encrypted", "boolean")]),
    ("pda-mobile", "PDA/Mobile", "hardware", [attr("phone_number", "Phone number", "text")]),
    (
        "printer",
        "Printer",
        "hardware",
        [
            attr("ip_address", "IP address", "ip"),
            attr("colour", "Colour", "boolean"),
        ],
    ),
    ("network", "Network", None, [attr("management_ip", "Management IP address", "ip")]),
    ("router", "Router", "network", [attr("firmware", "Firmware", "text")]),
    ("switch", "Switch", "network", [attr("ports", "Ports", "number")]),
    ("firewall", "Firewall", "network", [attr("firmware", "Firmware", "text")]),
    ("lan", "LAN", "network", [attr("subnet", "Subnet", "text"), attr("vlan", "VLAN", "number")]),
    (
        "wan-link",
        "WAN link",
        "network",
        [
            attr("bandwidth_mbps", "Bandwidth (Mbit/s)", "number"),
            attr("carrier_reference", "Carrier reference", "text"),
        ],
    ),
    ("vpn", "VPN", "network", [attr("peer_ip", "Peer IP address", "ip")]),
    ("software", "Software", None, []),
    ("application", "Application", "software", [attr("url", "URL", "text")]),
    (
        "operating-system",
        "Operating system",
        "software",
        [
            attr("family", "Family", "choice", choices=["Windows", "Linux", "macOS", "Other"]),
        ],
    ),
    (
        "licence",
        "Licence",
        "software",
        [
            attr("seats", "Seats", "number"),
            attr("expires_on", "Expires on", "date"),
        ],
    ),
    ("service", "Service", None, []),
    ("documentation", "Documentation", None, [attr("url", "URL", "text")]),
    ("person-team", "Person/Team", None, [attr("email", "E-mail", "text")]),
    ("location", "Location", None, [attr("address", "Address", "text")]),
    ("backup-target", "Backup target", None, [attr("capacity_tb", "Capacity (TB)", "number")]),
]

# (key, forward, reverse, symmetric, impact, source class keys, target class keys)
TYPES = [
    (
        "runs-on",
        "runs on",
        "hosts",
        False,
        "source_depends",
        ["software", "service"],
        ["hardware", "software"],
    ),
    ("installed-on", "installed on", "has installed", False, "source_depends", ["software"], ["hardware"]),
    (
        "connected-to",
        "connected to",
        "connected to",
        True,
        "source_depends",
        ["hardware", "network"],
        ["hardware", "network"],
    ),
    ("depends-on", "depends on", "used by", False, "source_depends", [], []),
    ("backed-up-by", "backed up by", "backs up", False, "none", [], ["backup-target"]),
    ("member-of", "member of", "has member", False, "none", ["person-team"], ["person-team"]),
    ("located-in", "located in", "contains", False, "source_depends", [], ["location"]),
    ("documented-by", "documented by", "documents", False, "none", [], ["documentation"]),
]


def seed(apps, schema_editor):
    CIClass = apps.get_model("cmdb", "CIClass")
    RelationshipType = apps.get_model("cmdb", "RelationshipType")
    by_key = {}
    for key, name, parent, definitions in CLASSES:
        by_key[key], _ = CIClass.objects.get_or_create(
            key=key, defaults={"name": name, "parent": by_key.get(parent), "attributes": definitions}
        )
    for key, forward, reverse, symmetric, impact, sources, targets in TYPES:
        kind, created = RelationshipType.objects.get_or_create(
            key=key,
            defaults={
                "forward_name": forward,
                "reverse_name": reverse,
                "symmetric": symmetric,
                "impact": impact,
            },
        )
        if created:
            kind.source_classes.set([by_key[k] for k in sources])
            kind.target_classes.set([by_key[k] for k in targets])


class Migration(migrations.Migration):
    dependencies = [("cmdb", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
