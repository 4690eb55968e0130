"""Graph algorithms on a mapping from a name to the names it points at: the knots
(strongly connected components that hold a cycle) and a shortest cycle through a name.
The checks use them to find inputs derived, through some chain, from themselves."""

from __future__ import annotations

from collections.abc import Mapping


def knots(graph: Mapping[str, list[str]]) -> list[list[str]]:
    """The strongly connected components of ``graph`` that hold a cycle (several nodes, or
    one that points at itself), each in the graph's key order; iterative Tarjan."""
    order = {n: i for i, n in enumerate(graph)}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    for root in graph:
        if root in index:
            continue
        work: list[tuple[str, int]] = [(root, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            nexts = graph.get(node, [])
            if i < len(nexts):
                work.append((node, i + 1))
                nxt = nexts[i]
                if nxt not in index:
                    if nxt in graph:
                        work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            if work:  # back in the caller: carry the low link up
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                members = _pop_component(stack, on_stack, node)
                if len(members) > 1 or node in graph.get(node, []):
                    found.append(sorted(members, key=order.__getitem__))
    return sorted(found, key=lambda k: order[k[0]])


def _pop_component(stack: list[str], on_stack: set[str], root: str) -> list[str]:
    """Pop the members of the component whose root is ``root`` off Tarjan's stack."""
    members = []
    while True:
        member = stack.pop()
        on_stack.discard(member)
        members.append(member)
        if member == root:
            return members


def shortest_cycle(graph: Mapping[str, list[str]], start: str, within: set[str]) -> list[str]:
    """The names on a shortest path from ``start`` back to itself inside ``within``."""
    came: dict[str, str] = {}
    frontier = [start]
    while frontier:
        later = []
        for name in frontier:
            for nxt in graph.get(name, []):
                if nxt == start:
                    chain = [name]
                    while chain[-1] != start:
                        chain.append(came[chain[-1]])
                    return chain[::-1]
                if nxt in within and nxt not in came:
                    came[nxt] = name
                    later.append(nxt)
        frontier = later
    raise AssertionError(f"{start!r} is in a knot but on no cycle")  # pragma: no cover
