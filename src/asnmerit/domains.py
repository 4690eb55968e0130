"""How each input reaches the score, and the values worth trying for it.

The what-if questions (:mod:`asnmerit.partial`, :mod:`asnmerit.nextband`) run the evaluator
itself on chosen values instead of re-implementing the rules. This module chooses them:

* an enum or boolean input: every code;
* a number or date compared by a condition (a ``cases`` rule, a gate, a derivation): its
  bounds and, at every value a condition compares it with, that value and its
  neighbours one resolution step either side; between two such values no condition
  changes, so these represent every region;
* a number read only by ``direct`` nodes (*monotone*): the score only rises (or only
  falls) with it, so its two bounds give the least and the most it can add.

The resolution of a number is its ``step``, 1 for an integer, else one hundredth of the
finest decimal the criteria give for it (e.g. 0.01 for a threshold of 38, 0.001 for 37.5).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

import attrs

from .errors import AsnmeritError
from .inputs import BadValue, coerce, condition_inputs, node_inputs
from .model import (
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
)


class WhatIfError(AsnmeritError, ValueError):
    """A what-if question that cannot be answered as asked (too many cases to try, a
    missing number with no bounds, an unknown input or band)."""


@attrs.frozen
class Shape:
    """How the inputs of one scheme reach its total score."""

    scoring: frozenset[str]
    """Inputs the total score, the gates or their derivations read."""
    monotone: Mapping[str, int]
    """Numbers read only by ``direct`` nodes: 1 when the score rises with them, -1 when it
    falls."""
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
    for cond in conditions:
        other |= condition_inputs(cond)
    monotone = {
        name: next(iter(s))
        for name, s in signs.items()
        if len(s) == 1
        and name not in other
        and criteria.inputs[name].derive is None
        and criteria.inputs[name].type in ("number", "integer")
    }
    return Shape(
        frozenset(scoring),
        monotone,
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


def candidates(criteria: Criteria, name: str) -> list[Any]:
    """Values of input ``name`` that represent every case its conditions tell apart, in
    order (enum codes as declared; numbers and dates ascending)."""
    inp = criteria.inputs[name]
    if inp.type == "enum":
        return list(inp.code_names)
    if inp.type == "boolean":
        return [True, False]
    near = [t for t in shape(criteria).thresholds.get(name, ()) if t is not None]
    step = resolution(inp, near)
    found = {v for v in (inp.min, inp.max) if v is not None}
    for t in near:
        found |= {t - step, t, t + step}
    values = sorted(v for v in found if valid(inp, v))
    if not values:
        raise WhatIfError(
            f"{name}: no bounds and no thresholds, so what it could be is unknown; give it"
        )
    return values


def ends(criteria: Criteria, name: str) -> tuple[Any, Any]:
    """A monotone input's values that give the least and the most points."""
    inp = criteria.inputs[name]
    if inp.min is None or inp.max is None:
        raise WhatIfError(
            f"{name}: declares no {'min' if inp.min is None else 'max'}, so what it could "
            "add is unbounded; give it"
        )
    rising = shape(criteria).monotone[name] > 0
    return (inp.min, inp.max) if rising else (inp.max, inp.min)
