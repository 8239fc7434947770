"""The business time each clock had counted at its last change, on the incident row, so the SLA reports
can add it up with SQL instead of reading every clock event. Existing rows take it from their latest
clock event."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery

HELP = "Business time counted at the last clock change (final once stopped)"


def backfill(apps, schema_editor):
    Incident = apps.get_model("incidents", "Incident")
    ClockEvent = apps.get_model("incidents", "ClockEvent")
    for clock in ("response", "resolution"):
        latest = (
            ClockEvent.objects.filter(incident=OuterRef("pk"), clock=clock, used_seconds__isnull=False)
            .order_by("-at", "-id")
            .values("used_seconds")[:1]
        )
        rows = Incident.objects.filter(sla__isnull=False).exclude(**{f"{clock}_state": ""})
        rows.update(**{f"{clock}_used_seconds": Subquery(latest)})


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0006_affected_cis"),
    ]

    operations = [
        migrations.AddField(
            model_name="incident",
            name="resolution_used_seconds",
            field=models.PositiveBigIntegerField(blank=True, help_text=HELP, null=True),
        ),
        migrations.AddField(
            model_name="incident",
            name="response_used_seconds",
            field=models.PositiveBigIntegerField(blank=True, help_text=HELP, null=True),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
