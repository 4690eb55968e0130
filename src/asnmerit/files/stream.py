"""Scoring a records file of any length: read in chunks, score and write a chunk at a time.

A CSV, Parquet or Excel file is read as a stream and its rows are scored and written
(as CSV, Parquet or Excel) as they are read, each row keeping a hash of the value of each
``unique`` identifier (the only memory that grows with the file). When the hashes show
values that rows share, the output is cut back and the rows are scored again, knowing
them; output that cannot seek back (a pipe) is written in a second pass instead, and a
file that cannot be read to its end leaves the output as it was. Rows of a table that
share their cells but their identifiers (a *profile*) are scored once. JSON and YAML
files, and JSON output, go record by record. The output is byte for byte what scoring
each record of the whole list gives.
"""

from __future__ import annotations

import array
import bisect
import itertools
import operator
import os
import stat
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any, Protocol

import attrs

from .. import _decimal as D
from .._values import json_value
from ..columnar.identifiers import identifier_keys, repeated, unusual
from ..engine.batch import brief, cell_key, clash_issues, score_records, score_row
from ..engine.intake import Shared, duplicates
from ..errors import AsnmeritError, InputError, RecordsError
from ..model import BandPolicy, Criteria
from ..results import RowResult
from .profile import ReadingProfile
from .records import TABULAR, open_table, whole
from .rows import CHUNK_ROWS, Rows, as_record, batched
from .spool import spools, suffix_of
from .tables import JsonList, RowWriter, table_writer


@attrs.frozen
class Counts:
    """Rows read, scored and refused: ``rows == scored + errors``."""

    rows: int
    scored: int
    errors: int
    unread: tuple[str, ...] = ()
    """The columns of the file that were not read (not fields of the scheme)."""
    how: str = ""
    """How the file was read (kind, separator, encoding, sheet, header row), when it is
    not as most are (else empty)."""


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


def _json_item(r: RowResult, reading: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A row of the JSON output; ``reading``: how the records were read, when a profile or
    options were given (their name and digest), and the columns not read, if any."""
    said = {"reading": reading} if reading else {}
    if r.evaluation is not None:
        return {"row": r.row, "result": r.evaluation.to_dict(), **said}
    return {"row": r.row, **json_value(r.identifiers), "error": error_issues(r.error), **said}


# -- progress ----------------------------------------------------------------------------------


class Progress(Protocol):
    """What shows a run's progress (the command line draws a line on a terminal:
    :class:`asnmerit.cli.progress.ProgressLine`)."""

    def update(self, rows: int, scored: int, errors: int, share: float | None = None) -> None:
        """After each chunk written: the counts so far, and the ``share`` of the input read
        (``None``: not known)."""

    def close(self) -> None:
        """The run ended (finished or not)."""


# -- the whole run -----------------------------------------------------------------------------


@attrs.frozen
class _Scan:
    rows: int | None  # None: not counted yet
    identifiers: list[str]  # those some record gives, in the scheme's order
    shared: Shared


@attrs.frozen
class _Scored:
    """A chunk of results: the rows to write, the rows of the errors file (row,
    identifiers, field, expected, got), how many rows were refused, and the share of the
    input read (``None``: not known)."""

    rows: list[Any]
    issues: list[Sequence[Any]]
    failed: int
    read: float | None = None


def evaluate_file(
    criteria: Criteria,
    path: str | os.PathLike[str],
    out: IO[Any],
    *,
    format: str = "csv",
    lang: str = "id",
    errors: IO[Any] | None = None,
    errors_format: str = "csv",
    profile: ReadingProfile | None = None,
    band_policy: BandPolicy | None = None,
    progress: Progress | None = None,
    safe: bool = True,
) -> Counts:
    """Score every record of ``path`` (CSV, Parquet, Excel, JSON or YAML) and write the rows
    to ``out`` as ``format`` (csv, json, parquet or xlsx; a binary file for the last two)
    as they are scored; every issue of a refused row also goes to ``errors`` as
    ``errors_format`` (csv, parquet or xlsx: row, identifiers, field, expected, got).
    The file is read as ``profile`` says, its columns matched to the scheme's fields (see
    :func:`~asnmerit.files.records.read_records`); the counts name the columns not read.
    ``progress``: told of each chunk written; ``safe``: CSV text cells that a spreadsheet
    would run as formulas get a ``'`` in front (see :mod:`~asnmerit.files.tables`). Raises :class:`RecordsError` for an
    unreadable file (a :class:`~asnmerit.errors.ColumnsError` for columns that cannot
    serve the scheme, before anything is written), leaving ``out`` and ``errors`` as they
    were (a file that cannot seek back is written only once the input was read)."""
    profile = profile or ReadingProfile()
    parts = [c.id for c in criteria.score.children]
    results = ["score", "band", "band_label", "eligible", *parts, "warnings", "error"]
    output = _Output(out, format, errors, errors_format, progress, results, safe)
    with spools():  # a pipe: its format looked at, then opened, once
        tabular = suffix_of(Path(path)) in TABULAR
        table = open_table(path, criteria, profile) if tabular else None
        read = None if tabular else whole(Path(path), criteria, profile)
    if table is not None:
        unread, how = table.layout.unread, "" if table.usual else table.describe()
        if format != "json":
            counts = _evaluate_table(criteria, table.chunks, output, lang, band_policy)
            return attrs.evolve(counts, unread=unread, how=how)
        chunks: Callable[[], Iterator[list[dict[str, Any]]]] = lambda: (  # noqa: E731
            c.records() for c in table.chunks()
        )
    else:
        assert read is not None
        records, found = read
        unread, how = found.unread if found else (), ""
        chunks = lambda: batched(records, CHUNK_ROWS)  # noqa: E731
    scan = _scan(criteria, itertools.chain.from_iterable(chunks()))
    records_again = itertools.chain.from_iterable(chunks())
    given = profile.to_dict()
    reading: dict[str, Any] | None = None  # said in every row, when there is aught to say
    if given or unread:
        reading = {"profile": given.get("profile"), "digest": profile.digest} if given else {}
        reading.update({"not_read": list(unread)} if unread else {})
    scored = _record_results(criteria, records_again, scan, results, lang, band_policy, format)
    counts = output.write(scan, scored, reading)
    return attrs.evolve(counts, unread=unread, how=how)


@attrs.frozen
class _Output:
    """Where a run writes its rows (``results``: the columns after the identifiers) and
    the issues of its refused rows, and how."""

    out: IO[Any]
    format: str
    errors: IO[Any] | None
    errors_format: str
    progress: Progress | None
    results: list[str]
    safe: bool = True

    def marks(self) -> list[tuple[IO[Any], int]] | None:
        """Where each file is now, to :meth:`rewind` to (``None``: one cannot seek)."""
        files = [f for f in (self.out, self.errors) if f is not None]
        return [(f, f.tell()) for f in files] if all(map(_rewindable, files)) else None

    @staticmethod
    def rewind(marks: list[tuple[IO[Any], int]]) -> None:
        """Cut each file back to where it was."""
        for f, at in marks:
            f.seek(at)
            f.truncate()

    def write(
        self,
        scan: _Scan,
        scored: Iterable[_Scored],
        reading: Mapping[str, Any] | None = None,
    ) -> Counts:
        """Write the chunks of ``scored``, drawing the progress line; every file finished
        (even when a chunk cannot be made). JSON rows say how the records were read
        (``reading``), when given."""
        writer: RowWriter | JsonList
        if self.format == "json":
            writer = JsonList(self.out)
        else:
            columns = ["row", *scan.identifiers, *self.results]
            writer = table_writer(self.out, self.format, columns, safe=self.safe)
        issues = None
        if self.errors is not None:
            columns = ["row", *scan.identifiers, "field", "expected", "got"]
            issues = table_writer(self.errors, self.errors_format, columns, safe=self.safe)
        bar = self.progress
        rows = failed = 0
        try:
            for chunk in scored:
                if isinstance(writer, JsonList):
                    writer.writerows([_json_item(r, reading) for r in chunk.rows])
                else:
                    writer.writecells(chunk.rows)
                if issues is not None:
                    issues.writecells(chunk.issues)
                rows, failed = rows + len(chunk.rows), failed + chunk.failed
                if bar is not None:
                    share = chunk.read if scan.rows is None else rows / (scan.rows or 1)
                    bar.update(rows, rows - failed, failed, share)
        finally:
            if bar is not None:
                bar.close()
            writer.close()
            if issues is not None:
                issues.close()
        return Counts(rows, rows - failed, failed)


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


def _record_results(
    criteria: Criteria,
    records: Iterator[dict[str, Any]],
    scan: _Scan,
    results: list[str],
    lang: str,
    band_policy: BandPolicy | None,
    format: str,
) -> Iterator[_Scored]:
    """The results of records (of a JSON or YAML file, or for JSON output), row by row."""
    scored = score_records(criteria, records, scan.shared, band_policy=band_policy)
    for chunk in batched(scored, CHUNK_ROWS):
        rows: list[Any] = []
        issues: list[Sequence[Any]] = []
        for r in chunk:
            ids = [r.identifiers.get(n, "") for n in scan.identifiers]
            if format == "json":
                rows.append(r)
            else:
                rows.append([r.row, *ids, *_result_cells(r, lang, results)])
            issues.extend([r.row, *ids, *issue] for issue in _issue_cells(r))
        yield _Scored(rows, issues, sum(not r.ok for r in chunk))


def _result_cells(r: RowResult, lang: str, results: list[str]) -> list[Any]:
    """The cells of ``results`` (score ... error) of a row's result."""
    row = result_row(r, lang)
    return [row.get(c, "") for c in results]


def _issue_cells(r: RowResult) -> list[tuple[str, str, str]]:
    """The field, expected and got of each issue of a refused row (none for a scored one)."""
    if r.ok:
        return []
    return [(i["field"], i["expected"], i["got"]) for i in error_issues(r.error)]


def _rewindable(f: IO[Any]) -> bool:
    """Whether ``f`` can be cut back: a file on disk or in memory (not a terminal, a pipe
    or a device such as ``/dev/null``)."""
    try:
        if not f.seekable():
            return False
    except ValueError:  # closed
        return False
    try:
        return stat.S_ISREG(os.fstat(f.fileno()).st_mode)
    except (OSError, ValueError):  # no file number: a file in memory
        return True


# -- tables at scale ---------------------------------------------------------------------------

_Result = tuple[tuple[Any, ...], list[tuple[str, str, str]]]
"""A profile's result cells, and the issues of its row if it was refused."""

_PROFILES = 65_536
"""The distinct profiles whose results a table run keeps (then it starts afresh)."""


def _evaluate_table(
    criteria: Criteria,
    read: Callable[[], Iterator[Rows]],
    output: _Output,
    lang: str,
    band_policy: BandPolicy | None,
) -> Counts:
    """Score a table (``read`` reads its chunks from the start). Its rows are scored as
    they are read, taking no identifier value as shared, into files that can seek back;
    in the rare case that the :class:`_Hashes` of the rows show shared values (or that no
    row reaches an identifier column of the header) the files are cut back and the rows
    scored again, knowing them. Files that cannot seek back are written in a second pass
    (the first one only finds the shared values)."""

    kept: dict[Any, _Result] = {}  # the profiles scored, for both passes

    def run(scan: _Scan, chunks: Iterator[Rows]) -> Counts:
        table = _Table(criteria, scan, output.results, lang, band_policy, kept)
        return output.write(scan, table.scored(chunks))

    marks = output.marks()
    hashes = _Hashes(criteria)
    if marks is not None:
        chunks = read()
        first = next(chunks, None)
        names = first.names if first is not None else []
        guess = _Scan(None, [n for n in criteria.identifiers if n in names], {})
        try:
            counts = run(guess, hashes.track(itertools.chain([first] if first else [], chunks)))
        except RecordsError:
            output.rewind(marks)
            raise
        scan = hashes.scan(read)
        if not scan.shared and scan.identifiers == guess.identifiers:
            return counts
        output.rewind(marks)
    else:
        for _ in hashes.track(read()):
            pass
        scan = hashes.scan(read)
    return run(scan, read())


class _Hashes:
    """What a pass over a table finds out: its rows, the identifiers its rows give, and
    an 8-byte hash of the value of each ``unique`` identifier of each row (the only
    memory that grows with the file, by 8 bytes a row)."""

    def __init__(self, criteria: Criteria) -> None:
        self.criteria = criteria
        self.unique = [i for i in criteria.identifiers.values() if i.unique]
        self.hashes = {i.name: array.array("q") for i in self.unique}
        self.rows = self.reach = 0
        self.names: Sequence[str | None] = []

    def track(self, chunks: Iterable[Rows]) -> Iterator[Rows]:
        """``chunks``, each one taken note of as it passes."""
        for chunk in chunks:
            self.names = chunk.names
            self.rows += len(chunk.rows)
            self.reach = max(self.reach, *map(len, chunk.rows))
            for ident in self.unique:
                if ident.name in self.names:
                    column = _column(chunk.rows, self.names.index(ident.name))
                    keys, _ = identifier_keys(ident, column)
                    self.hashes[ident.name].extend([0 if k is None else hash(k) or 1 for k in keys])
            yield chunk

    def scan(self, read: Callable[[], Iterator[Rows]]) -> _Scan:
        """The rows, the identifiers some row gives, and the rows that share the value of
        a ``unique`` identifier: those whose hash is not theirs alone are read again and
        compared by value (:func:`~asnmerit.inputs.duplicates`), so the result is exact."""
        found = sorted(set().union(*map(repeated, self.hashes.values())))
        shared: Shared = {}
        if found:  # compare the values of those rows (a hash may be another value's too)
            fields = [i.name for i in self.unique]
            records = list(_records_at(read(), found, fields))
            at: dict[int, list[int]] = {}  # each value's rows, in the file (mapped once)
            shared = {
                found[pos]: [
                    (field, at.setdefault(id(rows), [found[o] for o in rows]))
                    for field, rows in clashes
                ]
                for pos, clashes in duplicates(self.criteria, records).items()
            }
        seen = set(self.names[: self.reach])
        return _Scan(self.rows, [n for n in self.criteria.identifiers if n in seen], shared)


def _records_at(
    chunks: Iterator[Rows], positions: list[int], fields: list[str]
) -> Iterator[dict[str, Any]]:
    """The records (``fields`` only) of the rows at ``positions`` (0-based, ascending)."""
    wanted = iter(positions)
    at = next(wanted, None)
    start = 0
    for chunk in chunks:
        while at is not None and at < start + len(chunk.rows):
            record = as_record(chunk.names, chunk.rows[at - start], chunk.casts)
            yield {f: record[f] for f in fields if f in record}
            at = next(wanted, None)
        start += len(chunk.rows)


class _Table:
    """Scores the chunks of one table. A row whose cells are all under the header and
    whose identifiers its format accepts takes the result of its *profile* (its other
    cells), scored once and kept (for the last :data:`_PROFILES` profiles); any other
    row (an identifier refused or shared; too few or too many cells) is scored by itself.
    Either way a row gets what :func:`~asnmerit.batch.score_records` gives it."""

    def __init__(
        self,
        criteria: Criteria,
        scan: _Scan,
        results: list[str],
        lang: str,
        band_policy: BandPolicy | None,
        kept: dict[Any, _Result],
    ) -> None:
        self.criteria, self.scan, self.results = criteria, scan, results
        self.lang, self.band_policy = lang, band_policy
        self.shared = sorted(scan.shared)
        self.kept = kept  # profiles scored: the same whoever shares the rows' identifiers

    def scored(self, chunks: Iterable[Rows]) -> Iterator[_Scored]:
        """The results of the rows of ``chunks`` (of a table, from its start)."""
        start = 1
        for chunk in chunks:
            yield attrs.evolve(self.score(chunk, start), read=chunk.read)
            start += len(chunk.rows)

    def score(self, chunk: Rows, start: int) -> _Scored:
        """The results of the rows of ``chunk``, the first being row ``start``."""
        names, rows = chunk.names, chunk.rows
        ids = _getter([names.index(n) for n in self.scan.identifiers])
        special, written = _own_rows(self.criteria, chunk, start, self.shared)
        regular: Sequence[Sequence[Any]] = rows
        if special:  # in place of the rows scored by themselves: a row of blanks
            blanked = list(rows)
            for i in special:
                blanked[i] = ("",) * len(names)
            regular = blanked
        found = self._profiles(chunk, regular, start, special)
        numbers = map(str, range(start, start + len(rows)))  # as the CSV output has them
        cells = map(operator.itemgetter(0), found)
        out: list[Sequence[Any]] = list(
            map(operator.add, map(operator.add, zip(numbers), map(ids, regular)), cells)
        )
        own_ids: dict[int, tuple[Any, ...]] = {}
        for i, normal in written.items():  # identifiers written otherwise by their format
            if i not in special:
                pairs = zip(self.scan.identifiers, ids(rows[i]), strict=True)
                own_ids[i] = tuple(normal.get(n, c) for n, c in pairs)
                out[i] = (str(start + i), *own_ids[i], *found[i][0])
        issues: list[Sequence[Any]] = []
        failed = 0
        for i in [i for i, f in enumerate(found) if f[1] and i not in special]:
            failed += 1
            row_ids = own_ids.get(i) or ids(rows[i])
            issues.extend((start + i, *row_ids, *x) for x in found[i][1])
        for i in sorted(special):
            r = self._own(chunk, rows[i], start + i)
            own = [r.identifiers.get(f, "") for f in self.scan.identifiers]
            out[i] = (str(r.row), *own, *_result_cells(r, self.lang, self.results))
            issues.extend((r.row, *own, *x) for x in _issue_cells(r))
            failed += not r.ok
        if special and issues:  # in row order
            issues.sort(key=operator.itemgetter(0))
        return _Scored(out, issues, failed)

    def _profiles(
        self, chunk: Rows, regular: Sequence[Sequence[Any]], start: int, special: set[int]
    ) -> list[_Result]:
        """The result of each row's profile (an empty one for the ``special`` rows)."""
        others = [
            p
            for p, name in enumerate(chunk.names)
            if name is not None and name not in self.criteria.identifiers
        ]  # the cells a row's result depends on
        profile = _profile_key(others, chunk.typed)
        texts = 0 if chunk.typed else len(others)
        keys, kept = _lookup(profile, regular, self.kept, special, texts)
        found: list[_Result] = kept  # type: ignore[assignment] # each None is replaced below
        for i in [i for i, f in enumerate(kept) if f is None]:
            if i in special:
                found[i] = ((), [])
                continue
            if keys[i] not in self.kept:  # a profile not seen yet (or no longer kept)
                if len(self.kept) >= _PROFILES:
                    self.kept.clear()
                r = self._own(chunk, chunk.rows[i], start + i)
                self.kept[keys[i]] = (
                    tuple(_result_cells(r, self.lang, self.results)),
                    _issue_cells(r),
                )
            found[i] = self.kept[keys[i]]
        return found

    def _own(self, chunk: Rows, row: Sequence[Any], n: int) -> RowResult:
        """Row ``n`` (of ``chunk``) scored by itself."""
        record = as_record(chunk.names, row, chunk.casts)
        clash = clash_issues(record, self.scan.shared.get(n - 1, []), n - 1)
        return score_row(self.criteria, n, record, clash, band_policy=self.band_policy)


def _lookup(
    profile: Callable[[Sequence[Any]], Any],
    rows: Sequence[Sequence[Any]],
    results_of: Mapping[Any, _Result],
    special: set[int],
    texts: int = 0,
) -> tuple[list[Any], list[_Result | None]]:
    """Each row's profile and the result kept for it (``None``: not kept). A row with a
    cell that cannot be a key (a list) joins ``special``. ``texts``: the profiles are
    that many texts, kept joined by :data:`_SEP` when no cell holds it (one text hashes
    and compares faster than a tuple of them)."""
    try:
        keys = list(map(profile, rows))
        if texts > 1:
            joined = list(map(_SEP.join, keys))
            if "".join(joined).count(_SEP) == (texts - 1) * len(joined):
                keys = joined
        return keys, list(map(results_of.get, keys))
    except TypeError:  # an unhashable cell: find which rows hold one
        keys = []
        for i, row in enumerate(rows):
            key = profile(row)
            try:
                hash(key)
            except TypeError:
                special.add(i)
                key = None
            keys.append(key)
        return keys, [None if k is None else results_of.get(k) for k in keys]


_SEP = "\x1f"
"""The cells of a profile of texts are joined by this (the unit separator)."""


def _own_rows(
    criteria: Criteria, chunk: Rows, start: int, shared: list[int]
) -> tuple[set[int], dict[int, dict[str, Any]]]:
    """The rows of a chunk (0-based, its first row being row ``start``) to score by
    themselves: too few or too many cells, an identifier that its format refuses, or a
    value of a ``unique`` one that other rows hold (``shared``: their positions in the
    file, 0-based, ascending); and the identifiers that their format writes otherwise,
    by row."""
    names, rows = chunk.names, chunk.rows
    lengths = list(map(len, rows))
    whole = min(lengths) == max(lengths) == len(names)  # as usual
    special = set() if whole else {i for i, n in enumerate(lengths) if n != len(names)}
    written: dict[int, dict[str, Any]] = {}
    for p, name in enumerate(names):
        ident = criteria.identifiers.get(name) if name is not None else None
        if name is not None and ident is not None and ident.format is not None:
            refused, normals = unusual(ident, _column(rows, p))
            special.update(refused)
            for i, normal in normals.items():
                written.setdefault(i, {})[name] = normal
    first = bisect.bisect_left(shared, start - 1)
    last = bisect.bisect_left(shared, start - 1 + len(rows))
    special.update(pos - start + 1 for pos in shared[first:last])
    return special, written


def _column(rows: Sequence[Sequence[Any]], p: int) -> list[Any]:
    """The cells of rows at ``p`` (``None`` for a row too short to have one)."""
    try:
        return list(map(operator.itemgetter(p), rows))
    except IndexError:
        return [row[p] if p < len(row) else None for row in rows]


def _getter(at: list[int]) -> Callable[[Sequence[Any]], tuple[Any, ...]]:
    """The cells of a row at ``at``, as a tuple."""
    if len(at) > 1:
        return operator.itemgetter(*at)
    return lambda row: tuple(row[p] for p in at)


def _profile_key(at: list[int], typed: bool) -> Callable[[Sequence[Any]], Any]:
    """What the result of a row depends on when its identifiers are accepted: its cells at
    ``at`` (by value; for other cells than text, by type and value too, as
    :func:`~asnmerit.batch.score_records` tells them apart)."""
    if not typed:
        return _getter(at)
    return lambda row: tuple(cell_key(row[p]) for p in at)
