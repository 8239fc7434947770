"""Impact analysis on hand-built graphs: an edge (a, b) reads "a needs b"; (a, b, "g") is redundant."""

from hypothesis import given, settings
from hypothesis import strategies as st

from opsdesk.cmdb.impact import Edge, MemoryGraph, downstream, upstream


def test_a_chain_fails_all_the_way_down_with_depths_and_paths():
    # app(1) runs on vm(2) runs on host(3) located in room(4)
    graph = MemoryGraph([(1, 2), (2, 3), (3, 4)])
    result = downstream(graph, 4)
    assert result.ids == [3, 2, 1]
    assert result.depth == {3: 1, 2: 2, 1: 3}
    assert result.via == {3: 4, 2: 3, 1: 2}
    assert not result.limited
    assert downstream(graph, 1).ids == []  # nothing needs the application


def test_upstream_is_what_a_ci_relies_on():
    graph = MemoryGraph([(1, 2), (2, 3), (3, 4), (5, 3)])
    assert upstream(graph, 1).ids == [2, 3, 4]
    assert upstream(graph, 4).ids == []
    assert upstream(graph, 5).depth == {3: 1, 4: 2}


def test_a_diamond_reports_the_shared_dependent_once():
    # service(1) needs web(2) and db(3); both run on host(4)
    graph = MemoryGraph([(1, 2), (1, 3), (2, 4), (3, 4)])
    result = downstream(graph, 4)
    assert result.ids == [2, 3, 1]
    assert result.depth[1] == 2
    assert upstream(graph, 1).ids == [2, 3, 4]


def test_cycles_terminate_and_include_everything_on_the_loop():
    graph = MemoryGraph([(1, 2), (2, 3), (3, 1), (4, 3)])
    assert downstream(graph, 1).ids == [3, 2, 4]
    assert upstream(graph, 1).ids == [2, 3]
    assert downstream(MemoryGraph([(1, 1)]), 1).ids == []


def test_a_service_with_two_redundant_routers_survives_losing_one():
    # service(1) reaches the world through router 2 or router 3; its server(4) is essential.
    graph = MemoryGraph([(1, 2, "uplink"), (1, 3, "uplink"), (1, 4)])
    one = downstream(graph, 2)
    assert one.ids == [] and one.degraded == {1}
    assert downstream(graph, 4).ids == [1]  # the essential server still takes it down


def test_losing_every_member_of_a_redundant_group_fails_the_dependent():
    # both routers(2, 3) are connected to the same switch(5): losing the switch loses both.
    graph = MemoryGraph([(1, 2, "uplink"), (1, 3, "uplink"), (2, 5), (3, 5)])
    result = downstream(graph, 5)
    assert result.ids == [2, 3, 1] and result.degraded == set()


def test_redundancy_is_judged_when_the_last_member_fails_however_late():
    # router 2 fails at level 1, router 3 only at level 3 (through 6 and 7): the service fails at level 4.
    graph = MemoryGraph([(1, 2, "g"), (1, 3, "g"), (2, 5), (6, 5), (7, 6), (3, 7)])
    result = downstream(graph, 5)
    assert result.depth[1] == 4 and 1 not in result.degraded


def test_groups_are_independent_of_each_other():
    # power: feed 2 or 3; network: router 4 or 5. Losing one of each leaves the service up.
    graph = MemoryGraph([(1, 2, "power"), (1, 3, "power"), (1, 4, "net"), (1, 5, "net"), (2, 9), (4, 9)])
    result = downstream(graph, 9)
    assert result.ids == [2, 4] and result.degraded == {1}


def test_the_depth_cap_is_reported_only_when_there_was_more():
    chain = MemoryGraph([(n, n + 1) for n in range(1, 10)])  # 1 needs 2 needs ... 10
    capped = downstream(chain, 10, max_depth=3)
    assert capped.ids == [9, 8, 7] and capped.depth_limited and not capped.size_limited
    assert not downstream(chain, 4, max_depth=3).depth_limited
    assert upstream(chain, 1, max_depth=2).depth_limited


def test_the_size_cap_is_reported():
    star = MemoryGraph([(n, 0) for n in range(1, 101)])
    result = downstream(star, 0, max_nodes=10)
    assert len(result.ids) == 10 and result.size_limited
    assert upstream(MemoryGraph([(0, n) for n in range(1, 101)]), 0, max_nodes=5).size_limited


def test_the_graph_is_asked_a_bounded_number_of_times_per_level():
    # a wide tree: 1 root, 30 children, 900 grandchildren; redundant edges force the second query
    edges = [(c, 0, "g") for c in range(1, 31)]
    edges += [(1000 + c * 30 + g, c) for c in range(1, 31) for g in range(30)]
    graph = MemoryGraph(edges)
    result = downstream(graph, 0)
    assert len(result.ids) == 930
    assert graph.calls <= 2 * 3


def _reference_downstream(edges: list[Edge], root: int) -> set[int]:
    """The least fixpoint, computed the slow, obvious way."""
    failed = {root}
    changed = True
    while changed:
        changed = False
        for dependent in {e.dependent for e in edges} - failed:
            mine = [e for e in edges if e.dependent == dependent]
            essential = any(not e.group and e.dependency in failed for e in mine)
            groups = {e.group for e in mine if e.group}
            lost = any(all(e.dependency in failed for e in mine if e.group == g) for g in groups)
            if essential or lost:
                failed.add(dependent)
                changed = True
    return failed - {root}


edge_lists = st.lists(
    st.builds(Edge, st.integers(0, 8), st.integers(0, 8), st.sampled_from(["", "", "a", "b"])),
    max_size=25,
)


@settings(max_examples=200, deadline=None)
@given(edge_lists, st.integers(0, 8))
def test_breadth_first_matches_the_obvious_fixpoint(edges, root):
    assert set(downstream(MemoryGraph(edges), root).ids) == _reference_downstream(edges, root)
