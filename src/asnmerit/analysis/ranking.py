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

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import attrs

from .. import _decimal as D
from .._render import shown
from .._values import cell, json_value
from ..engine.batch import brief, check_fields, fields_of, unpack
from ..errors import AsnmeritError
from ..model import TIE_POLICIES, Category, Criteria, Text, TieBreaker, TiePolicy, frozen
from ..results import Evaluation, Result, RowResult, Tabular
from .grouping import BLANK, Key, group_key

RANKING_FORMAT = "asnmerit.ranking/1"


@attrs.frozen
class Placing:
    """A subject that competed: its rank, score and whether it won."""

    rank: Decimal
    score: Decimal
    tied: bool
    """Whether it shares its rank (a tie the tie breakers did not settle)."""
    winner: bool
    evaluation: Evaluation
    row: int | None = None
    breakers: tuple[Decimal | None, ...] = ()
    """Its values of the tie breakers, in order (``None``: not given)."""

    @property
    def identifiers(self) -> Mapping[str, Any]:
        return self.evaluation.identifiers


@attrs.frozen
class Exclusion:
    """A subject that did not compete, and why (every reason found)."""

    reasons: tuple[Text, ...]
    identifiers: Mapping[str, Any] = attrs.field(converter=frozen)
    evaluation: Evaluation | None = None
    row: int | None = None
    error: AsnmeritError | None = None
    """What stopped the row from being scored, when it was not."""


@attrs.frozen
class RankGroup:
    """The subjects of one group (one value of each ``group_by`` field)."""

    key: Mapping[str, Any] = attrs.field(converter=frozen)
    placings: tuple[Placing, ...]
    excluded: tuple[Exclusion, ...] = ()

    @property
    def winners(self) -> tuple[Placing, ...]:
        return tuple(p for p in self.placings if p.winner)


@attrs.frozen
class Ranking(Tabular):
    """A ranking of one scheme's results, by the total or by one category."""

    scheme: str
    version: str
    digest: str
    by: str | None
    """The category (or score node) ranked; ``None`` for the total score."""
    label: Text
    group_by: tuple[str, ...]
    ties: TiePolicy
    tie_breakers: tuple[TieBreaker, ...]
    top: int | None
    ranked: bool
    """False when winners are announced without a rank."""
    groups: tuple[RankGroup, ...]
    rejected: tuple[Exclusion, ...] = ()
    """Rows that could not be scored (their group is unknown)."""

    def group(self, **key: Any) -> RankGroup:
        """The group whose ``group_by`` fields have the values ``key`` (else the first
        whose values are shown as those of ``key``: ``"1"`` finds the group of ``1``)."""
        for same in (_same, _same_text):
            for g in self.groups:
                if all(same(g.key.get(k), v) for k, v in key.items()):
                    return g
        raise KeyError(key)

    def winners(self) -> list[Placing]:
        """The winners of every group, group by group."""
        return [p for g in self.groups for p in g.winners]

    def rows(self, lang: str = "id") -> list[dict[str, Any]]:
        """One row per subject, placed or not (a table for CSV), group by group."""
        out: list[dict[str, Any]] = []
        for g in self.groups:
            key = {k: shown(v) for k, v in g.key.items()}
            for p in g.placings:
                out.append(
                    {
                        **key,
                        **_ids(p.identifiers),
                        "row": p.row if p.row is not None else "",
                        "rank": D.plain(p.rank) if self.ranked else "",
                        "tied": cell(p.tied),
                        "winner": cell(p.winner),
                        "score": D.plain(p.score),
                        "excluded": "",
                    }
                )
            for x in g.excluded:
                out.append(self._excluded_row(key, x, lang))
        for x in self.rejected:
            out.append(self._excluded_row(dict.fromkeys(self.group_by, ""), x, lang))
        return out

    def _excluded_row(self, key: dict[str, Any], x: Exclusion, lang: str) -> dict[str, Any]:
        return {
            **key,
            **_ids(x.identifiers),
            "row": x.row if x.row is not None else "",
            "rank": "",
            "tied": "",
            "winner": "false",
            "score": "",
            "excluded": "; ".join(r.get(lang) for r in x.reasons),
        }

    def caption(self) -> str:
        """What the table shows: the ranked measure and the scheme version."""
        return f"{self.label.get('id')} ({self.scheme} {self.version})"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form (format ``asnmerit.ranking/1``)."""

        def excluded(x: Exclusion) -> dict[str, Any]:
            return {
                "row": x.row,
                "identifiers": json_value(x.identifiers),
                "reasons": [attrs.asdict(r) for r in x.reasons],
            }

        return {
            "format": RANKING_FORMAT,
            "scheme": self.scheme,
            "version": self.version,
            "digest": self.digest,
            "by": self.by,
            "label": attrs.asdict(self.label),
            "group_by": list(self.group_by),
            "ties": self.ties,
            "tie_breakers": [attrs.asdict(t) for t in self.tie_breakers],
            "top": self.top,
            "ranked": self.ranked,
            "groups": [
                {
                    "key": json_value(g.key),
                    "placings": [
                        {
                            "rank": D.plain(p.rank) if self.ranked else None,
                            "score": D.plain(p.score),
                            "tied": p.tied,
                            "winner": p.winner,
                            "row": p.row,
                            "identifiers": json_value(p.identifiers),
                        }
                        for p in g.placings
                    ],
                    "excluded": [excluded(x) for x in g.excluded],
                }
                for g in self.groups
            ],
            "rejected": [excluded(x) for x in self.rejected],
        }

    def render(self, lang: str = "id") -> str:
        """A readable list: per group, the placings, then who was excluded and why."""
        en = lang == "en"
        title = f"{self.label.get(lang)} ({self.scheme} {self.version})"
        lines = [title]
        for g in self.groups:
            if g.key:
                lines.append("")
                lines.append(", ".join(f"{k} = {shown(v)}" for k, v in g.key.items()))
            for p in g.placings:
                place = (D.plain(p.rank) + ("=" if p.tied else "")) if self.ranked else "-"
                mark = (" *" if p.winner else "") if self.top is not None else ""
                lines.append(f"  {place:>5}  {D.plain(p.score):>8}  {_name(p)}{mark}")
            for x in g.excluded:
                lines.append(
                    f"      {'excluded' if en else 'tidak ikut'}: {_name(x)}: " + _why(x, lang)
                )
        for x in self.rejected:
            lines.append(f"  {'rejected' if en else 'ditolak'}: {_name(x)}: {_why(x, lang)}")
        if self.top is not None:
            who = "winners" if en else "pemenang"
            lines.append("")
            lines.append(f"* {who} (top {self.top})")
        return "\n".join(lines)


def _same(a: Any, b: Any) -> bool:
    return group_key(a) == group_key(b)


def _same_text(a: Any, b: Any) -> bool:
    return shown(a).strip() == shown(b).strip()


def _ids(identifiers: Mapping[str, Any]) -> dict[str, str]:
    return {k: shown(v) for k, v in identifiers.items()}


def _name(x: Placing | Exclusion) -> str:
    ids = [shown(v) for v in x.identifiers.values() if shown(v)]
    if ids:
        return " / ".join(ids)
    return f"row {x.row}" if x.row is not None else "(no identifier)"


def _why(x: Exclusion, lang: str) -> str:
    return "; ".join(r.get(lang) for r in x.reasons)


# -- ranking -------------------------------------------------------------------------------


@D.own_context
def rank(  # long: every option resolved against the award block, then one pass over the rows
    results: Iterable[Result],
    by: str | None = None,
    *,
    group_by: str | Sequence[str] | None = None,
    ties: TiePolicy | None = None,
    tie_breakers: Sequence[str | tuple[str, str] | TieBreaker] | None = None,
    top: int | None = None,
    min_band: str | None = None,
    criteria: Criteria | None = None,
) -> Ranking:
    """Rank ``results`` (evaluations or batch rows of one scheme version) per group.

    ``by`` is an award category (or a score node); ``None`` ranks the total. The other
    options default to the scheme's ``award`` block: ``group_by`` (fields whose values
    split the competition), ``ties`` (competition, dense or average), ``tie_breakers``
    (score nodes, categories or number inputs, higher first; ``("x", "lower")`` for
    lower first) and ``top`` (winners per group). ``min_band`` excludes subjects whose
    band is below it, in addition to the scheme's own eligibility rules."""
    pairs, scheme = unpack(results, criteria, "rank")
    award = scheme.award
    category = _category(scheme, by)
    fields = _tuple(group_by) if group_by is not None else (award.group_by if award else ())
    check_fields(scheme, fields, "group")
    policy = ties or (award.ties if award else "competition")
    if policy not in TIE_POLICIES:
        raise AsnmeritError(f"unknown tie policy {policy!r}; expected {', '.join(TIE_POLICIES)}")
    breakers = (
        tuple(_breaker(t) for t in tie_breakers)
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
    for item, ev in pairs:
        row = item.row if isinstance(item, RowResult) else None
        if ev is None:
            assert isinstance(item, RowResult)
            what = brief(item.error)
            why = Text(f"tidak dapat dinilai: {what}", f"could not be scored: {what}")
            rejected.append(Exclusion((why,), dict(item.identifiers), None, row, item.error))
            continue
        values = fields_of(item, ev)
        key = tuple(group_key(values.get(f)) for f in fields)
        keys.setdefault(key, {f: values.get(f) for f in fields})
        entries.setdefault(key, [])
        score, reasons = measure(ev, by, min_band)
        reasons += ungrouped(values, fields)
        if reasons:
            out_of.setdefault(key, []).append(Exclusion(reasons, ev.identifiers, ev, row))
            continue
        assert score is not None
        breaks = tuple(value_of(ev, t.by) for t in breakers)
        entries[key].append(Entry(len(entries[key]), ev, row, score, breaks))
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
    )


@attrs.frozen
class Entry:
    """A subject about to be placed (``index``: the caller's own number for it)."""

    index: int
    evaluation: Evaluation
    row: int | None
    score: Decimal
    breakers: tuple[Decimal | None, ...]


def place(
    entries: list[Entry],
    breakers: Sequence[TieBreaker],
    policy: str,
    top: int | None,
    all_win: bool = False,
) -> list[tuple[Entry, Placing]]:
    """Order ``entries`` (best first; input order among equals) and give them ranks."""

    def order(e: Entry) -> tuple[Any, ...]:
        parts: list[Any] = [-e.score]
        for t, v in zip(breakers, e.breakers, strict=True):
            # a missing value comes last, whichever end is preferred
            parts.append((1, D.ZERO) if v is None else (0, -v if t.prefer == "higher" else v))
        return tuple(parts)

    keyed = sorted(((order(e), n, e) for n, e in enumerate(entries)), key=lambda k: k[:2])
    # Without a limit, everyone placed wins only where the award says all who qualify win.
    keys = [k for k, _, _ in keyed]
    ranked = [e for _, _, e in keyed]
    placings: list[tuple[Entry, Placing]] = []
    i = distinct = 0
    while i < len(ranked):
        j = i
        while j < len(ranked) and keys[j] == keys[i]:
            j += 1
        size = j - i
        distinct += 1
        if policy == "competition":
            rank_ = Decimal(i + 1)
        elif policy == "dense":
            rank_ = Decimal(distinct)
        else:
            rank_ = D.div(Decimal(2 * i + size + 1), Decimal(2))
        win = i < top if top is not None else all_win
        placings.extend(
            (e, Placing(rank_, e.score, size > 1, win, e.evaluation, e.row, e.breakers))
            for e in ranked[i:j]
        )
        i = j
    return placings


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
            least = criteria.bands.get(min_band).label
            reasons.append(
                Text(
                    f"{ev.band.label.id} di bawah {least.id}",
                    f"{ev.band.label.get('en')} is below {least.get('en')}",
                )
            )
    if by is None:
        return (None if reasons else ev.score), tuple(reasons)
    if by in ev.categories:
        comp = ev.categories[by]
        cat = criteria.award.category(by) if criteria.award else None
        assert cat is not None
        if comp is None:
            reasons.append(
                Text(f"tidak dinilai pada {cat.label.id}", f"not assessed in {cat.label.get('en')}")
            )
            return None, tuple(reasons)
        if cat.min_score is not None and comp.points < cat.min_score:
            floor = D.plain(cat.min_score)
            reasons.append(
                Text(
                    f"nilai {D.plain(comp.points)} di bawah minimum {floor} untuk {cat.label.id}",
                    f"score {D.plain(comp.points)} is below the minimum {floor} for {cat.label.get('en')}",
                )
            )
        return (None if reasons else comp.points), tuple(reasons)
    try:
        points = ev.component(by).points
    except KeyError:  # a node of a switch branch this subject did not take
        node = criteria.node(by).label
        reasons.append(Text(f"tidak dinilai pada {node.id}", f"not scored on {node.get('en')}"))
        return None, tuple(reasons)
    return (None if reasons else points), tuple(reasons)


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


def _breaker(t: str | tuple[str, str] | TieBreaker) -> TieBreaker:
    if isinstance(t, TieBreaker):
        return t
    if isinstance(t, str):
        return TieBreaker(t)
    by, prefer = t
    if prefer not in ("higher", "lower"):
        raise AsnmeritError(f"tie breaker {by!r}: prefer 'higher' or 'lower', not {prefer!r}")
    return TieBreaker(by, prefer)  # type: ignore[arg-type]


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
