"""One subject's results across periods, side by side.

Each top-level component is shown per period with its points and maximum, and the
change from the period before. A change is given only between results of the same
scheme version (one scale); across versions (the 2019 merit instrument and the 2025
framework) the comparison says so instead of subtracting numbers that do not compare.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import attrs

from .. import _decimal as D
from .._render import Column, Framed, table
from .._values import cell, is_table
from ..errors import AsnmeritError
from ..model import Text
from ..results import Evaluation


@attrs.frozen
class Cell:
    """One component (or the total) in one period."""

    points: Decimal | None
    max: Decimal | None
    change: Decimal | None
    """Points minus the previous period's, when both are on one scale."""


@attrs.frozen
class Line:
    """One component (or the total) across the periods."""

    id: str
    label: Text
    cells: tuple[Cell, ...]


COMPARISON_FORMAT = "asnmerit.comparison/1"


@attrs.frozen(repr=False)
class Comparison(Framed):
    """Results of one subject over several periods."""

    periods: tuple[str, ...]
    results: tuple[Evaluation, ...]
    lines: tuple[Line, ...]
    """The total first, then each top-level component."""
    comparable: tuple[bool, ...]
    """Per period after the first: whether it is on the previous period's scale."""
    notes: tuple[str, ...]

    def __repr__(self) -> str:
        return f"<Comparison {' / '.join(self.periods)}: {len(self.lines)} lines>"

    def _columns(self, lang: str) -> list[Column]:
        return [
            Column("period", "text"),
            Column("line", "text"),
            Column("label", "text"),
            Column("points", "decimal"),
            Column("max", "decimal"),
            Column("change", "decimal"),
            Column("comparable", "bool"),
            Column("scheme", "text"),
            Column("version", "text"),
            Column("band", "text"),
        ]

    def _records(self, lang: str) -> list[dict[str, Any]]:
        """One record per line and period (tidy: a line's periods one under the other)."""
        out = []
        for line in self.lines:
            for k, (period, ev, c) in enumerate(
                zip(self.periods, self.results, line.cells, strict=True)
            ):
                out.append(
                    {
                        "period": period,
                        "line": line.id,
                        "label": line.label.get(lang),
                        "points": c.points,
                        "max": c.max,
                        "change": c.change,
                        "comparable": None if k == 0 else self.comparable[k - 1],
                        "scheme": ev.scheme,
                        "version": ev.version,
                        "band": ev.band.code,
                    }
                )
        return out

    def rows(self, lang: str = "id") -> list[dict[str, Any]]:
        """One row per line and period, as text (a table for CSV)."""
        return [
            {
                k: "" if v is None else D.plain(v) if isinstance(v, Decimal) else cell(v)
                for k, v in r.items()
            }
            for r in self._records(lang)
        ]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form (format ``asnmerit.comparison/1``)."""
        return {
            "format": COMPARISON_FORMAT,
            "periods": list(self.periods),
            "results": [
                {"scheme": ev.scheme, "version": ev.version, "digest": ev.digest}
                for ev in self.results
            ],
            "comparable": list(self.comparable),
            "notes": list(self.notes),
            "lines": [
                {
                    "id": line.id,
                    "label": attrs.asdict(line.label),
                    "cells": [
                        {
                            k: None if v is None else D.plain(v)
                            for k, v in (("points", c.points), ("max", c.max), ("change", c.change))
                        }
                        for c in line.cells
                    ],
                }
                for line in self.lines
            ],
        }

    def _repr_html_(self) -> str:
        return table(self.rows(), " / ".join(self.periods))

    def render(self, lang: str = "id") -> str:
        """The comparison as a text table: per line, ``points / max (change)`` per period."""
        en = lang == "en"
        head = ["", *self.periods]
        rows = [
            [
                "Band" if en else "Kategori",
                *(f"{ev.band.label.get(lang)} [{ev.band.code}]" for ev in self.results),
            ],
            [
                "Scheme" if en else "Instrumen",
                *(f"{ev.scheme} {ev.version}" for ev in self.results),
            ],
        ]
        for line in self.lines:
            rows.append([line.label.get(lang), *(_cell(c) for c in line.cells)])
        widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
        out = ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) for r in [head, *rows]]
        return "\n".join([*(s.rstrip() for s in out), *(f"! {n}" for n in self.notes)])


def _cell(c: Cell) -> str:
    if c.points is None:
        return "-"
    text = D.plain(c.points) + (f" / {D.plain(c.max)}" if c.max is not None else "")
    if c.change is not None:
        sign = "+" if c.change > 0 else ""
        text += f" ({sign}{D.plain(c.change)})"
    return text


@D.own_context
def compare(results: Mapping[str, Evaluation] | Sequence[tuple[str, Evaluation]]) -> Comparison:
    """Put one subject's results side by side, in the order given (e.g. by year).

    ``results`` maps a period label (``"2021"``) to that period's evaluation. Results of
    different schemes, or of different versions of one scheme, are shown but never
    subtracted: :attr:`Comparison.comparable` and the notes say where the scale changes."""
    if is_table(results):
        raise TypeError(
            "compare takes one subject's evaluations by period ({period: evaluation}), not a table"
        )
    pairs = list(results.items()) if isinstance(results, Mapping) else list(results)
    if not pairs:
        raise AsnmeritError("nothing to compare: give at least one period's result")
    periods = tuple(str(p) for p, _ in pairs)
    evs = tuple(ev for _, ev in pairs)
    comparable: list[bool] = []
    notes: list[str] = []
    for (p0, a), (p1, b) in itertools.pairwise(pairs):
        same = (a.scheme, a.version) == (b.scheme, b.version)
        comparable.append(same)
        if not same:
            notes.append(
                f"{p0} ({a.scheme} {a.version}) and {p1} ({b.scheme} {b.version}) use "
                "different instruments: their scores are not on one scale and no change is given"
            )
        elif a.digest != b.digest:
            notes.append(
                f"{p0} and {p1} were scored with differing criteria content "
                f"({a.digest[:15]}..., {b.digest[:15]}...), e.g. a file that extends the scheme"
            )
    ids: dict[str, Text] = {}
    for ev in evs:
        for comp in ev.components.children:
            ids.setdefault(comp.id, comp.label)
    lines = [Line("score", evs[-1].components.label, _cells(evs, comparable, None))]
    lines += [Line(i, label, _cells(evs, comparable, i)) for i, label in ids.items()]
    return Comparison(periods, evs, tuple(lines), tuple(comparable), tuple(notes))


def _cells(
    evs: tuple[Evaluation, ...], comparable: list[bool], node: str | None
) -> tuple[Cell, ...]:
    values: list[tuple[Decimal | None, Decimal | None]] = []
    for ev in evs:
        if node is None:
            values.append((ev.score, ev.components.max))
            continue
        found = [c for c in ev.components.children if c.id == node]
        values.append((found[0].points, found[0].max) if found else (None, None))
    cells = [Cell(values[0][0], values[0][1], None)]
    for i in range(1, len(values)):
        before, now = values[i - 1][0], values[i][0]
        change: Any = None
        if comparable[i - 1] and before is not None and now is not None:
            change = D.tidy(D.sub(now, before))
        cells.append(Cell(now, values[i][1], change))
    return tuple(cells)
