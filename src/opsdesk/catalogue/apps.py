from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "opsdesk.catalogue"
    label = "catalogue"
    verbose_name = "Service catalogue"
