"""Plots for notebooks: bands, score distributions, components, rankings and how they
shift, groups side by side and one subject across periods.

Needs matplotlib, from the ``plot`` extra (``pip install 'asnmerit[plot]'``). It is
imported only when a plot is drawn: ``import asnmerit`` (and ``import asnmerit.plot``)
never load it. Every function draws on the ``ax`` it is given, or on a new figure, and
returns the Axes; none shows a figure or prints anything. Scores stay
:class:`~decimal.Decimal` up to the drawing, where they become floats; the numbers
written on the bars are the exact decimals as text.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any, NamedTuple

from . import _decimal as D
from ._render import shown
from ._values import cell
from .analysis.aggregation import Aggregate, aggregate
from .analysis.comparison import Comparison
from .analysis.grouping import Key, group_key
from .analysis.ranking import Exclusion, Placing, RankGroup, Ranking
from .columnar import is_table
from .engine.bands import band_counts
from .engine.batch import check_fields, fields_of, unpack
from .errors import AsnmeritError
from .model import BandPolicy, Criteria, Rounding, Text
from .results import Evaluation, Result
from .whatif.scenarios import Shift

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["bands", "compare", "components", "distribution", "periods", "ranking", "shift"]

INSTALL = "pip install 'asnmerit[plot]'"
"""How to get what the plots need."""

MEAN_PLACES = 2
"""Decimal places of a mean when the scheme declares no rounding of means."""

BINS = 20
"""About how many bins :func:`distribution` draws over a scheme's score range."""

_WORDS = {
    "band": Text("Kategori", "Band"),
    "count": Text("Jumlah", "Count"),
    "share": Text("Persentase (%)", "Share (%)"),
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
    "by": Text("menurut", "by"),
    "period": Text("Periode", "Period"),
    "of_max": Text("% dari maksimum", "% of maximum"),
    "incomparable": Text(
        "instrumen berbeda: tidak dapat dibandingkan", "different instruments: not comparable"
    ),
    "before": Text("Sebelum", "Before"),
    "after": Text("Sesudah", "After"),
    "rank": Text("Peringkat", "Rank"),
    "up": Text("Naik", "Up"),
    "down": Text("Turun", "Down"),
    "same": Text("Tetap", "Unchanged"),
    "moved": Text("berpindah peringkat", "changed rank"),
    "below": Text("di bawah", "below"),
    "not_placed": Text("tidak ikut", "not placed"),
}

_FAILED_COLOUR = "0.75"
"""The grey of the rows that could not be scored."""


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


def _float(value: Decimal | Fraction | None) -> float:
    """An exact number as a float to draw (NaN, drawn as nothing, for a missing value)."""
    return math.nan if value is None else float(value)


def _heading(criteria: Criteria, lang: str) -> str:
    return f"{criteria.title.get(lang)} ({criteria.id} {criteria.version})"


def _pairs(
    results: Iterable[Result], criteria: Criteria | None
) -> tuple[list[tuple[Result, Evaluation | None]], Criteria]:
    """Each result with its evaluation (``None``: not scored), and their scheme version:
    where every plot of a batch reads its rows."""
    if isinstance(results, Evaluation | Mapping | str | bytes) or not isinstance(results, Iterable):
        raise TypeError(
            "plot takes evaluations or the rows of evaluate_records (an iterable of them), "
            f"got {type(results).__name__}"
        )
    return unpack(results, criteria, "plot")


def _band_colours(n: int) -> list[tuple[float, float, float, float]]:
    """One colour per band, lowest band first: from red (low) to blue (high)."""
    from matplotlib import colormaps

    scale = colormaps["RdYlBu"]
    return [scale(0.1 + 0.8 * i / max(n - 1, 1)) for i in range(n)]


def _ink(colour: Any) -> str:
    """Black or white, whichever reads on ``colour``."""
    from matplotlib.colors import to_rgb

    r, g, b = to_rgb(colour)
    return "black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.5 else "white"


def _tally(scored: int, failed: int, lang: str) -> str:
    text = f"{scored} {_word('scored', lang)}"
    if failed:
        text += f", {failed} {_word('failed', lang)}"
    return text


# -- bands --------------------------------------------------------------------------------


class _BandRow(NamedTuple):
    """One group's count per band (every band, lowest first) and its rows not scored."""

    values: tuple[Any, ...]
    """The group's values of the ``by`` fields, as first met."""
    counts: dict[str, int]
    failed: int

    @property
    def rows(self) -> int:
        return sum(self.counts.values()) + self.failed


def _band_table(
    results: Iterable[Result], by: Sequence[str], criteria: Criteria | None
) -> tuple[Criteria, list[_BandRow]]:
    """The scheme, and per group of the ``by`` fields (one group when there are none; in
    order of first appearance, grouped by :func:`~asnmerit.analysis.grouping.group_key`
    as rankings and aggregates group) the count of each band and of the rows not scored."""
    if is_table(results):
        return _table_bands(results, by, criteria)
    pairs, scheme = _pairs(results, criteria)
    check_fields(scheme, by, "plot bands")
    groups: dict[tuple[Key, ...], tuple[tuple[Any, ...], list[Evaluation], list[int]]] = {}
    for item, ev in pairs:
        values = fields_of(item, ev) if by else {}
        key = tuple(group_key(values.get(f)) for f in by)
        _, scored, failed = groups.setdefault(key, (tuple(values.get(f) for f in by), [], [0]))
        if ev is None:
            failed[0] += 1
        else:
            scored.append(ev)
    if not groups and not by:
        groups[()] = ((), [], [0])
    return scheme, [
        _BandRow(values, band_counts(scheme, scored), failed[0])
        for values, scored, failed in groups.values()
    ]


def _table_bands(
    table: Any, by: Sequence[str], criteria: Criteria | None
) -> tuple[Criteria, list[_BandRow]]:
    """:func:`_band_table` of the table :func:`asnmerit.evaluate_frame` returns, a column at
    a time."""
    import numpy as np

    from .analysis.scored import ScoredTable

    scored = ScoredTable(table, criteria, "plot")
    scored.require(["band"], "counts the bands", "plot the table evaluate_frame returns")
    scored.require(by, "groups by these fields", "keep them (evaluate_frame(..., keep=[...]))")
    scheme = scored.criteria
    codes, uniques = scored.frame.factorize("band")
    order = [b.code for b in scheme.bands.table]
    band = np.asarray([*(order.index(u) for u in uniques), -1], np.int64)[codes]
    group, values, _ = scored.keys(by) if by else (np.zeros(scored.rows, np.int64), [{}], [()])
    size = len(order)
    unbanded = scored.scored & (band < 0)
    if unbanded.any():  # a scored row always has its band: the cell was emptied since
        raise AsnmeritError(
            f"plot: row {int(unbanded.argmax()) + 1} of the table has a score but no band "
            "(each scored row has one): was the table edited after it was scored?"
        )
    ok = scored.scored
    counts = np.bincount(group[ok] * size + band[ok], minlength=len(values) * size).tolist()
    failed = np.bincount(group[~scored.scored], minlength=len(values)).tolist()
    return scheme, [
        _BandRow(
            tuple(v.get(f) for f in by),
            {c: counts[g * size + k] for k, c in enumerate(order)},
            failed[g],
        )
        for g, v in enumerate(values)
    ]


def _fields(by: str | Sequence[str] | None) -> tuple[str, ...]:
    if by is None:
        return ()
    if isinstance(by, str):
        return (by,)
    if isinstance(by, Sequence) and all(isinstance(f, str) for f in by):
        return tuple(by)
    raise TypeError(f"by: a field name or a sequence of field names, got {by!r:.60}")


def bands(
    results: Iterable[Result],
    by: str | Sequence[str] | None = None,
    *,
    share: bool = False,
    criteria: Criteria | None = None,
    ax: Axes | None = None,
    lang: str = "id",
) -> Axes:
    """How many subjects fall in each band, lowest band first (empty bands too).

    ``results`` are evaluations or the rows of :func:`~asnmerit.engine.batch.evaluate_records`
    of one scheme version; ``criteria`` is needed only when no row was scored.

    Without ``by``: one bar per band, its count written on it; the rows that could not be
    scored are counted in the title. With ``by`` (a field, identifier or input, or a
    sequence of them): one horizontal bar per group (first group on top, in order of first
    appearance, grouped as :func:`~asnmerit.analysis.ranking.rank` and
    :func:`~asnmerit.analysis.aggregation.aggregate` group), stacked with one segment per
    band, lowest band first, and a grey last segment of the group's rows that could not
    be scored; each segment wide enough holds its count.

    ``share`` draws percentages instead of counts (the numbers written stay the counts):
    of the scored rows without ``by``, of all the group's rows with ``by`` (each bar is
    then 100%)."""
    if not isinstance(share, bool):
        raise TypeError(f"share: true or false, got {share!r:.40}")
    fields = _fields(by)
    scheme, rows = _band_table(results, fields, criteria)
    if fields:
        return _stacked(scheme, fields, rows, share, ax, lang)
    (whole,) = rows
    table = scheme.bands.table
    counts = list(whole.counts.values())
    scored = sum(counts)
    heights = [_float(Fraction(100 * n, scored)) if share and scored else n for n in counts]
    ax = _axes(ax)
    bars = ax.bar(
        range(len(table)), heights, color=_band_colours(len(table)), edgecolor="0.4", linewidth=0.5
    )
    ax.bar_label(bars, [str(n) for n in counts])
    ax.margins(y=0.1)
    ax.set_xticks(range(len(table)), [b.label.get(lang) for b in table])
    ax.set_xlabel(_word("band", lang))
    ax.set_ylabel(_word("share" if share else "count", lang))
    ax.set_title(f"{_heading(scheme, lang)}\n{_tally(scored, whole.failed, lang)}")
    return ax


def _group_name(values: tuple[Any, ...], lang: str) -> str:
    return " / ".join(shown(v).strip() or _word("blank", lang) for v in values)


def _stacked(
    scheme: Criteria,
    fields: tuple[str, ...],
    rows: list[_BandRow],
    share: bool,
    ax: Axes | None,
    lang: str,
) -> Axes:
    """One horizontal bar per group, stacked by band (and the rows not scored, in grey)."""
    from matplotlib.font_manager import FontProperties

    table = scheme.bands.table
    segments: list[tuple[str, Any, list[int]]] = [
        (b.label.get(lang), colour, [r.counts[b.code] for r in rows])
        for b, colour in zip(table, _band_colours(len(table)), strict=True)
    ]
    if any(r.failed for r in rows):
        segments.append((_word("failed", lang), _FAILED_COLOUR, [r.failed for r in rows]))

    def size(n: int, total: int) -> float:
        if not share:
            return float(n)
        return _float(Fraction(100 * n, total)) if total else 0.0

    ax = _axes(ax, len(rows))
    where = range(len(rows))
    widest = 100.0 if share else float(max((r.rows for r in rows), default=0) or 1)
    box = ax.bbox.width * 72 / ax.figure.dpi  # the plot's width in points
    font = FontProperties(size="small").get_size_in_points()
    left = [0.0] * len(rows)
    for label, colour, counts in segments:
        widths = [size(n, r.rows) for n, r in zip(counts, rows, strict=True)]
        bars = ax.barh(
            where, widths, left=left, color=colour, edgecolor="0.4", linewidth=0.5, label=label
        )
        texts = [
            str(n) if n and w / widest * box >= 0.62 * font * len(str(n)) + 4 else ""
            for n, w in zip(counts, widths, strict=True)
        ]
        ax.bar_label(bars, texts, label_type="center", fontsize="small", color=_ink(colour))
        left = [a + w for a, w in zip(left, widths, strict=True)]
    ax.set_yticks(where, [_group_name(r.values, lang) for r in rows])
    ax.invert_yaxis()
    ax.set_xlim(0, widest * (1 if share else 1.02))
    ax.set_xlabel(_word("share" if share else "count", lang))
    scored = sum(sum(r.counts.values()) for r in rows)
    failed = sum(r.failed for r in rows)
    ax.set_title(
        f"{_heading(scheme, lang)}\n{_word('by', lang)} {', '.join(fields)}: "
        f"{_tally(scored, failed, lang)}"
    )
    _legend(ax, _word("band", lang))
    return ax


# -- the distribution of scores --------------------------------------------------------------


def _bin_width(span: Decimal, bins: int = BINS) -> Decimal:
    """A round width (1, 2, 2.5 or 5 times a power of ten) giving at most about ``bins``
    bins over ``span``."""
    raw = span / bins
    power = raw.adjusted()
    for step in ("1", "2", "2.5", "5", "10"):
        width = Decimal(step).scaleb(power)
        if width >= raw:
            return width
    return Decimal(10).scaleb(power)  # pragma: no cover - 10 times the power is always wider


def _edges(criteria: Criteria, bins: int | None) -> list[Fraction]:
    """The bin edges over the scheme's score range: ``bins`` equal bins, else bins of a
    round width, aligned on its multiples."""
    low, high = Fraction(criteria.score_min), Fraction(criteria.score_max)
    if high <= low:
        return [low - 1, low, low + 1]
    if bins is not None:
        return [low + (high - low) * i / bins for i in range(bins + 1)]
    width = Fraction(_bin_width(criteria.score_max - criteria.score_min))
    start = math.floor(low / width) * width
    count = math.ceil((high - start) / width)
    return [start + width * i for i in range(max(count, 1) + 1)]


def _band_edges(criteria: Criteria, policy: BandPolicy) -> list[Fraction]:
    """Where one band ends and the next begins, under ``policy``: the published upper
    bounds (``upper_bounds``), the lower bounds (``lower_bounds``) or half way between a
    band's upper and the next band's lower bound (``round_then_classify``)."""
    out = []
    table = criteria.bands.table
    for band, after in itertools.pairwise(table):
        bounds = [Fraction(b) for b in (band.upper, after.lower) if b is not None]
        if not bounds:
            continue
        if policy == "upper_bounds" and band.upper is not None:
            out.append(Fraction(band.upper))
        elif policy == "lower_bounds" and after.lower is not None:
            out.append(Fraction(after.lower))
        else:
            out.append(sum(bounds, Fraction(0)) / len(bounds))
    return out


@D.own_context
def distribution(
    results: Iterable[Result],
    *,
    bins: int | None = None,
    criteria: Criteria | None = None,
    ax: Axes | None = None,
    lang: str = "id",
) -> Axes:
    """A histogram of the scores, with the band edges as vertical lines and each band's
    label over its part of the range.

    ``results`` are evaluations or the rows of :func:`~asnmerit.engine.batch.evaluate_records`
    of one scheme version (``criteria`` is needed only when no row was scored); the rows
    that could not be scored are counted in the title. The bins cover the scheme's score
    range, of a round width giving about twenty bins (``bins``: that many equal bins);
    each bin holds its lower edge, the last both. Scores are counted exactly. The band
    edges follow the boundary policy the scores were classified with (the scheme's own
    when they differ): the upper bounds, the lower bounds, or half way between them when
    scores are rounded then classified."""
    if bins is not None and (isinstance(bins, bool) or not isinstance(bins, int) or bins < 1):
        raise TypeError(f"bins: a whole number of bins, at least 1, got {bins!r:.40}")
    scheme, scores, failed, policy = _scores(results, criteria)
    edges = _edges(scheme, bins)
    counts = [0] * (len(edges) - 1)
    for score, n in scores.items():  # within the scheme's range: within the edges
        counts[min(bisect.bisect_right(edges, score), len(counts)) - 1] += n
    ax = _axes(ax)
    ax.bar(
        [_float(e) for e in edges[:-1]],
        counts,
        width=[_float(b - a) for a, b in itertools.pairwise(edges)],
        align="edge",
        color="C0",
        edgecolor="white",
        linewidth=0.5,
    )
    cuts = _band_edges(scheme, policy)
    for edge in cuts:
        ax.axvline(_float(edge), color="0.3", linestyle="--", linewidth=1)
    bounds = [Fraction(scheme.score_min), *cuts, Fraction(scheme.score_max)]
    for band, (low, high) in zip(scheme.bands.table, itertools.pairwise(bounds), strict=False):
        ax.text(
            _float((low + high) / 2),
            0.98,
            band.label.get(lang),
            transform=ax.get_xaxis_transform(),
            rotation=90,
            ha="center",
            va="top",
            fontsize="small",
            color="0.25",
        )
    ax.set_xlim(_float(edges[0]), _float(edges[-1]))
    ax.set_ylim(0, max([*counts, 1]) * 1.6)  # room over the bars for the band labels
    ax.set_xlabel(_word("score", lang))
    ax.set_ylabel(_word("count", lang))
    ax.set_title(f"{_heading(scheme, lang)}\n{_tally(sum(scores.values()), failed, lang)}")
    return ax


def _scores(
    results: Any, criteria: Criteria | None
) -> tuple[Criteria, dict[Fraction, int], int, BandPolicy]:
    """The scheme; how many rows have each score; how many were not scored; and the band
    policy they were classified with (the scheme's own when they differ)."""
    if is_table(results):
        import numpy as np

        from .analysis.scored import ScoredTable

        table = ScoredTable(results, criteria, "plot")
        codes, uniques = table.decimals("score")
        counts = np.bincount(codes[codes >= 0], minlength=len(uniques)).tolist()
        tally = {Fraction(u): n for u, n in zip(uniques, counts, strict=True) if n}
        return table.criteria, tally, int((~table.scored).sum()), table.criteria.bands.policy
    pairs, scheme = _pairs(results, criteria)
    found = Counter(Fraction(ev.score) for _, ev in pairs if ev is not None)
    policies = {ev.band_policy for _, ev in pairs if ev is not None}
    policy = policies.pop() if len(policies) == 1 else scheme.bands.policy
    return scheme, dict(found), sum(ev is None for _, ev in pairs), policy


# -- components -------------------------------------------------------------------------------


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
        if is_table(results):  # the table evaluate_frame returns (with components=True)
            if criteria is None:
                raise AsnmeritError("plot of a table needs the criteria it was scored with")
            scheme, every = criteria, results
        else:
            pairs, scheme = _pairs(results, criteria)
            every = [item for item, _ in pairs]
        rule = scheme.aggregation.rounding if scheme.aggregation else Rounding(MEAN_PLACES)
        whole = aggregate(every, criteria=scheme, rounding=rule).groups[-1]
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
    who = _who(result, p, name, lang)
    if not result.ranked:
        return who
    return f"{D.plain(p.rank)}{'=' if p.tied else ''}  {who}"


def _who(result: Ranking, p: Placing | Exclusion, name: str | None, lang: str) -> str:
    """A subject's name: the identifier ``name``, else the first identifier that is not a
    ``group_by`` field, else its row."""
    ids = {k: cell(v) for k, v in p.identifiers.items() if k not in result.group_by}
    if name is not None:
        if name not in p.identifiers:
            known = ", ".join(p.identifiers) or "none"
            raise AsnmeritError(f"no identifier {name!r} to name the subjects by ({known})")
        who = ids.get(name) or cell(p.identifiers[name])
    else:
        who = next((v for v in ids.values() if v), "")
    if not who:
        who = f"{_word('row', lang)} {p.row}" if p.row is not None else "-"
    return who


def compare(
    result: Aggregate | Comparison,
    measure: str | None = None,
    *,
    strata: Sequence[str] | None = None,
    criteria: Criteria | None = None,
    ax: Axes | None = None,
    lang: str = "id",
) -> Axes:
    """Groups side by side (an :class:`~asnmerit.analysis.aggregation.Aggregate`), or one
    subject's periods (a :class:`~asnmerit.analysis.comparison.Comparison`).

    Of an aggregate: per group, one bar per stratum row (e.g. PNS, PPPK and the combined
    ASN), first group on top. Bars show the mean total, or the mean of the top-level
    component ``measure``. ``strata`` keeps only the rows with these labels (e.g.
    ``["ASN"]``). ``criteria`` (the scheme the aggregate comes from) gives ``measure`` its
    label; without it the component's id is shown. A group with no scored row has no bar.

    Of a comparison: :func:`periods`, with the line of the component ``measure`` beside
    the total when it is given."""
    if isinstance(result, Comparison):
        if strata is not None or criteria is not None:
            given = " and ".join(
                n for n, v in (("strata", strata), ("criteria", criteria)) if v is not None
            )
            raise AsnmeritError(
                f"{given}: options of an aggregate's plot, not of a comparison across periods"
            )
        return periods(result, lines=() if measure is None else (measure,), ax=ax, lang=lang)
    if not isinstance(result, Aggregate):
        raise TypeError(
            "plot.compare takes an Aggregate (asnmerit.aggregate) or a Comparison "
            f"(asnmerit.compare), got {type(result).__name__}"
        )
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


# -- one subject across periods ---------------------------------------------------------------


def periods(
    comparison: Comparison,
    lines: bool | Sequence[str] = False,
    *,
    share: bool = False,
    ax: Axes | None = None,
    lang: str = "id",
) -> Axes:
    """One subject's total across the periods of a comparison (:func:`asnmerit.compare`),
    in their order, each point with its exact points written over it.

    ``lines``: also the line of each top-level component (``True``), or of the
    components with these ids. A component a period's scheme lacks has no point there.
    Where two periods are scored with different instruments (``comparison.comparable``
    is false) no line joins them: a dashed vertical line marks the step, and the legend
    says that the scores there are not comparable. ``share`` draws each value as a
    percentage of its maximum in its period (the numbers written stay the points)."""
    if not isinstance(comparison, Comparison):
        raise TypeError(
            "plot.periods takes a Comparison (asnmerit.compare of one subject's results "
            f"across periods), got {type(comparison).__name__}"
        )
    if not isinstance(share, bool):
        raise TypeError(f"share: true or false, got {share!r:.40}")
    total, *parts = comparison.lines
    known = [line.id for line in parts]
    if lines is True:
        chosen = list(parts)
    elif lines is False:
        chosen = []
    elif isinstance(lines, str) or not isinstance(lines, Sequence):
        raise TypeError(f"lines: true, false or a sequence of component ids, got {lines!r:.60}")
    else:
        unknown = [i for i in lines if i not in known]
        if unknown:
            raise AsnmeritError(
                f"no component {', '.join(map(repr, unknown))} in the comparison "
                f"({', '.join(known) or 'none'})"
            )
        chosen = [line for line in parts if line.id in lines]
    count = len(comparison.periods)
    # the runs of periods a line may join: a new run where the scale changes
    runs: list[list[int]] = [[0]]
    for i, same in enumerate(comparison.comparable, start=1):
        if same:
            runs[-1].append(i)
        else:
            runs.append([i])
    ax = _axes(ax)
    for n, line in enumerate([total, *chosen]):
        values = [
            _float(Fraction(c.points) * 100 / Fraction(c.max))
            if share and c.points is not None and c.max
            else (math.nan if share else _float(c.points))
            for c in line.cells
        ]
        colour = "black" if n == 0 else f"C{(n - 1) % 10}"
        for k, run in enumerate(runs):
            ax.plot(
                run,
                [values[i] for i in run],
                marker="o",
                color=colour,
                linewidth=2.5 if n == 0 else 1.5,
                label=("" if k == 0 else "_") + line.label.get(lang),
            )
        if n == 0:
            for i, c in enumerate(line.cells):
                if c.points is not None and not math.isnan(values[i]):
                    ax.annotate(
                        D.plain(c.points),
                        (i, values[i]),
                        textcoords="offset points",
                        xytext=(0, 7),
                        ha="center",
                        fontsize="small",
                    )
    for k, run in enumerate(runs[1:]):
        ax.axvline(
            run[0] - 0.5,
            color="0.4",
            linestyle="--",
            linewidth=1,
            label=("" if k == 0 else "_") + _word("incomparable", lang),
        )
    ax.set_xticks(range(count), list(comparison.periods))
    ax.set_xlim(-0.5, count - 0.5)
    ax.margins(y=0.15)
    ax.set_xlabel(_word("period", lang))
    ax.set_ylabel(_word("of_max" if share else "points", lang))
    schemes = list(dict.fromkeys(f"{ev.scheme} {ev.version}" for ev in comparison.results))
    first = comparison.results[0]
    name = next((cell(v) for v in first.identifiers.values() if cell(v)), "")
    ax.set_title(f"{total.label.get(lang)}{f': {name}' if name else ''}\n{' -> '.join(schemes)}")
    _legend(ax)
    return ax


# -- a ranking's shift ----------------------------------------------------------------------


def _subject(p: Placing | Exclusion) -> tuple[Any, ...]:
    """Who a placing is, across two rankings: its identifiers, else its row."""
    ids = tuple((k, shown(v)) for k, v in p.identifiers.items())
    return ids or ("row", p.row)


def _rows(
    subjects: Mapping[tuple[Any, ...], Sequence[Placing | Exclusion | None]],
    side: int,
    placed: list[tuple[Any, ...]],
) -> dict[tuple[Any, ...], int]:
    """The row (from 1) of each subject placed on ``side`` (0: before, 1: after): by rank,
    subjects who share one by their rank on the other side, then as the ranking lists them."""
    listed = {who: i for i, who in enumerate(placed)}

    def order(who: tuple[Any, ...]) -> tuple[Any, ...]:
        other = _rank_of(subjects[who][1 - side])
        return (_rank_of(subjects[who][side]), other is None, other or 0, listed[who])

    return {who: i for i, who in enumerate(sorted(placed, key=order), start=1)}


def _rank_of(p: Placing | Exclusion | None) -> Decimal | None:
    return p.rank if isinstance(p, Placing) else None


def _in_group(result: Ranking, key: Mapping[str, Any]) -> RankGroup | None:
    try:
        return result.group(**key)
    except KeyError:
        return None


def shift(  # long: the rows of each side, then the lines, the marks and the names
    result: Shift,
    group: Mapping[str, Any] | str | None = None,
    *,
    name: str | None = None,
    limit: int | None = None,
    ax: Axes | None = None,
    lang: str = "id",
) -> Axes:
    """A bump chart of how a ranking moves (:func:`asnmerit.whatif.shift` or
    :func:`~asnmerit.whatif.sensitivity`): the ranking before on the left, after on the
    right, rank 1 on top, one line per subject of the group placed in either ranking.

    Each column lists the placed subjects in order of rank, one row each (subjects who
    share a rank, in the order of their rank on the other side), each named by its rank
    (``5=`` for a shared rank) and the identifier ``name`` (default: the first that is
    not a ``group_by`` field). Lines of subjects whose rank rose are green, fell red, the
    others grey; winners (when the rankings have them) are marked with a star. ``group``
    picks the group as in :func:`ranking`. ``limit`` keeps the subjects among the first
    ``limit`` rows of either column; one outside them in the other column is drawn on a
    row "below", and one not placed there (excluded, or not ranked) on a row "not placed"."""
    if not isinstance(result, Shift):
        raise TypeError(
            "plot.shift takes a Shift (asnmerit.whatif.shift or asnmerit.whatif.sensitivity), "
            f"got {type(result).__name__}"
        )
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise AsnmeritError(f"limit must be at least 1, got {limit!r:.40}")
    rankings = (result.before, result.after)
    if not any(r.groups for r in rankings):
        raise AsnmeritError("nothing was ranked, before or after: there is no shift to plot")
    chosen = _group(rankings[0] if rankings[0].groups else rankings[1], group)
    groups = [_in_group(r, chosen.key) for r in rankings]
    subjects: dict[tuple[Any, ...], list[Placing | Exclusion | None]] = {}
    for side, g in enumerate(groups):
        places: tuple[Placing | Exclusion, ...] = () if g is None else (*g.placings, *g.excluded)
        for p in places:
            subjects.setdefault(_subject(p), [None, None])[side] = p
    rows = [
        _rows(subjects, side, [] if g is None else [_subject(p) for p in g.placings])
        for side, g in enumerate(groups)
    ]
    shown = [{w for w, i in side.items() if limit is None or i <= limit} for side in rows]
    keep = [w for w in subjects if w in shown[0] or w in shown[1]]
    last = max((len(s) for s in shown), default=0)
    below = any(w in rows[s] and w not in shown[s] for w in keep for s in (0, 1))
    absent = any(w not in rows[s] for w in keep for s in (0, 1))
    below_row, absent_row = last + 1, last + 1 + below

    def y(side: int, who: tuple[Any, ...]) -> int:
        if who in shown[side]:
            return rows[side][who]
        return below_row if who in rows[side] else absent_row

    ax = _axes(ax, last + below + absent)
    styles = {"up": ("C2", 2.0, 3), "down": ("C3", 2.0, 3), "same": ("0.6", 1.0, 2)}
    named: set[str] = set()
    winners: list[tuple[int, int]] = []
    for who in keep:
        ranks = [_rank_of(p) for p in subjects[who]]
        if ranks[0] == ranks[1]:
            kind = "same"
        elif ranks[1] is not None and (ranks[0] is None or ranks[1] < ranks[0]):
            kind = "up"
        else:
            kind = "down"
        colour, width, layer = styles[kind]
        label = _word(kind, lang)
        ax.plot(
            [0, 1],
            [y(0, who), y(1, who)],
            marker="o",
            markersize=4,
            color=colour,
            linewidth=width,
            zorder=layer,
            label=label if label not in named else "_" + label,
        )
        named.add(label)
        for side, there in enumerate(subjects[who]):
            if isinstance(there, Placing) and there.winner:
                winners.append((side, y(side, who)))
            if not isinstance(there, Placing) or who not in shown[side]:
                continue  # many may share the row: named in the other column
            ranking_ = rankings[side]
            place = D.plain(there.rank) + ("=" if there.tied else "") if ranking_.ranked else ""
            text = _who(ranking_, there, name, lang)
            ax.text(
                -0.08 if side == 0 else 1.08,
                y(side, who),
                (f"{text}  {place}" if side == 0 else f"{place}  {text}").strip(),
                ha="right" if side == 0 else "left",
                va="center",
                fontsize="small",
            )
    if any(r.top is not None for r in rankings):
        ax.plot(
            [x for x, _ in winners] or [math.nan],
            [y for _, y in winners] or [math.nan],
            linestyle="none",
            marker="*",
            markersize=12,
            color="C1",
            zorder=4,
            label=_word("winner", lang),
        )
    extra = [(below_row, f"{_word('below', lang)} {limit}")] if below else []
    extra += [(absent_row, _word("not_placed", lang))] if absent else []
    ax.set_yticks([r for r, _ in extra], [t for _, t in extra])
    ax.set_ylim(last + below + absent + 0.7, 0.3)  # the first row on top
    ax.set_xticks([0, 1], [_word("before", lang), _word("after", lang)])
    ax.set_xlim(-1.2, 2.2)
    for column in (0, 1):
        ax.axvline(column, color="0.85", linewidth=1, zorder=1)
    ax.set_ylabel(_word("rank", lang))
    where = ", ".join(f"{k} = {cell(v)}" for k, v in chosen.key.items())
    moved = sum(_rank_of(subjects[w][0]) != _rank_of(subjects[w][1]) for w in keep)
    tally = f"{moved} {_word('of', lang)} {len(keep)} {_word('moved', lang)}"
    after = rankings[1]
    heading = f"{after.label.get(lang)} ({after.scheme} {after.version})"
    ax.set_title(f"{heading}\n{where + ': ' if where else ''}{tally}")
    handles, labels = ax.get_legend_handles_labels()
    ranked = [_word(k, lang) for k in ("up", "down", "same", "winner")]
    legend = sorted(zip(handles, labels, strict=True), key=lambda hl: ranked.index(hl[1]))
    if legend:
        ax.legend(
            [h for h, _ in legend],
            [t for _, t in legend],
            loc="upper left",
            bbox_to_anchor=(1.01, 1.0),
        )
    return ax
