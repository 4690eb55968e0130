"""Reading CSV files as spreadsheets and HR systems write them, strictly.

* **Encoding**: UTF-8 with or without a byte-order mark (UTF-16 when the file starts with
  its mark) unless one is named; a byte that does not fit is reported at its line and
  column, with the encodings the file does fit.
* **Separator**: ``,`` ``;`` tab or ``|``, found from the first lines (the one that splits
  most of them into the same number of cells, more than one) unless one is named.
* **Header**: the line named, else found by the caller from the first rows.
* **Nothing lost**: a quote that is never closed, a row that has swallowed lines that look
  like rows of their own (a stray quote), and a field or row past the reader's limits refuse
  the whole file at their line: the counts of a run always equal the rows the file holds.
  A row with more cells than the header is refused by itself (its extra cells are an issue
  of the row). A line of empty cells (``;;;;``, as spreadsheets pad them) is not a row.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import itertools
import os
import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

import attrs

from ..errors import RecordsError
from .profile import DELIMITERS
from .rows import bad_byte
from .spool import Source, name, whole_file

HEAD_BYTES = 256 * 1024
"""How much of the start of a file the separator and header are found from."""

HEAD_ROWS = 30
"""The rows (not blank) among which a header is looked for."""

MAX_FIELD_LINES = 20
"""A quoted field may hold line breaks; one that runs over more lines than this is taken
for a stray quote."""

_FITS = ("cp1252", "utf-16")
"""The encodings an error suggests when the bytes fit them (cp1252: what Excel writes for
"CSV" on Windows)."""


@attrs.frozen
class CsvFormat:
    """How a CSV file is written: its encoding and separator."""

    encoding: str
    delimiter: str

    def describe(self) -> str:
        """``';'-separated, utf-8-sig``."""
        shown = "tab" if self.delimiter == "\t" else repr(self.delimiter)
        return f"{shown}-separated, {self.encoding}"


def csv_format(
    src: Source,
    encoding: str | None,
    delimiter: str | None,
    names: Callable[[Sequence[str]], int] | None = None,
) -> CsvFormat:
    """The encoding and separator of ``src``: those named, else found (``names``: how many
    fields a row names; the separator under which some row names the most wins)."""
    p = name(src)
    if encoding is not None:
        try:
            info = codecs.lookup(encoding)
        except LookupError:
            info = None
        if info is None or not getattr(info, "_is_text_encoding", True):
            raise RecordsError(
                f"{p}: unknown text encoding {encoding!r} (e.g. utf-8, cp1252, latin-1, utf-16)",
                code="records.encoding",
            )
        encoding = info.name
        with _binary(src) as fh:
            if fh.read(3) == codecs.BOM_UTF8 and not encoding.startswith("utf"):
                raise RecordsError(
                    f"{p}: the file starts with UTF-8's byte-order mark: it is UTF-8, not "
                    f"{encoding} (leave --encoding out)",
                    code="records.encoding",
                )
    else:
        with _binary(src) as fh:
            start = fh.read(4096)
        if start.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
            raise RecordsError(
                f"{p}: UTF-32 (by its byte-order mark): save it as UTF-8, or name it "
                "(--encoding utf-32)",
                code="records.encoding",
            )
        utf16 = start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
        if not utf16 and start.count(0) * 4 > len(start):
            raise RecordsError(
                f"{p}: every other byte is zero: UTF-16 without a byte-order mark? Name it "
                "(--encoding utf-16-le)",
                code="records.encoding",
            )
        encoding = "utf-16" if utf16 else "utf-8-sig"
    if delimiter is None:
        delimiter = _sniff(_head(src, encoding), names)
    return CsvFormat(encoding, delimiter)


def _head(src: Source, encoding: str) -> list[str]:
    """The whole lines of the first :data:`HEAD_BYTES` of ``src``."""
    with _opened(src, encoding) as fh:
        text = fh.read(HEAD_BYTES)
        whole = len(text) < HEAD_BYTES
    lines = text.splitlines(keepends=True)
    return lines if whole or len(lines) < 2 else lines[:-1]


def _sniff(lines: list[str], names: Callable[[Sequence[str]], int] | None = None) -> str:
    """The separator under which a row names the most fields (given ``names``); else the
    one that splits ``lines`` into the most cells in rows of one width (> 1): the rows of
    a table are as wide as its header."""
    best, score = ",", (0, 0, 0)
    for d in DELIMITERS:
        try:
            rows = [r for r in csv.reader(lines, delimiter=d) if any(c.strip() for c in r)]
        except csv.Error:
            continue
        named = max((names(r) for r in rows[:HEAD_ROWS]), default=0) if names else 0
        widths = [len(r) for r in rows]
        counted = {w: widths.count(w) for w in set(widths) if w > 1}
        if counted or named:
            width, times = max(
                counted.items(), key=lambda wt: (wt[0] * wt[1], wt[1]), default=(0, 0)
            )
            if (named, width * times, times) > score:
                best, score = d, (named, width * times, times)
    return best


def head_rows(src: Source, fmt: CsvFormat, until: int | None = None) -> list[tuple[int, list[str]]]:
    """The first :data:`HEAD_ROWS` rows of ``src`` that are not blank, each with its line
    (read on to line ``until``, when it is named, however far that is)."""
    with _reader(src, fmt) as (reader, _):
        rows: list[tuple[int, list[str]]] = []
        for start, row in _numbered(reader):
            if until is not None and start > until:
                break
            if any(c.strip() for c in row):
                if until is not None and start < until and len(rows) == HEAD_ROWS:
                    rows.pop(0)  # only the rows near the one named are kept
                rows.append((start, row))
                if until is None and len(rows) == HEAD_ROWS:
                    break
        return rows


def _numbered(reader: Any) -> Iterator[tuple[int, list[str]]]:
    """The rows of ``reader``, each with the line it starts on."""
    end = 0
    for row in reader:
        yield end + 1, row
        end = reader.line_num


def csv_rows(
    src: Source, fmt: CsvFormat, header_line: int, size: int, read: Sequence[bool] = ()
) -> Iterator[tuple[list[tuple[str, ...]], float | None]]:
    """The rows after the header (at ``header_line``) of ``src`` in chunks of at most
    ``size``, each with the share of the file read; raises :class:`RecordsError` (at its
    line) for what would lose rows. ``read``: per column of the header, whether it is read
    (a field's value never spans lines)."""
    p = name(src)
    with _reader(src, fmt) as (reader, share):
        for start, _ in _numbered(reader):
            if start >= header_line:
                break
        rows_of = map(tuple, reader)  # a row as a tuple of texts (untracked by the GC)
        while True:
            first = reader.line_num + 1
            raw = list(itertools.islice(rows_of, size))
            if not raw:
                return
            if reader.line_num - first + 1 != len(raw):  # a row ran over several lines
                _check_spans(p, raw, first, fmt.delimiter, read)
            rows = list(filter(any, raw))  # a line of empty cells is not a row
            if rows:
                yield rows, share()


def _check_spans(
    p: Path, rows: list[tuple[str, ...]], first: int, delimiter: str, read: Sequence[bool]
) -> None:
    """Refuse ``rows`` (read from line ``first``) when a quoted cell in them spans lines the
    way a stray quote does, merging rows (see :func:`_merged`)."""
    line, width = first, len(read)
    for row in rows:
        breaks = [len(_BREAK.findall(cell)) for cell in row]
        for at, (cell, n) in enumerate(zip(row, breaks, strict=True)):
            why = _merged(cell, n, at < width and read[at], len(row), width, delimiter)
            if why:
                raise RecordsError(
                    f"{p}: line {line}: a quoted cell (column {at + 1}) that starts in this row "
                    f"spans lines to line {line + sum(breaks)} and {why}: a stray quote? Quote "
                    "the whole cell, or remove the quote",
                    code="records.csv-quote",
                )
        line += 1 + sum(breaks)


def _merged(cell: str, breaks: int, field: bool, cells: int, width: int, delimiter: str) -> str:
    """Why a cell that spans ``breaks`` line breaks, in a row of ``cells`` cells under a
    header of ``width``, is rows run together by a stray quote ("" when it may be a note).

    A quote that opens in one row and closes in the next swallows the end of the first and
    the start of the second, separators and all: the cell holds nearly a whole row's
    separators (``width - 1``, less what a short row leaves off), or its row is not as wide
    as the header while it holds one. A field's value (a NIP, a name, a code) holds none."""
    if not breaks:
        return ""
    seps = cell.count(delimiter)
    if breaks >= MAX_FIELD_LINES:
        return f"runs over {breaks + 1} lines"
    if seps >= max(1, width - 3):
        return f"holds {seps} separators, nearly a whole row's"
    if seps and cells != width:
        return (
            f"holds the separator {delimiter!r} in a row of {cells} cells (the header has {width})"
        )
    if field and (seps or cells > width):
        return "is a field's value run into the next row"
    return ""


_BREAK = re.compile(r"\r\n|\r|\n")


@contextlib.contextmanager
def _reader(src: Source, fmt: CsvFormat) -> Iterator[tuple[Any, Callable[[], float | None]]]:
    """A strict CSV reader over ``src`` and the share of the file read so far (``None``:
    not known); a byte that does not fit the encoding and a malformed row raise
    :class:`RecordsError` at its line."""
    with _opened(src, fmt.encoding) as fh:
        reader = csv.reader(fh, delimiter=fmt.delimiter, strict=True)
        share: Callable[[], float | None] = lambda: None  # noqa: E731
        if isinstance(src, Path):
            fd, size = fh.fileno(), os.fstat(fh.fileno()).st_size
            share = lambda: min(1.0, os.lseek(fd, 0, os.SEEK_CUR) / size) if size else None  # noqa: E731
        try:
            yield reader, share
        except csv.Error as exc:
            problem = _csv_problem(src, fmt, reader.line_num, exc)
            raise RecordsError(problem, code="records.csv") from None


def _csv_problem(src: Source, fmt: CsvFormat, line: int, exc: csv.Error) -> str:
    text, p = str(exc), name(src)
    if "unexpected end of data" in text:
        start = _open_quote(src, fmt)
        return (
            f"{p}: line {start}: a quote opened in the row starting here is never closed "
            "(the file ends inside it); quote the whole cell, or remove the quote"
        )
    start = _open_quote(src, fmt)  # the row it is in starts here (a quote may open earlier)
    seen = f" (seen at line {line})" if line != start else ""
    if "field larger than field limit" in text:
        return (
            f"{p}: line {start}: a field longer than {csv.field_size_limit()} characters{seen}: "
            "a stray quote?"
        )
    return f"{p}: line {start}: {text}{seen}; a stray quote?"


def _open_quote(src: Source, fmt: CsvFormat) -> int:
    """The line where the row that cannot be read starts (the file is read again)."""
    end = 0
    with _opened(src, fmt.encoding) as fh:
        reader = csv.reader(fh, delimiter=fmt.delimiter, strict=True)
        with contextlib.suppress(csv.Error):
            for _ in reader:
                end = reader.line_num
    return end + 1


@contextlib.contextmanager
def _binary(src: Source) -> Iterator[IO[bytes]]:
    """The bytes of ``src`` from its start."""
    if isinstance(src, Path):
        try:
            fh: IO[bytes] = open(src, "rb")  # noqa: SIM115 - closed below
        except OSError as exc:
            raise RecordsError(f"{src}: {exc.strerror or exc}", code="records.missing") from None
    else:
        fh = src.reader()
    try:
        yield fh
    finally:
        fh.close()


@contextlib.contextmanager
def _opened(src: Source, encoding: str) -> Iterator[IO[str]]:
    """``src`` as text in ``encoding`` (lines kept as written); a byte that does not fit
    raises :class:`RecordsError` at its line and column."""
    p = name(src)
    with _binary(src) as raw:
        fh = io.TextIOWrapper(raw, encoding=encoding, newline="")
        try:
            yield fh
        except UnicodeError:
            raise RecordsError(f"{p}: {_misfit(src, encoding)}", code="records.encoding") from None
        except OSError as exc:
            raise RecordsError(f"{p}: {exc.strerror or exc}") from None
        finally:
            fh.detach()


def _misfit(src: Source, encoding: str) -> str:
    """Where the first byte of ``src`` that does not fit ``encoding`` is, and the encodings
    the whole file fits."""
    raw = whole_file(src).read_bytes()
    try:
        raw.decode(encoding)
        where = f"not {encoding}"
    except (LookupError, UnicodeError) as exc:
        if not isinstance(exc, UnicodeDecodeError):
            return f"not {encoding}: {exc}"
        where = bad_byte(raw, exc, encoding)
    fits = [e for e in _FITS if e != encoding and _fits(raw, e)]
    if fits:
        return f"{where}; the file reads as {' or '.join(fits)}: name it (--encoding {fits[0]})"
    return f"{where}; name the file's encoding (--encoding), or save it as UTF-8"


def _fits(raw: bytes, encoding: str) -> bool:
    if encoding == "utf-16" and not raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    try:
        raw.decode(encoding)
    except (UnicodeError, LookupError):
        return False
    return True


def header_cells(rows: Sequence[tuple[int, list[str]]], line: int) -> list[str] | None:
    """The cells of the row starting at ``line`` among ``rows`` (``None``: not there)."""
    return next((row for start, row in rows if start == line), None)
