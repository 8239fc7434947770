"""Status machines as plain data: the UI, the API and the services all read the same table."""

from __future__ import annotations

from dataclasses import dataclass

from opsdesk.core.errors import IllegalTransition


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str
    label: str


class Workflow:
    def __init__(self, transitions: list[Transition], final: set[str]):
        self.transitions = {t.action: t for t in transitions}
        self.final = frozenset(final)

    def allowed_actions(self, status: str) -> list[Transition]:
        return [t for t in self.transitions.values() if status in t.sources]

    def check(self, action: str, status: str) -> Transition:
        transition = self.transitions.get(action)
        if transition is None or status not in transition.sources:
            raise IllegalTransition(action, status, [t.action for t in self.allowed_actions(status)])
        return transition

    def actions_to(self, status: str, target: str) -> list[Transition]:
        """Actions that move ``status`` to ``target`` (used when a client PATCHes a status)."""
        return [t for t in self.allowed_actions(status) if t.target == target]

    def reachable_targets(self, status: str) -> list[str]:
        return sorted({t.target for t in self.allowed_actions(status)})
