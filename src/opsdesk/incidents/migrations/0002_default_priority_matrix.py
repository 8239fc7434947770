from django.db import migrations

IMPACTS = ["severe", "high", "medium", "low", "none"]
URGENCIES = ["immediate", "critical", "urgent", "normal", "negotiated"]


def seed(apps, schema_editor):
    PriorityRule = apps.get_model("incidents", "PriorityRule")
    for i, impact in enumerate(IMPACTS):
        for u, urgency in enumerate(URGENCIES):
            PriorityRule.objects.get_or_create(
                impact=impact, urgency=urgency, defaults={"priority": (i + u) // 2}
            )


class Migration(migrations.Migration):
    dependencies = [("incidents", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
