"""The conformance corpus: its layout and formats (checked against the shipped JSON
Schemas), what it covers (examples, every reachable band, the edges of bands and
thresholds, refusals), that it is the same byte for byte on every run, and that
``check`` finds exactly what was changed in a corpus."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import asnmerit
from asnmerit.conformance.checking import check
from asnmerit.conformance.corpus import (
    CASES_FORMAT,
    FORMAT,
    cases_schema,
    export,
    index_schema,
)
from asnmerit.conformance.vectors import cases, outcome
from asnmerit.errors import ConformanceError
from asnmerit.spec.bundled import criteria_dir
from asnmerit.spec.versions import catalog

from .helpers import DATA

# IP ASN (enums, a switch, gaps between bands), JPT (numbers), BKN Award 2023 (extends
# 2022, which extends NSPK 2022: derived inputs, award categories), merit 2025 (a band
# no score reaches).
SUBSET = ["ip-asn", "jpt", "bkn-award@2023", "sistem-merit@2025"]
RANDOM = 40
DECIMAL = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")


def files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def load_cases(root: Path, scheme: str) -> list[dict[str, Any]]:
    entry = next(e for e in index_of(root)["schemes"] if f"{e['id']}@{e['version']}" == scheme)
    data = json.loads((root / entry["cases"]).read_text("utf-8"))
    found: list[dict[str, Any]] = data["cases"]
    return found


def index_of(root: Path) -> dict[str, Any]:
    index: dict[str, Any] = json.loads((root / "index.json").read_text("utf-8"))
    return index


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("conformance") / "corpus"
    export(root, SUBSET, per_scheme=RANDOM)
    return root


@pytest.fixture
def copy(corpus: Path, tmp_path: Path) -> Path:
    """A copy of the corpus that a test may change."""
    return Path(shutil.copytree(corpus, tmp_path / "corpus"))


def test_layout_and_index(corpus: Path) -> None:
    index = index_of(corpus)
    jsonschema.Draft202012Validator.check_schema(index_schema())
    assert list(jsonschema.Draft202012Validator(index_schema()).iter_errors(index)) == []
    assert index["format"] == FORMAT and index["asnmerit"] == asnmerit.__version__
    assert index["per_scheme"] == RANDOM
    listed = [f"{e['id']}@{e['version']}" for e in index["schemes"]]
    assert listed == ["bkn-award@2023", "ip-asn@2019", "jpt@2021", "sistem-merit@2025"]
    award = index["schemes"][0]
    assert award["criteria"] == "criteria/bkn-award/2023.yaml"
    assert award["bases"] == ["criteria/bkn-award/2022.yaml", "criteria/nspk/2022.yaml"]
    assert award["cases"] == "cases/bkn-award/2023.json"
    assert award["extends"].startswith("bkn-award 2022 (sha256:")
    written = set(files(corpus))
    bundled = {(s.id, s.version): s.path for s in catalog()}
    for entry in index["schemes"]:
        assert entry["digest"] == asnmerit.load(bundled[entry["id"], entry["version"]]).digest
        for name in (entry["criteria"], *entry["bases"]):
            # byte for byte, at the path it has in the bundle (so 'extends: {path}' resolves)
            source = criteria_dir() / name.removeprefix("criteria/")
            assert (corpus / name).read_bytes() == source.read_bytes()
        found = load_cases(corpus, f"{entry['id']}@{entry['version']}")
        origins = {o: sum(c["origin"] == o for c in found) for o in entry["counts"]}
        assert origins == entry["counts"] and sum(origins.values()) == len(found)
        assert entry["counts"]["random"] >= RANDOM and entry["counts"]["reject"] > 0
        assert len({c["id"] for c in found}) == len(found)
    assert written == {
        "index.json",
        *(e["cases"] for e in index["schemes"]),
        *(n for e in index["schemes"] for n in (e["criteria"], *e["bases"])),
    }


def test_every_cases_file_fits_its_schema(corpus: Path) -> None:
    jsonschema.Draft202012Validator.check_schema(cases_schema())
    validator = jsonschema.Draft202012Validator(cases_schema())
    for entry in index_of(corpus)["schemes"]:
        data = json.loads((corpus / entry["cases"]).read_text("utf-8"))
        assert data["format"] == CASES_FORMAT and data["digest"] == entry["digest"]
        assert [e.message for e in validator.iter_errors(data)] == []
    broken = json.loads((corpus / "cases/jpt/2021.json").read_text("utf-8"))
    case = next(c for c in broken["cases"] if "score" in c.get("expect", {}))
    for bad in (
        {**case, "expect": {**case["expect"], "score": 80.5}},  # a JSON number, not text
        {**case, "expect": {**case["expect"], "score": "8.05E+1"}},
        {k: v for k, v in case.items() if k != "expect"},
        {**case, "origin": "guess"},
        {**case, "input": {"nilai_persiapan": 80}},
    ):
        assert not validator.is_valid({**broken, "cases": [bad]})


def test_the_file_is_readable_one_case_per_line(corpus: Path) -> None:
    text = (corpus / "cases/ip-asn/2019.json").read_text("utf-8")
    lines = text.splitlines()
    assert lines[:2] == ["{", '  "format": "asnmerit.conformance-cases/1",']
    assert lines[5] == '  "cases": ['
    first = lines[6]
    assert first.startswith('    {"id": "example/pengawas-s1-pim-only", "origin": "example", ')
    assert '"expect": {"band": "sangat_rendah", ' in first and first.endswith("},")
    assert text.endswith("\n  ]\n}\n") and "\r" not in text


def test_numbers_are_decimal_texts(corpus: Path) -> None:
    def no_float(text: str) -> Any:
        raise AssertionError(f"a JSON number with a fraction: {text}")

    for entry in index_of(corpus)["schemes"]:
        raw = (corpus / entry["cases"]).read_text("utf-8")
        data = json.loads(raw, parse_float=no_float, parse_int=no_float)
        for case in data["cases"]:
            for value in case.get("input", {}).values():
                assert isinstance(value, str | bool) or value is None
            expect = case["expect"]
            points = [*expect.get("components", {}).values()]
            points += [v for c in expect.get("categories", {}).values() if c for v in c.values()]
            assert all(DECIMAL.match(p) for p in [*points, expect.get("score", "0")])


def test_the_examples_are_cases_with_what_they_expect(corpus: Path) -> None:
    found = {c["id"]: c for c in load_cases(corpus, "ip-asn@2019")}
    ip = asnmerit.get("ip-asn")
    for example in ip.examples:
        case = found[f"example/{example.id}"]
        assert case["origin"] == "example"
        if example.expect.score is not None and example.inputs is not None:
            assert Decimal(case["expect"]["score"]) == example.expect.score
        if example.expect.band is not None:
            assert case["expect"]["band"] == example.expect.band
        for node, points in example.expect.components.items():
            assert Decimal(case["expect"]["components"][node]) == points
        assert case.get("band_policy") == example.band_policy
    # a ranking example's subjects are cases too, one each
    award = {c["id"] for c in load_cases(corpus, "bkn-award@2023")}
    bkn = asnmerit.load(corpus / "criteria/bkn-award/2023.yaml", bases=[corpus / "criteria"])
    ranked = [e for e in bkn.examples if e.subjects]
    assert ranked
    for example in ranked:
        assert {f"example/{example.id}/{who}" for who in example.subjects or ()} <= award


def test_every_reachable_band_is_reached(corpus: Path) -> None:
    for entry in index_of(corpus)["schemes"]:
        criteria = asnmerit.load(corpus / entry["criteria"], bases=[corpus / "criteria"])
        reachable = {
            b.code
            for b in criteria.bands.table
            if (b.lower is None or b.lower <= criteria.score_max)
            and (b.upper is None or b.upper >= criteria.score_min)
        }
        reached = {code for code, n in entry["bands"].items() if n}
        assert reached == reachable, entry["id"]
    merit = next(e for e in index_of(corpus)["schemes"] if e["id"] == "sistem-merit")
    assert merit["bands"]["maju"] == 0  # above 1.00: the parts known cannot reach it


def test_band_edges_are_reached_and_missed_by_one_step(corpus: Path) -> None:
    found = load_cases(corpus, "jpt@2021")
    short = [c for c in found if "one step short of" in c.get("note", "")]
    assert short
    for case in short:
        band = case["note"].rsplit(" ", 1)[1]
        assert case["expect"]["band"] != band
    reaching = [c for c in found if c.get("note", "").endswith(": reaches baik")]
    assert reaching and all(c["expect"]["score"] == "80.00" for c in reaching)
    assert any(c["expect"]["score"] == "79.99" for c in short)
    # scores at and next to each edge, under each band policy
    bands = {(c["score"], c.get("band_policy")): c["expect"]["band"] for c in found if "score" in c}
    ip = {
        (c["score"], c.get("band_policy")): c["expect"]["band"]
        for c in load_cases(corpus, "ip-asn@2019")
        if "score" in c
    }
    assert ip[("60.5", None)] == "rendah"  # upper bounds, the file's own policy
    assert ip[("60.5", "lower_bounds")] == "sangat_rendah"
    assert ip[("60.49", "round_then_classify")] == "sangat_rendah"
    assert ip[("60.5", "round_then_classify")] == "rendah"
    assert bands[("80", None)] == "baik" and bands[("79.99", None)] == "kurang"


def test_policy_variants_differ_in_band() -> None:
    found = {c["id"]: c for c in cases(asnmerit.get("ip-asn"))}
    variants = [c for i, c in found.items() if "@" in i and "input" in c]
    assert variants
    for case in variants:
        base = found[case["id"].split("@")[0]]
        assert case["input"] == base["input"] and "band_policy" not in base
        assert case["expect"]["band"] != base["expect"]["band"]
        assert case["expect"]["score"] == base["expect"]["score"]


def test_edge_vectors_cover_every_value_tried(corpus: Path) -> None:
    found = load_cases(corpus, "ip-asn@2019")
    edges = [c for c in found if c["origin"] == "edge" and "input" in c]
    ip = asnmerit.get("ip-asn")
    for name, inp in ip.inputs.items():
        seen = {c["input"].get(name) for c in edges}
        wanted = set(inp.code_names) if inp.type == "enum" else {True, False}
        assert wanted <= seen, name
    # each branch of the switch on the type of position, with its own nodes
    nodes = set().union(*(c["expect"]["components"] for c in edges if "components" in c["expect"]))
    assert {"kompetensi_struktural", "kompetensi_fungsional", "kompetensi_pelaksana"} <= nodes
    # inputs the scheme derives are also left out, so that the derivation runs
    award = [c for c in load_cases(corpus, "bkn-award@2023") if c["origin"] == "edge"]
    derived = [c for c in award if "kelompok" in c["expect"].get("derived", {})]
    assert derived and all("kelompok" not in c["input"] for c in derived)


def test_refusals(corpus: Path) -> None:
    found = [c for c in load_cases(corpus, "jpt@2021") if c["origin"] == "reject"]
    notes = {c["note"] for c in found}
    assert {
        "nilai_persiapan: below the minimum",
        "nilai_persiapan: above the maximum",
        "nilai_persiapan: a boolean where a value is expected",
        "nilai_persiapan: not a number",
        "nilai_persiapan: a decimal comma",
        "nilai_persiapan missing",
        "a field the scheme does not declare",
    } <= notes
    below = next(c for c in found if c["note"] == "nilai_persiapan: below the minimum")
    assert below["input"]["nilai_persiapan"] == "-0.01"
    assert below["expect"] == {"error": [{"field": "nilai_persiapan"}]}
    ip = [c for c in load_cases(corpus, "ip-asn@2019") if c["origin"] == "reject"]
    assert "pendidikan: an unknown code" in {c["note"] for c in ip}
    assert "diklat_kepemimpinan missing" in {c["note"] for c in ip}  # needed by one branch
    assert all("error" in c["expect"] for c in [*found, *ip])


def test_outcomes_are_recomputed_by_the_evaluator(corpus: Path) -> None:
    ip = asnmerit.get("ip-asn")
    found = load_cases(corpus, "ip-asn@2019")
    for case in found[::7]:
        assert outcome(ip, case) == case["expect"]
    scored = next(c for c in found if "score" in c["expect"] and c["origin"] == "random")
    ev = asnmerit.evaluate(ip, scored["input"])
    assert scored["expect"]["score"] == str(ev.score)
    assert scored["expect"]["components"]["kinerja"] == str(ev.component("kinerja").points)


def test_same_bytes_on_every_run(corpus: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    export(again, list(reversed(SUBSET)), per_scheme=RANDOM)  # the order asked does not matter
    assert files(again) == files(corpus)
    export(again, SUBSET, per_scheme=RANDOM)  # over an earlier corpus
    assert files(again) == files(corpus)
    alone = tmp_path / "alone"
    export(alone, ["jpt"], per_scheme=RANDOM)  # a scheme's cases do not depend on the others
    assert files(alone)["cases/jpt/2021.json"] == files(corpus)["cases/jpt/2021.json"]


@pytest.mark.slow
def test_same_bytes_in_other_processes(corpus: Path, tmp_path: Path) -> None:
    """Nothing depends on the hash seed of the process (set orders)."""
    outs = []
    for seed in ("1", "2"):
        out = tmp_path / f"seed-{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-m", "asnmerit", "conformance", "export", str(out),
             "--scheme", "ip-asn", "--scheme", "bkn-award@2023", "--random", str(RANDOM)],
            capture_output=True, text=True, env=env, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        outs.append(files(out))
    assert outs[0] == outs[1]
    assert outs[0]["cases/ip-asn/2019.json"] == files(corpus)["cases/ip-asn/2019.json"]


def test_random_cases_are_seeded_per_scheme() -> None:
    ip = asnmerit.get("ip-asn")
    first = [c for c in cases(ip, per_scheme=30) if c["origin"] == "random"]
    assert [c["input"] for c in first] == [
        c["input"] for c in cases(ip, per_scheme=30) if c["origin"] == "random"
    ]
    assert len([c for c in first if "@" not in c["id"]]) == 30
    assert not [c for c in cases(ip, per_scheme=0) if c["origin"] == "random"]


def test_any_criteria_file_gives_cases_its_evaluator_reproduces() -> None:
    for name in ("kitchen-sink.yaml", "award.yaml", "falling.yaml"):
        criteria = asnmerit.load(DATA / name)
        found = cases(criteria, per_scheme=20)
        assert found
        data = {"format": CASES_FORMAT, "scheme": criteria.id, "version": criteria.version,
                "digest": criteria.digest, "cases": found}  # fmt: skip
        assert jsonschema.Draft202012Validator(cases_schema()).is_valid(data), name
        for case in found:
            assert outcome(criteria, case) == case["expect"], (name, case["id"])


def test_check_passes_on_a_fresh_corpus(corpus: Path) -> None:
    report = check(corpus)
    total = sum(n for e in index_of(corpus)["schemes"] for n in e["counts"].values())
    assert report.ok and report.schemes == 4 and report.cases == total
    assert report.render() == f"schemes: 4, cases: {total}, failed: 0"


def test_check_reports_exactly_an_edited_score(copy: Path) -> None:
    path = copy / "cases/ip-asn/2019.json"
    lines = path.read_text("utf-8").split("\n")
    at = next(i for i, line in enumerate(lines) if '"id": "random/0007"' in line)
    case = json.loads(lines[at].strip().rstrip(","))
    was = case["expect"]["score"]
    lines[at] = lines[at].replace(f'"score": "{was}"', '"score": "99.5"')
    path.write_text("\n".join(lines), "utf-8")
    report = check(copy)
    assert not report.ok and len(report.failures) == 1
    failure = report.failures[0]
    assert (failure.scheme, failure.version, failure.case) == ("ip-asn", "2019", "random/0007")
    assert [(d.path, d.expected, d.got) for d in failure.differences] == [("score", "99.5", was)]
    assert f"ip-asn 2019 random/0007\n  score: expected 99.5, got {was}" in report.render()
    assert report.to_dict()["failures"][0]["differences"] == [
        {"path": "score", "expected": "99.5", "got": was}
    ]


def test_check_compares_numbers_as_decimals(copy: Path) -> None:
    path = copy / "cases/jpt/2021.json"
    text = path.read_text("utf-8")
    assert '"score": "80.00"' in text
    path.write_text(text.replace('"score": "80.00"', '"score": "80"'), "utf-8")
    assert check(copy).ok


def test_check_reports_edited_criteria(copy: Path) -> None:
    path = copy / "criteria/jpt/2021.yaml"
    text = path.read_text("utf-8")
    path.write_text("# a comment changes nothing\n" + text, "utf-8")
    assert check(copy).ok  # the digest is of the content, not of the formatting
    path.write_text(text.replace("\ntitle:\n", "\ntitle:\n  # changed\n", 1), "utf-8")
    assert check(copy).ok
    title = f"\n  id: {asnmerit.get('jpt').title.id}\n"
    assert title in text
    path.write_text(text.replace(title, title.rstrip() + " (diubah)\n", 1), "utf-8")
    report = check(copy)
    assert [(f.scheme, f.case) for f in report.failures] == [("jpt", None)]
    (digest,) = report.failures[0].differences
    assert digest.path == "digest" and digest.expected == asnmerit.get("jpt").digest
    assert digest.got != digest.expected
    assert "cases not run" in report.failures[0].message
    total = sum(
        n for e in index_of(copy)["schemes"] if e["id"] != "jpt" for n in e["counts"].values()
    )
    assert report.cases == total


def test_a_base_edited_under_an_extending_file_is_found(copy: Path) -> None:
    path = copy / "criteria/nspk/2022.yaml"
    text = path.read_text("utf-8")
    label = "Capaian elemen 02 Pengadaan ASN"
    assert label in text  # an input label that BKN Award 2023 inherits through 2022
    path.write_text(text.replace(label, label + " (diubah)", 1), "utf-8")
    report = check(copy)
    assert [(f.scheme, f.version, f.case) for f in report.failures] == [("bkn-award", "2023", None)]
    assert [d.path for d in report.failures[0].differences] == ["digest"]


def test_check_reports_malformed_cases_without_stopping(copy: Path) -> None:
    path = copy / "cases/jpt/2021.json"
    data = json.loads(path.read_text("utf-8"))
    del data["cases"][0]["expect"]
    data["cases"][1]["band_policy"] = "sideways"
    path.write_text(json.dumps(data), "utf-8")
    report = check(copy)
    names = [f.case for f in report.failures]
    assert names == [data["cases"][0]["id"], data["cases"][1]["id"]]
    assert "expect" in report.failures[0].message
    assert "sideways" in report.failures[1].message


def test_check_of_what_is_not_a_corpus(tmp_path: Path) -> None:
    with pytest.raises(ConformanceError, match=r"no index\.json"):
        check(tmp_path)
    (tmp_path / "index.json").write_text('{"format": "something/1"}', "utf-8")
    with pytest.raises(ConformanceError, match="is not a corpus index"):
        check(tmp_path)
    (tmp_path / "index.json").write_text("{", "utf-8")
    with pytest.raises(ConformanceError, match="not UTF-8 JSON"):
        check(tmp_path)


def test_export_refuses_a_folder_with_other_files(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine", "utf-8")
    with pytest.raises(ConformanceError, match="not empty and holds no conformance corpus"):
        export(tmp_path, ["jpt"], per_scheme=0)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
    export(tmp_path, ["jpt"], per_scheme=0, force=True)
    assert (tmp_path / "notes.txt").read_text("utf-8") == "mine"
    assert (tmp_path / "index.json").is_file()
    with pytest.raises(ConformanceError, match="no bundled scheme 'nope'"):
        export(tmp_path / "new", ["nope"])
    with pytest.raises(ConformanceError, match="no bundled scheme 'jpt@1999'"):
        export(tmp_path / "new", ["jpt@1999"])
    (tmp_path / "file").write_text("", "utf-8")
    with pytest.raises(ConformanceError, match="is not a folder"):
        export(tmp_path / "file")


def test_export_over_an_earlier_corpus_removes_what_it_no_longer_holds(copy: Path) -> None:
    (copy / "mine.txt").write_text("kept", "utf-8")
    export(copy, ["jpt"], per_scheme=RANDOM)
    assert set(files(copy)) == {
        "index.json",
        "mine.txt",
        "criteria/jpt/2021.yaml",
        "cases/jpt/2021.json",
    }
    assert not (copy / "cases/ip-asn").exists() and not (copy / "criteria/nspk").exists()


@pytest.mark.slow
def test_every_bundled_scheme_exports_and_checks(tmp_path: Path) -> None:
    index = export(tmp_path, per_scheme=10)
    assert [(e["id"], e["version"]) for e in index["schemes"]] == [
        (s.id, s.version) for s in catalog()
    ]
    report = check(tmp_path)
    assert report.ok, report.render()
    for entry in index["schemes"]:
        assert entry["counts"]["example"] >= len(
            asnmerit.load(tmp_path / entry["criteria"], bases=[tmp_path / "criteria"]).examples
        )
