"""Reading subject records from CSV, Parquet, Excel (.xlsx), JSON or YAML files: one
reading layer for every verb of the command line and for Python.

A file is opened as a :class:`Table` (CSV, Parquet, Excel: a header row) or read whole
(JSON: a list of objects; YAML: a list of mappings). How it is read is a
:class:`~asnmerit.files.profile.ReadingProfile` (sheet, header row, encoding, separator,
decimal mark, columns, value spellings), each option found when not given (see
:mod:`~asnmerit.files.delimited` and :mod:`~asnmerit.files.sheets`). Given a scheme, the
headers (or keys) are matched to its fields by meaning, and the columns that are not
fields are left out and listed (:mod:`~asnmerit.files.columns`).

Rows are numbered from 1 (the first record after the header). Reading never drops a
record: a row that cannot be read whole is still given, with a note of what is wrong with
it, and the evaluator refuses it.
"""

from __future__ import annotations

import functools
import itertools
import json
import os
import warnings
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs

from ..errors import ColumnsError, RecordsError, UnreadColumnsWarning
from ..model import Criteria
from ..spec.parse import Limits, parse_yaml
from .columns import Layout, header_names, header_score, key_layout, layout
from .delimited import HEAD_ROWS, CsvFormat, csv_format, csv_rows, head_rows
from .profile import ReadingProfile, reading
from .rows import CHUNK_ROWS, Rows, as_record, bad_byte, batched, optional
from .sheets import parquet_headers, parquet_rows, xlsx_head, xlsx_rows
from .spool import Source, source, spools, suffix_of, whole_file

__all__ = [
    "CHUNK_ROWS",
    "TABULAR",
    "Rows",
    "Table",
    "as_record",
    "batched",
    "header",
    "iter_chunks",
    "iter_records",
    "load",
    "open_table",
    "optional",
    "read_records",
    "reading",
]

_RECORD_LIMITS = Limits(
    max_bytes=1 << 30, max_depth=16, max_nodes=200_000_000, bounded_numbers=False
)

TABULAR = {".csv": "CSV", ".parquet": "Parquet", ".xlsx": "Excel"}
"""The extensions of files with a header row."""


def read_records(
    path: str | os.PathLike[str],
    *,
    scheme: Criteria | None = None,
    profile: ReadingProfile | str | os.PathLike[str] | None = None,
    columns: Mapping[str, str | None] | None = None,
    values: Mapping[str, Mapping[str, Any]] | None = None,
    sheet: str | int | None = None,
    header_row: int | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    decimal: str | None = None,
    strict_columns: bool | None = None,
) -> list[dict[str, Any]]:
    """All records of a CSV, Parquet, Excel (.xlsx), JSON (a list of objects) or YAML (a
    list of mappings) file, read as ``profile`` and the options say (see
    :func:`reading`). With a ``scheme``, headers are matched to its fields by meaning and
    the columns that are not its fields are left out, named once in an
    :class:`~asnmerit.errors.UnreadColumnsWarning`; :class:`RecordsError` (or its
    :class:`~asnmerit.errors.ColumnsError`) for a file that cannot be read as asked."""
    if scheme is not None and not isinstance(scheme, Criteria):
        raise TypeError(f"scheme: criteria (asnmerit.get, asnmerit.load), got {scheme!r:.40}")
    how = reading(
        profile,
        columns=columns,
        values=values,
        sheet=sheet,
        header_row=header_row,
        encoding=encoding,
        delimiter=delimiter,
        decimal=decimal,
        strict_columns=strict_columns,
    )
    got = load(path, scheme, how)
    if scheme is not None and got.unread:
        warnings.warn(
            f"not read (not fields of {scheme.id} {scheme.version}): {', '.join(got.unread)}",
            UnreadColumnsWarning,
            stacklevel=2,
        )
    return got.records


@attrs.frozen
class Loaded:
    """The records of a file, the columns that were not read, and how it was read."""

    records: list[dict[str, Any]]
    unread: tuple[str, ...]
    how: str
    """How the file was read, when it is not as most are (else empty)."""


def load(path: str | os.PathLike[str], scheme: Criteria | None, profile: ReadingProfile) -> Loaded:
    """Every record of ``path`` read as ``profile`` says (see :func:`read_records`), with
    the columns left unread and a line saying how the file was read."""
    p = Path(path)
    with spools():
        if suffix_of(p) in TABULAR:
            table = open_table(p, scheme, profile)
            records = [r for chunk in table.chunks() for r in chunk.records()]
            return Loaded(records, table.layout.unread, "" if table.usual else table.describe())
        records, found = whole(p, scheme, profile)
    return Loaded(records, found.unread if found else (), "")


def iter_records(
    path: str | os.PathLike[str],
    scheme: Criteria | None = None,
    profile: ReadingProfile | None = None,
) -> Iterator[dict[str, Any]]:
    """The records of a file one at a time: those of :func:`iter_chunks`."""
    return itertools.chain.from_iterable(iter_chunks(path, scheme, profile))


def iter_chunks(
    path: str | os.PathLike[str],
    scheme: Criteria | None = None,
    profile: ReadingProfile | None = None,
    size: int = CHUNK_ROWS,
) -> Iterator[list[dict[str, Any]]]:
    """The records of a file in lists of at most ``size``. A CSV, Parquet or Excel file is
    read as a stream (memory does not grow with its length); JSON and YAML files are read
    whole. The checks are those of :func:`read_records`: the file is opened (its format,
    header and columns checked) at once, and a problem found later while reading raises
    :class:`RecordsError` when the chunk it is in is reached."""
    p = Path(path)
    with spools():
        if suffix_of(p) in TABULAR:
            table = open_table(p, scheme, profile)
            return (chunk.records() for chunk in table.chunks(size))
        return batched(whole(p, scheme, profile or ReadingProfile())[0], size)


@attrs.frozen
class Table:
    """A CSV, Parquet or Excel file opened for reading: how it is written, where its
    header is, and what each column holds."""

    path: Path
    kind: str
    layout: Layout
    header_row: int
    """The line (CSV) or row (Excel) of the header, from 1 (0: none, or Parquet)."""
    csv: CsvFormat | None = None
    sheet: str | None = None
    first_sheet: bool = True
    """Whether the sheet read is the workbook's first (for a table of another kind: true)."""
    src: Source | None = attrs.field(default=None, eq=False, repr=False)
    """What is read: the file, or the spool of a pipe (``None``: ``path``)."""

    @property
    def usual(self) -> bool:
        """Whether the file is read as most are: a comma-separated UTF-8 CSV file, or the
        first sheet of a workbook, with the header in the first line or row; Parquet."""
        plain_csv = self.csv is None or self.csv == CsvFormat("utf-8-sig", ",")
        return plain_csv and self.header_row <= 1 and self.first_sheet

    def describe(self) -> str:
        """How the file is read, in a line: ``CSV, ';'-separated, utf-8-sig, header at
        line 3``."""
        parts = [self.kind]
        if self.csv is not None:
            parts.append(self.csv.describe())
        if self.sheet is not None:
            parts.append(f"sheet {self.sheet!r}")
        if self.header_row:
            parts.append(f"header at {'line' if self.csv else 'row'} {self.header_row}")
        return ", ".join(parts)

    def chunks(self, size: int = CHUNK_ROWS) -> Iterator[Rows]:
        """The rows after the header in chunks of at most ``size``, read as a stream."""
        lay = self.layout
        names, casts = lay.names, lay.casts if any(lay.casts) else None
        if not self.header_row and self.kind != "Parquet":
            return  # a file without a header holds no records
        if self.csv is not None:
            src, read = self.src or self.path, [n is not None for n in names]
            for rows, share in csv_rows(src, self.csv, self.header_row, size, read):
                yield Rows(names, rows, typed=False, read=share, casts=casts)
        elif self.sheet is not None:
            for chunk in xlsx_rows(self.path, self.sheet, self.header_row, names, size):
                yield Rows(names, chunk, typed=True, casts=casts)
        else:
            for chunk, share in parquet_rows(self.path, size):
                yield Rows(names, chunk, typed=True, read=share, casts=casts)


def open_table(
    path: str | os.PathLike[str],
    scheme: Criteria | None = None,
    profile: ReadingProfile | None = None,
) -> Table:
    """A CSV, Parquet or Excel file opened as ``profile`` says (sheet, header row,
    encoding, separator found where not given), its columns matched to ``scheme``'s fields
    (see :func:`~asnmerit.files.columns.layout`)."""
    p = Path(path)
    try:
        with spools():
            return _open(p, scheme, profile or ReadingProfile())
    except ColumnsError as exc:
        text = str(exc)
        where = text if text.startswith(f"{p}: ") else f"{p}: {text}"
        raise ColumnsError(where, code=exc.code) from None


def _open(p: Path, scheme: Criteria | None, profile: ReadingProfile) -> Table:
    kind = TABULAR.get(suffix_of(p))
    if kind is None:
        raise RecordsError(
            f"{p}: not a table file (.csv, .parquet or .xlsx)", code="records.format"
        )
    src = source(p)
    if kind == "Parquet":
        if _named(profile, "sheet", "header_row", "encoding", "delimiter"):
            raise ColumnsError(
                f"{p}: a Parquet file has no sheets, header row, text encoding or separator to name"
            )
        file = whole_file(src)
        headers = header_names(parquet_headers(file))
        return Table(file, kind, layout(headers, scheme, profile), 0, src=src)
    if kind == "CSV":
        if profile.sheet is not None:
            raise ColumnsError(f"{p}: a CSV file has no sheets")
        names = (
            functools.partial(header_score, criteria=scheme, profile=profile) if scheme else None
        )
        fmt = csv_format(src, profile.encoding, profile.delimiter, names)
        if fmt.delimiter == "," and profile.decimal == ",":
            raise ColumnsError(
                f"{p}: a decimal comma in a comma-separated file cannot be told from a separator "
                "(Excel writes ';' where the decimal mark is a comma)"
            )
        first = head_rows(src, fmt, profile.header_row)
        found = _header(p, first, profile, scheme, "line")
        number, cells = found or (0, [])
        _no_break_above(p, first, number, fmt.delimiter)
        lay = layout(header_names(cells), scheme, profile)
        return Table(p, kind, lay, number, csv=fmt, src=src)
    if profile.encoding is not None or profile.delimiter is not None:
        raise ColumnsError(f"{p}: an Excel file has no text encoding or separator to name")
    file = whole_file(src)
    head = xlsx_head(file, profile.sheet)
    found = _header(p, head.rows, profile, scheme, "row")
    if found is None:
        raise RecordsError(
            f"{p}: the sheet {head.title!r} is empty (expected a header row)", code="records.empty"
        )
    number, cells = found
    lay = layout(header_names(cells), scheme, profile)
    return Table(file, kind, lay, number, sheet=head.title, first_sheet=head.first, src=src)


def _named(profile: ReadingProfile, *options: str) -> bool:
    """Whether ``profile`` names any of ``options``."""
    return any(getattr(profile, o) is not None for o in options)


def _no_break_above(
    p: Path, rows: Sequence[tuple[int, Sequence[str]]], header: int, delimiter: str
) -> None:
    """Refuse a CSV header, or a row above it, with a quoted cell that spans lines and holds
    the separator, or makes the header wider than the row under it: a stray quote, which
    would take the first records for headers (a header wrapped over two lines is a
    header)."""
    after = next((len(cells) for start, cells in rows if start > header), None)
    for start, cells in rows:
        if start > header:
            return
        # a header wider than the row under it has taken a record's cells for headers
        wider = start == header and after is not None and len(cells) > after
        for at, cell in enumerate(cells, start=1):
            if ("\n" in cell or "\r" in cell) and (delimiter in cell or wider):
                raise RecordsError(
                    f"{p}: line {start}: a quoted cell (column {at}) of "
                    f"{'the header' if start == header else 'a row above the header'} spans "
                    f"lines and {'makes it wider than the rows under it' if wider else 'holds the separator'}"
                    ": a stray quote? Quote the whole cell, or remove the quote",
                    code="records.csv-quote",
                )


def _header(
    p: Path,
    rows: Sequence[tuple[int, Sequence[Any]]],
    profile: ReadingProfile,
    scheme: Criteria | None,
    unit: str,
) -> tuple[int, Sequence[Any]] | None:
    """The header among the first rows that are not blank: the one named; else, with a
    scheme, the first that names two or more of its fields (one, for a scheme of one
    field); else the first."""
    named = profile.header_row
    if named is not None:
        found = next(((n, cells) for n, cells in rows if n == named), None)
        if found is None:
            starts = ", ".join(str(n) for n, _ in rows[:10]) or "none"
            raise ColumnsError(
                f"{p}: {unit} {named} is not a header row: it is blank, inside another row, "
                f"or past the first {len(rows)} rows (the first rows start at {unit}s {starts})"
            )
        return found
    if scheme is not None and rows:
        enough = min(2, len(scheme.inputs) + len(scheme.identifiers))
        scores = [header_score(cells, scheme, profile) for _, cells in rows]
        for (n, cells), score in zip(rows, scores, strict=True):
            if score >= enough:
                return n, cells
        if not any(scores) and len(rows) == HEAD_ROWS:  # a header further down, unseen
            raise ColumnsError(
                f"{p}: none of the first {HEAD_ROWS} rows names a field of {scheme.id} "
                f"{scheme.version}: name the header's {unit} (--header-row)"
            )
    return rows[0] if rows else None


def header(
    path: str | os.PathLike[str],
    scheme: Criteria | None = None,
    profile: ReadingProfile | None = None,
) -> list[str | None]:
    """What each column of a CSV, Parquet or Excel file gives, as its records use it (see
    :func:`open_table`; ``None``: a column that is not read)."""
    return list(open_table(path, scheme, profile).layout.names)


# -- JSON and YAML -----------------------------------------------------------------------------


def whole(
    p: Path, scheme: Criteria | None, profile: ReadingProfile
) -> tuple[list[dict[str, Any]], Layout | None]:
    """The records of a JSON or YAML file, their keys matched as a table's headers are
    (when there is a scheme or a profile's columns or values to apply)."""
    if _named(profile, "sheet", "header_row", "encoding", "delimiter"):
        raise ColumnsError(
            f"{p}: a JSON or YAML file has no sheets, header row, text encoding (UTF-8) or "
            "separator to name"
        )
    with spools():
        records = _read_whole(p)
    if scheme is None and not profile.columns and not profile.values:
        return records, None
    try:
        keys = key_layout(records, scheme, profile)
    except ColumnsError as exc:
        raise ColumnsError(f"{p}: {exc}", code=exc.code) from None
    return [keys.rename(r) for r in records], keys


MAX_WHOLE = 512 << 20
"""The largest JSON or YAML records file (read whole, unlike a table): 512 MiB."""


def _read_whole(p: Path) -> list[dict[str, Any]]:
    suffix = suffix_of(p)
    if suffix not in (".json", ".yaml", ".yml"):
        hint = " (save it as .xlsx)" if suffix in (".xls", ".xlsm", ".ods") else ""
        raise RecordsError(
            f"{p}: unknown record format {suffix or '(none)'}{hint}; "
            "use .csv, .parquet, .xlsx, .json or .yaml",
            code="records.format",
        )
    file = whole_file(source(p), MAX_WHOLE)
    size = file.stat().st_size
    if size > MAX_WHOLE:
        raise RecordsError(_too_large(p, f"is {size:,} bytes"), code="records.too-large")
    try:
        raw = file.read_bytes()
        return _parse_whole(p, raw)
    except MemoryError:
        raise RecordsError(
            _too_large(p, "does not fit in memory"), code="records.too-large"
        ) from None
    except OSError as exc:
        raise RecordsError(f"{p}: {exc.strerror or exc}", code="records.missing") from None


def _too_large(p: Path, why: str) -> str:
    return (
        f"{p} {why}: a JSON or YAML file is read whole, up to {MAX_WHOLE:,} bytes; "
        "save more records as CSV or Parquet (read as a stream)"
    )


def _parse_whole(p: Path, raw: bytes) -> list[dict[str, Any]]:
    if suffix_of(p) == ".json":
        try:
            data = json.loads(
                raw.decode("utf-8-sig"), parse_float=Decimal, object_pairs_hook=_no_duplicates
            )
        except UnicodeDecodeError as exc:
            raise RecordsError(f"{p}: {not_utf8(raw, exc)}", code="records.encoding") from None
        except RecursionError:
            raise RecordsError(
                f"{p}: JSON nested too deeply to be a list of records", code="records.json"
            ) from None
        except ValueError as exc:  # JSONDecodeError, or an integer of thousands of digits
            raise RecordsError(f"{p}: not valid JSON: {exc}", code="records.json") from None
        return _as_records(data, str(p))
    doc, problems = parse_yaml(raw, str(p), _RECORD_LIMITS)
    if doc is None or problems:
        raise RecordsError("\n".join(str(x) for x in problems), code="records.yaml")
    limit = max(64 << 20, 16 * len(raw))
    if _expanded(doc.data, limit) > limit:
        raise RecordsError(
            f"{p}: its aliases expand the records past {limit:,} bytes (an alias bomb?); "
            "write each value out",
            code="records.bomb",
        )
    return _as_records(doc.data, str(p))


def _expanded(data: Any, limit: int) -> int:
    """About how many bytes ``data`` takes written out, each alias as often as it is used
    (counting stops past ``limit``)."""
    total, stack = 0, [data]
    while stack and total <= limit:
        item = stack.pop()
        if isinstance(item, str):
            total += len(item)
        elif isinstance(item, Mapping):
            total += 2 * len(item)
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            total += len(item)
            stack.extend(item)
        else:
            total += 8
    return total


def _as_records(data: Any, source: str) -> list[dict[str, Any]]:
    if not isinstance(data, list):
        raise RecordsError(
            f"{source}: expected a list of records, got {type(data).__name__}",
            code="records.not-a-list",
        )
    bad = [i + 1 for i, r in enumerate(data) if not isinstance(r, Mapping)]
    if bad:
        raise RecordsError(
            f"{source}: row(s) {', '.join(map(str, bad[:10]))} are not records (mappings)",
            code="records.not-a-list",
        )
    return [dict(r) for r in data]


def not_utf8(raw: bytes, exc: UnicodeDecodeError, first_line: int = 1) -> str:
    """Where the first byte that is not UTF-8 is (see :func:`~asnmerit.files.rows.bad_byte`),
    and what to do."""
    return f"{bad_byte(raw, exc, first_line=first_line)} (save the file as UTF-8)"


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    record = dict(pairs)
    if len(record) != len(pairs):
        seen: set[str] = set()
        twice = next(k for k, _ in pairs if k in seen or seen.add(k))  # type: ignore[func-returns-value]
        raise ValueError(f"duplicate key {twice!r} in an object")
    return record
