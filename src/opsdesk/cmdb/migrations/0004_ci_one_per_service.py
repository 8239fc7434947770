"""At most one CI stands for a catalogue service; every existing service gets its Service CI (new ones
get theirs from ``cmdb.service_cis`` when they are created)."""

from django.db import migrations, models

STATUS_FOR = {"pipeline": "proposed", "live": "installed", "retired": "retired"}


def add_missing_service_cis(apps, schema_editor):
    Service = apps.get_model("catalogue", "Service")
    CI = apps.get_model("cmdb", "CI")
    CIClass = apps.get_model("cmdb", "CIClass")
    Organisation = apps.get_model("accounts", "Organisation")
    klass = CIClass.objects.filter(key="service").first()
    provider = Organisation.objects.filter(kind="provider").order_by("pk").first()
    if klass is None or provider is None:
        return
    for service in Service.objects.filter(cis__isnull=True).order_by("pk"):
        CI.objects.create(
            name=service.name,
            ci_class=klass,
            organisation=provider,
            service=service,
            status=STATUS_FOR.get(service.status, "proposed"),
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("catalogue", "0001_initial"),
        ("cmdb", "0003_search_trigram_index"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="ci",
            constraint=models.UniqueConstraint(
                condition=models.Q(("service__isnull", False)),
                fields=("service",),
                name="ci_one_per_service",
                violation_error_message="Another configuration item already stands for this service.",
            ),
        ),
        migrations.RunPython(add_missing_service_cis, migrations.RunPython.noop),
    ]
