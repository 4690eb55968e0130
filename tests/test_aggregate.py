"""Agency results from employee results, against a population computed by hand."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import asnmerit
from asnmerit.cli import main
from asnmerit.engine.batch import evaluate_records
from asnmerit.model import Criteria, Rounding

from .helpers import pelaksana


def population() -> list[dict[str, Any]]:
    """Seven rows; totals worked out by hand in the comments (kual + komp + kin + dis)."""
    a, b = {"instansi": "A"}, {"instansi": "B"}
    pns, pppk = {"status": "PNS"}, {"status": "PPPK"}
    return [
        # 5 + 40 + 25 + 5 = 75
        pelaksana(**a, **pns),
        # 10 + 22.5 + 15 + 3 = 50.5
        pelaksana(**a, **pns, pendidikan="D3", seminar=False, predikat_kinerja="cukup",
                  hukuman_disiplin="ringan"),
        # 15 + 40 + 30 + 5 = 90
        pelaksana(**a, **pns, pendidikan="S1", predikat_kinerja="sangat_baik"),
        # 25 + 22.5 + 30 + 3 = 80.5
        pelaksana(**a, **pppk, pendidikan="S3", seminar=False, predikat_kinerja="sangat_baik",
                  hukuman_disiplin="ringan"),
        # 5 + 17.5 + 25 + 5 = 52.5
        pelaksana(**a, **pppk, diklat_teknis_20jp=False),
        # 20 + 40 + 25 + 2 = 87
        pelaksana(**b, **pns, pendidikan="S2", hukuman_disiplin="sedang"),
        # not scored: an unknown education code
        pelaksana(**a, **pns, pendidikan="S9"),
    ]  # fmt: skip


def table(agg: asnmerit.Aggregate) -> list[tuple[Any, ...]]:
    return [
        (
            g.key.get("instansi"),
            g.label,
            g.count,
            g.rejected,
            None if g.score is None else str(g.score),
            None if g.band is None else g.band.code,
            tuple(str(v) for v in g.components.values()),
        )
        for g in agg.groups
    ]


def test_hand_computed_population(ip: Criteria) -> None:
    agg = asnmerit.aggregate(evaluate_records(ip, population()), by="instansi")
    assert (agg.scheme, agg.by, agg.stratify) == ("ip-asn", ("instansi",), "status")
    assert agg.rounding == Rounding(2, "half_up")
    assert table(agg) == [
        # 215.5 / 3 = 71.8333; dimensions 30/3, 102.5/3, 70/3, 13/3
        ("A", "PNS", 3, 1, "71.83", "sedang", ("10.00", "34.17", "23.33", "4.33")),
        # 133 / 2 = 66.5 (Rendah: 61-70)
        ("A", "PPPK", 2, 0, "66.50", "rendah", ("15.00", "20.00", "27.50", "4.00")),
        # the headcount-weighted mean: (3 x 71.8333 + 2 x 66.5) / 5 = 348.5 / 5
        ("A", "ASN", 5, 1, "69.70", "rendah", ("12.00", "28.50", "25.00", "4.20")),
        ("B", "PNS", 1, 0, "87.00", "tinggi", ("20.00", "40.00", "25.00", "2.00")),
        ("B", "ASN", 1, 0, "87.00", "tinggi", ("20.00", "40.00", "25.00", "2.00")),
    ]
    combined = agg.groups[2]
    assert combined.exact is not None and combined.exact * 5 == Decimal("348.5")


def test_rounding_is_declared_and_applied_once(ip: Criteria) -> None:
    # 75 + 75 + 80.5 + 50 = 280.5, and 280.5 / 4 = 70.125 exactly.
    records = [
        pelaksana(),
        pelaksana(),
        pelaksana(pendidikan="S3", seminar=False, predikat_kinerja="sangat_baik",
                  hukuman_disiplin="ringan"),
        # 15 + 0 + 30 + 5 = 50
        pelaksana(pendidikan="S1", seminar=False, diklat_teknis_20jp=False,
                  predikat_kinerja="sangat_baik"),
    ]  # fmt: skip
    evs = [asnmerit.evaluate(ip, r) for r in records]
    assert sum(ev.score for ev in evs) == Decimal("280.5")
    half_up = asnmerit.aggregate(evs).groups[-1]
    assert str(half_up.score) == "70.13" and half_up.band is not None
    assert half_up.band.code == "sedang"
    half_even = asnmerit.aggregate(evs, rounding=Rounding(2, "half_even")).groups[-1]
    assert str(half_even.score) == "70.12"
    whole = asnmerit.aggregate(evs, rounding=Rounding(0, "down")).groups[-1]
    assert str(whole.score) == "70" and whole.band is not None and whole.band.code == "rendah"


def test_without_a_stratum_field(ip: Criteria) -> None:
    records = [r for r in population()[:6] if r["instansi"] == "A"]
    for r in records:
        del r["status"]
    agg = asnmerit.aggregate([asnmerit.evaluate(ip, r) for r in records], by=["instansi"])
    # Rows without a status form their own (blank) stratum; nothing is dropped.
    assert [(g.label, g.count) for g in agg.groups] == [("", 5), ("ASN", 5)]


def test_refusals(ip: Criteria) -> None:
    merit = asnmerit.get("sistem-merit", as_of="2024-06-01")
    ev_ip = asnmerit.evaluate(ip, pelaksana())
    with pytest.raises(asnmerit.AsnmeritError, match="not on one scale"):
        asnmerit.aggregate([ev_ip], criteria=merit)
    with pytest.raises(asnmerit.AsnmeritError, match="cannot group by kota"):
        asnmerit.aggregate([ev_ip], by="kota")
    scores = dict.fromkeys(merit.inputs, "10")
    ev_merit = asnmerit.evaluate(merit, scores)
    with pytest.raises(asnmerit.AsnmeritError, match="declares no rounding of means"):
        asnmerit.aggregate([ev_merit])
    one = asnmerit.aggregate([ev_merit], rounding=Rounding(1)).groups
    assert [(g.count, str(g.score)) for g in one] == [(1, "80.0")]
    failed = evaluate_records(ip, [pelaksana(pendidikan="S9")])
    with pytest.raises(asnmerit.AsnmeritError, match="pass criteria="):
        asnmerit.aggregate(failed)
    (only,) = [g for g in asnmerit.aggregate(failed, criteria=ip).groups if g.stratum is None]
    assert (only.count, only.rejected, only.score, only.band) == (0, 1, None, None)
    with pytest.raises(TypeError, match="evaluations or row results"):
        asnmerit.aggregate([{"score": 1}])  # type: ignore[list-item]


def test_cli_aggregate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    records = population()
    path = tmp_path / "pegawai.csv"
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(records[0]))
        writer.writeheader()
        writer.writerows(records)
    code = main(["aggregate", "ip-asn", str(path), "--by", "instansi"])
    out, err = capsys.readouterr()
    assert code == 1 and "rows: 7, scored: 6, errors: 1" in err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows[2] == {
        "instansi": "A",
        "status": "ASN",
        "count": "5",
        "rejected": "1",
        "score": "69.70",
        "band": "rendah",
        "band_label": "Rendah",
        "kualifikasi": "12.00",
        "kompetensi": "28.50",
        "kinerja": "25.00",
        "disiplin": "4.20",
    }
    target = tmp_path / "out.json"
    assert main(["aggregate", "ip-asn", str(path), "--json", "-o", str(target)]) == 1
    data = json.loads(target.read_text())
    assert data["format"] == "asnmerit.aggregate/1" and data["by"] == []
    # No grouping: every scored row, (348.5 + 87) / 6 = 72.5833...
    assert [(g["label"], g["count"], g["score"]) for g in data["groups"]][-1] == ("ASN", 6, "72.58")


def test_groups_of_any_value_keep_types_apart(ip: Criteria) -> None:
    values: list[Any] = [["x", {"y": 1}], 1, True, "1", Decimal("1.0"), ["x", {"y": 1}]]
    values += [Decimal("1e400"), {"y": [2], "z": None}, {"z": None, "y": [2]}]
    rows = evaluate_records(ip, [pelaksana(instansi=v, status="PNS") for v in values])
    agg = asnmerit.aggregate(rows, by="instansi")
    combined = [g for g in agg.groups if g.stratum is None]
    assert [g.count for g in combined] == [2, 2, 1, 1, 1, 2]
    shown = [r["instansi"] for r in agg.rows() if r["status"] == "ASN"]
    assert shown == ['["x", {"y": 1}]', "1", "true", "1", "1" + "0" * 400, '{"y": [2], "z": null}']
    assert json.loads(json.dumps(agg.to_dict()))["groups"][0]["key"] == {
        "instansi": ["x", {"y": 1}]
    }


def test_the_stratum_field_as_the_group_keeps_its_column(ip: Criteria) -> None:
    records = [
        pelaksana(status="PNS"),
        pelaksana(status="PPPK", pendidikan="S1"),
        pelaksana(status="PNS", pendidikan="S2"),
    ]
    agg = asnmerit.aggregate(evaluate_records(ip, records), by="status")
    # each group is one stratum already: one row per group, no strata inside
    assert agg.stratify is None
    assert [(r["status"], r["count"], r["score"]) for r in agg.rows()] == [
        ("PNS", 2, "82.50"),
        ("PPPK", 1, "85.00"),
    ]


def test_cli_aggregate_by_the_stratum_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "pegawai.json"
    records = [pelaksana(status=s) for s in ("PNS", "PPPK", "PNS")]
    records += [pelaksana(status=1), pelaksana(status=True), pelaksana(status=[1])]
    path.write_text(json.dumps(records), encoding="utf-8")
    assert main(["aggregate", "ip-asn", str(path), "--by", "status"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["status"], r["count"]) for r in rows] == [
        ("PNS", "2"),
        ("PPPK", "1"),
        ("1", "1"),
        ("true", "1"),
        ("[1]", "1"),
    ]
