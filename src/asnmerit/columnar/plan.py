"""The columnar engine: a scheme compiled into a plan of array operations.

A column of points is *dictionary-encoded*: an integer array of codes (``-1`` where a row
did not reach the node) into a small table of exact :class:`~decimal.Decimal` values.
Each node kind compiles to array operations on codes (a lookup is a gather, a rule is a
mask, a switch splits the rows), and the arithmetic runs once per distinct combination of
its children's values, with the same functions as the scalar evaluator
(:mod:`asnmerit.engine.evaluator`), so both give identical numbers. No binary float is involved.

The plan scores only what it can prove the scalar evaluator would score: a row that lacks
a value some reached node needs (which the scalar evaluator reports, or derives) is
flagged for the scalar evaluator (:attr:`Outcome.fallback`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from functools import lru_cache
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from .. import _decimal as D
from ..engine.evaluator import (
    lookup_entry,
    mean_points,
    node_max,
    settle,
    switch_branch,
    test_holds,
    weighted_points,
)
from ..model import (
    AllOf,
    AnyOf,
    BandPolicy,
    Cases,
    Condition,
    Criteria,
    Direct,
    Lookup,
    Mean,
    Node,
    Not,
    Ref,
    Rounding,
    Sum,
    Switch,
    Test,
    Weighted,
    classify,
)

Codes = npt.NDArray[np.int64]
Mask = npt.NDArray[np.bool_]


@attrs.frozen
class Coded:
    """A dictionary-encoded column of points: ``table[codes[i]]`` for row ``i`` (none
    where the code is ``-1``)."""

    codes: Codes
    table: tuple[Decimal, ...]

    def used(self) -> Coded:
        """The same column with only the values some row holds in its table."""
        held = np.zeros(len(self.table) + 1, np.bool_)
        held[self.codes] = True
        keep = np.flatnonzero(held[:-1])
        lut = np.full(len(self.table) + 1, -1, np.int64)
        lut[keep] = np.arange(len(keep))
        return Coded(lut[self.codes], tuple(self.table[k] for k in keep.tolist()))

    def map(self, fn: Callable[[Decimal], Decimal]) -> Coded:
        """Each value replaced by ``fn(value)``, computed once per distinct value."""
        return _encoded(self.codes, [fn(v) for v in self.table])


@attrs.frozen
class Encoded:
    """One input over the rows: ``values[codes[i]]`` is row ``i``'s normalised value
    (``-1``: the row has none)."""

    codes: Codes
    values: Sequence[Any]


@attrs.frozen
class Outcome:
    """What a plan computed for each row. Rows flagged in ``fallback`` were not scored
    (the scalar evaluator must); the other arrays hold nothing meaningful for them."""

    fallback: Mask
    score: Coded
    band: tuple[str, ...]
    """The band code of each entry of ``score.table``."""
    eligible: Mask
    nodes: Mapping[str, Coded]
    """Every node's points (main tree and award categories), by node id."""
    failed: Mapping[str, Mask] = attrs.field(factory=dict)
    """The rows failing each eligibility rule, by its id (and ``min_band``: below the
    award's minimum band), in the order the scalar engine lists them."""


def _encoded(codes: Codes, values: Sequence[Decimal]) -> Coded:
    """``values`` indexed by ``codes``, with equal values (written alike) merged."""
    index: dict[str, int] = {}
    table: list[Decimal] = []
    lut = np.empty(len(values) + 1, np.int64)
    for k, v in enumerate(values):
        key = str(v)  # 1.0 and 1 stay apart: the scalar evaluator keeps their form
        if key not in index:
            index[key] = len(table)
            table.append(v)
        lut[k] = index[key]
    lut[-1] = -1  # code -1 stays -1
    return Coded(lut[codes], tuple(table))


def _gather(lut: Sequence[Any], codes: Codes, dtype: Any) -> Any:
    """``lut[codes]``, with the element for code ``-1`` being the last one appended."""
    return np.asarray(list(lut), dtype=dtype)[codes]


def factorize(
    cols: Sequence[Codes], sizes: Sequence[int], rows: int
) -> tuple[Codes, list[tuple[int, ...]]]:
    """Number the distinct tuples of codes (``cols[k][i]`` in ``range(sizes[k])``) of
    ``rows`` rows: the number of each row's tuple and the tuples, in increasing order."""
    key = np.zeros(rows, np.int64)
    combos: list[tuple[int, ...]] = [()]
    for col, size in zip(cols, sizes, strict=True):
        size = max(size, 1)
        key = key * size + col
        width = len(combos) * size
        if width <= max(4 * rows, 1 << 16):  # dense: a presence table, no sort
            present = np.zeros(width, np.bool_)
            present[key] = True
            uniq = np.flatnonzero(present)
            key = (np.cumsum(present) - 1)[key]
        else:
            uniq, key = np.unique(key, return_inverse=True)
        combos = [(*combos[u // size], u % size) for u in uniq.tolist()]
    return key.astype(np.int64, copy=False), combos


class _Context:
    """The state of one run of a plan (never shared between runs)."""

    def __init__(self, inputs: Mapping[str, Encoded], rows: int) -> None:
        self.inputs = inputs
        self.rows = rows
        self.fallback = np.zeros(rows, np.bool_)
        self.tree: dict[str, Coded] = {}  # the main tree, as a ref sees it
        self.nodes: dict[str, Coded] = {}

    def need(self, name: str, active: Mask) -> Encoded:
        """Input ``name``; rows that reach here without a value go to the scalar engine."""
        enc = self.inputs.get(name)
        if enc is None:
            enc = Encoded(np.full(self.rows, -1, np.int64), ())
        self.fallback |= active & (enc.codes < 0)
        return enc


Step = Callable[[_Context, Mask], Coded]
Test_ = Callable[[_Context, Mask], Mask]


def _condition(criteria: Criteria, cond: Condition) -> Test_:
    if isinstance(cond, Test):
        test = cond

        def run_test(ctx: _Context, active: Mask) -> Mask:
            enc = ctx.need(test.input, active)
            lut = [test_holds(criteria, test, v) for v in enc.values]
            return np.asarray(_gather([*lut, False], enc.codes, np.bool_))

        return run_test
    if isinstance(cond, Not):
        inner = _condition(criteria, cond.item)
        return lambda ctx, active: ~inner(ctx, active)
    items = [_condition(criteria, c) for c in cond.items]
    combine = np.logical_and if isinstance(cond, AllOf) else np.logical_or
    assert isinstance(cond, AllOf | AnyOf)

    def run_all(ctx: _Context, active: Mask) -> Mask:
        masks = [item(ctx, active) for item in items]  # every item's inputs are needed
        return np.asarray(combine.reduce(masks), np.bool_)

    return run_all


def _combine(
    ctx: _Context, active: Mask, parts: Sequence[Coded], fn: Callable[[list[Decimal]], Decimal]
) -> Coded:
    """``fn`` of the parts' values, once per distinct combination among the active rows."""
    ok = active.copy()
    for part in parts:
        ok &= part.codes >= 0
    rows = np.flatnonzero(ok)
    key, combos = factorize(
        [p.codes[rows] for p in parts], [len(p.table) for p in parts], len(rows)
    )
    values = [fn([p.table[c] for p, c in zip(parts, combo, strict=True)]) for combo in combos]
    inner = _encoded(key, values)
    codes = np.full(ctx.rows, -1, np.int64)
    codes[rows] = inner.codes
    return Coded(codes, inner.table)


def _node(criteria: Criteria, node: Node, node_rounding: Rounding | None) -> Step:
    """The step that computes ``node``'s points over the active rows."""
    inner = _kind(criteria, node, node_rounding)
    adjust = node.cap is not None or (node.rounding or node_rounding) is not None

    def step(ctx: _Context, active: Mask) -> Coded:
        out = inner(ctx, active)
        if adjust:
            out = out.map(lambda p: settle(node, p, node_rounding))
        ctx.nodes[node.id] = out
        return out

    return step


def _kind(criteria: Criteria, node: Node, node_rounding: Rounding | None) -> Step:
    kind = node.kind
    if isinstance(kind, Lookup):
        lookup = kind

        def run_lookup(ctx: _Context, active: Mask) -> Coded:
            enc = ctx.need(lookup.input, active)
            out = _encoded(enc.codes, [lookup_entry(lookup, v)[0].points for v in enc.values])
            return Coded(np.where(active, out.codes, -1), out.table)

        return run_lookup
    if isinstance(kind, Cases):
        rules = [_condition(criteria, r.condition) for r in kind.rules]
        points = [*(r.points.points for r in kind.rules), kind.otherwise.points]

        def run_cases(ctx: _Context, active: Mask) -> Coded:
            masks = [rule(ctx, active) for rule in rules]  # every rule's inputs are needed
            first = np.select(masks, range(len(masks)), default=len(masks)) if masks else 0
            chosen = np.broadcast_to(np.asarray(first, np.int64), (ctx.rows,))
            return _encoded(np.where(active, chosen, -1), points)

        return run_cases
    if isinstance(kind, Direct):
        direct = kind

        def amount(value: Any) -> Decimal:
            points = D.mul(value if isinstance(value, Decimal) else D.ZERO, direct.factor)
            return D.tidy(points) if direct.factor != 1 else points

        def run_direct(ctx: _Context, active: Mask) -> Coded:
            enc = ctx.need(direct.input, active)
            out = _encoded(enc.codes, [amount(v) for v in enc.values])
            return Coded(np.where(active, out.codes, -1), out.table)

        return run_direct
    if isinstance(kind, Sum | Weighted | Mean):
        steps = [_node(criteria, k, node_rounding) for k in kind.children]
        fn = _arithmetic(node, node_rounding)
        return lambda ctx, active: _combine(ctx, active, [s(ctx, active) for s in steps], fn)
    if isinstance(kind, Ref):
        ref = kind

        def run_ref(ctx: _Context, active: Mask) -> Coded:
            target = ctx.tree.get(ref.node)
            if target is None:  # a ref evaluated outside an award category: not assessed
                ctx.fallback |= active
                return Coded(np.full(ctx.rows, -1, np.int64), ())
            ctx.fallback |= active & (target.codes < 0)
            return Coded(np.where(active, target.codes, -1), target.table)

        return run_ref
    assert isinstance(kind, Switch)
    return _switch(criteria, kind, node_rounding)


def _arithmetic(node: Node, node_rounding: Rounding | None) -> Callable[[list[Decimal]], Decimal]:
    """How a sum, weighted or mean node turns its children's points into its own."""
    kind = node.kind
    if isinstance(kind, Weighted):
        spec = [(k.weight, node_max(k)) for k in kind.children]
        weighted = kind
        return lambda ps: weighted_points(
            weighted, [(w, p, top) for (w, top), p in zip(spec, ps, strict=True)]
        )
    if isinstance(kind, Mean):
        rounding = node.rounding or node_rounding
        assert rounding is not None  # the loader requires one
        mean = kind
        return lambda ps: mean_points(mean, rounding, ps)
    return lambda ps: D.tidy(D.total(ps))


def _switch(criteria: Criteria, kind: Switch, node_rounding: Rounding | None) -> Step:
    branches = {id(b): b for b in (*kind.branches.values(), kind.otherwise) if b is not None}
    order = list(branches)
    steps = [_node(criteria, b, node_rounding) for b in branches.values()]

    def run_switch(ctx: _Context, active: Mask) -> Coded:
        enc = ctx.need(kind.input, active)
        taken = [switch_branch(kind, v)[0] for v in enc.values]
        which = [-1 if b is None else order.index(id(b)) for b in taken]
        route = np.asarray([*which, -2], np.int64)[enc.codes]
        parts: list[tuple[Mask, Coded]] = []
        for k, step in enumerate(steps):
            mask = active & (route == k)
            if mask.any():
                parts.append((mask, step(ctx, mask)))
        none = active & (route == -1)  # no branch: no points
        parts.append((none, Coded(np.zeros(ctx.rows, np.int64), (D.ZERO,))))
        table: list[Decimal] = []
        codes = np.full(ctx.rows, -1, np.int64)
        for mask, part in parts:
            shifted = np.where(part.codes >= 0, part.codes + len(table), -1)
            codes = np.where(mask, shifted, codes)
            table.extend(part.table)
        return _encoded(codes, table)

    return run_switch


@attrs.frozen
class Plan:
    """A scheme compiled for columns: :meth:`run` scores many rows at once."""

    criteria: Criteria
    band_policy: BandPolicy
    score: Step
    categories: tuple[Step, ...]
    gates: tuple[Test_, ...]

    def run(self, inputs: Mapping[str, Encoded], rows: int) -> Outcome:
        """Score ``rows`` rows whose input values are ``inputs`` (input name -> encoded)."""
        criteria = self.criteria
        ctx = _Context(inputs, rows)
        everyone = np.ones(rows, np.bool_)
        root = self.score(ctx, everyone)
        rounding = criteria.rounding
        if rounding is not None:
            root = root.map(lambda p: D.round_places(p, rounding.places, rounding.mode))
            ctx.nodes[criteria.score.id] = root
        eligible = np.ones(rows, np.bool_)
        failed: dict[str, Mask] = {}
        for rule, gate in zip(criteria.eligibility, self.gates, strict=True):
            passed = gate(ctx, everyone)
            failed[rule.id] = ~passed
            eligible &= passed
        if criteria.award is not None:
            for name in criteria.award.fields:
                if name in criteria.inputs:
                    ctx.need(name, everyone)
            ctx.tree = dict(ctx.nodes)
            for category in self.categories:
                category(ctx, everyone)  # a category not assessed: the scalar engine says
        ctx.fallback |= root.codes < 0
        root = root.used()  # a rule or branch no row took is not classified
        bands = [classify(criteria, s, self.band_policy) for s in root.table]
        if criteria.award is not None and criteria.award.min_band is not None:
            order = [b.code for b in criteria.bands.table]
            least = order.index(criteria.award.min_band)
            enough = [order.index(b.code) >= least for b in bands]
            above = np.asarray(_gather([*enough, False], root.codes, np.bool_))
            failed["min_band"] = ~above
            eligible &= above
        return Outcome(
            ctx.fallback, root, tuple(b.code for b in bands), eligible, ctx.nodes, failed
        )


@lru_cache(maxsize=64)
def compile_plan(criteria: Criteria, band_policy: BandPolicy | None = None) -> Plan:
    """The columnar plan of ``criteria`` (cached per scheme version and band policy)."""
    rounding = criteria.rounding
    node_rounding = rounding if rounding and rounding.stage == "nodes" else None
    award = criteria.award
    return Plan(
        criteria,
        band_policy or criteria.bands.policy,
        _node(criteria, criteria.score, node_rounding),
        tuple(_node(criteria, c.score, node_rounding) for c in award.categories) if award else (),
        tuple(_condition(criteria, g.require) for g in criteria.eligibility),
    )
