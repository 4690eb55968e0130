"""Agencies ranked by their index: the groups of an :class:`~asnmerit.Aggregate` (an
agency's IP ASN mean, a merit total) placed within the groups of other attributes (the
BKN regional office, the province, the type of agency), as the news, the agencies and the
ministry publish them ("the best IP ASN among the agencies of one regional office").

A group competes with its published (rounded) mean, so agencies equal at the published
precision share a rank under the tie policy, as subjects do. A group's attributes come
from its own fields (those the aggregate grouped by), else from the ``lookup`` the user
passes (keyed by one of those fields), else from a shipped lookup that gives the attribute
from another one (``kanreg`` from ``provinsi``: :func:`~asnmerit.analysis.lookups.lookup`).
A group without a scored row, or without a value for an attribute it is grouped by, does
not compete, and says why.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from .._render import shown
from ..errors import AsnmeritError
from ..model import Criteria, Text, TieBreaker, TiePolicy
from .aggregation import Aggregate, GroupResult
from .grouping import Key, group_key
from .lookups import Lookup, as_lookup, provider
from .placings import Entry, Exclusion, RankGroup, Ranking, place

RANKING_COLUMNS = ("row", "rank", "tied", "winner", "score", "band", "excluded")
"""The columns a ranking's rows have after the groups' fields."""

_WEAK = ("low", "assumption")
"""Confidences of a shipped row worth a warning when a ranking rests on it."""


def rank_groups(  # long: the options checked, then one pass over the groups
    agg: Aggregate,
    by: str | None,
    *,
    group_by: tuple[str, ...],
    ties: TiePolicy,
    tie_breakers: tuple[TieBreaker, ...],
    top: int | None,
    min_band: str | None,
    lookup: Any,
    stratum: str | None,
    criteria: Criteria | None,
) -> Ranking:
    """Rank the groups of ``agg`` by their mean (``by``: a top-level part's mean) within
    the groups of ``group_by`` (see the module)."""
    if criteria is not None and criteria.digest != agg.digest:
        raise AsnmeritError(
            f"the aggregate comes from {agg.scheme} {agg.version}, not {criteria.id} "
            f"{criteria.version}: they are not on one scale"
        )
    if top is not None and (isinstance(top, bool) or not isinstance(top, int) or top < 1):
        raise AsnmeritError(f"top must be a whole number of at least 1, got {top!r}")
    rows = _stratum(agg, stratum)
    clash = [f for f in (*agg.by, *group_by) if f in RANKING_COLUMNS]
    if clash:
        raise AsnmeritError(
            f"cannot rank groups of {', '.join(map(repr, dict.fromkeys(clash)))}: a ranking's "
            f"rows have a column of that name ({', '.join(RANKING_COLUMNS)}); rename the "
            "field before aggregating"
        )
    parts = list(dict.fromkeys(k for g in agg.groups for k in g.components))
    for name in [by, *(t.by for t in tie_breakers)]:
        if name is not None and name not in parts:
            raise AsnmeritError(
                f"cannot rank by {name!r}: the aggregate has the means of "
                f"{', '.join(parts) or 'no part'} (and the score)"
            )
    scheme = criteria or agg.criteria
    if min_band is not None:
        if scheme is None:
            raise AsnmeritError("min_band needs the order of bands: pass criteria=")
        codes = [b.code for b in scheme.bands.table]
        if min_band not in codes:
            raise AsnmeritError(
                f"no band {min_band!r} in {scheme.id} {scheme.version} ({', '.join(codes)})"
            )
    source = _Attributes(agg, as_lookup(lookup, agg.by) if lookup is not None else None)
    for field in group_by:
        source.check(field)

    entries: dict[tuple[Key, ...], list[Entry]] = {}
    keys: dict[tuple[Key, ...], dict[str, Any]] = {}
    out_of: dict[tuple[Key, ...], list[Exclusion]] = {}
    for n, g in enumerate(rows):
        values = {f: source.value(g, f) for f in group_by}
        key = tuple(group_key(v) for v in values.values())
        keys.setdefault(key, values)
        entries.setdefault(key, [])
        score = g.score if by is None else g.components.get(by)
        reasons = _reasons(g, score, values, min_band, scheme, source)
        if reasons:
            out_of.setdefault(key, []).append(
                Exclusion(tuple(reasons), _who(agg, g), None, None, None, g)
            )
            continue
        assert score is not None
        breaks = tuple(g.components.get(t.by) for t in tie_breakers)
        entries[key].append(Entry(n, None, None, score, breaks, g, _who(agg, g)))
    source.warn()
    groups = tuple(
        RankGroup(
            keys[k],
            tuple(p for _, p in place(entries[k], tie_breakers, ties, top)),
            tuple(out_of.get(k, ())),
        )
        for k in entries
    )
    label = _label(agg, by, scheme)
    return Ranking(
        agg.scheme,
        agg.version,
        agg.digest,
        by,
        label,
        group_by,
        ties,
        tie_breakers,
        top,
        True,
        groups,
        (),
        scheme,
    )


def _label(agg: Aggregate, by: str | None, scheme: Criteria | None) -> Text:
    """What the ranking ranks: the mean of the score (or a part) per group."""
    if scheme is None:
        what = Text(by or "score", by or "score")
    else:
        what = scheme.score.label if by is None else scheme.node(by).label
    fields = ", ".join(agg.by) or "kelompok"
    return Text(
        f"Rata-rata {what.id} per {fields}",
        f"Mean {what.get('en')} per {', '.join(agg.by) or 'group'}",
    )


def _stratum(agg: Aggregate, stratum: str | None) -> list[GroupResult]:
    """The rows of the aggregate that compete: one stratum's (its label, trimmed), or the
    combined rows."""
    if stratum is None:
        return [g for g in agg.groups if g.stratum is None]
    if not isinstance(stratum, str):
        raise TypeError(f"stratum: the label of a stratum (a text), got {stratum!r}")
    if agg.stratify is None:
        raise AsnmeritError(
            f"stratum={stratum!r}: the aggregate has no strata (its groups are not split by "
            "a stratum field, or that field is one of its by fields)"
        )
    rows = [g for g in agg.groups if g.label.strip() == stratum.strip()]
    if not rows:
        labels = ", ".join(map(repr, dict.fromkeys(g.label for g in agg.groups)))
        raise AsnmeritError(
            f"no stratum {stratum!r} in the aggregate (its {agg.stratify} labels: {labels})"
        )
    return rows


def _who(agg: Aggregate, g: GroupResult) -> dict[str, Any]:
    """A group as a subject: the values of the aggregate's fields (and its stratum)."""
    who = {f: g.key.get(f) for f in agg.by}
    if agg.stratify is not None and g.stratum is not None:
        who[agg.stratify] = g.label
    return who


def _reasons(
    g: GroupResult,
    score: Decimal | None,
    values: Mapping[str, Any],
    min_band: str | None,
    scheme: Criteria | None,
    source: _Attributes,
) -> list[Text]:
    reasons = []
    if score is None:
        reasons.append(Text("tidak ada pegawai yang dinilai", "no employee was scored"))
    for field, value in values.items():
        if group_key(value) == ("blank",):
            reasons.append(source.why(g, field))
    if min_band is not None and g.band is not None and scheme is not None:
        codes = [b.code for b in scheme.bands.table]
        if codes.index(g.band.code) < codes.index(min_band):
            least = scheme.bands.get(min_band).label
            reasons.append(
                Text(
                    f"{g.band.label.id} di bawah {least.id}",
                    f"{g.band.label.get('en')} is below {least.get('en')}",
                )
            )
    return reasons


class _Attributes:
    """Where each attribute of a group comes from (see the module), and the weak rows of
    shipped lookups a ranking used."""

    def __init__(self, agg: Aggregate, user: Lookup | None) -> None:
        self.agg = agg
        self.user = user
        self.weak: dict[str, dict[str, str]] = {}

    def check(self, field: str, seen: Sequence[str] = ()) -> None:
        """Refuse an attribute that no source gives."""
        if field in self.agg.by or (self.user is not None and field in self.user.columns):
            return
        shipped = provider(field)
        if shipped is None or field in seen:
            known = [*self.agg.by, *(self.user.columns if self.user else ())]
            chain = "".join(
                f" ({asked!r} comes from {field!r} in the shipped lookup {provider(asked).id})"  # type: ignore[union-attr]
                for asked in seen[-1:]
            )
            raise AsnmeritError(
                f"cannot group the aggregate's groups by {field!r}{chain}: not one of its "
                f"fields or of the lookup's columns ({', '.join(known) or 'none'}); pass "
                f"lookup= (a table or mapping with a column {field!r}, keyed by "
                f"{' or '.join(self.agg.by) or 'a field'})"
            )
        self.check(shipped.key, [*seen, field])

    def value(self, g: GroupResult, field: str) -> Any:
        """The value of attribute ``field`` for group ``g`` (``None``: not known)."""
        if field in self.agg.by:
            return g.key.get(field)
        if self.user is not None and field in self.user.columns:
            row = self.user.get(g.key.get(self.user.key))
            return None if row is None else row.get(field)
        shipped = provider(field)
        assert shipped is not None
        row = shipped.get(self.value(g, shipped.key))
        if row is None:
            return None
        if row.get("confidence") in _WEAK:
            self.weak.setdefault(shipped.id, {})[shown(row.get(shipped.key))] = row["confidence"]
        return row.get(field)

    def why(self, g: GroupResult, field: str) -> Text:
        """Why group ``g`` has no value of attribute ``field``: none of its own, its key
        not found in a lookup (named, with the value), or the row found without it."""
        own = Text(
            f"tidak ada nilai untuk {field}", f"no value for {field}, which decides the group"
        )
        if field in self.agg.by:
            return own
        if self.user is not None and field in self.user.columns:
            table, where_id, where_en = self.user, "lookup=", "lookup="
        else:
            table = provider(field)  # type: ignore[assignment]
            assert table is not None
            where_id, where_en = f"tabel {table.id}", f"the shipped lookup {table.id}"
        by = table.key
        key = self.value(g, by)
        if group_key(key) == ("blank",):
            inner = self.why(g, by)
            return Text(
                f"tidak ada nilai untuk {field}: {inner.id}",
                f"no value for {field}: {inner.get('en')}",
            )
        text = shown(key)
        if table.get(key) is None:
            typed = any(shown(r.get(by)).strip() == text.strip() for r in table.rows)
            if table is self.user and not typed:  # the user's own table: its rows are known
                return own
            return Text(
                f"tidak ada nilai untuk {field}: {by} {text!r} tidak ada di {where_id}"
                + (" (ada, tetapi dengan jenis nilai lain)" if typed else ""),
                f"no value for {field}: {by} {text!r} is not in {where_en}"
                + (" (it is there as another type)" if typed else ""),
            )
        return Text(
            f"tidak ada nilai untuk {field}: {where_id} tidak memberi {field} untuk {by} {text!r}",
            f"no value for {field}: {where_en} gives no {field} for {by} {text!r}",
        )

    def warn(self) -> None:
        for name, rows in self.weak.items():
            listed = ", ".join(f"{k} ({v})" for k, v in rows.items())
            warnings.warn(
                f"the {name} of these rows of the shipped lookup is not confirmed by an "
                f"official source: {listed}; check them (asnmerit.analysis.lookups.lookup"
                f"({name!r}))",
                UserWarning,
                stacklevel=5,
            )
