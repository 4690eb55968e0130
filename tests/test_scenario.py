"""Scenarios: criteria changed at a path and checked again, sweeps, and ranking shifts."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import asnmerit
from asnmerit import CriteriaError, evaluate, rank
from asnmerit.errors import ScenarioError
from asnmerit.model import Criteria
from asnmerit.whatif import OverridePath, sensitivity, shift, steps, sweep, with_overrides

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
    assert result.rows() == [
        {
            "scenario": "",
            "rows": 4,
            "scored": 3,
            "mean": "75.33",
            "Kurang": 2,
            "Baik": 0,
            "Sangat Baik": 1,
        },
        {
            "scenario": "persiapan.weight=0.4; pelaporan.weight=0.1; inovasi.weight=0.1",
            "rows": 4,
            "scored": 3,
            "mean": "81.33",
            "Kurang": 1,
            "Baik": 1,
            "Sangat Baik": 1,
        },
    ]
    assert list(result.rows("en")[0])[4:] == ["Poor", "Good", "Very good"]
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
