"""The columnar engine: a scheme compiled into array operations, many rows at a time.

* :mod:`~asnmerit.columnar.plan` -- the plan compiled from the criteria (dictionary-encoded
  exact decimals, every node kind);
* :mod:`~asnmerit.columnar.frame` -- scoring pandas, polars and pyarrow tables with it;
* :mod:`~asnmerit.columnar.identifiers` -- identifier values (NIPs) checked a column at a time.

The same numbers as the scalar engine (:mod:`asnmerit.engine`), property-tested. Needs numpy
(``pip install 'asnmerit[frame]'``); this module itself imports without it, so that
``from asnmerit import *`` does too.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

from .._values import TABLES, is_table
from ..files.profile import ReadingProfile, reading

if TYPE_CHECKING:
    from ..model import BandPolicy, Criteria

INSTALL = "pip install 'asnmerit[frame]'"

__all__ = ["INSTALL", "TABLES", "evaluate_frame", "is_table"]


def evaluate_frame(
    criteria: Criteria,
    table: Any,
    *,
    band_policy: BandPolicy | None = None,
    components: bool | Sequence[str] = False,
    scores: Literal["decimal", "float"] = "decimal",
    keep: Sequence[str] | None = None,
    profile: ReadingProfile | str | os.PathLike[str] | None = None,
    columns: Mapping[str, str | None] | None = None,
    values: Mapping[str, Mapping[str, Any]] | None = None,
    decimal: str | None = None,
    strict_columns: bool | None = None,
    float_scores: bool | None = None,
) -> Any:
    """Score every row of ``table`` (a pandas or polars DataFrame, a pyarrow Table or
    RecordBatch) and return a table of the same kind, row for row in the same order (a
    pandas result keeps the index).

    Its columns are read as a records file's are (one rule): matched to the scheme's
    fields by meaning or by ``columns`` (``{column: field}``, ``None`` to leave one out),
    their cells through ``values`` (``{field: {spelling: value}}``) and ``decimal``; the
    columns that are not fields are not read and are named once in an
    :class:`~asnmerit.errors.UnreadColumnsWarning` (a
    :class:`~asnmerit.errors.ColumnsError` with ``strict_columns``). ``profile``: a
    reading profile (or its file, or the name of a shipped one) holding these options.

    Its columns: those of ``keep`` (default: the scheme's identifiers the table has),
    ``score`` (exact decimals; ``scores="float"`` for binary floats, which pandas rounds,
    averages and plots as numbers), ``band`` (ordered as the scheme's bands, lowest first:
    a pandas ordered ``Categorical``, a polars ``Enum``, an Arrow ordered dictionary),
    ``eligible`` (booleans), one column per score node named in ``components`` (``True``:
    the top-level parts, which :func:`~asnmerit.aggregate` of the table needs; decimals or
    floats as ``score``), and ``error``: why a row was not scored (``field: expected ...,
    got ...``), null for a scored row. (``float_scores=True``: the former spelling of
    ``scores="float"``.) No row is dropped. Works unchanged as a Dask
    ``map_partitions`` or a Spark ``mapInArrow`` function (see the how-to).
    """
    try:
        from .frame import score_frame
    except ModuleNotFoundError as missing:
        if missing.name != "numpy":
            raise
        raise ImportError(f"evaluate_frame needs numpy: {INSTALL}") from None
    return score_frame(
        criteria,
        table,
        band_policy=band_policy,
        components=components,
        scores=_scores(scores, float_scores),
        keep=keep,
        profile=reading(
            profile, columns=columns, values=values, decimal=decimal, strict_columns=strict_columns
        ),
    )


def _scores(scores: str, float_scores: bool | None) -> Literal["decimal", "float"]:
    """The kind of number columns asked for (``float_scores``: its former spelling)."""
    if float_scores is not None:
        warnings.warn('float_scores= is now scores="float"', DeprecationWarning, stacklevel=3)
        if float_scores:
            scores = "float"
    if scores not in ("decimal", "float"):
        raise ValueError(f'scores: "decimal" or "float", got {scores!r}')
    return scores  # type: ignore[return-value]
