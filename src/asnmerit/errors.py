"""The exceptions asnmerit raises, under one base class.

* :class:`CriteriaError` -- a criteria file is unusable; carries every :class:`Problem`
  found, each with ``file:line:col`` and a stable code (see ``docs/errors.md``).
* :class:`InputError` -- subject data does not fit a scheme's inputs; carries every
  :class:`InputIssue` (field, row, expected, got).
* :class:`EvaluationError` -- valid criteria and data that could still not be scored.
* :class:`SchemeNotFoundError` -- no bundled scheme (or version) matches a request.
* :class:`ScoreOutOfRangeError`, :class:`RecordsError` (and :class:`ColumnsError`),
  :class:`ResultsError`, :class:`WhatIfError`, :class:`ScenarioError`, :class:`DumpError`,
  :class:`ConformanceError` -- a score without a band, an unreadable records or results file,
  a what-if or scenario that cannot be answered, criteria that cannot be written, a corpus
  that cannot be used.

Every :class:`AsnmeritError` gives a JSON-ready body with ``to_dict()`` (``code`` and
``message``; :class:`InputError` adds its ``issues``, :class:`CriteriaError` its
``problems``), e.g. for a web handler's reply.

Two are not :class:`AsnmeritError`: :class:`BadValue` (a refused value, turned into an
:class:`InputIssue` before it reaches a caller) and :class:`UsageError` (the command line's
exit code 2).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import attrs


def _json_text(value: Any) -> str:
    """A text as any JSON encoder can write it: an unpaired surrogate (which UTF-8 cannot
    hold) as its escape ``\\udXXX``, as :func:`asnmerit._values.json_value` writes it."""
    text = str(value)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode()
    return text


class AsnmeritError(Exception):
    """Base class of every error asnmerit raises on purpose."""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready body for any asnmerit error, e.g. for a web handler's reply::

            {"code": "SchemeNotFoundError", "message": "no bundled scheme 'merit'; ..."}

        ``code`` is the error's own code where it has one (a :class:`RecordsError`'s, such
        as ``records.csv``), else the name of its class; ``message`` is ``str(err)``.
        :class:`InputError` and :class:`CriteriaError` add the list of what was wrong.
        """
        code = getattr(self, "code", None)
        return {
            "code": _json_text(code if isinstance(code, str) else type(self).__name__),
            "message": _json_text(str(self)),
        }


@attrs.frozen
class Problem:
    """One thing wrong with a criteria file, located in its source text."""

    code: str
    message: str
    source: str = "<string>"
    line: int | None = None
    column: int | None = None
    path: str = ""

    def __str__(self) -> str:
        where = self.source
        if self.line is not None:
            where += f":{self.line}:{self.column if self.column is not None else 1}"
        return f"{where} {self.code} {self.message}"


class CriteriaError(AsnmeritError):
    """A criteria file could not be loaded; ``problems`` lists everything found."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__(self._text())

    def _text(self) -> str:
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} in criteria"
        return head + ":\n" + "\n".join(f"  {p}" for p in self.problems)

    @property
    def codes(self) -> tuple[str, ...]:
        """The codes of all problems, in report order."""
        return tuple(p.code for p in self.problems)

    def to_dict(self) -> dict[str, Any]:
        """:meth:`AsnmeritError.to_dict` with every problem (``code`` is
        ``CriteriaError``)::

            {"code": "CriteriaError", "message": "3 problems in criteria: ...",
             "problems": [{"code": "bands.gap", "message": "...", "source": "x.yaml",
                           "line": 326, "column": 14, "path": "bands"}, ...]}
        """
        return {
            **super().to_dict(),
            "problems": [
                {k: _json_text(v) if isinstance(v, str) else v for k, v in attrs.asdict(p).items()}
                for p in self.problems
            ],
        }


@attrs.frozen
class InputIssue:
    """One problem with one field of one subject record."""

    field: str
    expected: str
    got: str
    row: int | None = None

    def __str__(self) -> str:
        where = f"row {self.row}: " if self.row is not None else ""
        return f"{where}{self.field}: expected {self.expected}, got {self.got}"


class InputError(AsnmeritError, ValueError):
    """Subject data does not fit the scheme; ``issues`` lists every problem found."""

    def __init__(self, issues: Iterable[InputIssue]) -> None:
        self.issues: tuple[InputIssue, ...] = tuple(issues)
        super().__init__("; ".join(str(i) for i in self.issues))

    def brief(self) -> str:
        """Every issue as ``field: expected ..., got ...``, without row numbers."""
        return "; ".join(f"{i.field}: expected {i.expected}, got {i.got}" for i in self.issues)

    def at_row(self, row: int) -> InputError:
        """The same issues, labelled with a row number (for batch reports)."""
        return InputError(attrs.evolve(i, row=row) for i in self.issues)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready body a web handler can return with status 422::

            {"code": "InputError",
             "message": "pendidikan: expected one of S3, ..., got text 'S4'",
             "issues": [{"field": "pendidikan", "row": None,
                         "expected": "one of S3, ...", "got": "text 'S4'", "code": None}]}

        ``message`` is ``str(err)``; each issue gives its ``field``, ``row`` (``None``
        outside a batch), ``expected`` and ``got``; an issue's ``code`` is ``None`` (issues
        carry no code of their own yet: match on ``field``).
        """
        return {
            **super().to_dict(),
            "issues": [
                {
                    "field": _json_text(i.field),
                    "row": None if i.row is None else int(i.row),
                    "expected": _json_text(i.expected),
                    "got": _json_text(i.got),
                    "code": None,
                }
                for i in self.issues
            ],
        }

    def __reduce__(self) -> tuple[Any, ...]:
        # rebuilt from its issues (not from its message), so that it survives a pickle
        return (InputError, (self.issues,))


class EvaluationError(AsnmeritError):
    """Valid criteria and valid data could not be scored (a limit of the engine was hit)."""


class SchemeNotFoundError(AsnmeritError, LookupError):
    """No bundled scheme matches the requested id, or none is in force on the date."""


class ScoreOutOfRangeError(AsnmeritError, ValueError):
    """A score outside the scheme's possible range has no band."""


class ConformanceError(AsnmeritError):
    """A corpus cannot be written where asked, or a folder holds no corpus."""


class WhatIfError(AsnmeritError, ValueError):
    """A what-if question that cannot be answered as asked (too many cases to try, a
    missing number with no bounds, an unknown input or band)."""


class DumpError(AsnmeritError):
    """Criteria that cannot be written as a criteria file."""


class RecordsError(AsnmeritError):
    """A file of subject records cannot be read at all; ``code`` says why (see
    docs/errors.md)."""

    def __init__(self, message: str, code: str = "records.unreadable") -> None:
        super().__init__(message)
        self.code = code


class ScenarioError(AsnmeritError, ValueError):
    """A scenario path that does not lead anywhere in the criteria."""


RECORDS_CODES: dict[str, str] = {
    "records.missing": "the file is not there, or cannot be opened",
    "records.not-a-file": "a folder (or another thing that is not a file of records)",
    "records.format": "an extension that is not a records format",
    "records.extra-missing": "reading the format needs an optional dependency",
    "records.encoding": "bytes that do not fit the encoding, or an unknown encoding",
    "records.csv": "a malformed CSV row: a quote never closed, a field past the limit",
    "records.csv-quote": "a quoted field that swallowed lines that look like rows",
    "records.xlsx": "not a readable .xlsx workbook",
    "records.sheet": "no such sheet, or no visible one",
    "records.empty": "a sheet without a header row",
    "records.parquet": "not a readable Parquet file",
    "records.json": "not valid JSON, or nested too deeply",
    "records.yaml": "not valid (safe) YAML, or past its limits",
    "records.not-a-list": "not a list of records",
    "records.too-large": "more than a reader takes (whole files, workbooks, chunks of text)",
    "records.bomb": "a decompression or alias bomb",
    "records.cell-too-long": "a cell longer than 128 KiB",
    "records.too-many-columns": "more columns than a sheet has (16,384)",
    "records.columns": "columns, a profile or a mapping that cannot serve the scheme",
    "output.cell-too-long": "a text longer than an Excel cell holds, for xlsx output",
}
"""The code of every :class:`RecordsError` (reading records, and writing a results table),
with what it means (docs/errors.md)."""


class ColumnsError(RecordsError):
    """A reading profile, a column mapping, or the columns of a file, cannot serve a
    scheme."""

    def __init__(self, message: str, code: str = "records.columns") -> None:
        super().__init__(message, code)


class UnreadColumnsWarning(UserWarning):
    """Columns of the records that are not fields of the scheme: they were not read."""


class ResultsError(AsnmeritError):
    """A file of results cannot be read, or is not results at all."""


class BadValue(Exception):
    """A value does not fit its input; ``expected`` says what would. Raised and caught
    inside asnmerit (a record's refused value becomes an :class:`InputIssue`)."""

    def __init__(self, expected: str) -> None:
        super().__init__(expected)
        self.expected = expected


class UsageError(Exception):
    """Bad arguments on the command line: exit code 2 (never raised by the library)."""
