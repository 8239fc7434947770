import datetime

from django.db import migrations

OFFICE_HOURS = (datetime.time(9, 0), datetime.time(17, 30))


def seed(apps, schema_editor):
    Calendar = apps.get_model("sla", "Calendar")
    CalendarHours = apps.get_model("sla", "CalendarHours")
    Calendar.objects.get_or_create(
        name="24x7",
        defaults={
            "time_zone": "Europe/London",
            "is_24x7": True,
            "notes": "Round the clock: every hour counts, weekends and public holidays included.",
        },
    )
    uk, created = Calendar.objects.get_or_create(
        name="UK office hours",
        defaults={
            "time_zone": "Europe/London",
            "holiday_country": "GB",
            "holiday_subdivision": "ENG",
            "notes": "Monday to Friday 09:00-17:30 UK time, closed on bank holidays in England.",
        },
    )
    if created:
        for weekday in range(5):
            CalendarHours.objects.create(
                calendar=uk, weekday=weekday, start=OFFICE_HOURS[0], end=OFFICE_HOURS[1]
            )


class Migration(migrations.Migration):
    dependencies = [("sla", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
