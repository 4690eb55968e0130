"""Classifying a score into a band under an explicit boundary policy.

Published band tables give closed integer ranges (61-70, 71-80) while scores can fall
between them (70.5). The policy decides, and is declared in the criteria file:

``lower_bounds``
    half-open intervals on the published lower bounds: ``[lower, next lower)``; the
    top band runs up to the scheme's maximum.
``upper_bounds``
    half-open intervals on the published upper bounds: ``(previous upper, upper]``; the
    bottom band runs down to the scheme's minimum.
``round_then_classify``
    round the score to the table's ``step`` (``rounding_mode``), then take the band
    whose closed published range holds it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING

from . import decimals as D
from .errors import AsnmeritError
from .inputs import BadValue, to_decimal
from .model import BAND_POLICIES, Band, BandPolicy, Criteria

if TYPE_CHECKING:
    from .evaluate import Evaluation


class ScoreOutOfRangeError(AsnmeritError, ValueError):
    """A score outside the scheme's possible range has no band."""


def band_counts(criteria: Criteria, evaluations: Iterable[Evaluation]) -> dict[str, int]:
    """How many of ``evaluations`` fall in each band: band code -> count, every band of the
    table, lowest first."""
    found = Counter(ev.band.code for ev in evaluations)
    return {b.code: found.get(b.code, 0) for b in criteria.bands.table}


def classify(
    criteria: Criteria, score: Decimal | int | str, policy: BandPolicy | None = None
) -> Band:
    """The band of ``score``; ``policy`` overrides the criteria file's own."""
    try:
        value = to_decimal(score, limit=False)
    except BadValue as bad:
        raise ScoreOutOfRangeError(f"score must be {bad.expected}, got {score!r}") from None
    if not criteria.score_min <= value <= criteria.score_max:
        raise ScoreOutOfRangeError(
            f"score {D.short(value)} is outside {criteria.id} {criteria.version}'s range "
            f"{D.plain(criteria.score_min)}..{D.plain(criteria.score_max)}"
        )
    bands = criteria.bands
    policy = policy or bands.policy
    table = bands.table
    if policy == "lower_bounds":
        for band in reversed(table):
            if band.lower is None or band.lower <= value:
                return band
    elif policy == "upper_bounds":
        for band in table:
            if band.upper is None or value <= band.upper:
                return band
    elif policy == "round_then_classify":
        rounded = D.round_to_step(value, bands.step, bands.rounding_mode)
        for band in table:
            if (band.lower is None or band.lower <= rounded) and (
                band.upper is None or rounded <= band.upper
            ):
                return band
    else:
        raise ValueError(
            f"unknown band policy {policy!r}; expected one of {', '.join(BAND_POLICIES)}"
        )
    # Unreachable for checked criteria: the loader proves the table covers the range.
    raise ScoreOutOfRangeError(
        f"no band of {criteria.id} {criteria.version} holds {D.short(value)}"
    )
