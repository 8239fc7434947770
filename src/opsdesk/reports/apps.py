from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "opsdesk.reports"
    label = "reports"
    verbose_name = "Reports"
