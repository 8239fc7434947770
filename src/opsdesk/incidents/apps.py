from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "opsdesk.incidents"
    label = "incidents"
    verbose_name = "Incident management"

    def ready(self):
        # Connects the clocks to SLA and calendar edits (opsdesk.sla.signals).
        from opsdesk.core import periodic
        from opsdesk.incidents import cis, clocks  # noqa: F401
        from opsdesk.incidents.sweep import sweep

        # Every worker sweeps; the row lock makes each warning and breach happen once.
        periodic.register("sla-thresholds", 60, sweep)
        # The CMDB's CI page lists the open incidents naming the CI (the CMDB cannot import incidents).
        cis.register()
