"""Reading benchmark: what sniffing, header matching and value maps cost `asnmerit evaluate`.

Run: ``.venv/bin/python bench/bench_reading.py [N] [--before SRC]`` (default 1,000,000 rows).
It writes N synthetic IP ASN rows twice: a plain CSV (comma, UTF-8, the field names as
headers) and an export as a spreadsheet in an Indonesian locale writes it (``;``, UTF-8 with
a byte-order mark, CRLF, a title row, headers typed by hand, five extra columns, the local
spellings of ``hr-export-id``). Then it times, each in a child process, best of three:

- ``asnmerit evaluate ip-asn plain.csv -o out.csv``;
- the same with the sources at ``--before`` (another checkout's ``src``: the code before the
  reading layer), when given;
- ``asnmerit evaluate ip-asn export.csv --profile hr-export-id -o out.csv``;
- a peer: polars reading the export (``separator=";"``, ``skip_rows=1``) and
  ``evaluate_frame`` with the same profile, written with polars.

Figures go to standard output; copy them into bench/README.md with the machine.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_stream import write_rows

SPELL = {
    "jenis_jabatan": {"struktural": "Administrator", "fungsional": "JFT", "pelaksana": "JFU"},
    "pendidikan": {"S1": "Sarjana", "S2": "Magister", "SLTA": "SMA/Sederajat", "D3": "Diploma III"},
    "hukuman_disiplin": {"tidak_ada": "Nihil", "ringan": "Hukdis Ringan"},
    "diklat_teknis_20jp": {"ya": "Sudah", "tidak": "Belum"},
}
EXTRA = ["No", "Golongan", "TMT Jabatan", "Unit Kerja Induk", "Keterangan"]

PEER = """
import sys, warnings, polars as pl, asnmerit
warnings.simplefilter("ignore")
frame = pl.read_csv(sys.argv[1], separator=";", skip_rows=1, infer_schema=False)
out = asnmerit.evaluate_frame(asnmerit.get("ip-asn"), frame, profile="hr-export-id")
out.write_csv(sys.argv[2])
"""


def write_export(plain: Path, export: Path) -> None:
    """``plain`` as an HR export spells and lays it out."""
    with (
        open(plain, newline="", encoding="utf-8") as src,
        open(export, "w", newline="", encoding="utf-8-sig") as out,
    ):
        reader = csv.reader(src)
        header = next(reader)
        writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
        writer.writerow(["DAFTAR PEGAWAI", *[""] * (len(header) + len(EXTRA) - 1)])
        writer.writerow([*EXTRA[:3], *(h.replace("_", " ").title() for h in header), *EXTRA[3:]])
        spell = [SPELL.get(h, {}) for h in header]
        for n, row in enumerate(reader, start=1):
            cells = [m.get(c, c) for m, c in zip(spell, row, strict=True)]
            writer.writerow([n, "III/a", "01/01/2020", *cells, "Dinas", ""])


def best(args: list[str], env: dict[str, str] | None = None) -> float:
    """The least CPU time (user + system, seconds) of three runs of ``args``: on a shared
    machine CPU time moves far less than the wall clock."""
    times = []
    for _ in range(3):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        done = subprocess.run(args, capture_output=True, env=env)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        assert done.returncode in (0, 1), done.stderr.decode()
        times.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("rows", nargs="?", type=int, default=1_000_000)
    parser.add_argument("--before", help="the src folder of a checkout to compare with")
    parser.add_argument("--keep", help="a folder to write the files into (kept)")
    args = parser.parse_args()
    print(f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as scratch:
        tmp = args.keep or scratch
        plain, export, out = Path(tmp) / "plain.csv", Path(tmp) / "export.csv", Path(tmp) / "o.csv"
        if not plain.exists():
            write_rows(plain, args.rows)
            write_export(plain, export)
        cmd = [sys.executable, "-m", "asnmerit", "evaluate", "ip-asn"]
        now = best([*cmd, str(plain), "-o", str(out), "-q"])
        print(f"{args.rows:,} rows; plain CSV, this code: {now:.2f} s")
        if args.before:
            env = {**os.environ, "PYTHONPATH": args.before}
            then = best([*cmd, str(plain), "-o", str(out), "-q"], env)
            print(f"  plain CSV, before: {then:.2f} s ({(now / then - 1) * 100:+.1f} %)")
        spelled = best([*cmd, str(export), "--profile", "hr-export-id", "-o", str(out), "-q"])
        print(f"  the export with --profile hr-export-id: {spelled:.2f} s "
              f"({(spelled / now - 1) * 100:+.1f} % on the plain CSV)")  # fmt: skip
        peer = best([sys.executable, "-c", PEER, str(export), str(out)])
        print(f"  peer: polars read_csv + evaluate_frame + write_csv: {peer:.2f} s")


if __name__ == "__main__":
    main()
