"""What a ranking gives: :class:`Ranking` (per group, the :class:`Placing` s and the
:class:`Exclusion` s), and :func:`place`, which orders subjects and gives them ranks under
a tie policy. Subjects are evaluations (:func:`asnmerit.rank` of results) or the groups
of an aggregate (agencies ranked by their index, :mod:`~asnmerit.analysis.agencies`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs

from .. import _decimal as D
from .._render import Column, band_column, shown, text
from .._values import cell, json_value
from ..errors import AsnmeritError
from ..model import TIE_POLICIES, Criteria, FrozenDict, Text, TieBreaker, TiePolicy, frozen
from ..results import Evaluation, Tabular
from .grouping import group_key

if TYPE_CHECKING:
    from .aggregation import GroupResult

RANKING_FORMAT = "asnmerit.ranking/1"


@attrs.frozen
class Placing:
    """A subject that competed: its rank, score and whether it won."""

    rank: Decimal
    score: Decimal
    tied: bool
    """Whether it shares its rank (a tie the tie breakers did not settle)."""
    winner: bool
    evaluation: Evaluation | None
    """The subject's result (``None`` for a group of an aggregate)."""
    row: int | None = None
    breakers: tuple[Decimal | None, ...] = ()
    """Its values of the tie breakers, in order (``None``: not given)."""
    group: GroupResult | None = None
    """The group of an aggregate that competed (an agency), when groups are ranked."""
    subject: Mapping[str, Any] = attrs.field(factory=FrozenDict, converter=frozen)
    """Who a group is: the values of its fields, and its stratum."""

    @property
    def identifiers(self) -> Mapping[str, Any]:
        """Who it is: the subject's identifiers, or the group's :attr:`subject`."""
        return self.evaluation.identifiers if self.evaluation is not None else self.subject


@attrs.frozen
class Exclusion:
    """A subject that did not compete, and why (every reason found)."""

    reasons: tuple[Text, ...]
    identifiers: Mapping[str, Any] = attrs.field(converter=frozen)
    evaluation: Evaluation | None = None
    row: int | None = None
    error: AsnmeritError | None = None
    """What stopped the row from being scored, when it was not."""
    group: GroupResult | None = None
    """The group of an aggregate that did not compete, when groups are ranked."""


@attrs.frozen
class RankGroup:
    """The subjects of one group (one value of each ``group_by`` field)."""

    key: Mapping[str, Any] = attrs.field(converter=frozen)
    placings: tuple[Placing, ...]
    excluded: tuple[Exclusion, ...] = ()

    @property
    def winners(self) -> tuple[Placing, ...]:
        return tuple(p for p in self.placings if p.winner)


@attrs.frozen(repr=False)
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
    criteria: Criteria | None = attrs.field(default=None, eq=False, repr=False)
    """The scheme ranked (for the order of bands)."""

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

    def __repr__(self) -> str:
        placed = sum(len(g.placings) for g in self.groups)
        out = sum(len(g.excluded) for g in self.groups) + len(self.rejected)
        return (
            f"<Ranking {self.scheme} {self.version} by {self.by or 'score'}: "
            f"{len(self.groups)} groups, {placed} placed, {out} not>"
        )

    def _columns(self, lang: str) -> list[Column]:
        ids = [i for i in self._identifiers() if i not in self.group_by]
        order = [b.code for b in self.criteria.bands.table] if self.criteria else []
        return [
            *(Column(f, "text") for f in self.group_by),
            *(Column(i, "text") for i in ids),
            Column("row", "int"),
            Column("rank", "rank"),
            Column("tied", "bool"),
            Column("winner", "bool"),
            Column("score", "decimal"),
            band_column("band", order, [_band(p) for g in self.groups for p in g.placings]),
            Column("excluded", "text"),
        ]

    def _records(self, lang: str) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for g in self.groups:
            key = {k: text(v) for k, v in g.key.items()}
            for p in g.placings:
                out.append(
                    {
                        **{k: text(v) for k, v in p.identifiers.items()},
                        **key,
                        "row": p.row,
                        "rank": p.rank if self.ranked else None,
                        "tied": p.tied,
                        "winner": p.winner,
                        "score": p.score,
                        "band": _band(p),
                        "excluded": None,
                    }
                )
            out.extend(self._excluded_record(key, x, lang) for x in g.excluded)
        out.extend(self._excluded_record({}, x, lang) for x in self.rejected)
        return out

    def _excluded_record(self, key: dict[str, Any], x: Exclusion, lang: str) -> dict[str, Any]:
        return {
            **{k: text(v) for k, v in x.identifiers.items()},
            **key,
            "row": x.row,
            "winner": False,
            "excluded": "; ".join(r.get(lang) for r in x.reasons),
        }

    def _identifiers(self) -> list[str]:
        """The identifiers of the subjects, in the order first met."""
        found: dict[str, None] = {}
        for g in self.groups:
            for p in g.placings:
                found.update(dict.fromkeys(p.identifiers))
            for x in g.excluded:
                found.update(dict.fromkeys(x.identifiers))
        for x in self.rejected:
            found.update(dict.fromkeys(x.identifiers))
        return list(found)

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


def _band(p: Placing) -> str | None:
    if p.evaluation is not None:
        return p.evaluation.band.code
    return p.group.band.code if p.group is not None and p.group.band is not None else None


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


@attrs.frozen
class Entry:
    """A subject about to be placed (``index``: the caller's own number for it)."""

    index: int
    evaluation: Evaluation | None
    row: int | None
    score: Decimal
    breakers: tuple[Decimal | None, ...]
    group: GroupResult | None = None
    subject: Mapping[str, Any] = attrs.field(factory=FrozenDict, converter=frozen)


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
            (
                e,
                Placing(
                    rank_,
                    e.score,
                    size > 1,
                    win,
                    e.evaluation,
                    e.row,
                    e.breakers,
                    e.group,
                    e.subject,
                ),
            )
            for e in ranked[i:j]
        )
        i = j
    return placings


def tie_breaker(t: str | tuple[str, str] | TieBreaker) -> TieBreaker:
    """A tie breaker as given: a name (higher first), ``(name, "lower")``, or one made."""
    if isinstance(t, TieBreaker):
        return t
    if isinstance(t, str):
        return TieBreaker(t)
    if not isinstance(t, tuple | list) or len(t) != 2 or not isinstance(t[0], str):
        raise AsnmeritError(
            f"tie breaker {t!r:.60}: a name, (name, 'higher'|'lower') or a TieBreaker"
        )
    by, prefer = t
    if prefer not in ("higher", "lower"):
        raise AsnmeritError(f"tie breaker {by!r}: prefer 'higher' or 'lower', not {prefer!r}")
    return TieBreaker(by, prefer)  # type: ignore[arg-type]


def tie_policy(policy: str) -> TiePolicy:
    """``policy`` checked: one of :data:`~asnmerit.model.TIE_POLICIES`."""
    if policy not in TIE_POLICIES:
        raise AsnmeritError(f"unknown tie policy {policy!r}; expected {', '.join(TIE_POLICIES)}")
    return policy  # type: ignore[return-value]
