"""How each input reaches the score, and the values worth trying for it.

The what-if questions (:mod:`asnmerit.whatif.partial`, :mod:`asnmerit.whatif.nextband`) run the evaluator
itself on chosen values instead of re-implementing the rules. This module chooses them:

* an enum or boolean input: every code;
* a number or date compared by a condition (a ``cases`` rule, a gate, a derivation): its
  bounds and, at every value a condition compares it with, that value and its
  neighbours one resolution step either side; between two such values no condition
  changes, so these represent every region;
* a number ``direct`` nodes read, all one way: within each range between the values
  conditions compare it with (:func:`regions`), the score only rises (or only falls) with
  it, so the ends of the range give the least and the most.

The resolution of a number is its ``step``, 1 for an integer, else one hundredth of the
finest decimal the criteria give for it (e.g. 0.01 for a threshold of 38, 0.001 for 37.5).
"""

from __future__ import annotations

import datetime as dt
import decimal
import functools
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

import attrs

from .._decimal import own_context, tidy
from .._values import coerce
from ..errors import BadValue, WhatIfError
from ..model import (
    AllOf,
    AnyOf,
    Cases,
    Condition,
    Criteria,
    Direct,
    Input,
    Lookup,
    Node,
    Not,
    Switch,
    Test,
    Weighted,
    condition_inputs,
    node_inputs,
)


@attrs.frozen
class Shape:
    """How the inputs of one scheme reach its total score."""

    scoring: frozenset[str]
    """Inputs the total score, the gates or their derivations read."""
    reads: frozenset[str]
    """Inputs ``direct`` nodes read (their value is points, not only a case)."""
    direction: Mapping[str, int]
    """Numbers ``direct`` nodes read, all one way: 1 when the score rises with them, -1 when
    it falls (between the values its conditions compare them with)."""
    thresholds: Mapping[str, tuple[Any, ...]]
    """Per input, the values conditions compare it with."""


@functools.lru_cache(maxsize=64)
def shape(criteria: Criteria) -> Shape:
    """The :class:`Shape` of ``criteria`` (cached per content digest)."""
    signs: dict[str, set[int]] = {}
    other: set[str] = set()
    conditions: list[Condition] = [g.require for g in criteria.eligibility]
    _walk(criteria.score, 1, signs, other, conditions)
    scoring = set(signs) | other
    for cond in conditions:
        scoring |= condition_inputs(cond)
    pending = list(scoring)
    while pending:  # the sources of derived inputs score too
        inp = criteria.inputs[pending.pop()]
        for rule in inp.derive.rules if inp.derive else ():
            conditions.append(rule.condition)
            for name in condition_inputs(rule.condition) - scoring:
                scoring.add(name)
                pending.append(name)
    thresholds: dict[str, list[Any]] = {}
    for cond in conditions:
        for test in _tests(cond):
            values = test.value if test.op in ("in", "not_in") else (test.value,)
            thresholds.setdefault(test.input, []).extend(values)
    direction = {
        name: next(iter(s))
        for name, s in signs.items()
        if len(s) == 1
        and criteria.inputs[name].derive is None
        and criteria.inputs[name].type in ("number", "integer")
    }
    return Shape(
        frozenset(scoring),
        frozenset(signs),
        direction,
        {k: tuple(dict.fromkeys(v)) for k, v in thresholds.items()},
    )


def _sign(value: Decimal | None) -> int:
    return 1 if value is None or value > 0 else (-1 if value < 0 else 0)


def _walk(
    node: Node, sign: int, signs: dict[str, set[int]], other: set[str], conds: list[Condition]
) -> None:
    kind = node.kind
    if isinstance(kind, Direct):
        s = sign * _sign(kind.factor)
        if s:
            signs.setdefault(kind.input, set()).add(s)
        return
    if isinstance(kind, Cases):
        conds.extend(r.condition for r in kind.rules)
    if isinstance(kind, Lookup | Switch | Cases):
        other |= node_inputs(node) | ({kind.input} if isinstance(kind, Switch) else set())
    for child in node.children:
        s = sign
        if isinstance(kind, Weighted):
            s *= _sign(kind.scale) * _sign(child.weight)
        if s:
            _walk(child, s, signs, other, conds)


def _tests(cond: Condition) -> Iterable[Test]:
    if isinstance(cond, Test):
        yield cond
    elif isinstance(cond, Not):
        yield from _tests(cond.item)
    else:
        assert isinstance(cond, AllOf | AnyOf)
        for item in cond.items:
            yield from _tests(item)


@own_context
def resolution(inp: Input, near: Iterable[Any] = ()) -> Decimal | dt.timedelta:
    """The smallest change of a number or date input worth telling apart (see above)."""
    if inp.type == "date":
        return dt.timedelta(days=1)
    if inp.step is not None:
        return inp.step
    if inp.type == "integer":
        return Decimal(1)
    places = max(
        (
            -int(v.as_tuple().exponent)
            for v in (inp.min, inp.max, *near)
            if isinstance(v, Decimal) and v.is_finite()
        ),
        default=0,
    )
    return Decimal(1).scaleb(-(max(places, 0) + 2))


def valid(inp: Input, value: Any) -> bool:
    """Whether ``value`` is one the input accepts (type, bounds, step)."""
    try:
        coerce(inp, value)
    except BadValue:
        return False
    return True


@own_context
def regions(criteria: Criteria, name: str) -> list[tuple[Any, Any]]:
    """The ranges of a number or date input within which no condition changes, as
    ``(lowest, highest)`` accepted values, ascending; a value a condition compares it with
    is a range of its own. Where a bound is missing, the outer range is one value."""
    inp = criteria.inputs[name]
    least: Any = inp.min
    most: Any = inp.max
    near = sorted(
        t
        for t in dict.fromkeys(shape(criteria).thresholds.get(name, ()))
        if t is not None and (least is None or least <= t) and (most is None or t <= most)
    )
    step = resolution(inp, near)
    out: list[tuple[Any, Any]] = []
    start = least
    for t in near:
        below, above = _neighbours(inp, t, step)
        if start is None:
            start = below
        if start <= below:
            out.append((start, below))
        if valid(inp, t):
            out.append((t, t))
        start = above
    if start is not None and (most is None or start <= most):
        out.append((start, most if most is not None else start))
    out = [(lo, hi) for lo, hi in out if valid(inp, lo) and valid(inp, hi)]
    if not out:
        raise WhatIfError(
            f"{name}: no bounds and no thresholds, so what it could be is unknown; give it"
        )
    return out


def _neighbours(inp: Input, t: Any, step: Any) -> tuple[Any, Any]:
    """The accepted values next to ``t``: the last below it and the first above it (on the
    input's grid when it has a step)."""
    if isinstance(t, Decimal) and (inp.step is not None or inp.type == "integer"):
        base = inp.min if isinstance(inp.min, Decimal) else Decimal(0)
        k = ((t - base) / step).to_integral_value(rounding=decimal.ROUND_FLOOR)
        below = base + k * step
        if below >= t:
            below -= step
        return tidy(below), tidy(below + step if below + step > t else below + 2 * step)
    return t - step, t + step


@own_context
def candidates(criteria: Criteria, name: str) -> list[Any]:
    """Values of input ``name`` that represent every case its conditions tell apart, in
    order (enum codes as declared; numbers and dates ascending, the ends of their
    :func:`regions`)."""
    inp = criteria.inputs[name]
    if inp.type == "enum":
        return list(inp.code_names)
    if inp.type == "boolean":
        return [True, False]
    return sorted({v for r in regions(criteria, name) for v in r})
