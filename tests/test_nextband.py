"""The smallest sets of changes that lift a subject into a higher band.

Every option is re-scored with the evaluator; on IP ASN (all inputs discrete) the options
are compared with a brute-force search over every single and every pair of changes.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import Phase, given, settings

import asnmerit
from asnmerit import Evaluation, evaluate
from asnmerit.errors import WhatIfError
from asnmerit.model import Criteria
from asnmerit.whatif import Plan, next_band
from asnmerit.whatif.domains import shape

from .helpers import DATA, data_criteria, pelaksana, scheme
from .strategies import subjects

IP = scheme("ip-asn")
JPT = scheme("jpt")
AWARD = data_criteria("award.yaml")
SINK = data_criteria("kitchen-sink.yaml")
QUICK = (Phase.explicit, Phase.reuse, Phase.generate)
"""No shrinking: every example runs a search, and a failure prints its draws anyway."""


def rank_of(criteria: Criteria, code: str) -> int:
    return [b.code for b in criteria.bands.table].index(code)


def changed(ev: Evaluation, changes: dict[str, Any]) -> Evaluation:
    base = {k: v for k, v in ev.inputs.items() if k not in ev.derived}
    return evaluate(ev.criteria, {**base, **changes}, band_policy=ev.band_policy)


def reaches(ev: Evaluation, changes: dict[str, Any], goal: int) -> bool:
    try:
        after = changed(ev, changes)
    except asnmerit.InputError:  # another branch needs an input the record lacks
        return False
    return rank_of(ev.criteria, after.band.code) >= goal


def domain(criteria: Criteria, name: str) -> list[Any]:
    inp = criteria.inputs[name]
    return [True, False] if inp.type == "boolean" else list(inp.code_names)


def check_plan(plan: Plan, allow: frozenset[str] = frozenset()) -> None:
    """What holds for every plan: each option reaches, changes only what may change,
    contains no smaller option, and the options come smallest first."""
    ev, criteria = plan.evaluation, plan.evaluation.criteria
    assert plan.target is not None
    goal = rank_of(criteria, plan.target.code)
    sets = [frozenset(c.input for c in o.changes) for o in plan.options]
    for o, names in zip(plan.options, sets, strict=True):
        again = changed(ev, {c.input: c.after for c in o.changes})
        assert again.score == o.evaluation.score
        assert again.band == o.evaluation.band
        assert rank_of(criteria, again.band.code) >= goal
        assert o.gain == again.score - ev.score
        for c in o.changes:
            inp = criteria.inputs[c.input]
            assert inp.actionable or c.input in allow, c
            assert inp.derive is None
            assert c.before == ev.inputs.get(c.input)
            assert c.after != c.before
        assert len(names) == len(o.changes)
        assert not any(other < names for other in sets), "an option holds a smaller one"
    keys = [(len(o.changes), o.size) for o in plan.options]
    assert keys == sorted(keys)
    assert len(set(sets)) == len(sets)


@settings(max_examples=30, deadline=None, phases=QUICK)
@given(subjects(IP, canonical=True))
def test_ip_asn_options_agree_with_brute_force(subject: dict[str, Any]) -> None:
    ev = evaluate(IP, subject)
    plan = next_band(ev)
    if ev.band.code == "sangat_tinggi":
        assert plan.target is None and plan.options == ()
        return
    check_plan(plan)
    assert plan.exhaustive
    goal = rank_of(IP, ev.band.code) + 1
    assert plan.target == IP.bands.table[goal]
    movable = [n for n, i in IP.inputs.items() if i.actionable]
    alone = {
        n: [v for v in domain(IP, n) if v != ev.inputs[n] and reaches(ev, {n: v}, goal)]
        for n in movable
    }
    singles = {o.changes[0].input: o for o in plan.options if len(o.changes) == 1}
    assert set(singles) == {n for n, vs in alone.items() if vs}
    for name, option in singles.items():
        # the nearest code that reaches (an ordered enum), the highest score among equals
        (c,) = option.changes
        inp = IP.inputs[name]
        if inp.order is not None:
            nearest = min(abs(inp.rank(v) - inp.rank(c.before)) for v in alone[name])
            assert abs(inp.rank(c.after) - inp.rank(c.before)) == nearest
    pairs = {
        frozenset(o.changes[i].input for i in range(2)) for o in plan.options if len(o.changes) == 2
    }
    for a, b in itertools.combinations(movable, 2):
        if alone[a] or alone[b]:
            assert frozenset((a, b)) not in pairs
            continue
        found = any(
            reaches(ev, {a: x, b: y}, goal)
            for x in domain(IP, a)
            if x != ev.inputs[a]
            for y in domain(IP, b)
            if y != ev.inputs[b]
        )
        assert (frozenset((a, b)) in pairs) is found, (a, b)
    assert all(len(o.changes) <= 2 for o in plan.options)


@settings(max_examples=20, deadline=None, phases=QUICK)
@given(subjects(JPT, canonical=True))
def test_jpt_numbers_are_lowered_to_the_least_that_reaches(subject: dict[str, Any]) -> None:
    ev = evaluate(JPT, subject)
    plan = next_band(ev)
    if plan.target is None:
        return
    check_plan(plan)
    goal = rank_of(JPT, plan.target.code)
    step = Decimal("0.01")
    for o in plan.options:
        moves = {c.input: c.after for c in o.changes}
        for c in o.changes:
            assert c.after > c.before  # every dimension adds to the score
            assert not reaches(ev, {**moves, c.input: c.after - step}, goal), c
    # one dimension alone reaches exactly when raising it to 100 does
    alone = {n for n in JPT.inputs if ev.inputs[n] < 100 and reaches(ev, {n: 100}, goal)}
    assert {o.changes[0].input for o in plan.options if len(o.changes) == 1} == alone


def one_step_less(c: asnmerit.whatif.Change) -> Any:
    """The value one resolution step nearer to where the input was."""
    inp = SINK.inputs[c.input]
    if isinstance(c.after, dt.date):
        day = dt.timedelta(days=1)
        return c.after - day if c.after > c.before else c.after + day
    step = inp.step or Decimal(1)
    return c.after - step if c.after > c.before else c.after + step


@settings(max_examples=20, deadline=None, phases=QUICK)
@given(subjects(SINK, canonical=True))
def test_kitchen_sink_numbers_and_dates_move_no_further_than_needed(
    subject: dict[str, Any],
) -> None:
    ev = evaluate(SINK, subject)
    plan = next_band(ev)
    if plan.target is None:
        return
    check_plan(plan)
    goal = rank_of(SINK, plan.target.code)
    for o in plan.options:
        moves = {c.input: c.after for c in o.changes}
        for c in o.changes:
            if SINK.inputs[c.input].type in ("number", "integer", "date"):
                assert not reaches(ev, {**moves, c.input: one_step_less(c)}, goal), c


KITCHEN = {
    "golongan": "I",
    "nilai": 80,
    "jam": 0,
    "lulus": False,
    "tanggal": "2026-01-01",
    "unit": "pusat",
}  # a = 0.6 x 80 = 48, b = 0, c = 1: 49.00, Rendah; Sedang from 50


def test_numbers_a_condition_reads_are_lowered_too() -> None:
    ev = evaluate(SINK, KITCHEN)
    assert (ev.score, ev.band.code) == (Decimal("49.00"), "rendah")
    after = {o.changes[0].input: o.changes[0].after for o in next_band(ev).options}
    # nilai 82 gives 49.2 + 1 = 50.20 (81.5: 49.90); jam 4 gives 48 + 1.07 + 1 = 50.07
    assert evaluate(SINK, {**KITCHEN, "nilai": 82}).band.code == "sedang"
    assert evaluate(SINK, {**KITCHEN, "jam": 4}).band.code == "sedang"
    assert after["nilai"] == Decimal(82)
    assert after["jam"] == Decimal(4)


def test_a_date_moves_to_the_nearest_day_that_reaches() -> None:
    ev = evaluate(SINK, KITCHEN)
    after = {o.changes[0].input: o.changes[0].after for o in next_band(ev).options}
    # the third rule gives 5 points before 2025-01-01: the last day of 2024 is enough
    assert after["tanggal"] == dt.date(2024, 12, 31)


@pytest.mark.parametrize("info", asnmerit.catalog(), ids=lambda s: f"{s.id}-{s.version}")
def test_every_bundled_example_gets_a_sound_plan(info: asnmerit.SchemeInfo) -> None:
    c = asnmerit.load(info.path)
    for ex in c.examples:
        if ex.inputs is None:
            continue
        plan = next_band(evaluate(c, ex.inputs, band_policy=ex.band_policy))
        if plan.target is None:
            assert ex.expect.band in (None, c.bands.table[-1].code)
            assert plan.options == ()
        else:
            check_plan(plan)


def test_jpt_worked_example() -> None:
    ev = evaluate(
        JPT,
        {
            "nilai_persiapan": 70,
            "nilai_pelaksanaan": "75.5",
            "nilai_pelaporan": 80,
            "nilai_inovasi": 60,
            "nilai_pelanggaran_sistem_merit": 90,
        },
    )
    assert (ev.score, ev.band.code) == (Decimal("75.10"), "kurang")
    plan = next_band(ev)
    assert plan.target is not None and plan.target.code == "baik"
    # 0.2 x (375.5 + 24.48) = 79.996, rounded to 80.00; 24.47 more gives 79.99
    first = plan.options[0]
    assert [(c.input, c.before, c.after) for c in first.changes] == [
        ("nilai_persiapan", Decimal(70), Decimal("94.48"))
    ]
    assert first.evaluation.score == Decimal("80.00")
    assert first.gain == Decimal("4.90")
    assert first.size == Decimal("0.2448")
    singles = {o.changes[0].input for o in plan.options if len(o.changes) == 1}
    assert singles == {"nilai_persiapan", "nilai_pelaksanaan", "nilai_inovasi"}
    # reporting (80) and merit (90) cannot reach alone: together they can
    (pair,) = [o for o in plan.options if len(o.changes) == 2]
    assert {c.input for c in pair.changes} == {"nilai_pelaporan", "nilai_pelanggaran_sistem_merit"}
    far = next_band(ev, target="sangat_baik")
    assert far.options == () and far.exhaustive  # needs 74.475 more: no two dimensions give it
    three = next_band(ev, target="sangat_baik", max_changes=3)
    check_plan(three)
    assert three.options and all(len(o.changes) == 3 for o in three.options)


def test_non_actionable_inputs_change_only_when_allowed() -> None:
    # pelaksana, D3, 20 JP, no seminar, Baik, heavy punishment: 10 + 22.5 + 25 + 1 = 58.5
    ev = evaluate(IP, pelaksana(pendidikan="D3", seminar=False, hukuman_disiplin="berat"))
    assert (ev.score, ev.band.code) == (Decimal("58.5"), "sangat_rendah")
    assert not IP.inputs["hukuman_disiplin"].actionable
    assert not IP.inputs["jenis_jabatan"].actionable
    plan = next_band(ev)
    check_plan(plan)
    touched = {c.input for o in plan.options for c in o.changes}
    assert touched.isdisjoint({"hukuman_disiplin", "jenis_jabatan"})
    firsts = {o.changes[0].input: o.changes[0] for o in plan.options if len(o.changes) == 1}
    assert firsts["pendidikan"].after == "D4"  # D3 -> D4 (+5) is the nearest that reaches
    assert firsts["predikat_kinerja"].after == "sangat_baik"
    allowed = next_band(ev, allow=["hukuman_disiplin"])
    check_plan(allowed, frozenset({"hukuman_disiplin"}))
    punish = [o for o in allowed.options if o.changes[0].input == "hukuman_disiplin"]
    # heavy -> light (+2, 60.5) is nearer than never punished (+4)
    assert [(c.before, c.after) for c in punish[0].changes] == [("berat", "ringan")]
    assert punish[0].evaluation.score == Decimal("60.5")
    assert len(allowed.options) == len(plan.options) + 1


def test_band_policy_of_the_evaluation_is_kept() -> None:
    # 80.5 is Sedang under lower bounds (Tinggi under the file's upper bounds)
    record = pelaksana(pendidikan="S3", seminar=False, predikat_kinerja="sangat_baik")
    record["hukuman_disiplin"] = "ringan"
    ev = evaluate(IP, record, band_policy="lower_bounds")
    assert (ev.score, ev.band.code) == (Decimal("80.5"), "sedang")
    plan = next_band(ev)
    check_plan(plan)
    assert plan.target is not None and plan.target.code == "tinggi"
    assert [[(c.input, c.after) for c in o.changes] for o in plan.options] == [[("seminar", True)]]
    assert plan.options[0].evaluation.band_policy == "lower_bounds"


def test_a_falling_number_is_lowered_only_as_far_as_needed() -> None:
    c = asnmerit.load(DATA / "falling.yaml")
    assert shape(c).direction == {"x": -1}
    plan = next_band(evaluate(c, {"x": 8, "k": True}))  # 15 - 8 = 7
    check_plan(plan)
    assert [[(ch.input, ch.after) for ch in o.changes] for o in plan.options] == [[("x", 5)]]
    plan = next_band(evaluate(c, {"x": 8, "k": False}))  # 10 - 8: only x = 0 reaches
    assert [[(ch.input, ch.after) for ch in o.changes] for o in plan.options] == [[("x", 0)]]


def test_trimmed_mean_needs_two_raised() -> None:
    record = {"tingkat": "kota", "jumlah_asn": 5, "syarat": True, "a": 50, "b": 40, "c": 45}
    ev = evaluate(AWARD, record)
    assert (ev.score, ev.band.code) == (Decimal("42.50"), "D")  # (40 + 45) / 2
    plan = next_band(ev)
    check_plan(plan)
    assert all(len(o.changes) == 2 for o in plan.options)
    first = plan.options[0]
    # a stays 50: b and c must both reach 69.99 so that (50 + 69.99) / 2 = 59.995 -> 60.00
    assert {c.input: c.after for c in first.changes} == {
        "b": Decimal("69.99"),
        "c": Decimal("69.99"),
    }
    assert first.evaluation.score == Decimal("60.00")
    # group fields (not actionable, not scored) never change
    touched = {c.input for o in plan.options for c in o.changes}
    assert touched <= {"a", "b", "c"}


def test_top_band_has_no_target() -> None:
    ev = evaluate(
        IP,
        {
            "jenis_jabatan": "fungsional",
            "pendidikan": "S2",
            "diklat_fungsional": True,
            "diklat_teknis_20jp": True,
            "seminar": True,
            "predikat_kinerja": "sangat_baik",
            "hukuman_disiplin": "tidak_ada",
        },
    )
    assert ev.band.code == "sangat_tinggi"
    plan = next_band(ev)
    assert plan.target is None and plan.options == () and plan.exhaustive
    assert plan.render("en").endswith("(the top band)")
    assert plan.render("id").endswith("(kategori tertinggi)")
    assert plan.to_dict()["target"] is None
    with pytest.raises(WhatIfError, match="already at or above"):
        next_band(ev, target="sangat_tinggi")


def test_bad_arguments_are_what_if_errors() -> None:
    ev = evaluate(IP, pelaksana(seminar=False))
    with pytest.raises(WhatIfError, match="no band 'emas'"):
        next_band(ev, target="emas")
    with pytest.raises(WhatIfError, match="already at or above"):
        next_band(ev, target="sangat_rendah")
    with pytest.raises(WhatIfError, match="no input golongan"):
        next_band(ev, allow=["golongan"])


def test_an_unknown_allowed_input_is_refused_in_the_top_band_too() -> None:
    top = pelaksana(pendidikan="S3", predikat_kinerja="sangat_baik")  # 25 + 40 + 30 + 5
    ev = evaluate(IP, top)
    assert ev.band.code == "sangat_tinggi"
    with pytest.raises(WhatIfError, match="no input golongan"):
        next_band(ev, allow=["golongan"])


def test_limit_stops_the_search() -> None:
    ev = evaluate(IP, pelaksana(pendidikan="SD", seminar=False, diklat_teknis_20jp=False))
    full = next_band(ev, target="sedang")
    assert full.exhaustive
    cut = next_band(ev, target="sedang", limit=3)
    assert not cut.exhaustive
    assert len(cut.options) <= len(full.options)
    for o in cut.options:
        assert rank_of(IP, o.evaluation.band.code) >= rank_of(IP, "sedang")


# -- output forms ---------------------------------------------------------------------


def test_to_dict_render_and_rows() -> None:
    ev = evaluate(IP, pelaksana(diklat_teknis_20jp=False))  # 52.5
    plan = next_band(ev)
    out = plan.to_dict()
    assert json.loads(json.dumps(out)) == out
    assert out["format"] == "asnmerit.next-band/1"
    assert (out["scheme"], out["version"], out["digest"]) == ("ip-asn", "2019", IP.digest)
    assert (out["score"], out["band"], out["target"]) == ("52.5", "sangat_rendah", "rendah")
    assert out["exhaustive"] is True
    assert out["options"][0] == {
        "changes": [{"input": "pendidikan", "from": "SLTA", "to": "D4"}],
        "gain": "10.0",
        "score": "62.5",
        "band": "rendah",
        "size": out["options"][0]["size"],
    }
    assert Decimal(out["options"][0]["size"]) == plan.options[0].size
    assert {"input": "diklat_teknis_20jp", "from": False, "to": True} in [
        c for o in out["options"] for c in o["changes"]
    ]
    en = plan.render("en")
    assert en.splitlines()[0] == "ip-asn 2019: 52.5 Very low -> Low"
    assert "  pendidikan: SLTA -> D4: +10.0 -> 62.5 Low" in en
    assert "  diklat_teknis_20jp: false -> true: +22.5 -> 75.0 Moderate" in en
    assert plan.render("id").splitlines()[0] == "ip-asn 2019: 52.5 Sangat Rendah -> Rendah"
    assert str(plan) == plan.render("id")
    rows = plan.rows("en")
    assert rows[0] == {
        "changes": "pendidikan: SLTA -> D4",
        "gain": "+10.0",
        "score": "62.5",
        "band": "Low",
    }
    low = pelaksana(
        pendidikan="SD", seminar=False, diklat_teknis_20jp=False, predikat_kinerja="buruk"
    )
    none = next_band(evaluate(IP, low), target="sedang")  # 7: two changes give 53 at most
    assert none.options == ()
    assert "no set of changes tried reaches it" in none.render("en")
    assert "tidak ada perubahan yang cukup" in none.render("id")


def test_html_escapes_hostile_labels() -> None:
    c = asnmerit.loads(
        """
spec: 1
id: hostile
version: "1"
title: {id: "<script>alert(1)</script>"}
subject: employee
valid_from: 2020-01-01
inputs:
  x: {type: boolean, label: {id: "<img src=x onerror=alert(1)>"}}
score:
  id: s
  label: {id: "<b>S</b>"}
  lookup: {input: x, points: {true: 10, false: 0}}
bands:
  policy: lower_bounds
  table:
    - {code: lo, label: {id: "<script>lo</script>"}, range: [null, 9]}
    - {code: hi, label: {id: "<script>hi</script>"}, range: [10, null]}
"""
    )
    plan = next_band(evaluate(c, {"x": False}))
    assert [[(ch.input, ch.after) for ch in o.changes] for o in plan.options] == [[("x", True)]]
    html = plan._repr_html_()
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;hi&lt;/script&gt;" in html
