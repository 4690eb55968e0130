"""Scoring a records file of any length: read in chunks, score and write one row at a time.

A CSV, Parquet or Excel file is read twice as a stream: a first pass checks the whole
file (so a broken file writes nothing), counts its rows, and collects the values of
``unique`` identifiers (the only memory that grows with the file); the second pass scores
each row and writes it out at once, as CSV, JSON, Parquet or Excel. JSON and YAML files
are read whole, then scored the same way. The output is byte for byte what scoring the
whole list at once gives.
"""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

import attrs

from . import decimals as D
from .batch import RowResult, brief, score_records
from .errors import AsnmeritError, InputError
from .evaluate import json_value
from .inputs import Shared, duplicates, requirements
from .model import BandPolicy, Criteria
from .parse import parse_yaml
from .records import CHUNK_ROWS, TABULAR, RecordsError, batched, header, iter_chunks, read_records
from .tables import JsonList, RowWriter, table_writer


class ColumnsError(RecordsError):
    """A column mapping, or the columns of a file, cannot serve a scheme."""


@attrs.frozen
class Counts:
    """Rows read, scored and refused: ``rows == scored + errors``."""

    rows: int
    scored: int
    errors: int


# -- column mappings ---------------------------------------------------------------------------


def read_column_map(path: str | os.PathLike[str]) -> dict[str, str]:
    """A column mapping file (YAML or JSON): ``{header in the file: field name}``."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise ColumnsError(f"{p}: {exc.strerror or exc}") from None
    doc, problems = parse_yaml(raw, str(p))
    if doc is None or problems:
        raise ColumnsError("\n".join(str(x) for x in problems) or f"{p}: not a mapping")
    data = doc.data
    if not isinstance(data, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in data.items()
    ):
        raise ColumnsError(f"{p}: expected a mapping of column headers to field names (text)")
    return {k.strip(): v.strip() for k, v in data.items()}


def check_columns(criteria: Criteria, header: Iterable[str], mapping: Mapping[str, str]) -> None:
    """Refuse a mapping that names a field the scheme does not have or a header the file
    does not have, and a (mapped) header without a column for an input that every subject
    must give (one with no default that is not derived); each error names them all."""
    header = list(header)
    known = {*criteria.fields, *criteria.identifiers}
    problems = []
    unknown = sorted({v for v in mapping.values() if v not in known})
    if unknown:
        problems.append(
            f"not a field of {criteria.id} {criteria.version}: {', '.join(unknown)} "
            f"(fields: {', '.join([*criteria.inputs, *criteria.identifiers])})"
        )
    absent = [h for h in mapping if h not in header]
    if absent:
        problems.append(f"mapped column(s) not in the file: {', '.join(absent)}")
    if problems:
        raise ColumnsError("; ".join(problems))
    given = {criteria.fields[n] for h in header if (n := mapping.get(h, h)) in criteria.fields}
    needed = [
        n
        for n in criteria.inputs
        if n in requirements(criteria).always
        and criteria.inputs[n].default is None
        and criteria.inputs[n].derive is None
        and n not in given
    ]
    if needed:
        raise ColumnsError(
            f"no column for required input(s) {', '.join(needed)} of {criteria.id} "
            f"{criteria.version}; map a header to each"
        )


# -- rows as output ----------------------------------------------------------------------------


def result_row(r: RowResult, lang: str) -> dict[str, Any]:
    """One row of the CSV output: row, identifiers, score, band, components, or the error."""
    row: dict[str, Any] = {"row": r.row, **r.identifiers}
    if r.evaluation is not None:
        ev = r.evaluation
        row.update(
            score=D.plain(ev.score),
            band=ev.band.code,
            band_label=ev.band.label.get(lang),
            eligible=str(ev.eligible).lower(),
        )
        for comp in ev.components.children:
            row[comp.id] = D.plain(comp.points)
        row["warnings"] = "; ".join(sorted({w.code for w in ev.warnings}))
    else:
        row["error"] = brief(r.error)
    return row


def error_issues(error: AsnmeritError | None) -> list[dict[str, str]]:
    """What stopped a row, one ``{field, expected, got}`` per issue."""
    if isinstance(error, InputError):
        return [{"field": i.field, "expected": i.expected, "got": i.got} for i in error.issues]
    return [{"field": "", "expected": "", "got": str(error)}]


def _json_item(r: RowResult) -> dict[str, Any]:
    if r.evaluation is not None:
        return {"row": r.row, "result": r.evaluation.to_dict()}
    return {"row": r.row, **json_value(r.identifiers), "error": error_issues(r.error)}


# -- progress ----------------------------------------------------------------------------------


class Progress:
    """A line on a terminal redrawn at most every ``every`` seconds; nothing until then."""

    def __init__(self, out: IO[str], total: int, every: float = 0.5) -> None:
        self.out, self.total, self.every = out, total, every
        self.last = time.monotonic()
        self.shown = False

    def update(self, rows: int, scored: int, errors: int) -> None:
        """Redraw the line if ``every`` seconds have passed since the last time."""
        now = time.monotonic()
        if now - self.last >= self.every:
            self.last, self.shown = now, True
            self.out.write(f"\rrows: {rows}/{self.total} scored: {scored} errors: {errors}")
            self.out.flush()

    def close(self) -> None:
        """Erase the line (if one was drawn)."""
        if self.shown:
            self.out.write("\r\033[K")
            self.out.flush()


# -- the whole run -----------------------------------------------------------------------------


@attrs.frozen
class _Scan:
    rows: int
    identifiers: list[str]  # those some record gives, in the scheme's order
    shared: Shared


def _passes(
    path: str | os.PathLike[str], columns: Mapping[str, str] | None
) -> Callable[[], Iterator[list[dict[str, Any]]]]:
    """A way to read the records from the start again, in chunks: a CSV, Parquet or Excel
    file streams each time (renamed by ``columns``), another file is read once and kept."""
    if Path(path).suffix.lower() in TABULAR:
        return lambda: iter_chunks(path, columns)
    records = read_records(path)
    return lambda: batched(records, CHUNK_ROWS)


def _scan(criteria: Criteria, records: Iterator[dict[str, Any]]) -> _Scan:
    rows = 0
    seen: set[str] = set()
    names = list(criteria.identifiers)

    def counted() -> Iterator[dict[str, Any]]:
        nonlocal rows
        for record in records:
            rows += 1
            seen.update(n for n in names if n in record)
            yield record

    if any(i.unique for i in criteria.identifiers.values()):
        shared = duplicates(criteria, counted())
    else:
        shared = {}
        for _ in counted():
            pass
    return _Scan(rows, [n for n in names if n in seen], shared)


def evaluate_file(
    criteria: Criteria,
    path: str | os.PathLike[str],
    out: IO[Any],
    *,
    format: str = "csv",
    lang: str = "id",
    errors: IO[Any] | None = None,
    errors_format: str = "csv",
    columns: Mapping[str, str] | None = None,
    band_policy: BandPolicy | None = None,
    progress: IO[str] | None = None,
) -> Counts:
    """Score every record of ``path`` (CSV, Parquet, Excel, JSON or YAML) and write the rows
    to ``out`` as ``format`` (csv, json, parquet or xlsx; a binary file for the last two)
    as they are scored; every issue of a refused row also goes to ``errors`` as
    ``errors_format`` (csv, parquet or xlsx: row, identifiers, field, expected, got).
    ``columns`` renames the headers of a CSV, Parquet or Excel file to fields (checked by
    :func:`check_columns` first). ``progress``: a terminal to draw a progress line on.
    Raises :class:`RecordsError` (before writing anything) for an unreadable file."""
    if columns is not None:  # only for a file with a header row
        header(path, columns)  # no two columns renamed to one field
        check_columns(criteria, header(path), columns)
    chunks = _passes(path, columns)
    scan = _scan(criteria, itertools.chain.from_iterable(chunks()))
    writer: RowWriter | JsonList
    if format == "json":
        writer = JsonList(out)
    else:
        fields = ["score", "band", "band_label", "eligible"]
        parts = [c.id for c in criteria.score.children]
        columns_out = ["row", *scan.identifiers, *fields, *parts, "warnings", "error"]
        writer = table_writer(out, format, columns_out)
    issues = None
    if errors is not None:
        issues = table_writer(
            errors, errors_format, ["row", *scan.identifiers, "field", "expected", "got"]
        )
    bar = Progress(progress, scan.rows) if progress is not None else None
    rows = failed = 0
    records = itertools.chain.from_iterable(chunks())
    for r in score_records(criteria, records, scan.shared, band_policy=band_policy):
        rows += 1
        writer.writerow(_json_item(r) if format == "json" else result_row(r, lang))
        if not r.ok:
            failed += 1
            if issues is not None:
                ids = {"row": r.row, **r.identifiers}
                issues.writerows({**ids, **issue} for issue in error_issues(r.error))
        if bar is not None:
            bar.update(rows, rows - failed, failed)
    writer.close()
    if issues is not None:
        issues.close()
    if bar is not None:
        bar.close()
    return Counts(rows, rows - failed, failed)
