"""Agency-level results from employee results: counts, means and the band of the mean.

An agency's IP ASN is the mean of its employees' totals, published with the mean of each
dimension; the criteria file's ``aggregate`` block declares how means are rounded (the
total and each dimension separately, so rounded dimensions need not add up to the
rounded total) and which field splits the rows into strata (PNS and PPPK), whose
combination is the headcount-weighted mean. Rows are grouped by
:func:`~asnmerit.analysis.grouping.group_key` of their values, strata too. All arithmetic is exact: a mean is rounded
once, from the exact fraction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import attrs

from .. import _decimal as D
from .._render import Column, band_column, shown, text
from .._values import json_value
from ..columnar import TABLES, is_table
from ..engine.batch import check_fields, fields_of, unpack
from ..errors import AsnmeritError
from ..model import Band, Criteria, Rounding, frozen
from ..results import Evaluation, Result, Tabular
from .grouping import Key, group_key

if TYPE_CHECKING:
    from .scored import ScoredTable


@attrs.frozen
class GroupResult:
    """One row of an aggregate: a group (and stratum) with its count and means."""

    key: Mapping[str, Any] = attrs.field(converter=frozen)
    """The values of the ``by`` fields."""
    stratum: str | None
    """The stratum (e.g. ``PNS``); ``None`` on the row that combines all strata."""
    label: str
    """The stratum as shown (the combined row's label, e.g. ``ASN``)."""
    count: int
    rejected: int
    """Rows of this group that could not be scored (counted, never dropped)."""
    score: Decimal | None
    """The mean total, rounded as declared; ``None`` when no row was scored."""
    band: Band | None
    components: Mapping[str, Decimal] = attrs.field(converter=frozen)
    """The mean points of each top-level dimension, rounded as declared."""
    exact: Fraction | None
    """The unrounded mean total."""


@attrs.frozen(repr=False)
class Aggregate(Tabular):
    """Results aggregated by group, for one version of one scheme. Its repr is one line
    (``<Aggregate ip-asn 2019 by instansi: 6 rows>``); ``to_frame()`` and ``rows()`` give
    the table."""

    scheme: str
    version: str
    digest: str
    by: tuple[str, ...]
    stratify: str | None
    rounding: Rounding
    groups: tuple[GroupResult, ...]
    criteria: Criteria | None = attrs.field(default=None, eq=False, repr=False)
    """The scheme the results come from (for labels and the order of bands)."""

    def rows(self, lang: str = "id") -> list[dict[str, Any]]:
        """One flat record per group row (as text where a CSV needs it)."""
        out = []
        for g in self.groups:
            row: dict[str, Any] = {k: shown(g.key.get(k)) for k in self.by}
            if self.stratify is not None:
                row[self.stratify] = g.label
            row.update(
                count=g.count,
                rejected=g.rejected,
                score=None if g.score is None else D.plain(g.score),
                band=None if g.band is None else g.band.code,
                band_label=None if g.band is None else g.band.label.get(lang),
            )
            row.update((k, D.plain(v)) for k, v in g.components.items())
            out.append(row)
        return out

    def __repr__(self) -> str:
        by = ", ".join(self.by) or "(all)"
        return f"<Aggregate {self.scheme} {self.version} by {by}: {len(self.groups)} rows>"

    def _columns(self, lang: str) -> list[Column]:
        order = [b.code for b in self.criteria.bands.table] if self.criteria else []
        seen = [g.band.code for g in self.groups if g.band is not None]
        parts = list(dict.fromkeys(k for g in self.groups for k in g.components))
        return [
            *(Column(f, "text") for f in self.by),
            *([Column(self.stratify, "text")] if self.stratify is not None else []),
            Column("count", "int"),
            Column("rejected", "int"),
            Column("score", "decimal"),
            band_column("band", order, seen),
            *(Column(k, "decimal") for k in parts),
        ]

    def _records(self, lang: str) -> list[dict[str, Any]]:
        out = []
        for g in self.groups:
            row: dict[str, Any] = {k: text(g.key.get(k)) for k in self.by}
            if self.stratify is not None:
                row[self.stratify] = g.label
            row.update(
                count=g.count,
                rejected=g.rejected,
                score=g.score,
                band=None if g.band is None else g.band.code,
            )
            row.update(g.components)
            out.append(row)
        return out

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form (format ``asnmerit.aggregate/1``)."""
        return {
            "format": "asnmerit.aggregate/1",
            "scheme": self.scheme,
            "version": self.version,
            "digest": self.digest,
            "by": list(self.by),
            "stratify": self.stratify,
            "rounding": attrs.asdict(self.rounding),
            "groups": [
                {
                    "key": json_value(g.key),
                    "stratum": g.stratum,
                    "label": g.label,
                    "count": g.count,
                    "rejected": g.rejected,
                    "score": None if g.score is None else D.plain(g.score),
                    "band": None if g.band is None else g.band.code,
                    "components": {k: D.plain(v) for k, v in g.components.items()},
                }
                for g in self.groups
            ],
        }


class _Tally:
    """Exact sums of one group or stratum."""

    def __init__(self, dims: Sequence[str]) -> None:
        self.count = 0
        self.rejected = 0
        self.total = Decimal(0)
        self.dims = dict.fromkeys(dims, Decimal(0))

    def add(self, ev: Evaluation) -> None:
        self.count += 1
        self.total = D.EXACT.add(self.total, ev.score)
        for comp in ev.components.children:
            self.dims[comp.id] = D.EXACT.add(self.dims[comp.id], comp.points)


def is_table_like(value: Any) -> bool:
    """Whether ``value`` is an object of pandas, polars or pyarrow (a table or not)."""
    return type(value).__module__.split(".")[0] in TABLES


@D.own_context
def aggregate(
    results: Iterable[Result] | Any,
    by: str | Sequence[str] = (),
    *,
    criteria: Criteria | None = None,
    rounding: Rounding | None = None,
) -> Aggregate:
    """Count and average ``results`` per group of the ``by`` fields (identifiers or inputs).

    ``results`` are evaluations, the rows of :func:`~asnmerit.engine.batch.evaluate_records`
    (rows that failed are counted as ``rejected`` in their group), or the table
    :func:`~asnmerit.evaluate_frame` returns (pandas, polars or pyarrow, scored with
    ``components=True``; ``criteria`` required), aggregated a column at a time with the
    same result; a table may also group by any of its own columns (a province joined to
    it). All must come from one version of one scheme (``criteria``, needed only when no
    row was scored). ``rounding`` overrides the scheme's declared rounding of means.
    Groups keep the order in which they first appear; with a declared stratum field (that
    is not one of the ``by`` fields), each group gives one row per stratum and then the
    combined row."""
    fields = (by,) if isinstance(by, str) else tuple(by)
    if is_table(results) or is_table_like(results):
        from .scored import ScoredTable

        table = ScoredTable(results, criteria, "aggregate")
        scheme = table.criteria
    else:
        pairs, scheme = unpack(results, criteria, "aggregate")
        check_fields(scheme, fields, "group")
    _check_names(scheme, fields)
    declared = scheme.aggregation
    rule = rounding or (declared.rounding if declared else None)
    if rule is None:
        raise AsnmeritError(
            f"{scheme.id} {scheme.version} declares no rounding of means (an 'aggregate' "
            "block): pass rounding="
        )
    stratify = declared.stratify if declared else None
    stratify = None if stratify in fields else stratify  # each group is one stratum
    dims = [c.id for c in scheme.score.children]
    if is_table(results):
        tallies, keys, names = _table_tallies(table, fields, stratify, dims)
    else:
        tallies, keys, names = _tallies(pairs, fields, stratify, dims)
    combined = declared.combined.id if declared and declared.combined else ""
    groups = []
    for key, strata in tallies.items():
        order = sorted((s for s in strata if s is not None), key=lambda s: (names[s], repr(s)))
        for each in [*order, None]:
            name = None if each is None else names[each]
            label = combined if name is None else name
            groups.append(_group(scheme, rule, keys[key], name, label, strata[each]))
    return Aggregate(
        scheme.id, scheme.version, scheme.digest, fields, stratify, rule, tuple(groups), scheme
    )


AGGREGATE_COLUMNS = ("count", "rejected", "score", "band", "band_label")
"""The columns an aggregate's rows have after its groups' fields (then each part's mean)."""


def _check_names(scheme: Criteria, fields: tuple[str, ...]) -> None:
    """Refuse a ``by`` field named as a column the aggregate's rows give (its group value
    and the mean would share one column)."""
    taken = {*AGGREGATE_COLUMNS, *(c.id for c in scheme.score.children)}
    clash = [f for f in fields if f in taken]
    if clash:
        raise AsnmeritError(
            f"cannot group by {', '.join(map(repr, clash))}: an aggregate's rows have a column "
            f"of that name (its {', '.join(AGGREGATE_COLUMNS)} and the mean of each part); "
            "rename the column first (e.g. table.rename(columns={...}) in pandas)"
        )


Tallies = dict[tuple[Key, ...], dict[Key | None, _Tally]]
"""Per group key, per stratum key (``None``: all strata), its sums."""


def _tallies(
    pairs: list[tuple[Result, Evaluation | None]],
    fields: tuple[str, ...],
    stratify: str | None,
    dims: list[str],
) -> tuple[Tallies, dict[tuple[Key, ...], dict[str, Any]], dict[Key | None, str]]:
    """The sums of each group and stratum, one result at a time; each group's values
    (those of its first row), and each stratum's name."""
    tallies: Tallies = {}
    keys: dict[tuple[Key, ...], dict[str, Any]] = {}
    names: dict[Key | None, str] = {}
    for item, ev in pairs:
        values = fields_of(item, ev)
        key = tuple(group_key(values.get(f)) for f in fields)
        keys.setdefault(key, {f: values.get(f) for f in fields})
        strata = tallies.setdefault(key, {})
        kinds: list[Key | None] = [None]
        if stratify is not None:
            stratum = group_key(values.get(stratify))
            names.setdefault(stratum, shown(values.get(stratify)).strip())
            kinds.insert(0, stratum)
        for kind in kinds:
            tally = strata.setdefault(kind, _Tally(dims))
            if ev is None:
                tally.rejected += 1
            else:
                tally.add(ev)
    return tallies, keys, names


def _table_tallies(
    table: ScoredTable, fields: tuple[str, ...], stratify: str | None, dims: list[str]
) -> tuple[Tallies, dict[tuple[Key, ...], dict[str, Any]], dict[Key | None, str]]:
    """:func:`_tallies` of a result table, a column at a time: each row falls in one cell
    (group, stratum), whose counts and exact sums are taken over all rows at once."""
    import numpy as np

    table.require(fields, "groups by these fields", "keep them (evaluate_frame(..., keep=[...]))")
    table.require(
        dims,
        "averages each top-level part",
        "score the table with evaluate_frame(..., components=True)",
    )
    if stratify is not None:
        table.require(
            [stratify],
            f"splits each group by {stratify} (the scheme's strata)",
            f"keep it (evaluate_frame(..., keep=[..., {stratify!r}])); when the records have "
            f"none, add it empty (table[{stratify!r}] = None): one blank stratum, as the "
            "row results give",
        )
    scored = table.scored
    for name in dims:  # a scored row has every top-level part: an empty cell was edited
        empty = scored & (table.decimals(name)[0] < 0)
        if empty.any():
            raise AsnmeritError(
                f"{table.verb}: row {int(empty.argmax()) + 1} of the table has a score but no "
                f"value in column {name!r} (each scored row has the points of each "
                "top-level part): was the table edited after it was scored?"
            )
    group, values, keys = table.keys(fields)
    if stratify is not None:
        stratum, kinds, strata_keys = table.keys([stratify])
    else:
        stratum, kinds, strata_keys = np.zeros(table.rows, np.int64), [{}], [()]
    size = len(keys) * len(strata_keys)
    cell = group * len(strata_keys) + stratum
    counts = np.bincount(cell[scored], minlength=size).tolist()
    rejected = np.bincount(cell[~scored], minlength=size).tolist()
    sums = {name: _sums(*table.decimals(name), cell, scored, size) for name in ["score", *dims]}
    names: dict[Key | None, str] = {}
    for skey, kind in zip(strata_keys, kinds, strict=True):
        if stratify is not None:
            names[skey[0]] = shown(kind[stratify]).strip()
    tallies: Tallies = {}
    for g, key in enumerate(keys):
        strata = tallies.setdefault(key, {})
        whole = strata[None] = _Tally(dims)
        for k, skey in enumerate(strata_keys):
            at = g * len(strata_keys) + k
            if not counts[at] and not rejected[at]:
                continue
            parts = [whole]
            if stratify is not None:
                parts.insert(0, strata.setdefault(skey[0], _Tally(dims)))
            for tally in parts:
                tally.count += counts[at]
                tally.rejected += rejected[at]
                tally.total = D.EXACT.add(tally.total, sums["score"][at])
                for d in dims:
                    tally.dims[d] = D.EXACT.add(tally.dims[d], sums[d][at])
    return tallies, dict(zip(keys, values, strict=True)), names


def _sums(codes: Any, uniques: list[Decimal], cell: Any, scored: Any, size: int) -> list[Decimal]:
    """The exact sum of a column of decimals (``codes`` into ``uniques``; ``-1``: none)
    over the ``scored`` rows of each of ``size`` cells: on integers of one scale, as
    floats while every partial sum is below 2**53 (where float sums are exact), else
    as Python integers."""
    import numpy as np

    scale = max((max(0, -int(u.as_tuple().exponent)) for u in uniques), default=0)
    ints = [int(u.scaleb(scale, context=D.EXACT)) for u in uniques]
    codes = codes[scored]
    at = cell[scored]
    if ints and max(map(abs, ints)) * max(len(codes), 1) < 2**53:
        weights = np.append(np.asarray(ints, np.float64), 0.0)[codes]
        totals: list[int] = [int(t) for t in np.bincount(at, weights, minlength=size).tolist()]
    else:
        exact = np.zeros(size, object)
        np.add.at(exact, at, np.asarray([*ints, 0], object)[codes])
        totals = [int(t) for t in exact.tolist()]
    return [Decimal(t).scaleb(-scale, context=D.EXACT) for t in totals]


def _group(
    criteria: Criteria,
    rule: Rounding,
    key: dict[str, Any],
    stratum: str | None,
    label: str,
    t: _Tally,
) -> GroupResult:
    if not t.count:
        return GroupResult(key, stratum, label, 0, t.rejected, None, None, {}, None)
    exact = Fraction(t.total) / t.count
    score = D.round_mean(t.total, t.count, rule.places, rule.mode)
    comps = {k: D.round_mean(v, t.count, rule.places, rule.mode) for k, v in t.dims.items()}
    band = criteria.band_for(score)
    return GroupResult(key, stratum, label, t.count, t.rejected, score, band, comps, exact)
