"""Result tables read a column at a time: the pandas, polars and pyarrow tables
:func:`asnmerit.evaluate_frame` returns, as the verbs that combine results take them.

A result table has a ``score`` column (exact decimals, or floats with
``float_scores``), ``band``, ``eligible`` and ``error`` (null for a scored row), one
column per score node it was asked for, and the columns it kept (by default the
scheme's identifiers, under the names they had). A row is *scored* when its score is
not null; the others are the rows a batch rejects.

A field is found by its own name, else by the column that names it by meaning (as a
records file's headers are matched); any other column of the table may group too (a
province joined from a lookup table). A field's values are those
:func:`~asnmerit.engine.batch.fields_of` gives the same row's result: an identifier
normalised by its format, an input read by its type (its default for a blank cell),
and no input value for a rejected row. Each distinct cell is read once.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import numpy as np

from .._values import coerce, is_blank, writable
from ..columnar import TABLES
from ..columnar.frame import RESULT_COLUMNS, _adapter, _Frame, _Pandas
from ..columnar.plan import Codes, factorize
from ..engine.batch import identifier_shown
from ..errors import AsnmeritError, BadValue, ColumnsError
from ..files.columns import layout
from ..model import Criteria
from .grouping import Key, group_key


class ScoredTable:
    """A result table of one scheme version, read a column at a time."""

    def __init__(self, table: Any, criteria: Criteria | None, verb: str) -> None:
        if criteria is None:
            raise AsnmeritError(
                f"{verb} of a table needs the criteria it was scored with: "
                f"{verb}(table, ..., criteria=...)"
            )
        if not isinstance(criteria, Criteria):
            raise TypeError(f"criteria: a Criteria, got {type(criteria).__name__}")
        self.criteria = criteria
        self.verb = verb
        refuse_non_table(table, verb)
        _refuse_repeated_names(table, verb)
        self.table = table
        self.frame: _Frame = _adapter(table)
        self.rows = self.frame.rows
        self.columns = list(self.frame.columns)
        self._decimals: dict[str, tuple[Codes, list[Decimal]]] = {}
        if "score" not in self.columns:
            raise AsnmeritError(
                f"{verb} takes the table evaluate_frame returns (with a score column); this "
                f"one has {_listed(self.columns)}"
            )
        self.scored = self.decimals("score")[0] >= 0
        self._check_bands()
        self._fields = self._field_columns()

    def _check_bands(self) -> None:
        """A table of another scheme is refused: its bands are not this scheme's."""
        if "band" not in self.columns:
            return
        known = {b.code for b in self.criteria.bands.table}
        strange = [b for b in self.frame.factorize("band")[1] if b not in known]
        if strange:
            raise AsnmeritError(
                f"the table's bands ({_listed(map(str, strange[:5]))}) are not bands of "
                f"{self.criteria.id} {self.criteria.version}: was it scored with other criteria?"
            )

    def _field_columns(self) -> dict[str, str]:
        """Each field of the scheme the table has a column of: by name, else by meaning."""
        scheme = self.criteria
        known = {*scheme.identifiers, *scheme.inputs}
        found = {c: c for c in self.columns if c in known}
        others = [c for c in self.columns if c not in found and c not in _results(self)]
        try:
            lay = layout(others, scheme)
        except ColumnsError:  # an unclear header: fields are found by their names only
            return found
        for column, name in zip(others, lay.names, strict=True):
            if name is not None and name in known and name not in found:
                found[name] = column
        return found

    def has(self, name: str) -> bool:
        """Whether the table has a column for ``name`` (a field or any column)."""
        return name in self._fields or name in self.columns

    def require(self, names: Sequence[str], why: str, fix: str) -> None:
        """Refuse the table when it has no column for one of ``names``."""
        missing = [n for n in names if not self.has(n)]
        if missing:
            indexed = [n for n in missing if n in _index_names(self.table)]
            if indexed:  # a pandas table whose index holds the fields (set_index, groupby)
                fix = f"{_listed(indexed)} is in the table's index: pass table.reset_index()"
            raise AsnmeritError(
                f"{self.verb} {why}, and the table has no column {_listed(missing)} "
                f"(its columns: {_listed(self.columns)}): {fix}"
            )

    def decimals(self, column: str) -> tuple[Codes, list[Decimal]]:
        """Column ``column`` of numbers: each row's code (``-1``: null) and the distinct
        values as decimals (a float by its shortest text). Read once."""
        if column not in self._decimals:
            self._decimals[column] = self._read_decimals(column)
        return self._decimals[column]

    def _read_decimals(self, column: str) -> tuple[Codes, list[Decimal]]:
        codes, uniques = _factorize_numbers(self.frame, column)
        values = []
        for k, u in enumerate(uniques):
            if isinstance(u, Decimal):
                value = u
            elif isinstance(u, int | float) and not isinstance(u, bool):
                value = Decimal(repr(float(u)) if isinstance(u, float) else u)
            else:
                raise AsnmeritError(
                    f"column {column!r} of the table holds {type(u).__name__} values, not "
                    f"numbers ({writable(u)!r:.40} on row {self._first(codes, k)}): give it the "
                    "numbers evaluate_frame wrote (decimals, or floats), e.g. "
                    "table[column].map(decimal.Decimal) for texts of numbers"
                )
            if not value.is_finite():  # no mean of an infinity: a cell edited by hand
                raise AsnmeritError(
                    f"column {column!r} of the table holds {value} on row "
                    f"{self._first(codes, k)}: a score is a finite number (or empty for a "
                    "row that was not scored)"
                )
            values.append(value)
        return codes, values

    def _first(self, codes: Codes, code: int) -> int:
        """The position (from 1) of the first row holding ``code``."""
        return int(np.flatnonzero(codes == code)[0]) + 1

    def values(self, name: str) -> tuple[Codes, list[Any]]:
        """Field (or column) ``name``: each row's code (``-1``: no value) and the
        distinct values, as the rows' results give them (see the module)."""
        column = self._fields.get(name, name)
        codes, uniques = self.frame.factorize(column)
        ident = self.criteria.identifiers.get(name)
        inp = self.criteria.inputs.get(name) if ident is None else None
        if ident is not None:
            uniques = [identifier_shown(ident, u) for u in uniques]
        elif inp is not None and name in self._fields:
            codes = codes.copy()
            blank = [k for k, u in enumerate(uniques) if is_blank(u)]
            uniques = [None if is_blank(u) else _input(inp, u) for u in uniques]
            if inp.default is not None:  # a blank cell gave the default
                codes[np.isin(codes, [-1, *blank])] = len(uniques)
                uniques.append(inp.default)
            codes[~self.scored] = -1  # a rejected row has no input values
        return codes, uniques

    def keys(self, names: Sequence[str]) -> tuple[Codes, list[dict[str, Any]], list[Key]]:
        """The rows grouped by the values of ``names``: each row's group (numbered in
        order of first appearance), each group's values (those of its first row), and
        each group's key (:func:`~asnmerit.analysis.grouping.group_key` of them)."""
        ids: list[Codes] = []
        sizes: list[int] = []
        firsts: list[list[Any]] = []
        for name in names:
            codes, uniques = self.values(name)
            cells = [*uniques, None]  # a null cell: code -1, the last
            index: dict[Key, int] = {}
            number = [index.setdefault(group_key(u), len(index)) for u in cells]
            first = np.full(len(cells), self.rows, np.int64)
            np.minimum.at(first, codes, np.arange(self.rows, dtype=np.int64))
            values: list[Any] = [None] * len(index)
            seen = [self.rows + 1] * len(index)
            for u, k, row in zip(cells, number, first.tolist(), strict=True):
                if row < seen[k]:  # the value of the key's first row
                    values[k], seen[k] = u, row
            ids.append(np.asarray(number, np.int64)[codes])
            sizes.append(len(index))
            firsts.append(values)
        key, combos = factorize(ids, sizes, self.rows)
        if not self.rows:  # no row, no group (not even the one of no field)
            combos = []
        order = _first_seen(key, len(combos))
        renumber = np.empty(len(combos), np.int64)
        renumber[order] = np.arange(len(combos))
        groups = [{n: firsts[k][combos[c][k]] for k, n in enumerate(names)} for c in order.tolist()]
        keys = [tuple(group_key(g[n]) for n in names) for g in groups]
        return renumber[key], groups, keys


def _results(table: ScoredTable) -> set[str]:
    """The columns evaluate_frame adds: its result columns and score nodes."""
    nodes = {n.id for n in table.criteria.score.walk()}
    if table.criteria.award is not None:
        nodes |= {n.id for c in table.criteria.award.categories for n in c.score.walk()}
    return {*RESULT_COLUMNS, *nodes}


def _first_seen(key: Codes, count: int) -> Codes:
    """The numbers ``0 .. count-1`` of ``key`` ordered by the first row holding each."""
    first = np.full(count, len(key), np.int64)
    np.minimum.at(first, key, np.arange(len(key), dtype=np.int64))
    return np.argsort(first, kind="stable")


def _input(inp: Any, value: Any) -> Any:
    try:
        return coerce(inp, value)
    except BadValue:  # never reached for a scored row, whose inputs were read
        return None


def _factorize_numbers(frame: _Frame, column: str) -> tuple[Codes, list[Any]]:
    """A number column's codes and distinct values: a pandas column of decimals by its
    hash (one pass in C) rather than cell by cell."""
    if isinstance(frame, _Pandas):
        series = frame.table[column]
        if series.dtype == object:
            codes, uniques = frame.pd.factorize(series, use_na_sentinel=True)
            return np.asarray(codes, np.int64), list(uniques.tolist())
    return frame.factorize(column)


_NOT_TABLES = {
    "LazyFrame": "collect() it first",
    "Series": "pass the whole table evaluate_frame returned, not one column",
    "ChunkedArray": "pass the whole table evaluate_frame returned, not one column",
    "Array": "pass the whole table evaluate_frame returned, not one column",
}


def is_table_like(value: Any) -> bool:
    """Whether ``value`` is an object of pandas, polars or pyarrow (a table or not)."""
    return type(value).__module__.split(".")[0] in TABLES


def refuse_non_table(value: Any, verb: str) -> None:
    """Refuse an object of a table library that is not a table (a LazyFrame, a column),
    naming what to pass instead."""
    kind = type(value)
    root = kind.__module__.split(".")[0]
    if root in TABLES and kind.__name__ not in TABLES[root]:
        hint = next((h for n, h in _NOT_TABLES.items() if kind.__name__.endswith(n)), None)
        raise TypeError(
            f"{verb} takes the table evaluate_frame returns (a pandas or polars DataFrame, a "
            f"pyarrow Table or RecordBatch), got a {root} {kind.__name__}"
            + (f": {hint}" if hint else "")
        )


def _refuse_repeated_names(table: Any, verb: str) -> None:
    """Refuse a table with two columns of one name (which of them is the score?)."""
    root = type(table).__module__.split(".")[0]
    names = list(table.columns) if root == "pandas" else list(getattr(table, "column_names", ()))
    twice = [n for n in dict.fromkeys(names) if names.count(n) > 1]
    if twice:
        raise AsnmeritError(
            f"{verb}: the table has two columns named {_listed(twice)}; rename or drop one "
            "(which holds the values is not clear)"
        )


def _index_names(table: Any) -> list[str]:
    """The names of a pandas table's index levels (none for other tables)."""
    index = getattr(table, "index", None)
    if type(table).__module__.split(".")[0] != "pandas" or index is None:
        return []
    return [n for n in index.names if isinstance(n, str)]


def _listed(names: Any) -> str:
    return ", ".join(repr(str(n)) for n in names) or "none"
