"""Scoring tables: :func:`asnmerit.evaluate_frame` for pandas and polars DataFrames and pyarrow
Tables (or record batches), with the columnar engine (:mod:`asnmerit.columnar`).

Row ``i`` of a table is scored as the record of its cells in the scheme's declared
columns (inputs, their aliases, identifiers; other columns are ignored), a null cell
(``None``, ``NaN``, ``NA``, ``NaT``) counting as missing: the result is the one
:func:`asnmerit.evaluate_records` gives that list of records, row by row.

Each input column is factorised (its distinct values are checked once), the rows are
grouped by their distinct combination of input values, and the compiled plan scores each
combination once; a combination the plan cannot score (a value missing or refused) goes
to the scalar evaluator, which gives its exact error (or derives the value). An
identifier with a format or ``unique`` is checked a column at a time (an NIP column of
texts on the bytes Arrow holds, :mod:`asnmerit.columnar.identifiers`); the rows it refuses or finds
shared are scored row by row as a batch does, and only their identifier cells are read.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any, Protocol

import attrs
import numpy as np

from .._values import TABLES, coerce, identifier_value, is_blank
from ..engine.batch import brief, clash_issues, score_row, warn_unread
from ..engine.evaluator import evaluate, gated
from ..engine.intake import duplicates
from ..errors import AsnmeritError, BadValue
from ..files.columns import Layout, layout
from ..files.profile import ReadingProfile
from ..model import BandPolicy, Criteria, Identifier
from ..results import Evaluation, RowResult
from .identifiers import identifier_keys, plain_nip_codes, repeats
from .plan import Codes, Encoded, Mask, Outcome, compile_plan, factorize

RESULT_COLUMNS = ("score", "band", "eligible", "error")
"""The columns :func:`asnmerit.evaluate_frame` adds after the identifying ones."""

INELIGIBLE = "ineligible"
"""The column, after ``eligible``, of a scheme with eligibility rules (or an award's
minimum band): the ids of the rules a scored row fails (``min_band`` for the award's
minimum), comma-separated; null for an eligible row."""


@attrs.frozen
class _Column:
    """One output column, dictionary-encoded: ``table[index[i]]`` (``-1``: null)."""

    kind: str  # "decimal", "float", "text", "bool" or "band"
    table: Sequence[Any]
    index: Codes
    places: int = 0
    """The decimal places a ``decimal`` column has at least (its declared rounding), so
    that every batch of one scheme gets one decimal type."""
    categories: tuple[str, ...] = ()
    """The values of a ``band`` column, in their order (the scheme's bands, lowest first)."""

    def ordered(self) -> Codes:
        """Each row's position in :attr:`categories` (``-1``: null)."""
        where = {c: k for k, c in enumerate(self.categories)}
        return np.asarray([*(where[v] for v in self.table), -1], np.int64)[self.index]

    def scale(self) -> tuple[int, int]:
        """The digits before the point, and the places, that hold every value."""
        scale = max((max(0, -int(v.as_tuple().exponent)) for v in self.table), default=0)
        whole = max((max(1, v.adjusted() + 1) for v in self.table), default=1)
        return whole, max(scale, self.places)


def score_frame(
    criteria: Criteria,
    table: Any,
    *,
    band_policy: BandPolicy | None = None,
    components: bool | Sequence[str] = False,
    scores: str = "decimal",
    keep: Sequence[str] | None = None,
    profile: ReadingProfile | None = None,
) -> Any:
    """:func:`asnmerit.evaluate_frame` (which checks that numpy is there first)."""
    if not isinstance(criteria, Criteria):
        raise TypeError(f"evaluate_frame scores with criteria, got {type(criteria).__name__}")
    if isinstance(keep, str):
        keep = [keep]
    frame = _adapter(table)
    lay = layout([str(c) for c in frame.columns], criteria, profile)
    if lay.unread:
        warn_unread(criteria, lay.unread, stacklevel=4)
    fields = _Fields(frame, lay)
    nodes = _components(criteria, components)
    kept = (
        list(keep)
        if keep is not None
        else [c for c, n in zip(frame.columns, lay.names, strict=True) if n in criteria.identifiers]
    )
    missing = [c for c in kept if c not in frame.columns]
    if missing:
        raise KeyError(f"no column {', '.join(map(repr, missing))} to keep")
    names = [*kept, *RESULT_COLUMNS[:-1], *[INELIGIBLE] * gated(criteria), *nodes, "error"]
    if len(set(names)) != len(names):
        raise ValueError(f"the result would have two columns of one name: {names}")
    columns = _score(criteria, fields, nodes, band_policy)
    if scores == "float":
        columns = {
            k: attrs.evolve(c, kind="float") if c.kind == "decimal" else c
            for k, c in columns.items()
        }
    return frame.build(kept, columns)


def _components(criteria: Criteria, components: bool | Sequence[str]) -> list[str]:
    if components is True:
        return [c.id for c in criteria.score.children]
    if components is False:
        return []
    known = {n.id for n in criteria.score.walk()}
    if criteria.award is not None:
        known |= {n.id for c in criteria.award.categories for n in c.score.walk()}
    unknown = [c for c in components if c not in known]
    if unknown:
        raise KeyError(f"no score node {', '.join(map(repr, unknown))} in {criteria.id}")
    return list(components)


@attrs.frozen
class Combinations:
    """A table's rows grouped by their distinct input cells, each combination run through
    the plan once (:func:`combinations`)."""

    declared: list[str]
    """The table's columns that are fields of the scheme (identifiers too)."""
    inputs: list[str]
    """Those that give inputs."""
    raw: dict[str, tuple[Codes, list[Any]]]
    """Each input column factorised: its cells' codes and distinct cells."""
    key: Codes
    """Each row's combination."""
    at: Any
    """Per combination, its code in each input column (``-1``: null)."""
    encoded: dict[str, Encoded]
    """Each input's normalised values, per combination."""
    outcome: Outcome
    scalar: Mask
    """The combinations the plan leaves to the scalar engine (or a refused cell)."""


def combinations(criteria: Criteria, frame: _Frame, band_policy: BandPolicy | None) -> Combinations:
    """Group ``frame``'s rows by their distinct input cells and score each combination
    once with the compiled plan (the first steps of :func:`asnmerit.evaluate_frame`, and of
    :func:`asnmerit.whatif.actions` of a table)."""
    declared = [c for c in frame.columns if c in criteria.identifiers or c in criteria.fields]
    inputs = [c for c in declared if c not in criteria.identifiers]
    raw = {c: frame.factorize(c) for c in inputs}
    # Rows with the same input cells are scored once: number the distinct combinations.
    key, combos = factorize(
        [raw[c][0] + 1 for c in inputs], [len(raw[c][1]) + 1 for c in inputs], frame.rows
    )
    at = np.asarray(combos, np.int64).reshape(len(combos), len(inputs)) - 1
    encoded: dict[str, Encoded] = {}
    refused = np.zeros(len(combos), np.bool_)
    given: dict[str, int] = {}
    for k, column in enumerate(inputs):
        name = criteria.fields[column]
        given[name] = given.get(name, 0) + 1
        values, index, bad = _encode(criteria, name, raw[column][1])
        refused |= bad[at[:, k]]
        encoded.setdefault(name, Encoded(index[at[:, k]], values))
    for name, inp in criteria.inputs.items():
        if name not in encoded:  # not a column: missing in every row, or its default
            default = [] if inp.default is None else [inp.default]
            encoded[name] = Encoded(np.full(len(combos), len(default) - 1, np.int64), default)
    if any(n > 1 for n in given.values()):
        refused[:] = True  # two columns give one input: the scalar engine says so
    outcome = compile_plan(criteria, band_policy).run(encoded, len(combos))
    return Combinations(
        declared, inputs, raw, key, at, encoded, outcome, outcome.fallback | refused
    )


def _score(  # long: group, plan, fall back and gather: the steps of one table, in order
    criteria: Criteria, frame: _Frame, nodes: list[str], band_policy: BandPolicy | None
) -> dict[str, _Column]:
    c = combinations(criteria, frame, band_policy)
    declared, inputs, raw, key, at = c.declared, c.inputs, c.raw, c.key, c.at
    outcome, scalar, combos = c.outcome, c.scalar, range(len(c.at))

    score = _Table(outcome.score.table)
    band = _Table(outcome.band)
    per_combo = {
        "score": outcome.score.codes.copy(),
        "band": np.asarray([*range(len(outcome.band)), -1], np.int64)[outcome.score.codes],
        "eligible": outcome.eligible.astype(np.int64),
        "error": np.full(len(combos), -1, np.int64),
    }
    reasons = _Table(())
    if gated(criteria):  # the rules each combination fails, named once
        failing = np.full(len(combos), -1, np.int64)
        for u in np.flatnonzero(~outcome.eligible).tolist():
            ids = [g for g, mask in outcome.failed.items() if mask[u]]
            failing[u] = reasons.add(", ".join(ids))
        per_combo[INELIGIBLE] = failing
    parts = {n: _Table(outcome.nodes[n].table) for n in nodes if n in outcome.nodes}
    for n in nodes:
        per_combo[n] = outcome.nodes[n].codes.copy() if n in parts else np.full(len(combos), -1)
        parts.setdefault(n, _Table(()))
    errors = _Table(())
    outputs = {"score": score, "band": band, "error": errors, INELIGIBLE: reasons, **parts}
    for u in np.flatnonzero(scalar).tolist():
        record = {c: _cell(raw[c][1], int(at[u, k])) for k, c in enumerate(inputs)}
        result = _scalar(criteria, record, band_policy)
        _place(per_combo, outputs, u, result, nodes)

    columns = {name: per_combo[name][key] for name in per_combo}
    for row, result in _identified(criteria, frame, declared, raw, band_policy):
        for name in columns:
            columns[name][row] = -1
        _place(columns, outputs, row, result, nodes)
    out = {
        "score": _Column("decimal", score.values, columns["score"], _places(criteria, None)),
        "band": _Column(
            "band",
            band.values,
            columns["band"],
            categories=tuple(b.code for b in criteria.bands.table),
        ),
        "eligible": _Column("bool", (False, True), columns["eligible"]),
    }
    if INELIGIBLE in columns:
        out[INELIGIBLE] = _Column("text", reasons.values, columns[INELIGIBLE])
    out.update(
        (n, _Column("decimal", parts[n].values, columns[n], _places(criteria, n))) for n in nodes
    )
    out["error"] = _Column("text", errors.values, columns["error"])
    return out


def _places(criteria: Criteria, node_id: str | None) -> int:
    """The places the scheme rounds a node (``None``: the score) to, else 0."""
    rounding = criteria.rounding
    if node_id is not None:
        nodes = {n.id: n for n in criteria.score.walk()}
        if criteria.award is not None:
            nodes.update((n.id, n) for c in criteria.award.categories for n in c.score.walk())
        own = nodes[node_id].rounding
        rounding = own or (rounding if rounding and rounding.stage == "nodes" else None)
    return rounding.places if rounding is not None else 0


class _Table:
    """Distinct values in order of arrival, each numbered once."""

    def __init__(self, values: Sequence[Any]) -> None:
        self.values: list[Any] = list(values)
        self._index = {str(v): k for k, v in enumerate(self.values)}

    def add(self, value: Any) -> int:
        key = str(value)
        if key not in self._index:
            self._index[key] = len(self.values)
            self.values.append(value)
        return self._index[key]


def _encode(criteria: Criteria, name: str, uniques: Sequence[Any]) -> tuple[list[Any], Codes, Any]:
    """The normalised values of one column's distinct cells (the last entry: a null
    cell), each cell's code among them (``-1``: no value), and which cells are refused."""
    inp = criteria.inputs[name]
    values = _Table(())
    index = np.full(len(uniques) + 1, -1, np.int64)
    bad = np.zeros(len(uniques) + 1, np.bool_)
    for k, cell in enumerate([*uniques, None]):
        if is_blank(cell):
            if inp.default is not None:
                index[k] = values.add(inp.default)
            continue
        try:
            index[k] = values.add(coerce(inp, cell))
        except BadValue:
            bad[k] = True
    return values.values, index, bad


def _cell(uniques: Sequence[Any], code: int) -> Any:
    return None if code < 0 else uniques[code]


def _scalar(
    criteria: Criteria, record: dict[str, Any], band_policy: BandPolicy | None
) -> Evaluation | AsnmeritError:
    try:
        return evaluate(criteria, record, band_policy=band_policy)
    except AsnmeritError as err:
        return err


def _place(
    at: dict[str, Any],
    outputs: Mapping[str, _Table],
    pos: int,
    result: Evaluation | AsnmeritError,
    nodes: list[str],
) -> None:
    """Write one scalar result into position ``pos`` of the per-combination or per-row
    code arrays ``at``."""
    gated = INELIGIBLE in at
    if not isinstance(result, Evaluation):
        at["score"][pos] = at["band"][pos] = at["eligible"][pos] = -1
        for n in [*nodes, *[INELIGIBLE] * gated]:
            at[n][pos] = -1
        at["error"][pos] = outputs["error"].add(brief(result))
        return
    at["score"][pos] = outputs["score"].add(result.score)
    at["band"][pos] = outputs["band"].add(result.band.code)
    at["eligible"][pos] = int(result.eligible)
    at["error"][pos] = -1
    if gated:
        ids = ", ".join(i.gate for i in result.ineligible)
        at[INELIGIBLE][pos] = outputs[INELIGIBLE].add(ids) if ids else -1
    for n in nodes:
        try:
            at[n][pos] = outputs[n].add(result.component(n).points)
        except KeyError:  # a branch or category this row did not reach
            at[n][pos] = -1


def _key_ids(keys: list[str | None]) -> Codes:
    """Each key's number (``-1`` for ``None``): one number for equal keys."""
    blank = keys.count(None)
    distinct = set(keys)
    distinct.discard(None)
    if len(distinct) == len(keys) - blank:  # as usual, no two alike
        ids = np.arange(len(keys))
        if blank:
            ids[np.array(keys, dtype=object) == None] = -1  # noqa: E711 - each element compared
        return ids
    index: dict[str, int] = {}
    return np.fromiter(
        (-1 if key is None else index.setdefault(key, len(index)) for key in keys),
        np.int64,
        len(keys),
    )


def _identified(
    criteria: Criteria,
    frame: _Frame,
    declared: list[str],
    raw: Mapping[str, tuple[Codes, list[Any]]],
    band_policy: BandPolicy | None,
) -> list[tuple[int, Evaluation | AsnmeritError]]:
    """The rows whose identifiers decide their result, scored row by row as a batch
    does: a value its format refuses, or the value of a ``unique`` one that other rows
    hold too. (``raw``: the factorised input columns; an identifier's cells are read
    for those rows only.)"""
    special = np.zeros(frame.rows, np.bool_)
    for column in declared:
        ident = criteria.identifiers.get(column)
        if ident is None:
            continue
        if ident.format is None and not ident.unique:  # a pass-through: refused only for
            codes, uniques = frame.factorize(column)  # a text no file can hold (a surrogate)
            bad = [k for k, v in enumerate(uniques) if _unwritable(ident, v)]
            if bad:
                special |= np.isin(codes, bad)
            continue
        refused, ids = _identifier_rows(ident, frame, column)
        special |= refused
        if ident.unique:
            special |= repeats(ids, -1)
    at = np.flatnonzero(special)
    if not len(at):
        return []
    rows = at.tolist()
    cells = {
        c: [_cell(raw[c][1], code) for code in raw[c][0][at].tolist()]
        if c in raw
        else frame.cells(c, at)
        for c in declared
    }
    records = [{c: cells[c][k] for c in declared} for k in range(len(rows))]
    shared = duplicates(criteria, records)
    in_table: dict[int, list[int]] = {}  # each value's rows, in the table (mapped once)
    out: list[tuple[int, Evaluation | AsnmeritError]] = []
    for pos, (row, rec) in enumerate(zip(rows, records, strict=True)):
        found = [
            (f, in_table.setdefault(id(same), [rows[p] for p in same]))
            for f, same in shared.get(pos, [])
        ]
        result: RowResult = score_row(
            criteria, row + 1, rec, clash_issues(rec, found, row), band_policy=band_policy
        )
        assert result.evaluation is not None or result.error is not None
        out.append((row, result.evaluation or result.error))  # type: ignore[arg-type]
    return out


def _unwritable(ident: Identifier, value: Any) -> bool:
    """Whether a pass-through identifier's value is refused (see
    :func:`~asnmerit._values.identifier_value`)."""
    try:
        identifier_value(ident, value)
    except BadValue:
        return True
    return False


def _identifier_rows(ident: Identifier, frame: _Frame, column: str) -> tuple[Mask, Codes]:
    """For each row of identifier ``ident``'s column: whether its format refuses the
    cell, and a number for the cell's key (:func:`~asnmerit._values.identifier_key`),
    equal for equal keys (``-1``: no key)."""
    chunks = frame.texts(column) if ident.format == "nip" else None
    if chunks is not None:  # UTF-8 texts: the plain NIPs are read from their bytes
        parts = [_nip_rows(ident, chunk) for chunk in chunks]
        if not parts:
            return np.zeros(0, np.bool_), np.zeros(0, np.int64)
        return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])
    return _identifier_cells(ident, *frame.factorize(column))


def _identifier_cells(ident: Identifier, codes: Codes, uniques: list[Any]) -> tuple[Mask, Codes]:
    """:func:`_identifier_rows` of a factorised column: each distinct value checked once."""
    keys, refused = identifier_keys(ident, uniques)
    ids = np.append(_key_ids(keys), -1)[codes]
    return np.append(np.asarray(refused, np.bool_), False)[codes], ids


_NIP_WIDTH = 18


def _nip_rows(ident: Identifier, texts: Any) -> tuple[Mask, Codes]:
    """:func:`_identifier_rows` of an NIP column held as one Arrow array of UTF-8 texts.

    A plain NIP (:func:`asnmerit.columnar.identifiers.plain_nip_codes`, read on the bytes of the texts of
    18 bytes) is its own key, numbered by the number its digits write; every other cell
    goes to the scalar check, and a key of 18 digits gets that number too (a printed
    form is the same NIP as its plain form), any other key a negative number below -1."""
    n = len(texts)
    valid = np.ones(n, np.bool_)
    if texts.null_count:
        valid = np.asarray(texts.is_valid().to_numpy(zero_copy_only=False), np.bool_)
    ids = np.full(n, -1, np.int64)
    refused = np.zeros(n, np.bool_)
    sized = valid & (np.diff(_offsets(texts)) == _NIP_WIDTH)
    at = np.flatnonzero(sized)
    if len(at):
        packed = texts if len(at) == n else texts.take(at)  # the texts, end to end
        first = int(_offsets(packed)[0])
        data = np.frombuffer(packed.buffers()[2], np.uint8)
        codes = data[first : first + _NIP_WIDTH * len(at)].reshape(len(at), _NIP_WIDTH)
        plain, number = plain_nip_codes(codes)
        ids[at[plain]] = number[plain]
        sized[at[~plain]] = False
    others = np.flatnonzero(valid & ~sized)  # any cell not a plain NIP
    if len(others):
        cells = texts.take(others).to_pylist()
        distinct = list(dict.fromkeys(cells))
        keys, bad = identifier_keys(ident, distinct)
        index: dict[str, int] = {}
        numbers = [_key_number(k, index) for k in keys]
        found = {v: k for k, v in enumerate(distinct)}
        pos = np.fromiter((found[v] for v in cells), np.int64, len(cells))
        ids[others] = np.asarray(numbers, np.int64)[pos]
        refused[others] = np.asarray(bad, np.bool_)[pos]
    return refused, ids


def _key_number(key: str | None, index: dict[str, int]) -> int:
    """The number of a key for :func:`_nip_rows` (``index``: the other keys seen)."""
    if key is None:
        return -1
    if len(key) == _NIP_WIDTH and key.isascii() and key.isdigit():
        return int(key)
    return -2 - index.setdefault(key, len(index))


def _offsets(texts: Any) -> Codes:
    """The ``len(texts) + 1`` offsets of an Arrow string or large_string array."""
    kind = np.int64 if texts.type.id == _large_string_id() else np.int32
    buffer = texts.buffers()[1]
    if buffer is None:
        return np.zeros(len(texts) + 1, np.int64)
    offsets = np.frombuffer(buffer, kind)[texts.offset : texts.offset + len(texts) + 1]
    return offsets.astype(np.int64, copy=False)


def _large_string_id() -> int:
    import pyarrow as pa

    return int(pa.large_string().id)


# -- the kinds of table ---------------------------------------------------------------------


def _is_null(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return type(value).__name__ in ("NAType", "NaTType")


def _factorize_cells(cells: Sequence[Any]) -> tuple[Codes, list[Any]]:
    """Number distinct cells by type and value (``1``, ``1.0``, ``True`` and ``"1"`` stay
    apart; a null is ``-1``)."""
    index: dict[tuple[type, Any], int] = {}
    uniques: list[Any] = []
    codes = np.empty(len(cells), np.int64)
    for i, cell in enumerate(cells):
        if _is_null(cell):
            codes[i] = -1
            continue
        key = (type(cell), str(cell) if isinstance(cell, Decimal | float) else cell)
        try:
            code = index[key]
        except KeyError:
            code = index[key] = len(uniques)
            uniques.append(cell)
        except TypeError:  # an unhashable cell (a list): its own value
            code = len(uniques)
            uniques.append(cell)
        codes[i] = code
    return codes, uniques


class _Frame(Protocol):
    """What :func:`asnmerit.evaluate_frame` needs of a table: its columns, its rows, each column's
    distinct cells, some rows' cells, a column of text as Arrow arrays, and a way to
    build a result of the same kind."""

    columns: list[str]
    rows: int

    def factorize(self, name: str) -> tuple[Codes, list[Any]]: ...

    def cells(self, name: str, rows: Codes) -> list[Any]:
        """The cells of column ``name`` in ``rows`` (a null: ``None``)."""
        ...

    def texts(self, name: str) -> list[Any] | None:
        """Column ``name`` as Arrow ``string`` or ``large_string`` arrays, one after the
        other, when it is held as UTF-8 texts in Arrow; else ``None``."""
        ...

    def build(self, kept: list[str], columns: Mapping[str, _Column]) -> Any: ...


def _objects(col: _Column) -> Any:
    values: list[Any] = list(col.table)
    if col.kind == "float":
        values = [float(v) for v in values]
    return np.asarray([*values, None], object)[col.index]


class _Fields:
    """A table seen through a layout: its columns named by the fields they give (the
    columns not read left out), each column's cells through its cast."""

    def __init__(self, frame: _Frame, lay: Layout) -> None:
        self.frame, self.rows = frame, frame.rows
        read = [(c, n, k) for c, n, k in zip(frame.columns, lay.names, lay.casts, strict=True)]
        self.source = {n: c for c, n, _ in read if n is not None}
        self.casts = {n: k for _, n, k in read if n is not None and k is not None}
        self.columns = list(self.source)

    def factorize(self, name: str) -> tuple[Codes, list[Any]]:
        codes, uniques = self.frame.factorize(self.source[name])
        cast = self.casts.get(name)
        return (codes, uniques) if cast is None else (codes, [cast(u) for u in uniques])

    def cells(self, name: str, rows: Codes) -> list[Any]:
        cells = self.frame.cells(self.source[name], rows)
        cast = self.casts.get(name)
        return cells if cast is None else [cast(c) for c in cells]

    def texts(self, name: str) -> list[Any] | None:
        return None if name in self.casts else self.frame.texts(self.source[name])

    def build(self, kept: list[str], columns: Mapping[str, _Column]) -> Any:
        return self.frame.build(kept, columns)


class _Pandas:
    def __init__(self, table: Any) -> None:
        import pandas as pd

        self.pd = pd
        self.table = table
        self.columns = [c for c in table.columns if isinstance(c, str)]
        self.rows = len(table)

    def factorize(self, name: str) -> tuple[Codes, list[Any]]:
        series = self.table[name]
        if series.dtype == object and self.pd.api.types.infer_dtype(series) not in (
            "string",
            "empty",
        ):
            return _factorize_cells(series.tolist())
        codes, uniques = self.pd.factorize(series, use_na_sentinel=True)
        return np.asarray(codes, np.int64), list(uniques.tolist())

    def cells(self, name: str, rows: Codes) -> list[Any]:
        return [None if _is_null(v) else v for v in self.table[name].iloc[rows].tolist()]

    def texts(self, name: str) -> list[Any] | None:
        series = self.table[name]
        dtype = series.dtype
        if getattr(dtype, "storage", None) in ("pyarrow", "pyarrow_numpy") or (
            isinstance(dtype, self.pd.ArrowDtype)
        ):
            return _arrow_texts(series.array.__arrow_array__())
        if series.dtype == object and self.pd.api.types.infer_dtype(series) == "string":
            try:  # texts and nulls only: one copy to Arrow is cheaper than a loop
                import pyarrow as pa
            except ImportError:
                return None
            values = series.to_numpy()
            return [pa.array(values, type=pa.large_string(), from_pandas=True)]
        return None

    def build(self, kept: list[str], columns: Mapping[str, _Column]) -> Any:
        pd = self.pd
        data: dict[str, Any] = {k: self.table[k] for k in kept}  # its own dtype, as it is
        text = pd.StringDtype()  # one dtype whatever the rows hold (Dask's meta)
        for name, col in columns.items():
            if col.kind == "bool":
                values = np.append(np.asarray(col.table, np.bool_), False)[col.index]
                data[name] = pd.arrays.BooleanArray(values, col.index < 0)
            elif col.kind == "band":  # ordered as the bands are: sorts, crosstabs, plots
                data[name] = pd.Categorical.from_codes(
                    col.ordered(), dtype=pd.CategoricalDtype(list(col.categories), ordered=True)
                )
            elif col.kind == "float":
                data[name] = np.asarray([*map(float, col.table), math.nan])[col.index]
            elif col.kind == "text" and text.storage == "pyarrow":  # no Python string a row
                data[name] = pd.array(_arrow_array(col), dtype=text)
            elif col.kind == "text":
                data[name] = pd.array(_objects(col), dtype=text)
            else:
                data[name] = _objects(col)
        return pd.DataFrame(data, index=self.table.index)


def _arrow_type(col: _Column) -> Any:
    import pyarrow as pa

    if col.kind == "bool":
        return pa.bool_()
    if col.kind == "float":
        return pa.float64()
    if col.kind == "text":
        return pa.string()
    if col.kind == "band":
        return pa.dictionary(pa.int8(), pa.string(), ordered=True)
    whole, scale = col.scale()
    if whole + scale <= 38:  # one type for every batch whose values fit
        return pa.decimal128(38, scale)
    return pa.decimal256(76, scale)


def _arrow_array(col: _Column) -> Any:
    import pyarrow as pa

    if col.kind == "band":  # a dictionary of the bands in their order
        codes = col.ordered()
        indices = pa.array(codes.astype(np.int8), mask=codes < 0)
        return pa.DictionaryArray.from_arrays(indices, pa.array(col.categories), ordered=True)
    values: list[Any] = list(col.table)
    if col.kind == "float":
        values = [float(v) for v in values]
    dictionary = pa.array([*values, None], _arrow_type(col))
    return dictionary.take(pa.array(np.where(col.index < 0, len(values), col.index)))


class _Arrow:
    def __init__(self, table: Any) -> None:
        self.table = table
        self.columns = list(table.schema.names)
        self.rows = table.num_rows

    def factorize(self, name: str) -> tuple[Codes, list[Any]]:
        return _arrow_factorize(self.table.column(name))

    def cells(self, name: str, rows: Codes) -> list[Any]:
        return list(self.table.column(name).take(rows).to_pylist())

    def texts(self, name: str) -> list[Any] | None:
        return _arrow_texts(self.table.column(name))

    def build(self, kept: list[str], columns: Mapping[str, _Column]) -> Any:
        import pyarrow as pa

        arrays = [self.table.column(k) for k in kept]
        arrays += [_arrow_array(c) for c in columns.values()]
        names = [*kept, *columns]
        if isinstance(self.table, pa.RecordBatch):
            return pa.RecordBatch.from_arrays(arrays, names=names)
        return pa.Table.from_arrays(arrays, names=names)


def _arrow_texts(column: Any) -> list[Any] | None:
    """The chunks of an Arrow array or chunked array of texts (a ``string_view`` one
    cast to ``large_string``), or ``None`` for another type."""
    import pyarrow as pa

    kind = column.type
    if pa.types.is_string_view(kind):
        column = column.cast(pa.large_string())
    elif not (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
        return None
    return list(column.chunks) if isinstance(column, pa.ChunkedArray) else [column]


def _arrow_factorize(column: Any) -> tuple[Codes, list[Any]]:
    import pyarrow as pa
    import pyarrow.compute as pc

    kind = column.type
    if pa.types.is_dictionary(kind):  # a pandas categorical, a polars Categorical or Enum
        column, kind = column.cast(kind.value_type), kind.value_type
    if pa.types.is_string_view(kind):
        column = column.cast(pa.large_string())
    elif pa.types.is_binary_view(kind):
        column = column.cast(pa.large_binary())
    elif pa.types.is_nested(kind):  # lists, structs, maps: no Arrow kernel; each by value
        return _factorize_cells(column.to_pylist())
    uniques = pc.unique(column).drop_null()
    codes = pc.fill_null(pc.index_in(column, value_set=uniques), -1)
    return np.asarray(codes.to_numpy(zero_copy_only=False), np.int64), uniques.to_pylist()


class _Polars:
    def __init__(self, table: Any) -> None:
        import polars as pl

        self.pl = pl
        self.table = table
        self.columns = list(table.columns)
        self.rows = table.height

    def factorize(self, name: str) -> tuple[Codes, list[Any]]:
        series = self.table[name]
        try:
            return _arrow_factorize(series.to_arrow())
        except ImportError:  # polars without pyarrow: one pass in Python
            return _factorize_cells(series.to_list())

    def cells(self, name: str, rows: Codes) -> list[Any]:
        series = self.table[name].gather(rows)
        try:  # the values factorize gives
            return list(series.to_arrow().to_pylist())
        except ImportError:
            return [None if _is_null(v) else v for v in series.to_list()]

    def texts(self, name: str) -> list[Any] | None:
        series = self.table[name]
        if series.dtype != self.pl.String:
            return None
        try:
            return _arrow_texts(series.to_arrow())
        except ImportError:
            return None

    def build(self, kept: list[str], columns: Mapping[str, _Column]) -> Any:
        out = [self.table[k] for k in kept]
        out += [_polars_series(self.pl, name, col) for name, col in columns.items()]
        return self.pl.DataFrame(out)


def _polars_series(pl: Any, name: str, col: _Column) -> Any:
    """One result column for polars: from Arrow when pyarrow is there (no Python object
    a row), else from the values."""
    if col.kind == "band":  # an Enum of the bands in their order
        enum = pl.Enum(list(col.categories))
        try:
            texts = pl.Series(name, _arrow_array(attrs.evolve(col, kind="text")), dtype=pl.String)
        except ImportError:  # polars without pyarrow
            texts = pl.Series(name, _objects(col).tolist(), dtype=pl.String)
        return texts.cast(enum)
    dtype = {"bool": pl.Boolean, "float": pl.Float64, "text": pl.String}.get(col.kind)
    if dtype is None:
        whole, scale = col.scale()
        if whole + scale > 38:  # beyond a 128-bit decimal: exact text
            texts = [None if v is None else str(v) for v in _objects(col).tolist()]
            return pl.Series(name, texts, dtype=pl.String)
        dtype = pl.Decimal(precision=38, scale=scale)
    try:
        return pl.Series(name, _arrow_array(col), dtype=dtype)
    except ImportError:  # polars without pyarrow
        return pl.Series(name, _objects(col).tolist(), dtype=dtype)


_KINDS: dict[str, Callable[[Any], _Frame]] = {
    "pandas": _Pandas,
    "polars": _Polars,
    "pyarrow": _Arrow,
}


_HINTS = {
    "LazyFrame": ": collect() it first, or score each batch (map_batches)",
    "Series": ": pass a DataFrame of the record's columns (series.to_frame())",
    "ChunkedArray": ": pass a Table of the record's columns",
}


def _adapter(table: Any) -> _Frame:
    root = type(table).__module__.split(".")[0]
    kind = _KINDS.get(root)
    name = type(table).__name__
    if kind is not None and name not in TABLES[root]:
        raise TypeError(
            f"evaluate_frame takes a table of records, got a {root} {name}{_HINTS.get(name, '')}"
        )
    if kind is None:
        raise TypeError(
            "evaluate_frame takes a pandas or polars DataFrame or a pyarrow Table or "
            f"RecordBatch, got {type(table).__module__}.{type(table).__name__}"
        )
    return kind(table)
