"""Typed errors raised by services; views and the API map them to messages and HTTP codes."""

from collections.abc import Iterable


class OpsdeskError(Exception):
    """Base for domain errors."""


class IllegalTransition(OpsdeskError):
    """The action is not allowed from the object's current status (HTTP 409)."""

    def __init__(self, action: str, status: str, allowed: Iterable[str]):
        self.action = action
        self.status = status
        self.allowed = sorted(allowed)
        allowed_text = ", ".join(self.allowed) if self.allowed else "none (the record is final)"
        super().__init__(f"Cannot {action} from status '{status}'. Allowed from '{status}': {allowed_text}.")


class PermissionDenied(OpsdeskError):
    """The actor may see the object but not perform this action (HTTP 403)."""


class StaleObject(OpsdeskError):
    """The object changed since the client read it (HTTP 412)."""

    def __init__(self, current_version: int):
        self.current_version = current_version
        super().__init__("The record was changed by someone else; reload it and try again.")


def protected_message(exc: Exception) -> str:
    """The reason a ``ProtectedError``/``RestrictedError`` gives (a service's own words), or a plain one
    when Django raised it with its generic text (HTTP 409)."""
    message = exc.args[0] if exc.args and isinstance(exc.args[0], str) else ""
    if message.startswith("Cannot delete some instances"):
        message = ""
    return message or "Other records still refer to this one; deactivate it instead."
