"""``asnmerit verify``: stored results recomputed with their criteria; every tampered field
reported by its path, results of other criteria reported as such, error rows counted but
not compared, and the command's exit codes."""

from __future__ import annotations

import copy
import csv
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import asnmerit
from asnmerit.analysis.verification import ABSENT, Difference, differences, read_results, verify
from asnmerit.cli import main
from asnmerit.errors import ResultsError
from asnmerit.model import Criteria

from .helpers import pelaksana, scheme
from .strategies import subjects

IP = scheme("ip-asn")

NIP = "197604212005112{:03d}"
ROWS = [
    pelaksana(nip=NIP.format(1)),
    pelaksana(  # 80.5: between the published ranges of two bands
        nip=NIP.format(2),
        pendidikan="S3",
        seminar=False,
        predikat_kinerja="sangat_baik",
        hukuman_disiplin="ringan",
    ),
    pelaksana(
        nip=NIP.format(3), jenis_jabatan="struktural", diklat_kepemimpinan=True, pendidikan="S2"
    ),
    pelaksana(
        nip=NIP.format(4), jenis_jabatan="fungsional", diklat_fungsional=False, pendidikan="D3"
    ),
    pelaksana(nip=NIP.format(5), predikat_kinerja="sangat_baik", hukuman_disiplin="berat"),
    pelaksana(nip=NIP.format(6), pendidikan="S-4"),  # refused: an error row
]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def scored(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """The rows above scored by ``asnmerit evaluate --format json``, as a file."""
    src = tmp_path / "pegawai.csv"
    with src.open("w", newline="", encoding="utf-8") as fh:
        fields = list(dict.fromkeys(k for r in ROWS for k in r))
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        writer.writerows(ROWS)
    out = tmp_path / "hasil.json"
    code, _, err = run(capsys, "evaluate", "ip-asn", str(src), "--format", "json", "-o", str(out))
    assert code == 1 and "scored: 5, errors: 1" in err
    return out


def tampered(path: Path, change: Any) -> Path:
    data = json.loads(path.read_text("utf-8"))
    change(data)
    out = path.with_name("tampered.json")
    out.write_text(json.dumps(data, indent=2), "utf-8")
    return out


def mismatches(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[Any]]:
    code, out, _ = run(capsys, "verify", *args, "--json")
    report = json.loads(out)
    return code, [
        (
            m["item"],
            m["kind"],
            [(d["path"], d.get("expected"), d.get("got")) for d in m["differences"]],
        )
        for m in report["mismatches"]
    ]


def test_evaluated_results_verify(capsys: pytest.CaptureFixture[str], scored: Path) -> None:
    code, out, _ = run(capsys, "verify", str(scored), "ip-asn")
    assert code == 0
    assert out.strip() == (
        "ip-asn 2019: results: 5, matched: 5, mismatched: 0, error rows (not results): 1"
    )
    code, out, _ = run(capsys, "verify", str(scored), "ip-asn", "--json")
    report = json.loads(out)
    assert code == 0 and report["ok"] is True and report["not_results"] == 1
    assert report["format"] == "asnmerit.verification/1" and report["digest"] == IP.digest
    # a criteria file given by path works the same
    assert run(capsys, "verify", str(scored), IP.source)[0] == 0


def test_each_tampered_field_is_reported(capsys: pytest.CaptureFixture[str], scored: Path) -> None:
    original = json.loads(scored.read_text("utf-8"))

    def tamper(data: list[dict[str, Any]]) -> None:
        data[0]["result"]["score"] = "99.0"
        band = data[1]["result"]["band"]
        band["code"] = "sangat_rendah" if band["code"] != "sangat_rendah" else "sedang"
        kualifikasi = data[2]["result"]["components"]["children"][0]
        assert kualifikasi["id"] == "kualifikasi"
        kualifikasi["points"] = "1"
        data[3]["result"]["digest"] = "sha256:" + "0" * 64
        data[4]["result"]["version"] = "2020"

    code, found = mismatches(capsys, str(tampered(scored, tamper)), "ip-asn")
    results = [row["result"] for row in original[:5]]
    assert code == 1
    assert found == [
        (1, "differs", [("score", results[0]["score"], "99.0")]),
        (2, "differs", [("band.code", results[1]["band"]["code"], "sangat_rendah")]),
        (3, "differs", [("components.kualifikasi.points", "20", "1")]),
        (4, "other-criteria", [("digest", IP.digest, "sha256:" + "0" * 64)]),
        (5, "differs", [("version", "2019", "2020")]),
    ]
    code, out, _ = run(capsys, "verify", str(scored.with_name("tampered.json")), "ip-asn")
    assert code == 1
    assert (
        f"result 1 (row 1): does not match its recomputation\n  score: expected {results[0]['score']}, got 99.0"
        in out
    )
    assert "result 4 (row 4): computed with other criteria content (not recomputed)" in out
    assert out.splitlines()[-1] == (
        "ip-asn 2019: results: 5, matched: 0, mismatched: 5, error rows (not results): 1"
    )


def test_a_deep_component_and_the_trace_text(
    capsys: pytest.CaptureFixture[str], scored: Path
) -> None:
    def tamper(data: list[dict[str, Any]]) -> None:
        result = data[0]["result"]
        kompetensi = result["components"]["children"][1]
        branch = kompetensi["children"][0]
        branch["children"][0]["rule"] = "made up"
        result["warnings"].append({"code": "x", "path": "y", "message": "z"})

    code, found = mismatches(capsys, str(tampered(scored, tamper)), "ip-asn")
    assert code == 1
    ((item, kind, diffs),) = found
    assert (item, kind) == (1, "differs")
    assert [d[0] for d in diffs] == [
        "warnings",  # a list of another length: the whole list
        "components.kompetensi.kompetensi_pelaksana.pelaksana_diklat_teknis.rule",
    ]


def test_results_of_another_scheme_are_all_reported(
    capsys: pytest.CaptureFixture[str], scored: Path
) -> None:
    code, found = mismatches(capsys, str(scored), "jpt")
    jpt = asnmerit.get("jpt")
    assert code == 1 and len(found) == 5
    for _, kind, diffs in found:
        assert kind == "other-criteria"
        assert diffs == [
            ("scheme", "jpt", "ip-asn"),
            ("version", jpt.version, "2019"),
            ("digest", jpt.digest, IP.digest),
        ]


def test_the_version_the_results_name(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    merit = next(s for s in asnmerit.catalog() if (s.id, s.version) == ("sistem-merit", "2019"))
    criteria = asnmerit.load(merit.path)
    example = next(e for e in criteria.examples if e.inputs is not None)
    out = tmp_path / "merit.json"
    out.write_text(json.dumps(asnmerit.evaluate(criteria, example.inputs).to_dict()), "utf-8")
    assert run(capsys, "verify", str(out), "sistem-merit")[0] == 0  # not the latest, 2025
    code, found = mismatches(capsys, str(out), "sistem-merit", "--as-of", "2026-06-01")
    assert code == 1 and found[0][1] == "other-criteria"


def test_band_policy_overrides_are_recomputed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    record = ROWS[1]
    traces = [
        asnmerit.evaluate(IP, record).to_dict(),  # the file's own policy, not given
        asnmerit.evaluate(IP, record, band_policy="upper_bounds").to_dict(),  # given: no warning
        asnmerit.evaluate(IP, record, band_policy="lower_bounds").to_dict(),
    ]
    assert traces[0]["warnings"] != traces[1]["warnings"]
    assert traces[2]["band"]["code"] != traces[0]["band"]["code"]
    out = tmp_path / "policies.json"
    out.write_text(json.dumps(traces), "utf-8")
    assert run(capsys, "verify", str(out), "ip-asn")[0] == 0
    traces[2]["band_policy"] = "round_then_classify"  # it was scored under lower_bounds
    out.write_text(json.dumps(traces), "utf-8")
    code, found = mismatches(capsys, str(out), "ip-asn")
    assert code == 1 and [(f[0], f[2][0]) for f in found] == [
        (3, ("band.code", "tinggi", "sedang"))
    ]


def test_file_forms(capsys: pytest.CaptureFixture[str], scored: Path, tmp_path: Path) -> None:
    rows = json.loads(scored.read_text("utf-8"))
    results = [r["result"] for r in rows if "result" in r]
    one = tmp_path / "one.json"
    one.write_text(json.dumps(results[0]), "utf-8")
    plain = tmp_path / "list.json"
    plain.write_text(json.dumps(results), "utf-8")
    lines = tmp_path / "lines.jsonl"
    lines.write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    for path, count in ((one, 1), (plain, 5), (lines, 5)):
        code, out, _ = run(capsys, "verify", str(path), "ip-asn", "--json")
        report = json.loads(out)
        assert code == 0 and report["results"] == report["matched"] == count, path.name
    assert len(read_results(lines)) == 6


def test_what_is_not_a_result(
    capsys: pytest.CaptureFixture[str], scored: Path, tmp_path: Path
) -> None:
    result = next(r["result"] for r in json.loads(scored.read_text("utf-8")) if "result" in r)
    broken = {k: v for k, v in result.items() if k != "inputs"}
    items = [result, 7, {"row": 2, "result": broken}, {**result, "format": "asnmerit.result/9"}]
    path = tmp_path / "mixed.json"
    path.write_text(json.dumps(items), "utf-8")
    code, out, _ = run(capsys, "verify", str(path), "ip-asn", "--json")
    report = json.loads(out)
    assert code == 1 and report["matched"] == 1
    kinds = [(m["item"], m["row"], m["kind"]) for m in report["mismatches"]]
    assert kinds == [(2, None, "malformed"), (3, 2, "malformed"), (4, None, "malformed")]
    assert "'inputs' is a required property" in report["mismatches"][1]["message"]
    assert "format: expected asnmerit.result/1" in report["mismatches"][2]["message"]
    refused = {**result, "inputs": {**result["inputs"], "pendidikan": "S9"}}
    path.write_text(json.dumps(refused), "utf-8")
    code, out, _ = run(capsys, "verify", str(path), "ip-asn")
    assert code == 1 and "its inputs are not accepted" in out and "S9" in out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "No such file"),
        (b"\xff\xfe", "not UTF-8"),
        (b"{not json", "not JSON"),
        (b"{}\n{not json\n", r"not JSON \(nor JSON Lines\): line 2"),
        (b"42", "unknown format"),
        (b'{"hello": "world"}', "unknown format"),
        (b'{"format": "asnmerit.partial/1"}', "unknown format 'asnmerit.partial/1'"),
    ],
)
def test_usage_errors(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: bytes | None, message: str
) -> None:
    path = tmp_path / "results.json"
    if content is not None:
        path.write_bytes(content)
    code, _, err = run(capsys, "verify", str(path), "ip-asn")
    assert code == 2 and re.search(message, err)
    with pytest.raises(ResultsError, match=message):
        read_results(path)


def test_unknown_criteria_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], scored: Path
) -> None:
    code, _, err = run(capsys, "verify", str(scored), "no-such-scheme")
    assert code == 2 and "no bundled scheme 'no-such-scheme'" in err
    code, _, err = run(capsys, "verify", str(scored), "missing.yaml")
    assert code == 2 and "no such criteria file" in err


def test_as_a_separate_process(scored: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "asnmerit", "verify", str(scored), "ip-asn"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "matched: 5, mismatched: 0" in done.stdout


def test_the_python_api() -> None:
    evs = [asnmerit.evaluate(IP, r) for r in ROWS[:3]]
    checked = verify(evs, IP)
    assert checked.ok and checked.results == checked.matched == 3
    assert verify(evs[0], IP).ok and verify(evs[0].to_dict(), IP).ok
    trace = copy.deepcopy(evs[0].to_dict())
    trace["inputs"]["seminar"] = False  # the inputs changed, the score did not
    checked = verify([trace], IP)
    assert not checked.ok and checked.mismatches[0].kind == "differs"
    paths = [d.path for d in checked.mismatches[0].differences]
    assert "score" in paths and "inputs.seminar" not in paths  # recomputed from them
    assert verify([], IP).ok and verify([], IP).results == 0


def test_differences_name_paths() -> None:
    assert differences({"a": [1, 2]}, {"a": [1, 3]}) == [Difference("a[1]", 2, 3)]
    assert differences({"a": 1}, {"b": 1}) == [
        Difference("a", 1, ABSENT),
        Difference("b", ABSENT, 1),
    ]
    assert differences([1], [1, 2]) == [Difference("", [1], [1, 2])]
    assert differences({"x": True}, {"x": 1}) == [Difference("x", True, 1)]  # not equal in JSON
    nodes = {"id": "r", "children": [{"id": "a", "p": "1"}, {"id": "b", "p": "2"}]}
    other = {"id": "r", "children": [{"id": "b", "p": "2"}, {"id": "a", "p": "5"}]}
    assert differences(nodes, other) == [Difference("a.p", "1", "5")]
    assert str(Difference("score", "75.0", ABSENT)) == "score: expected 75.0, got (absent)"
    assert Difference("score", "75.0", ABSENT).to_dict() == {"path": "score", "expected": "75.0"}


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_every_evaluation_verifies(data: st.DataObject) -> None:
    criteria: Criteria = IP
    subject = data.draw(subjects(criteria))
    try:
        ev = asnmerit.evaluate(criteria, subject)
    except asnmerit.InputError:  # a record a switch branch needs more of
        return
    trace = json.loads(json.dumps(ev.to_dict()))
    checked = verify(trace, criteria)
    assert checked.ok, checked.render()
    # and a changed points value of any node is found, by its path
    nodes = [trace["components"]]
    while nodes[-1].get("children"):
        nodes.append(data.draw(st.sampled_from(nodes[-1]["children"])))
    node = nodes[-1]
    node["points"] = str(int(float(node["points"])) + 1000)
    path = ".".join(["components", *(n["id"] for n in nodes[1:]), "points"])
    assert path in [d.path for m in verify(trace, criteria).mismatches for d in m.differences]
