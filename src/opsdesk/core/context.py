"""Who is acting, through which channel: set by every entry point, read by the audit log.

Web requests (middleware), the API (token auth), the worker, ingesters and management commands all
enter through :func:`acting_as`, so every write can say who did it and how.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

CHANNELS = ("web", "api", "email", "event", "system")


@dataclass(frozen=True)
class Actor:
    user: Any = None  # accounts.User or None for the system
    channel: str = "system"
    correlation_id: str = field(default_factory=lambda: uuid.uuid4().hex)


_current: ContextVar[Actor | None] = ContextVar("opsdesk_actor", default=None)


def current_actor() -> Actor:
    return _current.get() or Actor()


@contextmanager
def acting_as(user: Any, channel: str) -> Iterator[Actor]:
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    token = _current.set(Actor(user=user, channel=channel))
    try:
        yield _current.get()  # type: ignore[misc]
    finally:
        _current.reset(token)
