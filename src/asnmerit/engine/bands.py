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
from typing import TYPE_CHECKING

from ..model import Criteria

if TYPE_CHECKING:
    from ..results import Evaluation


def band_counts(criteria: Criteria, evaluations: Iterable[Evaluation]) -> dict[str, int]:
    """How many of ``evaluations`` fall in each band: band code -> count, every band of the
    table, lowest first."""
    found = Counter(ev.band.code for ev in evaluations)
    return {b.code: found.get(b.code, 0) for b in criteria.bands.table}
