"""Reading subject records from CSV, Parquet, Excel (.xlsx), JSON or YAML files, and
their headers and chunks.

Rows are numbered from 1 (the first record; in a CSV, the line after the header).
Reading never drops a record: a malformed one is still yielded, and the evaluator
reports what is wrong with it. The tabular files (CSV, Parquet, Excel) are read as
streams of chunks, their headers renamed by an optional column mapping; Parquet and
Excel need the optional ``pyarrow`` and ``openpyxl`` (imported only when such a file is
read).
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import importlib
import itertools
import json
import os
import stat
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import attrs

from ..errors import RecordsError
from ..spec.parse import Limits, parse_yaml

_RECORD_LIMITS = Limits(
    max_bytes=1 << 30, max_depth=16, max_nodes=200_000_000, bounded_numbers=False
)


CHUNK_ROWS = 8192
"""Records per chunk when a file is read as a stream."""

TABULAR = {".csv": "CSV", ".parquet": "Parquet", ".xlsx": "Excel"}
"""The extensions of files with a header row (which a column mapping can rename)."""

_EXTRAS = {"pyarrow": "parquet", "openpyxl": "excel"}


def read_records(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """All records of a CSV, Parquet, Excel (.xlsx), JSON (a list of objects) or YAML (a
    list of mappings) file."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix in TABULAR:
        return list(iter_records(p))
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise RecordsError(f"{p}: {exc.strerror or exc}") from None
    if suffix == ".json":
        try:
            data = json.loads(
                raw.decode("utf-8-sig"), parse_float=Decimal, object_pairs_hook=_no_duplicates
            )
        except UnicodeDecodeError as exc:
            raise RecordsError(f"{p}: {not_utf8(raw, exc)}") from None
        except RecursionError:
            raise RecordsError(f"{p}: JSON nested too deeply to be a list of records") from None
        except ValueError as exc:  # JSONDecodeError, or an integer of thousands of digits
            raise RecordsError(f"{p}: not valid JSON: {exc}") from None
        return _as_records(data, str(p))
    if suffix in (".yaml", ".yml"):
        doc, problems = parse_yaml(raw, str(p), _RECORD_LIMITS)
        if doc is None or problems:
            raise RecordsError("\n".join(str(x) for x in problems))
        return _as_records(doc.data, str(p))
    hint = " (save it as .xlsx)" if suffix in (".xls", ".xlsm", ".ods") else ""
    raise RecordsError(
        f"{p}: unknown record format {suffix or '(none)'}{hint}; "
        "use .csv, .parquet, .xlsx, .json or .yaml"
    )


def iter_records(
    path: str | os.PathLike[str], columns: Mapping[str, str] | None = None
) -> Iterator[dict[str, Any]]:
    """The records of a file one at a time: those of :func:`iter_chunks`."""
    return itertools.chain.from_iterable(iter_chunks(path, columns))


def iter_chunks(
    path: str | os.PathLike[str],
    columns: Mapping[str, str] | None = None,
    size: int = CHUNK_ROWS,
) -> Iterator[list[dict[str, Any]]]:
    """The records of a file in lists of at most ``size``. A CSV, Parquet or Excel file is
    read as a stream (memory does not grow with its length), its header renamed by
    ``columns`` (``{header: field}``); JSON and YAML files are read whole. The checks are
    those of :func:`read_records`; a problem found while reading raises
    :class:`RecordsError` when the chunk it is in is reached."""
    p = Path(path)
    if p.suffix.lower() in TABULAR:
        yield from (chunk.records() for chunk in iter_rows(p, columns, size))
        return
    if columns:
        raise RecordsError(f"{p}: {_MAPPING_ONLY}")
    yield from batched(read_records(p), size)


_MAPPING_ONLY = "a column mapping applies to files with a header row (.csv, .parquet, .xlsx) only"


@attrs.frozen
class Rows:
    """A chunk of the rows of a CSV, Parquet or Excel file, as cells under ``names``. A
    CSV row may have fewer or more cells than there are names; the cells of a CSV file
    are texts (``typed`` is false), those of the others any value a reader gives."""

    names: list[str]
    rows: list[Sequence[Any]]
    typed: bool
    read: float | None = None
    """The share of the file read once these rows were (``None``: not known)."""

    def records(self) -> list[dict[str, Any]]:
        """The rows as records (see :func:`read_records`)."""
        return [as_record(self.names, row) for row in self.rows]


def iter_rows(
    path: str | os.PathLike[str],
    columns: Mapping[str, str] | None = None,
    size: int = CHUNK_ROWS,
) -> Iterator[Rows]:
    """The rows of a CSV, Parquet or Excel file in chunks of at most ``size``, read as a
    stream, under its header renamed by ``columns``; blank lines (empty rows of a
    sheet) are not rows. Raises :class:`RecordsError` as :func:`iter_chunks` does."""
    p = Path(path)
    kind = TABULAR.get(p.suffix.lower())
    if kind == "Parquet":
        yield from _parquet_chunks(p, columns or {}, size)
    elif kind == "CSV":
        yield from _csv_chunks(p, columns or {}, size)
    elif kind == "Excel":
        yield from _xlsx_chunks(p, columns or {}, size)
    else:
        raise RecordsError(f"{p}: not a table file (.csv, .parquet or .xlsx)")


def batched(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """``items`` in lists of ``size`` (the last one shorter; none for no items)."""
    it = iter(items)
    while chunk := list(itertools.islice(it, size)):
        yield chunk


def _csv_chunks(p: Path, columns: Mapping[str, str], size: int) -> Iterator[Rows]:
    with _csv_reader(p) as (reader, share):
        names = _header(reader, columns, str(p))
        if names is None:
            return
        # a blank line is not a record; a row as a tuple of texts (untracked by the GC)
        for chunk in batched(map(tuple, filter(None, reader)), size):
            yield Rows(names, chunk, typed=False, read=share())


def as_record(names: list[str], cells: Sequence[Any]) -> dict[str, Any]:
    """A row of cells under ``names``: a value under a column without a name is kept (as
    the unknown field ``(column N)``, a blank there is ignored), and so are non-blank
    cells beyond the header (as ``(extra cells)``)."""
    record = {
        n: v
        for n, v in zip(names, cells, strict=False)
        if not (n.startswith("(column ") and _blank(v))
    }
    if len(cells) > len(names):
        extra = [v for v in cells[len(names) :] if not _blank(v)]
        if extra:
            record["(extra cells)"] = extra
    return record


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def header(path: str | os.PathLike[str], columns: Mapping[str, str] | None = None) -> list[str]:
    """The column names of a CSV, Parquet or Excel file as its records use them (see
    :func:`csv_header`)."""
    p = Path(path)
    kind = TABULAR.get(p.suffix.lower())
    if kind == "Parquet":
        with _parquet_file(p) as pf:
            return _parquet_names(pf, columns or {}, p)[0]
    if kind == "Excel":
        with _xlsx_rows(p) as rows:
            return _xlsx_header(rows, columns or {}, p)
    if kind is None:
        raise RecordsError(f"{p}: {_MAPPING_ONLY}")
    return csv_header(p, columns)


def csv_header(path: str | os.PathLike[str], columns: Mapping[str, str] | None = None) -> list[str]:
    """The column names of a CSV file as its records use them (a column without a name is
    ``(column N)``; renamed by ``columns``); empty for a file without a header."""
    with _csv_reader(Path(path)) as (reader, _):
        return _header(reader, columns or {}, str(path)) or []


@contextlib.contextmanager
def _csv_reader(p: Path) -> Iterator[tuple[Iterator[list[str]], Callable[[], float | None]]]:
    """A CSV reader over ``p`` decoded as it is read, and a way to tell the share of the
    file read so far (``None`` for a pipe); a byte that is not UTF-8 and a malformed row raise
    :class:`RecordsError` naming the line."""
    try:
        fh = open(p, encoding="utf-8-sig", newline="")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise RecordsError(f"{p}: {exc.strerror or exc}") from None
    reader = csv.reader(fh)
    fd, info = fh.fileno(), os.fstat(fh.fileno())
    size = info.st_size if stat.S_ISREG(info.st_mode) else 0
    try:
        yield reader, lambda: min(1.0, os.lseek(fd, 0, os.SEEK_CUR) / size) if size else None
    except UnicodeDecodeError:
        raise RecordsError(f"{p}: {_first_bad_byte(p)}") from None
    except csv.Error as exc:
        raise RecordsError(f"{p}: line {reader.line_num}: {exc}") from None
    except OSError as exc:
        raise RecordsError(f"{p}: {exc.strerror or exc}") from None
    finally:
        fh.close()


def _header(
    reader: Iterator[Sequence[Any]], columns: Mapping[str, str], source: str
) -> list[str] | None:
    """The names of the first row that is not blank (``None`` when there is none)."""
    header = next((row for row in reader if not all(_blank(cell) for cell in row)), None)
    if header is None:
        return None
    return _names(["" if cell is None else str(cell) for cell in header], columns, source)


def _names(header: list[str], columns: Mapping[str, str], source: str) -> list[str]:
    # A column without a name (a trailing comma) gets one, so a value under it is
    # reported as an unknown field rather than lost; a blank cell there is ignored.
    names = [h.strip() or f"(column {i})" for i, h in enumerate(header, start=1)]
    names = [columns.get(n, n) for n in names]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise RecordsError(f"{source}: duplicate column(s) {', '.join(dupes)}")
    return names


def optional(module: str, purpose: str) -> ModuleType:
    """The optional dependency ``module`` (``pyarrow`` or ``openpyxl``), or a
    :class:`RecordsError` that says how to install it; ``purpose``: what needs it."""
    try:
        return importlib.import_module(module)
    except ImportError:
        top = module.partition(".")[0]
        raise RecordsError(
            f"{purpose} needs {top}, which is not installed: pip install 'asnmerit[{_EXTRAS[top]}]'"
        ) from None


# -- Parquet -----------------------------------------------------------------------------------


@contextlib.contextmanager
def _parquet_file(p: Path) -> Iterator[Any]:
    """``p`` opened with ``pyarrow.parquet.ParquetFile``; a file that cannot be read (while
    opening or later, in the ``with`` block) raises :class:`RecordsError`."""
    pa = optional("pyarrow", f"{p}: reading a Parquet file")
    pq = optional("pyarrow.parquet", f"{p}: reading a Parquet file")
    try:
        fh = open(p, "rb")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise RecordsError(f"{p}: {exc.strerror or exc}") from None
    try:
        yield pq.ParquetFile(fh)
    except RecordsError:
        raise
    except (OSError, ValueError, pa.ArrowException) as exc:  # ArrowInvalid, ...
        raise RecordsError(f"{p}: not a readable Parquet file: {exc}") from None
    finally:
        fh.close()


def _parquet_names(pf: Any, columns: Mapping[str, str], p: Path) -> tuple[list[str], list[int]]:
    """The column names of a Parquet file (renamed by ``columns``) and their positions,
    leaving out the index that pandas stores as columns (``__index_level_0__``)."""
    schema = pf.schema_arrow
    index = {
        c for c in (schema.pandas_metadata or {}).get("index_columns", ()) if isinstance(c, str)
    }
    keep = [i for i, name in enumerate(schema.names) if name not in index]
    return _names([schema.names[i] for i in keep], columns, str(p)), keep


def _parquet_chunks(p: Path, columns: Mapping[str, str], size: int) -> Iterator[Rows]:
    with _parquet_file(p) as pf:
        names, keep = _parquet_names(pf, columns, p)
        whole, done = pf.metadata.num_rows or 1, 0
        for batch in pf.iter_batches(batch_size=size, use_pandas_metadata=False):
            cells = [
                ["" if v is None else v for v in batch.column(i).to_pylist()] for i in keep
            ]  # a null is a blank cell
            done += batch.num_rows
            yield Rows(names, list(zip(*cells, strict=True)), typed=True, read=done / whole)


# -- Excel -------------------------------------------------------------------------------------


@contextlib.contextmanager
def _xlsx_rows(p: Path) -> Iterator[Iterator[tuple[Any, ...]]]:
    """The rows of the first sheet of ``p`` as tuples of values, read as a stream; a file
    that cannot be read (while opening or later, in the ``with`` block) raises
    :class:`RecordsError`."""
    openpyxl = optional("openpyxl", f"{p}: reading an Excel file")
    try:
        fh = open(p, "rb")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise RecordsError(f"{p}: {exc.strerror or exc}") from None
    book = None
    try:
        book = openpyxl.load_workbook(fh, read_only=True, data_only=True)
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # read every row, whatever size the file declares
        yield (_cells(row) for row in sheet.iter_rows(values_only=True))
    except RecordsError:
        raise
    except Exception as exc:  # zipfile.BadZipFile, InvalidFileException, XML errors, ...
        raise RecordsError(f"{p}: not a readable Excel .xlsx file: {exc}") from None
    finally:
        if book is not None:
            book.close()
        fh.close()


def _xlsx_header(rows: Iterator[tuple[Any, ...]], columns: Mapping[str, str], p: Path) -> list[str]:
    names = _header(rows, columns, str(p))
    if names is None:
        raise RecordsError(f"{p}: the first sheet is empty (expected a header row)")
    return names


def _cells(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """An Excel row as record values: an empty cell is blank; a date cell (a time of
    midnight: Excel has no dates without a time) is a date."""
    return tuple(
        v.date()
        if isinstance(v, dt.datetime) and v.time() == dt.time() and v.tzinfo is None
        else ("" if v is None else v)
        for v in row
    )


def _xlsx_chunks(p: Path, columns: Mapping[str, str], size: int) -> Iterator[Rows]:
    with _xlsx_rows(p) as rows:
        names = _xlsx_header(rows, columns, p)
        width = len(names)
        records = (
            # a row ends at its last cell with a value: the cells after it are blank
            (*row, *[""] * (width - len(row)))
            for row in rows
            if not all(_blank(c) for c in row)  # an empty row is not a record
        )
        for chunk in batched(records, size):
            yield Rows(names, chunk, typed=True)


def _first_bad_byte(p: Path) -> str:
    """Where the first byte of ``p`` that is not UTF-8 is (read line by line)."""
    with open(p, "rb") as fh:
        for number, line in enumerate(fh, start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError as exc:
                return not_utf8(line, exc, number)
    return "not UTF-8 (save the file as UTF-8)"  # pragma: no cover - the decoder said so


def _as_records(data: Any, source: str) -> list[dict[str, Any]]:
    if not isinstance(data, list):
        raise RecordsError(f"{source}: expected a list of records, got {type(data).__name__}")
    bad = [i + 1 for i, r in enumerate(data) if not isinstance(r, Mapping)]
    if bad:
        raise RecordsError(
            f"{source}: row(s) {', '.join(map(str, bad[:10]))} are not records (mappings)"
        )
    return [dict(r) for r in data]


def not_utf8(raw: bytes, exc: UnicodeDecodeError, first_line: int = 1) -> str:
    """Where the first byte that is not UTF-8 is, as line and column (in characters);
    ``raw`` starts at line ``first_line``."""
    before = raw[: exc.start]
    line = before.count(b"\n") + first_line
    column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
    return (
        f"line {line}, column {column}: byte 0x{raw[exc.start]:02x} is not UTF-8 "
        "(save the file as UTF-8)"
    )


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    record = dict(pairs)
    if len(record) != len(pairs):
        keys = [k for k, _ in pairs]
        raise ValueError(
            f"duplicate key {next(k for k in keys if keys.count(k) > 1)!r} in an object"
        )
    return record
