"""Range arithmetic: the lowest and highest score a node can give, from its content, its
cap and its rounding; the exact trimmed mean."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from fractions import Fraction

from .. import _decimal as D
from ..model import Rounding

Range = tuple[Decimal, Decimal]
"""The lowest and the highest score a node can give."""


def span(values: Iterable[Decimal]) -> Range:
    """The lowest and highest of ``values`` (not empty)."""
    items = list(values)
    return min(items), max(items)


def hull(ranges: Sequence[Range]) -> Range:
    """The smallest range holding every one of ``ranges`` (one of which a node gives)."""
    return min(r[0] for r in ranges), max(r[1] for r in ranges)


def total(ranges: Sequence[Range]) -> Range:
    """The range of a sum of ``ranges``."""
    return D.total(r[0] for r in ranges), D.total(r[1] for r in ranges)


def scaled(lo: Decimal, hi: Decimal, factor: Decimal) -> Range:
    """The range of a value in ``[lo, hi]`` times ``factor`` (which may be negative)."""
    ends = sorted([D.mul(lo, factor), D.mul(hi, factor)])
    return ends[0], ends[1]


def weighted(parts: Sequence[tuple[Decimal, Range]], normalize: bool, scale: Decimal) -> Range:
    """The range of a weighted sum of ``(weight, range)`` parts, each normalized by its
    maximum when ``normalize``, times ``scale``."""
    ends = sorted(
        D.weighted_sum(
            [(w, rng[end], rng[1] if normalize else None) for w, rng in parts],
            scale,
        )
        for end in (0, 1)
    )
    return ends[0], ends[1]


def trimmed(ranges: Sequence[Range], high: int, low: int) -> Range:
    """The range of a mean of ``ranges`` without the ``high`` highest and ``low`` lowest."""
    ends = [trimmed_mean([r[end] for r in ranges], high, low) for end in (0, 1)]
    return ends[0], ends[1]


def rounded(rng: Range, rounding: Rounding) -> Range:
    """``rng`` with both ends rounded as ``rounding`` says."""
    lo, hi = (D.round_places(v, rounding.places, rounding.mode) for v in rng)
    return lo, hi


def finished(rng: Range, cap: Decimal | None, rounding: Rounding | None) -> Range:
    """A node's range once its cap and its rounding (or none: tidied) are applied."""
    lo, hi = rng
    if cap is not None:
        lo, hi = min(lo, cap), min(hi, cap)
    if rounding is not None:
        return rounded((lo, hi), rounding)
    return D.tidy(lo), D.tidy(hi)  # 22.5 + 17.5 is shown as 40, not 40.0


def trimmed_mean(values: list[Decimal], high: int, low: int) -> Decimal:
    """The mean of ``values`` without the ``high`` highest and ``low`` lowest, exactly (as
    far as a decimal can hold it: the node's rounding is applied after)."""
    kept = sorted(values)[low : len(values) - high]
    return D.from_fraction(Fraction(D.total(kept)) / len(kept))
