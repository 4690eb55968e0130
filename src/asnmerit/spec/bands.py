"""The ``bands`` table read and checked: unique codes, bounds on the step, ranges that
meet at the step (no gap, no overlap) and cover the whole score range."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from .. import _decimal as D
from ..errors import Problem
from ..model import Band, Bands, Provenance
from .context import Context, dec, opt_dec, text
from .parse import Path
from .ranges import Range


class BandChecks(Context):
    """Builds the band table, reporting what a schema cannot see."""

    problems: list[Problem]  # what this part of the build reports (see Context.report)

    def bands(
        self, d: Mapping[str, Any], path: Path, up: Provenance, score_range: Range, broken: bool
    ) -> Bands | None:
        """The band table, checked so that every policy classifies every possible score:
        ranges meet at ``step`` (no gap, no overlap), bounds are multiples of ``step``, and
        the lowest and highest bands reach the scheme's minimum and maximum."""
        # The block's own provenance is the policy's; the rows inherit the file's.
        step = dec(d.get("step", 1))
        rows = []
        codes: set[str] = set()
        for i, b in enumerate(d["table"]):
            rows.append((i, self.band(b, (*path, "table", i), up, step, codes)))
        rows.sort(key=lambda r: _sort_key(r[1]))
        for (_, a), (j, b) in itertools.pairwise(rows):
            self.band_pair(a, b, step, (*path, "table", j, "range"))
        table = tuple(b for _, b in rows)
        self.coverage(table, score_range, broken, (*path, "table"))
        return Bands(
            policy=d["policy"],
            table=table,
            step=step,
            rounding_mode=d.get("rounding_mode", "half_up"),
            provenance=self.provenance(d, path, up),
        )

    def band(
        self, b: Mapping[str, Any], bpath: Path, up: Provenance, step: Decimal, codes: set[str]
    ) -> Band:
        """One row of the table; ``codes`` holds the codes of the rows before it."""
        lower, upper = (opt_dec(v) for v in b["range"])
        if b["code"] in codes:
            self.report(
                "bands.duplicate-code",
                f"band code {b['code']!r} is used twice",
                (*bpath, "code"),
            )
        codes.add(b["code"])
        if lower is not None and upper is not None and lower > upper:
            self.report(
                "bands.range", f"range [{lower}, {upper}] runs backwards", (*bpath, "range")
            )
        for j, bound in enumerate((lower, upper)):
            if bound is not None and not D.is_multiple(bound, step):
                self.report(
                    "bands.step",
                    f"{D.plain(bound)} is not a multiple of the step {D.plain(step)}",
                    (*bpath, "range", j),
                )
        return Band(b["code"], text(b["label"]), lower, upper, self.provenance(b, bpath, up))

    def coverage(
        self, table: tuple[Band, ...], score_range: Range, broken: bool, path: Path
    ) -> None:
        """The lowest and highest bands must reach the scheme's minimum and maximum (unless
        the score's range is unknown: ``broken``)."""
        lo, hi = score_range
        first, last = table[0], table[-1]
        if not broken and first.lower is not None and first.lower > lo:
            self.report(
                "bands.coverage",
                f"scores from {D.plain(lo)} up to {D.plain(first.lower)} fall in no band "
                "(write null as the lowest band's lower bound to let it run down to the minimum)",
                path,
            )
        if not broken and last.upper is not None and last.upper < hi:
            self.report(
                "bands.coverage",
                f"scores above {D.plain(last.upper)} up to the maximum {D.plain(hi)} fall in no band "
                "(write null as the highest band's upper bound to let it run up to the maximum)",
                path,
            )

    def band_pair(self, a: Band, b: Band, step: Decimal, path: Path) -> None:
        if a.upper is None or b.lower is None:
            self.report(
                "bands.overlap",
                f"bands {a.code!r} and {b.code!r} overlap (an open end between them)",
                path,
            )
            return
        distance = D.sub(b.lower, a.upper)
        if distance <= 0:
            self.report(
                "bands.overlap",
                f"bands {a.code!r} (up to {D.plain(a.upper)}) and {b.code!r} (from {D.plain(b.lower)}) overlap",
                path,
            )
        elif distance != step:
            self.report(
                "bands.gap",
                f"gap between {a.code!r} (up to {D.plain(a.upper)}) and {b.code!r} (from {D.plain(b.lower)}): published ranges should meet at step {D.plain(step)}",
                path,
            )


def _sort_key(band: Band) -> tuple[int, Decimal]:
    if band.lower is not None:
        return (1, band.lower)
    return (0, band.upper if band.upper is not None else D.ZERO)
