from django.db import migrations

# Priority: (response, resolution) in business minutes.
STANDARD_TARGETS = {
    0: (15, 4 * 60),
    1: (30, 8 * 60),
    2: (2 * 60, 16 * 60),
    3: (4 * 60, 40 * 60),
    4: (8 * 60, 80 * 60),
}


def seed(apps, schema_editor):
    Calendar = apps.get_model("sla", "Calendar")
    Sla = apps.get_model("sla", "Sla")
    SlaTarget = apps.get_model("sla", "SlaTarget")
    if Sla.objects.filter(organisation__isnull=True, is_default=True).exists():
        return
    calendar = Calendar.objects.filter(name="UK office hours").first()
    if calendar is None:
        return
    sla = Sla.objects.create(
        name="Standard",
        organisation=None,
        is_default=True,
        calendar=calendar,
        warning_thresholds=[75, 100],
        notify_roles=["owner", "workgroup_lead", "manager"],
        pausing_reasons=["customer", "part_shipped", "external", "scheduled"],
        notes="The provider-wide default for customers without an SLA of their own.",
    )
    for priority, (response, resolution) in STANDARD_TARGETS.items():
        SlaTarget.objects.create(
            sla=sla, priority=priority, response_minutes=response, resolution_minutes=resolution
        )


class Migration(migrations.Migration):
    dependencies = [("sla", "0003_slas")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
