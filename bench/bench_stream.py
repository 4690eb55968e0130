"""Streaming benchmark: `asnmerit evaluate` on a large CSV, end to end, against a bare floor.

Run: ``.venv/bin/python bench/bench_stream.py [N ...]`` (default 100000). For each N it
writes N synthetic rows to a CSV (made in chunks by ``asnmerit.demo.synthetic_agency``,
NIPs kept distinct), then times, each in a child process with its peak resident memory:

- the floor: reading the file and writing a CSV of the same rows with the ``csv`` module;
- ``asnmerit evaluate ip-asn FILE -o OUT`` (streamed, with the duplicate-NIP pass).

Figures go to standard output; copy them into bench/README.md with the machine.
"""

from __future__ import annotations

import csv
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from asnmerit.demo import COLUMNS, synthetic_agency

CHUNK = 10_000

FLOOR = """
import csv, sys
with open(sys.argv[1], newline="", encoding="utf-8") as src, \\
        open(sys.argv[2], "w", newline="", encoding="utf-8") as out:
    writer = csv.writer(out, lineterminator="\\n")
    for row in csv.reader(src):
        writer.writerow(row)
"""

MEASURE = """
import resource, subprocess, sys, time
start = time.perf_counter()
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
took = time.perf_counter() - start
print(took, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)
"""


def write_rows(path: Path, n: int) -> None:
    """``n`` synthetic rows, made and written ``CHUNK`` at a time, every NIP distinct."""
    seen: set[str] = set()
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, COLUMNS, lineterminator="\n")
        writer.writeheader()
        for seed, start in enumerate(range(0, n, CHUNK)):
            rows = synthetic_agency(n=min(CHUNK, n - start), seed=seed)
            for row in rows:
                head, seq = row["nip"][:15], int(row["nip"][15:])
                while row["nip"] in seen:
                    seq = seq % 999 + 1
                    row["nip"] = f"{head}{seq:03d}"
                seen.add(row["nip"])
            writer.writerows(rows)


def measure(args: list[str]) -> tuple[float, int]:
    """Seconds and peak resident MiB of a child running ``args``."""
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, *args], capture_output=True, text=True, check=True
    )
    took, mib = done.stdout.split()
    return float(took), int(mib)


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [100_000]
    print(f"python {platform.python_version()} on {platform.machine()}, {platform.system()}")
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            src, out = Path(tmp) / "in.csv", Path(tmp) / "out.csv"
            start = time.perf_counter()
            write_rows(src, n)
            made = time.perf_counter() - start
            size = src.stat().st_size / 2**20
            print(f"{n:,} rows, {size:.1f} MiB of CSV (made in {made:.1f} s)")
            floor, floor_mib = measure([sys.executable, "-c", FLOOR, str(src), str(out)])
            print(f"  floor (csv read + csv write): {floor:.2f} s, peak {floor_mib} MiB")
            cmd = [sys.executable, "-m", "asnmerit", "evaluate", "ip-asn", str(src)]
            took, mib = measure([*cmd, "-o", str(out), "--quiet"])
            print(
                f"  asnmerit evaluate: {took:.2f} s ({took / n * 1e6:.0f} us/row, "
                f"{n / took:,.0f} rows/s, {took / floor:.0f}x the floor), peak {mib} MiB"
            )


if __name__ == "__main__":
    main()
