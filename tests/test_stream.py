"""`asnmerit evaluate` streams: same bytes as scoring the whole list, bounded memory,
an errors file, column mappings, a progress line on a terminal only."""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import random
import select
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import asnmerit
from asnmerit import decimals as D
from asnmerit.batch import evaluate_records
from asnmerit.cli import main
from asnmerit.demo import COLUMNS, sample_path, synthetic_agency
from asnmerit.evaluate import json_value
from asnmerit.inputs import duplicates, identifier_key
from asnmerit.records import csv_header, iter_records, read_records, to_csv
from asnmerit.stream import error_issues

IP = asnmerit.get("ip-asn")


def _write(path: Path, rows: list[dict[str, str]], columns: list[str] = COLUMNS) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def _bad_rows(n: int = 60) -> list[dict[str, str]]:
    """Synthetic rows with refused values and NIPs shared by rows far apart."""
    rows = synthetic_agency(n=n, seed=7)
    rows[3]["nip"] = rows[10]["nip"] = rows[n - 1]["nip"]  # three rows, one NIP
    rows[5]["pendidikan"] = "S9"
    rows[7]["seminar"] = "maybe"
    rows[30]["nip"] = "123"  # not an NIP: refused, and no duplicate of anything
    rows[40]["nip"] = ""
    rows[41]["nip"] = ""  # blanks are no duplicates of each other
    return rows


def _whole_file(path: Path, fmt: str, lang: str = "id") -> bytes:
    """What `asnmerit evaluate` wrote before it streamed: every row scored at once."""
    records = read_records(path)
    results = evaluate_records(IP, records)
    if fmt == "json":
        data = [
            {"row": r.row, "result": r.evaluation.to_dict()}
            if r.evaluation is not None
            else {"row": r.row, **json_value(r.identifiers), "error": error_issues(r.error)}
            for r in results
        ]
        return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode()
    ids = [n for n in IP.identifiers if any(n in rec for rec in records)]
    parts = [c.id for c in IP.score.children]
    columns = ["row", *ids, "score", "band", "band_label", "eligible", *parts, "warnings", "error"]
    rows = []
    for r in results:
        row: dict[str, Any] = {"row": r.row, **r.identifiers}
        if r.evaluation is not None:
            ev = r.evaluation
            row.update(
                score=D.plain(ev.score),
                band=ev.band.code,
                band_label=ev.band.label.get(lang),
                eligible=str(ev.eligible).lower(),
                warnings="; ".join(sorted({w.code for w in ev.warnings})),
            )
            row.update({c.id: D.plain(c.points) for c in ev.components.children})
        else:
            row["error"] = asnmerit.batch.brief(r.error)
        rows.append(row)
    return to_csv(rows, columns).encode()


@pytest.mark.parametrize("fmt", ["csv", "json"])
@pytest.mark.parametrize("which", ["demo", "bad", "bad-json-input", "header-only"])
def test_streamed_output_is_the_whole_file_output(
    which: str, fmt: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if which == "demo":
        src = sample_path()
    elif which == "bad":
        src = _write(tmp_path / "in.csv", _bad_rows())
    elif which == "bad-json-input":
        src = tmp_path / "in.json"
        src.write_text(json.dumps(_bad_rows()), encoding="utf-8")
    else:
        src = _write(tmp_path / "in.csv", [])
    expected = _whole_file(src, fmt)
    out = tmp_path / f"out.{fmt}"
    code = main(["evaluate", "ip-asn", str(src), "--format", fmt, "-o", str(out)])
    assert out.read_bytes() == expected
    assert code == (0 if which in ("demo", "header-only") else 1)
    # standard output streams the same bytes
    capsys.readouterr()
    assert main(["evaluate", "ip-asn", str(src), "--format", fmt]) == code
    assert capsys.readouterr().out.encode() == expected


def test_the_refused_rows_and_the_counts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = _write(tmp_path / "in.csv", _bad_rows())
    out, errors = tmp_path / "out.csv", tmp_path / "errors.csv"
    code = main(["evaluate", "ip-asn", str(src), "-o", str(out), "--errors", str(errors)])
    assert code == 1
    assert capsys.readouterr().err == "rows: 60, scored: 54, errors: 6\n"
    table = list(csv.DictReader(io.StringIO(out.read_text())))
    assert len(table) == 60  # the main output keeps every row
    issues = list(csv.DictReader(io.StringIO(errors.read_text())))
    ids = ["nip", "nama", "instansi", "unit_kerja", "status"]
    assert list(issues[0]) == ["row", *ids, "field", "expected", "got"]
    assert [(i["row"], i["field"]) for i in issues] == [
        ("4", "nip"),
        ("6", "pendidikan"),
        ("8", "seminar"),
        ("11", "nip"),
        ("31", "nip"),
        ("60", "nip"),
    ]
    shared = _bad_rows()[3]["nip"]
    assert issues[0]["nip"] == shared and issues[0]["nama"] == "Pegawai Sintetis 004"
    assert issues[0]["got"] == f"text '{shared}' (also in rows 11, 60)"
    assert issues[3]["got"] == f"text '{shared}' (also in rows 4, 60)"
    assert issues[1]["expected"].startswith("one of S3") and issues[1]["got"] == "text 'S9'"
    # each refused row of the main output is in the errors file, with its identifiers
    refused = {r["row"]: r["nip"] for r in table if r["error"]}
    assert refused == {i["row"]: i["nip"] for i in issues}


def test_duplicates_far_apart_are_all_refused(tmp_path: Path) -> None:
    rows = synthetic_agency(n=25_000, seed=5)
    rows[24_999]["nip"] = rows[0]["nip"]
    src = _write(tmp_path / "in.csv", rows)
    out = tmp_path / "out.csv"
    assert main(["evaluate", "ip-asn", str(src), "-o", str(out), "--quiet"]) == 1
    table = list(csv.DictReader(io.StringIO(out.read_text())))
    refused = [(r["row"], r["error"]) for r in table if r["error"]]
    nip = rows[0]["nip"]
    assert refused == [
        (
            "1",
            f"nip: expected a value used by one record only, got text '{nip}' (also in row 25000)",
        ),
        (
            "25000",
            f"nip: expected a value used by one record only, got text '{nip}' (also in row 1)",
        ),
    ]


def test_one_pass_finds_the_duplicates_of_the_whole_list() -> None:
    rng = random.Random(11)
    jpt = asnmerit.get("jpt")  # its unique identifier is the agency
    for _ in range(50):
        records: list[Any] = [
            {
                "nip": rng.choice(["198001012005011001", " 198001012005011001", "x", "", "1"]),
                "instansi": rng.choice(["A", "B", "A ", "C", None]),
            }
            for _ in range(rng.randint(0, 12))
        ]
        records.insert(rng.randint(0, len(records)), "not a record")
        for criteria in (IP, jpt):
            assert _shared(duplicates(criteria, iter(records))) == _brute(criteria, records)


def _shared(found: dict[int, list[tuple[str, list[int]]]]) -> set[tuple[int, str, tuple[int, ...]]]:
    return {(pos, name, tuple(others)) for pos, pairs in found.items() for name, others in pairs}


def _brute(criteria: Any, records: list[Any]) -> set[tuple[int, str, tuple[int, ...]]]:
    """Every pair of records that share a unique identifier's key, the slow way."""
    out = set()
    for ident in (i for i in criteria.identifiers.values() if i.unique):
        keys = [
            identifier_key(ident, r.get(ident.name)) if isinstance(r, dict) else None
            for r in records
        ]
        for pos, key in enumerate(keys):
            others = tuple(p for p, k in enumerate(keys) if k is not None and k == key and p != pos)
            if key is not None and others:
                out.add((pos, ident.name, others))
    return out


# -- column mappings ---------------------------------------------------------------------------

INDONESIAN = {
    "nip": "NIP BARU",
    "nama": "NAMA LENGKAP",
    "jenis_jabatan": "JENIS JABATAN",
    "pendidikan": "PENDIDIKAN TERAKHIR",
    "predikat_kinerja": "PREDIKAT KINERJA",
}


def _export(tmp_path: Path) -> Path:
    """The demo file with headers as a real export might spell them."""
    rows = [{INDONESIAN.get(k, k): v for k, v in r.items()} for r in read_records(sample_path())]
    return _write(tmp_path / "export.csv", rows, [INDONESIAN.get(c, c) for c in COLUMNS])


def test_a_column_mapping_gives_the_same_results(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = _export(tmp_path)
    mapping = tmp_path / "columns.yaml"
    mapping.write_text("".join(f"{v}: {k}\n" for k, v in INDONESIAN.items()), encoding="utf-8")
    out = tmp_path / "out.csv"
    assert main(["evaluate", "ip-asn", str(src), "--columns", str(mapping), "-o", str(out)]) == 0
    assert out.read_bytes() == _whole_file(sample_path(), "csv")
    as_json = tmp_path / "columns.json"
    as_json.write_text(json.dumps({v: k for k, v in INDONESIAN.items()}), encoding="utf-8")
    capsys.readouterr()
    assert main(["evaluate", "ip-asn", str(src), "--columns", str(as_json)]) == 0
    assert capsys.readouterr().out.encode() == out.read_bytes()
    # without the mapping, every row is refused for its unknown fields
    assert main(["evaluate", "ip-asn", str(src), "-o", str(out)]) == 1
    assert "rows: 320, scored: 0, errors: 320" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        (
            {"NIP BARU": "nip", "PENDIDIKAN TERAKHIR": "education", "X": "nip_lama"},
            "not a field of ip-asn 2019: education, nip_lama (fields: ",
        ),
        (
            {"NIP": "nip", "PENDIDIKAN": "pendidikan"},
            "mapped column(s) not in the file: NIP, PENDIDIKAN",
        ),
        (
            {"NIP BARU": "nip", "NAMA LENGKAP": "nama"},
            "no column for required input(s) jenis_jabatan, pendidikan, predikat_kinerja of "
            "ip-asn 2019; map a header to each",
        ),
        ({"NIP BARU": "nama", "NAMA LENGKAP": "nama"}, "duplicate column(s) nama"),
    ],
)
def test_a_bad_column_mapping_is_a_usage_error(
    mapping: dict[str, str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = _export(tmp_path)
    path = tmp_path / "columns.json"
    path.write_text(json.dumps(mapping), encoding="utf-8")
    out = tmp_path / "out.csv"
    out.write_text("old")
    assert main(["evaluate", "ip-asn", str(src), "--columns", str(path), "-o", str(out)]) == 2
    assert message in capsys.readouterr().err
    assert out.read_text() == "old" and sorted(p.name for p in tmp_path.iterdir()) == [
        "columns.json",
        "export.csv",
        "out.csv",
    ]


def test_a_column_mapping_is_for_csv_and_must_be_a_mapping(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "columns.yaml"
    path.write_text("- nip\n", encoding="utf-8")
    assert main(["evaluate", "ip-asn", str(sample_path()), "--columns", str(path)]) == 2
    assert "expected a mapping of column headers to field names" in capsys.readouterr().err
    path.write_text("NIP: nip\n", encoding="utf-8")
    src = tmp_path / "in.json"
    src.write_text("[]", encoding="utf-8")
    assert main(["evaluate", "ip-asn", str(src), "--columns", str(path)]) == 2
    assert "a column mapping applies to CSV files only" in capsys.readouterr().err


# -- reading as a stream -----------------------------------------------------------------------


def test_a_bad_byte_late_in_the_file_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "in.csv"
    text = sample_path().read_bytes()
    src.write_bytes(text + b"1980,Ab\xffc\n")
    out, errors = tmp_path / "out.csv", tmp_path / "errors.csv"
    out.write_text("old")
    args = ["evaluate", "ip-asn", str(src), "-o", str(out), "--errors", str(errors)]
    assert main(args) == 2
    assert capsys.readouterr() == (
        "",
        f"asnmerit: error: {src}: line 322, column 8: byte 0xff is not UTF-8 "
        "(save the file as UTF-8)\n",
    )
    assert out.read_text() == "old" and not errors.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv", "out.csv"]
    assert main(["evaluate", "ip-asn", str(src)]) == 2
    assert capsys.readouterr().out == ""  # standard output too: the file is checked first


def test_records_stream_one_at_a_time(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("\ufeffa, B ,\n1,2,\n\n3,4,5,6\n", encoding="utf-8")
    assert csv_header(src) == ["a", "B", "(column 3)"]
    records = iter_records(src, {"B": "b"})
    assert next(records) == {"a": "1", "b": "2"}
    assert next(records) == {"a": "3", "b": "4", "(column 3)": "5", "(extra cells)": ["6"]}
    assert next(records, None) is None
    assert list(iter_records(src)) == read_records(src)


# -- memory and progress -----------------------------------------------------------------------

MEASURE = """
import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=False)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)
"""


def _peak_mib(*args: str) -> int:
    """The peak resident memory (MiB) of ``asnmerit`` run with ``args`` in a child."""
    cmd = [sys.executable, "-c", MEASURE, sys.executable, "-m", "asnmerit", *args]
    return int(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)


def test_memory_does_not_grow_with_the_rows(tmp_path: Path) -> None:
    # Peak resident memory measured when this test was written (Python 3.11, 2 cores):
    # 2,000 rows: streamed 33 MiB, scored whole (before streaming) 43 MiB;
    # 200,000 rows (30 MB): streamed 62 MiB (the NIPs kept for the duplicate check are the
    # difference), scored whole 1,075 MiB. The bound leaves room and stays far below that.
    src = _write(tmp_path / "in.csv", synthetic_agency(n=200_000, seed=1))
    out = tmp_path / "out.csv"
    big = _peak_mib("evaluate", "ip-asn", str(src), "-o", str(out), "--quiet")
    with open(out, encoding="utf-8") as fh:
        assert sum(1 for _ in fh) == 200_001
    assert big < 200, big


def _on_a_terminal(*args: str) -> str:
    """What ``asnmerit`` writes to standard error when that is a terminal."""
    parent, child = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "asnmerit", *args],
        stdout=subprocess.DEVNULL,
        stderr=child,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    os.close(child)
    chunks = []
    while True:
        ready, _, _ = select.select([parent], [], [], 60)
        if not ready:
            break
        try:
            data = os.read(parent, 4096)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=60)
    os.close(parent)
    return b"".join(chunks).decode()


def test_progress_on_a_terminal_only(tmp_path: Path) -> None:
    src = _write(tmp_path / "in.csv", synthetic_agency(n=15_000, seed=2))  # about 1.5 s
    shown = _on_a_terminal("evaluate", "ip-asn", str(src), "-o", str(tmp_path / "a.csv"))
    assert "\rrows: " in shown and "/15000 scored: " in shown
    assert shown.endswith("\r\x1b[K" + "rows: 15000, scored: 15000, errors: 0\r\n")
    quiet = _on_a_terminal("evaluate", "ip-asn", str(src), "-o", str(tmp_path / "b.csv"), "-q")
    assert quiet == "rows: 15000, scored: 15000, errors: 0\r\n"
    # not a terminal: the counts only
    piped = subprocess.run(
        [sys.executable, "-m", "asnmerit", "evaluate", "ip-asn", str(src)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert piped.returncode == 0 and piped.stderr == "rows: 15000, scored: 15000, errors: 0\n"
