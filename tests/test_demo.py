"""The demo: a deterministic synthetic agency and an exact summary of it."""

from __future__ import annotations

import csv
from fractions import Fraction
from pathlib import Path

import asnmerit
from asnmerit.cli.demo import (
    COLUMNS,
    sample_path,
    summarize,
    synthetic_agency,
    write_sample,
)
from asnmerit.engine.batch import evaluate_records
from asnmerit.files.records import read_records


def test_shipped_sample_is_what_the_generator_makes(tmp_path: Path) -> None:
    fresh = write_sample(tmp_path / "agency.csv")
    assert fresh.read_bytes() == sample_path().read_bytes()
    assert synthetic_agency() == synthetic_agency()
    assert synthetic_agency(seed=1) != synthetic_agency()


def test_sample_rows_are_plausible() -> None:
    with sample_path().open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 320 and list(rows[0]) == COLUMNS
    assert len({r["nip"] for r in rows}) == 320
    assert all(len(r["nip"]) == 18 and r["nip"].isdigit() for r in rows)
    assert {r["status"] for r in rows} == {"PNS", "PPPK"}


def test_summary_is_exact_and_adds_up() -> None:
    ip = asnmerit.get("ip-asn")
    results = evaluate_records(ip, read_records(sample_path()))
    summary = summarize(ip, results)
    assert summary.rows == summary.scored == 320 and summary.failed == 0
    assert sum(summary.bands.values()) == 320
    # The mean, computed independently with fractions and rounded half up to 2 places.
    scores = [Fraction(r.evaluation.score) for r in results if r.evaluation]
    mean = sum(scores) / len(scores)
    assert summary.mean == round(Fraction(int(mean * 100 + Fraction(1, 2)), 100), 2)
    assert list(summary.dimension_means) == ["kualifikasi", "kompetensi", "kinerja", "disiplin"]


def test_summary_counts_failed_rows() -> None:
    ip = asnmerit.get("ip-asn")
    records = read_records(sample_path())[:3]
    records[1]["pendidikan"] = "S9"
    summary = summarize(ip, evaluate_records(ip, records))
    assert (summary.rows, summary.scored, summary.failed) == (3, 2, 1)


def test_large_synthetic_agencies_have_valid_distinct_nips() -> None:
    rows = synthetic_agency(n=2500, seed=3)
    nips = [r["nip"] for r in rows]
    assert len(set(nips)) == len(nips)
    results = evaluate_records(asnmerit.get("ip-asn"), rows)
    assert all(r.ok for r in results), next(str(r.error) for r in results if not r.ok)
