"""What every reader of a table gives: chunks of rows under the columns' fields, and a row
as a record.

A reader never drops a row and never makes up a value: a row it could not read whole (a
formula cell with no computed value, a cell of a merged range) ends with a :class:`Note` of
what went wrong, which the row's record carries under
:data:`~asnmerit.engine.intake.READ_PROBLEMS`, so that the row is refused with it.
"""

from __future__ import annotations

import importlib
import itertools
from collections.abc import Iterable, Iterator, Sequence
from types import ModuleType
from typing import Any

import attrs

from .._values import is_blank
from ..engine.intake import EXTRA_CELLS, READ_PROBLEMS
from ..errors import RecordsError
from .columns import Cast

CHUNK_ROWS = 8192
"""Records per chunk when a file is read as a stream."""

_EXTRAS = {"pyarrow": "parquet", "openpyxl": "excel"}


@attrs.frozen
class Note:
    """What a reader could not read in a row: ``(field, expected, got)`` per cell. Put
    after the last cell of the row."""

    issues: tuple[tuple[str, str, str], ...]


@attrs.frozen
class Rows:
    """A chunk of the rows of a table, as cells under the fields ``names`` (``None``: a
    column not read), each column's cells going through its cast (if any) when a row
    becomes a record. A row may have fewer or more cells than there are names; the cells
    of a CSV file are texts (``typed`` is false), those of the others any value a reader
    gives."""

    names: Sequence[str | None]
    rows: Sequence[Sequence[Any]]
    typed: bool
    read: float | None = None
    """The share of the file read once these rows were (``None``: not known)."""
    casts: Sequence[Cast | None] | None = None

    def records(self) -> list[dict[str, Any]]:
        """The rows as records (see :func:`as_record`)."""
        return [as_record(self.names, row, self.casts) for row in self.rows]


def as_record(
    names: Sequence[str | None], cells: Sequence[Any], casts: Sequence[Cast | None] | None = None
) -> dict[str, Any]:
    """A row of ``cells`` under ``names``: the cells of the columns read (through their
    casts); a value under a column without a header (``(column N)``, when every column is
    read) is kept, a blank there is not; non-blank cells beyond the header are kept as
    :data:`~asnmerit.engine.intake.EXTRA_CELLS`, and a trailing :class:`Note` as
    :data:`~asnmerit.engine.intake.READ_PROBLEMS`."""
    record = {
        n: v if c is None else c(v)
        for n, v, c in zip(names, cells, casts or itertools.repeat(None), strict=False)
        if n is not None and not (n.startswith("(column ") and is_blank(v))
    }
    if len(cells) > len(names):
        extra = list(cells[len(names) :])
        if extra and isinstance(extra[-1], Note):
            record[READ_PROBLEMS] = list(extra.pop().issues)
        extra = [v for v in extra if not is_blank(v)]
        if extra:
            record[EXTRA_CELLS] = extra
    return record


def bad_byte(
    raw: bytes, exc: UnicodeDecodeError, encoding: str = "utf-8", first_line: int = 1
) -> str:
    """Where the first byte of ``raw`` that does not fit ``encoding`` is, as line and column
    (in characters); ``raw`` starts at line ``first_line``."""
    before = raw[: exc.start]
    line = before.count(b"\n") + first_line
    column = len(before[before.rfind(b"\n") + 1 :].decode(encoding, "replace")) + 1
    shown = "UTF-8" if encoding.replace("_", "-").lower().startswith("utf-8") else encoding
    return f"line {line}, column {column}: byte 0x{raw[exc.start]:02x} is not {shown}"


def batched(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """``items`` in lists of ``size`` (the last one shorter; none for no items)."""
    it = iter(items)
    while chunk := list(itertools.islice(it, size)):
        yield chunk


def optional(module: str, purpose: str) -> ModuleType:
    """The optional dependency ``module`` (``pyarrow`` or ``openpyxl``), or a
    :class:`RecordsError` that says how to install it; ``purpose``: what needs it."""
    try:
        return importlib.import_module(module)
    except ImportError:
        top = module.partition(".")[0]
        raise RecordsError(
            f"{purpose} needs {top}, which is not installed: pip install 'asnmerit[{_EXTRAS[top]}]'",
            code="records.extra-missing",
        ) from None
