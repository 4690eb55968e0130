"""The merit-system schemes (2019 instrument, 2025 framework) and the JPT quality index."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import jsonschema
import pytest

import asnmerit
from asnmerit.model import Criteria

MAXIMA = {
    "perencanaan_kebutuhan": 40,
    "pengadaan": 40,
    "pengembangan_karier": 130,
    "promosi_dan_mutasi": 40,
    "manajemen_kinerja": 80,
    "penggajian_penghargaan_disiplin": 40,
    "perlindungan_dan_pelayanan": 15,
    "sistem_informasi": 25,
}


@pytest.fixture(scope="module")
def merit() -> Criteria:
    return asnmerit.get("sistem-merit", as_of="2024-06-01")


def agency(total: Decimal | str) -> dict[str, Decimal]:
    """Aspect scores adding up to ``total``: aspects filled to their maxima in order."""
    left = Decimal(total)
    record = {}
    for name, top in MAXIMA.items():
        take = min(left, Decimal(top))
        record[name] = take
        left -= take
    assert left == 0
    return record


def test_maxima_and_total(merit: Criteria) -> None:
    assert {c.id: c.max for c in merit.score.children} == {k: Decimal(v) for k, v in MAXIMA.items()}
    assert merit.score_max == 410 and merit.score_min == 0
    derived = {
        c.id
        for c in merit.score.children
        if c.provenance.confidence == "medium" and c.provenance.note
    }
    assert derived == {
        "penggajian_penghargaan_disiplin",
        "perlindungan_dan_pelayanan",
        "sistem_informasi",
    }


EDGES = [
    ("174.5", "I"),
    ("175", "II"),
    ("249.5", "II"),
    ("250", "III"),
    ("324.5", "III"),
    ("325", "IV"),
    ("400", "IV"),
    ("410", "IV"),
    ("0", "I"),
    ("99.5", "I"),
]


@pytest.mark.parametrize(("total", "band"), EDGES)
def test_band_edges(merit: Criteria, total: str, band: str) -> None:
    ev = asnmerit.evaluate(merit, agency(total))
    assert ev.score == Decimal(total) and ev.band.code == band
    assert merit.band_for(total).code == band
    assert ev.eligible is (band in ("III", "IV"))


def test_award_reason_names_the_bands(merit: Criteria) -> None:
    ev = asnmerit.evaluate(merit, agency("249.5"))
    (why,) = ev.ineligible
    assert why.gate == "min_band"
    assert why.reason.get("en") == "Insufficient is below Good, the minimum for Meritocracy Award"
    assert "Kurang di bawah Baik" in why.reason.id
    assert ev.to_dict()["ineligible"][0]["gate"] == "min_band"


@pytest.mark.parametrize(
    ("policy", "total", "band"),
    [
        ("upper_bounds", "174.5", "II"),
        ("upper_bounds", "249.5", "III"),
        ("round_then_classify", "249.5", "III"),
        ("round_then_classify", "174", "I"),
        ("lower_bounds", "324.5", "III"),
    ],
)
def test_other_policies(merit: Criteria, policy: Any, total: str, band: str) -> None:
    assert merit.band_for(total, policy).code == band


def test_above_400_is_not_clamped(merit: Criteria) -> None:
    ev = asnmerit.evaluate(merit, agency("405.5"))
    assert ev.score == Decimal("405.5") and ev.band.code == "IV"
    with pytest.raises(asnmerit.ScoreOutOfRangeError, match=r"0\.\.410"):
        merit.band_for("410.5")


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("pengembangan_karier", "37.25", "a multiple of 0.5"),
        ("pengembangan_karier", "130.5", "a value from 0 to 130"),
        ("sistem_informasi", "-0.5", "a value from 0 to 25"),
        ("manajemen_kinerja", "delapan puluh", "a number"),
    ],
)
def test_aspect_scores_are_checked(merit: Criteria, field: str, value: str, expected: str) -> None:
    record: dict[str, Any] = agency("300")
    record[field] = value
    with pytest.raises(asnmerit.InputError) as err:
        asnmerit.evaluate(merit, record)
    (issue,) = err.value.issues
    assert issue.field == field and expected in issue.expected


def test_spelling_variants_are_aliases(merit: Criteria) -> None:
    record: dict[str, Any] = agency("327")
    record["Pengembangan Karir"] = record.pop("pengembangan_karier")
    record["penghargaan_penggajian_disiplin"] = record.pop("penggajian_penghargaan_disiplin")
    ev = asnmerit.evaluate(merit, record)
    assert ev.score == 327 and set(ev.inputs) == set(MAXIMA)
    schema = merit.input_schema()
    record = {k: float(v) for k, v in record.items()}  # as JSON would give it
    jsonschema.validate(record, schema)
    both = {**record, "pengembangan_karier": 75}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(both, schema)
    with pytest.raises(asnmerit.InputError) as err:
        asnmerit.evaluate(merit, both)
    (issue,) = err.value.issues
    assert issue.field == "pengembangan_karier"
    assert "'Pengembangan Karir' and 'pengembangan_karier'" in issue.expected
    two_aliases = {**record, "Pengembangan Karier": 75}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(two_aliases, schema)
    missing = {k: v for k, v in record.items() if k != "Pengembangan Karir"}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(missing, schema)


def test_alias_that_names_another_field_is_refused() -> None:
    text = (asnmerit.spec.criteria_dir() / "sistem-merit/2019.yaml").read_text()
    bad = text.replace("aliases: [Pengadaan]", "aliases: [pengadaan_asn, sistem_informasi]")
    with pytest.raises(asnmerit.CriteriaError) as err:
        asnmerit.loads(bad, "bad.yaml")
    (p,) = err.value.problems
    assert p.code == "input.field-alias" and "'sistem_informasi'" in p.message and p.line


def test_award_band_must_exist() -> None:
    text = (asnmerit.spec.criteria_dir() / "sistem-merit/2019.yaml").read_text()
    with pytest.raises(asnmerit.CriteriaError) as err:
        asnmerit.loads(text.replace("min_band: III", "min_band: V"), "bad.yaml")
    (p,) = err.value.problems
    assert p.code == "award.unknown-band" and "I, II, III, IV" in p.message


@pytest.mark.parametrize(
    ("day", "version"),
    [
        ("2019-01-01", "2019"),
        ("2024-06-01", "2019"),
        ("2025-12-31", "2019"),
        ("2026-01-01", "2025"),
        (dt.date(2030, 1, 1), "2025"),
        (None, "2025"),
    ],
)
def test_version_in_force(day: Any, version: str) -> None:
    assert asnmerit.get("sistem-merit", as_of=day).version == version


def test_no_version_in_force() -> None:
    with pytest.raises(
        asnmerit.SchemeNotFoundError,
        match=r"2018-12-31 \(2019: 2019-01-01 to 2025-12-31; 2025: 2026-01-01 to now\)",
    ):
        asnmerit.get("sistem-merit", as_of="2018-12-31")


def test_show_as_of(capsys: pytest.CaptureFixture[str]) -> None:
    from asnmerit.cli import main

    assert main(["show", "sistem-merit", "--as-of", "2024-06-01"]) == 0
    assert "sistem-merit 2019" in capsys.readouterr().out
    assert main(["show", "sistem-merit", "--as-of", "2026-01-01"]) == 0
    assert "sistem-merit 2025" in capsys.readouterr().out
    assert main(["show", "sistem-merit", "--as-of", "2018-01-01"]) == 2
    assert "no version of 'sistem-merit' is in force on 2018-01-01" in capsys.readouterr().err


# -- the 2025 framework ----------------------------------------------------------------------


def test_2025_weights_combine_to_one() -> None:
    c = asnmerit.get("sistem-merit", as_of="2026-01-01")
    maturity, survey = c.score.children
    assert (maturity.max, survey.max) == (Decimal("0.75"), Decimal("0.25"))
    factors = {n.id: n.kind.factor for n in maturity.children}  # type: ignore[union-attr]
    assert sum(factors.values()) == Decimal("0.75")
    # 10 % of maturity for aspects 1 and 8 (sourced), the rest an equal share of 80 %.
    assert factors["perencanaan_kebutuhan"] == factors["digitalisasi"] == Decimal("0.075")
    assumed = {n.id for n in maturity.children if n.provenance.confidence == "assumption"}
    assert assumed == set(factors) - {"perencanaan_kebutuhan", "digitalisasi"}
    assert [b.code for b in c.bands.table] == ["dasar", "lanjutan", "menengah", "tinggi", "maju"]


def test_2025_warns_about_assumed_weights() -> None:
    c = asnmerit.get("sistem-merit", as_of="2026-01-01")
    subject = dict.fromkeys(c.inputs, "0.5")
    ev = asnmerit.evaluate(c, subject)
    assert ev.score == Decimal("0.50") and ev.band.code == "lanjutan"
    paths = {w.path for w in ev.warnings}
    assert "nism.maturitas.manajemen_talenta" in paths
    assert not any(p.endswith("perencanaan_kebutuhan") for p in paths)


@pytest.mark.parametrize(
    ("survey", "score", "band"),
    [("0.4", "0.40", "dasar"), ("0.42", "0.41", "lanjutan"), ("0.418", "0.40", "dasar")],
)
def test_2025_rounds_before_classifying(survey: str, score: str, band: str) -> None:
    c = asnmerit.get("sistem-merit", as_of="2026-01-01")
    subject = dict.fromkeys(c.inputs, "0.4") | {"survei_pegawai": survey}
    ev = asnmerit.evaluate(c, subject)
    assert (str(ev.score), ev.band.code) == (score, band)


def test_jpt_is_bundled_with_its_ranking() -> None:
    jpt = asnmerit.get("jpt")
    assert jpt.score_max == 100
    published = {e.score: e.expect.band for e in jpt.examples if e.score is not None}
    assert published[Decimal("97.00")] == "sangat_baik"
    assert published[Decimal("87.5")] == "baik"


def test_award_min_band_id_is_not_a_gate_id() -> None:
    text = (asnmerit.spec.criteria_dir() / "sistem-merit/2019.yaml").read_text()
    gate = (
        "eligibility:\n  - id: min_band\n    require: {input: pengadaan, ge: 0}\n"
        "    reason: {id: Contoh}\n\naward:\n"
    )
    with pytest.raises(asnmerit.CriteriaError) as err:
        asnmerit.loads(text.replace("award:\n", gate, 1), "bad.yaml")
    assert [p.code for p in err.value.problems] == ["gate.duplicate-id"]


def test_half_point_between_categories_warns(merit: Criteria) -> None:
    ev = asnmerit.evaluate(merit, agency("249.5"))
    assert any(w.path == "bands" and "249.5" in w.message for w in ev.warnings)
    assert not asnmerit.evaluate(merit, agency("250")).warnings


def test_a_factor_leaves_no_trailing_zeros() -> None:
    merit = asnmerit.get("sistem-merit", as_of="2026-06-01")
    example = next(e for e in merit.examples if e.inputs)
    ev = asnmerit.evaluate(merit, example.inputs or {})
    shown = ev.to_dict()["components"]["children"][0]["children"][0]
    assert shown["rule"].endswith("x 0.075") and shown["points"] == "0.06"
    assert "0.0600" not in ev.explain("en")
