"""Plots (the ``plot`` extra): real figures drawn with the Agg backend, checked against the
data; matplotlib stays unloaded until a plot is drawn, and its absence is explained."""

from __future__ import annotations

import math
import re
import subprocess
import sys
import warnings
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest

import asnmerit
from asnmerit import plot
from asnmerit.cli.demo import summarize, synthetic_agency
from asnmerit.engine.batch import evaluate_records
from asnmerit.errors import AsnmeritError
from asnmerit.results import RowResult

from .helpers import pelaksana


@pytest.fixture
def plt() -> Iterator[Any]:
    """pyplot on the Agg backend; every figure is closed afterwards."""
    mpl = pytest.importorskip("matplotlib", reason="the plot extra (matplotlib) is not installed")
    mpl.use("Agg")
    import matplotlib.pyplot as pyplot

    yield pyplot
    pyplot.close("all")


@pytest.fixture(scope="module")
def rows(ip: asnmerit.Criteria) -> list[RowResult]:
    """A synthetic agency, and two rows that cannot be scored."""
    records: list[dict[str, Any]] = [*synthetic_agency(n=80, seed=7)]
    records += [{"nama": "Salah Satu", "jenis_jabatan": "astronaut"}, {"nama": "Kosong"}]
    return evaluate_records(ip, records)


def widths(container: Any) -> list[float]:
    return [bar.get_width() for bar in container.patches]


def drawn(container: Any) -> list[float | None]:
    """The widths of horizontal bars, ``None`` for a bar not drawn (NaN)."""
    return [None if math.isnan(w) else w for w in widths(container)]


def number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def labels(ticks: Any) -> list[str]:
    return [t.get_text() for t in ticks]


def run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )


def test_importing_asnmerit_loads_no_matplotlib() -> None:
    done = run(
        "import sys, asnmerit, asnmerit.plot\n"
        "ip = asnmerit.get('ip-asn')\n"
        "asnmerit.evaluate(ip, {'jenis_jabatan': 'pelaksana', 'pendidikan': 'S1',"
        " 'diklat_teknis_20jp': True, 'seminar': True, 'predikat_kinerja': 'baik',"
        " 'hukuman_disiplin': 'tidak_ada'})._repr_html_()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'matplotlib'))\n"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


BLOCKED = """
import sys
from importlib.abc import MetaPathFinder

class NoMatplotlib(MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "matplotlib":
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, NoMatplotlib())
import asnmerit
from asnmerit import plot
from asnmerit.engine.batch import evaluate_records
from asnmerit.cli.demo import synthetic_agency

rows = evaluate_records(asnmerit.get("ip-asn"), synthetic_agency(n=5))
try:
    plot.bands(rows)
except ImportError as err:
    print(type(err).__name__, err)
else:
    print("drawn without matplotlib")
"""


def test_without_matplotlib_the_error_names_the_extra() -> None:
    done = run(BLOCKED)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == (
        "ImportError asnmerit.plot needs matplotlib, which is not installed: "
        "pip install 'asnmerit[plot]'"
    )


def test_bands_count_every_band_lowest_first(
    plt: Any, ip: asnmerit.Criteria, rows: list[RowResult]
) -> None:
    ax = plot.bands(rows, lang="en")
    (bars,) = ax.containers
    summary = summarize(ip, rows)  # counted highest band first
    expected = [summary.bands[b.code] for b in ip.bands.table]
    assert [bar.get_height() for bar in bars.patches] == expected
    assert sum(expected) == 80
    assert labels(ax.get_xticklabels()) == [b.label.get("en") for b in ip.bands.table]
    assert [t.get_text() for t in ax.texts] == [str(n) for n in expected]
    assert ax.get_title().endswith("80 scored, 2 could not be scored")
    assert ax.get_ylabel() == "Count"
    assert plot.bands(rows).get_xlabel() == "Kategori"  # Indonesian by default


def test_bands_need_the_criteria_when_nothing_was_scored(
    plt: Any, ip: asnmerit.Criteria, rows: list[RowResult]
) -> None:
    failed = [r for r in rows if not r.ok]
    with pytest.raises(AsnmeritError, match="pass criteria="):
        plot.bands(failed)
    ax = plot.bands(failed, criteria=ip, lang="en")
    assert [bar.get_height() for bar in ax.containers[0].patches] == [0] * len(ip.bands.table)
    assert ax.get_title().endswith("0 scored, 2 could not be scored")
    ax = plot.bands(failed, criteria=ip, share=True)
    assert [bar.get_height() for bar in ax.containers[0].patches] == [0] * len(ip.bands.table)
    ax = plot.bands(failed, "unit_kerja", criteria=ip, share=True, lang="en")
    *by_band, grey = ax.containers
    assert [widths(bars) for bars in by_band] == [[0]] * len(ip.bands.table)
    assert widths(grey) == [100] and labels(ax.get_yticklabels()) == ["(blank)"]


def test_components_of_one_evaluation(plt: Any, ip: asnmerit.Criteria) -> None:
    ev = asnmerit.evaluate(ip, pelaksana())
    ax = plot.components(ev, lang="en")
    most, points = ax.containers
    assert widths(points) == [5, 40, 25, 5]
    assert widths(most) == [25, 40, 30, 5]
    assert labels(ax.get_yticklabels()) == [c.label.get("en") for c in ev.components.children]
    assert [t.get_text() for t in ax.texts] == ["5 / 25", "40 / 40", "25 / 30", "5 / 5"]
    assert "75.0 / 100" in ax.get_title()
    assert ax.yaxis_inverted()  # the first component on top


def test_components_mean_over_a_batch(
    plt: Any, ip: asnmerit.Criteria, rows: list[RowResult]
) -> None:
    evs = [r.evaluation for r in rows if r.evaluation is not None]
    ax = plot.components(rows)
    _, points = ax.containers
    for node, width in zip(ip.score.children, widths(points), strict=True):
        exact = sum(Fraction(ev.component(node.id).points) for ev in evs) / len(evs)
        mean = Decimal(exact.numerator) / Decimal(exact.denominator)
        assert width == float(mean.quantize(Decimal("0.01"), ROUND_HALF_UP))  # as declared
    assert "Rata-rata dari 80" in ax.get_title()
    assert widths(ax.containers[0]) == [float(n.bounds[1]) for n in ip.score.children]


def test_ranking_marks_the_winners(plt: Any, rows: list[RowResult]) -> None:
    ranked = asnmerit.rank(rows, group_by="unit_kerja", top=2)
    group = ranked.groups[0]
    unit = group.key["unit_kerja"]
    ax = plot.ranking(ranked, unit, name="nama", lang="en")
    winners, others = ax.containers
    assert widths(winners) == [float(p.score) for p in group.winners]
    assert widths(others) == [float(p.score) for p in group.placings if not p.winner]
    assert {b.get_facecolor() for b in winners.patches}.isdisjoint(
        b.get_facecolor() for b in others.patches
    )
    first = group.placings[0]
    names = labels(ax.get_yticklabels())
    assert len(names) == len(group.placings)
    assert names[0] == f"1{'=' if first.tied else ''}  {first.identifiers['nama']}"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Winner", "Other"]
    assert unit in ax.get_title()


def test_ranking_limit_and_group_choice(plt: Any, rows: list[RowResult]) -> None:
    ranked = asnmerit.rank(rows, group_by="unit_kerja")  # no top: no winners to mark
    group = ranked.groups[1]
    ax = plot.ranking(ranked, dict(group.key), limit=3)
    (bars,) = ax.containers
    assert widths(bars) == [float(p.score) for p in group.placings[:3]]
    assert ax.get_legend() is None
    assert labels(ax.get_yticklabels())[0].endswith(group.placings[0].identifiers["nip"])
    with pytest.raises(AsnmeritError, match="pick one with group="):
        plot.ranking(ranked)
    with pytest.raises(AsnmeritError, match="no group"):
        plot.ranking(ranked, "Dinas Antariksa")
    with pytest.raises(AsnmeritError, match="no identifier 'umur'"):
        plot.ranking(ranked, dict(group.key), name="umur")
    with pytest.raises(AsnmeritError, match="limit must be at least 1"):
        plot.ranking(ranked, dict(group.key), limit=0)


def test_compare_puts_groups_and_strata_side_by_side(
    plt: Any, ip: asnmerit.Criteria, rows: list[RowResult]
) -> None:
    agg = asnmerit.aggregate(rows, by="unit_kerja")
    ax = plot.compare(agg)
    units = list(dict.fromkeys(g.key["unit_kerja"] for g in agg.groups))
    assert units[-1] is None  # the rows that could not be scored have no unit
    assert labels(ax.get_yticklabels()) == [*units[:-1], "(kosong)"]
    shown = [t.get_text() for t in ax.get_legend().get_texts()]
    assert shown == ["PNS", "PPPK", "ASN", "(kosong)"]
    for stratum, bars in zip(["PNS", "PPPK", "ASN", ""], ax.containers, strict=True):
        means = {g.key["unit_kerja"]: g.score for g in agg.groups if g.label == stratum}
        assert drawn(bars) == [number(means.get(u)) for u in units]

    ax = plot.compare(agg, "kinerja", strata=["ASN"], criteria=ip, lang="en")
    (bars,) = ax.containers
    combined = [g for g in agg.groups if g.stratum is None]
    assert drawn(bars) == [number(g.components.get("kinerja")) for g in combined]
    assert drawn(bars)[-1] is None  # nothing scored: no bar
    assert ax.get_xlabel() == f"Mean: {ip.node('kinerja').label.get('en')}"


def test_compare_refuses_what_the_aggregate_lacks(plt: Any, rows: list[RowResult]) -> None:
    agg = asnmerit.aggregate(rows, by="unit_kerja")
    with pytest.raises(AsnmeritError, match="components are kualifikasi, kompetensi"):
        plot.compare(agg, "gaji")
    with pytest.raises(AsnmeritError, match="no stratum 'CPNS'"):
        plot.compare(agg, strata=["CPNS"])
    jpt = asnmerit.get("jpt")
    with pytest.raises(AsnmeritError, match="the aggregate comes from ip-asn"):
        plot.compare(agg, criteria=jpt)


def test_an_axes_passed_in_is_used(
    plt: Any, rows: list[RowResult], periods: asnmerit.Comparison
) -> None:
    agg = asnmerit.aggregate(rows, by="unit_kerja")
    ranked = asnmerit.rank(rows, group_by="unit_kerja", top=1)
    unit = ranked.groups[0].key["unit_kerja"]
    moved = asnmerit.whatif.shift(ranked, ranked)
    fig, axes = plt.subplots(3, 3)
    before = plt.get_fignums()
    drawn = [
        plot.bands(rows, ax=axes[0, 0]),
        plot.components(rows, ax=axes[0, 1]),
        plot.ranking(ranked, unit, ax=axes[0, 2]),
        plot.compare(agg, ax=axes[1, 0]),
        plot.bands(rows, "unit_kerja", ax=axes[1, 1]),
        plot.distribution(rows, ax=axes[1, 2]),
        plot.periods(periods, ax=axes[2, 0]),
        plot.compare(periods, ax=axes[2, 1]),
        plot.shift(moved, unit, ax=axes[2, 2]),
    ]
    assert drawn == list(axes.flat)
    assert all(ax.containers or ax.lines for ax in drawn)
    assert plt.get_fignums() == before and len(fig.axes) == 9


def test_plots_print_nothing_warn_nothing_and_show_nothing(
    plt: Any,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    ip: asnmerit.Criteria,
    rows: list[RowResult],
    periods: asnmerit.Comparison,
) -> None:
    def show(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("a plot showed its figure")

    monkeypatch.setattr(plt, "show", show)
    monkeypatch.setattr(plt.Figure, "show", show)
    agg = asnmerit.aggregate(rows, by="unit_kerja")
    ranked = asnmerit.rank(rows, group_by="unit_kerja", top=1)
    unit = ranked.groups[0].key["unit_kerja"]
    moved = asnmerit.whatif.shift(ranked, asnmerit.rank(rows[::-1], group_by="unit_kerja", top=1))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for lang in ("id", "en"):
            axes = [
                plot.bands(rows, lang=lang),
                plot.bands(rows, "unit_kerja", lang=lang),
                plot.bands(rows, ["unit_kerja", "status"], share=True, lang=lang),
                plot.distribution(rows, lang=lang),
                plot.components(rows, lang=lang),
                plot.components(asnmerit.evaluate(ip, pelaksana()), lang=lang),
                plot.ranking(ranked, unit, lang=lang),
                plot.compare(agg, lang=lang),
                plot.periods(periods, lines=True, share=True, lang=lang),
                plot.shift(moved, unit, limit=5, lang=lang),
            ]
            for ax in axes:
                ax.figure.canvas.draw()  # render every glyph: a missing one would warn
    assert capsys.readouterr() == ("", "")


# -- bands per group ----------------------------------------------------------------------


def lefts(container: Any) -> list[float]:
    return [bar.get_x() for bar in container.patches]


def texts(ax: Any) -> list[str]:
    return [t.get_text() for t in ax.texts]


def legend(ax: Any) -> list[str]:
    return [t.get_text() for t in ax.get_legend().get_texts()]


def test_bands_by_a_field_stack_each_group_lowest_band_first(
    plt: Any, ip: asnmerit.Criteria, rows: list[RowResult]
) -> None:
    ax = plot.bands(rows, "unit_kerja", lang="en")
    units = list(dict.fromkeys(r.identifiers.get("unit_kerja") for r in rows))
    assert units[-1] is None  # the two rows that could not be scored have no unit
    counts = {
        (u, b.code): sum(
            r.identifiers.get("unit_kerja") == u
            and r.evaluation is not None
            and r.evaluation.band.code == b.code
            for r in rows
        )
        for u in units
        for b in ip.bands.table
    }
    *by_band, failed = ax.containers
    assert len(by_band) == len(ip.bands.table)
    left = [0.0] * len(units)
    for band, bars in zip(ip.bands.table, by_band, strict=True):
        assert widths(bars) == [counts[u, band.code] for u in units]
        assert lefts(bars) == left  # stacked in band order, lowest band first
        left = [a + w for a, w in zip(left, widths(bars), strict=True)]
    assert widths(failed) == [0] * (len(units) - 1) + [2]
    assert {b.get_facecolor() for b in failed.patches} == {(0.75, 0.75, 0.75, 1.0)}
    assert labels(ax.get_yticklabels()) == [*units[:-1], "(blank)"]
    assert ax.yaxis_inverted()  # the first group on top
    assert legend(ax) == [b.label.get("en") for b in ip.bands.table] + ["could not be scored"]
    assert ax.get_legend().get_title().get_text() == "Band"
    # each segment holds its count when it fits; an empty segment holds nothing
    segments = [
        (n, t)
        for n, t in zip([w for c in ax.containers for w in widths(c)], texts(ax), strict=True)
    ]
    assert all(t in ("", str(int(n))) for n, t in segments)
    assert all(t == "" for n, t in segments if n == 0)
    assert sum(t != "" for n, t in segments if n >= 2) == sum(n >= 2 for n, _ in segments)
    assert ax.get_xlabel() == "Count"
    assert ax.get_title().endswith("by unit_kerja: 80 scored, 2 could not be scored")


def test_bands_shares_make_each_bar_a_hundred_percent(
    plt: Any, ip: asnmerit.Criteria, rows: list[RowResult]
) -> None:
    counted = plot.bands(rows, "unit_kerja")
    ax = plot.bands(rows, "unit_kerja", share=True)
    totals = [sum(col) for col in zip(*map(widths, counted.containers), strict=True)]
    for bars, count in zip(ax.containers, counted.containers, strict=True):
        assert widths(bars) == pytest.approx(  # each drawn from its left end: as floats do
            [Fraction(100 * int(n), int(t)) for n, t in zip(widths(count), totals, strict=True)]
        )
    for column in zip(*map(widths, ax.containers), strict=True):
        assert sum(column) == pytest.approx(100)
    assert texts(ax) == texts(counted)  # the numbers written stay the counts
    assert ax.get_xlabel() == "Persentase (%)" and ax.get_xlim() == (0, 100)
    # without groups: the shares of the scored rows, one bar per band
    whole = plot.bands(rows, share=True, lang="en")
    summary = summarize(ip, rows)
    (bars,) = whole.containers
    assert [b.get_height() for b in bars.patches] == [
        float(Fraction(100 * summary.bands[b.code], 80)) for b in ip.bands.table
    ]
    assert texts(whole) == [str(summary.bands[b.code]) for b in ip.bands.table]
    assert whole.get_ylabel() == "Share (%)"


def test_bands_group_as_aggregates_and_rankings_do(plt: Any, ip: asnmerit.Criteria) -> None:
    records = [
        pelaksana(unit_kerja="Dinas A", status="PNS"),
        pelaksana(unit_kerja="  Dinas A ", status="PNS"),  # the same unit, trimmed
        pelaksana(unit_kerja="Dinas B", status="PPPK", predikat_kinerja="sangat_baik"),
        pelaksana(unit_kerja="Dinas A", status="PPPK"),
    ]
    rows = evaluate_records(ip, records)
    ax = plot.bands(rows, ["unit_kerja", "status"])
    agg = asnmerit.aggregate(rows, by=["unit_kerja", "status"])
    keys = [g.key for g in agg.groups if g.stratum is None]
    assert labels(ax.get_yticklabels()) == [f"{k['unit_kerja']} / {k['status']}" for k in keys]
    assert labels(ax.get_yticklabels()) == ["Dinas A / PNS", "Dinas B / PPPK", "Dinas A / PPPK"]
    bands = [r.evaluation.band.code for r in rows if r.evaluation is not None]
    for band, bars in zip(ip.bands.table, ax.containers, strict=True):
        found = [int(band.code == b) for b in bands]
        assert widths(bars) == [found[0] + found[1], found[2], found[3]]
    assert len(ax.containers) == len(ip.bands.table)  # nothing failed: no grey segment
    assert "could not be scored" not in legend(plot.bands(rows, "unit_kerja", lang="en"))


def test_bands_refuse_what_they_cannot_group_by(plt: Any, rows: list[RowResult]) -> None:
    with pytest.raises(AsnmeritError, match=r"cannot plot bands by umur: not a field of ip-asn"):
        plot.bands(rows, "umur")
    with pytest.raises(TypeError, match="by: a field name or a sequence of field names"):
        plot.bands(rows, 3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="share: true or false"):
        plot.bands(rows, share="yes")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="plot takes evaluations or the rows of evaluate_records"):
        plot.bands(asnmerit.aggregate(rows))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="plot takes evaluations or row results, got int"):
        plot.bands([1, 2])  # type: ignore[list-item]


# -- the distribution of scores -----------------------------------------------------------


def test_distribution_counts_exactly_and_marks_the_band_edges(
    plt: Any, ip: asnmerit.Criteria, rows: list[RowResult]
) -> None:
    ax = plot.distribution(rows, lang="en")
    (bars,) = ax.containers
    scores = [r.evaluation.score for r in rows if r.evaluation is not None]
    # IP ASN runs 3..100: bins of 5 from 0, each holding its lower edge (the last both)
    assert lefts(bars) == [float(5 * i) for i in range(20)]
    assert widths(bars) == [5.0] * 20
    expected = [
        sum(5 * i <= s < 5 * (i + 1) or (i == 19 and s == 100) for s in scores) for i in range(20)
    ]
    assert [b.get_height() for b in bars.patches] == expected
    assert sum(expected) == 80
    # upper_bounds: a band ends at its published upper bound
    assert [line.get_xdata()[0] for line in ax.lines] == [60, 70, 80, 90]
    assert texts(ax) == [b.label.get("en") for b in ip.bands.table]
    assert ax.get_xlabel() == "Score" and ax.get_ylabel() == "Count"
    assert ax.get_title().endswith("80 scored, 2 could not be scored")
    assert plot.distribution(rows).get_xlabel() == "Nilai"


def test_distribution_bins_and_the_policy_the_scores_were_classified_with(
    plt: Any, ip: asnmerit.Criteria
) -> None:
    records = [pelaksana(), pelaksana(predikat_kinerja="sangat_baik"), pelaksana(pendidikan="S3")]
    lower = evaluate_records(ip, records, band_policy="lower_bounds")
    ax = plot.distribution(lower, bins=4)
    (bars,) = ax.containers
    assert lefts(bars) == [3.0, 27.25, 51.5, 75.75]
    scores = sorted(r.evaluation.score for r in lower if r.evaluation is not None)
    assert [b.get_height() for b in bars.patches] == [
        0,
        0,
        sum(s < Decimal("75.75") for s in scores),
        sum(s >= Decimal("75.75") for s in scores),
    ]
    assert [line.get_xdata()[0] for line in ax.lines] == [61, 71, 81, 91]
    # round then classify: half way between a band's upper bound and the next one's lower
    rounded = evaluate_records(ip, records, band_policy="round_then_classify")
    ax = plot.distribution(rounded)
    assert [line.get_xdata()[0] for line in ax.lines] == [60.5, 70.5, 80.5, 90.5]
    # mixed policies: the scheme's own
    mixed = plot.distribution([*lower, *rounded])
    assert [line.get_xdata()[0] for line in mixed.lines] == [60, 70, 80, 90]
    with pytest.raises(TypeError, match="bins: a whole number of bins, at least 1"):
        plot.distribution(lower, bins=0)


def test_distribution_of_nothing_scored(
    plt: Any, ip: asnmerit.Criteria, rows: list[RowResult]
) -> None:
    failed = [r for r in rows if not r.ok]
    with pytest.raises(AsnmeritError, match="pass criteria="):
        plot.distribution(failed)
    ax = plot.distribution(failed, criteria=ip, lang="en")
    assert [b.get_height() for b in ax.containers[0].patches] == [0] * 20
    assert ax.get_title().endswith("0 scored, 2 could not be scored")
    merit = asnmerit.get("sistem-merit", as_of="2026-01-01")  # a score range of 0..1
    ax = plot.distribution([], criteria=merit)
    assert widths(ax.containers[0]) == pytest.approx([0.05] * 20)


# -- one subject across periods -------------------------------------------------------------

from .test_compare import merit  # noqa: E402 - the periods' helpers, shared


@pytest.fixture(scope="module")
def periods() -> asnmerit.Comparison:
    """Three years of the 2019 merit instrument (230, 280, 327), then the 2025 framework."""
    framework = asnmerit.get("sistem-merit", as_of="2026-01-01")
    return asnmerit.compare(
        {
            "2021": merit("25", "25", "70", "20", "45", "20", "10", "15"),
            "2022": merit("30", "30", "80", "25", "60", "25", "12", "18"),
            "2023": merit("37.5", "38", "75", "25", "77.5", "35", "15", "24"),
            "2025": asnmerit.evaluate(framework, dict.fromkeys(framework.inputs, "0.7")),
        }
    )


def drawn_lines(ax: Any) -> dict[str, list[tuple[list[float], list[float | None]]]]:
    """The lines of the axes by label (a run after the first is labelled ``_label``): per
    line its runs, each as x and y (``None`` for a point not drawn)."""
    out: dict[str, list[tuple[list[float], list[float | None]]]] = {}
    for line in ax.lines:
        ys = [None if math.isnan(y) else float(y) for y in line.get_ydata()]
        out.setdefault(line.get_label().lstrip("_"), []).append(
            ([float(x) for x in line.get_xdata()], ys)
        )
    return out


def test_periods_draw_the_total_and_break_where_the_instrument_changes(
    plt: Any, periods: asnmerit.Comparison
) -> None:
    ax = plot.periods(periods, lang="en")
    found = drawn_lines(ax)
    total = periods.lines[0].label.get("en")
    # one run per scale: no line joins 2023 and 2025
    assert found[total] == [([0, 1, 2], [230, 280, 327]), ([3], [0.7])]
    (step,) = found["different instruments: not comparable"]
    assert step[0] == [2.5, 2.5]
    assert labels(ax.get_xticklabels()) == ["2021", "2022", "2023", "2025"]
    assert texts(ax) == ["230", "280", "327", "0.70"]  # the exact points
    assert legend(ax) == [total, "different instruments: not comparable"]
    assert "sistem-merit 2019 -> sistem-merit 2025" in ax.get_title()
    assert ax.get_ylabel() == "Points" and ax.get_xlabel() == "Period"
    assert plot.periods(periods).get_xlabel() == "Periode"


def test_periods_with_component_lines_and_shares(plt: Any, periods: asnmerit.Comparison) -> None:
    ax = plot.periods(periods, lines=["pengembangan_karier"], lang="en")
    karier = next(line for line in periods.lines if line.id == "pengembangan_karier")
    found = drawn_lines(ax)
    # the 2025 framework has no such component: no point there
    assert found[karier.label.get("en")] == [([0, 1, 2], [70, 80, 75]), ([3], [None])]
    every = plot.periods(periods, lines=True)
    assert len(drawn_lines(every)) == len(periods.lines) + 1  # and the step
    shares = drawn_lines(plot.periods(periods, share=True, lang="en"))
    (first, last) = shares[periods.lines[0].label.get("en")]
    assert first[1] == pytest.approx([100 * 230 / 410, 100 * 280 / 410, 100 * 327 / 410])
    assert last[1] == pytest.approx([70])
    # one comparable run: one line and no step
    same = asnmerit.compare({"2021": periods.results[0], "2022": periods.results[1]})
    ax = plot.periods(same)
    assert len(ax.lines) == 1 and list(ax.lines[0].get_ydata()) == [230, 280]
    with pytest.raises(AsnmeritError, match=r"no component 'gaji' in the comparison \(perencanaan"):
        plot.periods(periods, lines=["gaji"])
    with pytest.raises(TypeError, match="lines: true, false or a sequence of component ids"):
        plot.periods(periods, lines="pengadaan")


def test_compare_takes_an_aggregate_or_a_comparison(
    plt: Any, periods: asnmerit.Comparison, rows: list[RowResult]
) -> None:
    ax = plot.compare(periods, "pengadaan", lang="en")
    assert drawn_lines(ax) == drawn_lines(plot.periods(periods, lines=["pengadaan"], lang="en"))
    with pytest.raises(
        TypeError,
        match=r"plot.compare takes an Aggregate \(asnmerit.aggregate\) or a Comparison \(asnmerit.compare\), got list",
    ):
        plot.compare(rows)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"plot.periods takes a Comparison .*, got Aggregate"):
        plot.periods(asnmerit.aggregate(rows))  # type: ignore[arg-type]
    with pytest.raises(AsnmeritError, match="strata: options of an aggregate's plot"):
        plot.compare(periods, strata=["ASN"])


# -- a ranking's shift ----------------------------------------------------------------------

JPT_MARKS = ("nilai_persiapan", "nilai_pelaksanaan", "nilai_pelaporan", "nilai_inovasi")


def agencies(scores: dict[str, int], **ids: Any) -> list[asnmerit.Evaluation]:
    """JPT evaluations of agencies with the given total (every mark the same)."""
    jpt = asnmerit.get("jpt")
    marks = dict.fromkeys(jpt.inputs, 0)
    return [
        asnmerit.evaluate(jpt, {**marks, **dict.fromkeys(JPT_MARKS, s), "instansi": name, **ids})
        for name, s in scores.items()
    ]


def points(ax: Any) -> dict[str, tuple[float, float]]:
    """Each subject's line (named by its text in the left column, else the right one)."""
    names = {(round(t.get_position()[0]), t.get_position()[1]): t.get_text() for t in ax.texts}
    out = {}
    for line in ax.lines:
        xs, ys = list(line.get_xdata()), list(line.get_ydata())
        if xs != [0, 1] or line.get_linestyle() == "None":
            continue
        left, right = names.get((0, ys[0])), names.get((1, ys[1]))
        who = (left.split("  ")[0] if left else right.split("  ")[-1]) if (left or right) else "?"
        out[who] = (ys[0], ys[1])
    return out


def test_shift_draws_one_line_per_subject_winners_starred(plt: Any) -> None:
    from asnmerit.whatif import shift

    before = asnmerit.rank(agencies({"A": 90, "B": 80, "C": 70, "D": 60}), top=2)
    after = asnmerit.rank(agencies({"A": 75, "B": 80, "C": 70, "D": 85}), top=2)
    ax = plot.shift(shift(before, after), lang="en")
    assert points(ax) == {"A": (1, 3), "B": (2, 2), "C": (3, 4), "D": (4, 1)}
    colours = {line.get_label().lstrip("_"): line.get_color() for line in ax.lines}
    assert colours["Up"] != colours["Down"] != colours["Unchanged"] != colours["Up"]
    by_colour = {
        who: next(
            line.get_label().lstrip("_")
            for line in ax.lines
            if list(line.get_ydata()) == list(ys) and line.get_linestyle() != "None"
        )
        for who, ys in points(ax).items()
    }
    assert by_colour == {"A": "Down", "B": "Unchanged", "C": "Down", "D": "Up"}
    (stars,) = [line for line in ax.lines if line.get_label() == "Winner"]
    assert sorted(zip(stars.get_xdata(), stars.get_ydata(), strict=True)) == [
        (0, 1),
        (0, 2),
        (1, 1),
        (1, 2),
    ]
    assert sorted(texts(ax)) == sorted(
        ["A  1", "B  2", "C  3", "D  4", "1  D", "2  B", "3  A", "4  C"]
    )
    assert legend(ax) == ["Up", "Down", "Unchanged", "Winner"]
    assert labels(ax.get_xticklabels()) == ["Before", "After"]
    assert ax.yaxis_inverted()  # rank 1 on top
    assert ax.get_title().endswith("3 of 4 changed rank")


def test_shift_limit_ties_and_subjects_not_placed(plt: Any) -> None:
    from asnmerit.whatif import shift

    before = asnmerit.rank(agencies({"A": 90, "B": 80, "C": 80, "D": 60, "E": 50}))
    after = asnmerit.rank(agencies({"A": 90, "B": 70, "C": 80, "D": 95}))  # E not ranked
    moved = shift(before, after)
    ax = plot.shift(moved, limit=2, lang="en")
    # the first two rows of either side: A, C (ahead of B, who shares its rank 2, since C
    # is ahead after), D; outside them, on the row "below 2"
    assert points(ax) == {"A": (1, 2), "C": (2, 3), "D": (3, 1)}
    assert labels(ax.get_yticklabels()) == ["below 2"]
    assert sorted(texts(ax)) == sorted(["A  1", "C  2=", "1  D", "2  A"])
    assert not any(line.get_label() == "Winner" for line in ax.lines)  # no top: no winners
    whole = plot.shift(moved, lang="en")
    assert points(whole)["E"] == (5, 6)  # E is not placed after
    assert labels(whole.get_yticklabels()) == ["not placed"]
    # tied B and C: each in the order of its rank on the other side
    assert points(whole)["C"] == (2, 3) and points(whole)["B"] == (3, 4)


def test_shift_picks_a_group_and_refuses_what_it_cannot_draw(plt: Any) -> None:
    from asnmerit.whatif import shift

    evs = agencies({"A": 90, "B": 80}, kelompok_instansi="Provinsi") + agencies(
        {"C": 70, "D": 60}, kelompok_instansi="Kota"
    )
    ranked = asnmerit.rank(evs, group_by="kelompok_instansi")
    moved = shift(ranked, ranked)
    ax = plot.shift(moved, "Kota", name="instansi")
    assert points(ax) == {"C": (1, 1), "D": (2, 2)}
    assert "kelompok_instansi = Kota: 0 dari 2 berpindah peringkat" in ax.get_title()
    with pytest.raises(AsnmeritError, match="pick one with group="):
        plot.shift(moved)
    with pytest.raises(AsnmeritError, match="no group"):
        plot.shift(moved, "Desa")
    with pytest.raises(AsnmeritError, match="limit must be at least 1"):
        plot.shift(moved, "Kota", limit=0)
    with pytest.raises(AsnmeritError, match="no identifier 'nip'"):
        plot.shift(moved, "Kota", name="nip")
    with pytest.raises(TypeError, match=r"plot.shift takes a Shift \(asnmerit.whatif.shift"):
        plot.shift(ranked)  # type: ignore[arg-type]


# -- the gallery of the documentation -------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "docs" / "images"
SVG = "{http://www.w3.org/2000/svg}"
MADE_BY = re.compile(r"<dc:title>Matplotlib v([^,<]+)")

EXPECTED = {
    "bands.svg": ["Sangat Rendah", "Sangat Tinggi", "Kategori", "320 dinilai"],
    "bands-by-unit.svg": ["Dinas Kesehatan", "menurut unit_kerja: 320 dinilai", "Sedang"],
    "bands-share.svg": ["Persentase (%)", "Sekretariat Daerah"],
    "distribution.svg": ["Rendah", "Tinggi", "Nilai", "Jumlah"],
    "components.svg": ["Rata-rata dari 320", "Maksimum"],
    "ranking.svg": ["Pemenang", "Dinas Kesehatan"],
    "compare.svg": ["PNS", "PPPK", "ASN"],
    "periods.svg": ["2021", "2025", "327", "instrumen berbeda: tidak dapat dibandingkan"],
    "shift.svg": ["Sebelum", "Sesudah", "Naik", "Turun", "Pemenang", "Instansi A"],
}
"""Words each image of the gallery must show (the labels are text in the SVG files)."""


def svg_texts(data: bytes) -> list[str]:
    """The texts of an SVG file, which must be well-formed XML with an ``svg`` root."""
    root = ElementTree.fromstring(data)
    assert root.tag == f"{SVG}svg"
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


@pytest.mark.slow
def test_the_gallery_is_the_one_the_code_draws(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib", reason="the plot extra (matplotlib) is not installed")
    import matplotlib

    page = (ROOT / "docs" / "notebooks.md").read_text("utf-8")
    shown = re.findall(r"!\[[^\]]*\]\(images/([^)]+)\)", page)
    assert sorted(shown) == sorted(EXPECTED)  # every image once, each in the gallery
    assert sorted(p.name for p in IMAGES.iterdir()) == sorted(shown)  # none unused
    done = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "docs_images.py"), str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(shown)
    for name, words in EXPECTED.items():
        stored, fresh = (IMAGES / name).read_bytes(), (tmp_path / name).read_bytes()
        assert len(stored) < 100_000, name  # commit-sized
        texts_ = svg_texts(stored)
        assert all(any(w in t for t in texts_) for w in words), (name, words)
        made = MADE_BY.search(stored.decode("utf-8"))
        assert made is not None, name
        if made.group(1) == matplotlib.__version__:
            # the same matplotlib draws the same bytes (fixed hash salt, no date)
            assert fresh == stored, f"{name} is not what tools/docs_images.py draws: run it"
        else:  # another matplotlib lays out otherwise: the same texts at least
            assert svg_texts(fresh) == texts_, name
