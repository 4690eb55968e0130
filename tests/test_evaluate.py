"""The reference evaluator on IP ASN and on the synthetic every-kind scheme."""

from __future__ import annotations

import decimal
import json
from decimal import Decimal

import attrs
import pytest

import asnmerit
from asnmerit import InputError
from asnmerit.analysis.examples import run_examples
from asnmerit.model import Criteria

from .helpers import pelaksana


def test_every_bundled_example_passes(ip: Criteria) -> None:
    results = run_examples(ip)
    assert len(results) >= 16
    assert [r for r in results if not r.passed] == []


def test_every_kitchen_sink_example_passes(sink: Criteria) -> None:
    assert [r for r in run_examples(sink) if not r.passed] == []


def test_pelaksana_score_and_components(ip: Criteria) -> None:
    ev = asnmerit.evaluate(ip, pelaksana())
    assert ev.score == Decimal("75")
    assert ev.band.code == "sedang"
    assert ev.band.label.get("en") == "Moderate"
    points = {c.id: c.points for c in ev.components.children}
    assert points == {"kualifikasi": 5, "kompetensi": 40, "kinerja": 25, "disiplin": 5}
    assert ev.component("pelaksana_diklat_teknis").points == Decimal("22.5")
    assert ev.component("kinerja").rule == "predikat_kinerja = baik"
    assert ev.eligible and ev.ineligible == ()


def test_score_is_decimal_not_float(ip: Criteria) -> None:
    ev = asnmerit.evaluate(ip, pelaksana(seminar=False, pendidikan="D3"))
    assert isinstance(ev.score, Decimal)
    assert ev.score == Decimal("62.5")
    assert all(isinstance(c.points, Decimal) for c in ev.components.children)


def test_result_independent_of_callers_decimal_context(ip: Criteria) -> None:
    expected = asnmerit.evaluate(ip, pelaksana(seminar=False))
    with decimal.localcontext() as ctx:
        ctx.prec = 2
        ctx.rounding = decimal.ROUND_DOWN
        again = asnmerit.evaluate(ip, pelaksana(seminar=False))
    assert again.score == expected.score == Decimal("57.5")


def test_evaluate_does_not_touch_the_record(ip: Criteria) -> None:
    record = pelaksana(pendidikan="S-1")
    before = dict(record)
    asnmerit.evaluate(ip, record)
    assert record == before


def test_deterministic_to_dict(ip: Criteria) -> None:
    a = asnmerit.evaluate(ip, pelaksana()).to_dict()
    b = asnmerit.evaluate(ip, pelaksana()).to_dict()
    assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
    assert a["format"] == "asnmerit.result/1"
    assert a["scheme"] == "ip-asn" and a["version"] == "2019"
    assert a["digest"] == ip.digest and a["digest"].startswith("sha256:")
    assert a["score"] == "75.0"
    kual = a["components"]["children"][0]
    assert kual["id"] == "kualifikasi" and kual["points"] == "5" and kual["max"] == "25"
    assert kual["confidence"] == "medium"
    assert {"ref", "title", "article"} <= set(kual["basis"][0])


def test_aliases_and_text_booleans_are_normalised(ip: Criteria) -> None:
    ev = asnmerit.evaluate(
        ip, pelaksana(pendidikan="S-1", diklat_teknis_20jp="ya", seminar=" Tidak ")
    )
    assert ev.inputs["pendidikan"] == "S1"
    assert ev.inputs["diklat_teknis_20jp"] is True and ev.inputs["seminar"] is False
    assert ev.score == Decimal("15") + Decimal("22.5") + 25 + 5


def test_identifiers_pass_through(ip: Criteria) -> None:
    ev = asnmerit.evaluate(ip, pelaksana(nip="199001012015011001", status="PPPK"))
    assert ev.identifiers == {"nip": "199001012015011001", "status": "PPPK"}
    assert "nip" not in ev.inputs


def test_all_input_problems_are_reported_at_once(ip: Criteria) -> None:
    bad = pelaksana(pendidikan="S-4", seminar="maybe", golongan="III")
    with pytest.raises(InputError) as info:
        asnmerit.evaluate(ip, bad)
    issues = {i.field: i for i in info.value.issues}
    assert set(issues) == {"pendidikan", "seminar", "golongan"}
    assert issues["pendidikan"].got == "text 'S-4'"
    assert "S3, S2, S1" in issues["pendidikan"].expected
    assert issues["seminar"].expected.startswith("true or false")
    assert issues["golongan"].got == "an unknown field"
    assert "pendidikan: expected one of" in str(info.value)


def test_missing_input_needed_on_the_path(ip: Criteria) -> None:
    record = pelaksana(jenis_jabatan="struktural")
    with pytest.raises(InputError) as info:
        asnmerit.evaluate(ip, record)
    assert [i.field for i in info.value.issues] == ["diklat_kepemimpinan"]
    assert "struktural_diklat_kepemimpinan" in info.value.issues[0].expected
    # A pelaksana never needs the leadership-training field.
    assert asnmerit.evaluate(ip, pelaksana()).score == 75


def test_blank_cells_count_as_missing(ip: Criteria) -> None:
    with pytest.raises(InputError) as info:
        asnmerit.evaluate(ip, pelaksana(pendidikan="  ", hukuman_disiplin=None))
    assert sorted(i.field for i in info.value.issues) == ["hukuman_disiplin", "pendidikan"]
    assert all(i.got == "nothing" for i in info.value.issues)


def test_input_error_row_labels(ip: Criteria) -> None:
    with pytest.raises(InputError) as info:
        asnmerit.evaluate(ip, pelaksana(pendidikan="x"))
    labelled = info.value.at_row(7)
    assert labelled.issues[0].row == 7
    assert str(labelled).startswith("row 7: pendidikan")


def test_not_a_mapping(ip: Criteria) -> None:
    with pytest.raises(InputError, match="a mapping"):
        asnmerit.evaluate(ip, ["S1"])  # type: ignore[arg-type]


def test_assumed_value_is_warned(ip: Criteria) -> None:
    ev = asnmerit.evaluate(ip, pelaksana(predikat_kinerja="butuh_perbaikan"))
    assert ev.component("kinerja").points == 15
    assert [(w.code, w.path) for w in ev.warnings] == [("confidence.assumption", "ip_asn.kinerja")]
    assert "not published" in ev.warnings[0].message


def test_no_warning_when_only_solid_values_are_used(ip: Criteria) -> None:
    assert asnmerit.evaluate(ip, pelaksana()).warnings == ()


def test_band_policy_warning_only_between_published_ranges(ip: Criteria) -> None:
    s3 = pelaksana(
        pendidikan="S3", seminar=False, predikat_kinerja="sangat_baik", hukuman_disiplin="ringan"
    )
    ev = asnmerit.evaluate(ip, s3)
    assert ev.score == Decimal("80.5")
    assert [w.path for w in ev.warnings] == ["bands"]
    assert "between published ranges" in ev.warnings[0].message
    assert ev.band.code == "tinggi" and ev.band_policy == "upper_bounds"
    lower = asnmerit.evaluate(ip, s3, band_policy="lower_bounds")
    assert lower.band.code == "sedang" and lower.band_policy == "lower_bounds"
    assert asnmerit.evaluate(ip, s3, band_policy="round_then_classify").band.code == "tinggi"


def test_explain_cites_the_basis_and_marks_assumptions(ip: Criteria) -> None:
    ev = asnmerit.evaluate(
        ip, pelaksana(predikat_kinerja="sangat_kurang", nip="199001012015011001")
    )
    text = ev.explain()
    assert "Skor: 51.0 / 100" in text
    assert "Kategori: Sangat Rendah [sangat_rendah]" in text
    assert "Kinerja: 1 / 30  <- predikat_kinerja = sangat_kurang ! asumsi" in text
    assert "Peraturan BKN No. 8 Tahun 2019" in text and "Pasal 8" in text
    english = ev.explain("en")
    assert "Performance: 1 / 30" in english and "! assumption" in english
    with pytest.raises(ValueError, match="lang"):
        ev.explain("fr")


def test_models_are_frozen(ip: Criteria) -> None:
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        ip.version = "2020"  # type: ignore[misc]
    changed = attrs.evolve(ip, version="x")
    assert changed.version == "x" and ip.version == "2019"


# -- every node kind (synthetic scheme) --------------------------------------------------------


def sink_record(**changes: object) -> dict[str, object]:
    record: dict[str, object] = {
        "golongan": "III",
        "nilai": 80,
        "jam": 60,
        "lulus": True,
        "tanggal": "2024-01-01",
        "unit": "pusat",
    }
    record.update(changes)
    return record


def test_weighted_normalize_and_node_rounding(sink: Criteria) -> None:
    ev = asnmerit.evaluate(sink, sink_record(nilai="95.5", jam=10))
    # 100 x (0.6 x 0.955 + 0.4 x 5/75) = 59.9666... rounded half up to 2 places
    assert ev.component("a").points == Decimal("59.97")
    assert ev.component("a1").points == Decimal("95.5")
    assert ev.component("a2").points == Decimal("5.0")
    assert ev.component("a2").rule == "jam = 10 x 0.5"


def test_cases_first_match_and_labels(sink: Criteria) -> None:
    assert (
        asnmerit.evaluate(sink, sink_record()).component("b").rule
        == "Golongan III ke atas dan lulus"
    )
    second = asnmerit.evaluate(sink, sink_record(golongan="II", nilai=91))
    assert second.component("b").points == 10
    assert second.component("b").rule == "(nilai > 90 or jam >= 100)"
    third = asnmerit.evaluate(sink, sink_record(golongan="I", nilai=10, tanggal="2024-12-31"))
    assert third.component("b").points == 5
    assert [w.code for w in third.warnings] == ["confidence.assumption", "confidence.reconstructed"]
    none = asnmerit.evaluate(sink, sink_record(golongan="I", nilai=10, tanggal="2025-01-01"))
    assert none.component("b").rule == "otherwise" and none.component("b").points == 0


def test_ordered_enum_comparison_uses_declared_order(sink: Criteria) -> None:
    assert asnmerit.evaluate(sink, sink_record(golongan="IV")).component("b").points == 20
    assert asnmerit.evaluate(sink, sink_record(golongan="Gol-III")).component("b").points == 20
    assert (
        asnmerit.evaluate(sink, sink_record(golongan="II", nilai=10, jam=0, tanggal="2026-01-01"))
        .component("b")
        .points
        == 0
    )


def test_switch_branches_otherwise_and_cap(sink: Criteria) -> None:
    centre = asnmerit.evaluate(sink, sink_record(golongan="IV"))
    assert centre.component("c").points == 4 and centre.component("c").rule == "unit = pusat"
    region = asnmerit.evaluate(sink, sink_record(unit="daerah", nilai=90))
    assert region.component("c_daerah").points == 5
    assert region.component("c_daerah").rule == "nilai = 90 x 0.1; capped at 5"
    other = asnmerit.evaluate(sink, sink_record(unit="lain", lulus=False))
    assert other.component("c").rule == "unit = lain (otherwise)"
    assert other.component("c_lain").rule == "lulus = false (otherwise)"


def test_default_applies_when_missing(sink: Criteria) -> None:
    record = sink_record()
    del record["unit"]
    assert asnmerit.evaluate(sink, record).inputs["unit"] == "pusat"


def test_eligibility_gate_with_reason(sink: Criteria) -> None:
    ev = asnmerit.evaluate(sink, sink_record(lulus="tidak"))
    assert not ev.eligible
    assert [(i.gate, i.reason.get("en")) for i in ev.ineligible] == [
        ("lulus_wajib", "Must have passed")
    ]
    assert "Tidak memenuhi syarat" in ev.explain()
    assert ev.to_dict()["ineligible"] == [
        {"gate": "lulus_wajib", "reason": {"id": "Harus lulus", "en": "Must have passed"}}
    ]


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("nilai", "22,5", "a number with a decimal point (22.5), not a decimal comma"),
        ("nilai", "100.5", "a value from 0 to 100"),
        ("nilai", 10.25, "a multiple of 0.5"),
        ("nilai", float("nan"), "a value (needed by a1, b)"),  # NaN: missing, as in pandas
        ("nilai", "NaN", "a finite number"),
        ("nilai", True, "a number"),
        ("jam", "1.5", "a whole number"),
        ("jam", 151, "a value from 0 to 150"),
        ("tanggal", "2024-02-30", "a date YYYY-MM-DD"),
        ("tanggal", "2019-12-31", "a value from 2020-01-01 to 2030-12-31"),
        ("lulus", 2, "true or false (ya/tidak, 1/0)"),
        ("golongan", "Golongan III", "one of I, II, III, IV"),  # a label, not a code
    ],
)
def test_bad_values_name_field_expectation_and_value(
    sink: Criteria, field: str, value: object, expected: str
) -> None:
    with pytest.raises(InputError) as info:
        asnmerit.evaluate(sink, sink_record(**{field: value}))
    (issue,) = info.value.issues
    assert (issue.field, issue.expected) == (field, expected)


def test_numbers_accept_int_float_text_and_decimal(sink: Criteria) -> None:
    for value in (80, 80.0, "80", " 80.0 ", Decimal("80.00")):
        assert asnmerit.evaluate(sink, sink_record(nilai=value)).score == Decimal("87.00")
    assert asnmerit.evaluate(sink, sink_record(nilai=0.5)).component("a1").points == Decimal("0.5")
