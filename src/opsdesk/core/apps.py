from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "opsdesk.core"
    label = "core"
    verbose_name = "Framework"

    def ready(self) -> None:
        from opsdesk.core import checks, periodic  # noqa: F401  (checks registers itself)
        from opsdesk.core.tasks import deliver_due

        periodic.register("deliver-outbox", 60, deliver_due)
