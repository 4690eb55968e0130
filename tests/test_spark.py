"""examples/spark_ip_asn.py, run as a user runs it: a local Spark scores a CSV with
``mapInArrow`` and ``evaluate_frame``, batch by batch, and writes Parquet.

Skipped where pyspark or Java is missing. Each row must be what the scalar batch gives;
the one difference, on purpose: an NIP shared by rows of two batches is not refused (a
batch sees only its own rows), and the example reports it from a groupby first.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import asnmerit
from asnmerit.cli.demo import COLUMNS, synthetic_agency
from asnmerit.engine.batch import brief, evaluate_records

pytest.importorskip("pyspark")
pq = pytest.importorskip("pyarrow.parquet")

EXAMPLE = Path(__file__).parent.parent / "examples" / "spark_ip_asn.py"
IP = asnmerit.get("ip-asn")
BATCH = 40


def java_works() -> bool:
    java = shutil.which("java")
    if java is None:
        return False
    return subprocess.run([java, "-version"], capture_output=True, check=False).returncode == 0


pytestmark = pytest.mark.skipif(not java_works(), reason="Spark needs Java")


def employees() -> list[dict[str, str]]:
    """A first batch refused row by row, an NIP shared by the first and the last rows
    (two batches apart), a few refused rows further on."""
    rows = synthetic_agency(n=5 * BATCH, seed=23)
    spoilers = [("predikat_kinerja", "bagus"), ("pendidikan", ""), ("nip", "12345")]
    for k in range(BATCH):
        field, value = spoilers[k % len(spoilers)]
        rows[k][field] = value
    rows[0]["nip"] = rows[1]["nip"] = "197604212005112001"
    rows[-1]["nip"] = " 197604212005112001"
    for k in range(2 * BATCH, len(rows), 9):
        rows[k]["seminar"] = "barangkali"
    return rows


def test_the_spark_example_scores_each_row_as_the_scalar_batch(tmp_path: Path) -> None:
    rows = employees()
    source, out = tmp_path / "pegawai.csv", tmp_path / "scored"
    with open(source, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    env = {**os.environ, "PYSPARK_PYTHON": sys.executable}
    done = subprocess.run(
        [sys.executable, str(EXAMPLE), str(source), "--out", str(out), "--batch", str(BATCH)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=600,
    )
    assert done.returncode == 1, done.stderr[-3000:]  # 1: an NIP is shared
    assert "2 NIP(s) held by more than one row" in done.stderr
    assert "197604212005112001: 3 rows" in done.stderr  # one batch apart too
    assert "12345: 13 rows" in done.stderr  # refused by the format anyway
    assert "|sangat_tinggi|" in done.stdout and "bagus" in done.stdout

    table = pq.read_table(out)
    assert str(table.schema.field("score").type) == "decimal128(4, 1)"
    got = {r["nama"]: r for r in table.to_pylist()}
    assert len(got) == len(rows)

    # The reference: the scalar batch on the same cells (a blank cell is missing there
    # too), where the batches are scored apart: row 0 and row 1 share a batch (refused),
    # the last row is alone with that NIP in its batch (scored).
    want = evaluate_records(IP, rows[:-1]) + evaluate_records(IP, rows[-1:])
    for k, (row, ref) in enumerate(zip(rows, want, strict=True)):
        g: dict[str, Any] = got[row["nama"]]
        assert g["nip"] == row["nip"], k
        if ref.evaluation is None:
            assert g["error"] == brief(ref.error), k
            assert g["score"] is None and g["band"] is None and g["eligible"] is None, k
        else:
            assert g["error"] is None, (k, g["error"])
            assert g["score"] == ref.evaluation.score, k
            assert g["band"] == ref.evaluation.band.code and g["eligible"] is True, k
    assert "also in row 2" in got[rows[0]["nama"]]["error"]
    assert got[rows[-1]["nama"]]["error"] is None
    assert sum(g["error"] is not None for g in got.values()) > BATCH
