"""Plots (the ``plot`` extra): real figures drawn with the Agg backend, checked against the
data; matplotlib stays unloaded until a plot is drawn, and its absence is explained."""

from __future__ import annotations

import math
import subprocess
import sys
import warnings
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

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


def test_an_axes_passed_in_is_used(plt: Any, rows: list[RowResult]) -> None:
    agg = asnmerit.aggregate(rows, by="unit_kerja")
    ranked = asnmerit.rank(rows, group_by="unit_kerja", top=1)
    unit = ranked.groups[0].key["unit_kerja"]
    fig, axes = plt.subplots(2, 2)
    before = plt.get_fignums()
    drawn = [
        plot.bands(rows, ax=axes[0, 0]),
        plot.components(rows, ax=axes[0, 1]),
        plot.ranking(ranked, unit, ax=axes[1, 0]),
        plot.compare(agg, ax=axes[1, 1]),
    ]
    assert drawn == list(axes.flat)
    assert all(ax.containers for ax in drawn)
    assert plt.get_fignums() == before and len(fig.axes) == 4


def test_plots_print_nothing_and_warn_nothing(
    plt: Any, capsys: pytest.CaptureFixture[str], ip: asnmerit.Criteria, rows: list[RowResult]
) -> None:
    agg = asnmerit.aggregate(rows, by="unit_kerja")
    ranked = asnmerit.rank(rows, group_by="unit_kerja", top=1)
    unit = ranked.groups[0].key["unit_kerja"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for lang in ("id", "en"):
            axes = [
                plot.bands(rows, lang=lang),
                plot.components(rows, lang=lang),
                plot.components(asnmerit.evaluate(ip, pelaksana()), lang=lang),
                plot.ranking(ranked, unit, lang=lang),
                plot.compare(agg, lang=lang),
            ]
            for ax in axes:
                ax.figure.canvas.draw()  # render every glyph: a missing one would warn
    assert capsys.readouterr() == ("", "")
