"""Who competes in a ranking, and with what: each subject of a set of results, or each row
of the table :func:`asnmerit.evaluate_frame` returns, as a :class:`Contender` (its row, its
identifiers, its values of the grouping fields, the score it competes with or the reasons
it does not, and its values of the tie breakers). :func:`~asnmerit.rank` places them, from
either source, with one rule.

A row of a table gives what its row result would: the score of the ranked measure (the
``score`` column, or the column of the category or score node ranked: score the table
with ``components=[...]``), the rules it fails (the ``ineligible`` column, whose reasons
are the scheme's), a category it was not assessed in (a null in that column), and its
identifiers and grouping fields as :class:`~asnmerit.analysis.scored.ScoredTable` reads
them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs

from .. import _decimal as D
from ..engine.batch import brief, fields_of
from ..engine.evaluator import gated, ineligibility
from ..model import Band, Category, Criteria, Text, TieBreaker, frozen
from ..results import Evaluation, Result, RowResult
from .grouping import BLANK, group_key

if TYPE_CHECKING:
    from .scored import ScoredTable


@attrs.frozen
class Contender:
    """One subject about to be ranked (``score`` ``None``: it does not compete)."""

    row: int | None
    identifiers: Mapping[str, Any] = attrs.field(converter=frozen)
    values: Mapping[str, Any] = attrs.field(converter=frozen)
    """Its values of the grouping fields."""
    score: Decimal | None
    reasons: tuple[Text, ...]
    """Why it does not compete (every reason found)."""
    breakers: tuple[Decimal | None, ...] = ()
    evaluation: Evaluation | None = None
    error: Any = None
    scored: bool = True
    """False for a row that could not be scored (its group is unknown)."""


def from_results(
    pairs: Sequence[tuple[Result, Evaluation | None]],
    fields: Sequence[str],
    by: str | None,
    min_band: str | None,
    breakers: Sequence[TieBreaker],
) -> Iterator[Contender]:
    """The contenders of results (each with its evaluation, ``None`` when not scored)."""
    for item, ev in pairs:
        row = item.row if isinstance(item, RowResult) else None
        if ev is None:
            assert isinstance(item, RowResult)
            yield Contender(
                row,
                item.identifiers,
                {},
                None,
                (_failed(brief(item.error)),),
                (),
                None,
                item.error,
                scored=False,
            )
            continue
        values = fields_of(item, ev)
        score, reasons = measure(ev, by, min_band)
        reasons += ungrouped(values, fields)
        yield Contender(
            row,
            ev.identifiers,
            {f: values.get(f) for f in fields},
            None if reasons else score,
            reasons,
            tuple(value_of(ev, t.by) for t in breakers) if not reasons else (),
            ev,
        )


def _failed(what: str) -> Text:
    return Text(f"tidak dapat dinilai: {what}", f"could not be scored: {what}")


def ungrouped(values: Mapping[str, Any], fields: Sequence[str]) -> tuple[Text, ...]:
    """Reasons a subject has no group: a grouping field (an identifier) left blank."""
    return tuple(
        Text(f"tidak ada nilai untuk {f}", f"no value for {f}, which decides the group")
        for f in fields
        if group_key(values.get(f)) == BLANK
    )


def measure(
    ev: Evaluation, by: str | None, min_band: str | None = None
) -> tuple[Decimal | None, tuple[Text, ...]]:
    """The score ``ev`` competes with under ``by``, or the reasons it does not compete."""
    criteria = ev.criteria
    reasons = [i.reason for i in ev.ineligible]
    if min_band is not None:
        codes = [b.code for b in criteria.bands.table]
        if codes.index(ev.band.code) < codes.index(min_band):
            reasons.append(_below(criteria, ev.band, min_band))
    if by is None:
        return (None if reasons else ev.score), tuple(reasons)
    category = _award_category(criteria, by)
    if category is not None:
        comp = ev.categories.get(by)
        if comp is None:
            return None, (*reasons, _not_assessed(criteria, by, category))
        if _short(comp.points, category):
            reasons.append(_under(comp.points, category))
        return (None if reasons else comp.points), tuple(reasons)
    try:
        points = ev.component(by).points
    except KeyError:  # a node of a switch branch this subject did not take
        return None, (*reasons, _not_assessed(criteria, by, None))
    return (None if reasons else points), tuple(reasons)


def value_of(ev: Evaluation, name: str) -> Decimal | None:
    """The value of tie breaker ``name`` for ``ev`` (``None``: it has none)."""
    if name in ev.categories:
        comp = ev.categories[name]
        return None if comp is None else comp.points
    if name in ev.criteria.inputs:
        value = ev.inputs.get(name)
        if isinstance(value, dt.date):
            return Decimal(value.toordinal())
        return value if isinstance(value, Decimal) else None
    try:
        return ev.component(name).points
    except KeyError:  # a node of a switch branch this subject did not take
        return None


def from_table(  # long: each column read once, then one pass over the rows
    table: ScoredTable,
    fields: Sequence[str],
    by: str | None,
    min_band: str | None,
    breakers: Sequence[TieBreaker],
) -> Iterator[Contender]:
    """The contenders of a result table (see the module)."""
    from ..columnar.frame import INELIGIBLE  # a table: numpy is there

    scheme = table.criteria
    category = _award_category(scheme, by)
    column = "score" if by is None else _column(table, by)
    how = f"score the table with evaluate_frame(..., components=[{column!r}])"
    table.require([column], f"ranks by {by or 'the score'}", how)
    table.require(fields, "groups by these fields", "keep them (evaluate_frame(..., keep=[...]))")
    if gated(scheme):
        why = "says why a subject is not eligible"
        table.require([INELIGIBLE], why, "rank the table evaluate_frame returns")
    table.require(["band"], "needs each subject's band", "rank the table evaluate_frame returns")
    measured = _decimals(table, column)
    bands = _texts(table, "band")
    failing = _texts(table, INELIGIBLE) if gated(scheme) else None
    errors = _texts(table, "error")
    idents = {f: _values(table, f) for f in scheme.identifiers if table.has(f)}
    groups = {f: _values(table, f) for f in fields}
    ties = [_breaker_values(table, t.by) for t in breakers]
    order = [b.code for b in scheme.bands.table]
    low = order.index(min_band) if min_band is not None else 0
    for i in range(table.rows):
        ids = {f: v[i] for f, v in idents.items()}
        if not table.scored[i]:
            what = errors[i] or ""
            yield Contender(i + 1, ids, {}, None, (_failed(what),), scored=False)
            continue
        code = bands[i]
        band = scheme.bands.get(code) if code is not None else None
        reasons: list[Text] = []
        fails = failing[i] if failing is not None else None
        if fails and band is not None:
            reasons += [ineligibility(scheme, g, band).reason for g in fails.split(", ")]
        if min_band is not None and band is not None and order.index(band.code) < low:
            reasons.append(_below(scheme, band, min_band))
        score = measured[i]
        if by is not None and score is None:
            reasons.append(_not_assessed(scheme, by, category))
        elif category is not None and score is not None and _short(score, category):
            reasons.append(_under(score, category))
        values = {f: v[i] for f, v in groups.items()}
        reasons += ungrouped(values, fields)
        competes = not reasons
        yield Contender(
            i + 1,
            ids,
            values,
            score if competes else None,
            tuple(reasons),
            tuple(t[i] for t in ties) if competes else (),
        )


def _award_category(scheme: Criteria, by: str | None) -> Category | None:
    cats = scheme.award.categories if scheme.award else ()
    return next((c for c in cats if c.id == by), None)


def _column(table: ScoredTable, name: str) -> str:
    """The column of a category or score node: its own name, else (a category) the id of
    its score node, as ``components=`` names it."""
    category = _award_category(table.criteria, name)
    if table.has(name) or category is None:
        return name
    return category.score.id


def _decimals(table: ScoredTable, column: str) -> list[Decimal | None]:
    codes, uniques = table.decimals(column)
    return [uniques[c] if c >= 0 else None for c in codes.tolist()]


def _texts(table: ScoredTable, column: str) -> list[str | None]:
    """A column of texts, row by row (all ``None`` when the table has no such column)."""
    if column not in table.columns:
        return [None] * table.rows
    codes, uniques = table.frame.factorize(column)
    return [None if c < 0 else str(uniques[c]) for c in codes.tolist()]


def _values(table: ScoredTable, name: str) -> list[Any]:
    codes, uniques = table.values(name)
    return [None if c < 0 else uniques[c] for c in codes.tolist()]


def _breaker_values(table: ScoredTable, name: str) -> list[Decimal | None]:
    """Each row's value of tie breaker ``name`` (as :func:`value_of` gives it)."""
    scheme = table.criteria
    if name in scheme.inputs and _award_category(scheme, name) is None:
        table.require([name], f"breaks ties by {name}", "keep it (evaluate_frame(..., keep=[...]))")
        return [_number(v) for v in _values(table, name)]
    column = _column(table, name)
    how = f"score the table with evaluate_frame(..., components=[{column!r}])"
    table.require([column], f"breaks ties by {name}", how)
    return _decimals(table, column)


def _number(value: Any) -> Decimal | None:
    if isinstance(value, dt.date):
        return Decimal(value.toordinal())
    return value if isinstance(value, Decimal) else None


def _below(scheme: Criteria, band: Band, min_band: str) -> Text:
    """Why a subject in ``band`` is below the ``min_band`` asked for."""
    least = scheme.bands.get(min_band).label
    return Text(
        f"{band.label.id} di bawah {least.id}",
        f"{band.label.get('en')} is below {least.get('en')}",
    )


def _short(score: Decimal, cat: Category) -> bool:
    """Whether ``score`` is below the category's minimum."""
    return cat.min_score is not None and score < cat.min_score


def _under(score: Decimal, cat: Category) -> Text:
    """Why a score is below a category's minimum."""
    assert cat.min_score is not None
    floor = D.plain(cat.min_score)
    return Text(
        f"nilai {D.plain(score)} di bawah minimum {floor} untuk {cat.label.id}",
        f"score {D.plain(score)} is below the minimum {floor} for {cat.label.get('en')}",
    )


def _not_assessed(scheme: Criteria, by: str, category: Category | None) -> Text:
    """Why a subject has no score for ``by``: a category it was not assessed in, or a node
    of a branch it did not take."""
    if category is not None:
        label = category.label
        return Text(f"tidak dinilai pada {label.id}", f"not assessed in {label.get('en')}")
    node = scheme.node(by).label
    return Text(f"tidak dinilai pada {node.id}", f"not scored on {node.get('en')}")
