"""One agency across periods: Kota Pekalongan's Kurang -> Baik -> Sangat Baik, and a
change of instrument that must not be read as a change of score."""

from __future__ import annotations

from decimal import Decimal

import pytest

import asnmerit

ASPECTS = (
    "perencanaan_kebutuhan",
    "pengadaan",
    "pengembangan_karier",
    "promosi_dan_mutasi",
    "manajemen_kinerja",
    "penggajian_penghargaan_disiplin",
    "perlindungan_dan_pelayanan",
    "sistem_informasi",
)


def merit(*scores: str) -> asnmerit.Evaluation:
    scheme = asnmerit.get("sistem-merit", as_of="2024-06-01")
    return asnmerit.evaluate(scheme, dict(zip(ASPECTS, scores, strict=True)))


def pekalongan() -> asnmerit.Comparison:
    # Illustrative breakdowns: only the categories of 2021 and 2022 and the 2023 total (327)
    # are published.
    return asnmerit.compare(
        {
            "2021": merit("25", "25", "70", "20", "45", "20", "10", "15"),  # 230 Kurang
            "2022": merit("30", "30", "80", "25", "60", "25", "12", "18"),  # 280 Baik
            "2023": merit("37.5", "38", "75", "25", "77.5", "35", "15", "24"),  # 327 Sangat Baik
        }
    )


def test_pekalongan_trend() -> None:
    c = pekalongan()
    assert c.periods == ("2021", "2022", "2023")
    assert [ev.band.label.id for ev in c.results] == ["Kurang", "Baik", "Sangat Baik"]
    assert c.comparable == (True, True) and c.notes == ()
    total = c.lines[0]
    assert [(x.points, x.change) for x in total.cells] == [
        (Decimal(230), None),
        (Decimal(280), Decimal(50)),
        (Decimal(327), Decimal(47)),
    ]
    karier = next(line for line in c.lines if line.id == "pengembangan_karier")
    assert [x.change for x in karier.cells] == [None, Decimal(10), Decimal(-5)]
    assert {x.max for x in karier.cells} == {Decimal(130)}
    text = c.render("en")
    assert "Insufficient [II]" in text and "327 / 410 (+47)" in text and "75 / 130 (-5)" in text


def test_versions_are_never_subtracted() -> None:
    v2025 = asnmerit.get("sistem-merit", as_of="2026-01-01")
    ev_2026 = asnmerit.evaluate(v2025, dict.fromkeys(v2025.inputs, "0.7"))
    c = asnmerit.compare(
        [("2023", merit("37.5", "38", "75", "25", "77.5", "35", "15", "24")), ("2026", ev_2026)]
    )
    assert c.comparable == (False,)
    assert all(x.change is None for line in c.lines for x in line.cells)
    (note,) = c.notes
    assert (
        "sistem-merit 2019" in note and "sistem-merit 2025" in note and "not on one scale" in note
    )
    # Components of one version only are shown as missing ("-") in the other.
    maturity = next(line for line in c.lines if line.id == "maturitas")
    assert maturity.cells[0].points is None and maturity.cells[1].points == Decimal("0.525")
    assert "! 2023 (sistem-merit 2019) and 2026" in c.render()


def test_nothing_to_compare() -> None:
    with pytest.raises(asnmerit.AsnmeritError, match="at least one"):
        asnmerit.compare({})
