"""What each column of a records file holds: headers matched to fields by meaning, the
columns that are not read, and the value maps applied to the cells.

One rule for every way in (the command line, :func:`~asnmerit.read_records`,
:func:`~asnmerit.evaluate_records`, :func:`~asnmerit.evaluate_frame`): a header is the field
that the profile's ``columns`` names for it (``null``: not read); else the field or
identifier whose name, alias or label (Indonesian or English) it equals after folding ASCII
case, spaces, ``_``, ``-`` and ``.`` (``Jenis Jabatan`` is ``jenis_jabatan``). A column that
is no field is not read and is listed once; it never refuses a row. Before any row is
scored, these are usage errors (:class:`~asnmerit.errors.ColumnsError`): a header that could
be two fields, two columns of one field, a mapping naming what is not there, a header a
typing slip away from a required field that no column gives (``pendidkan``: did you mean
``pendidikan``?), a spelling mapped to a value the field does not take, and, with
``strict_columns``, any column that is not read.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import attrs

from .._values import coerce, fold
from ..engine.intake import READ_PROBLEMS
from ..errors import BadValue, ColumnsError
from ..model import Criteria, Input, requirements
from .profile import ReadingProfile

Cast = Callable[[Any], Any]
"""What a column's cells go through before they are read: its value map (and decimal
commas turned into points)."""

MAX_COLUMNS = 16_384
"""The most columns a table may have (as many as a spreadsheet's sheet)."""

_SLIPS = 1_000
"""The unread headers checked for a typing slip (the first ones)."""

_MEMO = 65_536
"""Cells whose cast a column remembers (the distinct spellings of an export are few)."""


@attrs.frozen
class Layout:
    """The columns of a file as read: per column, its header, the field it gives (``None``:
    not read) and its cast (``None``: its cells as they are)."""

    headers: tuple[str, ...]
    names: tuple[str | None, ...]
    casts: tuple[Cast | None, ...]
    unread: tuple[str, ...]
    """The headers of the columns that are not fields (the profile's ``null`` ones aside)."""

    _index: dict[str, int] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_index", {h: i for i, h in enumerate(self.headers)})

    def rename(self, record: Mapping[str, Any]) -> dict[str, Any]:
        """A record (a mapping of headers) as fields (see :func:`key_layout`); a key this
        layout did not see is kept as it is."""
        out: dict[str, Any] = {}
        given: dict[str, str] = {}  # field -> the key that gave it
        for key, value in record.items():
            at = self._index.get(key)
            name, cast = (key, None) if at is None else (self.names[at], self.casts[at])
            if name is None:
                continue
            if name in given:  # two keys of one field in one record: its issue
                problem = (name, f"one value (given as {given[name]!r} and {key!r})", "two")
                out.setdefault(READ_PROBLEMS, []).append(problem)
                continue
            given[name] = key
            out[name] = value if cast is None else cast(value)
        return out


def nameless(position: int) -> str:
    """The header of a column without one (from 1)."""
    return f"(column {position})"


def header_names(cells: Sequence[Any]) -> list[str]:
    """A header row's cells as column headers (stripped; a blank one is ``(column N)``)."""
    return [  # a byte-order mark left by a named UTF encoding is no part of a header
        ("" if c is None else str(c)).replace("\ufeff", "").strip() or nameless(i)
        for i, c in enumerate(cells, start=1)
    ]


def layout(
    headers: Sequence[str],
    criteria: Criteria | None,
    profile: ReadingProfile | None = None,
    *,
    table: bool = True,
) -> Layout:
    """The layout of columns under ``headers`` (each stripped, a nameless one
    ``(column N)``): matched to the fields of ``criteria`` by meaning (see the module), or,
    without criteria, each column the field of its header unless ``profile.columns``
    renames it. Raises :class:`ColumnsError` as the module says."""
    if len(headers) > MAX_COLUMNS:
        raise ColumnsError(
            f"{len(headers):,} columns, more than the {MAX_COLUMNS:,} a table may (as a sheet)",
            code="records.too-many-columns",
        )
    profile = profile or ReadingProfile()
    mapping = profile.columns
    known = _fields(criteria) if criteria is not None else None
    problems: list[str] = []
    if known is not None:
        wrong = sorted({v for v in mapping.values() if v is not None and v not in known.names})
        if wrong:
            problems.append(f"not a field of {known.scheme}: {', '.join(wrong)} ({known.listed})")
    # a key that is a header names that header only; another, the headers it folds to
    exact = {h for h in mapping if h in headers}
    folded_map = {fold(h): v for h, v in mapping.items() if h not in exact}
    present = {*headers, *map(fold, headers)}
    absent = [h for h in mapping if h not in present and fold(h) not in present]
    if absent:
        problems.append(f"mapped column(s) not in the file: {', '.join(absent)}")
    names: list[str | None] = []
    unread: list[str] = []
    for h in headers:
        if h in exact or fold(h) in folded_map:
            names.append(mapping[h] if h in exact else folded_map[fold(h)])
        elif known is None:
            names.append(h)
        else:
            found = known.match(h)
            if len(found) > 1:
                problems.append(f"column {h!r} could be {' or '.join(sorted(found))}")
            name = found.pop() if len(found) == 1 else None
            names.append(name)
            if name is None:
                unread.append(h)
    by_field: dict[str, list[str]] = {}
    for h, n in zip(headers, names, strict=True):
        if n is not None:
            by_field.setdefault(known.input_of(n) if known else n, []).append(h)
    twice = {f: hs for f, hs in by_field.items() if len(hs) > 1 and table}
    if twice:
        problems.extend(
            f"duplicate column(s) {hs[0]}"
            if len(set(hs)) == 1
            else f"columns {' and '.join(map(repr, hs))} both give {f}"
            for f, hs in twice.items()
        )
    if known is not None:
        problems.extend(known.slips(unread, set(by_field)))
        if mapping and not problems:
            needed = known.missing(set(by_field))
            if needed:
                problems.append(
                    f"no column for required input(s) {', '.join(needed)} of {known.scheme}; "
                    "map a header to each"
                )
        if profile.strict_columns and unread:
            problems.append(
                f"column(s) that are not fields of {known.scheme}: {', '.join(unread)} "
                "(strict columns: leave them out of the file, or map them to null)"
            )
    if problems:
        raise ColumnsError("; ".join(problems))
    casts = tuple(_cast_for(n, criteria, profile) if n is not None else None for n in names)
    return Layout(tuple(headers), tuple(names), casts, tuple(unread))


def key_layout(
    records: Iterable[Any], criteria: Criteria | None, profile: ReadingProfile | None = None
) -> Layout:
    """The layout of the keys of ``records`` (mappings; others are passed over), in the
    order they are first met, as if they were the headers of one table (but that two keys
    of one field are each record's own issue)."""
    seen: dict[str, None] = {}
    for record in records:
        if isinstance(record, Mapping):
            seen.update((k, None) for k in record if isinstance(k, str))
    return layout(list(seen), criteria, profile, table=False)


class _Fields:
    """The fields and identifiers of a scheme, by every folded name they go by."""

    def __init__(self, criteria: Criteria) -> None:
        self.criteria = criteria
        self.scheme = f"{criteria.id} {criteria.version}"
        self.names = {*criteria.fields, *criteria.identifiers}
        self.listed = "fields: " + ", ".join([*criteria.inputs, *criteria.identifiers])
        self.by_fold: dict[str, set[str]] = {}
        for name in self.names:
            self.by_fold.setdefault(fold(name), set()).add(self.input_of(name))
        for inp in criteria.inputs.values():
            self._labels(inp.name, inp.label.id, inp.label.en)
        for ident in criteria.identifiers.values():
            self._labels(ident.name, ident.label.id, ident.label.en)

    def _labels(self, name: str, *labels: str | None) -> None:
        for label in labels:
            if label:
                self.by_fold.setdefault(fold(label), set()).add(name)

    def input_of(self, name: str) -> str:
        """The input a field name gives (an identifier is its own)."""
        return self.criteria.fields.get(name, name)

    def match(self, header: str) -> set[str]:
        """The fields ``header`` may be: exactly one, or none, or (an error) several."""
        if header in self.names:
            return {header}
        return set(self.by_fold.get(fold(header), ()))

    def missing(self, given: set[str]) -> list[str]:
        """The inputs every subject must give (no default, not derived) not in ``given``."""
        needs = requirements(self.criteria).always
        return [
            i.name
            for i in self.criteria.inputs.values()
            if i.name in needs and i.name not in given and i.default is None and i.derive is None
        ]

    def slips(self, unread: list[str], given: set[str]) -> list[str]:
        """Each unread header that is a typing slip away (at most 2 edits, folded) from a
        required input that no column gives."""
        missing = [self.criteria.inputs[n] for n in self.missing(given)]
        out = []
        for header in unread[:_SLIPS]:
            near = [
                i.name
                for i in missing
                if any(_close(fold(header), fold(n)) for n in (i.name, *i.aliases))
            ]
            if near:
                out.append(
                    f"column {header!r} is not a field of {self.scheme}: did you mean "
                    f"{' or '.join(near)}? (map it with columns, or fix the header)"
                )
        return out


def _close(a: str, b: str, most: int = 2) -> bool:
    """Whether ``a`` is at most ``most`` edits (insert, delete, change, swap) from ``b``."""
    if abs(len(a) - len(b)) > most or a == b:
        return a == b
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        row = [i]
        for j, cb in enumerate(b, start=1):
            cost = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cost = min(cost, prev2[j - 2] + 1)
            row.append(cost)
        if min(row) > most:
            return False
        prev2, prev = prev, row
    return prev[-1] <= most


def _cast_for(name: str, criteria: Criteria | None, profile: ReadingProfile) -> Cast | None:
    """The cast of the column of field ``name``: the profile's spellings for it (checked
    against the input's values) and, for a number, decimal commas."""
    if criteria is not None and name in criteria.identifiers:
        return None  # an identifier is written as the file has it
    inp = criteria.inputs.get(criteria.fields.get(name, name)) if criteria is not None else None
    key = inp.name if inp is not None else name
    spellings = profile.values.get(name) or profile.values.get(key) or {}
    if inp is not None and spellings:
        _check_values(inp, spellings)
    comma = profile.decimal == "," and (inp is None or inp.type in ("number", "integer"))
    if not spellings and not comma:
        return None
    return _caster(dict(spellings), comma)


def _check_values(inp: Input, spellings: Mapping[str, Any]) -> None:
    wrong = []
    for spelling, value in spellings.items():
        try:
            coerce(inp, value)
        except BadValue as bad:
            wrong.append(f"{spelling!r} -> {value!r} (expected {bad.expected})")
    if wrong:
        raise ColumnsError(f"values.{inp.name}: not a value of {inp.name}: {'; '.join(wrong)}")


_COMMA_NUMBER = re.compile(r"^\s*([+-]?)(\d{1,3}(?:\.\d{3})+|\d+)(?:,(\d+))?\s*$")


def comma_number(text: str) -> str:
    """A number written with a decimal comma (``87,5``, ``1.234,5``) as one with a point
    (``87.5``, ``1234.5``); any other text unchanged."""
    m = _COMMA_NUMBER.match(text)
    if m is None:
        return text
    sign, whole, part = m.groups()
    return f"{sign}{whole.replace('.', '')}" + (f".{part}" if part else "")


def _caster(spellings: dict[str, Any], comma: bool) -> Cast:
    memo: dict[str, Any] = {}

    def cast(cell: Any) -> Any:
        if not isinstance(cell, str) or not cell.strip():  # a blank cell stays missing
            return cell
        try:
            return memo[cell]
        except KeyError:
            pass
        value = spellings.get(fold(cell), cell) if spellings else cell
        if comma and value is cell:
            value = comma_number(cell)
        if len(memo) < _MEMO:
            memo[cell] = value
        return value

    return cast


def header_score(
    cells: Sequence[Any], criteria: Criteria, profile: ReadingProfile | None = None
) -> int:  # keyword arguments, for functools.partial
    """How many of ``cells`` name a field of ``criteria`` (or a column of the profile's
    mapping): how likely the row is the header."""
    known = _fields(criteria)
    mapped = {fold(h) for h in (profile.columns if profile else {})}
    texts = [str(c).strip() for c in cells if isinstance(c, str) and c.strip()]
    return sum(1 for t in texts if fold(t) in mapped or len(known.match(t)) == 1)


@functools.lru_cache(maxsize=16)
def _fields(criteria: Criteria) -> _Fields:
    return _Fields(criteria)
