"""The bundled award editions: each validates and passes its examples, the published orders
come out of the engine, groups are derived when a record leaves them out, juries combine as
declared, and candidates move through the stages of a selection."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

import asnmerit
from asnmerit.analysis.examples import run_examples
from asnmerit.model import Criteria
from asnmerit.spec.bundled import criteria_dir, criteria_files

AWARD_FILES = [
    p
    for p in criteria_files()
    if p.parent.name in ("nspk", "bkn-award", "anugerah-asn", "asn-berprestasi")
]


def test_every_edition_is_bundled() -> None:
    names = {p.relative_to(criteria_dir()).as_posix() for p in AWARD_FILES}
    assert {f"bkn-award/{y}.yaml" for y in (2020, 2021, 2022, 2023)} <= names
    assert {"nspk/2022.yaml", "anugerah-asn/2019.yaml", "anugerah-asn/2023.yaml"} <= names
    assert {"asn-berprestasi/template.yaml", "asn-berprestasi/contoh-2025.yaml"} <= names


@pytest.mark.parametrize("path", AWARD_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_each_edition_validates_and_its_examples_pass(path: Any) -> None:
    criteria = asnmerit.load(path)
    results = run_examples(criteria)
    assert results, f"{path} has no examples"
    assert [r.failures for r in results if not r.passed] == []


def test_bkn_award_editions_are_chosen_by_date() -> None:
    for year in ("2020", "2021", "2022", "2023"):
        assert asnmerit.get("bkn-award", as_of=f"{year}-09-01").version == year


@pytest.fixture(scope="module")
def bkn_2023() -> Criteria:
    return asnmerit.get("bkn-award", as_of="2023-09-01")


def nspk_record(criteria: Criteria, value: int = 70, **fields: Any) -> dict[str, Any]:
    """An agency with every NSPK element at ``value`` % and element 01's indicators met."""
    record: dict[str, Any] = {}
    for name in criteria.inputs:
        if name.startswith("capaian_e"):
            record[name] = value
        elif name.startswith("e01_"):
            record[name] = True
    record.update(fields)
    return record


def test_the_2023_data_and_cat_order_is_reproduced(bkn_2023: Criteria) -> None:
    order = ["Lumajang", "Kudus", "Toba", "Aceh Tamiang", "Batang"]
    evs = [
        asnmerit.evaluate(
            bkn_2023,
            nspk_record(
                bkn_2023,
                instansi=f"Kabupaten {name}",
                kelompok="kabupaten_barat_kecil",
                nilai_data_cat=90 - i,
            ),
        )
        for i, name in enumerate(order)
    ][::-1]  # given worst first: the order comes from the scores
    ranking = asnmerit.rank(evs, "data_si_cat")
    group = ranking.group(kelompok="kabupaten_barat_kecil")
    assert [p.identifiers["instansi"] for p in group.placings] == [f"Kabupaten {n}" for n in order]
    assert [str(p.rank) for p in group.placings] == ["1", "2", "3", "4", "5"]
    assert all(p.winner for p in group.placings)


def test_the_group_is_derived_when_left_out_and_taken_when_given(bkn_2023: Criteria) -> None:
    derived = asnmerit.evaluate(
        bkn_2023,
        nspk_record(bkn_2023, tingkat="kabupaten", wilayah="barat", jumlah_asn=3000),
    )
    assert derived.inputs["kelompok"] == "kabupaten_barat_kecil"
    assert "kelompok" in derived.derived
    assert any(w.path.startswith("inputs.ukuran.derive") for w in derived.warnings)
    given = asnmerit.evaluate(bkn_2023, nspk_record(bkn_2023, kelompok="kota_besar"))
    assert given.inputs["kelompok"] == "kota_besar" and given.derived == ()
    with pytest.raises(asnmerit.InputError, match="wilayah"):
        asnmerit.evaluate(bkn_2023, nspk_record(bkn_2023, tingkat="kabupaten", jumlah_asn=1))


def test_nspk_gap_per_element() -> None:
    nspk = asnmerit.get("nspk")
    ev = asnmerit.evaluate(nspk, nspk_record(nspk, 75, e01_proyeksi=False, capaian_e09=62.5))
    gaps = ev.gaps()
    assert len(gaps) == 18
    assert gaps[ev.components.children[0].id] == Decimal("20.00")  # 4 of 5 indicators
    assert gaps[ev.components.children[8].id] == Decimal("37.50")
    assert set(gaps.values()) == {Decimal("20.00"), Decimal("25.00"), Decimal("37.50")}


def test_the_example_region_drops_the_highest_and_lowest_judge() -> None:
    region = asnmerit.get("asn-berprestasi-contoh")
    means = [
        n for n in region.score.walk() if type(n.kind).__name__ == "Mean" and len(n.children) == 5
    ]
    assert means and all(
        (n.kind.drop_highest, n.kind.drop_lowest) == (1, 1)  # type: ignore[union-attr]
        for n in means
    )


def test_a_future_leader_over_the_age_limit_stops_at_the_administrative_check() -> None:
    anugerah = asnmerit.get("anugerah-asn", as_of="2019-09-01")
    examples = {e.id: e for e in anugerah.examples}
    example = examples["seleksi-future-leader-usia-40"]
    assert example.subjects is not None
    evs = [asnmerit.evaluate(anugerah, rec) for rec in example.subjects.values()]
    selection = asnmerit.select(evs)
    stopped = [c for c in selection.candidates if c.excluded]
    assert len(stopped) >= 1 and all(c.reached is None and c.steps == () for c in stopped)
    assert any("38" in r.get("en") for c in stopped for r in c.excluded)
