from django.apps import AppConfig


class CmdbConfig(AppConfig):
    name = "opsdesk.cmdb"
    label = "cmdb"
    verbose_name = "Configuration management"
