"""What would lift a subject into the next band: the smallest sets of changes.

:func:`next_band` tries changes to one input, then to two (only where no single one of
them is enough), and so on up to ``max_changes``, scoring each changed record with the
evaluator itself. It changes only inputs the subject can change by its own effort (those
the criteria do not declare ``actionable: false``, such as the type of position), unless
``allow`` names others. Which values are tried is told in :mod:`asnmerit.whatif.domains`; a
number or date is then moved back towards its value, halving the gap at its resolution,
to the nearest value that still reaches the band.

Options are ranked by size: how many inputs change, then how far (an enum step counts
one over its number of codes less one, a yes/no one, a number its change over its range),
then by the score reached, highest first.
"""

from __future__ import annotations

import datetime as dt
import decimal
import itertools
from collections.abc import Generator, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import attrs

from .. import _decimal as D
from .._render import Column, Framed, band_column, table
from .._values import json_value, show_value
from ..engine.evaluator import score_values
from ..errors import WhatIfError
from ..model import Band, Input, freeze
from ..results import Evaluation, clipped
from .domains import candidates, resolution, shape, valid

RESULT_FORMAT = "asnmerit.next-band/1"
LIMIT = 20_000
"""How many changed records :func:`next_band` scores at most, by default."""


@attrs.frozen
class Change:
    """One input changed from ``before`` to ``after``."""

    input: str
    before: Any = attrs.field(converter=freeze)
    after: Any = attrs.field(converter=freeze)

    def __str__(self) -> str:
        before = "-" if self.before is None else show_value(self.before)
        return f"{self.input}: {before} -> {show_value(self.after)}"


@attrs.frozen(repr=False)
class Option:
    """A set of changes that reaches the target band, with the result it gives. Its repr
    is one line: ``<Option 1 change (pendidikan) +7.5 -> 60.0 rendah>``."""

    changes: tuple[Change, ...]
    evaluation: Evaluation
    gain: Decimal
    """Points gained."""
    size: Decimal
    """How far the values move (see the module's description)."""

    def __repr__(self) -> str:
        n = len(self.changes)
        names = clipped(", ".join(c.input for c in self.changes), 60)
        ev = self.evaluation
        changes = f"{n} change{'s' if n != 1 else ''} ({names})"
        return f"<Option {changes} +{D.plain(self.gain)} -> {D.plain(ev.score)} {ev.band.code}>"


@attrs.frozen(repr=False)
class Plan(Framed):
    """The ways to lift one subject into a higher band, smallest first. Its repr is one
    line (``<Plan ip-asn 2019 52.5 sangat_rendah -> rendah: 3 options>``); :meth:`render`
    (and ``str()``) lists the options; ``to_frame()`` gives one row per option."""

    evaluation: Evaluation
    """The subject as it stands."""
    target: Band | None
    """The band to reach (``None``: already in the top band)."""
    options: tuple[Option, ...]
    exhaustive: bool
    """False when the search stopped at its limit before trying every set of changes."""

    def __repr__(self) -> str:
        ev = self.evaluation
        head = f"<Plan {ev.scheme} {ev.version} {D.plain(ev.score)} {ev.band.code}"
        if self.target is None:
            return head + ": the top band>"
        n = len(self.options)
        stopped = "" if self.exhaustive else ", search stopped at its limit"
        return f"{head} -> {self.target.code}: {n} option{'s' if n != 1 else ''}{stopped}>"

    def _repr_html_(self) -> str:
        return table(self.rows(), self.caption())

    def caption(self) -> str:
        """What the table shows."""
        ev = self.evaluation
        goal = f" -> {self.target.code}" if self.target else ""
        return f"{ev.scheme} {ev.version}: {D.plain(ev.score)} {ev.band.code}{goal}"

    def rows(self, lang: str = "id") -> list[dict[str, Any]]:
        """One row per option: the changes, the gain, the score and band reached."""
        return [
            {
                "changes": "; ".join(str(c) for c in o.changes),
                "gain": f"+{D.plain(o.gain)}",
                "score": D.plain(o.evaluation.score),
                "band": o.evaluation.band.label.get(lang),
            }
            for o in self.options
        ]

    def _columns(self, lang: str) -> list[Column]:
        order = [b.code for b in self.evaluation.criteria.bands.table]
        return [
            Column("option", "int"),
            Column("changes", "int"),
            Column("inputs", "text"),
            Column("values", "text"),
            Column("gain", "decimal"),
            Column("score", "decimal"),
            band_column("band", order),
        ]

    def _records(self, lang: str) -> list[dict[str, Any]]:
        return [
            {
                "option": n,
                "changes": len(o.changes),
                "inputs": ", ".join(c.input for c in o.changes),
                "values": "; ".join(str(c) for c in o.changes),
                "gain": o.gain,
                "score": o.evaluation.score,
                "band": o.evaluation.band.code,
            }
            for n, o in enumerate(self.options, start=1)
        ]

    def render(self, lang: str = "id") -> str:
        """Each option on one line, e.g. ``diklat_teknis_20jp: false -> true: +15 -> 90.0
        Tinggi``."""
        ev = self.evaluation
        head = f"{ev.scheme} {ev.version}: {D.plain(ev.score)} {ev.band.label.get(lang)}"
        if self.target is None:
            return head + (" (kategori tertinggi)" if lang == "id" else " (the top band)")
        lines = [f"{head} -> {self.target.label.get(lang)}"]
        if not self.options:
            lines.append(
                "  tidak ada perubahan yang cukup"
                if lang == "id"
                else "  no set of changes tried reaches it"
            )
        for o in self.options:
            changes = "; ".join(str(c) for c in o.changes)
            lines.append(
                f"  {changes}: +{D.plain(o.gain)} -> "
                f"{D.plain(o.evaluation.score)} {o.evaluation.band.label.get(lang)}"
            )
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.render()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form (format ``asnmerit.next-band/1``)."""
        ev = self.evaluation
        return {
            "format": RESULT_FORMAT,
            "scheme": ev.scheme,
            "version": ev.version,
            "digest": ev.digest,
            "score": D.plain(ev.score),
            "band": ev.band.code,
            "target": self.target.code if self.target else None,
            "exhaustive": self.exhaustive,
            "options": [
                {
                    "changes": [
                        {"input": c.input, "from": json_value(c.before), "to": json_value(c.after)}
                        for c in o.changes
                    ],
                    "gain": D.plain(o.gain),
                    "score": D.plain(o.evaluation.score),
                    "band": o.evaluation.band.code,
                    "size": D.plain(o.size),
                }
                for o in self.options
            ],
        }


@D.own_context
def next_band(
    evaluation: Evaluation,
    *,
    target: str | None = None,
    allow: Iterable[str] = (),
    max_changes: int = 2,
    limit: int = LIMIT,
) -> Plan:
    """The smallest sets of input changes that lift ``evaluation``'s subject into the
    next band (or into band ``target`` or above), ranked by size of change.

    ``allow`` names inputs to change even though the criteria declare them not
    actionable. At most ``max_changes`` inputs change together; at most ``limit``
    changed records are scored (then ``Plan.exhaustive`` is false).
    """
    criteria = evaluation.criteria
    codes = [b.code for b in criteria.bands.table]
    here = codes.index(evaluation.band.code)
    if target is None:
        goal = here + 1
    elif target not in codes:
        raise WhatIfError(f"no band {target!r}; the bands are {', '.join(codes)}")
    else:
        goal = codes.index(target)
        if goal <= here:
            raise WhatIfError(f"{evaluation.band.code} is already at or above {target}")
    allowed = set(allow)
    unknown = allowed - set(criteria.inputs)
    if unknown:
        raise WhatIfError(f"no input {', '.join(sorted(unknown))} in {criteria.id}")
    if goal >= len(codes):
        return Plan(evaluation, None, (), True)
    search = _Search(evaluation, goal, limit)
    options, exhaustive = search.run(
        [
            name
            for name, inp in criteria.inputs.items()
            if name in shape(criteria).scoring
            and inp.derive is None
            and (inp.actionable or name in allowed)
        ],
        max_changes,
    )
    return Plan(evaluation, criteria.bands.table[goal], tuple(options), exhaustive)


class _Limit(Exception):
    pass


class _Search:
    def __init__(self, evaluation: Evaluation, goal: int, limit: int) -> None:
        self.ev = evaluation
        self.criteria = evaluation.criteria
        self.codes = [b.code for b in self.criteria.bands.table]
        self.goal = goal
        self.limit = limit
        self.count = 0
        self.base = {k: v for k, v in evaluation.inputs.items() if k not in evaluation.derived}
        own = evaluation.band_policy == self.criteria.bands.policy
        self.policy = None if own else evaluation.band_policy

    def score(self, changes: Mapping[str, Any]) -> Evaluation | None:
        """The changed record's result, ``None`` when it lacks an input."""
        self.count += 1
        if self.count > self.limit:
            raise _Limit
        out = score_values(
            self.criteria, {**self.base, **changes}, self.ev.identifiers, self.policy
        )
        return out if isinstance(out, Evaluation) else None

    def reaches(self, ev: Evaluation | None) -> bool:
        return ev is not None and self.codes.index(ev.band.code) >= self.goal

    def run(self, names: Sequence[str], most: int) -> tuple[list[Option], bool]:
        alternatives = {
            n: [v for v in candidates(self.criteria, n) if not _same(v, self.base.get(n))]
            for n in names
        }
        found: dict[frozenset[str], Option] = {}
        try:
            for k in range(1, most + 1):
                for group in itertools.combinations(names, k):
                    if any(frozenset(g) in found for g in _subsets(group)):
                        continue  # a smaller set already reaches the band
                    option = self.best(group, alternatives)
                    if option is not None:
                        found[frozenset(group)] = option
        except _Limit:
            return _ranked(found.values()), False
        return _ranked(found.values()), True

    def best(self, group: Sequence[str], alternatives: Mapping[str, list[Any]]) -> Option | None:
        """The smallest option that changes exactly the inputs of ``group``."""
        best: Option | None = None
        for values in itertools.product(*(alternatives[n] for n in group)):
            changes = dict(zip(group, values, strict=True))
            ev = self.score(changes)
            if not self.reaches(ev):
                continue
            for name in group:  # move a number or date back to the least that still reaches
                changes, ev = self.least(changes, name, ev)
            assert ev is not None
            option = self.option(changes, ev)
            if best is None or _key(option) < _key(best):
                best = option
        return best

    def least(
        self, changes: dict[str, Any], name: str, ev: Evaluation | None
    ) -> tuple[dict[str, Any], Evaluation | None]:
        """Halve the gap between the value as it stands and ``changes[name]`` (which
        reaches the band) at the input's resolution, keeping the nearest value that still
        reaches it."""
        search = narrowing(self.criteria.inputs[name], self.base.get(name), changes[name])
        try:
            value = next(search)
            while True:
                trial = self.score({**changes, name: value})
                reached = self.reaches(trial)
                if reached:
                    ev, changes = trial, {**changes, name: value}
                value = search.send(reached)
        except StopIteration:
            return changes, ev

    def option(self, changes: Mapping[str, Any], ev: Evaluation) -> Option:
        moves = tuple(Change(n, self.base.get(n), v) for n, v in changes.items())
        size = D.total(_distance(self.criteria.inputs[c.input], c.before, c.after) for c in moves)
        return Option(moves, ev, D.sub(ev.score, self.ev.score), size)


def narrowing(inp: Input, start: Any, end: Any) -> Generator[Any, bool, None]:
    """The values between ``start`` (the value as it stands) and ``end`` (which reaches the
    band) worth trying, halving the gap at the input's resolution: it yields a value and is
    sent whether it reaches the band, and stops at the nearest value that does (a value the
    input refuses counts as not reaching; only numbers and dates are narrowed)."""
    step: Any = resolution(inp, (start, end))
    if isinstance(start, dt.date) and isinstance(end, dt.date):
        hi = abs((end - start).days)
    elif isinstance(start, Decimal) and isinstance(end, Decimal):
        gap = abs(D.sub(end, start)) / step
        hi = int(gap.to_integral_value(rounding=decimal.ROUND_CEILING))
    else:
        return
    sign = 1 if end > start else -1
    lo = 0  # start + lo steps fails; hi steps (or end itself) reaches
    while hi - lo > 1:
        mid = (lo + hi) // 2
        value = start + sign * mid * step
        if isinstance(value, Decimal):
            value = D.tidy(value)
        if valid(inp, value) and (yield value):
            hi = mid
        else:
            lo = mid


def _subsets(group: Sequence[str]) -> Iterable[tuple[str, ...]]:
    for k in range(1, len(group)):
        yield from itertools.combinations(group, k)


def _key(option: Option) -> tuple[int, Decimal, Decimal]:
    return (len(option.changes), option.size, -option.evaluation.score)


def _ranked(options: Iterable[Option]) -> list[Option]:
    return sorted(options, key=_key)


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


def _distance(inp: Input, before: Any, after: Any) -> Decimal:
    """How far a value moves, as a share of what it can move (at most 1)."""
    if inp.type == "enum" and inp.order is not None and before is not None:
        span = len(inp.codes) - 1
        return D.div(Decimal(abs(inp.rank(after) - inp.rank(before))), Decimal(span))
    least: Any = inp.min
    most: Any = inp.max
    if before is None or least is None or most is None or not most > least:
        return D.ONE
    if isinstance(before, dt.date):
        return D.div(Decimal(abs((after - before).days)), Decimal((most - least).days))
    if isinstance(before, Decimal):
        return D.div(abs(D.sub(after, before)), D.sub(most, least))
    return D.ONE
