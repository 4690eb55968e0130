"""Criteria files that extend another: the documented question-level example end to end,
merging rules, and the errors of a broken extension (located in the extending file)."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

import asnmerit
from asnmerit.cli import main

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "docs/examples/sistem-merit-questions.yaml"


def problems(
    text: str, tmp_path: Path, name: str = "mine.yaml", bases: tuple[Path, ...] = ()
) -> list[tuple[str, int | None]]:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(asnmerit.CriteriaError) as err:
        asnmerit.load(path, bases=bases)
    return [(p.code, p.line) for p in err.value.problems]


def test_question_level_example() -> None:
    c = asnmerit.load(EXAMPLE)
    base = asnmerit.get("sistem-merit", as_of="2024-06-01")
    assert (c.id, c.version) == ("sistem-merit", "2019")
    assert c.extends == f"sistem-merit 2019 ({base.digest})"
    assert c.digest != base.digest
    # The replaced aspect's direct input is gone; the questions take its place.
    assert "pengembangan_karier" not in c.inputs
    assert {f"pk_q{i}" for i in range(1, 6)} <= set(c.inputs)
    assert [e.id for e in c.examples] == ["mixed-answers", "lowest-answers"]
    assert c.bands == base.bands and c.award == base.award
    node = c.node("pengembangan_karier")
    assert node.bounds == (Decimal("32.5"), Decimal(130))
    assert node.provenance.confidence == "assumption"
    # Untouched aspects keep the base's provenance.
    assert c.node("pengadaan").provenance == base.node("pengadaan").provenance


def test_question_level_example_end_to_end(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = tmp_path / "answers.csv"
    rows = [
        {"instansi": "A", "perencanaan_kebutuhan": "37.5", "pengadaan": "38", "pk_q1": "3",
         "pk_q2": "4", "pk_q3": "2", "pk_q4": "3", "pk_q5": "4", "promosi_dan_mutasi": "25",
         "manajemen_kinerja": "77.5", "penggajian_penghargaan_disiplin": "35",
         "perlindungan_dan_pelayanan": "15", "sistem_informasi": "24"},
        {"instansi": "B", "perencanaan_kebutuhan": "20", "pengadaan": "20", "pk_q1": "1",
         "pk_q2": "2", "pk_q3": "1", "pk_q4": "2", "pk_q5": "5", "promosi_dan_mutasi": "20",
         "manajemen_kinerja": "40", "penggajian_penghargaan_disiplin": "20",
         "perlindungan_dan_pelayanan": "10", "sistem_informasi": "10"},
    ]  # fmt: skip
    with answers.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    out = tmp_path / "scores.csv"
    code = main(["evaluate", str(EXAMPLE), str(answers), "-o", str(out)])
    assert code == 1  # row B has an answer level 5
    got = list(csv.DictReader(out.open()))
    assert [r["instansi"] for r in got] == ["A", "B"]
    assert (got[0]["score"], got[0]["band"], got[0]["eligible"]) == ("357", "IV", "true")
    assert "pk_q5" in got[1]["error"] and "from 1 to 4" in got[1]["error"]
    assert main(["test", str(EXAMPLE)]) == 0
    assert "2 passed, 0 failed" in capsys.readouterr().out


BASE = """\
spec: 1
id: base
version: "1"
title: {id: Dasar}
subject: agency
valid_from: 2020-01-01
references:
  r: {title: A rule}
inputs:
  a: {type: number, label: {id: A}, min: 0, max: 10}
  b: {type: number, label: {id: B}, min: 0, max: 10}
score:
  id: total
  label: {id: Total}
  max: 20
  basis: [{ref: r}]
  sum:
    of:
      - {id: part_a, label: {id: A}, max: 10, direct: {input: a}}
      - {id: part_b, label: {id: B}, max: 10, direct: {input: b}}
bands:
  policy: lower_bounds
  table:
    - {code: low, label: {id: Rendah}, range: [null, 9]}
    - {code: high, label: {id: Tinggi}, range: [10, null]}
examples:
  - {id: one, provenance: derived, inputs: {a: 1, b: 2}, expect: {score: 3}}
"""


def test_path_base_and_merging(tmp_path: Path) -> None:
    (tmp_path / "base.yaml").write_text(BASE)
    mine = tmp_path / "sub" / "mine.yaml"
    mine.parent.mkdir()
    mine.write_text(
        "spec: 1\n"
        "extends: {path: ../base.yaml}\n"
        "version: '1-local'\n"
        "inputs:\n"
        "  a: {type: number, label: {id: A baru}, min: 0, max: 10, aliases: [nilai_a]}\n"
        "  c: {type: boolean, label: {id: C}}\n"
        "replace:\n"
        "  part_b:\n"
        "    id: part_b\n"
        "    label: {id: B atau bonus}\n"
        "    max: 10\n"
        "    cases:\n"
        "      when: [{if: {input: c, is: true}, points: 10}]\n"
        "      otherwise: 0\n"
    )
    c = asnmerit.load(mine, bases=[tmp_path])  # the base is outside the folder of mine
    assert (c.id, c.version) == ("base", "1-local")
    assert set(c.inputs) == {"a", "c"}  # b went with the node it fed
    assert c.inputs["a"].label.id == "A baru" and c.examples == ()
    ev = asnmerit.evaluate(c, {"nilai_a": 4, "c": True})
    assert ev.score == 14 and ev.band.code == "high"
    # An input the extending file declares itself must still be used.
    mine.write_text(
        mine.read_text().replace(
            "  c: {type: boolean", "  d: {type: integer, label: {id: D}}\n  c: {type: boolean"
        )
    )
    assert ("input.unused", 6) in problems(mine.read_text(), mine.parent, bases=(tmp_path,))


def test_chained_bases(tmp_path: Path) -> None:
    (tmp_path / "base.yaml").write_text(BASE)
    (tmp_path / "middle.yaml").write_text(
        "spec: 1\nextends: {path: base.yaml}\nversion: '2'\n"
        "replace:\n  part_a: {id: part_a, label: {id: A2}, max: 10, direct: {input: a}}\n"
    )
    (tmp_path / "top.yaml").write_text("spec: 1\nextends: {path: middle.yaml}\nversion: '3'\n")
    c = asnmerit.load(tmp_path / "top.yaml")
    assert c.version == "3" and c.node("part_a").label.id == "A2"
    assert c.extends is not None and c.extends.startswith("base 2 (sha256:")


def test_replacing_an_unknown_node(tmp_path: Path) -> None:
    (tmp_path / "base.yaml").write_text(BASE)
    text = "spec: 1\nextends: {path: base.yaml}\nreplace:\n  part_c: {id: part_c, label: {id: C}, direct: {input: a}}\n"
    assert problems(text, tmp_path) == [("extends.unknown-node", 4)]


def test_problem_in_a_replacement_points_into_the_extending_file(tmp_path: Path) -> None:
    (tmp_path / "base.yaml").write_text(BASE)
    text = (
        "spec: 1\nextends: {path: base.yaml}\nreplace:\n"
        "  part_a:\n    id: part_a\n    label: {id: A}\n    max: 11\n    direct: {input: a}\n"
    )
    assert problems(text, tmp_path) == [("node.max-mismatch", 7)]


def test_problem_in_inherited_content_points_at_extends(tmp_path: Path) -> None:
    (tmp_path / "base.yaml").write_text(BASE)
    # Narrowing input a makes the base's node part_a (max 10) wrong: reported at line 2.
    text = "spec: 1\nextends: {path: base.yaml}\ninputs:\n  a: {type: number, label: {id: A}, min: 0, max: 5}\n"
    assert ("node.max-mismatch", 2) in problems(text, tmp_path)


@pytest.mark.parametrize(
    ("extends", "code"),
    [
        ("{path: mine.yaml}", "extends.cycle"),
        ("{path: missing.yaml}", "extends.base"),
        ("{scheme: sistem-merit, version: '2020'}", "extends.unknown"),
        ("{scheme: sistem-merit}", "schema.required"),
        ("{path: base.yaml, scheme: x}", "schema.unknown-key"),
        ("{path: /etc/hostname}", "extends.path"),
        ("{path: ../../etc/passwd}", "extends.path"),
        ("{path: base.txt}", "extends.path"),
        ("{path: folder.yaml}", "extends.path"),
    ],
)
def test_bad_bases(tmp_path: Path, extends: str, code: str) -> None:
    (tmp_path / "base.yaml").write_text(BASE)
    (tmp_path / "folder.yaml").mkdir()
    found = problems(f"spec: 1\nextends: {extends}\n", tmp_path)
    assert found[0][0] == code


def test_broken_base_is_reported_with_its_own_problems(tmp_path: Path) -> None:
    (tmp_path / "base.yaml").write_text(BASE.replace("valid_from: 2020-01-01\n", ""))
    found = problems("spec: 1\nextends: {path: base.yaml}\n", tmp_path)
    assert found[0] == ("extends.base", 2)
    assert ("schema.required", 1) in found


def test_a_path_base_needs_a_file_to_be_relative_to(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "base.yaml").write_text(BASE)
    monkeypatch.chdir(tmp_path)  # text has no folder: the base beside it must not be found
    with pytest.raises(asnmerit.CriteriaError) as err:
        asnmerit.loads("spec: 1\nextends: {path: base.yaml}\n")
    assert err.value.codes == ("extends.path",)
    assert "not a file" in str(err.value)


def test_cycle_through_two_files(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("spec: 1\nextends: {path: b.yaml}\n")
    (tmp_path / "b.yaml").write_text("spec: 1\nextends: {path: a.yaml}\n")
    with pytest.raises(asnmerit.CriteriaError) as err:
        asnmerit.load(tmp_path / "a.yaml")
    assert "extends.cycle" in {p.code for p in err.value.problems}


def test_replace_needs_extends(tmp_path: Path) -> None:
    text = BASE + "replace:\n  part_a: {id: part_a, label: {id: A}, direct: {input: a}}\n"
    line = BASE.count("\n") + 1  # where replace stands
    assert problems(text, tmp_path) == [("schema.required", line)]


def test_show_tells_the_base_aliases_and_award(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", str(EXAMPLE), "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "  extends: sistem-merit 2019 (sha256:" in out
    assert "pk_q1 (integer 1..4)" in out and "pengembangan_karier (number" not in out
    assert "sistem_informasi (number 0..25)  (also: Sistem Informasi)" in out
    assert "award: Meritocracy Award (anugerah-meritokrasi), minimum band III [high]" in out
    assert main(["show", "ip-asn", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["aggregate"]["stratify"] == "status" and shown["award"] is None


def test_extends_names_the_digest_its_base_loads_with() -> None:
    """The digest in ``extends`` is the one the base file itself loads with (a base that
    extends another and drops entries must not be named by its unpruned content)."""
    checked = 0
    for info in asnmerit.catalog():
        spec = yaml.safe_load(Path(info.path).read_text("utf-8")).get("extends") or {}
        if "path" in spec:
            base = asnmerit.load(Path(info.path).parent / spec["path"])
            assert asnmerit.load(info.path).extends == f"{base.id} {base.version} ({base.digest})"
            checked += 1
    assert checked >= 3  # bkn-award 2021 and 2023 (whose base extends the NSPK file), ...
