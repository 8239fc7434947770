"""The service lifecycle: pipeline -> live -> retired (retired is final)."""

from opsdesk.catalogue.choices import ServiceStatus
from opsdesk.core.workflow import Transition, Workflow

SERVICE_WORKFLOW = Workflow(
    [
        Transition("go_live", frozenset({ServiceStatus.PIPELINE}), ServiceStatus.LIVE, "Put live"),
        Transition("retire", frozenset({ServiceStatus.LIVE}), ServiceStatus.RETIRED, "Retire"),
    ],
    final={ServiceStatus.RETIRED},
)
