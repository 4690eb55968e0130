"""The command line: every verb, exit codes 0 / 1 / 2, nothing dropped."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

import asnmerit
from asnmerit.cli import main
from asnmerit.cli.demo import sample_path
from asnmerit.spec.bundled import criteria_files
from asnmerit.spec.schema import criteria_schema

from .helpers import DATA

REPO = Path(__file__).resolve().parents[1]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_list(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "list")
    assert code == 0 and any(line.startswith("ip-asn") for line in out.splitlines())
    assert "2019-05-15" in out
    code, out, _ = run(capsys, "list", "--json", "--lang", "en")
    listed = json.loads(out)
    assert [s["id"] for s in listed] == sorted(s["id"] for s in listed)  # by id, then date
    assert next(s for s in listed if s["id"] == "ip-asn") == {
        "id": "ip-asn",
        "version": "2019",
        "title": "Civil-service professionalism index (IP ASN)",
        "valid_from": "2019-05-15",
        "valid_to": None,
    }


def test_show(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "show", "ip-asn")
    assert code == 0
    assert "kualifikasi: Kualifikasi  [max 25] lookup pendidikan (high)" in out
    assert "S1 -> 15 (medium)" in out
    assert "butuh_perbaikan -> 15 (assumption)" in out
    assert "bands (upper_bounds, step 1) [reconstructed]" in out
    code, out, _ = run(capsys, "show", "ip-asn", "--json")
    shown = json.loads(out)
    assert shown["score"]["max"] == "100" and shown["score_range"] == ["3.0", "100.0"]
    assert [c["id"] for c in shown["score"]["children"]] == [
        "kualifikasi",
        "kompetensi",
        "kinerja",
        "disiplin",
    ]
    code, out, _ = run(capsys, "show", str(DATA / "kitchen-sink.yaml"), "--lang", "en")
    assert code == 0 and "Test scheme - kitchen-sink 1" in out


def test_show_as_of(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "show", "ip-asn", "--as-of", "2019-05-15")[0] == 0
    code, _, err = run(capsys, "show", "ip-asn", "--as-of", "2019-05-14")
    assert code == 2 and "no version of 'ip-asn' is in force on 2019-05-14" in err
    code, _, err = run(capsys, "show", "ip-asn", "--as-of", "yesterday")
    assert code == 2 and "YYYY-MM-DD" in err


def test_validate(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bundled = len(criteria_files(REPO / "criteria"))
    code, out, _ = run(capsys, "validate", str(REPO / "criteria"))
    assert code == 0 and out.strip() == f"{bundled} valid, 0 invalid"
    bad = tmp_path / "bad.yaml"
    bad.write_text((REPO / "criteria/ip-asn/2019.yaml").read_text().replace("max: 25", "max: 24"))
    code, out, _ = run(capsys, "validate", str(bad), str(REPO / "criteria"))
    assert code == 1
    assert f"{bad}:" in out and "node.max-mismatch declared max 24" in out
    assert out.strip().endswith(f"{bundled} valid, 1 invalid")
    code, out, _ = run(capsys, "validate", "--json", str(bad))
    (report,) = json.loads(out)
    assert report["ok"] is False and report["problems"][0]["code"] == "node.max-mismatch"
    assert report["problems"][0]["line"] > 1
    assert run(capsys, "validate", str(tmp_path / "nope"))[0] == 2


def test_test_runs_examples(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    files = [*criteria_files(REPO / "criteria"), *criteria_files(DATA)]
    count = sum(len(asnmerit.load(f).examples) for f in files)
    code, out, _ = run(capsys, "test", str(REPO / "criteria"), str(DATA))
    assert code == 0 and out.strip() == f"examples: {count} passed, 0 failed"
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text(
        (DATA / "kitchen-sink.yaml")
        .read_text()
        .replace("expect: {score: 87,", "expect: {score: 88,")
    )
    code, out, _ = run(capsys, "test", str(wrong))
    assert code == 1
    assert "FAIL" in out and "wrong.yaml::centre-grade-iii" in out
    assert "score: expected 88, got 87.00" in out
    assert out.strip().endswith("examples: 4 passed, 1 failed")


def write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_evaluate_csv_keeps_every_row(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    good = {
        "nip": "198001012005011001",
        "jenis_jabatan": "pelaksana",
        "pendidikan": "S1",
        "diklat_teknis_20jp": "ya",
        "seminar": "tidak",
        "predikat_kinerja": "baik",
        "hukuman_disiplin": "tidak_ada",
    }
    rows = [
        good,
        {**good, "nip": "19800101 200501 1 002", "pendidikan": "S-4"},  # a printed NIP
        {**good, "nip": "198001012005011003", "seminar": ""},
        {**good, "nip": "198001012005011004"},
    ]
    src = tmp_path / "in.csv"
    write_csv(src, rows)
    code, out, err = run(capsys, "evaluate", "ip-asn", str(src))
    assert code == 1
    table = list(csv.DictReader(io.StringIO(out)))
    assert [r["row"] for r in table] == ["1", "2", "3", "4"]
    # failed rows keep their identifiers (an NIP as its 18 digits)
    assert [r["nip"][-1] for r in table] == ["1", "2", "3", "4"]
    assert table[1]["nip"] == "198001012005011002"
    assert (
        table[0]["score"] == "67.5"
        and table[0]["band"] == "rendah"
        and table[0]["kompetensi"] == "22.5"
    )
    assert table[1]["error"].startswith("pendidikan: expected one of S3")
    assert (
        table[2]["error"] == "seminar: expected a value (needed by pelaksana_seminar), got nothing"
    )
    assert err.strip() == "rows: 4, scored: 2, errors: 2"


def test_evaluate_json_and_output_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out_file = tmp_path / "out.json"
    code, out, _ = run(
        capsys, "evaluate", "ip-asn", str(sample_path()), "--format", "json", "-o", str(out_file)
    )
    assert code == 0 and out == ""
    results = json.loads(out_file.read_text())
    assert len(results) == 320 and results[0]["row"] == 1
    assert results[0]["result"]["identifiers"]["nip"]
    assert not list(tmp_path.glob(".out.json.*"))  # no temporary file left behind


def test_evaluate_yaml_records(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    src = tmp_path / "in.yaml"
    src.write_text(
        "- {jenis_jabatan: fungsional, pendidikan: S2, diklat_fungsional: true, diklat_teknis_20jp: true,"
        " seminar: true, predikat_kinerja: sangat_baik, hukuman_disiplin: tidak_ada}\n"
    )
    code, out, _ = run(capsys, "evaluate", "ip-asn", str(src))
    assert code == 0 and next(iter(csv.DictReader(io.StringIO(out))))["score"] == "95.0"


def test_evaluate_unreadable_records(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "in.json"
    bad.write_text("{not json")
    code, _, err = run(capsys, "evaluate", "ip-asn", str(bad))
    assert code == 2 and "not valid JSON" in err
    other = tmp_path / "in.txt"
    other.write_text("x")
    assert run(capsys, "evaluate", "ip-asn", str(other))[0] == 2


def test_explain(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "explain",
        "ip-asn",
        "--set",
        "jenis_jabatan=pelaksana",
        "--set",
        "pendidikan=S3",
        "--set",
        "diklat_teknis_20jp=true",
        "--set",
        "seminar=false",
        "--set",
        "predikat_kinerja=sangat_baik",
        "--set",
        "hukuman_disiplin=ringan",
        "--lang",
        "en",
    )
    assert code == 0 and "Score: 80.5 / 100" in out and "Band: High [tinggi]" in out
    code, out, _ = run(
        capsys, "explain", "ip-asn", "--file", str(sample_path()), "--row", "2", "--json"
    )
    assert code == 0 and json.loads(out)["identifiers"]["nama"] == "Pegawai Sintetis 002"
    code, _, err = run(capsys, "explain", "ip-asn", "--set", "pendidikan=S9")
    assert (
        code == 1
        and "pendidikan: expected one of" in err
        and "jenis_jabatan: expected a value" in err
    )
    assert run(capsys, "explain", "ip-asn")[0] == 2
    assert run(capsys, "explain", "ip-asn", "--set", "novalue")[0] == 2
    assert run(capsys, "explain", "ip-asn", "--file", str(sample_path()), "--row", "999")[0] == 2


def test_schema(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "schema", "criteria")
    assert code == 0 and json.loads(out) == criteria_schema()
    code, out, _ = run(capsys, "schema", "input", "ip-asn")
    assert code == 0 and json.loads(out)["$id"] == "urn:asnmerit:schema:input:ip-asn:2019"
    assert run(capsys, "schema", "input")[0] == 2


def test_demo(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "demo")
    assert code == 0 and "baris: 320, dinilai: 320, galat: 0" in out and "Rata-rata:" in out
    code, out, _ = run(capsys, "demo", "--json")
    summary = json.loads(out)
    assert sum(summary["bands"].values()) == summary["rows"] == 320


def test_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "show", "no-such-scheme")[0] == 2
    assert run(capsys, "show", "missing.yaml")[0] == 2
    assert run(capsys)[0] == 2
    assert run(capsys, "frobnicate")[0] == 2
    assert run(capsys, "--version")[0] == 0


def test_installed_entry_point_runs() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "asnmerit", "--help"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0 and "validate" in done.stdout and "demo" in done.stdout


WEAK_PELAKSANA = [
    f"--set={k}={v}"
    for k, v in {
        "jenis_jabatan": "pelaksana",
        "pendidikan": "SLTA",
        "diklat_teknis_20jp": "false",
        "seminar": "true",
        "predikat_kinerja": "baik",
        "hukuman_disiplin": "tidak_ada",
    }.items()
]


def test_what_if_of_a_complete_record_gives_the_next_band(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "what-if", "ip-asn", *WEAK_PELAKSANA, "--lang", "en")
    assert code == 0
    assert out.splitlines() == [
        "ip-asn 2019: 52.5 Very low -> Low",
        "  pendidikan: SLTA -> D4: +10.0 -> 62.5 Low",
        "  diklat_teknis_20jp: false -> true: +22.5 -> 75.0 Moderate",
    ]
    code, out, _ = run(capsys, "what-if", "ip-asn", *WEAK_PELAKSANA, "--target", "tinggi", "--json")
    data = json.loads(out)
    assert code == 0 and data["format"] == "asnmerit.next-band/1" and data["target"] == "tinggi"
    assert [[c["input"] for c in o["changes"]] for o in data["options"]] == [
        ["pendidikan", "diklat_teknis_20jp"]
    ]


def test_what_if_of_a_partial_record_gives_what_it_can_reach(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "what-if", "ip-asn", *WEAK_PELAKSANA[:2], "--json")
    data = json.loads(out)
    assert code == 0 and data["format"] == "asnmerit.partial/1"
    assert data["missing"] == [
        "diklat_teknis_20jp",
        "seminar",
        "predikat_kinerja",
        "hukuman_disiplin",
    ]
    assert data["score"] == {"low": "7.0", "high": "80.0"}
    code, _, err = run(capsys, "what-if", "ip-asn", *WEAK_PELAKSANA, "--target", "nope")
    assert code == 2 and "no band 'nope'" in err
    code, _, err = run(capsys, "what-if", "ip-asn", "--set", "pendidikan=S9")
    assert code == 1 and "S9" in err


def test_conformance_export_and_check(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    code, out, _ = run(
        capsys, "conformance", "export", str(corpus), "--scheme", "jpt", "--random", "5"
    )
    index = json.loads((corpus / "index.json").read_text())
    total = sum(index["schemes"][0]["counts"].values())
    assert code == 0 and out.strip() == f"{corpus}: 1 scheme versions, {total} cases"
    assert index["per_scheme"] == 5 and index["schemes"][0]["counts"]["random"] == 5
    code, out, _ = run(capsys, "conformance", "check", str(corpus))
    assert code == 0 and out.strip() == f"schemes: 1, cases: {total}, failed: 0"
    code, out, _ = run(capsys, "conformance", "check", str(corpus), "--json")
    assert code == 0 and json.loads(out)["ok"] is True
    cases = corpus / "cases/jpt/2021.json"
    cases.write_text(cases.read_text().replace('"band": "kurang"', '"band": "baik"', 1))
    code, out, _ = run(capsys, "conformance", "check", str(corpus))
    assert code == 1 and "band: expected baik, got kurang" in out and "failed: 1" in out


def test_conformance_usage_errors(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "other.txt").write_text("x")
    code, _, err = run(capsys, "conformance", "export", str(tmp_path), "--scheme", "jpt")
    assert code == 2 and "holds no conformance corpus" in err and "--force" in err
    code, _, err = run(capsys, "conformance", "export", str(tmp_path / "n"), "--scheme", "nope")
    assert code == 2 and "no bundled scheme 'nope'" in err
    code, _, err = run(capsys, "conformance", "export", str(tmp_path / "n"), "--random", "-1")
    assert code == 2 and "--random must be 0 or more" in err
    code, _, err = run(capsys, "conformance", "check", str(tmp_path))
    assert code == 2 and "no index.json" in err
    assert run(capsys, "conformance")[0] == 2


def test_schema_of_the_conformance_corpus(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "schema", "conformance-index")
    assert code == 0 and json.loads(out)["$id"] == "urn:asnmerit:schema:conformance-index:1"
    code, out, _ = run(capsys, "schema", "conformance-cases")
    assert code == 0 and json.loads(out)["$id"] == "urn:asnmerit:schema:conformance-cases:1"
