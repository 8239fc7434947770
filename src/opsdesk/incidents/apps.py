from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "opsdesk.incidents"
    label = "incidents"
    verbose_name = "Incident management"

    def ready(self):
        # Connects the clocks to SLA and calendar edits (opsdesk.sla.signals).
        from opsdesk.incidents import clocks  # noqa: F401
