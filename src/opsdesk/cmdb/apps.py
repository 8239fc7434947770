from django.apps import AppConfig


class CmdbConfig(AppConfig):
    name = "opsdesk.cmdb"
    label = "cmdb"
    verbose_name = "Configuration management"

    def ready(self) -> None:
        # A new catalogue service gets its Service CI; renames and retirements follow.
        from opsdesk.cmdb import service_cis  # noqa: F401
