"""Records of higher apps that name a CI (open incidents; later problems, known errors, changes).

The CMDB sits below those apps and may not import them, so each app registers a provider here in its
``AppConfig.ready``; the CI page and ``GET /api/v1/cis/{id}/records`` list what the providers return.
A provider may also answer for a whole impact analysis at once (``on_impact``): the open records on any of
a set of CIs that fail and of the catalogue services affected, in one bounded query whatever the number of
CIs or records, with the total. A provider answers only with what the viewing user may see.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    """What a record is on, in an impact analysis: a CI that fails or a catalogue service affected."""

    kind: str  # "ci" or "service"
    id: int
    name: str


@dataclass(frozen=True)
class LinkedRecord:
    """One record that names the CI, as the CI page and the API show it."""

    kind: str  # "incident"
    reference: str  # "INC-000042"
    title: str
    status: str
    url: str
    priority: int | None = None
    on: tuple[Target, ...] = ()  # impact only: the failing CIs and affected services the record names


@dataclass(frozen=True)
class LinkedSection:
    kind: str
    heading: str  # "Open incidents"
    records: list[LinkedRecord]
    more_url: str = ""  # a list of every such record naming the CI, where the viewer has one


@dataclass(frozen=True)
class ImpactSection:
    """Open records of one kind on what fails with a CI: the most pressing ``records``, ``total`` in all."""

    kind: str
    heading: str  # "Open incidents"
    records: list[LinkedRecord]
    total: int


# provider(ci, user, limit) -> the records, most pressing first, at most ``limit`` of them
Provider = Callable[..., list[LinkedRecord]]
# more(ci, user) -> the URL of a full list for this viewer, or ""
More = Callable[..., str]
# on_impact(ci_ids, service_ids, user, limit) -> (records with ``on`` filled, most pressing first; total)
OnImpact = Callable[..., tuple[list[LinkedRecord], int]]
_providers: dict[str, tuple[str, Provider, More | None]] = {}
_impact_providers: dict[str, tuple[str, OnImpact]] = {}


def register(
    kind: str, heading: str, provider: Provider, more: More | None = None, on_impact: OnImpact | None = None
) -> None:
    """Add (or replace, by ``kind``) a provider of records that name CIs."""
    _providers[kind] = (heading, provider, more)
    if on_impact is not None:
        _impact_providers[kind] = (heading, on_impact)
    else:
        _impact_providers.pop(kind, None)


# uses(ci) -> how many records of this kind name the CI, whatever their status (0: none)
Uses = Callable[..., int]
_uses: dict[str, tuple[str, Uses]] = {}


def register_uses(kind: str, noun: str, uses: Uses) -> None:
    """Add (or replace) a counter of the records of ``kind`` (``noun``: "incident") naming a CI, so that
    deleting a CI can refuse while any record still names it."""
    _uses[kind] = (noun, uses)


def uses(ci) -> list[str]:
    """ "3 incidents name it"-style phrases for every kind of record naming ``ci``; empty when none does."""
    found = []
    for noun, count in _uses.values():
        n = count(ci)
        if n:
            found.append(f"{n} {noun}{'s' if n != 1 else ''} name{'s' if n == 1 else ''} it")
    return found


def sections(ci, user, *, limit: int = 50) -> list[LinkedSection]:
    """Every registered kind of record naming ``ci`` that ``user`` may see, in registration order."""
    return [
        LinkedSection(kind, heading, provider(ci, user, limit), more(ci, user) if more else "")
        for kind, (heading, provider, more) in _providers.items()
    ]


def impact_sections(ci_ids, service_ids, user, *, limit: int = 50) -> list[ImpactSection]:
    """The open records of every kind on any of ``ci_ids`` (CIs that fail) or ``service_ids`` (services
    affected) that ``user`` may see: at most ``limit`` of each kind, most pressing first, with the total.
    Each provider costs the same few queries however many CIs and records there are."""
    ci_ids, service_ids = sorted(set(ci_ids)), sorted(set(service_ids))
    sections = []
    for kind, (heading, on_impact) in _impact_providers.items():
        records, total = on_impact(ci_ids, service_ids, user, limit) if ci_ids or service_ids else ([], 0)
        sections.append(ImpactSection(kind, heading, records, total))
    return sections
