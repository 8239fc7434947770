from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "opsdesk.portal"
    label = "portal"
    verbose_name = "Customer portal"
