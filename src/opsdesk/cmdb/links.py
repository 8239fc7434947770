"""Records of higher apps that name a CI (open incidents; later problems, known errors, changes).

The CMDB sits below those apps and may not import them, so each app registers a provider here in its
``AppConfig.ready``; the CI page and ``GET /api/v1/cis/{id}/records`` list what the providers return.
A provider answers only with what the viewing user may see.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class LinkedRecord:
    """One record that names the CI, as the CI page and the API show it."""

    kind: str  # "incident"
    reference: str  # "INC-000042"
    title: str
    status: str
    url: str
    priority: int | None = None


@dataclass(frozen=True)
class LinkedSection:
    kind: str
    heading: str  # "Open incidents"
    records: list[LinkedRecord]
    more_url: str = ""  # a list of every such record naming the CI, where the viewer has one


# provider(ci, user, limit) -> the records, most pressing first, at most ``limit`` of them
Provider = Callable[..., list[LinkedRecord]]
# more(ci, user) -> the URL of a full list for this viewer, or ""
More = Callable[..., str]
_providers: dict[str, tuple[str, Provider, More | None]] = {}


def register(kind: str, heading: str, provider: Provider, more: More | None = None) -> None:
    """Add (or replace, by ``kind``) a provider of records that name CIs."""
    _providers[kind] = (heading, provider, more)


def sections(ci, user, *, limit: int = 50) -> list[LinkedSection]:
    """Every registered kind of record naming ``ci`` that ``user`` may see, in registration order."""
    return [
        LinkedSection(kind, heading, provider(ci, user, limit), more(ci, user) if more else "")
        for kind, (heading, provider, more) in _providers.items()
    ]
