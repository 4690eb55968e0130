"""Scoring many records: every row gets a result or an error, in input order.

Rows that share the value of a ``unique`` identifier (two rows with one NIP) all get an
error: which of them is right cannot be told, so none is scored."""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from typing import Any

import attrs

from .. import _decimal as D
from .._values import describe, identifier_value, is_table, writable
from ..errors import (
    AsnmeritError,
    BadValue,
    ColumnsError,
    InputError,
    InputIssue,
    UnreadColumnsWarning,
)
from ..model import BandPolicy, Criteria, Identifier
from ..results import Evaluation, Result, RowResult
from .evaluator import evaluate
from .intake import RESERVED, Shared, duplicates


@D.own_context
def evaluate_records(
    criteria: Criteria,
    records: Iterable[Mapping[str, Any]],
    *,
    band_policy: BandPolicy | None = None,
    strict_columns: bool = False,
) -> list[RowResult]:
    """Score each record; rows in = rows out, in order. A bad row carries its
    :class:`InputError` (and its identifiers, normalised where their format accepts them,
    so a reader can tell whose row failed). Every row that shares the value of a
    ``unique`` identifier with another row is bad too: it is not scored.

    A field that is neither an input nor an identifier of the scheme (a column such as
    ``No`` or ``Golongan``) is not read and never refuses a row: the fields left unread are
    named once, in an :class:`~asnmerit.errors.UnreadColumnsWarning`; with
    ``strict_columns`` they are a :class:`~asnmerit.errors.ColumnsError` before any row is
    scored. (:func:`~asnmerit.evaluate` of one record refuses them: it has no table to
    speak of.)"""
    if not isinstance(strict_columns, bool):
        raise TypeError(f"strict_columns: true or false, got {strict_columns!r:.40}")
    if isinstance(records, Mapping | str | bytes) or not isinstance(records, Iterable):
        raise TypeError(f"records: an iterable of records (mappings), got {type(records).__name__}")
    if strict_columns or any(i.unique for i in criteria.identifiers.values()):
        records = list(records)
    if strict_columns:
        strange = unread_fields(criteria, records)
        if strange:
            raise ColumnsError(
                f"field(s) that are not fields of {criteria.id} {criteria.version}: "
                f"{', '.join(strange)} (strict columns)"
            )
    shared = duplicates(criteria, records) if isinstance(records, list) else {}
    unread: dict[str, None] = {}
    results = list(score_records(criteria, records, shared, band_policy=band_policy, unread=unread))
    if unread:
        warn_unread(criteria, unread)
    return results


def unread_fields(criteria: Criteria, records: Iterable[Any]) -> list[str]:
    """The fields of ``records`` that are neither inputs nor identifiers of the scheme, in
    the order first met."""
    known = _known(criteria)
    found: dict[str, None] = {}
    for record in records:
        if isinstance(record, Mapping) and not known.issuperset(record):
            found.update((str(k), None) for k in record if k not in known)
    return list(found)


def warn_unread(criteria: Criteria, unread: Iterable[str], stacklevel: int = 3) -> None:
    """Name the columns that were not read, once."""
    warnings.warn(
        f"not read (not fields of {criteria.id} {criteria.version}): {', '.join(unread)}",
        UnreadColumnsWarning,
        stacklevel=stacklevel,
    )


def _known(criteria: Criteria) -> frozenset[str]:
    return frozenset({*criteria.fields, *criteria.identifiers, *RESERVED})


def score_records(
    criteria: Criteria,
    records: Iterable[Mapping[str, Any]],
    shared: Shared,
    *,
    band_policy: BandPolicy | None = None,
    reuse: int = 4096,
    unread: dict[str, None] | None = None,
) -> Iterator[RowResult]:
    """Score each record as it comes (rows numbered from 1), refusing the rows of
    ``shared`` (from :func:`~asnmerit.engine.intake.duplicates` over the same records): a
    stream of the rows :func:`evaluate_records` gives. A record whose input cells are those
    of a recent one (of the last ``reuse`` distinct ones) takes its result, with its own row
    and identifiers: a population of a few thousand distinct profiles is scored that often.
    Fields that are not the scheme's are not read; ``unread`` gathers their names."""
    seen: dict[tuple[Any, ...], Evaluation | AsnmeritError] = {}
    known = _known(criteria)
    for row, record in enumerate(records, start=1):
        if isinstance(record, Mapping) and not known.issuperset(record):
            if unread is not None:
                unread.update((writable(str(k)), None) for k in record if k not in known)
            record = {k: v for k, v in record.items() if k in known}
        clash = clash_issues(record, shared.get(row - 1, []), row - 1)
        profile = None if clash or not reuse else _profile(criteria, record)
        key, ids = profile if profile is not None else (None, {})
        hit = seen.get(key) if key is not None else None
        if hit is None:
            result = score_row(criteria, row, record, clash, band_policy=band_policy)
            if key is not None:
                if len(seen) >= reuse:
                    seen.clear()
                seen[key] = result.evaluation or result.error  # type: ignore[assignment]
            yield result
            continue
        if isinstance(hit, Evaluation):
            yield RowResult(row, ids, evaluation=attrs.evolve(hit, identifiers=ids))
        else:
            yield RowResult(row, ids, error=hit.at_row(row) if isinstance(hit, InputError) else hit)


def _profile(criteria: Criteria, record: Any) -> tuple[tuple[Any, ...], dict[str, Any]] | None:
    """What a record's result depends on when its identifiers are all accepted (its other
    cells, by field, type and value), and its identifiers (``None``: do not reuse)."""
    if not isinstance(record, Mapping):
        return None
    key: list[Any] = []
    ids: dict[str, Any] = {}
    for field, value in record.items():
        ident = criteria.identifiers.get(field)
        if ident is None:
            key.append((field, cell_key(value)))
            continue
        try:
            ids[field] = identifier_value(ident, value)
        except BadValue:
            return None  # its issue is part of the row's error
    profile = tuple(key)
    try:
        hash(profile)
    except TypeError:  # an unhashable cell (a list): score the row itself
        return None
    return profile, ids


def cell_key(value: Any) -> tuple[type, Any]:
    """What a cell is told apart by when results are reused: its type and value (a
    decimal or float by its text: ``1.0`` is not ``1``, nor ``-0.0`` ``0.0``)."""
    return type(value), str(value) if isinstance(value, Decimal | float) else value


def score_row(
    criteria: Criteria,
    row: int,
    record: Any,
    clash: list[InputIssue],
    *,
    band_policy: BandPolicy | None = None,
) -> RowResult:
    """Score the record of row ``row`` (1-based), refused with the ``clash`` issues (its
    shared identifier values) if there are any, as a batch scores each row."""
    ids = _identifiers(criteria, record)
    try:
        ev = evaluate(criteria, record, band_policy=band_policy)
    except InputError as err:
        return RowResult(row, ids, error=InputError([*clash, *err.issues]).at_row(row))
    except AsnmeritError as err:  # never lose a row, whatever stopped it
        return RowResult(row, ids, error=InputError(clash).at_row(row) if clash else err)
    if clash:
        return RowResult(row, ids, error=InputError(clash).at_row(row))
    return RowResult(row, ids, evaluation=ev)


def clash_issues(record: Any, found: list[tuple[str, list[int]]], own: int) -> list[InputIssue]:
    """The issues of the record at ``own`` (0-based) whose identifier values other rows hold
    too (``found``: its entry of :data:`~asnmerit.engine.intake.Shared`)."""
    return [
        InputIssue(field, "a value used by one record only", _also(record[field], rows, own))
        for field, rows in found
    ]


def _identifiers(criteria: Criteria, record: Any) -> dict[str, Any]:
    """The identifiers of a record, normalised where their format accepts them."""
    if not isinstance(record, Mapping):
        return {}
    out = {}
    for field, value in record.items():
        ident = criteria.identifiers.get(field)
        if ident is not None:
            out[field] = identifier_shown(ident, value)
    return out


def identifier_shown(ident: Identifier, value: Any) -> Any:
    """An identifier's value as a row's result holds it: normalised where its format
    accepts it, else as found (made writable)."""
    try:
        return identifier_value(ident, value)
    except BadValue:
        return writable(value)


_SHOWN = 10
"""The other rows that share a value an issue names (then how many more)."""


def _also(value: Any, rows: list[int], own: int) -> str:
    """``text '...' (also in rows 3, 7)``: a shared value and the rows (0-based in) that
    hold it besides ``own``, the first :data:`_SHOWN` of them, then how many more."""
    others = list(itertools.islice((p for p in rows if p != own), _SHOWN))
    more = len(rows) - 1 - len(others)
    shown = ", ".join(str(i + 1) for i in others) + (f" and {more:,} more" if more else "")
    return f"{describe(value)} (also in row{'s' if len(rows) > 2 else ''} {shown})"


def unpack(
    results: Iterable[Result], criteria: Criteria | None, verb: str
) -> tuple[list[tuple[Result, Evaluation | None]], Criteria]:
    """Each result with its evaluation (``None`` for a row that failed), and the one
    scheme version they all come from (``criteria`` when nothing was scored)."""
    if is_table(results):
        raise TypeError(
            f"{verb} takes evaluations or row results (score the records with "
            "evaluate_records); the table evaluate_frame returns goes to aggregate, rank, "
            "select and the plots"
        )
    pairs: list[tuple[Result, Evaluation | None]] = []
    for item in results:
        if isinstance(item, Evaluation):
            pairs.append((item, item))
        elif isinstance(item, RowResult):
            pairs.append((item, item.evaluation))
        else:
            raise TypeError(f"{verb} takes evaluations or row results, got {type(item).__name__}")
    scheme = criteria or next((ev.criteria for _, ev in pairs if ev is not None), None)
    if scheme is None:
        raise AsnmeritError(f"nothing was scored: pass criteria= to {verb} failed rows")
    for _, ev in pairs:
        if ev is not None and ev.digest != scheme.digest:
            raise AsnmeritError(
                f"cannot {verb} results of {ev.scheme} {ev.version} ({ev.digest}) with "
                f"{scheme.id} {scheme.version} ({scheme.digest}): they are not on one scale"
            )
    return pairs, scheme


def brief(error: AsnmeritError | None) -> str:
    """What stopped a row, in one line (input issues without their row number)."""
    return error.brief() if isinstance(error, InputError) else str(error)


def fields_of(item: Result, ev: Evaluation | None) -> dict[str, Any]:
    """The inputs (given or derived) and identifiers of a result, as one mapping."""
    if ev is not None:
        return {**ev.inputs, **ev.identifiers}
    assert isinstance(item, RowResult)
    return dict(item.identifiers)


def check_fields(criteria: Criteria, fields: Iterable[str], what: str) -> None:
    """Raise when a field to group by is neither an input nor an identifier."""
    known = {*criteria.identifiers, *criteria.inputs}
    unknown = [f for f in fields if f not in known]
    if unknown:
        raise AsnmeritError(
            f"cannot {what} by {', '.join(unknown)}: not a field of {criteria.id} "
            f"{criteria.version} ({', '.join(sorted(known))})"
        )
