"""Edge cases found in review: exactness, bounds, odd codes, odd files. Each was a bug once."""

from __future__ import annotations

import datetime as dt
import decimal
import json
import os
import stat
from decimal import Decimal
from pathlib import Path

import attrs
import pytest

import asnmerit
from asnmerit import CriteriaError, InputError
from asnmerit.analysis.examples import run_examples
from asnmerit.cli import main
from asnmerit.engine.batch import evaluate_records
from asnmerit.errors import RecordsError
from asnmerit.files.atomic import write_atomic
from asnmerit.files.records import read_records
from asnmerit.model import Band, Criteria

from .helpers import pelaksana

HEAD = """\
spec: 1
id: edge
version: "1"
title: {id: Edge}
subject: employee
valid_from: 2020-01-01
"""


def scheme(body: str) -> Criteria:
    return asnmerit.loads(HEAD + body, "edge.yaml")


def codes(body: str) -> list[str]:
    with pytest.raises(CriteriaError) as info:
        scheme(body)
    return list(info.value.codes)


TWO_BANDS = """
bands:
  policy: upper_bounds
  table:
    - {code: low, label: {id: Low}, range: [null, 50]}
    - {code: high, label: {id: High}, range: [51, null]}
"""


def test_normalized_weights_are_exact() -> None:
    c = scheme(
        """
inputs:
  p: {type: integer, label: {id: P}, min: 0, max: 12}
  q: {type: integer, label: {id: Q}, min: 0, max: 12}
score:
  id: total
  label: {id: Total}
  weighted:
    normalize: true
    scale: 100
    of:
      - {id: a, label: {id: A}, weight: 0.5, direct: {input: p}}
      - {id: b, label: {id: B}, weight: 0.5, direct: {input: q}}
"""
        + TWO_BANDS
    )
    for p, q in ((1, 11), (6, 6), (5, 7)):
        ev = asnmerit.evaluate(c, {"p": p, "q": q})
        assert ev.score == 50 and ev.band.code == "low"
    third = asnmerit.evaluate(c, {"p": 4, "q": 0}).score  # 100 x 0.5 x 4/12 = 16.666...
    assert str(third) == "16.66666666666666666666666666666667"


STAGED = """
inputs:
  x: {type: boolean, label: {id: X}}
rounding: {places: 0, mode: half_up, stage: nodes}
score:
  id: total
  label: {id: Total}
  sum:
    of:
      - {id: a, label: {id: A}, lookup: {input: x, points: {true: 2.5, false: 0}}}
      - {id: b, label: {id: B}, lookup: {input: x, points: {true: 2.5, false: 0}}}
bands:
  policy: lower_bounds
  table:
    - {code: low, label: {id: Low}, range: [null, 2]}
    - {code: high, label: {id: High}, range: [3, null]}
"""


def test_node_stage_rounding_is_part_of_the_bounds() -> None:
    c = scheme(STAGED)
    assert c.score_max == 6 and c.node("a").bounds == (0, 3)
    ev = asnmerit.evaluate(c, {"x": True})
    assert ev.score == 6 and ev.component("a").points == 3 and ev.component("a").max == 3


def test_a_batch_keeps_a_row_the_engine_cannot_score(ip: Criteria) -> None:
    # Criteria built by hand (not through the loader) whose bands miss part of the range.
    broken = attrs.evolve(
        ip, bands=attrs.evolve(ip.bands, table=ip.bands.table[1:], policy="lower_bounds")
    )
    rows = evaluate_records(broken, [pelaksana(), pelaksana(pendidikan="SD", seminar=False)])
    assert [r.ok for r in rows] == [True, False]
    assert "no band" in str(rows[1].error)


def test_unknown_band_policy_is_a_programming_error(ip: Criteria) -> None:
    with pytest.raises(ValueError, match="unknown band policy"):
        asnmerit.evaluate(ip, pelaksana(), band_policy="middle")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1e40", "a number (digits with an optional decimal point)"),
        ("8_0", "a number (digits with an optional decimal point)"),
        ("\u0668\u0660", "a number (digits with an optional decimal point)"),
        ("1,000.5", "a number (digits with an optional decimal point)"),
        (Decimal("1E+1000"), "a number below 10^15 in size"),
        (10**5000, "a number below 10^15 in size"),
        (1e300, "a number below 10^15 in size"),
        ("60.0000000000000000000000000000000001", "a number of at most 30 significant digits"),
        ("0.0000000000000001", "a number with at most 15 decimal places"),
    ],
    ids=lambda v: repr(v)[:30] if not isinstance(v, int) else "huge-int",
)
def test_numbers_out_of_bounds_are_input_errors(
    sink: Criteria, value: object, expected: str
) -> None:
    record = {"golongan": "I", "nilai": value, "jam": 0, "lulus": True, "tanggal": "2024-01-01"}
    with pytest.raises(InputError) as info:
        asnmerit.evaluate(sink, record)
    assert [(i.field, i.expected) for i in info.value.issues] == [("nilai", expected)]
    assert len(str(info.value)) < 300


def test_negative_zero_is_zero(sink: Criteria) -> None:
    ev = asnmerit.evaluate(
        sink, {"golongan": "I", "nilai": "-0", "jam": 0, "lulus": True, "tanggal": "2024-01-01"}
    )
    assert str(ev.component("a1").points) == "0"


@pytest.mark.parametrize("text", ["20240101", "2024-W01-1", "2024-1-1"])
def test_dates_are_yyyy_mm_dd_only(sink: Criteria, text: str) -> None:
    with pytest.raises(InputError, match="a date YYYY-MM-DD"):
        asnmerit.evaluate(
            sink, {"golongan": "I", "nilai": 1, "jam": 0, "lulus": True, "tanggal": text}
        )


def test_enum_text_is_stripped(sink: Criteria) -> None:
    ev = asnmerit.evaluate(
        sink, {"golongan": " III ", "nilai": 1, "jam": 0, "lulus": True, "tanggal": "2024-01-01"}
    )
    assert ev.inputs["golongan"] == "III"


def test_not_a_mapping_gives_one_issue(ip: Criteria) -> None:
    with pytest.raises(InputError) as info:
        asnmerit.evaluate(ip, "S1")  # type: ignore[arg-type]
    assert len(info.value.issues) == 1


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("points: {true: 1e5000, false: 0}", "value.number"),
        ("points: {true: 10000000000000000000000000, false: 0}", "value.number"),
        ("points: {true: 1" + "0" * 5000 + ", false: 0}", "value.number"),
    ],
)
def test_absurd_numbers_in_criteria_are_refused(body: str, code: str) -> None:
    text = STAGED.replace("points: {true: 2.5, false: 0}", body, 1)
    assert codes(text)[0] == code


def test_digest_does_not_depend_on_the_callers_context() -> None:
    text = STAGED.replace("true: 2.5", "true: 1.2345", 1)
    expected = scheme(text).digest
    with decimal.localcontext() as ctx:
        ctx.prec = 3
        ctx.traps[decimal.Inexact] = True
        assert scheme(text).digest == expected
        assert scheme(text.replace("1.2345", "1.2346")).digest != expected


def test_example_naming_a_component_of_an_untaken_branch_fails_cleanly(ip: Criteria) -> None:
    example = attrs.evolve(
        ip.examples[3],  # a pelaksana
        expect=attrs.evolve(
            ip.examples[3].expect, components={"kompetensi_struktural": Decimal(1)}
        ),
    )
    (result,) = run_examples(attrs.evolve(ip, examples=(example,)))
    assert result.failures == (
        "component kompetensi_struktural: not evaluated (its branch was not taken)",
    )


def test_reserved_names() -> None:
    body = STAGED.replace(
        "score:\n  id: total",
        "identifiers:\n  row: {label: {id: Baris}}\n  a: {label: {id: A}}\nscore:\n  id: total",
    )
    assert codes(body) == ["name.reserved", "name.reserved"]
    assert codes(STAGED.replace("{id: b, label", "{id: band, label")) == ["name.reserved"]


NUMERIC_CODES = """
inputs:
  level:
    type: enum
    label: {id: Level}
    order: low_to_high
    default: 1
    values:
      1: {label: {id: One}}
      2: {label: {id: Two}}
      3: {label: {id: Three}}
score:
  id: total
  label: {id: Total}
  cases:
    when:
      - if: {input: level, ge: 2}
        points: 10
    otherwise: 0
bands:
  policy: lower_bounds
  table:
    - {code: low, label: {id: Low}, range: [null, 9]}
    - {code: high, label: {id: High}, range: [10, null]}
"""


def test_codes_that_look_like_numbers() -> None:
    c = scheme(NUMERIC_CODES)
    assert asnmerit.evaluate(c, {"level": 2}).score == 10
    assert asnmerit.evaluate(c, {"level": "3"}).score == 10
    assert asnmerit.evaluate(c, {}).score == 0  # the default, 1
    with pytest.raises(InputError):
        asnmerit.evaluate(c, {"level": 2.0})


def test_broken_node_does_not_cause_band_coverage_noise() -> None:
    assert codes(STAGED.replace("{true: 2.5, false: 0}", "{true: 2.5, flase: 0}", 1)) == [
        "lookup.incomplete",
        "node.unknown-code",
    ]


def test_subject_schema_steps_dates_and_nested_switches() -> None:
    c = scheme(
        """
inputs:
  w: {type: enum, label: {id: W}, values: {n: {label: {id: N}}, m: {label: {id: M}}}}
  u: {type: enum, label: {id: U}, values: {p: {label: {id: P}}, r: {label: {id: R}}}}
  a: {type: number, label: {id: A}, min: 0.1, max: 1, step: 0.2}
  d: {type: date, label: {id: D}, default: 2024-01-01}
score:
  id: total
  label: {id: Total}
  sum:
    of:
      - id: sw
        label: {id: Sw}
        switch:
          input: w
          branches:
            n:
              id: inner
              label: {id: Inner}
              switch:
                input: u
                branches:
                  p: {id: np, label: {id: NP}, direct: {input: a}}
                  r: {id: nr, label: {id: NR}, cases: {when: [{if: {input: d, lt: 2025-01-01}, points: 1}], otherwise: 0}}
            m: {id: mm, label: {id: MM}, cases: {when: [{if: {input: d, lt: 2025-01-01}, points: 0.5}], otherwise: 0}}
bands:
  policy: lower_bounds
  step: 0.1
  table:
    - {code: low, label: {id: Low}, range: [null, 0.4]}
    - {code: high, label: {id: High}, range: [0.5, null]}
"""
    )
    schema = c.input_schema()
    json.dumps(schema)  # a date default is written as text
    assert "multipleOf" not in schema["properties"]["a"]
    assert schema["properties"]["a"]["x-asnmerit-step"] == {"step": "0.2", "from": "0.1"}
    import jsonschema

    check = jsonschema.Draft202012Validator(schema)
    assert check.is_valid({"w": "n", "u": "r"})  # no "a" needed on this path
    assert not check.is_valid({"w": "n", "u": "p"})
    assert check.is_valid({"w": "m"})
    assert asnmerit.evaluate(c, {"w": "n", "u": "r"}).score == 1
    assert asnmerit.evaluate(c, {"w": "n", "u": "p", "a": "0.3"}).score == Decimal("0.3")


def test_as_of_accepts_a_datetime() -> None:
    assert asnmerit.get("ip-asn", as_of=dt.datetime(2024, 1, 1, 12, 0)).version == "2019"


def test_json_with_astral_characters_loads() -> None:
    from asnmerit.spec.parse import parse_yaml

    doc = asnmerit.loads(HEAD + STAGED)
    parsed, _ = parse_yaml(HEAD + STAGED)
    assert parsed is not None
    data = json.loads(json.dumps(parsed.data, default=float))
    data["title"]["en"] = "Edge \U0001f600"
    loaded = asnmerit.loads(json.dumps(data))  # ensure_ascii: a surrogate-pair escape
    assert loaded.title.en == "Edge \U0001f600"
    assert doc.id == loaded.id


# -- files -----------------------------------------------------------------------------------


def test_csv_columns_without_a_name(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("a,,\n1,,\n2,x,\n")
    assert read_records(src) == [{"a": "1"}, {"a": "2", "(column 2)": "x"}]


def test_csv_extra_cells_are_kept_not_lost(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("a\n1,2\n3, \n")
    assert read_records(src) == [{"a": "1", "(extra cells)": ["2"]}, {"a": "3"}]


def test_csv_field_too_large(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("a\n" + "x" * 200_000 + "\n")
    with pytest.raises(RecordsError, match="line"):
        read_records(src)


def test_json_records_with_duplicate_keys(tmp_path: Path) -> None:
    src = tmp_path / "in.json"
    src.write_text('[{"a": 1, "a": 2}]')
    with pytest.raises(RecordsError, match="duplicate key 'a'"):
        read_records(src)
    src.write_text("[" + "9" * 5000 + "]")
    with pytest.raises(RecordsError):
        read_records(src)


def test_atomic_write_keeps_permissions(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old")
    os.chmod(target, 0o644)
    write_atomic(target, "new")
    assert target.read_text() == "new" and stat.S_IMODE(target.stat().st_mode) == 0o644
    fresh = tmp_path / "fresh.csv"
    write_atomic(fresh, "x")
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o666 & ~umask


def test_cli_output_problems_are_usage_errors(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from asnmerit.cli.demo import sample_path

    assert (
        main(["evaluate", "ip-asn", str(sample_path()), "-o", str(tmp_path / "no" / "out.csv")])
        == 2
    )
    assert "cannot write" in capsys.readouterr().err
    assert main(["evaluate", "ip-asn", str(sample_path()), "-o", str(tmp_path)]) == 2
    assert main(["show", str(Path(asnmerit.get("ip-asn").source)), "--as-of", "2020-01-01"]) == 2


def test_cli_json_output_with_nested_identifiers(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    src = tmp_path / "in.json"
    src.write_text(
        json.dumps(
            [{**pelaksana(), "nama": {"a": 1.5}}, {**pelaksana(pendidikan="x"), "nama": [1]}]
        )
    )
    assert main(["evaluate", "ip-asn", str(src), "--format", "json"]) == 1
    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["result"]["identifiers"] == {"nama": {"a": "1.5"}}
    assert rows[1]["nama"] == [1] and rows[1]["error"][0]["field"] == "pendidikan"


def test_band_for_accepts_long_means(ip: Criteria) -> None:
    assert ip.band_for(Decimal("80.33333333333333333333333333333333")).code == "tinggi"
    assert isinstance(ip.bands.table[0], Band)


def test_conditions_name_codes_not_aliases(sink: Criteria) -> None:
    text = (
        Path(sink.source)
        .read_text()
        .replace("{input: golongan, ge: III}", "{input: golongan, ge: Gol-III}")
    )
    with pytest.raises(CriteriaError) as info:
        asnmerit.loads(text)
    assert info.value.codes == ("condition.alias",)
    assert "write the code 'III', not its alias 'Gol-III'" in str(info.value)


def test_codes_inherit_their_inputs_confidence() -> None:
    text = NUMERIC_CODES.replace(
        "    order: low_to_high\n", "    order: low_to_high\n    confidence: assumption\n"
    )
    c = scheme(text)
    assert {code.provenance.confidence for code in c.inputs["level"].codes} == {"assumption"}
    warned = [w.path for w in asnmerit.evaluate(c, {"level": 2}).warnings]
    assert warned == ["inputs.level"]  # the code only inherits the same assumption


def test_yaml_records_leave_number_bounds_to_the_rows(tmp_path: Path, ip: Criteria) -> None:
    src = tmp_path / "in.yaml"
    src.write_text(
        "- {nama: 1"
        + "0" * 30
        + ", jenis_jabatan: pelaksana, pendidikan: S1, diklat_teknis_20jp: true,"
        " seminar: true, predikat_kinerja: baik, hukuman_disiplin: tidak_ada}\n"
    )
    (row,) = evaluate_records(ip, read_records(src))
    assert row.ok and row.identifiers["nama"] == 10**30


def test_sums_are_shown_without_trailing_zeros(ip: Criteria) -> None:
    ev = asnmerit.evaluate(ip, pelaksana())
    assert str(ev.component("kompetensi").points) == "40"
    assert str(ev.component("kompetensi_pelaksana").max) == "40"


def test_one_assumption_one_warning() -> None:
    body = STAGED.replace(
        "  sum:\n    of:", "  confidence: assumption\n  note: all made up\n  sum:\n    of:"
    )
    warned = asnmerit.evaluate(scheme(body), {"x": True}).warnings
    assert [(w.path, w.message) for w in warned] == [("total", "total is assumption: all made up")]
    whole = scheme("confidence: reconstructed\n" + STAGED)
    assert [w.path for w in asnmerit.evaluate(whole, {"x": True}).warnings] == ["edge"]


def test_integer_inputs_keep_the_specific_reason(sink: Criteria) -> None:
    base = {"golongan": "I", "nilai": 1, "lulus": True, "tanggal": "2024-01-01"}
    for value, expected in (
        (10**16, "a number below 10^15 in size"),
        ("NaN", "a finite number"),
        ("1.5", "a whole number"),
    ):
        with pytest.raises(InputError) as info:
            asnmerit.evaluate(sink, {**base, "jam": value})
        assert info.value.issues[0].expected == expected
    assert str(asnmerit.evaluate(sink, {**base, "jam": "12.0"}).inputs["jam"]) == "12"


def test_schema_follows_a_switch_input_default() -> None:
    import jsonschema

    c = scheme(
        """
inputs:
  jab: {type: enum, label: {id: J}, default: a, values: {a: {label: {id: A}}, b: {label: {id: B}}}}
  p: {type: boolean, label: {id: P}}
score:
  id: total
  label: {id: Total}
  switch:
    input: jab
    branches:
      a: {id: sa, label: {id: SA}, lookup: {input: p, points: {true: 1, false: 0}}}
      b: {id: sb, label: {id: SB}, cases: {when: [{if: {input: jab, is: b}, points: 1}], otherwise: 0}}
bands:
  policy: lower_bounds
  table:
    - {code: low, label: {id: Low}, range: [null, 0]}
    - {code: high, label: {id: High}, range: [1, null]}
"""
    )
    check = jsonschema.Draft202012Validator(c.input_schema())
    assert not check.is_valid({})  # the default a needs p
    assert check.is_valid({"jab": "b"})
    with pytest.raises(InputError):
        asnmerit.evaluate(c, {})
    assert asnmerit.evaluate(c, {"jab": "b"}).score == 1


def test_numbers_without_bounds_are_bounded_in_the_schema() -> None:
    c = scheme(
        """
inputs:
  n: {type: number, label: {id: N}, min: 0, max: 10}
  m: {type: number, label: {id: M}}
score:
  id: total
  label: {id: Total}
  sum:
    of:
      - {id: a, label: {id: A}, direct: {input: n}}
      - {id: b, label: {id: B}, cases: {when: [{if: {input: m, gt: 0}, points: 1}], otherwise: 0}}
bands:
  policy: lower_bounds
  table:
    - {code: low, label: {id: Low}, range: [null, 4]}
    - {code: high, label: {id: High}, range: [5, null]}
"""
    )
    prop = c.input_schema()["properties"]["m"]
    assert (prop["exclusiveMinimum"], prop["exclusiveMaximum"]) == (-(10**15), 10**15)


def test_csv_with_blank_lines_before_the_header(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("\n , \na,b\n1,2\n")
    assert read_records(src) == [{"a": "1", "b": "2"}]


def test_json_records_with_a_bom(tmp_path: Path) -> None:
    src = tmp_path / "in.json"
    src.write_bytes(b"\xef\xbb\xbf" + b'[{"a": 1}]')
    assert read_records(src) == [{"a": 1}]


def test_atomic_write_through_a_symlink(tmp_path: Path) -> None:
    real = tmp_path / "real.csv"
    real.write_text("old")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    write_atomic(link, "new")
    assert link.is_symlink() and real.read_text() == "new"
    with pytest.raises(OSError, match="not a regular file"):
        write_atomic(tmp_path, "x")


@pytest.mark.parametrize("text", ["20240101", "2024-W01-1", "yesterday"])
def test_as_of_text_is_yyyy_mm_dd(text: str) -> None:
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        asnmerit.get("ip-asn", as_of=text)


def test_out_of_range_messages_stay_short(ip: Criteria) -> None:
    with pytest.raises(asnmerit.ScoreOutOfRangeError) as info:
        ip.band_for(Decimal("1E+1000000"))
    assert len(str(info.value)) < 120


def test_json_error_rows_with_decimal_identifiers(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    src = tmp_path / "in.json"
    src.write_text(json.dumps([{**pelaksana(pendidikan="x"), "nip": 1.5}]))
    assert main(["evaluate", "ip-asn", str(src), "--format", "json"]) == 1
    assert json.loads(capsys.readouterr().out)[0]["nip"] == "1.5"


def test_long_scores_round_exactly_before_banding(ip: Criteria) -> None:
    assert ip.band_for("80.4" + "9" * 120, "round_then_classify").code == "sedang"
    assert ip.band_for("80.5", "round_then_classify").code == "tinggi"
