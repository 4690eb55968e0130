"""Aggregating a scored table: ``asnmerit.aggregate`` of the table ``evaluate_frame``
returns, against the time of ``evaluate_frame`` itself and against the strongest peers.

Run: ``.venv/bin/python bench/bench_aggregate.py [--rows N]`` (default 1,000,000 rows of
``asnmerit.cli.demo.synthetic_agency(N, seed=7)``: 27 work units, PNS and PPPK). One run
measures, each the best of 3:

(a) ``evaluate_frame(ip, df, components=True, keep=[unit_kerja, status])`` (pandas);
(b) ``aggregate(table, "unit_kerja", criteria=ip)`` of that pandas result, and of the same
    result as a polars and a pyarrow table: exact means of the total and of the four
    dimensions, per unit and per stratum (PNS, PPPK, ASN), rounded as the scheme declares;
(c) peers on float columns (``scores="float"``) doing the same grouping: pandas
    ``groupby([...]).mean()``, polars ``group_by().agg(mean)``, and DuckDB SQL over the
    Arrow table (when duckdb is installed). They round nothing and keep no exactness: a
    lower bound of the work;
(d) ``aggregate`` of ``evaluate_records`` row results on a 100,000-row sample (the path a
    user without tables takes), extrapolated.

Every asnmerit result is checked equal across the three table kinds and to the row path on
the sample. Figures go to standard output; copy them into bench/README.md.
"""

from __future__ import annotations

import argparse
import platform
import time
from collections.abc import Callable
from typing import Any

import pandas as pd
import polars as pl
import pyarrow as pa

import asnmerit
from asnmerit.cli.demo import synthetic_agency

KEEP = ["unit_kerja", "status"]
PARTS = ["kualifikasi", "kompetensi", "kinerja", "disiplin"]


def best(step: Callable[[], Any], runs: int = 3) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        out = step()
        times.append(time.perf_counter() - t0)
    return min(times), out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    n = parser.parse_args().rows
    ip = asnmerit.get("ip-asn")
    df = pd.DataFrame(synthetic_agency(n, seed=7))
    print(
        f"{n:,} rows; {platform.python_version()}, pandas {pd.__version__}, polars {pl.__version__}"
    )

    t, out = best(lambda: asnmerit.evaluate_frame(ip, df, components=True, keep=KEEP))
    print(f"(a) evaluate_frame (pandas, components):       {t:7.3f} s")
    frame_time = t
    tables = {"pandas": out, "polars": pl.from_pandas(out), "pyarrow": pa.Table.from_pandas(out)}
    results = {}
    for kind, table in tables.items():
        t, results[kind] = best(
            lambda table=table: asnmerit.aggregate(table, "unit_kerja", criteria=ip)
        )
        print(
            f"(b) aggregate of the {kind:8} table:           {t:7.3f} s  ({t / frame_time:.2f}x evaluate_frame)"
        )
    assert results["pandas"] == results["polars"] == results["pyarrow"]

    floats = asnmerit.evaluate_frame(ip, df, components=True, keep=KEEP, scores="float")
    cols = ["score", *PARTS]
    t, _ = best(lambda: floats.groupby(KEEP, observed=True)[cols].mean())
    print(f"(c) pandas groupby mean (floats):              {t:7.3f} s")
    lazy = pl.from_pandas(floats)
    t, _ = best(lambda: lazy.group_by(KEEP).agg([pl.col(c).mean() for c in cols]))
    print(f"(c) polars group_by mean (floats):             {t:7.3f} s")
    try:
        import duckdb
    except ImportError:
        print("(c) DuckDB: not installed")
    else:
        arrow = pa.Table.from_pandas(floats.astype({"band": "string"}))
        sql = f"SELECT {', '.join(KEEP)}, {', '.join(f'avg({c})' for c in cols)} FROM scored GROUP BY ALL"
        con = duckdb.connect()
        con.register("scored", arrow)
        t, _ = best(lambda: con.execute(sql).to_arrow_table())
        print(f"(c) DuckDB SQL avg over Arrow (floats):        {t:7.3f} s")

    sample = min(n, 100_000)
    records = df.iloc[:sample].to_dict("records")
    rows = asnmerit.evaluate_records(ip, records)
    t, by_rows = best(lambda: asnmerit.aggregate(rows, "unit_kerja"), runs=1)
    print(
        f"(d) aggregate of {sample:,} row results:        {t:7.3f} s  (x{n / sample:.0f}: {t * n / sample:.2f} s)"
    )
    head = asnmerit.evaluate_frame(ip, df.iloc[:sample], components=True, keep=KEEP)
    assert asnmerit.aggregate(head, "unit_kerja", criteria=ip) == by_rows


if __name__ == "__main__":
    main()
