"""Scoring many records: every row gets a result or an error, in input order."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from .errors import AsnmeritError, InputError
from .evaluate import Evaluation, evaluate
from .model import BandPolicy, Criteria


@attrs.frozen
class RowResult:
    """One input row: its 1-based number, its identifiers, and either an evaluation or the
    error that stopped it (usually an :class:`~asnmerit.errors.InputError`)."""

    row: int
    identifiers: Mapping[str, Any]
    evaluation: Evaluation | None = None
    error: AsnmeritError | None = None

    @property
    def ok(self) -> bool:
        return self.evaluation is not None


def evaluate_records(
    criteria: Criteria,
    records: Iterable[Mapping[str, Any]],
    *,
    band_policy: BandPolicy | None = None,
) -> list[RowResult]:
    """Score each record; rows in = rows out, a bad row carries its :class:`InputError`
    (and its identifiers, so a reader can tell whose row failed)."""
    results = []
    for row, record in enumerate(records, start=1):
        ids = (
            {k: v for k, v in record.items() if k in criteria.identifiers}
            if isinstance(record, Mapping)
            else {}
        )
        try:
            ev = evaluate(criteria, record, band_policy=band_policy)
            results.append(RowResult(row, ids, evaluation=ev))
        except InputError as err:
            results.append(RowResult(row, ids, error=err.at_row(row)))
        except AsnmeritError as err:  # never lose a row, whatever stopped it
            results.append(RowResult(row, ids, error=err))
    return results
