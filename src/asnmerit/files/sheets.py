"""Reading Excel (.xlsx) sheets and Parquet files, as a stream of rows.

Excel: the first *visible* sheet unless one is named (by name or position); the header row
named, else found by the caller; a date cell is a date. A cell that holds a formula Excel
never computed (files written by scripts have no cached values) and a cell inside a merged
range (whose value shows in its first cell only) are not read as blanks: they are noted on
their row, which is refused with the note. Parquet: the columns as stored (the index pandas
keeps as a column aside). Both need an optional dependency (``openpyxl``, ``pyarrow``),
imported only when such a file is read.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import attrs

from .._values import is_blank
from ..errors import RecordsError
from .rows import Note, optional

HEAD_ROWS = 30
"""The rows (not blank) among which a header is looked for."""


# -- Excel -------------------------------------------------------------------------------------


MAX_EXPANDED = 1 << 30
"""The most bytes the parts of a workbook may expand to (1 GiB)."""

MAX_RATIO = 200
"""The most a part of a workbook (of more than a MiB) may expand relative to its
compressed size: a sheet of real rows compresses some 10 to 40 times; a decompression
bomb, thousands of times."""

MAX_CELL_BYTES = 131_072
"""The longest cell a reader takes (128 KiB, as the CSV reader's field limit)."""

MAX_BATCH_BYTES = 256 << 20
"""The most bytes of text one chunk of Parquet rows may expand to (256 MiB)."""


def _check_zip(p: Path) -> None:
    """Refuse a workbook whose parts expand past :data:`MAX_EXPANDED` in all, or one of
    them past :data:`MAX_RATIO` times its size, before anything is decompressed."""
    try:
        with zipfile.ZipFile(p) as z:
            parts = z.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise RecordsError(
            f"{p}: not a readable Excel .xlsx file: {exc}", code="records.xlsx"
        ) from None
    total = sum(i.file_size for i in parts)
    if total > MAX_EXPANDED:
        raise RecordsError(
            f"{p}: its parts expand to {total:,} bytes, more than the {MAX_EXPANDED:,} a "
            "workbook may (save the records as CSV or Parquet)",
            code="records.too-large",
        )
    for i in parts:
        if i.file_size > 1 << 20 and i.file_size > MAX_RATIO * max(1, i.compress_size):
            raise RecordsError(
                f"{p}: {i.filename} expands {i.file_size // max(1, i.compress_size):,} times "
                f"(from {i.compress_size:,} to {i.file_size:,} bytes): a decompression bomb, "
                "not a workbook of records",
                code="records.bomb",
            )


@contextlib.contextmanager
def _book(p: Path) -> Iterator[Any]:
    """The workbook ``p`` opened read-only (values as last computed); a file that cannot be
    read (while opening or later, in the ``with`` block) raises :class:`RecordsError`."""
    openpyxl = optional("openpyxl", f"{p}: reading an Excel file")
    _check_zip(p)
    book = None
    try:  # a file object: a pipe's spool has no .xlsx name for openpyxl to go by
        with open(p, "rb") as fh:
            book = openpyxl.load_workbook(fh, read_only=True, data_only=True)
            yield book
    except RecordsError:
        raise
    except Exception as exc:  # zipfile.BadZipFile, InvalidFileException, XML errors, ...
        raise RecordsError(
            f"{p}: not a readable Excel .xlsx file: {exc}", code="records.xlsx"
        ) from None
    finally:
        if book is not None:
            book.close()


def _sheet(book: Any, sheet: str | int | None, p: Path) -> Any:
    """The sheet named (by name, or position from 1), else the first visible one."""
    sheets = book.worksheets
    listed = ", ".join(
        f"{i} {s.title!r}{'' if s.sheet_state == 'visible' else ' (hidden)'}"
        for i, s in enumerate(sheets, start=1)
    )
    if sheet is None:
        found = next((s for s in sheets if s.sheet_state == "visible"), None)
        what = "no visible sheet"
    elif isinstance(sheet, int):
        found = sheets[sheet - 1] if 1 <= sheet <= len(sheets) else None
        what = f"no sheet {sheet}"
    else:  # a name first (a sheet may be called "2"), then a position given as text
        found = next((s for s in sheets if s.title == sheet), None) or next(
            (s for s in sheets if s.title.strip().lower() == sheet.strip().lower()), None
        )
        if found is None and sheet.strip().isdigit() and sheet.strip().isascii():
            at = int(sheet)
            found = sheets[at - 1] if 1 <= at <= len(sheets) else None
        what = f"no sheet named {sheet!r}"
    if found is None:
        raise RecordsError(f"{p}: {what} (sheets: {listed or 'none'})", code="records.sheet")
    found.reset_dimensions()  # read every row, whatever size the file declares
    return found


def _values(row: Sequence[Any]) -> tuple[Any, ...]:
    """An Excel row as record values: an empty cell is blank; a date cell (a time of
    midnight: Excel has no dates without a time) is a date."""
    return tuple(
        v.date()
        if isinstance(v, dt.datetime) and v.time() == dt.time() and v.tzinfo is None
        else ("" if v is None else v)
        for v in row
    )


@attrs.frozen
class SheetHead:
    """The sheet read and its first rows that are not blank, each with its number."""

    title: str
    rows: list[tuple[int, tuple[Any, ...]]]
    first: bool = True
    """Whether it is the workbook's first sheet."""


def xlsx_head(p: Path, sheet: str | int | None) -> SheetHead:
    """The sheet of ``p`` to read and its first :data:`HEAD_ROWS` rows that are not blank."""
    with _book(p) as book:
        ws = _sheet(book, sheet, p)
        rows = []
        for number, row in enumerate(ws.iter_rows(values_only=True), start=1):
            if not all(map(is_blank, row)):
                rows.append((number, _values(row)))
                if len(rows) == HEAD_ROWS:
                    break
        return SheetHead(ws.title, rows, ws is book.worksheets[0])


def xlsx_rows(
    p: Path, sheet: str, header_row: int, names: Sequence[str | None], size: int
) -> Iterator[list[tuple[Any, ...]]]:
    """The rows after ``header_row`` of ``sheet`` in chunks of at most ``size``, each at
    least as wide as ``names``; an empty row is not a row; a row with a cell of a read
    column that is a formula without a value or part of a merged range ends with a
    :class:`~asnmerit.files.rows.Note`."""
    width = len(names)
    with _book(p) as book:
        ws = _sheet(book, sheet, p)
        marks = _marks(p, ws, names, header_row)
        chunk: list[tuple[Any, ...]] = []
        for number, row in enumerate(ws.iter_rows(values_only=True), start=1):
            if number <= header_row:
                continue
            note = marks.note(number, row) if marks else None
            if note is None and all(map(is_blank, row)):
                continue  # an empty row is not a record
            cells = _values(row)
            cells = (*cells, *[""] * (width - len(cells)))
            chunk.append(cells if note is None else (*cells, note))
            if len(chunk) == size:
                yield chunk
                chunk = []
        if chunk:
            yield chunk


_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_TALL = 1_000


@attrs.frozen
class _Marks:
    """The cells of a sheet's read columns that hold a formula without a value, and the
    merged ranges, by 1-based row and column."""

    names: Sequence[str | None]
    formulas: frozenset[tuple[int, int]]
    merged: tuple[tuple[int, int, int, int, str], ...]
    by_row: dict[int, list[tuple[int, int, int, int, str]]] = attrs.field(init=False)
    """The merged ranges over each row (of at most :data:`_TALL` rows; taller ones in
    ``tall``), so that a row looks at its own ranges only."""
    tall: list[tuple[int, int, int, int, str]] = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        by_row: dict[int, list[tuple[int, int, int, int, str]]] = {}
        tall = []
        for span in self.merged:
            r1, _, r2, _, _ = span
            if r2 - r1 > _TALL:
                tall.append(span)
                continue
            for r in range(r1, r2 + 1):
                by_row.setdefault(r, []).append(span)
        object.__setattr__(self, "by_row", by_row)
        object.__setattr__(self, "tall", tall)

    def note(self, number: int, row: Sequence[Any]) -> Note | None:
        """What cannot be read in row ``number``, if anything."""
        issues = []
        for col, name in enumerate(self.names, start=1):
            if name is None:
                continue
            ref = f"{_letters(col)}{number}"
            if (number, col) in self.formulas:
                issues.append(
                    (
                        name,
                        f"a value: cell {ref} holds a formula that was never computed (open "
                        "the file in a spreadsheet program and save it)",
                        "a formula without a value",
                    )
                )
                continue
            blank = col > len(row) or is_blank(row[col - 1])
            spans = [*self.by_row.get(number, ()), *self.tall] if blank else ()
            for r1, c1, r2, c2, span in spans:
                if r1 <= number <= r2 and c1 <= col <= c2 and (number, col) != (r1, c1):
                    issues.append(
                        (
                            name,
                            f"a value of its own: cell {ref} is part of the merged cells "
                            f"{span}, whose value is in their first cell only (unmerge them "
                            "and fill each cell)",
                            "a merged cell",
                        )
                    )
                    break
        return Note(tuple(issues)) if issues else None


def _marks(p: Path, ws: Any, names: Sequence[str | None], header_row: int) -> _Marks | None:
    """The formulas without values and merged ranges of ``ws`` (``None``: there are none),
    from the sheet's XML (read again, only when it holds a formula or a merged range)."""
    part = getattr(ws, "_worksheet_path", None)
    if not part:  # pragma: no cover - every openpyxl read-only sheet has one
        return None
    try:
        with zipfile.ZipFile(p) as z:
            if not _holds(z, part):
                return None
            formulas: set[tuple[int, int]] = set()
            merged = []
            with z.open(part) as fh:
                row = col = 0  # where a cell without a reference stands (after the last)
                for event, el in ElementTree.iterparse(fh, events=("start", "end")):
                    tag = el.tag.rpartition("}")[2]
                    if event == "start":
                        if tag == "row":
                            row, col = int(el.get("r") or row + 1), 0
                        continue
                    if tag == "c":
                        ref = el.get("r")
                        row, col = _cell(ref) if ref else (row, col + 1)
                        kids = {k.tag.rpartition("}")[2]: k for k in el}
                        if "f" in kids and _uncomputed(el, kids.get("v")):
                            formulas.add((row, col))
                        el.clear()
                    elif tag == "row":
                        el.clear()
                    elif tag == "mergeCell":
                        span = el.get("ref", "")
                        if ":" in span:
                            (r1, c1), (r2, c2) = map(_cell, span.split(":", 1))
                            if r2 > header_row:
                                merged.append((r1, c1, r2, c2, span))
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, ValueError) as exc:
        raise RecordsError(
            f"{p}: not a readable Excel .xlsx file: {exc}", code="records.xlsx"
        ) from None
    if not formulas and not merged:
        return None
    return _Marks(names, frozenset(formulas), tuple(merged))


def _uncomputed(cell: Any, value: Any) -> bool:
    """Whether a formula cell holds no computed value: no ``<v>``, or an empty one in a
    cell that is not of text (an empty text, ``t="str"``, is a value; scripts write an
    empty ``<v/>`` for a formula they never computed)."""
    return value is None or (not (value.text or "") and cell.get("t") != "str")


def _holds(z: zipfile.ZipFile, part: str) -> bool:
    """Whether the sheet's XML holds a formula or a merged range."""
    tail = b""
    with z.open(part) as fh:
        while block := fh.read(1 << 20):
            text = tail + block
            if b"mergeCell" in text or _FORMULA.search(text):
                return True
            tail = text[-16:]
    return False


_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?([0-9]+)$")


def _cell(ref: str) -> tuple[int, int]:
    """``"C5"`` as (row 5, column 3)."""
    m = _REF.match(ref)
    if m is None:
        raise ValueError(f"not a cell reference: {ref!r}")
    col = 0
    for ch in m.group(1).upper():
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)), col


def _letters(col: int) -> str:
    """Column 3 as ``"C"``."""
    out = ""
    while col:
        col, rest = divmod(col - 1, 26)
        out = chr(65 + rest) + out
    return out


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
        raise RecordsError(f"{p}: {exc.strerror or exc}", code="records.missing") from None
    try:
        yield pq.ParquetFile(fh)
    except RecordsError:
        raise
    except (OSError, ValueError, pa.ArrowException) as exc:  # ArrowInvalid, ...
        raise RecordsError(
            f"{p}: not a readable Parquet file: {exc}", code="records.parquet"
        ) from None
    finally:
        fh.close()


def _kept(pf: Any) -> list[int]:
    """The positions of the columns of a Parquet file, leaving out the unnamed index that
    pandas stores as a column (``__index_level_0__``); a named index (``nip``) is data."""
    schema = pf.schema_arrow
    index = {
        c
        for c in (schema.pandas_metadata or {}).get("index_columns", ())
        if isinstance(c, str) and re.fullmatch(r"__index_level_\d+__", c)
    }
    return [i for i, name in enumerate(schema.names) if name not in index]


def parquet_headers(p: Path) -> list[str]:
    """The column names of a Parquet file (its pandas index aside)."""
    with _parquet_file(p) as pf:
        return [pf.schema_arrow.names[i] for i in _kept(pf)]


def parquet_rows(p: Path, size: int) -> Iterator[tuple[list[tuple[Any, ...]], float]]:
    """The rows of a Parquet file in chunks of at most ``size`` (a null is a blank cell),
    each with the share of the file read; a cell longer than :data:`MAX_CELL_BYTES`, or a
    chunk whose texts expand past :data:`MAX_BATCH_BYTES` (a dictionary of long texts
    repeated), refuses the file before it is expanded."""
    with _parquet_file(p) as pf:
        keep = _kept(pf)
        whole, done = pf.metadata.num_rows or 1, 0
        for batch in pf.iter_batches(batch_size=size, use_pandas_metadata=False):
            expanded = 0
            for i in keep:
                longest, total = _text_bytes(batch.column(i))
                expanded += total
                if longest > MAX_CELL_BYTES:
                    raise RecordsError(
                        f"{p}: column {batch.schema.names[i]!r} holds a cell of {longest:,} "
                        f"bytes, more than the {MAX_CELL_BYTES:,} a cell may",
                        code="records.cell-too-long",
                    )
            if expanded > MAX_BATCH_BYTES:
                raise RecordsError(
                    f"{p}: rows {done + 1} to {done + batch.num_rows} expand to {expanded:,} "
                    f"bytes of text, more than the {MAX_BATCH_BYTES:,} a chunk may",
                    code="records.too-large",
                )
            cells = [["" if v is None else v for v in batch.column(i).to_pylist()] for i in keep]
            done += batch.num_rows
            yield list(zip(*cells, strict=True)), done / whole


def _text_bytes(column: Any) -> tuple[int, int]:
    """The longest text (or binary) cell of an Arrow column and the bytes of all its text
    cells once expanded (a dictionary's entries counted as often as they are used); (0, 0)
    for other columns."""
    import pyarrow as pa
    import pyarrow.compute as pc

    kind = column.type
    if pa.types.is_dictionary(kind):
        lengths = _lengths(column.dictionary)
        if lengths is None or not len(column.dictionary):
            return 0, 0
        used = pc.take(lengths, column.indices)
        return int(pc.max(lengths).as_py() or 0), int(pc.sum(used).as_py() or 0)
    lengths = _lengths(column)
    if lengths is None or not len(column):
        return 0, 0
    return int(pc.max(lengths).as_py() or 0), int(pc.sum(lengths).as_py() or 0)


def _lengths(column: Any) -> Any:
    """The byte length of each cell of a text or binary Arrow array (``None``: another
    kind of column)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    kind = column.type
    texts = pa.types.is_string(kind) or pa.types.is_large_string(kind)
    binary = pa.types.is_binary(kind) or pa.types.is_large_binary(kind)
    if pa.types.is_string_view(kind) if hasattr(pa.types, "is_string_view") else False:
        column, texts = column.cast(pa.large_string()), True
    return pc.binary_length(column) if texts or binary else None
