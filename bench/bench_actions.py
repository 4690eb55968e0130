"""What-if at scale: ``asnmerit.whatif.actions`` (which single change lifts the most employees
into their next band) on a million IP ASN employees, against ``evaluate_frame`` on the same
table.

Run: ``.venv/bin/python bench/bench_actions.py [--rows N] [--sample N]`` (default 1,000,000
rows; ``--sample`` rows, default 320, for the per-row loop). The rows are
``asnmerit.cli.demo.synthetic_agency(N, seed=7)``, as in ``bench_frame.py``: text cells as a
CSV export has them, every NIP distinct and valid. On the same rows, one run measures:

(a) ``evaluate_frame`` and ``actions`` on the pandas frame of every column (the NIP checked
    for its format and for duplicates, as both do), and on the 8 input columns only;
(b) ``actions`` on pyarrow and polars tables of every column;
(c) ``actions`` with up to two changes (pandas, every column);
(d) ``actions`` of the evaluations of the first ``--sample`` rows against the loop the HTML
    report ran before (``next_band`` with one change on every row below the top band),
    checked to give the same counts and gains.

Each step is the best of up to 3 runs (fewer when one run takes over 10 s), as wall-clock
and as CPU time (user + system): on a shared machine the CPU time moves far less. Figures
go to standard output; copy them into bench/README.md with the machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa

import asnmerit
from asnmerit.cli.demo import synthetic_agency
from asnmerit.whatif import actions, next_band


def timed(fn: Callable[[], Any], budget: float = 10.0) -> tuple[Times, Any]:
    """The best wall-clock and the best CPU time (user + system, all threads) of up to 3
    runs of ``fn`` (no more once ``budget`` seconds are spent), and the last result."""
    walls, cpus, result = [], [], None
    while len(walls) < 3 and sum(walls) < budget:
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        cpus.append(time.process_time() - cpu)
        walls.append(time.perf_counter() - wall)
    return Times(min(walls), min(cpus)), result


class Times(NamedTuple):
    wall: float
    cpu: float

    def ratio(self, other: Times) -> str:
        return (
            f"{self.wall / other.wall:.2f}x wall, {self.cpu / other.cpu:.2f}x CPU of evaluate_frame"
        )


def row(what: str, took: Times, note: str = "") -> None:
    print(f"  {what:<46} {took.wall:7.3f} s wall {took.cpu:7.3f} s CPU  {note}")


def machine() -> str:
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            model = next(
                (line.split(":", 1)[1].strip() for line in info if line.startswith("model name")),
                model,
            )
    except OSError:
        pass
    return f"nproc {os.cpu_count()}, {model}, {platform.system()} {platform.machine()}"


def by_loop(evaluations: list[asnmerit.Evaluation]) -> dict[tuple[str, Any], tuple[int, Decimal]]:
    """What the HTML report computed before: ``next_band`` with one change per row."""
    top = evaluations[0].criteria.bands.table[-1]
    lifted: Counter[tuple[str, Any]] = Counter()
    gains: dict[tuple[str, Any], Decimal] = {}
    for ev in evaluations:
        if ev.band == top:
            continue
        for option in next_band(ev, max_changes=1).options:
            change = option.changes[0]
            lifted[change.input, change.after] += 1
            gains[change.input, change.after] = (
                gains.get((change.input, change.after), 0) + option.gain
            )
    return {k: (n, gains[k]) for k, n in lifted.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=320, help="rows for the per-row loop")
    args = parser.parse_args()
    print(machine())
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
    profiles = len(inputs.drop_duplicates())
    print(
        f"{n:,} synthetic rows made in {made:.1f} s; {len(df.columns)} columns; {profiles:,} profiles"
    )
    actions(df.head(1000), criteria=ip)  # numpy, the plan and the candidates: loaded once

    print("(a) pandas: evaluate_frame against actions (one change)")
    frame_s, _ = timed(lambda: asnmerit.evaluate_frame(ip, df))
    row("evaluate_frame, every column", frame_s)
    found_s, found = timed(lambda: actions(df, criteria=ip))
    row("actions, every column", found_s, f"({found_s.ratio(frame_s)})")
    frame_in, _ = timed(lambda: asnmerit.evaluate_frame(ip, inputs))
    row("evaluate_frame, the 8 input columns only", frame_in)
    found_in, again = timed(lambda: actions(inputs, criteria=ip))
    row(
        "actions, the 8 input columns only",
        found_in,
        f"({found_in.ratio(frame_in)})",
    )
    assert again == found
    print(f"    {found.below:,} below the top band, {found.in_top:,} in it; best three:")
    for line in found.render("en").splitlines()[1:4]:
        print("    " + line)

    print("(b) other kinds of table, every column (converted beforehand, not timed)")
    arrow = pa.Table.from_pandas(df, preserve_index=False)
    for name, table in (("pyarrow", arrow), ("polars", pl.from_arrow(arrow))):
        took, _ = timed(lambda t=table: asnmerit.evaluate_frame(ip, t))
        row(f"{name}: evaluate_frame", took)
        took_a, same = timed(lambda t=table: actions(t, criteria=ip))
        row(f"{name}: actions", took_a, f"({took_a.ratio(took)})")
        assert same == found

    print("(c) up to two changes (pandas, every column)")
    pairs_s, pairs = timed(lambda: actions(df, criteria=ip, max_changes=2))
    row("actions(max_changes=2)", pairs_s, f"({pairs_s.ratio(frame_s)})")
    print(f"    {len(pairs.actions)} actions (single or pairs)")

    print(f"(d) the first {args.sample:,} rows as evaluations")
    evaluations = [r.evaluation for r in asnmerit.evaluate_records(ip, records[: args.sample])]
    scored = [ev for ev in evaluations if ev is not None]
    loop_s, loop = timed(lambda: by_loop(scored))
    row("next_band on every row (the report's loop before)", loop_s)
    api_s, api = timed(lambda: actions(scored))
    row("actions of the evaluations", api_s, f"({loop_s.wall / api_s.wall:.0f}x faster)")
    got = {
        (a.adjustments[0].input, a.adjustments[0].value): (a.lifted, a.gain) for a in api.actions
    }
    assert got == loop, "actions and the per-row loop differ"


if __name__ == "__main__":
    main()
