"""Scalar benchmarks: start-up, loading the bundled criteria, scoring one row at a time.

Run: ``.venv/bin/python bench/bench_scalar.py`` (figures go to standard output; copy them
into bench/README.md with the machine they were taken on).
"""

from __future__ import annotations

import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

import asnmerit
from asnmerit.catalog import criteria_files
from asnmerit.demo import synthetic_agency


def best_of(runs: int, fn: Callable[[], object]) -> float:
    """The fastest of ``runs`` timings of ``fn``, in seconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def command(args: list[str]) -> float:
    return best_of(7, lambda: subprocess.run(args, check=True, capture_output=True))


def main() -> None:
    print(f"python {platform.python_version()} on {platform.machine()}, {platform.system()}")
    base = command([sys.executable, "-c", "pass"])
    imp = command([sys.executable, "-c", "import asnmerit"])
    cli = command([sys.executable, "-m", "asnmerit", "--help"])
    print(f"python -c pass          {base * 1000:7.1f} ms")
    print(f"import asnmerit         {imp * 1000:7.1f} ms  ({imp / base:.1f}x python -c pass)")
    print(f"asnmerit --help         {cli * 1000:7.1f} ms  ({cli / base:.1f}x python -c pass)")

    files = criteria_files()
    load_all = best_of(5, lambda: [asnmerit.load(p) for p in files])
    print(f"load + validate {len(files)} bundled file(s): {load_all * 1000:.1f} ms")

    ip = asnmerit.get("ip-asn")
    rows = synthetic_agency(n=20_000, seed=7)
    per_row = []
    for _ in range(3):
        start = time.perf_counter()
        for row in rows:
            asnmerit.evaluate(ip, row)
        per_row.append((time.perf_counter() - start) / len(rows))
    best = min(per_row)
    print(
        f"evaluate (scalar), {len(rows)} rows x 3: best {best * 1e6:.1f} us/row "
        f"(median {statistics.median(per_row) * 1e6:.1f}), {1 / best:,.0f} rows/s"
    )

    evaluations = [asnmerit.evaluate(ip, row) for row in rows]
    groups = len({row["unit_kerja"] for row in rows})
    ranking = best_of(5, lambda: asnmerit.rank(evaluations, group_by="unit_kerja", top=3))
    print(
        f"rank {len(evaluations)} evaluations in {groups} groups (competition, top 3): "
        f"{ranking * 1000:.1f} ms ({ranking / len(evaluations) * 1e6:.2f} us/subject)"
    )


if __name__ == "__main__":
    main()
