"""Streaming benchmark: `asnmerit evaluate` on a large CSV, end to end, against a bare floor.

Run: ``.venv/bin/python bench/bench_stream.py [N ...]`` (default 100000). For each N it
writes N synthetic rows to a CSV (made in chunks by ``asnmerit.cli.demo.synthetic_agency``,
NIPs kept distinct), then times, each in a child process with its peak resident memory:

- the floor: reading the file and writing a CSV of the same rows with the ``csv`` module;
- ``asnmerit evaluate ip-asn FILE -o OUT``: one pass, every NIP distinct;
- the same with one more row at the end, holding the first row's NIP: the output is cut back
  and the rows scored again (what a file with duplicates costs);
- ``asnmerit evaluate ip-asn FILE`` to standard output, a pipe: two passes.

Figures go to standard output; copy them into bench/README.md with the machine.
"""

from __future__ import annotations

import csv
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from asnmerit.cli.demo import COLUMNS, synthetic_agency

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
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
assert done.returncode in (0, 1), done  # 1: some rows refused
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
            cmd = [sys.executable, "-m", "asnmerit", "evaluate", "ip-asn"]
            took, mib = measure([*cmd, str(src), "-o", str(out), "--quiet"])
            report("asnmerit evaluate -o FILE", took, mib, n, floor)
            shared = Path(tmp) / "shared.csv"
            shutil.copyfile(src, shared)
            with open(src, encoding="utf-8") as fh, open(shared, "a", encoding="utf-8") as to:
                fh.readline()
                to.write(fh.readline())  # the first row again: its NIP is shared
            shutil.copyfile(shared, src)
            shared.unlink()
            took, mib = measure([*cmd, str(src), "-o", str(out), "--quiet"])
            report("the same, 1 NIP shared", took, mib, n, floor)
            took, mib = measure(["sh", "-c", f'"$@" | cat > "{out}"', "sh", *cmd, str(src)])
            report("to a pipe (stdout)", took, mib, n, floor)


def report(what: str, took: float, mib: int, n: int, floor: float) -> None:
    """One line of figures."""
    print(
        f"  {what}: {took:.2f} s ({took / n * 1e6:.1f} us/row, {n / took:,.0f} rows/s, "
        f"{took / floor:.2f}x the floor), peak {mib} MiB"
    )


if __name__ == "__main__":
    main()
