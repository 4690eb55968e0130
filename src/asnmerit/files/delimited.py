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


def csv_format(src: Source, encoding: str | None, delimiter: str | None) -> CsvFormat:
    """The encoding and separator of ``src``: those named, else found."""
    p = name(src)
    if encoding is not None:
        try:
            encoding = codecs.lookup(encoding).name
        except LookupError:
            raise RecordsError(
                f"{p}: unknown encoding {encoding!r} (e.g. utf-8, cp1252, latin-1, utf-16)",
                code="records.encoding",
            ) from None
    else:
        with _binary(src) as fh:
            start = fh.read(4)
        utf16 = start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
        encoding = "utf-16" if utf16 else "utf-8-sig"
    if delimiter is None:
        delimiter = _sniff(_head(src, encoding))
    return CsvFormat(encoding, delimiter)


def _head(src: Source, encoding: str) -> list[str]:
    """The whole lines of the first :data:`HEAD_BYTES` of ``src``."""
    with _opened(src, encoding) as fh:
        text = fh.read(HEAD_BYTES)
        whole = len(text) < HEAD_BYTES
    lines = text.splitlines(keepends=True)
    return lines if whole or len(lines) < 2 else lines[:-1]


def _sniff(lines: list[str]) -> str:
    """The separator that splits ``lines`` into the most cells in rows of one width (> 1):
    the rows of a table are as wide as its header."""
    best, score = ",", (0, 0)
    for d in DELIMITERS:
        try:
            widths = [len(r) for r in csv.reader(lines, delimiter=d) if any(c.strip() for c in r)]
        except csv.Error:
            continue
        counted = {w: widths.count(w) for w in set(widths) if w > 1}
        if counted:
            width, times = max(counted.items(), key=lambda wt: (wt[0] * wt[1], wt[1]))
            if (width * times, times) > score:
                best, score = d, (width * times, times)
    return best


def head_rows(src: Source, fmt: CsvFormat) -> list[tuple[int, list[str]]]:
    """The first :data:`HEAD_ROWS` rows of ``src`` that are not blank, each with its line."""
    with _reader(src, fmt) as (reader, _):
        rows = []
        for start, row in _numbered(reader):
            if any(c.strip() for c in row):
                rows.append((start, row))
                if len(rows) == HEAD_ROWS:
                    break
        return rows


def _numbered(reader: Any) -> Iterator[tuple[int, list[str]]]:
    """The rows of ``reader``, each with the line it starts on."""
    end = 0
    for row in reader:
        yield end + 1, row
        end = reader.line_num


def csv_rows(
    src: Source, fmt: CsvFormat, header_line: int, size: int
) -> Iterator[tuple[list[tuple[str, ...]], float | None]]:
    """The rows after the header (at ``header_line``) of ``src`` in chunks of at most
    ``size``, each with the share of the file read; raises :class:`RecordsError` (at its
    line) for what would lose rows."""
    p = name(src)
    with _reader(src, fmt) as (reader, share):
        for start, _ in _numbered(reader):
            if start >= header_line:
                break
        width = 0
        rows_of = map(tuple, reader)  # a row as a tuple of texts (untracked by the GC)
        while True:
            first = reader.line_num + 1
            raw = list(itertools.islice(rows_of, size))
            if not raw:
                return
            if reader.line_num - first + 1 != len(raw):  # a row ran over several lines
                width = width or max(map(len, raw))
                _check_spans(p, raw, first, fmt.delimiter, width)
            rows = list(filter(any, raw))  # a line of empty cells is not a row
            if rows:
                yield rows, share()


def _check_spans(
    p: Path, rows: list[tuple[str, ...]], first: int, delimiter: str, width: int
) -> None:
    """Refuse ``rows`` (read from line ``first``) when a field in them ran over too many
    lines, or over lines that look like rows of their own: a stray quote."""
    line = first
    for row in rows:
        breaks = [len(_BREAK.findall(cell)) for cell in row]
        for cell, n in zip(row, breaks, strict=True):
            if not n:
                continue
            rowlike = any(
                part.count(delimiter) >= max(1, width - 2) for part in _BREAK.split(cell)[1:]
            )
            if n >= MAX_FIELD_LINES or rowlike:
                why = (
                    f"runs over {n + 1} lines"
                    if n >= MAX_FIELD_LINES
                    else "holds lines that look like rows of their own"
                )
                raise RecordsError(
                    f"{p}: line {line}: a quoted field that starts in this row {why} "
                    f"(to line {line + sum(breaks)}): a stray quote? Quote the whole cell, "
                    "or remove the quote",
                    code="records.csv-quote",
                )
        line += 1 + sum(breaks)


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
    if "field larger than field limit" in text:
        return f"{p}: line {line}: a field longer than {csv.field_size_limit()} characters: a stray quote?"
    return f"{p}: line {line}: {text}"


def _open_quote(src: Source, fmt: CsvFormat) -> int:
    """The line of the row whose quote is never closed (the file is read again)."""
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
    shown = "UTF-8" if encoding.replace("_", "-").startswith("utf-8") else encoding
    try:
        raw.decode(encoding)
        where = f"not {shown}"
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = len(before[before.rfind(b"\n") + 1 :].decode(encoding, "replace")) + 1
        where = f"line {line}, column {column}: byte 0x{raw[exc.start]:02x} is not {shown}"
    fits = [e for e in _FITS if e != encoding and _fits(raw, e)]
    if fits:
        return f"{where}; the file reads as {' or '.join(fits)}: name it (--encoding {fits[0]})"
    return f"{where}; name the file's encoding (--encoding), or save it as UTF-8"


def _fits(raw: bytes, encoding: str) -> bool:
    if encoding == "utf-16" and not raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    try:
        raw.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def header_cells(rows: Sequence[tuple[int, list[str]]], line: int) -> list[str] | None:
    """The cells of the row starting at ``line`` among ``rows`` (``None``: not there)."""
    return next((row for start, row in rows if start == line), None)
