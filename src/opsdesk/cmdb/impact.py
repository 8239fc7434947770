"""Impact analysis over a dependency graph, with no database in sight.

An :class:`Edge` says ``dependent`` needs ``dependency``. A dependent's edges with the same non-empty
``group`` are redundant alternatives (two routers, two power feeds): it fails only when every member of
that group has failed; an edge without a group is essential on its own.

* :func:`downstream` answers "what fails with this CI?": breadth-first from the CI, level by level, over
  the edges pointing at what has failed so far, with a visited set (no path enumeration). A dependent
  whose redundant group still has a working member survives and is reported as *degraded*; it is looked
  at again if another member fails later, so the answer does not depend on visiting order.
* :func:`upstream` answers "what does this CI rely on?": breadth-first over dependencies.

Both stop at ``max_depth`` levels and ``max_nodes`` results and say when they did. The graph is anything
with ``dependents_of(ids)`` and ``dependencies_of(ids)`` returning edges, asked once or twice per level:
:class:`MemoryGraph` for tests, ``cmdb.graph.DatabaseGraph`` for the real thing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

MAX_DEPTH = 10
MAX_NODES = 2000


@dataclass(frozen=True)
class Edge:
    dependent: int
    dependency: int
    group: str = ""


class Graph(Protocol):
    def dependents_of(self, ids: set[int]) -> list[Edge]:
        """Edges whose ``dependency`` is in ``ids``."""
        ...

    def dependencies_of(self, ids: set[int]) -> list[Edge]:
        """Edges whose ``dependent`` is in ``ids``."""
        ...


class MemoryGraph:
    """A graph from a list of edges, counting how often it is asked (tests check the query bound)."""

    def __init__(self, edges: Iterable[Edge | tuple]):
        self.edges = [e if isinstance(e, Edge) else Edge(*e) for e in edges]
        self.calls = 0

    def dependents_of(self, ids: set[int]) -> list[Edge]:
        self.calls += 1
        return [e for e in self.edges if e.dependency in ids]

    def dependencies_of(self, ids: set[int]) -> list[Edge]:
        self.calls += 1
        return [e for e in self.edges if e.dependent in ids]


@dataclass
class Result:
    root: int
    depth: dict[int, int] = field(default_factory=dict)  # CI id -> level at which it was reached
    via: dict[int, int] = field(default_factory=dict)  # CI id -> the CI it was reached through
    degraded: set[int] = field(default_factory=set)  # downstream only: survived on a redundant path
    depth_limited: bool = False
    size_limited: bool = False

    @property
    def ids(self) -> list[int]:
        """Reached CIs (the root excluded), nearest first."""
        return sorted(self.depth, key=lambda pk: (self.depth[pk], pk))

    @property
    def limited(self) -> bool:
        return self.depth_limited or self.size_limited


def _fails(dependent: int, edges: list[Edge], failed: set[int] | dict[int, int]) -> bool:
    groups: dict[str, list[int]] = defaultdict(list)
    for edge in edges:
        if not edge.group:
            if edge.dependency in failed:
                return True
        else:
            groups[edge.group].append(edge.dependency)
    return any(all(member in failed for member in members) for members in groups.values())


def downstream(graph: Graph, root: int, *, max_depth: int = MAX_DEPTH, max_nodes: int = MAX_NODES) -> Result:
    """Everything that fails when ``root`` fails."""
    result = Result(root)
    failed: dict[int, int] = {root: 0}
    frontier = {root}
    level = 0
    while frontier:
        if level >= max_depth:
            result.depth_limited = any(e.dependent not in failed for e in graph.dependents_of(frontier))
            break
        level += 1
        incoming = graph.dependents_of(frontier)
        reached: dict[int, int] = {}
        for edge in incoming:
            if edge.dependent not in failed:
                reached.setdefault(edge.dependent, edge.dependency)
        if not reached:
            break
        # Only dependents reached through a redundant edge need their other dependencies looked up.
        redundant = {e.dependent for e in incoming if e.group and e.dependent in reached}
        needs: dict[int, list[Edge]] = defaultdict(list)
        if redundant:
            for edge in graph.dependencies_of(redundant):
                needs[edge.dependent].append(edge)
        for edge in incoming:
            if edge.dependent in reached and edge.dependent not in redundant:
                needs[edge.dependent].append(edge)
        frontier = set()
        for dependent in sorted(reached):
            if not _fails(dependent, needs[dependent], failed):
                result.degraded.add(dependent)
                continue
            if len(failed) - 1 >= max_nodes:
                result.size_limited = True
                break
            failed[dependent] = level
            result.via[dependent] = reached[dependent]
            result.degraded.discard(dependent)
            frontier.add(dependent)
    result.depth = {pk: d for pk, d in failed.items() if pk != root}
    result.degraded -= set(failed)
    return result


def upstream(graph: Graph, root: int, *, max_depth: int = MAX_DEPTH, max_nodes: int = MAX_NODES) -> Result:
    """Everything ``root`` relies on, directly or through other CIs."""
    result = Result(root)
    seen: dict[int, int] = {root: 0}
    frontier = {root}
    level = 0
    while frontier:
        if level >= max_depth:
            result.depth_limited = any(e.dependency not in seen for e in graph.dependencies_of(frontier))
            break
        level += 1
        found: dict[int, int] = {}
        for edge in graph.dependencies_of(frontier):
            if edge.dependency not in seen:
                found.setdefault(edge.dependency, edge.dependent)
        frontier = set()
        for dependency in sorted(found):
            if len(seen) - 1 >= max_nodes:
                result.size_limited = True
                break
            seen[dependency] = level
            result.via[dependency] = found[dependency]
            frontier.add(dependency)
    result.depth = {pk: d for pk, d in seen.items() if pk != root}
    return result
