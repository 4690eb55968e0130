"""Scalar benchmarks: start-up, loading the bundled criteria, scoring one row at a time.

Run: ``.venv/bin/python bench/bench_scalar.py`` (figures go to standard output; copy them
into bench/README.md with the machine they were taken on).
"""

from __future__ import annotations

import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable

import asnmerit
from asnmerit.cli.demo import synthetic_agency
from asnmerit.spec.bundled import criteria_files


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


def startup(indent: str = "") -> None:
    """Print the start-up figures: ``import asnmerit`` (and its table engine) and
    ``asnmerit --help`` against ``python -c pass``, and loading every bundled file."""
    base = command([sys.executable, "-c", "pass"])
    imp = command([sys.executable, "-c", "import asnmerit"])
    frame = command([sys.executable, "-c", "import asnmerit.columnar.frame"])
    cli = command([sys.executable, "-m", "asnmerit", "--help"])
    print(f"{indent}python -c pass          {base * 1000:7.1f} ms")
    print(
        f"{indent}import asnmerit         {imp * 1000:7.1f} ms  ({imp / base:.1f}x python -c pass)"
    )
    print(f"{indent}import asnmerit.columnar.frame   {frame * 1000:7.1f} ms  (numpy too)")
    print(
        f"{indent}asnmerit --help         {cli * 1000:7.1f} ms  ({cli / base:.1f}x python -c pass)"
    )
    files = criteria_files()
    load_all = best_of(5, lambda: [asnmerit.load(p) for p in files])
    print(f"{indent}load + validate {len(files)} bundled file(s): {load_all * 1000:.1f} ms")


def main() -> None:
    print(f"python {platform.python_version()} on {platform.machine()}, {platform.system()}")
    startup()

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

    whatif(ip, rows[:1000])
    reliability(ip, rows)


def whatif(ip: asnmerit.Criteria, rows: list[dict[str, str]]) -> None:
    """The what-if questions: per record, on the first rows of the synthetic agency."""
    empty = best_of(3, lambda: asnmerit.whatif.evaluate_partial(ip, {}))
    print(f"evaluate_partial of an empty IP ASN record (5,600 completions): {empty * 1000:.0f} ms")
    blank = [{**row, "predikat_kinerja": "", "diklat_teknis_20jp": ""} for row in rows]
    start = time.perf_counter()
    for row in blank:
        asnmerit.whatif.evaluate_partial(ip, row)
    partial = (time.perf_counter() - start) / len(blank)
    print(f"evaluate_partial, 2 inputs blank, {len(blank)} rows: {partial * 1e3:.2f} ms/row")
    evaluations = [asnmerit.evaluate(ip, row) for row in rows]
    start = time.perf_counter()
    options = sum(len(asnmerit.whatif.next_band(ev).options) for ev in evaluations)
    plan = (time.perf_counter() - start) / len(evaluations)
    print(
        f"next_band (up to 2 changes), {len(evaluations)} rows: {plan * 1e3:.2f} ms/row, "
        f"{options / len(evaluations):.1f} options/row"
    )
    jpt = asnmerit.get("jpt")
    records = [
        {f"nilai_{d}": str(60 + (i * 7 + j * 13) % 40) for j, d in enumerate(_JPT)}
        | {"instansi": f"agency {i}"}
        for i in range(500)
    ]
    scenario = {"persiapan.weight": "0.3", "inovasi.weight": "0.1"}
    sens = best_of(3, lambda: asnmerit.whatif.sensitivity(jpt, records, scenario))
    print(f"sensitivity of a 500-agency JPT ranking to one weight change: {sens * 1000:.0f} ms")


def reliability(ip: asnmerit.Criteria, rows: list[dict[str, str]]) -> None:
    """Issue 6: the batch path with its NIP and duplicate checks, verify, dump, the corpus."""
    from asnmerit.engine.batch import evaluate_records

    batch = best_of(3, lambda: evaluate_records(ip, rows)) / len(rows)
    print(
        f"evaluate_records (NIP format, duplicate NIPs), {len(rows)} rows: {batch * 1e6:.1f} us/row"
    )
    stored = [asnmerit.evaluate(ip, row).to_dict() for row in rows[:5000]]
    check = best_of(3, lambda: asnmerit.verify(stored, ip)) / len(stored)
    print(f"verify {len(stored)} stored results: {check * 1e6:.1f} us/result")
    trip = best_of(5, lambda: asnmerit.loads(asnmerit.spec.dumps(ip)))
    print(f"dumps + loads of ip-asn: {trip * 1000:.1f} ms")
    with tempfile.TemporaryDirectory() as tmp:
        corpus = best_of(1, lambda: asnmerit.conformance.export(tmp))
        checked = best_of(1, lambda: asnmerit.conformance.check(tmp))
    print(f"conformance export (all schemes): {corpus:.1f} s; check: {checked:.1f} s")


_JPT = ("persiapan", "pelaksanaan", "pelaporan", "inovasi", "pelanggaran_sistem_merit")


if __name__ == "__main__":
    main()
