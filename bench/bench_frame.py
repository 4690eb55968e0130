"""Columnar benchmarks: ``evaluate_frame`` on a million IP ASN employees, against the scalar
loop and against hand-written pandas of the same rules; start-up.

Run: ``.venv/bin/python bench/bench_frame.py [--rows N] [--sample N]`` (default 1,000,000
rows, a scalar sample of 50,000). The rows are ``asnmerit.cli.demo.synthetic_agency(N,
seed=7)``: the demo agency's distributions (job types 12/46/42 %, education, trainings,
ratings, punishments), text cells as a CSV export has them, every NIP distinct and valid.
On the same rows, one run measures:

(a) ``evaluate_frame`` on the pandas frame of every column (the NIP checked for its format
    and for duplicates, as the scheme declares), and on the input columns only;
(b) ``asnmerit.evaluate`` one row at a time, on the first ``--sample`` rows, extrapolated;
(c) hand-written pandas of the IP ASN rules (``.map(dict)``, ``np.select``, a sum,
    ``pd.cut``; no validation), checked to give ``evaluate_frame``'s score and band on
    every row;
(d) ``evaluate_frame`` on polars and pyarrow tables of the same rows;
(e) start-up: ``python -c pass``, ``import asnmerit``, ``asnmerit --help``, and loading and
    validating every bundled criteria file.

Each step is the best of up to 3 runs (fewer when one run takes over 10 s). Figures go to
standard output; copy them into bench/README.md with the machine.
"""

from __future__ import annotations

import argparse
import platform
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
from bench_scalar import startup  # beside this script: the start-up timings

import asnmerit
from asnmerit.cli.demo import synthetic_agency

# The IP ASN 2019 rules, written out by hand as an analyst would (criteria/ip-asn/2019.yaml).
KUALIFIKASI = {"S3": 25, "S2": 20, "S1": 15, "D4": 15, "D3": 10, "D2": 5, "D1": 5}
KUALIFIKASI |= {"SLTA": 5, "SLTP": 1, "SD": 1}
KINERJA = {"sangat_baik": 30, "baik": 25, "cukup": 15, "butuh_perbaikan": 15}
KINERJA |= {"kurang": 5, "sangat_kurang": 1, "buruk": 1}
DISIPLIN = {"tidak_ada": 5, "ringan": 3, "sedang": 2, "berat": 1}
BANDS = ["sangat_rendah", "rendah", "sedang", "tinggi", "sangat_tinggi"]


def by_hand(df: pd.DataFrame) -> pd.DataFrame:
    """IP ASN score and band in idiomatic pandas: no validation, binary floats (exact
    here: every value is a multiple of 0.5), upper-bound bands."""
    yes = {c: df[c].eq("true") for c in ("diklat_kepemimpinan", "diklat_fungsional")}
    teknis, seminar = df["diklat_teknis_20jp"].eq("true"), df["seminar"].eq("true")
    job = df["jenis_jabatan"]
    kompetensi = np.select(
        [job.eq("struktural"), job.eq("fungsional"), job.eq("pelaksana")],
        [
            15 * yes["diklat_kepemimpinan"] + 15 * teknis + 10 * seminar,
            15 * yes["diklat_fungsional"] + 15 * teknis + 10 * seminar,
            22.5 * teknis + 17.5 * seminar,
        ],
        default=np.nan,
    )
    score = (
        df["pendidikan"].map(KUALIFIKASI)
        + kompetensi
        + df["predikat_kinerja"].map(KINERJA)
        + df["hukuman_disiplin"].map(DISIPLIN)
    ).round(1)
    band = pd.cut(score, [-np.inf, 60, 70, 80, 90, 100], labels=BANDS)
    return pd.DataFrame({"score": score, "band": band}, index=df.index)


def timed(fn: Callable[[], Any], budget: float = 10.0) -> tuple[float, Any]:
    """The best time of up to 3 runs of ``fn`` (no more once ``budget`` seconds are
    spent) and the last result."""
    times, result = [], None
    while len(times) < 3 and sum(times) < budget:
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def check_agrees(frame: pd.DataFrame, hand: pd.DataFrame) -> None:
    """Every row of the hand-written result has evaluate_frame's score and band."""
    assert frame["error"].isna().all(), frame.loc[frame["error"].notna(), "error"].head()
    exact = np.asarray([float(v) for v in frame["score"]])
    if not np.array_equal(exact, hand["score"].to_numpy()):
        raise SystemExit("the hand-written scores differ from evaluate_frame's")
    if not (frame["band"].astype(str).to_numpy() == hand["band"].astype(str).to_numpy()).all():
        raise SystemExit("the hand-written bands differ from evaluate_frame's")


def row(what: str, seconds: float, rows: int, note: str = "") -> None:
    per = seconds / rows * 1e6
    print(f"  {what:<52} {seconds:8.2f} s {per:8.2f} us/row {note}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=50_000, help="rows for the scalar loop")
    args = parser.parse_args()
    print(
        f"python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}, "
        f"polars {pl.__version__}, pyarrow {pa.__version__}"
    )
    ip = asnmerit.get("ip-asn")
    n = args.rows

    start = time.perf_counter()
    records = synthetic_agency(n=n, seed=7)
    made = time.perf_counter() - start
    df = pd.DataFrame(records)
    inputs = df[list(ip.inputs)]
    print(f"{n:,} synthetic rows made in {made:.1f} s; {len(df.columns)} columns")

    print("(a) evaluate_frame, pandas")
    full_s, full = timed(lambda: asnmerit.evaluate_frame(ip, df))
    row("every column (NIP format + duplicate check)", full_s, n)
    inputs_s, scored = timed(lambda: asnmerit.evaluate_frame(ip, inputs))
    row("the 8 input columns only", inputs_s, n)

    sample = records[: args.sample]
    start = time.perf_counter()
    for record in sample:
        asnmerit.evaluate(ip, record)
    scalar = (time.perf_counter() - start) / len(sample) * n
    print(f"(b) evaluate, one row at a time ({len(sample):,} rows, extrapolated to {n:,})")
    row("scalar loop", scalar, n, f"({scalar / full_s:.1f}x (a), every column)")
    del records, sample

    hand_s, hand = timed(lambda: by_hand(df))
    check_agrees(scored, hand)
    check_agrees(full, hand)
    print("(c) hand-written pandas (map + np.select + sum + pd.cut), same scores and bands")
    row("by hand", hand_s, n)
    print(
        f"    ratio (a)/(c): every column {full_s / hand_s:.1f}x, "
        f"inputs only {inputs_s / hand_s:.1f}x (target <= 1.5x)"
    )

    print("(d) evaluate_frame, other kinds of table (converted beforehand, not timed)")
    arrow = pa.Table.from_pandas(df, preserve_index=False)
    for name, table in (("pyarrow", arrow), ("polars", pl.from_arrow(arrow))):
        took, out = timed(lambda t=table: asnmerit.evaluate_frame(ip, t))
        row(f"{name}, every column", took, n)
        took, _ = timed(lambda t=table: asnmerit.evaluate_frame(ip, t.select(list(ip.inputs))))
        row(f"{name}, the 8 input columns only", took, n)
        scores = out["score"].to_pylist() if name == "pyarrow" else out["score"].to_list()
        assert [Decimal(str(s)) for s in scores[:1000]] == list(full["score"][:1000])

    print("(e) start-up")
    startup(indent="  ")


if __name__ == "__main__":
    main()
