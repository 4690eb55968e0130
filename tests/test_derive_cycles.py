"""The derivation-cycle search: the knots (cyclic strongly connected components) it finds
are exactly those a brute-force reachability check finds, and each reported chain is a
real cycle."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from asnmerit.spec.graph import knots as _knots
from asnmerit.spec.graph import shortest_cycle as _shortest_cycle

NAMES = [f"i{k}" for k in range(8)]


@st.composite
def graphs(draw: st.DrawFn) -> dict[str, list[str]]:
    derived = draw(st.lists(st.sampled_from(NAMES), unique=True))
    return {n: sorted(draw(st.sets(st.sampled_from(NAMES), max_size=3))) for n in derived}


def _reach(graph: dict[str, list[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = list(graph.get(start, []))
    while todo:
        n = todo.pop()
        if n not in seen:
            seen.add(n)
            todo.extend(graph.get(n, []))
    return seen


@given(graphs())
def test_knots_are_the_cyclic_components(graph: dict[str, list[str]]) -> None:
    reach = {n: _reach(graph, n) for n in graph}
    expected = {
        frozenset({n, *(m for m in reach[n] if m in reach and n in reach[m])})
        for n in graph
        if n in reach[n]
    }
    knots = _knots(graph)
    assert {frozenset(k) for k in knots} == expected
    assert len(knots) == len(expected)  # each knot once
    for knot in knots:
        chain = _shortest_cycle(graph, knot[0], set(knot))
        assert chain[0] == knot[0]
        for a, b in zip(chain, [*chain[1:], chain[0]], strict=True):
            assert b in graph[a]


def test_a_long_ring_is_one_knot() -> None:
    ring = {f"d{k}": [f"d{(k + 1) % 5000}"] for k in range(5000)}
    (knot,) = _knots(ring)
    assert len(knot) == 5000 and knot[0] == "d0"
    assert len(_shortest_cycle(ring, "d0", set(knot))) == 5000
