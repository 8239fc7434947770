"""The life of a configuration item, as data (see ``opsdesk.core.workflow``).

Proposed -> Ordered -> In stock -> Installed <-> In maintenance -> Retired -> Disposed, with the turns an
asset manager takes: a proposal or an order can be cancelled (retired); kit can be installed straight from
the proposal or the order (software, services); an installed or maintained item can be taken back to stock;
a retired item can be re-commissioned (back to stock, or installed again); only stock and retired items are
disposed of. Disposed is final. The CI edit form, the API, the import and the retire button all read this.
"""

from __future__ import annotations

from opsdesk.cmdb.choices import CIStatus
from opsdesk.core.errors import IllegalTransition
from opsdesk.core.workflow import Transition, Workflow

S = CIStatus

CI_WORKFLOW = Workflow(
    [
        Transition("order", frozenset({S.PROPOSED}), S.ORDERED, "Order"),
        Transition(
            "stock",
            frozenset({S.PROPOSED, S.ORDERED, S.INSTALLED, S.IN_MAINTENANCE, S.RETIRED}),
            S.IN_STOCK,
            "Put in stock",
        ),
        Transition(
            "install",
            frozenset({S.PROPOSED, S.ORDERED, S.IN_STOCK, S.IN_MAINTENANCE, S.RETIRED}),
            S.INSTALLED,
            "Install",
        ),
        Transition("maintain", frozenset({S.INSTALLED}), S.IN_MAINTENANCE, "Start maintenance"),
        Transition(
            "retire",
            frozenset({S.PROPOSED, S.ORDERED, S.IN_STOCK, S.INSTALLED, S.IN_MAINTENANCE}),
            S.RETIRED,
            "Retire",
        ),
        Transition("dispose", frozenset({S.IN_STOCK, S.RETIRED}), S.DISPOSED, "Dispose of"),
    ],
    final={S.DISPOSED},
)

# A new CI is registered as planned, on order, in stock or in use (also when it is under maintenance as it
# is recorded); never retired or disposed.
START_STATUSES = (S.PROPOSED, S.ORDERED, S.IN_STOCK, S.INSTALLED, S.IN_MAINTENANCE)


def next_statuses(status: str) -> list[str]:
    """The statuses a CI in ``status`` may move to, in the order of the status list."""
    targets = {t.target for t in CI_WORKFLOW.allowed_actions(status)}
    return [value for value in CIStatus.values if value in targets]


def check_status_change(status: str, target: str) -> None:
    """Raise IllegalTransition (HTTP 409, naming the statuses allowed) unless ``status`` -> ``target`` is in
    the table. Staying in the same status is no change. An unknown ``target`` is left to field validation."""
    if target == status or target not in CIStatus.values:
        return
    if not CI_WORKFLOW.actions_to(status, target):
        raise IllegalTransition(f"change the status to '{target}'", status, next_statuses(status))
