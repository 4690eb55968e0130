"""The language of awards: mean and ref nodes, derived inputs, award groups, categories,
stages and tie breakers, ranking examples; each mistake rejected with its code and place."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

import asnmerit
from asnmerit import CriteriaError
from asnmerit.analysis.examples import run_examples
from asnmerit.model import Criteria

from .helpers import DATA, pelaksana

HEAD = """\
spec: 1
id: lang
version: "1"
title: {id: Uji}
subject: employee
valid_from: 2024-01-01
"""

JURY = """
inputs:
  j1: {type: number, label: {id: J1}, min: 0, max: 100}
  j2: {type: number, label: {id: J2}, min: 0, max: 100}
  j3: {type: number, label: {id: J3}, min: 0, max: 100}
  j4: {type: number, label: {id: J4}, min: 0, max: 100}
bands:
  policy: lower_bounds
  step: 0.01
  table:
    - {code: all, label: {id: Semua}, range: [null, null]}
"""


def scheme(body: str) -> Criteria:
    return asnmerit.loads(HEAD + body, "lang.yaml")


def problems(body: str) -> list[str]:
    """``CODE line:col`` of each problem found."""
    with pytest.raises(CriteriaError) as info:
        scheme(body)
    return [f"{p.code} {p.line}:{p.column}" for p in info.value.problems]


def jury(drop: str = "{highest: 1, lowest: 1}", rounding: str = "rounding: {places: 2}") -> str:
    return (
        JURY
        + f"""
score:
  id: nilai
  label: {{id: Nilai}}
  {rounding}
  mean:
    drop: {drop}
    of:
      - {{id: n1, label: {{id: J1}}, direct: {{input: j1}}}}
      - {{id: n2, label: {{id: J2}}, direct: {{input: j2}}}}
      - {{id: n3, label: {{id: J3}}, direct: {{input: j3}}}}
      - {{id: n4, label: {{id: J4}}, direct: {{input: j4}}}}
"""
    )


def test_a_trimmed_mean_drops_the_extremes_and_rounds_once() -> None:
    c = scheme(jury())
    ev = asnmerit.evaluate(c, {"j1": 70, "j2": 85, "j3": 90, "j4": 40})
    assert ev.score == Decimal("77.50")  # (70 + 85) / 2, without 90 and 40
    assert ev.components.rule == "mean of 2, without n4, n3"
    plain = scheme(jury(drop="{highest: 0}"))
    third = asnmerit.evaluate(plain, {"j1": 1, "j2": 0, "j3": 0, "j4": 0.335})
    assert third.score == Decimal("0.33")  # 1.335 / 4 = 0.33375, rounded once


def test_a_mean_needs_a_rounding_and_something_left_to_average() -> None:
    assert problems(jury(rounding="")) == ["mean.rounding 20:3"]
    assert problems(jury(drop="{highest: 2, lowest: 2}")) == ["mean.drop 24:11"]


ONE_CATEGORY = """\
award:
  id: a
  label: {id: A}
  categories:
    - id: satu
      label: {id: Satu}
      score: {id: satu_ref, label: {id: Satu}, ref: n1}
"""


def test_ref_draws_on_the_tree_from_a_category_only() -> None:
    body = jury() + "\n" + ONE_CATEGORY
    c = scheme(body)
    ev = asnmerit.evaluate(c, {"j1": 70, "j2": 85, "j3": 90, "j4": 40})
    satu = ev.categories["satu"]
    assert satu is not None and satu.points == Decimal(70) and satu.rule == "= n1"
    assert ev.component("satu_ref") is satu
    assert ev.to_dict()["categories"]["satu"]["points"] == "70"
    wrong = body.replace("ref: n1", "ref: n9")
    assert problems(wrong) == ["ref.unknown-node 37:53"]
    inside = jury().replace("direct: {input: j4}", "ref: n1")
    assert problems(inside)[0].startswith("ref.scope")


DERIVED = """
inputs:
  masa_kerja: {type: integer, label: {id: Masa kerja}, min: 0, max: 50}
  golongan:
    type: enum
    label: {id: Golongan}
    order: low_to_high
    values:
      muda: {label: {id: Muda}}
      senior: {label: {id: Senior}}
    derive:
      when:
        - {if: {input: masa_kerja, ge: 10}, value: senior}
      otherwise: muda
      confidence: assumption
      note: A rule of thumb.
score:
  id: nilai
  label: {id: Nilai}
  lookup: {input: golongan, points: {muda: 1, senior: 2}}
bands:
  policy: lower_bounds
  table:
    - {code: all, label: {id: Semua}, range: [null, null]}
"""


def test_a_left_out_input_is_derived_and_says_so() -> None:
    c = scheme(DERIVED)
    ev = asnmerit.evaluate(c, {"masa_kerja": 12})
    assert ev.score == 2 and ev.derived == ("golongan",) and ev.inputs["golongan"] == "senior"
    assert [w.path for w in ev.warnings] == ["inputs.golongan.derive"]
    assert "masa_kerja >= 12" not in ev.warnings[0].message
    assert "golongan = senior (masa_kerja >= 10)" in ev.warnings[0].message
    given = asnmerit.evaluate(c, {"golongan": "muda", "masa_kerja": 30})
    assert given.score == 1 and given.derived == ()  # the record's own value wins
    with pytest.raises(asnmerit.InputError, match="masa_kerja"):
        asnmerit.evaluate(c, {})  # nothing to derive it from
    assert "golongan" not in c.input_schema().get("required", [])


def test_derivation_mistakes_are_reported() -> None:
    bad_value = DERIVED.replace("value: senior", "value: sepuh")
    assert problems(bad_value) == ["derive.value 19:52"]
    cycle = DERIVED.replace(
        "masa_kerja: {type: integer, label: {id: Masa kerja}, min: 0, max: 50}",
        "masa_kerja:\n    type: integer\n    label: {id: Masa kerja}\n    min: 0\n    max: 50\n"
        "    derive: {when: [{if: {input: golongan, is: senior}, value: 10}]}",
    )
    assert [p.split()[0] for p in problems(cycle)] == ["derive.cycle"]  # once per cycle


AWARD = """
identifiers:
  nama: {label: {id: Nama}}
award:
  id: a
  label: {id: A}
  group_by: [nama, tidak_ada]
  tie_breakers: [{by: nama}]
  categories:
    - id: satu
      label: {id: Satu}
      score: {id: satu_ref, label: {id: Satu}, ref: n1}
    - id: satu
      label: {id: Satu lagi}
      score: {id: satu_lagi, label: {id: Satu}, ref: n2}
  stages:
    - {id: t1, label: {id: T1}, by: dua}
"""


def test_award_mistakes_are_each_reported() -> None:
    found = problems(jury() + AWARD)
    assert [p.split()[0] for p in found] == [
        "award.unknown-field",
        "award.unknown-tie-breaker",
        "category.duplicate-id",
        "stage.unknown-category",
    ]


EXAMPLES = (
    ONE_CATEGORY
    + """examples:
  - id: e1
    provenance: derived
    category: dua
    common: {j2: 1, j3: 1, j4: 1}
    subjects:
      x: {j1: 5}
      y: {j1: 7, j9: 1}
    expect:
      ranks: {x: 2, z: 1}
      reached: {x: t9}
  - id: e2
    provenance: derived
    inputs: {j1: 1, j2: 1, j3: 1, j4: 1}
    expect: {ranks: {x: 1}}
"""
)


def test_ranking_example_mistakes_are_reported() -> None:
    found = [p.split()[0] for p in problems(jury() + EXAMPLES)]
    assert found == [
        "example.unknown-category",
        "example.unknown-input",
        "example.unknown-subject",
        "example.unknown-stage",
        "example.form",
    ]


def test_ranking_examples_pass_and_fail_honestly(tmp_path: Path) -> None:
    c = asnmerit.load(DATA / "award.yaml")
    assert all(r.passed for r in run_examples(c))
    text = (DATA / "award.yaml").read_text(encoding="utf-8")
    wrong = text.replace("ranks: {x: 1, y: 1, z: 3", "ranks: {x: 1, y: 2, z: 3").replace(
        "reached: {p1: pertama", "reached: {p1: kedua"
    )
    path = tmp_path / "award.yaml"
    path.write_text(wrong, encoding="utf-8")
    results = run_examples(asnmerit.load(path))
    assert [r.failures for r in results] == [
        ("rank of y: expected 2, got 1",),
        ("p1 reached: expected kedua, got pertama",),
    ]


def test_replace_reaches_into_a_category(tmp_path: Path) -> None:
    (tmp_path / "base.yaml").write_text((DATA / "award.yaml").read_text(encoding="utf-8"))
    (tmp_path / "mine.yaml").write_text(
        """\
spec: 1
extends: {path: base.yaml}
version: "1-mine"
replace:
  ab_mean: {id: ab_only_a, label: {id: A saja}, ref: ea}
"""
    )
    c = asnmerit.load(tmp_path / "mine.yaml")
    assert c.award is not None and c.award.category("ab").score.id == "ab_only_a"


def test_gaps_are_percentages_of_each_maximum() -> None:
    c = asnmerit.load(DATA / "award.yaml")
    record = {"tingkat": "kota", "jumlah_asn": 1, "syarat": True, "a": 90, "b": 85.555, "c": 0}
    ev = asnmerit.evaluate(c, record)
    assert ev.gaps() == {"ea": Decimal("10.00"), "eb": Decimal("14.45"), "ec": Decimal("100.00")}
    assert ev.gaps(places=0)["eb"] == Decimal(14)  # 14.445 % rounded half up, once


def test_a_default_and_a_derivation_cannot_meet() -> None:
    both = DERIVED.replace("    derive:\n", "    default: muda\n    derive:\n")
    assert [p.split()[0] for p in problems(both)] == ["derive.default"]


def test_a_ref_into_a_branch_not_taken_leaves_the_category_unassessed(tmp_path: Path) -> None:
    (tmp_path / "mine.yaml").write_text(
        """\
spec: 1
extends: {scheme: ip-asn, version: "2019"}
version: "2019-ref"
award:
  id: a
  label: {id: A}
  categories:
    - id: struktural
      label: {id: Struktural, en: Structural}
      score: {id: struktural_ref, label: {id: Struktural}, ref: kompetensi_struktural}
""",
        encoding="utf-8",
    )
    c = asnmerit.load(tmp_path / "mine.yaml")
    ev = asnmerit.evaluate(c, pelaksana())
    assert ev.categories == {"struktural": None}
    ranking = asnmerit.rank([ev], "struktural")
    assert ranking.groups[0].excluded[0].reasons[0].get("en") == "not assessed in Structural"
    by_node = asnmerit.rank(
        [asnmerit.evaluate(asnmerit.get("ip-asn"), pelaksana())], "kompetensi_struktural"
    )
    assert by_node.groups[0].placings == ()
    assert by_node.groups[0].excluded[0].reasons[0].get("en").startswith("not scored on ")


SIDE = (
    JURY.replace(
        "bands:",
        """  lvl:
    type: enum
    label: {id: Lvl}
    values: {hi: {label: {id: Hi}}, lo: {label: {id: Lo}}}
    derive:
      when: [{if: {input: src, ge: 50}, value: hi}]
      otherwise: lo
  src: {type: number, label: {id: Src}, min: 0, max: 100}
bands:""",
    )
    + """
rounding: {places: 1}
score:
  id: total
  label: {id: Total}
  rounding: {places: 2}
  mean: {of: [{id: n1, label: {id: J1}, direct: {input: j1}}, {id: n2, label: {id: J2}, direct: {input: j2}}]}
award:
  id: a
  label: {id: A}
  categories:
    - {id: k1, label: {id: K1}, score: {id: k1_s, label: {id: K1}, lookup: {input: lvl, points: {hi: 9, lo: 5}}}}
    - {id: k2, label: {id: K2}, score: {id: k2_s, label: {id: K2}, lookup: {input: lvl, points: {hi: 9, lo: 5}}}}
    - {id: whole, label: {id: Whole}, score: {id: whole_ref, label: {id: Whole}, ref: total}}
"""
)


def test_an_unassessed_category_leaves_no_trace_and_a_ref_to_the_root_is_rounded() -> None:
    unjudged = "  j3: {type: number, label: {id: J3}, min: 0, max: 100}\n"
    c = scheme(SIDE.replace(unjudged, "").replace(unjudged.replace("3", "4"), ""))
    ev = asnmerit.evaluate(c, {"j1": 80, "j2": 80.1})
    assert ev.categories["k1"] is None and ev.categories["k2"] is None  # no src: not assessed
    assert "lvl" not in ev.inputs and ev.derived == ()
    assert ev.score == Decimal("80.1")
    whole = ev.categories["whole"]
    assert whole is not None and whole.points == ev.score  # the rounded total, not 80.05
    scored = asnmerit.evaluate(c, {"j1": 80, "j2": 80.1, "src": 60})
    assert [scored.categories[k].points for k in ("k1", "k2")] == [9, 9]  # type: ignore[union-attr]


def test_a_category_cannot_share_a_node_id() -> None:
    body = jury() + "\n" + ONE_CATEGORY.replace("- id: satu", "- id: n2")
    assert [p.split()[0] for p in problems(body)] == ["category.node-id"]
