"""Loading: schema errors in the author's words, semantic checks, digests, all problems at once."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

import asnmerit
from asnmerit import CriteriaError
from asnmerit.spec.parse import parse_yaml
from asnmerit.spec.source import digest

from .helpers import DATA

BASE = """\
spec: 1
id: mini
version: "1"
title: {id: Mini}
subject: employee
valid_from: 2020-01-01
references:
  rule: {title: A rule}
inputs:
  level:
    type: enum
    label: {id: Level}
    values:
      low: {label: {id: Low}}
      high: {label: {id: High}}
  done:
    type: boolean
    label: {id: Done}
score:
  id: total
  label: {id: Total}
  max: 10
  basis: [{ref: rule}]
  sum:
    of:
      - id: by_level
        label: {id: By level}
        max: 6
        lookup: {input: level, points: {low: 1, high: 6}}
      - id: by_done
        label: {id: By done}
        max: 4
        lookup: {input: done, points: {true: 4, false: 0}}
bands:
  policy: lower_bounds
  table:
    - {code: b1, label: {id: One}, range: [null, 4]}
    - {code: b2, label: {id: Two}, range: [5, 10]}
"""


def problems(text: str) -> list[tuple[str, int | None, int | None]]:
    with pytest.raises(CriteriaError) as info:
        asnmerit.loads(text, "mini.yaml")
    return [(p.code, p.line, p.column) for p in info.value.problems]


def test_base_loads() -> None:
    c = asnmerit.loads(BASE, "mini.yaml")
    assert (c.score_min, c.score_max) == (1, 10)
    assert c.score.bounds == (1, 10)
    assert c.source == "mini.yaml"


def test_json_is_accepted_too() -> None:
    doc, _ = parse_yaml(BASE)
    assert doc is not None
    as_json = json.dumps(doc.data, default=str)
    assert asnmerit.loads(as_json, "mini.json").id == "mini"


def test_digest_ignores_formatting_but_not_content() -> None:
    doc, _ = parse_yaml(BASE)
    assert doc is not None
    reformatted = json.dumps(doc.data, default=lambda d: float(d), indent=4)
    assert asnmerit.loads(reformatted).digest == asnmerit.loads(BASE).digest
    changed = BASE.replace("high: 6}", "high: 6.0}")
    assert asnmerit.loads(changed).digest == asnmerit.loads(BASE).digest  # 6 == 6.0
    assert (
        asnmerit.loads(BASE.replace("title: {id: Mini}", "title: {id: Mini2}")).digest
        != asnmerit.loads(BASE).digest
    )
    assert digest({"a": 1}) == digest({"a": 1})


def test_problem_text_is_file_line_col_code_message() -> None:
    with pytest.raises(CriteriaError) as info:
        asnmerit.loads(BASE.replace("subject: employee", "subject: person"), "mini.yaml")
    (p,) = info.value.problems
    assert (
        str(p)
        == 'mini.yaml:5:10 schema.enum expected one of "employee", "agency", got a text (\'person\')'
    )
    assert p.path == "subject"
    assert "1 problem in criteria" in str(info.value)
    assert info.value.codes == ("schema.enum",)


def test_every_schema_problem_is_reported_at_once() -> None:
    text = (
        BASE.replace("subject: employee", "subject: employee\nsubjekt: x")
        .replace('version: "1"', "version: [1]")
        .replace("    type: boolean", "    type: bool")
    )
    assert problems(text) == [
        ("schema.type", 3, 10),
        ("schema.unknown-key", 6, 1),
        ("schema.enum", 18, 11),
    ]


def test_unknown_key_lists_allowed_keys() -> None:
    with pytest.raises(CriteriaError) as info:
        asnmerit.loads(BASE.replace("  label: {id: Total}", "  label: {id: Total}\n  maks: 10"))
    (p,) = info.value.problems
    assert p.code == "schema.unknown-key" and "'maks'" in p.message
    assert "allowed here: id, label, description, max" in p.message


def test_missing_required_and_wrong_pattern() -> None:
    assert problems(BASE.replace("title: {id: Mini}\n", "")) == [("schema.required", 1, 1)]
    assert problems(BASE.replace("id: mini", "id: Mini Scheme")) == [("schema.pattern", 2, 5)]
    found = problems(BASE.replace("  done:\n", "  Done:\n").replace("input: done", "input: Done"))
    assert found == [("schema.pattern", 16, 3), ("schema.pattern", 33, 25)]


def test_points_form_errors_point_inside_the_mapping() -> None:
    text = BASE.replace(
        "points: {low: 1, high: 6}", "points: {low: 1, high: {points: 6, confidense: high}}"
    )
    assert problems(text) == [("schema.unknown-key", 29, 67)]
    text = BASE.replace("points: {low: 1, high: 6}", "points: {low: 1, high: six}")
    (code, line, _col), *_ = problems(text)
    assert (code, line) == ("schema.form", 29)


@pytest.mark.parametrize(
    ("old", "new", "code"),
    [
        ("max: 6\n", "max: 7\n", "node.max-mismatch"),
        ("high: 6}", "high: 6, mid: 3}", "node.unknown-code"),
        ("{low: 1, high: 6}", "{low: 1}", "lookup.incomplete"),
        ("input: level", "input: levels", "node.unknown-input"),
        ("id: by_done", "id: by_level", "node.duplicate-id"),
        ("[{ref: rule}]", "[{ref: rules}]", "reference.unknown"),
        ("range: [5, 10]", "range: [6, 10]", "bands.gap"),
        ("range: [5, 10]", "range: [4, 10]", "bands.overlap"),
        ("range: [null, 4]", "range: [2, 4]", "bands.coverage"),
        ("code: b2", "code: b1", "bands.duplicate-code"),
        ("valid_from: 2020-01-01", "valid_from: 2020-01-01\nvalid_to: 2019-12-31", "header.dates"),
        ("valid_from: 2020-01-01", "valid_from: 2020-13-01", "value.date"),
        (
            "    label: {id: Done}",
            "    label: {id: Done}\n    values: {a: {label: {id: A}}}",
            "input.misplaced",
        ),
    ],
)
def test_semantic_checks(old: str, new: str, code: str) -> None:
    assert old in BASE
    assert code in [c for c, _, _ in problems(BASE.replace(old, new))]


def test_semantic_problems_are_all_reported_and_positioned() -> None:
    text = (
        BASE.replace("max: 6\n", "max: 7\n")
        .replace("[{ref: rule}]", "[{ref: rules}]")
        .replace("range: [5, 10]", "range: [6, 10]")
    )
    assert problems(text) == [
        ("reference.unknown", 23, 17),
        ("node.max-mismatch", 28, 14),
        ("bands.gap", 38, 43),
    ]


def test_bands_must_reach_both_ends_under_every_policy() -> None:
    # A caller may override the file's policy, so every policy must classify every score.
    for policy in ("lower_bounds", "upper_bounds", "round_then_classify"):
        text = BASE.replace("policy: lower_bounds", f"policy: {policy}")
        assert [c for c, _, _ in problems(text.replace("[5, 10]", "[5, 9]"))] == ["bands.coverage"]
        assert [c for c, _, _ in problems(text.replace("[null, 4]", "[2, 4]"))] == [
            "bands.coverage"
        ]
        assert asnmerit.loads(text.replace("[5, 10]", "[5, null]")).score_max == 10


def test_band_bounds_sit_on_the_step() -> None:
    text = BASE.replace("[null, 4]", "[null, 4.5]").replace("[5, 10]", "[5.5, 10]")
    assert [c for c, _, _ in problems(text)] == ["bands.step", "bands.step"]
    halves = text.replace("policy: lower_bounds", "policy: lower_bounds\n  step: 0.5").replace(
        "[5.5, 10]", "[5, 10]"
    )
    assert asnmerit.loads(halves).bands.step == Decimal("0.5")


WEIGHTED = (
    BASE.replace(
        """  sum:
    of:""",
        """  weighted:
    normalize: true
    scale: 10
    of:""",
    )
    .replace("        max: 6\n", "        max: 6\n        weight: 0.5\n")
    .replace("        max: 4\n", "        max: 4\n        weight: 0.5\n")
)


def test_weighted_checks() -> None:
    c = asnmerit.loads(WEIGHTED)
    assert c.score_max == 10
    assert round(c.score_min, 12) == Decimal("0.833333333333")  # 10 x 0.5 x 1/6
    assert "weighted.weights-sum" in [
        p[0] for p in problems(WEIGHTED.replace("weight: 0.5\n", "weight: 0.6\n", 1))
    ]
    assert "weighted.weight" in [
        p[0] for p in problems(WEIGHTED.replace("        weight: 0.5\n", "", 1))
    ]
    assert "weighted.weight" in [
        p[0] for p in problems(WEIGHTED.replace("weight: 0.5\n", "weight: 0\n", 1))
    ]
    assert "node.weight-unused" in [
        p[0]
        for p in problems(BASE.replace("        max: 4\n", "        max: 4\n        weight: 1\n"))
    ]


CONDITIONS = BASE.replace(
    "        lookup: {input: done, points: {true: 4, false: 0}}",
    """        cases:
          when:
            - if: {input: done, is: true}
              points: 4
          otherwise: 0""",
)


def test_condition_checks() -> None:
    assert asnmerit.loads(CONDITIONS).score_max == 10

    def codes(cond: str) -> list[str]:
        return [c for c, _, _ in problems(CONDITIONS.replace("{input: done, is: true}", cond))]

    assert codes("{input: level, gt: low}") == ["condition.unordered"]
    assert codes("{input: level, is: mid}") == ["condition.unknown-code"]
    assert codes("{input: done, is: 1}") == ["condition.type"]
    assert codes("{input: nope, is: true}") == ["node.unknown-input"]
    assert codes("{input: done}") == ["condition.form"]
    assert codes("{all: [{input: done, is: true}], any: [{input: done, is: true}]}") == [
        "condition.form"
    ]
    assert codes("{not: {input: done, is: true}, input: done}") == ["condition.form"]
    assert codes("{}") == ["schema.range"]


def test_examples_are_checked_against_the_scheme() -> None:
    example = """
examples:
  - id: e1
    provenance: derived
    inputs: {level: low, done: true, extra: 1}
    expect: {score: 5, band: b3, components: {nowhere: 1}}
  - id: e1
    provenance: derived
    inputs: {level: medium}
    expect: {score: 5}
  - id: e3
    provenance: published
    score: 5
    expect: {eligible: true}
"""
    found = [c for c, _, _ in problems(BASE + example)]
    assert found == [
        "example.unknown-input",
        "example.unknown-band",
        "example.unknown-component",
        "example.duplicate-id",
        "example.bad-input",
        "example.form",
    ]


def test_file_problems(tmp_path: Path) -> None:
    with pytest.raises(CriteriaError) as info:
        asnmerit.load(tmp_path / "absent.yaml")
    assert info.value.codes == ("file.unreadable",)
    big = tmp_path / "big.yaml"
    big.write_text("a: " + "x" * (3 * 1024 * 1024))
    with pytest.raises(CriteriaError) as info:
        asnmerit.load(big)
    assert info.value.codes == ("yaml.too-large",)


def test_top_level_must_be_a_mapping() -> None:
    assert problems("- 1\n- 2\n") == [("schema.type", 1, 1)]


def test_kitchen_sink_loads() -> None:
    c = asnmerit.load(DATA / "kitchen-sink.yaml")
    assert (c.score_min, c.score_max) == (0, 125)
    assert c.node("a2").bounds == (0, 75)


def test_inputs_are_actionable_unless_declared_otherwise() -> None:
    c = asnmerit.loads(
        BASE.replace("    label: {id: Level}\n", "    label: {id: Level}\n    actionable: false\n")
    )
    assert not c.inputs["level"].actionable
    assert c.inputs["done"].actionable
    bad = BASE.replace("    label: {id: Level}\n", "    label: {id: Level}\n    actionable: no\n")
    assert problems(bad) == [("schema.type", 13, 17)]  # the line of "actionable: no"
    ip = asnmerit.get("ip-asn")
    assert [n for n, i in ip.inputs.items() if not i.actionable] == [
        "jenis_jabatan",
        "hukuman_disiplin",
    ]


def test_criteria_keep_their_checked_document() -> None:
    c = asnmerit.loads(BASE, "mini.yaml")
    assert c.document is not None and c.document.data["id"] == "mini"
    assert c.document.source == "mini.yaml"
