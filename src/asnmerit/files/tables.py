"""Writing rows of results as CSV, Parquet, Excel (.xlsx) or a JSON list, one row at a time.

Each writer has ``writerow``, ``writerows`` and ``close`` (which finishes the file: the
end of a JSON list, the footer of a Parquet file, the archive of a workbook). Parquet and
Excel files hold the cells of the CSV output (without the ``'`` below), as text, except
``row`` (a whole number, given as one or as its digits); an empty cell is a null (Parquet)
or an empty cell (Excel). They need the optional ``pyarrow`` and ``openpyxl``, imported
when such a file is written.

CSV output is safe to open in a spreadsheet: a text cell that starts with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return gets a ``'`` in front (as OWASP advises against
formula injection), unless it is a plain decimal number as scores are written (``-1.5``:
an optional ``-``, ASCII digits, maybe a point and more digits); a cell that is a number
(``int``, ``Decimal``, ``float``) is never changed. ``safe=False`` writes every cell as it
is (for programs that read the file). An Excel cell is never a formula, and a text longer
than an Excel cell holds is refused rather than cut.
"""

from __future__ import annotations

import abc
import bisect
import csv
import io
import itertools
import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import IO, Any, Protocol

from ..errors import RecordsError
from .records import optional

FORMATS = ("csv", "json", "parquet", "xlsx")
"""The formats of ``asnmerit evaluate`` output."""

BINARY = ("parquet", "xlsx")
"""The formats written to a binary file (never to standard output)."""

_EXTENSIONS = {".csv": "csv", ".json": "json", ".parquet": "parquet", ".xlsx": "xlsx"}

ROW_GROUP = 65_536
"""Rows per Parquet row group: the rows a Parquet writer holds before writing them."""

_BATCH = 4_096  # rows kept as Python values before they become Arrow columns

EXCEL_ROWS = 1_048_576
"""The rows an Excel sheet holds (the header included)."""

EXCEL_CELL = 32_767
"""The characters (UTF-16 code units) an Excel cell holds."""

_FORMULA = frozenset("=+-@\t\r")
"""The first characters of a cell that a spreadsheet may take for a formula."""

_DIGITS = r"[0-9]+(?:\.[0-9]+)?"
_NUMBER = re.compile("-?" + _DIGITS)
"""A plain decimal number (as scores are written): never a formula."""


def _cell_start(c: str) -> re.Pattern[str]:
    """Where a cell starts with ``c`` in rows joined by commas and line ends, but a plain
    decimal number (``c`` comes first: a fast search); exact when no cell holds a comma or
    a line end."""
    number = rf"(?!{_DIGITS}(?:[,\n]|\Z))" if c == "-" else ""
    return re.compile(rf"{re.escape(c)}(?<![^,\n]{re.escape(c)}){number}")


_STARTS = [(c, _cell_start(c)) for c in sorted(_FORMULA)]
"""Each first character of a formula, and where a cell starts with it."""

_QUOTED = re.compile(r'["\r\n]')
"""A character that makes a CSV cell quoted (besides a comma)."""


def _risky(text: str, lines: list[str]) -> set[int]:
    """Which ``lines`` (joined by line ends into ``text``) hold a cell that needs a ``'``
    (exact for a line whose cells hold no comma and no line end)."""
    found = [m.start() for c, start in _STARTS if c in text for m in start.finditer(text)]
    if not found:
        return set()
    ends = list(itertools.accumulate(len(line) + 1 for line in lines))
    return {bisect.bisect_right(ends, at) for at in found}


def neutral(value: Any) -> Any:
    """``value``, with a ``'`` in front if it is text a spreadsheet may take for a formula
    (see the module's docstring)."""
    if isinstance(value, str) and value[:1] in _FORMULA and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


class RowWriter(Protocol):
    """Writes rows (mappings of column to value, or the cells of every column in order)
    and finishes the file on ``close``."""

    def writerow(self, row: Mapping[str, Any]) -> None: ...

    def writerows(self, rows: Iterable[Mapping[str, Any]]) -> None: ...

    def writecells(self, cells: Iterable[Sequence[Any]]) -> None: ...

    def close(self) -> None: ...


class _Cells(abc.ABC):
    """A writer of rows of cells, which also takes rows as mappings (a missing column is
    an empty cell)."""

    columns: list[str]

    @abc.abstractmethod
    def writecells(self, cells: Iterable[Sequence[Any]]) -> None:
        """Write rows given as the cells of every column, in order."""

    def writerow(self, row: Mapping[str, Any]) -> None:
        self.writecells([[row.get(c, "") for c in self.columns]])

    def writerows(self, rows: Iterable[Mapping[str, Any]]) -> None:
        self.writecells([row.get(c, "") for c in self.columns] for row in rows)


def format_of(path: str | os.PathLike[str] | None, default: str = "csv") -> str:
    """The format a file's extension names (``.csv``, ``.json``, ``.parquet``, ``.xlsx``),
    or ``default``."""
    if path is None:
        return default
    return _EXTENSIONS.get(Path(path).suffix.lower(), default)


def table_writer(out: IO[Any], format: str, columns: list[str], *, safe: bool = True) -> RowWriter:
    """A writer of rows with ``columns`` to ``out`` as ``format`` (csv, parquet or xlsx;
    ``out`` is a text file for csv, a binary one for the others); the header is written
    first (Parquet: the schema). ``safe=False``: CSV cells that start a formula are
    written as they are (Parquet and Excel cells are never formulas)."""
    if format == "csv":
        return _CsvRows(out, columns, safe)
    if format == "parquet":
        return ParquetRows(out, columns)
    if format == "xlsx":
        return XlsxRows(out, columns)
    raise ValueError(f"not a table format: {format!r} (csv, parquet or xlsx)")


def text(value: Any) -> str | None:
    """A cell as the CSV output writes it (``str``), ``None`` for an empty one."""
    if value is None or value == "":
        return None
    return str(value)


class _CsvRows(_Cells):
    """Rows written as the ``csv`` module of Python 3.13 writes them (minimal quoting,
    ``\\n`` line ends; a cell that holds a carriage return quoted, which earlier versions
    leave bare for a reader to take for a line end), each cell through :func:`neutral` if
    ``safe``. Rows of texts that need no quotes (nor a ``'``) are joined by commas
    directly, a chunk at a time: the same bytes, faster."""

    def __init__(self, out: IO[str], columns: list[str], safe: bool = True) -> None:
        self.columns, self._out, self._safe = columns, out, safe
        self._buffer = io.StringIO()  # what the csv module writes, before it goes to out
        self._writer = csv.writer(self._buffer, lineterminator="\n")
        out.write(self._text([columns]))

    def writecells(self, cells: Iterable[Sequence[Any]]) -> None:
        rows = cells if isinstance(cells, list) else list(cells)
        try:
            lines = list(map(",".join, rows))
        except TypeError:  # a cell that is not text
            self._out.write(self._text(rows))
            return
        text = "\n".join(lines)
        widths = list(map(len, rows))
        risky = _risky(text, lines) if self._safe else set()
        if (
            min(widths, default=2) > 1  # a row of one empty cell is written ""
            and text.count(",") == sum(widths) - len(rows)
            and text.count("\n") == len(rows) - 1
            and '"' not in text
            and "\r" not in text
            and not risky
        ):
            if rows:
                self._out.write(text + "\n")
            return
        parts = []  # some cells need quotes (or a '): those rows go through the csv module
        for i, (line, row, width) in enumerate(zip(lines, rows, widths, strict=True)):
            if (
                width > 1
                and line.count(",") == width - 1
                and not _QUOTED.search(line)
                and i not in risky
            ):
                parts.append(line)
            else:
                parts.append(self._text([row])[:-1])
        if parts:
            self._out.write("\n".join(parts) + "\n")

    def close(self) -> None:
        """Nothing to finish: each row is written whole."""

    def _text(self, rows: Sequence[Sequence[Any]]) -> str:
        """``rows`` as the ``csv`` module writes them (see the class)."""
        if self._safe:
            rows = [list(map(neutral, row)) for row in rows]
        self._writer.writerows(rows)
        text = self._buffer.getvalue()
        self._buffer.seek(0)
        self._buffer.truncate()
        if "\r" in text:  # rare: each row again, quoting a carriage return as a line end
            text = "".join(map(_quoting_cr, rows))
        return text


def _quoting_cr(row: Sequence[Any]) -> str:
    """One row as the ``csv`` module writes it, a cell with a carriage return quoted."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(row)
    return out.getvalue()[:-2] + "\n"


class ParquetRows(_Cells):
    """Rows written to a Parquet file in row groups of ``row_group`` rows: ``row`` as
    int64, every other column as text (null for an empty cell)."""

    def __init__(self, out: IO[bytes], columns: list[str], row_group: int = ROW_GROUP) -> None:
        pa = optional("pyarrow", "writing a Parquet file")
        pq = optional("pyarrow.parquet", "writing a Parquet file")
        self._pa, self.columns, self._row_group = pa, columns, row_group
        self._schema = pa.schema([(c, pa.int64() if c == "row" else pa.string()) for c in columns])
        self._writer = pq.ParquetWriter(out, self._schema)
        self._pending: list[Sequence[Any]] = []
        self._batches: list[Any] = []
        self._held = 0

    def writecells(self, cells: Iterable[Sequence[Any]]) -> None:
        for row in cells:
            self._pending.append(row)
            if len(self._pending) >= _BATCH:
                self._batch()

    def close(self) -> None:
        """Write the rows held and the file's footer."""
        self._batch()
        self._flush(last=True)
        self._writer.close()

    def _batch(self) -> None:
        """The pending rows as compact Arrow columns; a row group once enough are held."""
        if not self._pending:
            return
        pa = self._pa
        arrays = [
            pa.array(list(map(int, column)), pa.int64())
            if name == "row"
            else pa.array([text(v) for v in column], pa.string())
            for name, column in zip(self.columns, zip(*self._pending, strict=True), strict=True)
        ]
        self._batches.append(pa.RecordBatch.from_arrays(arrays, schema=self._schema))
        self._held += len(self._pending)
        self._pending = []
        if self._held >= self._row_group:
            self._flush()

    def _flush(self, last: bool = False) -> None:
        """Write each whole row group held (and, ``last``, the rest)."""
        if not self._batches:
            return
        table = self._pa.Table.from_batches(self._batches, schema=self._schema)
        while table.num_rows >= self._row_group or (last and table.num_rows):
            self._writer.write_table(table.slice(0, self._row_group))
            table = table.slice(self._row_group)
        self._batches, self._held = table.to_batches(), table.num_rows


# Characters an Excel cell cannot hold (openpyxl refuses them): control characters but tab,
# line feed and carriage return.
_NOT_IN_EXCEL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class XlsxRows(_Cells):
    """Rows written to the one sheet of an Excel workbook, streamed to a temporary file
    by openpyxl and saved to ``out`` on ``close``. Every cell but ``row`` is text, never a
    formula (a value that starts with ``=`` stays text); a character a cell cannot hold
    becomes U+FFFD. A row a sheet cannot hold (a cell too long, a row past the last) is
    refused with :class:`RecordsError`, and ``close`` then writes nothing."""

    def __init__(self, out: IO[bytes], columns: list[str], title: str = "results") -> None:
        openpyxl = optional("openpyxl", "writing an Excel file")
        self._cell_type = optional("openpyxl.cell", "writing an Excel file").WriteOnlyCell
        self._out, self.columns = out, columns
        self._book = openpyxl.Workbook(write_only=True)
        self._sheet = self._book.create_sheet(title)
        self._rows = 0
        self._refused = False
        self._append(columns)

    def writecells(self, cells: Iterable[Sequence[Any]]) -> None:
        for row in cells:
            if self._rows >= EXCEL_ROWS:
                raise self._refuse(
                    f"an Excel sheet holds {EXCEL_ROWS:,} rows, the header included; "
                    "write .csv or .parquet for more"
                )
            self._append(
                [int(v) if c == "row" else text(v) for c, v in zip(self.columns, row, strict=True)]
            )

    def close(self) -> None:
        """Save the workbook to ``out`` (unless a row was refused: then its temporary
        file is removed and ``out`` left as it is)."""
        if not self._refused:
            self._book.save(self._out)
            return
        self._sheet.close()
        writer = getattr(self._sheet, "_writer", None)  # openpyxl's, of the temporary file
        if writer is not None:
            writer.cleanup()

    def _refuse(self, message: str) -> RecordsError:
        self._refused = True
        return RecordsError(message, code="output.cell-too-long")

    def _append(self, values: list[Any]) -> None:
        cells = []
        for name, value in zip(self.columns, values, strict=True):
            if isinstance(value, str):
                if len(value) > EXCEL_CELL // 2:  # it may hold more UTF-16 units than a cell
                    self._check(name, value, values)
                value = _NOT_IN_EXCEL.sub("\ufffd", value)
                if value[:1] in ("=", "#"):  # openpyxl would make it a formula or an error
                    value = self._cell_type(self._sheet, value=value)
                    value.data_type = "s"
            cells.append(value)
        self._sheet.append(cells)
        self._rows += 1

    def _check(self, name: str, value: str, values: list[Any]) -> None:
        """Refuse ``value`` (in column ``name`` of the row of ``values``) if it holds more
        characters than a cell (UTF-16 units, as Excel counts them)."""
        units = len(value.encode("utf-16-le")) // 2
        if units > EXCEL_CELL:
            where = "the header" if not self._rows else f"sheet row {self._rows + 1}"
            if self._rows and self.columns[0] == "row":
                where = f"row {values[0]}"
            raise self._refuse(
                f"{where}, column {name}: {units:,} characters, but an Excel cell holds "
                f"{EXCEL_CELL:,}; write .csv or .parquet to keep the whole text"
            )


class JsonList:
    """A JSON list written item by item, as ``json.dumps(items, indent=2)`` would."""

    def __init__(self, out: IO[str]) -> None:
        self.out, self.first = out, True

    def writerow(self, item: Any) -> None:
        text = json.dumps(item, ensure_ascii=False, indent=2).replace("\n", "\n  ")
        self.out.write(("[\n  " if self.first else ",\n  ") + text)
        self.first = False

    def writerows(self, items: Iterable[Any]) -> None:
        for item in items:
            self.writerow(item)

    def close(self) -> None:
        """Write the end of the list."""
        self.out.write("[]\n" if self.first else "\n]\n")


def to_csv(rows: list[dict[str, Any]], columns: list[str], *, safe: bool = True) -> str:
    """``rows`` as CSV text with ``columns`` in order (missing cells empty; ``safe``: as
    :func:`table_writer`)."""
    out = io.StringIO()
    csv_writer(out, columns, safe=safe).writerows(rows)
    return out.getvalue()


def csv_writer(out: IO[str], columns: list[str], *, safe: bool = True) -> RowWriter:
    """A writer of rows (mappings; other keys are left out) as CSV to the text file
    ``out``, its header written (``safe``: as :func:`table_writer`)."""
    return _CsvRows(out, columns, safe)
