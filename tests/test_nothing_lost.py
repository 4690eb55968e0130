"""Nothing lost on the batch and command-line paths.

* rows in = rows scored + rows rejected, in input order, whatever the mix of good and bad rows;
* a run killed part-way (a real process, killed with SIGKILL) leaves the previous output intact;
* a write that fails half-way leaves the previous output intact and no temporary file;
* running a command again gives identical bytes, whatever the interpreter's hash seed.
"""

from __future__ import annotations

import csv
import io
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from asnmerit.cli import main
from asnmerit.cli.demo import sample_path
from asnmerit.engine.batch import evaluate_records
from asnmerit.files.atomic import write_atomic
from asnmerit.files.records import read_records

from .helpers import scheme
from .strategies import subjects

IP = scheme("ip-asn")
COLUMNS = ["nama", *IP.inputs]

# Ways a real export spoils a record, each refused by the scheme (field, bad cell).
SPOILERS: list[tuple[str, str]] = [
    ("pendidikan", "S-9"),
    ("predikat_kinerja", "sangat"),
    ("jenis_jabatan", "menteri"),
    ("seminar", "mungkin"),
    ("diklat_teknis_20jp", "2"),
    ("hukuman_disiplin", "berat sekali"),
]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def _write_csv(path: Path, records: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: _cell(v) for k, v in r.items()} for r in records)


@st.composite
def batches(draw: st.DrawFn) -> tuple[list[dict[str, Any]], list[bool]]:
    """Records of the IP ASN scheme, some spoiled; and which ones are good."""
    records, good = [], []
    for i in range(draw(st.integers(1, 25))):
        record = {"nama": f"Pegawai {i + 1}", **draw(subjects(IP, canonical=True))}
        spoil = draw(st.sampled_from([None, *SPOILERS]))
        if spoil is not None:
            field, bad = spoil
            record[field] = bad
        records.append(record)
        good.append(spoil is None)
    return records, good


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batch=batches(), fmt=st.sampled_from(["csv", "json"]))
def test_every_row_comes_out_in_order(
    batch: tuple[list[dict[str, Any]], list[bool]], fmt: str
) -> None:
    records, good = batch
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "in.csv", Path(tmp) / f"out.{fmt}"
        _write_csv(src, records)
        code = main(["evaluate", "ip-asn", str(src), "--format", fmt, "-o", str(out)])
        text = out.read_text(encoding="utf-8")
    assert code == (0 if all(good) else 1)
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(text)))
        assert [r["row"] for r in rows] == [str(i) for i in range(1, len(records) + 1)]
        assert [r["nama"] for r in rows] == [r["nama"] for r in records]
        assert [bool(r["score"]) for r in rows] == good
        assert [bool(r["error"]) for r in rows] == [not g for g in good]
    else:
        data = json.loads(text)
        assert [r["row"] for r in data] == list(range(1, len(records) + 1))
        names = [r["result"]["identifiers"]["nama"] if "result" in r else r["nama"] for r in data]
        assert names == [r["nama"] for r in records]
        assert ["result" in r for r in data] == good
        for row, ok, record in zip(data, good, records, strict=True):
            if not ok:  # the rejection names the spoiled field, what was expected, what came
                (issue,) = row["error"]
                field = next(f for f, bad in SPOILERS if record.get(f) == bad)
                assert issue["field"] == field and issue["expected"] and issue["got"]


def test_the_counts_add_up(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    records = [{"nama": f"P{i}", **_good()} for i in range(10)]
    for i, (field, bad) in zip((2, 5, 9), SPOILERS, strict=False):
        records[i][field] = bad
    src = tmp_path / "in.csv"
    _write_csv(src, records)
    assert main(["evaluate", "ip-asn", str(src), "-o", str(tmp_path / "out.csv")]) == 1
    assert capsys.readouterr().err.strip() == "rows: 10, scored: 7, errors: 3"
    results = evaluate_records(IP, read_records(src))
    assert [r.row for r in results] == list(range(1, 11))
    assert [r.ok for r in results].count(False) == 3


def _good() -> dict[str, str]:
    return {
        "jenis_jabatan": "pelaksana",
        "pendidikan": "S1",
        "diklat_teknis_20jp": "ya",
        "seminar": "tidak",
        "predikat_kinerja": "baik",
        "hukuman_disiplin": "tidak_ada",
    }


# -- a killed run -------------------------------------------------------------------------------

OLD = b"the previous output, which must survive\n"


def _big_input(path: Path, copies: int) -> None:
    """The demo agency ``copies`` times over (a name per row, no duplicate NIPs)."""
    rows = read_records(sample_path())
    fields = [f for f in rows[0] if f != "nip"]
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        for k in range(copies):
            for row in rows:
                writer.writerow({**row, "nama": f"{row['nama']} / {k}"})


def _command(src: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "asnmerit", "evaluate", "ip-asn", str(src), "-o", str(out)]


def _temporaries(directory: Path, out: Path) -> list[Path]:
    return list(directory.glob(f".{out.name}.*"))


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")
def test_a_killed_run_leaves_the_previous_output(tmp_path: Path) -> None:
    src, ref, out = tmp_path / "in.csv", tmp_path / "ref.csv", tmp_path / "out.csv"
    _big_input(src, copies=20)  # 6400 rows
    start = time.perf_counter()
    subprocess.run(_command(src, ref), check=False, capture_output=True)
    took = time.perf_counter() - start
    complete = ref.read_bytes()
    assert complete.count(b"\n") == 1 + 20 * 320

    outcomes = []
    # Kill at spread-out moments, then once the temporary output file has appeared (the
    # process is writing it): the target holds the old bytes or all the new ones, never a mix.
    moments: list[float | None] = [took * f for f in (0.2, 0.5, 0.8)] + [None] * 2
    for moment in moments:
        out.write_bytes(OLD)
        for stale in _temporaries(tmp_path, out):
            stale.unlink()
        proc = subprocess.Popen(_command(src, out), stderr=subprocess.DEVNULL)
        if moment is None:
            deadline = time.monotonic() + 60
            while not _temporaries(tmp_path, out) and proc.poll() is None:
                assert time.monotonic() < deadline, "the run never started writing"
        else:
            time.sleep(moment)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        got = out.read_bytes()
        assert got in (OLD, complete), f"a mix of old and new output after a kill at {moment}"
        outcomes.append(got == OLD)
    assert any(outcomes), "no kill landed before the output was replaced"


def test_a_failed_write_leaves_the_previous_output(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_bytes(OLD)
    # Megabytes are written (and flushed) before the lone surrogate makes the encoding fail.
    with pytest.raises(UnicodeEncodeError):
        write_atomic(target, "x" * 5_000_000 + "\ud800")
    assert target.read_bytes() == OLD
    assert not _temporaries(tmp_path, target)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root may write anywhere")
def test_an_unwritable_folder_leaves_the_previous_output(tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    target = folder / "out.csv"
    target.write_bytes(OLD)
    folder.chmod(0o500)
    try:
        with pytest.raises(PermissionError):
            write_atomic(target, "new")
        assert target.read_bytes() == OLD
    finally:
        folder.chmod(0o700)


# -- the same bytes again ---------------------------------------------------------------------


def _jpt_records(path: Path) -> None:
    rng = random.Random(6)
    names = ["nilai_persiapan", "nilai_pelaksanaan", "nilai_pelaporan", "nilai_inovasi"]
    lines = [",".join(["instansi", *names, "nilai_pelanggaran_sistem_merit"])]
    for i in range(40):
        scores = [str(rng.choice(range(60, 101, 5))) for _ in names]
        lines.append(",".join([f"Instansi {i:02d}", *scores, str(rng.choice((0, 0, 5)))]))
    lines.append("Rusak,x,1,1,1,1")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.slow
@pytest.mark.parametrize(
    "verb",
    [
        ["evaluate", "ip-asn", "{demo}", "--format", "csv"],
        ["evaluate", "ip-asn", "{demo}", "--format", "json"],
        ["aggregate", "ip-asn", "{demo}", "--by", "unit_kerja", "--json"],
        ["rank", "jpt", "{jpt}", "--as-of", "2021-06-30", "--format", "json"],
        ["rank", "jpt", "{jpt}", "--as-of", "2021-06-30", "--format", "csv"],
        ["report", "ip-asn", "{demo}", "--group-by", "unit_kerja"],
    ],
    ids=lambda v: "-".join(v[:1] + v[3:]).replace("--", ""),
)
def test_a_rerun_gives_identical_bytes(verb: list[str], tmp_path: Path) -> None:
    jpt = tmp_path / "jpt.csv"
    _jpt_records(jpt)
    args = [a.format(demo=sample_path(), jpt=jpt) for a in verb]
    outputs = []
    for seed in ("0", "4242"):  # set and dict orders must not leak into the output
        out = tmp_path / f"out-{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-m", "asnmerit", *args, "-o", str(out)],
            env=env,
            capture_output=True,
            check=False,
        )
        assert done.returncode in (0, 1), done.stderr.decode()
        outputs.append(out.read_bytes())
    assert outputs[0] and outputs[0] == outputs[1]
