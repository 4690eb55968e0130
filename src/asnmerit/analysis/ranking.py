"""Ranking subjects for an award: within groups, by the total or a category's score.

Who competes is decided first: a row that could not be scored, a subject that is not
eligible (a failed gate or a band below the award's minimum), one not assessed in the
category, or one below the category's minimum score is *excluded*, with its reasons,
and never silently dropped. The rest are ordered by score, then by the declared tie
breakers; subjects still equal share a rank under the tie policy:

* ``competition`` (1224): one more than the number of subjects ahead;
* ``dense`` (1223): one more than the number of distinct results ahead;
* ``average`` (1 2.5 2.5 4): the mean of the places the tied subjects fill.

A subject wins when fewer than ``top`` subjects are ahead of it, so every subject tied
for the last winning place wins. Ranks are :class:`~decimal.Decimal` (``average`` gives
halves).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from .. import _decimal as D
from .._values import is_table
from ..engine.batch import check_fields, unpack
from ..errors import AsnmeritError
from ..model import Category, Criteria, TieBreaker, TiePolicy
from ..results import Evaluation, Result
from .agencies import rank_groups
from .aggregation import Aggregate
from .contenders import from_results, from_table, measure, ungrouped, value_of
from .grouping import Key, group_key
from .placings import (
    RANKING_FORMAT,
    Entry,
    Exclusion,
    Placing,
    RankGroup,
    Ranking,
    place,
    tie_breaker,
    tie_policy,
)

__all__ = [
    "RANKING_FORMAT",
    "Entry",
    "Exclusion",
    "Placing",
    "RankGroup",
    "Ranking",
    "measure",
    "place",
    "rank",
    "ungrouped",
    "value_of",
]

# -- ranking -------------------------------------------------------------------------------


@D.own_context
def rank(  # long: every option resolved against the award block, then one pass over the rows
    results: Iterable[Result] | Any,
    by: str | None = None,
    *,
    group_by: str | Sequence[str] | None = None,
    ties: TiePolicy | None = None,
    tie_breakers: Sequence[str | tuple[str, str] | TieBreaker] | None = None,
    top: int | None = None,
    min_band: str | None = None,
    criteria: Criteria | None = None,
    lookup: Any = None,
    stratum: str | None = None,
) -> Ranking:
    """Rank ``results`` (evaluations or batch rows of one scheme version) per group.

    ``by`` is an award category (or a score node); ``None`` ranks the total. The other
    options default to the scheme's ``award`` block: ``group_by`` (fields whose values
    split the competition), ``ties`` (competition, dense or average), ``tie_breakers``
    (score nodes, categories or number inputs, higher first; ``("x", "lower")`` for
    lower first) and ``top`` (winners per group). ``min_band`` excludes subjects whose
    band is below it, in addition to the scheme's own eligibility rules.

    ``results`` may be an :class:`~asnmerit.Aggregate`: its groups (agencies) are ranked
    by their mean index (``by``: a top-level part's mean), within the groups of
    ``group_by``, whose values come from the aggregate's own fields, from ``lookup``, or
    from a shipped lookup table (``"kanreg"``: the BKN regional office of a province);
    ``stratum`` picks the rows of one stratum (default: the combined row). See
    :func:`~asnmerit.analysis.agencies.rank_groups`."""
    if isinstance(results, Aggregate):
        return rank_groups(
            results,
            by,
            group_by=() if group_by is None else _tuple(group_by),
            ties=tie_policy(ties or "competition"),
            tie_breakers=tuple(tie_breaker(t) for t in tie_breakers or ()),
            top=top,
            min_band=min_band,
            lookup=lookup,
            stratum=stratum,
            criteria=criteria,
        )
    if lookup is not None or stratum is not None:
        raise AsnmeritError("lookup= and stratum= rank the groups of an aggregate (agencies)")
    pairs: list[tuple[Result, Evaluation | None]] = []
    if is_table(results):  # a table may also group by any of its own columns
        from .scored import ScoredTable

        table: ScoredTable | None = ScoredTable(results, criteria, "rank")
        assert table is not None
        scheme = table.criteria
    else:
        table = None
        pairs, scheme = unpack(results, criteria, "rank")
    award = scheme.award
    category = _category(scheme, by)
    fields = _tuple(group_by) if group_by is not None else (award.group_by if award else ())
    if table is None:
        check_fields(scheme, fields, "group")
    policy = tie_policy(ties or (award.ties if award else "competition"))
    breakers = (
        tuple(tie_breaker(t) for t in tie_breakers)
        if tie_breakers is not None
        else (award.tie_breakers if award else ())
    )
    for t in breakers:
        _check_breaker(scheme, t)
    # An award with categories has no overall winners: its total is only a summary.
    overall = award is not None and by is None and not award.categories
    if top is None:
        top = category.ranks if category else (award.ranks if award and overall else None)
    if top is not None and top < 1:
        raise AsnmeritError(f"top must be at least 1, got {top}")
    if min_band is not None and min_band not in [b.code for b in scheme.bands.table]:
        codes = ", ".join(b.code for b in scheme.bands.table)
        raise AsnmeritError(f"no band {min_band!r} in {scheme.id} {scheme.version} ({codes})")
    if category is not None:
        label = category.label
    elif by is not None:
        label = scheme.node(by).label
    else:
        label = scheme.title if award is None else award.label if overall else scheme.score.label
    ranked = category.ranked if category else (award.ranked if award else True)
    all_win = category is not None and category.ranks is None

    entries: dict[tuple[Key, ...], list[Entry]] = {}
    keys: dict[tuple[Key, ...], dict[str, Any]] = {}
    out_of: dict[tuple[Key, ...], list[Exclusion]] = {}
    rejected: list[Exclusion] = []
    contenders = (
        from_table(table, fields, by, min_band, breakers)
        if table is not None
        else from_results(pairs, fields, by, min_band, breakers)
    )
    for c in contenders:
        if not c.scored:
            rejected.append(Exclusion(c.reasons, c.identifiers, None, c.row, c.error))
            continue
        key = tuple(group_key(c.values.get(f)) for f in fields)
        keys.setdefault(key, dict(c.values))
        entries.setdefault(key, [])
        if c.score is None:
            out_of.setdefault(key, []).append(
                Exclusion(c.reasons, c.identifiers, c.evaluation, c.row)
            )
            continue
        who = c.identifiers if c.evaluation is None else {}
        entry = Entry(len(entries[key]), c.evaluation, c.row, c.score, c.breakers, None, who)
        entries[key].append(entry)
    groups = tuple(
        RankGroup(
            keys[k],
            tuple(p for _, p in place(entries[k], breakers, policy, top, all_win)),
            tuple(out_of.get(k, ())),
        )
        for k in entries
    )
    return Ranking(
        scheme.id,
        scheme.version,
        scheme.digest,
        by,
        label,
        fields,
        policy,
        breakers,
        top,
        ranked,
        groups,
        tuple(rejected),
        scheme,
    )


def _category(scheme: Criteria, by: str | None) -> Category | None:
    if by is None:
        return None
    cats = scheme.award.categories if scheme.award else ()
    for cat in cats:
        if cat.id == by:
            return cat
    try:
        scheme.node(by)
    except KeyError:
        names = ", ".join(c.id for c in cats) or "none"
        raise AsnmeritError(
            f"cannot rank by {by!r}: not an award category ({names}) or a score node of "
            f"{scheme.id} {scheme.version}"
        ) from None
    return None


def _tuple(value: str | Sequence[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def _check_breaker(scheme: Criteria, t: TieBreaker) -> None:
    inp = scheme.inputs.get(t.by)
    if inp is not None and inp.type in ("number", "integer", "date"):
        return
    if scheme.award and any(c.id == t.by for c in scheme.award.categories):
        return
    try:
        scheme.node(t.by)
    except KeyError:
        raise AsnmeritError(
            f"cannot break ties by {t.by!r}: not a score node, a category or a number input "
            f"of {scheme.id} {scheme.version}"
        ) from None
