"""Scoring records with missing inputs: the interval, the bands, eligibility and what decides.

IP ASN's inputs are all discrete, so its partial results are checked against every
completion (brute force); the synthetic every-kind scheme, NSPK, Sistem Merit 2025 and JPT
(numbers) are checked against random completions drawn from each input's whole domain.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

import asnmerit
from asnmerit import Evaluation, InputError, evaluate
from asnmerit.errors import WhatIfError
from asnmerit.model import Criteria
from asnmerit.whatif import Partial, evaluate_partial

from .helpers import DATA, data_criteria, pelaksana, scheme
from .strategies import subjects, values

IP = scheme("ip-asn")
SINK = data_criteria("kitchen-sink.yaml")
AWARD = data_criteria("award.yaml")
JPT = scheme("jpt")
NSPK = scheme("nspk")
MERIT = scheme("sistem-merit")  # 2025: indices 0..1 without a step

# Which yes/no inputs each type of position reads (the kompetensi switch of the file).
BRANCH = {
    "struktural": {"diklat_kepemimpinan", "diklat_teknis_20jp", "seminar"},
    "fungsional": {"diklat_fungsional", "diklat_teknis_20jp", "seminar"},
    "pelaksana": {"diklat_teknis_20jp", "seminar"},
}
BOOLEANS = {"diklat_kepemimpinan", "diklat_fungsional", "diklat_teknis_20jp", "seminar"}
_SEEN: dict[tuple[tuple[str, Any], ...], Evaluation] = {}
QUICK = (Phase.explicit, Phase.reuse, Phase.generate)
"""No shrinking: every example runs a search, and a failure prints its draws anyway."""


def domain(criteria: Criteria, name: str) -> list[Any]:
    inp = criteria.inputs[name]
    return [True, False] if inp.type == "boolean" else list(inp.code_names)


def ip_result(record: Mapping[str, Any]) -> Evaluation:
    """The evaluation of a complete IP ASN record, scored once per distinct relevant part
    (the yes/no inputs of other types of position do not count)."""
    reads = BRANCH[record["jenis_jabatan"]]
    key = tuple((k, record[k]) for k in IP.inputs if k not in BOOLEANS or k in reads)
    if key not in _SEEN:
        _SEEN[key] = evaluate(IP, dict(key))
    return _SEEN[key]


def codes(criteria: Criteria, found: set[str]) -> list[str]:
    return [b.code for b in criteria.bands.table if b.code in found]


@settings(max_examples=30, deadline=None, phases=QUICK)
@given(subjects(IP, canonical=True), st.sets(st.sampled_from(list(IP.inputs)), max_size=5))
def test_ip_asn_partial_agrees_with_every_completion(
    subject: dict[str, Any], blank: set[str]
) -> None:
    known = {k: v for k, v in subject.items() if k not in blank}
    p = evaluate_partial(IP, known)
    names = sorted(blank)
    done = [
        (fill, ip_result({**known, **fill}))
        for fill in (
            dict(zip(names, vals, strict=True))
            for vals in itertools.product(*(domain(IP, n) for n in names))
        )
    ]
    scores = [ev.score for _, ev in done]
    reached = {ev.band.code for _, ev in done}
    assert (p.low, p.high) == (min(scores), max(scores))
    assert [b.code for b in p.bands] == codes(IP, reached)
    assert p.eligible is True  # IP ASN has no gates
    assert p.lowest.score == p.low and p.highest.score == p.high
    assert evaluate(IP, p.lowest.inputs).score == p.low
    assert evaluate(IP, p.highest.inputs).score == p.high
    # Missing: the blanked inputs some completion reads, in declaration order.
    jobs = [subject["jenis_jabatan"]] if "jenis_jabatan" not in blank else list(BRANCH)
    read = {n for n in blank if n not in BOOLEANS or any(n in BRANCH[j] for j in jobs)}
    assert p.missing == tuple(n for n in IP.inputs if n in read)
    assert p.complete is (not read)
    # Deciding: exactly the blanked inputs some value of which narrows the bands.
    narrowing = {
        n
        for n in blank
        if any({ev.band.code for f, ev in done if f[n] == v} != reached for v in domain(IP, n))
    }
    assert {d.input for d in p.deciding} == narrowing
    for d in p.deciding:
        assert [o.value for o in d.outcomes] == domain(IP, d.input)
        for o in d.outcomes:
            group = [ev for f, ev in done if f[d.input] == o.value]
            assert o.low == min(ev.score for ev in group)
            assert o.high == max(ev.score for ev in group)
            assert list(o.bands) == codes(IP, {ev.band.code for ev in group})


@pytest.mark.parametrize(
    ("criteria", "subject"),
    [
        (IP, pelaksana()),
        (
            SINK,
            {"golongan": "III", "nilai": 80, "jam": 60, "lulus": False, "tanggal": "2024-01-01"},
        ),
        (JPT, dict.fromkeys(JPT.inputs, "77.5")),
        (
            AWARD,
            {"tingkat": "kota", "jumlah_asn": 9000, "syarat": True, "a": 50, "b": 70, "c": 61},
        ),
    ],
    ids=["ip-asn", "kitchen-sink", "jpt", "award"],
)
def test_a_complete_record_has_one_score(criteria: Criteria, subject: dict[str, Any]) -> None:
    ev = evaluate(criteria, subject)
    p = evaluate_partial(criteria, subject)
    assert p.complete and p.missing == ()
    assert p.low == p.high == ev.score
    assert p.bands == (ev.band,) and p.band == ev.band
    assert p.eligible is ev.eligible
    assert p.deciding == ()
    assert len(p.completions) == 1
    assert p.lowest == p.highest == ev


@pytest.mark.parametrize("info", asnmerit.catalog(), ids=lambda s: f"{s.id}-{s.version}")
def test_every_bundled_example_record_is_complete(info: asnmerit.SchemeInfo) -> None:
    c = asnmerit.load(info.path)
    for ex in c.examples:
        if ex.inputs is None:
            continue
        ev = evaluate(c, ex.inputs, band_policy=ex.band_policy)
        p = evaluate_partial(c, ex.inputs, band_policy=ex.band_policy)
        assert p.complete and p.deciding == (), ex.id
        assert p.low == p.high == ev.score and p.bands == (ev.band,), ex.id


def _any(criteria: Criteria, name: str) -> st.SearchStrategy[Any]:
    """Valid values of one input, over its whole domain (numbers without a step to two
    places)."""
    inp = criteria.inputs[name]
    if inp.type == "number" and inp.step is None:
        return st.decimals(inp.min, inp.max, places=2)  # type: ignore[arg-type]
    return values(inp, canonical=True)


def _subject(criteria: Criteria, data: st.DataObject) -> dict[str, Any]:
    return {n: data.draw(_any(criteria, n)) for n in criteria.inputs}


def _fill(criteria: Criteria, names: set[str], data: st.DataObject) -> dict[str, Any]:
    """Random values for the blanked inputs without a default (a blank with a default is
    that default, not a missing value)."""
    return {
        n: data.draw(_any(criteria, n)) for n in sorted(names) if criteria.inputs[n].default is None
    }


def _check_random_completions(
    criteria: Criteria, known: dict[str, Any], blank: set[str], p: Partial, data: st.DataObject
) -> None:
    bands = [b.code for b in p.bands]
    for _ in range(4):
        ev = evaluate(criteria, {**known, **_fill(criteria, blank, data)})
        assert p.low <= ev.score <= p.high
        assert ev.band.code in bands
        if p.eligible is not None:
            assert ev.eligible is p.eligible
    for d in p.deciding:
        for o in d.outcomes:
            ev = evaluate(
                criteria, {**known, **_fill(criteria, blank - {d.input}, data), d.input: o.value}
            )
            assert o.low <= ev.score <= o.high
            assert ev.band.code in o.bands
            assert p.low <= o.low <= o.high <= p.high
            assert set(o.bands) <= set(bands)
        # a deciding input narrows the bands for at least one of its values
        assert any(list(o.bands) != bands for o in d.outcomes)
    for ev in (p.lowest, p.highest):
        assert evaluate(criteria, ev.inputs).score == ev.score
    assert (p.lowest.score, p.highest.score) == (p.low, p.high)


@pytest.mark.parametrize("scheme", ["kitchen-sink", "nspk", "merit"])
@settings(max_examples=15, deadline=None, phases=QUICK)
@given(data=st.data())
def test_random_completions_stay_within(scheme: str, data: st.DataObject) -> None:
    criteria = {"kitchen-sink": SINK, "nspk": NSPK, "merit": MERIT}[scheme]
    subject = _subject(criteria, data)
    blank = data.draw(st.sets(st.sampled_from(list(criteria.inputs)), max_size=6))
    known = {k: v for k, v in subject.items() if k not in blank}
    p = evaluate_partial(criteria, known)
    _check_random_completions(criteria, known, blank, p, data)
    if criteria is SINK:  # the only gate asks for lulus: decided exactly when it is known
        lulus = p.inputs.get("lulus")
        assert p.eligible is (None if lulus is None else lulus)


@settings(max_examples=25, deadline=None, phases=QUICK)
@given(st.data())
def test_jpt_random_completions_stay_within(data: st.DataObject) -> None:
    subject = data.draw(subjects(JPT, canonical=True))
    blank = data.draw(st.sets(st.sampled_from(list(JPT.inputs))))
    known = {k: v for k, v in subject.items() if k not in blank}
    p = evaluate_partial(JPT, known)
    _check_random_completions(JPT, known, blank, p, data)
    # every dimension adds with the same weight: the ends are the bounds, exactly
    assert p.low == evaluate(JPT, {**known, **dict.fromkeys(blank, 0)}).score
    assert p.high == evaluate(JPT, {**known, **dict.fromkeys(blank, 100)}).score
    assert p.missing == tuple(n for n in JPT.inputs if n in blank)
    for d in p.deciding:
        assert [o.value for o in d.outcomes] == [Decimal(0), Decimal(100)]


def test_ip_asn_pelaksana_missing_training_and_rating() -> None:
    p = evaluate_partial(IP, {"jenis_jabatan": "pelaksana", "pendidikan": "SLTA"})
    assert p.missing == ("diklat_teknis_20jp", "seminar", "predikat_kinerja", "hukuman_disiplin")
    # 5 + 0 + 1 + 1 .. 5 + 40 + 30 + 5
    assert (p.low, p.high) == (Decimal("7.0"), Decimal("80.0"))
    assert [b.code for b in p.bands] == ["sangat_rendah", "rendah", "sedang"]
    assert p.band is None
    decide = {d.input: {o.value: o for o in d.outcomes} for d in p.deciding}
    assert set(decide) == {"diklat_teknis_20jp", "seminar", "predikat_kinerja"}
    no_training = decide["diklat_teknis_20jp"][False]
    assert (no_training.low, no_training.high, no_training.bands) == (
        Decimal("7.0"),
        Decimal("57.5"),
        ("sangat_rendah",),
    )
    assert decide["predikat_kinerja"]["baik"].bands == ("sangat_rendah", "sedang")
    # a branch another type of position would take is never asked for
    assert "diklat_kepemimpinan" not in p.missing


def test_missing_type_of_position_asks_for_every_branch() -> None:
    record = pelaksana()
    del record["jenis_jabatan"]
    p = evaluate_partial(IP, record)
    assert p.missing == ("jenis_jabatan", "diklat_kepemimpinan", "diklat_fungsional")
    # pelaksana 75; struktural or fungsional: 5 + (15 or 0) + 15 + 10 + 25 + 5
    assert (p.low, p.high) == (Decimal("60.0"), Decimal("75.0"))
    assert [b.code for b in p.bands] == ["sangat_rendah", "sedang"]
    # no single training decides (another type of position still gives 75): the type does
    (d,) = p.deciding
    assert d.input == "jenis_jabatan"
    assert {o.value: o.bands for o in d.outcomes} == {
        "struktural": ("sangat_rendah", "sedang"),
        "fungsional": ("sangat_rendah", "sedang"),
        "pelaksana": ("sedang",),
    }


def test_award_gate_and_minimum_band_leave_eligibility_open() -> None:
    known = {"tingkat": "kota", "jumlah_asn": 100, "syarat": True, "a": 90, "b": 90}
    p = evaluate_partial(AWARD, known)
    assert p.missing == ("c",)
    # the mean drops the highest of a, b, c: (0 + 90) / 2 .. (90 + 90) / 2
    assert (p.low, p.high) == (Decimal("45.00"), Decimal("90.00"))
    assert p.eligible is None  # below the award's minimum band A when c is low
    (d,) = p.deciding
    assert d.input == "c"
    assert [(o.value, o.low, o.high, o.bands) for o in d.outcomes] == [
        (Decimal(0), Decimal("45.00"), Decimal("45.00"), ("D",)),
        (Decimal(100), Decimal("90.00"), Decimal("90.00"), ("A",)),
    ]
    failed = evaluate_partial(AWARD, {**known, "syarat": False})
    assert failed.eligible is False


def test_blank_with_a_default_is_the_default_not_missing() -> None:
    known = {"golongan": "I", "nilai": 0, "jam": 0, "lulus": True, "tanggal": "2026-01-01"}
    p = evaluate_partial(SINK, {**known, "unit": "  "})
    assert p.complete and p.inputs["unit"] == "pusat"
    assert p.low == p.high == evaluate(SINK, known).score == Decimal("1.00")


def test_a_falling_number_gives_its_ends_the_other_way() -> None:
    c = asnmerit.load(DATA / "falling.yaml")
    p = evaluate_partial(c, {})
    assert (p.low, p.high) == (Decimal(0), Decimal(15))
    assert p.lowest.inputs == {"k": False, "x": 10}
    assert p.highest.inputs == {"k": True, "x": 0}
    (d,) = p.deciding
    assert d.input == "x"
    assert {o.value: o.bands for o in d.outcomes} == {10: ("lo",), 0: ("hi",)}


def test_number_window_between_two_thresholds_off_the_step_grid() -> None:
    # x takes 0.25, 0.75, ...: the window 40 <= x <= 60 holds 40.25 .. 59.75.
    c = asnmerit.loads(
        _HEAD
        + """
inputs:
  x: {type: number, label: {id: X}, min: 0.25, max: 100.25, step: 0.5}
score:
  id: s
  label: {id: S}
  cases:
    when:
      - if: {all: [{input: x, ge: 40}, {input: x, le: 60}]}
        points: 10
    otherwise: 0
"""
        + _LO_HI
    )
    assert evaluate(c, {"x": "50.25"}).band.code == "hi"
    p = evaluate_partial(c, {})
    assert (p.low, p.high) == (Decimal(0), Decimal(10))
    assert [b.code for b in p.bands] == ["lo", "hi"]


def test_a_number_read_by_a_condition_and_a_direct_node_reaches_bands_between_its_tries() -> None:
    # nilai is tried at 0, 89.5, 90, 90.5 and 100 (its bounds and the threshold 90), but
    # between 0 (49.40, rendah) and 89.5 (103.10, tinggi) the score passes through sedang.
    known = {"golongan": "III", "lulus": True, "tanggal": "2020-01-01", "jam": 99}
    assert evaluate(SINK, {**known, "nilai": 1}).band.code == "sedang"
    p = evaluate_partial(SINK, known)
    assert [b.code for b in p.bands] == ["rendah", "sedang", "tinggi"]


def test_wrong_given_values_are_input_errors() -> None:
    with pytest.raises(InputError) as err:
        evaluate_partial(IP, {"pendidikan": "S9", "nomor": 1})
    assert {i.field for i in err.value.issues} == {"pendidikan", "nomor"}


def test_too_many_completions_or_a_bad_policy_raise() -> None:
    with pytest.raises(WhatIfError, match="more than 50 completions"):
        evaluate_partial(IP, {}, limit=50)
    with pytest.raises(ValueError, match="unknown band policy"):
        evaluate_partial(IP, pelaksana(), band_policy="nearest")  # type: ignore[arg-type]


def test_band_policy_applies_to_every_completion() -> None:
    # pelaksana, S3, 20 JP, Sangat Baik: 80.5 with light punishment, 82.5 without
    known = {
        "jenis_jabatan": "pelaksana",
        "pendidikan": "S3",
        "diklat_teknis_20jp": True,
        "seminar": False,
        "predikat_kinerja": "sangat_baik",
    }
    own = evaluate_partial(IP, {**known, "hukuman_disiplin": "ringan"})
    lower = evaluate_partial(
        IP, {**known, "hukuman_disiplin": "ringan"}, band_policy="lower_bounds"
    )
    assert own.bands[0].code == "tinggi" and lower.bands[0].code == "sedang"
    p = evaluate_partial(IP, known, band_policy="lower_bounds")
    assert (p.low, p.high) == (Decimal("78.5"), Decimal("82.5"))
    assert [b.code for b in p.bands] == ["sedang", "tinggi"]
    assert p.band_policy == "lower_bounds"


# -- output forms ---------------------------------------------------------------------


def test_to_dict_is_json_ready() -> None:
    p = evaluate_partial(SINK, {"golongan": "IV", "jam": 120, "lulus": True, "nip": "19800101"})
    out = p.to_dict()
    again = json.loads(json.dumps(out))
    assert again == out
    assert out["format"] == "asnmerit.partial/1"
    assert (out["scheme"], out["version"], out["digest"]) == ("kitchen-sink", "1", SINK.digest)
    assert out["identifiers"] == {"nip": "19800101"}
    assert out["inputs"] == {"golongan": "IV", "jam": "120", "lulus": True, "unit": "pusat"}
    assert out["missing"] == ["nilai", "tanggal"]
    assert out["score"] == {"low": str(p.low), "high": str(p.high)}
    assert out["bands"] == [b.code for b in p.bands]
    assert out["eligible"] is True
    assert out["completions"] == len(p.completions)
    dates = {o["value"] for d in out["deciding"] if d["input"] == "tanggal" for o in d["outcomes"]}
    assert all(isinstance(v, str) for v in dates)


def test_render_in_both_languages() -> None:
    p = evaluate_partial(IP, {"jenis_jabatan": "pelaksana", "pendidikan": "SLTA"})
    en = p.render("en")
    assert "Missing: diklat_teknis_20jp, seminar, predikat_kinerja, hukuman_disiplin" in en
    assert "Reachable score: 7.0 .. 80.0 / 100" in en
    assert "Bands still possible: Very low, Low, Moderate" in en
    assert "Eligible: yes" in en
    assert "    = false: 7.0 .. 57.5 (Very low)" in en
    text = p.render("id")
    assert text == str(p)
    assert "Belum diisi: diklat_teknis_20jp" in text
    assert "Kategori yang masih mungkin: Sangat Rendah, Rendah, Sedang" in text
    assert "Memenuhi syarat: ya" in text
    assert "Very low" not in text
    undecided = evaluate_partial(SINK, {"golongan": "I"})
    assert "Eligible: undecided" in undecided.render("en")


HOSTILE = """
spec: 1
id: hostile
version: "1"
title: {id: "<script>alert('id')</script>", en: "<script>alert('en')</script>"}
subject: employee
valid_from: 2020-01-01
inputs:
  x: {type: boolean, label: {id: "<img src=x onerror=alert(1)>"}}
  y: {type: boolean, label: {id: Y}}
score:
  id: s
  label: {id: "<b>S</b>"}
  sum:
    of:
      - {id: sx, label: {id: X}, lookup: {input: x, points: {true: 10, false: 0}}}
      - {id: sy, label: {id: Y}, lookup: {input: y, points: {true: 5, false: 0}}}
bands:
  policy: lower_bounds
  table:
    - {code: lo, label: {id: "<script>lo</script>"}, range: [null, 9]}
    - {code: hi, label: {id: "<script>hi</script>"}, range: [10, null]}
"""


def test_html_escapes_hostile_labels() -> None:
    c = asnmerit.loads(HOSTILE)
    p = evaluate_partial(c, {"y": True})
    assert [d.input for d in p.deciding] == ["x"]
    html = p._repr_html_()
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;alert(" in html
    assert "&lt;script&gt;lo&lt;/script&gt;" in html
    assert "<table>" in html  # the deciding values as a table


_HEAD = """
spec: 1
id: t
version: "1"
title: {id: Uji}
subject: employee
valid_from: 2020-01-01
"""
_LO_HI = """
bands:
  policy: lower_bounds
  table:
    - {code: lo, label: {id: Lo}, range: [null, 9]}
    - {code: hi, label: {id: Hi}, range: [10, null]}
"""
