"""Scoring a record that lacks some inputs: what the score can still become.

:func:`evaluate_partial` completes the record in every way that matters and scores each
completion with the evaluator itself (see :mod:`asnmerit.whatif.domains` for which values are
tried). A missing number that ``direct`` nodes read is not enumerated within a range
where no condition changes: the score only rises (or only falls) with it there, so the
ends of the range give the least and the most. The result says

* the reachable score interval and the bands still possible;
* whether the subject is eligible whatever the missing values are (or undecided);
* which missing inputs decide: knowing them narrows the bands still possible, and for
  each of their values, to which.

Only inputs the score needs are asked for: a branch a known value excludes (the
competence table of another type of position) is never completed.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs

from .. import _decimal as D
from .._render import Column, Framed
from .._values import json_value, show_value
from ..engine.evaluator import score_values
from ..engine.intake import split_subject
from ..errors import InputError, WhatIfError
from ..model import BAND_POLICIES, Band, BandPolicy, Criteria, freeze, frozen
from ..results import Evaluation, clipped
from .domains import candidates, regions, shape

RESULT_FORMAT = "asnmerit.partial/1"
LIMIT = 100_000
"""How many completions :func:`evaluate_partial` scores at most, by default."""


@attrs.frozen(repr=False)
class Completion:
    """A family of completions of the record: the missing values chosen (``chosen``) and
    the numbers left free within a range (``free``: input -> (lowest, highest)), with the
    completions that give the least and the most. Its repr is one line:
    ``<Completion pendidikan=S3, seminar=true: 55.0..72.5>``."""

    chosen: Mapping[str, Any] = attrs.field(converter=frozen)
    free: Mapping[str, tuple[Any, Any]] = attrs.field(converter=frozen)
    low: Evaluation
    high: Evaluation

    def __repr__(self) -> str:
        values = [f"{k}={show_value(v)}" for k, v in self.chosen.items()]
        values += [f"{k}={show_value(lo)}..{show_value(hi)}" for k, (lo, hi) in self.free.items()]
        span = _span(self.low.score, self.high.score)
        return f"<Completion {clipped(', '.join(values), 100)}: {span}>"


@attrs.frozen(repr=False)
class Outcome:
    """What the score can become when one missing input takes ``value``."""

    value: Any = attrs.field(converter=freeze)
    low: Decimal
    high: Decimal
    bands: tuple[str, ...]

    def __repr__(self) -> str:
        value = clipped(show_value(self.value), 40)
        bands = clipped(", ".join(self.bands), 60)
        return f"<Outcome {value}: {_span(self.low, self.high)} {bands}>"


@attrs.frozen(repr=False)
class Deciding:
    """A missing input whose value narrows the bands still possible."""

    input: str
    outcomes: tuple[Outcome, ...]

    def __repr__(self) -> str:
        n = len(self.outcomes)
        return f"<Deciding {self.input}: {n} value{'s' if n != 1 else ''}>"


@attrs.frozen(repr=False)
class Partial(Framed):
    """What a record with missing inputs can still score. Its repr is one line (``<Partial
    ip-asn 2019 55.0..90.0 [sangat_rendah, rendah, sedang, tinggi], missing pendidikan>``);
    :meth:`render` (and ``str()``) gives the account."""

    criteria: Criteria = attrs.field(eq=False, repr=False)
    inputs: Mapping[str, Any] = attrs.field(converter=frozen)
    """The values given (normalised)."""
    identifiers: Mapping[str, Any] = attrs.field(converter=frozen)
    missing: tuple[str, ...]
    """The inputs the score needs that were not given (in declaration order)."""
    low: Decimal
    high: Decimal
    bands: tuple[Band, ...]
    """The bands still possible, lowest first."""
    eligible: bool | None
    """Eligible whatever the missing values (True), never (False), or undecided (None)."""
    deciding: tuple[Deciding, ...]
    completions: tuple[Completion, ...] = attrs.field(repr=False)
    band_policy: BandPolicy | None = None

    @property
    def complete(self) -> bool:
        """Whether nothing the score needs is missing."""
        return not self.missing

    @property
    def band(self) -> Band | None:
        """The band, when only one is possible."""
        return self.bands[0] if len(self.bands) == 1 else None

    @property
    def lowest(self) -> Evaluation:
        """A completion with the lowest score (its inputs show the values that give it)."""
        return min(self.completions, key=lambda c: c.low.score).low

    @property
    def highest(self) -> Evaluation:
        """A completion with the highest score."""
        return max(self.completions, key=lambda c: c.high.score).high

    def __repr__(self) -> str:
        c = self.criteria
        bands = clipped(", ".join(b.code for b in self.bands), 60)
        missing = f", missing {clipped(', '.join(self.missing), 60)}" if self.missing else ""
        eligible = {True: "", False: ", ineligible", None: ", eligibility undecided"}
        return (
            f"<Partial {c.id} {c.version} {_span(self.low, self.high)} [{bands}]"
            f"{missing}{eligible[self.eligible]}>"
        )

    def _columns(self, lang: str) -> list[Column]:
        return [
            Column("input", "text"),
            Column("value", "text"),
            Column("low", "decimal"),
            Column("high", "decimal"),
            Column("bands", "text"),
        ]

    def _records(self, lang: str) -> list[dict[str, Any]]:
        """``to_frame()``: one row per deciding input and value, with the scores and bands
        still possible when the input takes it."""
        return [
            {
                "input": d.input,
                "value": show_value(o.value),
                "low": o.low,
                "high": o.high,
                "bands": ", ".join(o.bands),
            }
            for d in self.deciding
            for o in d.outcomes
        ]

    def render(self, lang: str = "id") -> str:
        """A readable summary: the interval, the bands still possible, what decides."""
        w = _WORDS[lang if lang in _WORDS else "id"]
        c = self.criteria
        top = D.plain(c.score.max if c.score.max is not None else c.score_max)
        lines = [f"{c.title.get(lang)} ({c.id} {c.version})"]
        if self.missing:
            lines.append(f"{w['missing']}: {', '.join(self.missing)}")
        lines.append(f"{w['score']}: {D.plain(self.low)} .. {D.plain(self.high)} / {top}")
        lines.append(f"{w['bands']}: {', '.join(b.label.get(lang) for b in self.bands)}")
        lines.append(f"{w['eligible']}: {w[str(self.eligible)]}")
        if self.deciding:
            lines.append(f"{w['deciding']}:")
            labels = {b.code: b.label.get(lang) for b in c.bands.table}
            for d in self.deciding:
                lines.append(f"  {d.input} ({c.inputs[d.input].label.get(lang)})")
                for o in d.outcomes:
                    span = (
                        D.plain(o.low)
                        if o.low == o.high
                        else f"{D.plain(o.low)} .. {D.plain(o.high)}"
                    )
                    names = ", ".join(labels[b] for b in o.bands)
                    lines.append(f"    = {show_value(o.value)}: {span} ({names})")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.render()

    def _repr_html_(self) -> str:
        from html import escape

        from .._render import table

        rows = self._records("id")
        summary = [line for line in self.render().split("\n") if not line.startswith(" ")]
        text = "<br>".join(escape(line) for line in summary)
        return f"<p>{text}</p>" + (table(rows) if rows else "")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form (format ``asnmerit.partial/1``)."""
        c = self.criteria
        return {
            "format": RESULT_FORMAT,
            "scheme": c.id,
            "version": c.version,
            "digest": c.digest,
            "inputs": json_value(dict(self.inputs)),
            "identifiers": json_value(dict(self.identifiers)),
            "missing": list(self.missing),
            "score": {"low": D.plain(self.low), "high": D.plain(self.high)},
            "bands": [b.code for b in self.bands],
            "eligible": self.eligible,
            "deciding": [
                {
                    "input": d.input,
                    "outcomes": [
                        {
                            "value": json_value(o.value),
                            "low": D.plain(o.low),
                            "high": D.plain(o.high),
                            "bands": list(o.bands),
                        }
                        for o in d.outcomes
                    ],
                }
                for d in self.deciding
            ],
            "completions": len(self.completions),
        }


def _span(low: Decimal, high: Decimal) -> str:
    """``low..high``, or one number when they are equal (for reprs)."""
    return D.plain(low) if low == high else f"{D.plain(low)}..{D.plain(high)}"


_WORDS = {
    "id": {
        "missing": "Belum diisi",
        "score": "Nilai yang masih mungkin",
        "bands": "Kategori yang masih mungkin",
        "eligible": "Memenuhi syarat",
        "deciding": "Yang menentukan kategori",
        "True": "ya",
        "False": "tidak",
        "None": "belum pasti",
    },
    "en": {
        "missing": "Missing",
        "score": "Reachable score",
        "bands": "Bands still possible",
        "eligible": "Eligible",
        "deciding": "What decides the band",
        "True": "yes",
        "False": "no",
        "None": "undecided",
    },
}


@D.own_context
def evaluate_partial(
    criteria: Criteria,
    subject: Mapping[str, Any],
    *,
    band_policy: BandPolicy | None = None,
    limit: int = LIMIT,
) -> Partial:
    """What ``subject`` can still score when some inputs are missing (blank or absent).

    Raises :class:`~asnmerit.errors.InputError` for values that are given but wrong (a
    missing value is not an error here), and
    :class:`~asnmerit.whatif.domains.WhatIfError` when more than ``limit`` completions would
    have to be scored, or a missing number has no bounds.
    """
    if band_policy is not None and band_policy not in BAND_POLICIES:
        raise ValueError(
            f"unknown band policy {band_policy!r}; expected one of {', '.join(BAND_POLICIES)}"
        )
    values, identifiers, issues = split_subject(criteria, subject)
    if issues:
        raise InputError(issues)
    search = _Search(criteria, identifiers, band_policy, limit)
    done = search.complete(values)
    missing = {n for c in done for n in (*c.chosen, *c.free)}
    order = [n for n in criteria.inputs if n in missing]
    table = criteria.bands.table
    possible = _bands(criteria, done)
    scoring = shape(criteria).scoring
    deciding = [d for n in order if n in scoring and (d := search.decides(n, done, possible))]
    eligible = {e for c in done for e in (c.low.eligible, c.high.eligible)}
    return Partial(
        criteria=criteria,
        inputs=values,
        identifiers=identifiers,
        missing=tuple(order),
        low=min(c.low.score for c in done),
        high=max(c.high.score for c in done),
        bands=tuple(b for b in table if b.code in possible),
        eligible=eligible.pop() if len(eligible) == 1 else None,
        deciding=tuple(deciding),
        completions=tuple(done),
        band_policy=band_policy,
    )


def _bands(criteria: Criteria, done: list[Completion]) -> set[str]:
    """The codes of the bands some completion reaches (between its least and most)."""
    codes = [b.code for b in criteria.bands.table]
    found: set[str] = set()
    for c in done:
        found.update(codes[codes.index(c.low.band.code) : codes.index(c.high.band.code) + 1])
    return found


class _Search:
    """Completes records; counts the evaluations against the limit."""

    def __init__(
        self,
        criteria: Criteria,
        identifiers: Mapping[str, Any],
        band_policy: BandPolicy | None,
        limit: int,
    ) -> None:
        self.criteria = criteria
        self.identifiers = identifiers
        self.policy = band_policy
        self.limit = limit
        self.count = 0
        self.shape = shape(criteria)

    def score(self, values: Mapping[str, Any]) -> Evaluation | dict[str, list[str]]:
        self.count += 1
        if self.count > self.limit:
            raise WhatIfError(
                f"more than {self.limit} completions to score; give more of the missing "
                "inputs, or raise the limit"
            )
        return score_values(self.criteria, dict(values), self.identifiers, self.policy)

    def corner(self, free: Mapping[str, tuple[Any, Any]], high: bool) -> dict[str, Any]:
        """The values of the free numbers that give the least (or the most) points."""
        return {n: r[1] if (self.shape.direction[n] > 0) == high else r[0] for n, r in free.items()}

    def complete(self, values: Mapping[str, Any]) -> list[Completion]:
        """Every family of completions of ``values``."""
        out: list[Completion] = []
        Free = dict[str, tuple[Any, Any]]
        stack: list[tuple[dict[str, Any], dict[str, Any], Free]] = [(dict(values), {}, {})]
        while stack:
            given, chosen, free = stack.pop()
            low = self.score({**given, **self.corner(free, False)})
            if isinstance(low, Evaluation):
                high = self.score({**given, **self.corner(free, True)}) if free else low
                assert isinstance(high, Evaluation)  # the free numbers decide no branch
                out.append(Completion(chosen, free, low, high))
                continue
            names = list(low)
            idle = [n for n in names if n not in self.shape.scoring]
            if idle:  # e.g. an award's group: it places the subject, it does not score
                fill = {n: candidates(self.criteria, n)[0] for n in idle}
                stack.append(({**given, **fill}, chosen, free))
                continue
            name = names[0]
            inp = self.criteria.inputs[name]
            if inp.type in ("enum", "boolean"):
                for value in reversed(candidates(self.criteria, name)):
                    stack.append(({**given, name: value}, {**chosen, name: value}, free))
                continue
            for lo, hi in reversed(regions(self.criteria, name)):
                if lo != hi and name in self.shape.direction:
                    stack.append((given, chosen, {**free, name: (lo, hi)}))
                    continue
                ends = [lo] if lo == hi or name not in self.shape.reads else [lo, hi]
                for value in reversed(ends):  # constant between the ends, or mixed signs
                    stack.append(({**given, name: value}, {**chosen, name: value}, free))
        return out

    def decides(self, name: str, done: list[Completion], possible: set[str]) -> Deciding | None:
        """The outcomes per value of missing input ``name``, if its value narrows the
        bands still possible."""
        seen = {c.chosen[name] for c in done if name in c.chosen}
        seen |= {v for c in done if name in c.free for v in c.free[name]}
        values = [v for v in candidates(self.criteria, name) if v in seen]
        outcomes = []
        for value in values:
            group = [
                c
                for c in done
                if (name not in c.chosen and name not in c.free) or c.chosen.get(name) == value
            ]
            group += [
                self.fix(c, name, value)
                for c in done
                if name in c.free and c.free[name][0] <= value <= c.free[name][1]
            ]
            bands = _bands(self.criteria, group)
            codes = tuple(b.code for b in self.criteria.bands.table if b.code in bands)
            outcomes.append(
                Outcome(
                    value,
                    min(c.low.score for c in group),
                    max(c.high.score for c in group),
                    codes,
                )
            )
        if all(set(o.bands) == possible for o in outcomes):
            return None
        return Deciding(name, tuple(outcomes))

    def fix(self, c: Completion, name: str, value: Any) -> Completion:
        """Completion family ``c`` with its free number ``name`` held at ``value``."""
        rest = {n: r for n, r in c.free.items() if n != name}
        base = {k: v for k, v in c.low.inputs.items() if k not in c.low.derived}

        def at(high: bool) -> Evaluation:
            kept = c.high if high else c.low
            if kept.inputs[name] == value:
                return kept
            ev = self.score({**base, **self.corner(rest, high), name: value})
            assert isinstance(ev, Evaluation)
            return ev

        return Completion({**c.chosen, name: value}, rest, at(False), at(True))
