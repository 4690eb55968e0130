"""Scenarios: criteria changed at a path and checked again, sweeps, and ranking shifts."""

from __future__ import annotations

import itertools
import json
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import asnmerit
from asnmerit import CriteriaError, evaluate, rank
from asnmerit.errors import ScenarioError
from asnmerit.model import Criteria
from asnmerit.whatif import (
    OverridePath,
    rebalanced,
    sensitivity,
    shift,
    steps,
    sweep,
    with_overrides,
)

from .helpers import data_criteria, pelaksana, scheme

JPT = scheme("jpt")
IP = scheme("ip-asn")
AWARD = data_criteria("award.yaml")
DIMENSIONS = list(JPT.inputs)


def jpt(*marks: Any, **ids: Any) -> dict[str, Any]:
    """A JPT record with the five dimension scores in order."""
    return {**dict(zip(DIMENSIONS, marks, strict=True)), **ids}


def snapshot(c: Criteria) -> str:
    assert c.document is not None
    return json.dumps(c.document.data, sort_keys=True, default=str)


# -- with_overrides ----------------------------------------------------------------------


def test_weights_by_node_id_as_text_numbers() -> None:
    heavier = with_overrides(
        JPT, {"persiapan.weight": "0.4", "pelaporan.weight": "0.1", "inovasi.weight": "0.1"}
    )
    assert heavier.node("persiapan").weight == Decimal("0.4")
    assert isinstance(heavier.node("persiapan").weight, Decimal)
    record = jpt(100, 50, 50, 50, 50)
    assert evaluate(JPT, record).score == Decimal("60.00")
    assert evaluate(heavier, record).score == Decimal("70.00")  # 40 + 10 + 5 + 5 + 10


def test_every_way_to_reach_an_item_gives_the_same_criteria() -> None:
    value: dict[OverridePath, Any] = {"persiapan.weight": "0.1"}
    digests = {
        with_overrides(JPT, {**value, path: "0.3"}).digest
        for path in (
            "inovasi.weight",
            "score.weighted.of.inovasi.weight",  # a list item by its id
            "score.weighted.of.3.weight",  # by its position
            ("score", "weighted", "of", 3, "weight"),
            ("inovasi", "weight"),
        )
    }
    assert len(digests) == 1
    # a band by its code, or by its position in the file (JPT lists the top band first)
    by_code = with_overrides(JPT, {"bands.table.sangat_baik.label.en": "Excellent"})
    by_index = with_overrides(JPT, {("bands", "table", 0, "label", "en"): "Excellent"})
    by_text_index = with_overrides(JPT, {"bands.table.0.label.en": "Excellent"})
    assert by_code.digest == by_index.digest == by_text_index.digest
    assert by_code.bands.get("sangat_baik").label.get("en") == "Excellent"


SINK = data_criteria("kitchen-sink.yaml")
FAILED_SINK = {
    "golongan": "I",
    "nilai": 50,
    "jam": 0,
    "lulus": False,
    "tanggal": "2026-01-01",
    "unit": "pusat",
}


def test_a_gate_by_its_id() -> None:
    assert not evaluate(SINK, FAILED_SINK).eligible
    inverted = with_overrides(
        SINK, {"eligibility.lulus_wajib.require": {"input": "lulus", "is": False}}
    )
    assert evaluate(inverted, FAILED_SINK).eligible
    assert evaluate(inverted, {**FAILED_SINK, "lulus": True}).ineligible[0].gate == "lulus_wajib"


def test_none_removes_a_list_item() -> None:
    without = with_overrides(SINK, {"eligibility.lulus_wajib": None})
    assert without.eligibility == ()
    assert evaluate(without, FAILED_SINK).eligible


def test_a_float_is_taken_at_its_shortest_repr() -> None:
    # 0.1 + 0.3 + 0.2 + 0.2 + 0.2 is exactly 1 only in decimal
    c = with_overrides(JPT, {"persiapan.weight": 0.1, "pelaksanaan.weight": 0.3})
    assert c.node("persiapan").weight == Decimal("0.1")
    assert str(c.node("persiapan").weight) == "0.1"
    assert str(c.node("pelaksanaan").weight) == "0.3"
    assert evaluate(c, jpt(100, 50, 50, 50, 50)).score == Decimal("55.00")


def test_none_removes_a_key() -> None:
    unrounded = with_overrides(JPT, {"rounding": None})
    assert unrounded.rounding is None
    record = jpt("80.01", 80, 80, 80, 80)
    assert evaluate(JPT, record).score == Decimal("80.00")
    assert evaluate(unrounded, record).score == Decimal("80.002")


def test_a_text_stays_text_where_the_file_has_text() -> None:
    c = with_overrides(JPT, {"title.en": "123"})
    assert c.title.en == "123"


def test_a_text_integer_where_the_file_has_an_integer() -> None:
    # rounding.places is 2 in the file; "1" should mean the integer 1
    one_place = with_overrides(JPT, {"rounding.places": "1"})
    assert one_place.rounding is not None and one_place.rounding.places == 1
    assert evaluate(one_place, jpt("80.26", 80, 80, 80, 80)).score == Decimal("80.1")


def test_a_new_key_at_the_end_of_a_path() -> None:
    assert JPT.node("persiapan").rounding is None
    whole = with_overrides(JPT, {"persiapan.rounding": {"places": 0}})
    assert whole.node("persiapan").rounding is not None
    # preparation 80.5 counts as 81: 0.2 x (81 + 320) = 80.20 instead of 80.10
    record = jpt("80.5", 80, 80, 80, 80)
    assert evaluate(JPT, record).score == Decimal("80.10")
    assert evaluate(whole, record).score == Decimal("80.20")


def test_a_top_level_section_the_file_leaves_out_can_be_added() -> None:
    assert AWARD.rounding is None
    record = {"tingkat": "kota", "jumlah_asn": 5, "syarat": True, "a": "59.5", "b": "59.5"}
    record["c"] = "59.5"
    assert evaluate(AWARD, record).band.code == "D"
    whole = with_overrides(AWARD, {"rounding": {"places": 0, "mode": "half_up", "stage": "final"}})
    ev = evaluate(whole, record)
    assert (ev.score, ev.band.code) == (Decimal("60"), "A")


def test_the_result_names_its_base_and_drops_the_examples() -> None:
    before = snapshot(JPT)
    record = jpt(70, "75.5", 80, 60, 90)
    score = evaluate(JPT, record).score
    c = with_overrides(JPT, {"persiapan.weight": "0.1", "pelaksanaan.weight": "0.3"})
    assert c.digest != JPT.digest
    assert c.extends is not None
    assert JPT.id in c.extends and JPT.version in c.extends and JPT.digest in c.extends
    assert (c.id, c.version) == (JPT.id, JPT.version)
    assert JPT.examples and c.examples == ()
    assert evaluate(c, record).to_dict()["extends"] == c.extends
    # the original is untouched
    assert snapshot(JPT) == before
    assert JPT.node("persiapan").weight == Decimal("0.2")
    assert evaluate(JPT, record).score == score
    assert asnmerit.get("jpt").digest == JPT.digest
    # the same overrides give the same criteria; a scenario of a scenario names its base
    again = with_overrides(JPT, {"pelaksanaan.weight": 0.3, "persiapan.weight": Decimal("0.1")})
    assert again.digest == c.digest
    twice = with_overrides(c, {"rounding.mode": "down"})
    assert twice.extends is not None and c.digest in twice.extends


def _problem_of_edited_file(path: Path, old: str, new: str) -> tuple[str, int | None, int | None]:
    text = path.read_text(encoding="utf-8")
    assert old in text
    with pytest.raises(CriteriaError) as err:
        asnmerit.loads(text.replace(old, new, 1), source=str(path))
    (p,) = err.value.problems
    return p.code, p.line, p.column


def test_broken_weights_are_reported_where_the_file_would_be() -> None:
    with pytest.raises(CriteriaError) as err:
        with_overrides(JPT, {"persiapan.weight": "0.5"})
    (p,) = err.value.problems
    assert p.code == "weighted.weights-sum"
    assert "1.3" in p.message
    expected = _problem_of_edited_file(Path(JPT.source), "weight: 0.2", "weight: 0.5")
    assert (p.code, p.line, p.column) == expected


def test_a_band_gap_is_reported_where_the_file_would_be() -> None:
    with pytest.raises(CriteriaError) as err:
        with_overrides(JPT, {"bands.table.baik.range": [80, 88]})
    (p,) = err.value.problems
    assert p.code == "bands.gap"
    expected = _problem_of_edited_file(Path(JPT.source), "range: [80, 89.99]", "range: [80, 88]")
    assert (p.code, p.line, p.column) == expected


def test_schema_errors_are_criteria_errors() -> None:
    with pytest.raises(CriteriaError) as err:
        with_overrides(JPT, {"bands.policy": "nearest"})
    assert all(code.startswith("schema.") for code in err.value.codes)


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("nope.weight", ["'nope'"]),
        ("persiapan.nope.x", ["nope", "no such key"]),
        ("bands.table.emas.range", ["bands.table.emas"]),
        ("bands.table.7", ["bands.table.7"]),
        ("persiapan.weight.x", ["weight", "'x'"]),
        ("", ["''"]),
        ((), ["empty"]),
    ],
)
def test_paths_that_lead_nowhere(path: Any, words: list[str]) -> None:
    with pytest.raises(ScenarioError) as err:
        with_overrides(JPT, {path: 1})
    for word in words:
        assert word in str(err.value)


def test_a_bad_text_number_names_the_path() -> None:
    with pytest.raises(ScenarioError, match=r"weight: .*decimal comma.*'0,4'"):
        with_overrides(JPT, {"persiapan.weight": "0,4"})


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (float("nan"), "a finite number, got nan"),
        (float("inf"), "a finite number, got inf"),
        (float("-inf"), "a finite number, got -inf"),
        (Decimal("NaN"), "a finite number, got Decimal('NaN')"),
        (Decimal("sNaN"), "a finite number, got Decimal('sNaN')"),
        (Decimal("-Infinity"), "a finite number"),
        (10**5000, "below 10^15 in size, got an integer of 5001 digits"),
        (Decimal("1e400"), "below 10^15 in size"),
        (Decimal("0.1234567890123456"), "at most 15 decimal places"),
        (object(), "a number, a text, a boolean, a date, a list or a mapping, got object"),
        ({1, 2}, "got set"),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, int) or type(v) is object else repr(v),
)
def test_values_that_are_no_numbers_are_scenario_errors(value: Any, words: str) -> None:
    for overrides in (
        {"persiapan.weight": value},
        {"persiapan.rounding": {"places": value}},
        {"bands.table.0.range": [0, value]},
    ):
        with pytest.raises(ScenarioError) as err:
            with_overrides(JPT, overrides)
        assert str(err.value).startswith(f"override {next(iter(overrides))}: ")
        assert words in str(err.value)


def test_numpy_numbers_are_taken_by_their_value() -> None:
    np = pytest.importorskip("numpy")
    by_float = with_overrides(JPT, {"persiapan.weight": 0.3, "inovasi.weight": 0.1})
    by_numpy = with_overrides(
        JPT, {"persiapan.weight": np.float64(0.3), "inovasi.weight": np.float32(0.1)}
    )
    assert by_numpy.digest == by_float.digest and by_numpy.node("persiapan").weight == Decimal(
        "0.3"
    )
    places = with_overrides(JPT, {"rounding.places": np.int64(1)})
    assert places.rounding is not None and places.rounding.places == 1
    assert places.digest == with_overrides(JPT, {"rounding.places": 1}).digest
    with pytest.raises(ScenarioError, match="a finite number"):
        with_overrides(JPT, {"persiapan.weight": np.float64("nan")})


@pytest.mark.parametrize("path", ["extends", "extends.id", ("extends",), "replace"])
def test_what_the_criteria_extend_cannot_be_overridden(path: Any) -> None:
    with pytest.raises(ScenarioError, match=r"cannot change .*extend"):
        with_overrides(JPT, {path: {"id": "ip-asn", "version": "2019"}})


def test_a_path_that_is_neither_text_nor_a_tuple_is_refused() -> None:
    with pytest.raises(ScenarioError, match="dotted text or a tuple"):
        with_overrides(JPT, {7: 1})  # type: ignore[dict-item]


def test_ip_asn_points_can_be_overridden() -> None:
    # the file cites one reference only from an example; the examples are dropped
    kinder = with_overrides(IP, {"kinerja.lookup.points.baik": 28})
    assert evaluate(kinder, pelaksana()).score == Decimal("78.0")


@pytest.mark.parametrize("info", asnmerit.catalog(), ids=lambda s: f"{s.id}-{s.version}")
def test_every_bundled_scheme_takes_a_scenario(info: asnmerit.SchemeInfo) -> None:
    c = asnmerit.load(info.path)
    same = with_overrides(c, {"bands.policy": c.bands.policy})
    assert same.score == c.score and same.bands == c.bands
    assert same.extends is not None and c.digest in same.extends


# -- sweeps --------------------------------------------------------------------------


def test_steps_make_one_scenario_per_value() -> None:
    assert steps("rounding.mode", ["half_up", "down"]) == [
        {"rounding.mode": "half_up"},
        {"rounding.mode": "down"},
    ]
    assert steps(("persiapan", "cap"), [1]) == [{("persiapan", "cap"): 1}]


def test_sweep_counts_bands_and_means_per_scenario() -> None:
    records = [
        jpt(100, 50, 50, 50, 50, instansi="A"),  # 60 -> 70
        jpt(100, 100, 60, 60, 60, instansi="B"),  # 76 -> 84
        jpt(90, 90, 90, 90, 90, instansi="C"),  # 90 -> 90
        {"instansi": "D"},  # not scored
    ]
    heavier: dict[OverridePath, Any] = {
        "persiapan.weight": "0.4",
        "pelaporan.weight": 0.1,
        "inovasi.weight": "0.1",
    }
    result = sweep(JPT, [{}, heavier], records)
    assert (result.scheme, result.version) == ("jpt", "2021")
    assert [p.label for p in result.points] == [
        "",
        "persiapan.weight=0.4; pelaporan.weight=0.1; inovasi.weight=0.1",
    ]
    # the dimensions' own points do not change with the weights; the root does
    dimensions = {
        "persiapan": "96.67",  # (100 + 100 + 90) / 3
        "pelaksanaan": "80.00",
        "pelaporan": "66.67",
        "inovasi": "66.67",
        "pelanggaran_sistem_merit": "66.67",
    }
    assert result.rows() == [
        {
            "scenario": "",
            "rows": 4,
            "scored": 3,
            "mean": "75.33",
            "Kurang": 2,
            "Baik": 0,
            "Sangat Baik": 1,
            "kualitas_pengisian_jpt": "75.33",
            **dimensions,
        },
        {
            "scenario": "persiapan.weight=0.4; pelaporan.weight=0.1; inovasi.weight=0.1",
            "rows": 4,
            "scored": 3,
            "mean": "81.33",
            "Kurang": 1,
            "Baik": 1,
            "Sangat Baik": 1,
            "kualitas_pengisian_jpt": "81.33",
            **dimensions,
        },
    ]
    assert list(result.rows("en")[0])[4:7] == ["Poor", "Good", "Very good"]
    assert result.points[1].mean == Decimal("81.33")
    assert result.points[1].means["persiapan"] == Decimal("96.67")
    assert result.points[1].results[3].error is not None
    html = result._repr_html_()
    assert "<caption>jpt 2021</caption>" in html and "81.33" in html


def test_sweep_mean_is_rounded_half_up() -> None:
    records = [jpt("79.98", 80, 80, 80, 80), jpt("80.01", "80.01", "80.01", "80.01", "80.01")]
    result = sweep(JPT, steps("rounding.mode", ["half_up", "down"]), records)
    rows = result.rows()
    # 79.996 -> 80.00 half up, 79.99 down; the mean of 80.00 and 80.01 is 80.005 -> 80.01
    assert [r["scenario"] for r in rows] == ["rounding.mode=half_up", "rounding.mode=down"]
    assert [r["mean"] for r in rows] == ["80.01", "80.00"]
    assert [(r["Kurang"], r["Baik"]) for r in rows] == [(0, 2), (1, 1)]


def test_sweep_of_nothing_scored_has_a_blank_mean() -> None:
    (row,) = sweep(JPT, [{}], [{"instansi": "A"}]).rows()
    assert (row["rows"], row["scored"], row["mean"]) == (1, 0, "")


# -- how a ranking moves ----------------------------------------------------------------

# A leads B on preparation, B leads A on conduct; C leads both. Moving weight from
# preparation to conduct (0.1 and 0.3) takes A from 60 to 55 and B from 58 to 62.
RANKED = [
    jpt(100, 50, 50, 50, 50, instansi="A"),
    jpt(50, 90, 50, 50, 50, instansi="B"),
    jpt(70, 70, 70, 70, 70, instansi="C"),
]
CONDUCT: dict[OverridePath, Any] = {"persiapan.weight": "0.1", "pelaksanaan.weight": "0.3"}


def test_a_weight_change_swaps_two_subjects() -> None:
    moved = sensitivity(JPT, RANKED, CONDUCT, top=2)
    assert [(m.key, m.before, m.after) for m in moved.moves] == [
        (("A",), Decimal(2), Decimal(3)),
        (("B",), Decimal(3), Decimal(2)),
    ]
    assert moved.changed == 2
    assert moved.swaps == ((("A",), ("B",)),)
    assert moved.winners_in == (("B",),)
    assert moved.winners_out == (("A",),)
    assert moved.rows() == [
        {"subject": "A", "before": "2", "after": "3"},
        {"subject": "B", "before": "3", "after": "2"},
    ]
    scores = {p.identifiers["instansi"]: p.score for p in moved.after.groups[0].placings}
    assert scores == {"C": Decimal("70.00"), "B": Decimal("62.00"), "A": Decimal("55.00")}
    assert "2 moved, 1 pairs swapped" in moved._repr_html_()


def test_shift_of_rankings_made_by_hand_agrees() -> None:
    changed = with_overrides(JPT, CONDUCT)
    before = rank([evaluate(JPT, r) for r in RANKED])
    after = rank([evaluate(changed, r) for r in RANKED])
    moved = shift(before, after)
    assert moved.swaps == ((("A",), ("B",)),)
    assert shift(before, before).moves == () and shift(before, before).swaps == ()


def test_scores_change_but_nobody_moves() -> None:
    records = [
        jpt(60, 60, 60, 60, 60, instansi="D"),  # 60 -> 60
        jpt(90, 10, 50, 50, 50, instansi="G"),  # 50 -> 42
        jpt(40, 40, 40, 40, 40, instansi="F"),  # 40 -> 40
    ]
    still = sensitivity(JPT, records, CONDUCT, top=1)
    assert still.moves == () and still.swaps == () and still.changed == 0
    assert still.winners_in == () and still.winners_out == ()
    after = {p.identifiers["instansi"]: p.score for p in still.after.groups[0].placings}
    assert after["G"] == Decimal("42.00")


def test_same_names_in_different_groups_are_different_subjects() -> None:
    # Agencies x and y compete among cities and, under the same names, among provinces.
    # Counting every mark (no dropped highest) swaps the cities and leaves the provinces.
    common = {"jumlah_asn": 100, "syarat": True}
    records = [
        {**common, "instansi": "x", "tingkat": "kota", "a": 90, "b": 90, "c": 63},  # 76.5 -> 81
        {**common, "instansi": "y", "tingkat": "kota", "a": 76, "b": 76, "c": 100},  # 76 -> 84
        {**common, "instansi": "x", "tingkat": "provinsi", "a": 70, "b": 70, "c": 70},
        {**common, "instansi": "y", "tingkat": "provinsi", "a": 65, "b": 65, "c": 65},
    ]
    cities = sensitivity(AWARD, records[:2], {"indeks.mean.drop": None})
    assert cities.changed == 2 and len(cities.swaps) == 1
    both = sensitivity(AWARD, records, {"indeks.mean.drop": None})
    assert both.changed == 2
    assert len(both.swaps) == 1


def test_sweep_means_of_every_node_follow_a_change_inside_a_dimension() -> None:
    # NSPK element 01 is a weighted node over five indicators; moving weight onto the
    # first (not met) lowers e01 and, through the mean of 18 elements, the index
    nspk = asnmerit.get("nspk")
    record: dict[str, Any] = dict.fromkeys(list(nspk.inputs)[:5], True)
    record.update(dict.fromkeys(list(nspk.inputs)[5:], 50))
    records = [
        {**record, "e01_anjab_abk": False, "instansi": "A"},
        {**record, "e01_anjab_abk": False, "e01_prioritas": False, "instansi": "B"},
    ]
    result = sweep(
        nspk, [{}, *steps("e01_i1.weight", ["0.4"], rebalance=True, criteria=nspk)], records
    )
    before, after = result.points
    # e01: 100 x 0.8 = 80 and 100 x 0.6 = 60; then 100 x 0.6 and 100 x 0.45
    assert before.means["e01"] == Decimal("70.00")
    assert after.means["e01"] == Decimal("52.50")
    # the index: (80 + 17 x 50) / 18 = 51.67 and (60 + 850) / 18 = 50.56, etc.
    assert (before.mean, after.mean) == (Decimal("51.12"), Decimal("50.14"))
    assert before.means["indeks"] == before.mean
    assert before.means["e01_i2"] == Decimal("0.50") and before.means["e02"] == Decimal("50.00")
    assert list(before.means)[:3] == ["indeks", "e01", "e01_i1"]  # the order of the tree
    rows = result.rows()
    assert list(rows[0])[4:8] == ["D", "C", "B", "A"]  # band counts, then node means
    assert list(rows[0])[8:11] == ["indeks", "e01", "e01_i1"]
    assert (rows[0]["e01"], rows[1]["e01"]) == ("70.00", "52.50")
    assert all(isinstance(v, str | int) for row in rows for v in row.values())


def test_sweep_means_round_as_the_aggregate_block_declares() -> None:
    records = [pelaksana(), pelaksana(seminar=False), pelaksana(predikat_kinerja="cukup")]
    # 75.0, 57.5 and 75.0 - 25 + (points of cukup): IP ASN declares means to 2 places
    result = sweep(IP, [{}, {"aggregate.rounding.places": "0"}], records)
    exact = sum((evaluate(IP, r).score for r in records), Decimal(0)) / 3  # 197.5 / 3
    first, second = result.points
    assert first.rounding.places == 2 and second.rounding.places == 0
    assert first.mean == exact.quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
    assert second.mean == exact.quantize(Decimal("1"), rounding="ROUND_HALF_UP")
    assert first.means["pelaksana_seminar"] == Decimal("11.67")  # (17.5 + 0 + 17.5) / 3
    assert second.means["pelaksana_seminar"] == Decimal("12")
    # a scheme without an aggregate block: 2 places half up, as the mean always was
    assert sweep(JPT, [{}], [jpt(1, 0, 0, 0, 0)]).points[0].mean == Decimal("0.20")


def test_a_node_in_a_switch_branch_is_averaged_over_the_rows_that_took_it() -> None:
    records = [
        pelaksana(),  # 22.5 + 17.5 in the pelaksana branch
        pelaksana(seminar=False),  # 22.5 + 0
        pelaksana(jenis_jabatan="fungsional", diklat_fungsional=True),
    ]
    (point,) = sweep(IP, [{}], records).points
    assert point.means["pelaksana_seminar"] == Decimal("8.75")  # (17.5 + 0) / 2
    assert point.means["fungsional_diklat_fungsional"] == Decimal("15.00")  # one row
    assert "struktural_seminar" not in point.means  # no row took that branch
    expected = [e.component("kompetensi").points for e in point.evaluations]
    assert point.means["kompetensi"] == Decimal(sum(expected) / 3).quantize(Decimal("0.01"))


def test_sweep_means_of_award_categories_count_the_rows_assessed() -> None:
    common = {"jumlah_asn": 100, "syarat": True, "tingkat": "kota"}
    records = [
        {**common, "instansi": "x", "a": 90, "b": 80, "c": 70, "khusus": 60},
        {**common, "instansi": "y", "a": 80, "b": 70, "c": 60},  # khusus not assessed
    ]
    (point,) = sweep(AWARD, [{}], records).points
    assert point.means["khusus_d"] == Decimal("60.00")  # one row assessed
    assert point.means["ab_mean"] == Decimal("80.00")  # (85 + 75) / 2
    assert list(point.means)[:4] == ["indeks", "ea", "eb", "ec"]


def test_shared_results_count_once_per_row_in_the_means() -> None:
    # rows with the same inputs share one evaluation's components: each still counts
    records = [jpt(100, 0, 0, 0, 0, instansi=f"A{i}") for i in range(5)]
    records.append(jpt(0, 0, 0, 0, 0, instansi="B"))
    (point,) = sweep(JPT, [{}], records).points
    shared = {id(e.components) for e in point.evaluations}
    assert len(shared) == 2
    assert point.means["persiapan"] == Decimal("83.33")  # 500 / 6
    assert point.mean == Decimal("16.67")


def test_sweep_to_dict() -> None:
    result = sweep(JPT, [{}, {"rounding.mode": "down"}], [jpt(70, 70, 70, 70, "70.04")])
    data = result.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["format"] == "asnmerit.sweep/1"
    assert (data["scheme"], data["version"]) == ("jpt", "2021")
    first, second = data["points"]
    assert first["overrides"] == {} and second["overrides"] == {"rounding.mode": "down"}
    assert second["scenario"] == "rounding.mode=down"
    assert first["digest"] == result.points[0].criteria.digest
    assert JPT.digest in first["extends"]
    assert (first["rows"], first["scored"]) == (1, 1)
    assert (first["mean"], second["mean"]) == ("70.01", "70.00")
    assert first["rounding"] == {"places": 2, "mode": "half_up"}
    assert first["bands"] == {"kurang": 1, "baik": 0, "sangat_baik": 0}
    assert first["means"]["pelanggaran_sistem_merit"] == "70.04"
    assert first["means"]["kualitas_pengisian_jpt"] == "70.01"  # the root: the rounded total
    assert second["means"]["kualitas_pengisian_jpt"] == "70.00"


def test_sweep_reads_a_generator_of_records_once() -> None:
    records = (jpt(m, m, m, m, m, instansi=str(m)) for m in (60, 80, 95))
    result = sweep(JPT, steps("rounding.mode", ["half_up", "down"]), records)
    assert [len(p.results) for p in result.points] == [3, 3]
    moved = sensitivity(JPT, iter(RANKED), CONDUCT, top=2)
    assert moved.changed == 2  # both rankings saw every subject


def test_a_scenario_that_fails_fails_before_any_record_is_scored() -> None:
    def records() -> Any:
        raise AssertionError("read")
        yield {}

    with pytest.raises(CriteriaError):
        sweep(JPT, [{}, {"persiapan.weight": "0.5"}], records())


# -- text numbers at every depth ----------------------------------------------------------


def _as_text(value: Any) -> Any:
    """``value`` with every number in it as text."""
    if isinstance(value, dict):
        return {k: _as_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_text(v) for v in value]
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return str(value)
    return value


def _data_at(criteria: Criteria, path: tuple[str | int, ...]) -> Any:
    from asnmerit.whatif.scenarios import _get

    assert criteria.document is not None
    return _get(criteria.document.data, path)


def test_a_whole_node_given_with_text_numbers() -> None:
    node = _as_text(_data_at(JPT, ("score", "weighted", "of", 0)))
    assert (node["id"], node["weight"], node["max"]) == ("persiapan", "0.2", "100")
    inovasi = _as_text(_data_at(JPT, ("score", "weighted", "of", 3)))
    as_text = with_overrides(
        JPT, {"persiapan": {**node, "weight": "0.3"}, "inovasi": {**inovasi, "weight": "0.1"}}
    )
    as_numbers = with_overrides(
        JPT,
        {"persiapan": {**node, "weight": Decimal("0.3"), "max": 100}, "inovasi.weight": 0.1},
    )
    assert as_text.digest == as_numbers.digest
    assert as_text.node("persiapan").weight == Decimal("0.3")
    assert as_text.node("persiapan").max == 100


@pytest.mark.parametrize(
    ("overrides", "same"),
    [
        ({"bands.table.baik.range": ["80", "89.99"]}, {"bands.table.baik.range": [80, 89.99]}),
        ({"bands.table.baik": {"range": [" 80 ", "89.99"]}}, None),
        ({"persiapan.rounding": {"places": "0"}}, {"persiapan.rounding": {"places": 0}}),
        ({"persiapan.cap": "100"}, {"persiapan.cap": 100}),  # a new key: the schema says number
        ({"bands.step": "0.01"}, {"bands.step": Decimal("0.01")}),
    ],
    ids=["band-edges", "band-item", "new-rounding", "new-cap", "step"],
)
def test_text_numbers_at_every_depth(overrides: dict[OverridePath, Any], same: Any) -> None:
    if same is None:  # a band item given whole: the same band table as the file's
        band = dict(_data_at(JPT, ("bands", "table", 1)))
        overrides = {"bands.table.baik": {**band, **overrides["bands.table.baik"]}}
        same = {"bands.policy": JPT.bands.policy}
    assert with_overrides(JPT, overrides).digest == with_overrides(JPT, same).digest


def test_text_points_of_a_whole_lookup() -> None:
    path = ("score", "sum", "of", 2, "lookup", "points")
    points = _as_text(_data_at(IP, path))
    assert points["butuh_perbaikan"]["points"] == "15"  # points with their own provenance
    assert with_overrides(IP, {"kinerja.lookup.points": points}).digest == (
        with_overrides(IP, {"kinerja.lookup.points": _data_at(IP, path)}).digest
    )
    kinder = with_overrides(IP, {"kinerja.lookup.points": {**points, "baik": "28"}})
    assert evaluate(kinder, pelaksana()).score == Decimal("78.0")


def test_a_text_stays_text_where_the_schema_takes_text_at_any_depth() -> None:
    c = with_overrides(JPT, {"title": {"id": "123", "en": "4.5"}})
    assert (c.title.id, c.title.en) == ("123", "4.5")


@pytest.mark.parametrize(
    ("overrides", "words"),
    [
        ({"persiapan.rounding": {"places": "dua"}}, "override persiapan.rounding: places: "),
        ({"bands.table.baik.range": ["80", "89,99"]}, "bands.table.baik.range: 1: "),
        ({"persiapan": {"id": "persiapan", "weight": "x"}}, "override persiapan: weight: "),
        ({"persiapan.cap": "banyak"}, "override persiapan.cap: expected a number"),
    ],
)
def test_a_text_that_is_no_number_where_one_is_needed(
    overrides: dict[OverridePath, Any], words: str
) -> None:
    with pytest.raises(ScenarioError) as err:
        with_overrides(JPT, overrides)
    assert words in str(err.value)
    assert "expected a number" in str(err.value)


# -- rebalanced weights -------------------------------------------------------------------


def _weights(c: Criteria, parent: str) -> dict[str, Decimal]:
    return {k.id: k.weight for k in c.node(parent).children if k.weight is not None}


def test_rebalanced_steps_on_the_nspk_scheme() -> None:
    nspk = asnmerit.get("nspk")
    # without rebalancing, the sibling weights no longer add up to 1
    with pytest.raises(CriteriaError) as err:
        [with_overrides(nspk, s) for s in steps("e01_i1.weight", ["0.4"])]
    assert "weighted.weights-sum" in err.value.codes
    scenarios = steps("e01_i1.weight", ["0.4", 0.1, Decimal("0.25")], rebalance=True, criteria=nspk)
    assert scenarios[0] == {
        "e01_i1.weight": Decimal("0.4"),
        "e01_i2.weight": Decimal("0.15"),
        "e01_i3.weight": Decimal("0.15"),
        "e01_i4.weight": Decimal("0.15"),
        "e01_i5.weight": Decimal("0.15"),
    }
    assert scenarios[1]["e01_i5.weight"] == Decimal("0.225")
    assert scenarios[2]["e01_i2.weight"] == Decimal("0.1875")
    for scenario in scenarios:
        weights = _weights(with_overrides(nspk, scenario), "e01")
        assert sum(weights.values()) == 1
        assert all(isinstance(w, Decimal) for w in weights.values())
    # a sweep scores them, and labels them with every weight set
    record: dict[str, Any] = dict.fromkeys(list(nspk.inputs)[:5], True)
    record |= {"e01_anjab_abk": False, **dict.fromkeys(list(nspk.inputs)[5:], 100)}
    result = sweep(nspk, scenarios, [record])
    assert [p.means["e01"] for p in result.points] == [
        Decimal("60.00"),  # 100 x (1 - 0.4)
        Decimal("90.00"),
        Decimal("75.00"),
    ]
    assert result.points[0].label.startswith("e01_i1.weight=0.4; e01_i2.weight=0.15; ")


def test_rebalanced_tuple_paths_and_a_scenario_for_sensitivity() -> None:
    scenario = rebalanced(JPT, ("persiapan", "weight"), "0.6")
    assert scenario == {
        ("persiapan", "weight"): Decimal("0.6"),
        ("pelaksanaan", "weight"): Decimal("0.1"),
        ("pelaporan", "weight"): Decimal("0.1"),
        ("inovasi", "weight"): Decimal("0.1"),
        ("pelanggaran_sistem_merit", "weight"): Decimal("0.1"),
    }
    # a path through the document works too; the siblings are named by their ids
    by_position = rebalanced(JPT, "score.weighted.of.0.weight", "0.6")
    assert list(by_position)[1:] == [
        "pelaksanaan.weight",
        "pelaporan.weight",
        "inovasi.weight",
        "pelanggaran_sistem_merit.weight",
    ]
    assert with_overrides(JPT, by_position).digest == with_overrides(JPT, scenario).digest
    # A leads on preparation: more weight on it lifts A (80) above C (70)
    moved = sensitivity(JPT, RANKED, scenario)
    assert moved.swaps == ((("C",), ("A",)),)
    # the weight it has: nothing moves
    assert set(rebalanced(JPT, "persiapan.weight", "0.2").values()) == {Decimal("0.2")}


UNEVEN: dict[OverridePath, Any] = {
    "persiapan.weight": "0.4",
    "pelaksanaan.weight": "0.3",
    "pelaporan.weight": "0.1",
    "inovasi.weight": "0.1",
    "pelanggaran_sistem_merit.weight": "0.1",
}


@pytest.mark.parametrize(
    ("scheme_id", "path", "value", "words"),
    [
        ("jpt", "persiapan.weight", "1", ["add up to 1", "leaves the others 0", "above 0"]),
        ("jpt", "persiapan.weight", "1.5", ["leaves the others -0.5"]),
        ("jpt", "persiapan.weight", "0", ["must be above 0"]),
        ("jpt", "persiapan.weight", "-0.1", ["must be above 0"]),
        ("jpt", "persiapan.weight", "x", ["expected a number", "'x'"]),
        ("jpt", "persiapan.weight", "0,4", ["decimal comma"]),
        ("jpt", "persiapan.weight", True, ["expected a number, got True"]),
        ("jpt", "persiapan.weight", "0.1234567890123456", ["15 decimal places"]),
        ("jpt", "rounding.places", 1, ["rounding.places is not the weight", "weighted"]),
        ("jpt", "persiapan", "0.1", ["is not the weight"]),
        ("jpt", "nope.weight", "0.1", ["'nope'"]),
        ("bkn-award", "kp_e07.weight", "0.1", ["kp_e07", "mean node kat_perencanaan"]),
        ("nspk", "e01.weight", "0.5", ["e01 stands in the mean node indeks", "no weights"]),
        ("sistem-merit", "maturitas.weight", "0.5", ["sum node nism"]),
        ("nspk", "kp_e07.weight", "0.1", ["neither a section", "score node"]),
    ],
)
def test_weights_that_cannot_be_rebalanced(
    scheme_id: str, path: str, value: Any, words: list[str]
) -> None:
    with pytest.raises(asnmerit.AsnmeritError) as err:
        steps(path, [value], rebalance=True, criteria=scheme(scheme_id))
    assert isinstance(err.value, ScenarioError)
    message = str(err.value)
    assert message.startswith(f"rebalance {path}={value!r}: ")
    for word in words:
        assert word in message


def test_a_weight_whose_siblings_would_need_infinitely_many_places_is_refused() -> None:
    uneven = with_overrides(JPT, UNEVEN)
    # 0.3 x 0.5 / 0.6 = 0.25 is exact, 0.1 x 0.5 / 0.6 = 1/12 is not
    with pytest.raises(ScenarioError) as err:
        rebalanced(uneven, "persiapan.weight", "0.5")
    assert str(err.value) == (
        "rebalance persiapan.weight='0.5': pelaporan.weight would be 0.1 x 0.5 / 0.6 = 1/12, "
        "which has no exact decimal form (criteria declare no rounding of weights)"
    )
    assert rebalanced(uneven, "persiapan.weight", "0.7")["pelaksanaan.weight"] == Decimal("0.15")


def test_steps_arguments() -> None:
    with pytest.raises(TypeError, match="criteria="):
        steps("persiapan.weight", ["0.3"], rebalance=True)
    with pytest.raises(TypeError, match="only with rebalance"):
        steps("persiapan.weight", ["0.3"], criteria=JPT)
    with pytest.raises(TypeError, match="true or false"):
        steps("persiapan.weight", ["0.3"], rebalance="yes", criteria=JPT)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="iterable of values"):
        steps("persiapan.weight", "0.3")


WEIGHT_IDS = ["persiapan", "pelaksanaan", "pelaporan", "inovasi", "pelanggaran_sistem_merit"]


@settings(max_examples=max(10, settings().max_examples // 4))  # two criteria each
@given(
    cuts=st.lists(st.integers(1, 99), min_size=4, max_size=4, unique=True),
    index=st.integers(0, 4),
    new=st.integers(1, 10_000),
    scale=st.sampled_from([None, "0.5", "0.25", "0.8", "1.25", "1.6", "2"]),
)
def test_rebalanced_weights_add_up_exactly_to_the_total(
    cuts: list[int], index: int, new: int, scale: str | None
) -> None:
    # five weights in hundredths that add up to 1; a new weight in ten-thousandths, or
    # one that scales the others by a factor that keeps them exact
    edges = [0, *sorted(cuts), 100]
    before = [Decimal(b - a) / 100 for a, b in itertools.pairwise(edges)]
    base = with_overrides(JPT, {f"{i}.weight": w for i, w in zip(WEIGHT_IDS, before, strict=True)})
    value = Decimal(new) / 10_000
    if scale is not None and 0 < 1 - (1 - before[index]) * Decimal(scale) < 1:
        value = 1 - (1 - before[index]) * Decimal(scale)
    ratio = (1 - Fraction(value)) / (1 - Fraction(before[index]))
    expected = [Fraction(w) * ratio for w in before]
    places = [_places(f) for i, f in enumerate(expected) if i != index]
    exact = all(p is not None and p <= 15 for p in places)
    try:
        scenario = rebalanced(base, f"{WEIGHT_IDS[index]}.weight", value)
    except ScenarioError as err:
        message = str(err)
        if value >= 1:
            assert "each must stay above 0" in message
        else:  # a sibling has no finite decimal form, or one longer than a file may hold
            assert not exact
            assert "no exact decimal form" in message or "15 decimal places" in message
        return
    assert value < 1 and exact
    changed = _weights(with_overrides(base, scenario), JPT.score.id)
    assert sum(changed.values()) == sum(before) == 1  # exactly, in Decimal
    assert changed[WEIGHT_IDS[index]] == value
    for i, name in enumerate(WEIGHT_IDS):
        if i != index:
            assert Fraction(changed[name]) == expected[i]  # in proportion, exactly


def _places(f: Fraction) -> int | None:
    """The decimal places ``f`` needs (``None``: infinitely many)."""
    den, found = f.denominator, {2: 0, 5: 0}
    for p in found:
        while den % p == 0:
            den, found[p] = den // p, found[p] + 1
    return max(found.values()) if den == 1 else None


# -- a shift ----------------------------------------------------------------------------


def test_shift_rows_take_a_language_and_to_dict() -> None:
    moved = sensitivity(JPT, RANKED, CONDUCT, top=2)
    assert moved.rows("en") == moved.rows("id") == moved.rows()
    data = moved.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data == {
        "format": "asnmerit.shift/1",
        "scheme": "jpt",
        "version": "2021",
        "before": JPT.digest,
        "after": moved.after.digest,
        "changed": 2,
        "moves": [
            {"subject": ["A"], "before": "2", "after": "3"},
            {"subject": ["B"], "before": "3", "after": "2"},
        ],
        "swaps": [[["A"], ["B"]]],
        "winners_in": [["B"]],
        "winners_out": [["A"]],
    }
    assert moved.after.digest != JPT.digest


def test_every_rows_method_takes_a_language() -> None:
    import inspect

    from asnmerit.whatif import scenarios

    for cls in (scenarios.Sweep, scenarios.Shift):
        assert "lang" in inspect.signature(cls.rows).parameters
