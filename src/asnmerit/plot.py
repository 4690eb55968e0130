"""Plots for notebooks: band distributions, components, rankings and groups side by side.

Needs matplotlib, from the ``plot`` extra (``pip install 'asnmerit[plot]'``). It is
imported only when a plot is drawn: ``import asnmerit`` (and ``import asnmerit.plot``)
never load it. Every function draws on the ``ax`` it is given, or on a new figure, and
returns the Axes; none shows a figure or prints anything. Scores stay
:class:`~decimal.Decimal` up to the drawing, where they become floats; the numbers
written on the bars are the exact decimals as text.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from . import _decimal as D
from ._values import cell
from .analysis.aggregation import Aggregate, aggregate
from .analysis.ranking import Placing, RankGroup, Ranking
from .engine.bands import band_counts
from .engine.batch import unpack
from .errors import AsnmeritError
from .model import Criteria, Rounding, Text
from .results import Evaluation, Result

if TYPE_CHECKING:
    from matplotlib.axes import Axes

INSTALL = "pip install 'asnmerit[plot]'"
"""How to get what the plots need."""

MEAN_PLACES = 2
"""Decimal places of a mean when the scheme declares no rounding of means."""

_WORDS = {
    "band": Text("Kategori", "Band"),
    "count": Text("Jumlah", "Count"),
    "points": Text("Nilai", "Points"),
    "max": Text("Maksimum", "Maximum"),
    "score": Text("Nilai", "Score"),
    "mean": Text("Rata-rata", "Mean"),
    "scored": Text("dinilai", "scored"),
    "failed": Text("tidak dapat dinilai", "could not be scored"),
    "winner": Text("Pemenang", "Winner"),
    "other": Text("Lainnya", "Other"),
    "all": Text("(semua)", "(all)"),
    "blank": Text("(kosong)", "(blank)"),
    "row": Text("baris", "row"),
    "of": Text("dari", "of"),
}


def _word(key: str, lang: str) -> str:
    return _WORDS[key].get(lang)


def _axes(ax: Axes | None, bars: int = 0) -> Axes:
    """``ax``, or the Axes of a new figure tall enough for ``bars`` horizontal bars."""
    if ax is not None:
        return ax
    try:
        import matplotlib.pyplot as plt
    except ImportError as err:
        raise ImportError(
            f"asnmerit.plot needs matplotlib, which is not installed: {INSTALL}"
        ) from err
    _, new = plt.subplots(figsize=(7.0, max(3.0, 1.2 + 0.3 * bars)))
    return new


def _legend(ax: Axes, title: str | None = None) -> None:
    """A legend beside the plot, where it hides no bar (none when nothing is labelled)."""
    if ax.get_legend_handles_labels()[0]:
        ax.legend(title=title, loc="upper left", bbox_to_anchor=(1.01, 1.0))


def _float(value: Decimal | None) -> float:
    """A decimal as a float to draw (NaN, drawn as nothing, for a missing value)."""
    return math.nan if value is None else float(value)


def _heading(criteria: Criteria, lang: str) -> str:
    return f"{criteria.title.get(lang)} ({criteria.id} {criteria.version})"


def bands(
    results: Iterable[Result],
    *,
    criteria: Criteria | None = None,
    ax: Axes | None = None,
    lang: str = "id",
) -> Axes:
    """Bars of how many subjects fall in each band, lowest band first (empty bands too).

    ``results`` are evaluations or the rows of :func:`~asnmerit.engine.batch.evaluate_records`
    of one scheme version; rows that could not be scored are counted in the title.
    ``criteria`` is needed only when no row was scored."""
    pairs, scheme = unpack(results, criteria, "plot")
    table = scheme.bands.table
    heights = list(band_counts(scheme, (ev for _, ev in pairs if ev is not None)).values())
    failed = sum(ev is None for _, ev in pairs)
    ax = _axes(ax)
    bars = ax.bar(range(len(table)), heights)
    ax.bar_label(bars, [str(h) for h in heights])
    ax.margins(y=0.1)
    ax.set_xticks(range(len(table)), [b.label.get(lang) for b in table])
    ax.set_xlabel(_word("band", lang))
    ax.set_ylabel(_word("count", lang))
    tally = f"{len(pairs) - failed} {_word('scored', lang)}"
    if failed:
        tally += f", {failed} {_word('failed', lang)}"
    ax.set_title(f"{_heading(scheme, lang)}\n{tally}")
    return ax


def components(
    results: Evaluation | Iterable[Result],
    *,
    criteria: Criteria | None = None,
    ax: Axes | None = None,
    lang: str = "id",
) -> Axes:
    """Points against the maximum of each top-level component, first component on top.

    Of one :class:`~asnmerit.engine.evaluator.Evaluation`, or the mean over a batch (evaluations
    or batch rows of one scheme version): the means are those of
    :func:`~asnmerit.analysis.aggregation.aggregate`, rounded as the scheme declares for means (else
    to two places). ``criteria`` is needed only when no row was scored."""
    if isinstance(results, Evaluation):
        scheme = results.criteria
        parts = [(c.label, c.points, c.max) for c in results.components.children]
        summary = (
            f"{D.plain(results.score)} / {D.plain(results.components.max)}, "
            f"{results.band.label.get(lang)}"
        )
    else:
        pairs, scheme = unpack(results, criteria, "plot")
        rule = scheme.aggregation.rounding if scheme.aggregation else Rounding(MEAN_PLACES)
        whole = aggregate([item for item, _ in pairs], criteria=scheme, rounding=rule).groups[-1]
        if whole.score is None:
            raise AsnmeritError("nothing was scored: there is no mean to plot")
        parts = [
            (n.label, whole.components[n.id], n.max if n.max is not None else n.bounds[1])
            for n in scheme.score.children
        ]
        summary = f"{_word('mean', lang)} {_word('of', lang)} {whole.count}: {D.plain(whole.score)}"
    ax = _axes(ax, len(parts))
    where = range(len(parts))
    ax.barh(
        where,
        [_float(m) for _, _, m in parts],
        color="none",
        edgecolor="0.5",
        label=_word("max", lang),
    )
    points = ax.barh(
        where, [_float(p) for _, p, _ in parts], height=0.6, label=_word("points", lang)
    )
    ax.bar_label(points, [f"{D.plain(p)} / {D.plain(m)}" for _, p, m in parts], padding=3)
    ax.set_yticks(where, [label.get(lang) for label, _, _ in parts])
    ax.invert_yaxis()
    ax.set_xlabel(_word("points", lang))
    ax.set_title(f"{_heading(scheme, lang)}\n{summary}")
    ax.margins(x=0.15)
    _legend(ax)
    return ax


def ranking(
    result: Ranking,
    group: Mapping[str, Any] | str | None = None,
    *,
    name: str | None = None,
    limit: int | None = None,
    ax: Axes | None = None,
    lang: str = "id",
) -> Axes:
    """The scores of one group of a ranking, best on top, winners marked by colour.

    ``group`` picks the group by its ``group_by`` values (a mapping, or the value itself
    when the ranking has one ``group_by`` field); it may be left out when there is one
    group. Bars are named by their rank and the identifier ``name`` (default: the first
    identifier that is not a ``group_by`` field). ``limit`` keeps the first placings
    only. Excluded subjects have no score and are not drawn."""
    if limit is not None and limit < 1:
        raise AsnmeritError(f"limit must be at least 1, got {limit}")
    chosen = _group(result, group)
    placings = chosen.placings if limit is None else chosen.placings[:limit]
    labels = [_placing(result, p, name, lang) for p in placings]
    ax = _axes(ax, len(placings))
    series: list[tuple[str | None, str, list[int]]]
    if result.top is None:
        series = [(None, "C0", list(range(len(placings))))]
    else:
        winners = [i for i, p in enumerate(placings) if p.winner]
        others = [i for i, p in enumerate(placings) if not p.winner]
        series = [(_word("winner", lang), "C1", winners), (_word("other", lang), "C0", others)]
    for label, colour, index in series:
        if not index:
            continue
        bars = ax.barh(index, [_float(placings[j].score) for j in index], color=colour, label=label)
        ax.bar_label(bars, [D.plain(placings[j].score) for j in index], padding=3)
    ax.set_yticks(range(len(placings)), labels)
    ax.invert_yaxis()
    ax.set_xlabel(_word("score", lang))
    where = ", ".join(f"{k} = {cell(v)}" for k, v in chosen.key.items())
    shown = f"{len(placings)} {_word('of', lang)} {len(chosen.placings)}"
    ax.set_title(f"{result.label.get(lang)} ({result.scheme} {result.version})\n{where} [{shown}]")
    ax.margins(x=0.15)
    if result.top is not None:
        _legend(ax)
    return ax


def _group(result: Ranking, group: Mapping[str, Any] | str | None) -> RankGroup:
    keys = "; ".join(", ".join(f"{k}={cell(v)}" for k, v in g.key.items()) for g in result.groups)
    if group is None:
        if len(result.groups) != 1:
            raise AsnmeritError(
                f"the ranking has {len(result.groups)} groups: pick one with group= ({keys})"
            )
        return result.groups[0]
    if isinstance(group, str):
        if len(result.group_by) != 1:
            fields = ", ".join(result.group_by) or "none"
            raise AsnmeritError(
                f"group={group!r} names one value, but the ranking groups by {fields}: "
                "give a mapping of field to value"
            )
        group = {result.group_by[0]: group}
    try:
        return result.group(**group)
    except KeyError:
        raise AsnmeritError(f"no group {dict(group)} in the ranking ({keys})") from None


def _placing(result: Ranking, p: Placing, name: str | None, lang: str) -> str:
    ids = {k: cell(v) for k, v in p.identifiers.items() if k not in result.group_by}
    if name is not None:
        if name not in p.identifiers:
            known = ", ".join(p.identifiers) or "none"
            raise AsnmeritError(f"no identifier {name!r} to name the bars by ({known})")
        who = ids.get(name) or cell(p.identifiers[name])
    else:
        who = next((v for v in ids.values() if v), "")
    if not who:
        who = f"{_word('row', lang)} {p.row}" if p.row is not None else "-"
    if not result.ranked:
        return who
    return f"{D.plain(p.rank)}{'=' if p.tied else ''}  {who}"


def compare(  # long: a docstring of the options, then one bar per group and stratum
    result: Aggregate,
    measure: str | None = None,
    *,
    strata: Sequence[str] | None = None,
    criteria: Criteria | None = None,
    ax: Axes | None = None,
    lang: str = "id",
) -> Axes:
    """The groups of an aggregate side by side: per group, one bar per stratum row (e.g.
    PNS, PPPK and the combined ASN), first group on top.

    Bars show the mean total, or the mean of the top-level component ``measure``.
    ``strata`` keeps only the rows with these labels (e.g. ``["ASN"]``). ``criteria``
    (the scheme the aggregate comes from) gives ``measure`` its label; without it the
    component's id is shown. A group with no scored row has no bar."""
    if criteria is not None and criteria.digest != result.digest:
        raise AsnmeritError(
            f"the aggregate comes from {result.scheme} {result.version} ({result.digest}), "
            f"not {criteria.id} {criteria.version} ({criteria.digest})"
        )
    if measure is not None:
        known = list(dict.fromkeys(k for g in result.groups for k in g.components))
        if measure not in known:
            raise AsnmeritError(
                f"no mean of {measure!r} in the aggregate: its components are "
                f"{', '.join(known) or 'none'}"
            )
    labels = list(dict.fromkeys(g.label for g in result.groups))
    if strata is not None:
        unknown = [s for s in strata if s not in labels]
        if unknown:
            raise AsnmeritError(
                f"no stratum {', '.join(map(repr, unknown))} in the aggregate ({', '.join(labels)})"
            )
        labels = list(dict.fromkeys(strata))
    keys: dict[tuple[Any, ...], str] = {}
    values: dict[tuple[tuple[Any, ...], str], Decimal | None] = {}
    for g in result.groups:
        key = tuple(g.key.get(f) for f in result.by)
        name = ", ".join(cell(v) or _word("blank", lang) for v in key)
        keys.setdefault(key, name or _word("all", lang))
        values[key, g.label] = g.score if measure is None else g.components.get(measure)
    if all(values.get((k, s)) is None for k in keys for s in labels):
        raise AsnmeritError("nothing was scored: no group has a mean to plot")
    ax = _axes(ax, len(keys) * len(labels))
    width = 0.8 / len(labels)
    for i, stratum in enumerate(labels):
        row = [values.get((k, stratum)) for k in keys]
        where = [j - 0.4 + width * (i + 0.5) for j in range(len(keys))]
        legend = (stratum or _word("blank", lang)) if result.stratify is not None else None
        bars = ax.barh(where, [_float(v) for v in row], height=width, label=legend)
        ax.bar_label(bars, [cell(v) for v in row], padding=3, fontsize="small")
    ax.set_yticks(range(len(keys)), list(keys.values()))
    ax.invert_yaxis()
    if measure is None:
        what = _word("score", lang)
    elif criteria is not None:
        what = criteria.node(measure).label.get(lang)
    else:
        what = measure
    ax.set_xlabel(f"{_word('mean', lang)}: {what}")
    ax.set_title(f"{result.scheme} {result.version}: {', '.join(result.by) or _word('all', lang)}")
    ax.margins(x=0.15)
    if result.stratify is not None:
        _legend(ax, result.stratify)
    return ax
