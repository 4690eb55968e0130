"""Which actions lift the most subjects into their next band: :func:`actions`.

:func:`~asnmerit.whatif.next_band` tells one subject the smallest changes that lift it into
the next band. :func:`actions` asks the same of a whole population and counts, for each
change (an enum code or a yes/no set to a value, a number raised or lowered), the subjects
for whom it is one of those options: by definition, exactly what calling ``next_band(ev,
max_changes=...)`` on every subject and tallying its options gives (every option of every
subject, counted once per subject; a pair only where neither of its changes alone is
enough, as next_band's options are minimal).

Subjects with the same input values (a *profile*; a population of a million employees has a
few thousand) ask the same question, so each profile is asked once and counted as often as
it occurs. With numpy (``pip install 'asnmerit[frame]'``) the search of every profile runs
together: the changed profiles are scored in bulk through the compiled columnar plan
(:mod:`asnmerit.columnar.plan`), the few it cannot score by the scalar evaluator, and the
numbers are moved back towards their value (next_band's halving search) for all profiles in
step. Without numpy, next_band itself is asked once per profile.
"""

from __future__ import annotations

import datetime as dt
import itertools
import sys
from collections.abc import Generator, Iterable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import attrs

from .. import _decimal as D
from .._render import Column, Framed, table
from .._values import json_value, show_value
from ..engine.batch import unpack
from ..engine.evaluator import score_values
from ..errors import WhatIfError
from ..model import BandPolicy, Criteria, Text
from ..results import Evaluation, Result
from .domains import candidates, shape
from .nextband import _distance, _same, narrowing, next_band

if TYPE_CHECKING:
    import os

    from ..files.profile import ReadingProfile

RESULT_FORMAT = "asnmerit.actions/1"

CELLS = 1 << 22
"""How many cells (changed profiles times inputs) one bulk step scores at most: profiles
are taken in chunks that keep the arrays of one step below about 32 MB."""

_TABLES = ("pandas", "polars", "pyarrow")

_WORDS: dict[str, Text] = {
    "raise": Text("naikkan", "raise"),
    "lower": Text("turunkan", "lower"),
    "later": Text("lebih lambat", "later"),
    "earlier": Text("lebih awal", "earlier"),
    "one": Text("satu perubahan", "one change"),
    "many": Text("hingga {k} perubahan", "up to {k} changes"),
    "below": Text("di bawah kategori tertinggi", "below the top band"),
    "in_top": Text("di kategori tertinggi", "in the top band"),
    "failed": Text("tidak dapat dinilai", "not scored"),
    "none": Text(
        "Tidak ada perubahan yang menaikkan kategori.",
        "No change lifts any subject into the next band.",
    ),
    "mean": Text("rata-rata", "on average"),
}


# -- the result -------------------------------------------------------------------------------


@attrs.frozen
class Adjustment:
    """One input an action changes: set to ``value`` (an enum code, a yes/no), or, for a
    number or a date, moved in ``direction`` (``"raise"``: up or later, ``"lower"``: down or
    earlier) by as much as each subject needs (``value`` is then ``None``)."""

    input: str
    value: Any = None
    direction: str | None = None

    def text(self, criteria: Criteria | None = None, lang: str = "id") -> str:
        """``Label: value`` in ``lang``, e.g. ``Pendidikan formal tertinggi: S3`` or
        ``Nilai persiapan: naikkan`` (the input's name when ``criteria`` is not given)."""
        inp = criteria.inputs.get(self.input) if criteria is not None else None
        label = inp.label.get(lang) if inp is not None else self.input
        return f"{label}: {self.shown(criteria, lang)}"

    def shown(self, criteria: Criteria | None = None, lang: str = "id") -> str:
        """The value, or the direction in words (``naikkan``/``raise``; for a date
        ``lebih lambat``/``later``)."""
        if self.direction is None:
            return show_value(self.value)
        inp = criteria.inputs.get(self.input) if criteria is not None else None
        if inp is not None and inp.type == "date":
            return _WORDS["later" if self.direction == "raise" else "earlier"].get(lang)
        return _WORDS[self.direction].get(lang)

    def __str__(self) -> str:
        return f"{self.input}: {self.direction or show_value(self.value)}"


@attrs.frozen
class Action:
    """One change (or set of changes) and the subjects it lifts into their next band."""

    adjustments: tuple[Adjustment, ...]
    lifted: int
    """How many subjects it lifts (it is one of their :func:`next_band` options)."""
    share: Decimal
    """``lifted`` as a percentage of the subjects below the top band, 1 place half up."""
    gain: Decimal
    """The points the lifted subjects gain, all together (exact)."""
    mean_gain: Decimal
    """The points a lifted subject gains on average, 2 places half up."""

    @property
    def inputs(self) -> tuple[str, ...]:
        """The inputs it changes."""
        return tuple(a.input for a in self.adjustments)

    def text(self, criteria: Criteria | None = None, lang: str = "id") -> str:
        """Its adjustments as ``Label: value``, joined by ``; ``."""
        return "; ".join(a.text(criteria, lang) for a in self.adjustments)


@attrs.frozen(repr=False)
class Actions(Framed):
    """The actions that lift the most subjects into their next band, most first (then
    the highest mean gain, then by input and value)."""

    scheme: str
    version: str
    digest: str
    max_changes: int
    actions: tuple[Action, ...]
    below: int
    """Subjects below the top band: those an action can lift (the base of ``share``)."""
    in_top: int
    """Subjects already in the top band (counted apart)."""
    failed: int
    """Rows that were not scored (they cannot act)."""
    criteria: Criteria = attrs.field(eq=False)

    @property
    def subjects(self) -> int:
        """Subjects scored: below the top band and in it."""
        return self.below + self.in_top

    def caption(self, lang: str = "id") -> str:
        """What the table shows."""
        how = _WORDS["one"] if self.max_changes == 1 else _WORDS["many"]
        counts = [f"{self.below} {_WORDS['below'].get(lang)}"]
        counts.append(f"{self.in_top} {_WORDS['in_top'].get(lang)}")
        if self.failed:
            counts.append(f"{self.failed} {_WORDS['failed'].get(lang)}")
        head = f"{self.scheme} {self.version}, {how.get(lang).format(k=self.max_changes)}"
        return f"{head}: {', '.join(counts)}"

    def rows(self, lang: str = "id") -> list[dict[str, Any]]:
        """One row per action, as text: the change(s) with the inputs' labels in ``lang``,
        the input names, the subjects lifted, their share and the mean points gained."""
        return [
            {
                "action": a.text(self.criteria, lang),
                "inputs": "; ".join(a.inputs),
                "lifted": str(a.lifted),
                "share": f"{D.plain(a.share)}%",
                "mean_gain": f"+{D.plain(a.mean_gain)}",
            }
            for a in self.actions
        ]

    def _columns(self, lang: str) -> list[Column]:
        return [
            Column("action", "text"),
            Column("inputs", "text"),
            Column("changes", "int"),
            Column("lifted", "int"),
            Column("share", "decimal"),
            Column("gain", "decimal"),
            Column("mean_gain", "decimal"),
        ]

    def _records(self, lang: str) -> list[dict[str, Any]]:
        """``to_frame()``: one row per action, typed (the share in percent)."""
        return [
            {
                "action": a.text(self.criteria, lang),
                "inputs": "; ".join(a.inputs),
                "changes": len(a.adjustments),
                "lifted": a.lifted,
                "share": a.share,
                "gain": a.gain,
                "mean_gain": a.mean_gain,
            }
            for a in self.actions
        ]

    def _repr_html_(self) -> str:
        return table(self.rows(), self.caption())

    def render(self, lang: str = "id") -> str:
        """The counts, then one line per action, e.g. ``Pendidikan formal tertinggi: S3:
        120 (48.0%), +10.00 rata-rata``."""
        lines = [self.caption(lang)]
        if not self.actions:
            lines.append("  " + _WORDS["none"].get(lang))
        mean = _WORDS["mean"].get(lang)
        lines.extend(
            f"  {a.text(self.criteria, lang)}: {a.lifted} ({D.plain(a.share)}%), "
            f"+{D.plain(a.mean_gain)} {mean}"
            for a in self.actions
        )
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.render()

    def __repr__(self) -> str:
        best = ""
        if self.actions:
            first = self.actions[0]
            best = f"; best {'; '.join(map(str, first.adjustments))} lifts {first.lifted}"
        return (
            f"<Actions {self.scheme} {self.version}: {len(self.actions)} for "
            f"{self.below} below the top band{best}>"
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form (format ``asnmerit.actions/1``)."""
        return {
            "format": RESULT_FORMAT,
            "scheme": self.scheme,
            "version": self.version,
            "digest": self.digest,
            "max_changes": self.max_changes,
            "below": self.below,
            "in_top": self.in_top,
            "failed": self.failed,
            "actions": [
                {
                    "changes": [
                        {"input": c.input, "direction": c.direction}
                        if c.direction is not None
                        else {"input": c.input, "to": json_value(c.value)}
                        for c in a.adjustments
                    ],
                    "lifted": a.lifted,
                    "share": D.plain(a.share),
                    "gain": D.plain(a.gain),
                    "mean_gain": D.plain(a.mean_gain),
                }
                for a in self.actions
            ],
        }


# -- the question -----------------------------------------------------------------------------

Key = tuple[tuple[str, Any, "str | None"], ...]
"""An action as the tally keeps it: per input changed, ``(input, value, direction)``."""


class _Tally:
    """Per action, the subjects it lifts and the points they gain together."""

    def __init__(self) -> None:
        self.lifted: dict[Key, int] = {}
        self.gain: dict[Key, Decimal] = {}
        self.below = 0
        self.in_top = 0
        self.failed = 0

    def add(self, key: Key, subjects: int, gain: Decimal) -> None:
        self.lifted[key] = self.lifted.get(key, 0) + subjects
        self.gain[key] = D.total((self.gain.get(key, D.ZERO), D.mul(Decimal(subjects), gain)))


@D.own_context
def actions(
    results: Iterable[Result] | Any,
    *,
    max_changes: int = 1,
    criteria: Criteria | None = None,
    top: int | None = None,
    profile: ReadingProfile | str | os.PathLike[str] | None = None,
) -> Actions:
    """The changes that lift the most subjects of ``results`` into their next band (at
    least), with how many each lifts, their share of the subjects below the top band and
    the mean points gained; the ``top`` first (default: all).

    ``results`` are evaluations, row results (a failed row is counted, but cannot act) or
    a table of records (a pandas or polars DataFrame, a pyarrow Table or RecordBatch) read
    as :func:`asnmerit.evaluate_frame` reads it (``criteria=`` is then required, and
    ``profile`` may give the reading options). Only inputs the subject can change by its
    own effort change (those not declared ``actionable: false``), as in
    :func:`~asnmerit.whatif.next_band`, whose options for each subject (with
    ``max_changes``) are what is counted: the answer is the same, computed once per
    distinct profile of input values.
    """
    if not isinstance(max_changes, int) or isinstance(max_changes, bool) or max_changes < 1:
        raise WhatIfError(f"max_changes must be a whole number from 1, got {max_changes!r}")
    if top is not None and (not isinstance(top, int) or isinstance(top, bool) or top < 0):
        raise WhatIfError(f"top must be a whole number from 0, or None, got {top!r}")
    tally = _Tally()
    if type(results).__module__.split(".")[0] in _TABLES:
        if not isinstance(criteria, Criteria):
            raise TypeError("actions of a table needs criteria= (the scheme to score it with)")
        _inputs_table(criteria, results)
        _table(criteria, results, profile, max_changes, tally)
        scheme = criteria
    else:
        if profile is not None:
            raise TypeError("profile= reads a table; results need none")
        pairs, scheme = unpack(results, criteria, "find actions for")
        groups: dict[BandPolicy | None, dict[Any, list[Any]]] = {}
        names = list(scheme.inputs)
        top_band = scheme.bands.table[-1].code
        for _, ev in pairs:
            if ev is None:
                tally.failed += 1
                continue
            if ev.band.code == top_band:
                tally.in_top += 1
                continue
            policy = None if ev.band_policy == scheme.bands.policy else ev.band_policy
            found = groups.setdefault(policy, {})
            key = tuple(None if n in ev.derived else _value_key(ev.inputs.get(n)) for n in names)
            entry = found.get(key)
            if entry is None:
                found[key] = [ev, 1]
            else:
                entry[1] += 1
        for policy, profiles in groups.items():
            _search(scheme, policy, [(ev, n) for ev, n in profiles.values()], max_changes, tally)
    return _result(scheme, tally, max_changes, top)


def _inputs_table(criteria: Criteria, table: Any) -> None:
    """Refuse the table ``evaluate_frame`` returns: the changes are tried on the inputs,
    which a result holds only when they were kept."""
    arrow = type(table).__module__.split(".")[0] == "pyarrow"
    schema = getattr(table, "schema", None) if arrow else None
    columns = getattr(schema, "names", ()) if arrow else getattr(table, "columns", ())
    names = {str(c) for c in columns}
    if {"score", "band", "error"} <= names and not names & {*criteria.fields}:
        raise WhatIfError(
            "actions tries changes on the inputs: pass the table of records given to "
            "evaluate_frame (this one is its result, without the inputs), or the row results"
        )


def _value_key(value: Any) -> Any:
    """A value as a key that keeps apart what the evaluator keeps apart (``1.0`` and ``1``)."""
    return ("decimal", str(value)) if isinstance(value, Decimal) else (type(value), value)


def _result(criteria: Criteria, tally: _Tally, max_changes: int, top: int | None) -> Actions:
    ranked = []
    for key, lifted in tally.lifted.items():
        gain = tally.gain[key]
        action = Action(
            tuple(Adjustment(name, value, direction) for name, value, direction in key),
            lifted,
            D.round_ratio(D.mul(Decimal(lifted), Decimal(100)), Decimal(tally.below), 1),
            gain,
            D.round_mean(gain, lifted, 2),
        )
        order = tuple((name, direction or "", show_value(value)) for name, value, direction in key)
        ranked.append(((-lifted, -Fraction(gain) / lifted, order), action))
    ranked.sort(key=lambda item: item[0])
    chosen = [a for _, a in ranked]
    return Actions(
        criteria.id,
        criteria.version,
        criteria.digest,
        max_changes,
        tuple(chosen if top is None else chosen[:top]),
        tally.below,
        tally.in_top,
        tally.failed,
        criteria,
    )


def _option_key(criteria: Criteria, name: str, before: Any, after: Any) -> tuple[str, Any, Any]:
    """One change of an option as the tally keeps it: a number or date by its direction."""
    if isinstance(after, Decimal | dt.date):
        rising = before is None or after > before
        return (name, None, "raise" if rising else "lower")
    return (name, after, None)


def _numpy() -> Any:
    try:
        import numpy
    except ImportError:
        return None
    return numpy


def _search(
    criteria: Criteria,
    policy: BandPolicy | None,
    profiles: Sequence[tuple[Evaluation, int]],
    max_changes: int,
    tally: _Tally,
) -> None:
    """Tally the options of the subjects below the top band, one evaluation per profile
    (with its count), all with band policy ``policy`` (``None``: the scheme's)."""
    tally.below += sum(n for _, n in profiles)
    if not profiles:
        return
    np = _numpy()
    if np is None:
        for ev, n in profiles:
            _tally_plan(criteria, ev, n, max_changes, tally)
        return
    space = _Space(list(criteria.inputs))
    rows = np.asarray([space.row(ev.inputs, ev.derived) for ev, _ in profiles], np.int64).reshape(
        len(profiles), 2, len(space.names)
    )
    bulk = _Bulk(criteria, policy, space)
    bands = bulk.band_index
    bulk.run(
        rows[:, 0],
        rows[:, 1].astype(np.bool_),
        np.asarray([bands[ev.band.code] for ev, _ in profiles], np.int64),
        np.asarray([bulk.scores.code(ev.score) for ev, _ in profiles], np.int64),
        np.asarray([n for _, n in profiles], np.int64),
        max_changes,
        tally,
    )


def _tally_plan(
    criteria: Criteria, ev: Evaluation, subjects: int, max_changes: int, tally: _Tally
) -> None:
    """Tally the options :func:`next_band` gives one profile (without numpy)."""
    plan = next_band(ev, max_changes=max_changes, limit=sys.maxsize)
    for option in plan.options:
        key = tuple(_option_key(criteria, c.input, c.before, c.after) for c in option.changes)
        tally.add(key, subjects, option.gain)


# -- the bulk search --------------------------------------------------------------------------


class _Space:
    """The values each input has taken so far, numbered: a profile is a row of numbers
    (``-1``: no value)."""

    def __init__(self, names: list[str]) -> None:
        self.names = names
        self.values: list[list[Any]] = [[] for _ in names]
        self._index: list[dict[Any, int]] = [{} for _ in names]

    def seed(self, j: int, values: Sequence[Any]) -> None:
        """Start input ``j``'s numbering with ``values`` (distinct), in their order."""
        assert not self.values[j]
        self.values[j] = list(values)
        self._index[j] = {_value_key(v): k for k, v in enumerate(values)}

    def code(self, j: int, value: Any) -> int:
        """The number of ``value`` of input ``j`` (given one if new)."""
        key = _value_key(value)
        index = self._index[j]
        found = index.get(key)
        if found is None:
            found = index[key] = len(self.values[j])
            self.values[j].append(value)
        return found

    def row(self, inputs: Mapping[str, Any], derived: Iterable[str]) -> list[int]:
        """A profile's numbers, then per input 1 when its value was derived, else 0."""
        made = set(derived)
        codes = [self.code(j, inputs[n]) if n in inputs else -1 for j, n in enumerate(self.names)]
        return [*codes, *(int(n in made) for n in self.names)]


class _Scores:
    """Distinct scores (by value and form), numbered."""

    def __init__(self) -> None:
        self.values: list[Decimal] = []
        self._index: dict[str, int] = {}

    def code(self, score: Decimal) -> int:
        key = str(score)
        found = self._index.get(key)
        if found is None:
            found = self._index[key] = len(self.values)
            self.values.append(score)
        return found

    def ranks(self) -> list[int]:
        """Each score's rank by value (equal values, whatever their form, one rank)."""
        order = sorted(range(len(self.values)), key=self.values.__getitem__)
        ranks = [0] * len(self.values)
        rank, last = -1, None
        for k in order:
            if last is None or self.values[k] != last:
                rank, last = rank + 1, self.values[k]
            ranks[k] = rank
        return ranks


_Halving = Generator[dict[str, Any], tuple[int, int], tuple[dict[str, Any], int]]
"""One search back towards a value: yields changes to score, is sent their ``(score,
band)``, returns the changes kept and their score."""


class _Bulk:
    """:func:`next_band`'s search, for many profiles at once, scored in bulk.

    Per stage (one change, then two ...), every profile's changed rows are made as arrays,
    scored by the compiled plan (the rows it cannot score, by the scalar evaluator, once
    each), then the numbers and dates that reach the band are moved back, all searches in
    step, and each profile keeps, per set of inputs, the smallest option as next_band does.
    """

    def __init__(self, criteria: Criteria, policy: BandPolicy | None, space: _Space) -> None:
        import numpy as np

        from ..columnar.plan import compile_plan

        self.np = np
        self.criteria = criteria
        self.policy = policy
        self.plan = compile_plan(criteria, policy)
        self.space = space
        self.names = space.names
        self.band_index = {b.code: k for k, b in enumerate(criteria.bands.table)}
        self.scores = _Scores()
        self._scalar_cache: dict[bytes, tuple[int, int]] = {}
        inputs = criteria.inputs
        scoring = shape(criteria).scoring
        self.levers = [
            j
            for j, n in enumerate(self.names)
            if n in scoring and inputs[n].derive is None and inputs[n].actionable
        ]
        self.reads = _derivations(criteria)

    def prepare(self) -> None:
        """Number the values tried for each input, and which a profile already holds."""
        np, space = self.np, self.space
        self.tried: dict[int, Any] = {}
        self.same: dict[int, Any] = {}
        self._products: dict[tuple[int, ...], Any] = {}
        for j in self.levers:
            tried = candidates(self.criteria, self.names[j])
            self.tried[j] = np.asarray([space.code(j, v) for v in tried], np.int64)
            held = [*space.values[j], None]  # the last row: no value
            self.same[j] = np.asarray(
                [[_same(v, h) for v in tried] for h in held], np.bool_
            ).reshape(len(held), len(tried))

    def run(
        self,
        rows: Any,
        derived: Any,
        here: Any,
        base: Any,
        counts: Any,
        max_changes: int,
        tally: _Tally,
    ) -> None:
        """Tally the options of the profiles ``rows`` (per input the number of its value;
        ``derived``: which were derived), each in band ``here`` with score ``base`` (a
        number of :attr:`scores`), ``counts`` subjects each (all below the top band)."""
        np = self.np
        if not self.levers or not len(rows):
            return
        stacked = np.concatenate([rows, derived.astype(np.int64)], axis=1)
        held, first, local = np.unique(stacked, axis=0, return_index=True, return_inverse=True)
        if len(held) < len(rows):  # cells written apart, one profile: asked once
            counts = np.bincount(local.reshape(-1), weights=counts, minlength=len(held))
            counts = counts.astype(np.int64)
            rows, derived, here, base = rows[first], derived[first], here[first], base[first]
        self.prepare()
        each = max(
            sum(int(np.prod([len(self.tried[j]) for j in g])) for g in self._groups(k))
            for k in range(1, max_changes + 1)
        )
        step = max(1, CELLS // max(1, each * len(self.names)))
        for lo in range(0, len(rows), step):
            part = slice(lo, lo + step)
            self._chunk(
                rows[part], derived[part], here[part], base[part], counts[part], max_changes, tally
            )

    def _groups(self, k: int) -> list[tuple[int, ...]]:
        return list(itertools.combinations(self.levers, k))

    def _chunk(
        self,
        rows: Any,
        derived: Any,
        here: Any,
        base: Any,
        counts: Any,
        max_changes: int,
        tally: _Tally,
    ) -> None:
        np = self.np
        found: dict[tuple[int, ...], Any] = {}
        goal = here + 1
        for k in range(1, max_changes + 1):
            groups = self._groups(k)
            parts = []
            for gi, g in enumerate(groups):
                open_ = np.ones(len(rows), np.bool_)
                for m in range(1, k):  # a smaller set already reaches the band
                    for sub in itertools.combinations(g, m):
                        if sub in found:
                            open_ &= ~found[sub]
                at = np.flatnonzero(open_)
                if not len(at):
                    continue
                tuples = self._tuples(g)
                ok = np.ones((len(at), len(tuples)), np.bool_)
                for i, j in enumerate(g):
                    ok &= ~self.same[j][rows[at, j]][:, tuples[:, i]]
                who, which = np.nonzero(ok)
                parts.append((gi, at[who], which))
            if not parts:
                break
            task_g = np.concatenate([np.full(len(p), gi, np.int64) for gi, p, _ in parts])
            task_p = np.concatenate([p for _, p, _ in parts])
            task_t = np.concatenate([t for _, _, t in parts])
            after = np.empty((len(task_p), k), np.int64)
            changed = rows[task_p].copy()
            start = 0
            for gi, p, t in parts:
                g = groups[gi]
                part = slice(start, start + len(p))
                tuples = self._tuples(g)
                for i, j in enumerate(g):
                    codes = self.tried[j][tuples[t, i]]
                    after[part, i] = codes
                    changed[part, j] = codes
                self._forget(changed[part], derived[p], g)
                start += len(p)
            score, band = self.score(changed)
            reached = np.flatnonzero(band >= goal[task_p])
            moving = np.asarray([any(map(self._numeric, g)) for g in groups], np.bool_)
            numeric = reached[moving[task_g[reached]]]
            if len(numeric):
                self._least(
                    numeric.tolist(), groups, task_g, task_p, after, score, rows, derived, goal
                )
            ranks = np.asarray([*self.scores.ranks(), -1], np.int64)
            for gi, g in enumerate(groups):
                mine = reached[task_g[reached] == gi]
                if not len(mine):
                    continue
                size = self._sizes(g, rows[task_p[mine]], after[mine])
                order = np.lexsort((task_t[mine], -ranks[score[mine]], size, task_p[mine]))
                mine = mine[order]
                first = np.ones(len(mine), np.bool_)
                first[1:] = task_p[mine][1:] != task_p[mine][:-1]
                best = mine[first]
                held = np.zeros(len(rows), np.bool_)
                held[task_p[best]] = True
                found[g] = held
                self._tally(
                    g,
                    rows[task_p[best]],
                    after[best],
                    score[best],
                    base[task_p[best]],
                    counts[task_p[best]],
                    tally,
                )

    def _tuples(self, g: tuple[int, ...]) -> Any:
        """The values tried for the inputs of ``g`` together, as positions in their lists,
        in next_band's order."""
        found = self._products.get(g)
        if found is None:
            ranges = [range(len(self.tried[j])) for j in g]
            found = self.np.asarray(list(itertools.product(*ranges)), self.np.int64)
            found = self._products[g] = found.reshape(-1, len(g))
        return found

    def _numeric(self, j: int) -> bool:
        return self.criteria.inputs[self.names[j]].type in ("number", "integer", "date")

    def _forget(self, changed: Any, derived: Any, g: Sequence[int]) -> None:
        """Drop from changed rows the derived values that a change of ``g`` may change
        (the evaluator derives them again); the others stay as they were derived."""
        np = self.np
        touched = {self.names[j] for j in g}
        for d, reads in self.reads.items():
            if reads & touched:
                changed[:, d] = np.where(derived[:, d], -1, changed[:, d])

    def score(self, rows: Any) -> tuple[Any, Any]:
        """Each row's score (a number of :attr:`scores`) and band (its position; ``-1``
        when the row lacks an input the score needs)."""
        from ..columnar.plan import Encoded

        np = self.np
        count = len(rows)
        if not count:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        sizes = [len(v) + 1 for v in self.space.values]
        if count > 1 and _product(sizes) < 1 << 62:  # the same changed row, scored once
            strides = np.asarray([_product(sizes[j + 1 :]) for j in range(len(sizes))], np.int64)
            held, first, again = np.unique(
                (rows + 1) @ strides, return_index=True, return_inverse=True
            )
            if len(held) < count:
                score, band = self.score(rows[first])
                return score[again.reshape(-1)], band[again.reshape(-1)]
        encoded = {}
        for j, name in enumerate(self.names):  # each column with the values it holds only
            values = self.space.values[j]
            present = np.zeros(len(values) + 1, np.bool_)
            present[rows[:, j] + 1] = True
            present[0] = True  # -1 (no value) stays -1
            lut = np.cumsum(present) - 2
            held = np.flatnonzero(present[1:]).tolist()
            encoded[name] = Encoded(lut[rows[:, j] + 1], [values[v] for v in held])
        out = self.plan.run(encoded, count)
        scores = np.asarray([*map(self.scores.code, out.score.table), -1], np.int64)
        bands = np.asarray([*(self.band_index[b] for b in out.band), -1], np.int64)
        score, band = scores[out.score.codes], bands[out.score.codes]
        for x in np.flatnonzero(out.fallback).tolist():
            score[x], band[x] = self._scalar(rows[x])
        return score, band

    def _scalar(self, row: Any) -> tuple[int, int]:
        """A row the plan cannot score, by the scalar evaluator (once per row)."""
        key = row.tobytes()
        hit = self._scalar_cache.get(key)
        if hit is None:
            values = self.space.values
            record = {self.names[j]: values[j][c] for j, c in enumerate(row.tolist()) if c >= 0}
            out = score_values(self.criteria, record, {}, self.policy)
            if isinstance(out, Evaluation):
                hit = (self.scores.code(out.score), self.band_index[out.band.code])
            else:
                hit = (-1, -1)
            self._scalar_cache[key] = hit
        return hit

    def _least(
        self,
        tasks: list[int],
        groups: list[tuple[int, ...]],
        task_g: Any,
        task_p: Any,
        after: Any,
        score: Any,
        rows: Any,
        derived: Any,
        goal: Any,
    ) -> None:
        """Move the numbers and dates of the options that reach back towards their
        values (next_band's halving search), every search in step: each round scores one
        trial of each search together."""
        np = self.np
        values = self.space.values
        pending: list[tuple[int, _Halving, dict[str, Any]]] = []

        def settle(x: int, outcome: tuple[dict[str, Any], int]) -> None:
            changes, final = outcome
            for i, j in enumerate(groups[int(task_g[x])]):
                after[x, i] = self.space.code(j, changes[self.names[j]])
            score[x] = final

        def advance(x: int, search: Any, answer: Any) -> None:
            try:
                request = search.send(answer)
            except StopIteration as stop:
                settle(x, stop.value)
            else:
                pending.append((x, search, request))

        for x in tasks:
            g, p = groups[int(task_g[x])], int(task_p[x])
            changes = {self.names[j]: values[j][after[x, i]] for i, j in enumerate(g)}
            starts = {self.names[j]: _held(values[j], int(rows[p, j])) for j in g}
            advance(x, self._halve(changes, starts, int(score[x]), int(goal[p])), None)
        while pending:
            batch, pending = pending, []
            at = np.asarray([x for x, _, _ in batch], np.int64)
            trial = rows[task_p[at]].copy()
            for n, (x, _, request) in enumerate(batch):
                for j in groups[int(task_g[x])]:
                    trial[n, j] = self.space.code(j, request[self.names[j]])
            for gi in np.unique(task_g[at]).tolist():
                mine = np.flatnonzero(task_g[at] == gi)
                sub = trial[mine]
                self._forget(sub, derived[task_p[at[mine]]], groups[gi])
                trial[mine] = sub
            got_score, got_band = self.score(trial)
            for (x, search, _), s, b in zip(
                batch, got_score.tolist(), got_band.tolist(), strict=True
            ):
                advance(x, search, (s, b))

    def _halve(
        self, changes: dict[str, Any], starts: dict[str, Any], score: int, goal: int
    ) -> _Halving:
        """next_band's search back towards each value (``least``), as a generator: it yields
        the changes to score and is sent back ``(score, band)``; it returns the changes
        kept and their score."""
        inputs = self.criteria.inputs
        for name in list(changes):
            search = narrowing(inputs[name], starts[name], changes[name])
            try:
                value = next(search)
                while True:
                    got, band = yield {**changes, name: value}
                    reached = band >= goal
                    if reached:
                        score, changes = got, {**changes, name: value}
                    value = search.send(reached)
            except StopIteration:
                continue
        return changes, score

    def _sizes(self, g: tuple[int, ...], rows: Any, after: Any) -> Any:
        """How far each option moves its values (next_band's size), as ranks: equal sizes
        one rank, smaller sizes lower ones."""
        from ..columnar.plan import factorize

        np = self.np
        values = self.space.values
        parts: list[Any] = []
        distances: list[Decimal] = []
        index: dict[str, int] = {}
        for i, j in enumerate(g):
            inp = self.criteria.inputs[self.names[j]]
            local, held = self._pairs(rows[:, j], after[:, i], len(values[j]))
            ids = []
            for before, now in held:
                dist = _distance(inp, _held(values[j], before), values[j][now])
                ids.append(index.setdefault(str(dist), len(distances)))
                if ids[-1] == len(distances):
                    distances.append(dist)
            parts.append(np.asarray(ids, np.int64)[local])
        if len(g) == 1:
            sums = distances
            combo = parts[0]
        else:
            combo, combos = factorize(parts, [len(distances)] * len(parts), len(parts[0]))
            sums = [D.total(distances[d] for d in c) for c in combos]
        order = sorted(range(len(sums)), key=sums.__getitem__)
        ranks = [0] * len(sums)
        rank, last = -1, None
        for k in order:
            if last is None or sums[k] != last:
                rank, last = rank + 1, sums[k]
            ranks[k] = rank
        return np.asarray(ranks, np.int64)[combo]

    def _tally(
        self,
        g: tuple[int, ...],
        rows: Any,
        after: Any,
        score: Any,
        base: Any,
        counts: Any,
        tally: _Tally,
    ) -> None:
        """Add the chosen options of the inputs ``g``, as their subjects and gains."""
        from ..columnar.plan import factorize

        np = self.np
        values = self.space.values
        tokens = []
        keys: list[list[tuple[str, Any, Any]]] = []
        for i, j in enumerate(g):
            name = self.names[j]
            local, held = self._pairs(rows[:, j], after[:, i], len(values[j]))
            seen: dict[tuple[str, Any, Any], int] = {}
            ids = []
            for before, now in held:
                key = _option_key(self.criteria, name, _held(values[j], before), values[j][now])
                ids.append(seen.setdefault(key, len(seen)))
            keys.append(list(seen))
            tokens.append(np.asarray(ids, np.int64)[local])
        n_scores = len(self.scores.values)
        number, combos = factorize(
            [*tokens, score, base], [*map(len, keys), n_scores, n_scores], len(score)
        )
        subjects = np.bincount(number, weights=counts, minlength=len(combos))
        points = self.scores.values
        for row, n in zip(combos, subjects.tolist(), strict=True):
            action = tuple(keys[i][t] for i, t in enumerate(row[: len(g)]))
            tally.add(action, int(n), D.sub(points[row[-2]], points[row[-1]]))

    def _pairs(self, before: Any, after: Any, size: int) -> tuple[Any, list[tuple[int, int]]]:
        """Number the distinct pairs of a value as it was (``-1``: none) and as changed:
        each row's number, and the pairs."""
        from ..columnar.plan import factorize

        number, pairs = factorize([before + 1, after], [size + 1, size], len(before))
        return number, [(b - 1, a) for b, a in pairs]


def _product(sizes: Iterable[int]) -> int:
    out = 1
    for size in sizes:
        out *= size
    return out


def _held(values: Sequence[Any], code: int) -> Any:
    return values[code] if code >= 0 else None


def _derivations(criteria: Criteria) -> dict[int, set[str]]:
    """Per derived input (by position), every input its rules read, through other
    derived inputs too."""
    from ..model import condition_inputs

    names = list(criteria.inputs)
    direct = {
        n: {i for r in inp.derive.rules for i in condition_inputs(r.condition)}
        for n, inp in criteria.inputs.items()
        if inp.derive is not None
    }
    out: dict[int, set[str]] = {}
    for n in direct:
        seen: set[str] = set()
        pending = [n]
        while pending:
            for m in direct.get(pending.pop(), ()):
                if m not in seen:
                    seen.add(m)
                    pending.append(m)
        out[names.index(n)] = seen
    return out


# -- tables -------------------------------------------------------------------------------------


def _table(
    criteria: Criteria,
    table: Any,
    profile: ReadingProfile | str | os.PathLike[str] | None,
    max_changes: int,
    tally: _Tally,
) -> None:
    """Tally the options of a table's rows: read as :func:`asnmerit.evaluate_frame` reads
    it, grouped by distinct input cells, each group scored once."""
    try:
        import numpy as np
    except ImportError:
        from ..columnar import INSTALL

        raise ImportError(f"actions of a table needs numpy: {INSTALL}") from None
    from ..columnar.frame import _adapter, _Fields, _identified, _scalar, combinations
    from ..engine.batch import warn_unread
    from ..files.columns import layout
    from ..files.profile import reading

    frame = _adapter(table)
    lay = layout([str(c) for c in frame.columns], criteria, reading(profile))
    if lay.unread:
        warn_unread(criteria, lay.unread, stacklevel=5)
    fields = _Fields(frame, lay)
    found = combinations(criteria, fields, None)
    declared, columns, raw, key, at = found.declared, found.inputs, found.raw, found.key, found.at
    encoded, outcome, scalar = found.encoded, found.outcome, found.scalar
    combos = range(len(at))
    counts = np.bincount(key, minlength=len(combos)).astype(np.int64)

    # What the evaluator gives the rows the plan does not score, and the rows whose
    # identifiers decide their result (as evaluate_frame does), one profile each.
    others: dict[Any, list[Any]] = {}
    names = list(criteria.inputs)

    def add(result: Any, subjects: int) -> None:
        if not isinstance(result, Evaluation):
            tally.failed += subjects
            return
        profile_key = tuple(
            None if n in result.derived else _value_key(result.inputs.get(n)) for n in names
        )
        entry = others.setdefault(profile_key, [result, 0])
        entry[1] += subjects

    for row, result in _identified(criteria, fields, declared, raw, None):
        counts[key[row]] -= 1
        add(result, 1)
    for u in np.flatnonzero(scalar & (counts > 0)).tolist():
        record = {c: None if at[u, k] < 0 else raw[c][1][at[u, k]] for k, c in enumerate(columns)}
        add(_scalar(criteria, record, None), int(counts[u]))

    space = _Space(names)
    for j, name in enumerate(names):
        space.seed(j, encoded[name].values)
    bulk = _Bulk(criteria, None, space)
    bands = bulk.band_index
    top = len(criteria.bands.table) - 1
    scores = np.asarray([*map(bulk.scores.code, outcome.score.table), -1], np.int64)
    band_of = np.asarray([*(bands[b] for b in outcome.band), -1], np.int64)
    rows = np.stack([encoded[n].codes for n in names], axis=1).reshape(len(combos), len(names))
    plain = ~scalar & (counts > 0)
    band = band_of[outcome.score.codes]
    tally.in_top += int(counts[plain & (band >= top)].sum())
    keep = np.flatnonzero(plain & (band < top))
    profiles = [(ev, n) for ev, n in others.values()]
    tally.in_top += sum(n for ev, n in profiles if bands[ev.band.code] >= top)
    profiles = [(ev, n) for ev, n in profiles if bands[ev.band.code] < top]
    more = np.asarray([space.row(ev.inputs, ev.derived) for ev, _ in profiles], np.int64)
    more = more.reshape(len(profiles), 2, len(names))
    weight = np.concatenate([counts[keep], np.asarray([n for _, n in profiles], np.int64)])
    tally.below += int(weight.sum())
    bulk.run(
        np.concatenate([rows[keep], more[:, 0]]),
        np.concatenate([np.zeros((len(keep), len(names)), np.bool_), more[:, 1] > 0]),
        np.concatenate(
            [band[keep], np.asarray([bands[ev.band.code] for ev, _ in profiles], np.int64)]
        ),
        np.concatenate(
            [
                scores[outcome.score.codes][keep],
                np.asarray([bulk.scores.code(ev.score) for ev, _ in profiles], np.int64),
            ]
        ),
        weight,
        max_changes,
        tally,
    )
