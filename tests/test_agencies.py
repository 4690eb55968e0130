"""Agencies ranked by their index within regional offices, provinces or any attribute,
checked against an independent pandas computation; the shipped table of BKN regional
offices; lookups the user passes."""

from __future__ import annotations

import random
import warnings
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pandas as pd
import pytest

import asnmerit
from asnmerit import aggregate, evaluate_frame, evaluate_records, rank
from asnmerit.analysis.lookups import Lookup, lookup
from asnmerit.errors import AsnmeritError
from asnmerit.model import Criteria

from .helpers import pelaksana

KANREG = lookup("kanreg")
PROVINCES = [row["provinsi"] for row in KANREG.rows]


def population(agencies: int, seed: int) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Employees of ``agencies`` agencies, each agency in a province."""
    rng = random.Random(seed)
    where = {f"Pemda {n:03}": rng.choice(PROVINCES) for n in range(agencies)}
    records = []
    for name in where:
        for _ in range(rng.randint(1, 6)):
            records.append(
                pelaksana(
                    instansi=name,
                    status=rng.choice(["PNS", "PPPK"]),
                    pendidikan=rng.choice(["SD", "SLTA", "D3", "S1", "S2", "S3"]),
                    seminar=rng.random() < 0.5,
                    diklat_teknis_20jp=rng.random() < 0.5,
                    predikat_kinerja=rng.choice(["sangat_baik", "baik", "cukup", "kurang"]),
                    hukuman_disiplin=rng.choice(["tidak_ada", "tidak_ada", "ringan", "sedang"]),
                )
            )
    return records, where


def test_500_agencies_in_14_regional_offices_match_pandas(ip: Criteria) -> None:
    records, where = population(500, seed=20)
    out = evaluate_frame(ip, pd.DataFrame(records), components=True, keep=["instansi", "status"])
    out["provinsi"] = out["instansi"].map(where)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the shipped rows of low confidence are warned of
        ranking = rank(aggregate(out, ["provinsi", "instansi"], criteria=ip), group_by="kanreg")

    # independently: exact means by pandas, rounded half up to 2 places, ranked "min"
    frame = out[["instansi", "provinsi", "score"]].copy()
    frame["score"] = frame["score"].map(Fraction)
    means = frame.groupby("instansi", sort=False).agg(
        total=("score", "sum"), n=("score", "size"), provinsi=("provinsi", "first")
    )
    means["mean"] = [_round(t / n) for t, n in zip(means["total"], means["n"], strict=True)]
    means["kanreg"] = [KANREG.get(p)["kanreg"] for p in means["provinsi"]]
    means["rank"] = (
        means["mean"].astype(float).groupby(means["kanreg"]).rank(method="min", ascending=False)
    )
    got = {
        p.identifiers["instansi"]: (g.key["kanreg"], int(p.rank), p.score)
        for g in ranking.groups
        for p in g.placings
    }
    assert len(got) == 500
    assert {ranking.groups[i].key["kanreg"] for i in range(len(ranking.groups))} <= {
        r["kanreg"] for r in KANREG.rows
    }
    for name, row in means.iterrows():
        assert got[name] == (row["kanreg"], int(row["rank"]), row["mean"]), name


def _round(value: Fraction) -> Decimal:
    scaled = value * 100
    whole = scaled.numerator // scaled.denominator
    if scaled - whole >= Fraction(1, 2):
        whole += 1
    return Decimal(whole).scaleb(-2)


def test_the_best_agency_of_its_regional_office(ip: Criteria) -> None:
    """The shape of the Batang result: one agency the best of those of Kanreg I."""
    good = {"pendidikan": "S2", "predikat_kinerja": "sangat_baik", "seminar": True}
    records = [
        pelaksana(instansi="Kabupaten Batang", status="PNS", **good),
        pelaksana(instansi="Kabupaten Batang", status="PPPK", **good),
        pelaksana(instansi="Kota Yogyakarta", status="PNS"),
        pelaksana(instansi="Kabupaten Sleman", status="PNS", pendidikan="S1"),
        pelaksana(instansi="Kota Surabaya", status="PNS", **good, hukuman_disiplin="tidak_ada"),
    ]
    where = {
        "Kabupaten Batang": "Jawa Tengah",
        "Kota Yogyakarta": "DI Yogyakarta",
        "Kabupaten Sleman": "DIY",
        "Kota Surabaya": "Jawa Timur",
    }
    agg = aggregate(evaluate_records(ip, records), "instansi")
    with pytest.warns(UserWarning, match=r"Jawa Timur \(low\)"):
        ranking = rank(
            agg, group_by="kanreg", lookup={k: {"provinsi": v} for k, v in where.items()}, top=1
        )
    first = ranking.group(kanreg="I")
    assert [p.identifiers["instansi"] for p in first.placings] == [
        "Kabupaten Batang",
        "Kabupaten Sleman",
        "Kota Yogyakarta",
    ]
    assert [p.winner for p in first.placings] == [True, False, False]
    assert first.placings[0].group is not None and first.placings[0].group.count == 2
    assert first.placings[0].evaluation is None


def test_ties_at_the_published_precision_share_a_rank(ip: Criteria) -> None:
    records = [pelaksana(instansi=a, status="PNS") for a in "ABC"]
    records.append(pelaksana(instansi="D", status="PNS", pendidikan="S3"))
    agg = aggregate(evaluate_records(ip, records), "instansi")
    for ties, ranks in [
        ("competition", [1, 2, 2, 2]),
        ("dense", [1, 2, 2, 2]),
        ("average", [1, 3, 3, 3]),
    ]:
        ranking = rank(agg, ties=ties)  # type: ignore[arg-type]
        assert [p.rank for p in ranking.groups[0].placings] == ranks
        assert [p.tied for p in ranking.groups[0].placings] == [False, True, True, True]


def test_groups_that_cannot_compete_say_why(ip: Criteria) -> None:
    records = [
        pelaksana(instansi="A", status="PNS"),
        pelaksana(instansi="B", status="PNS", pendidikan="S9"),  # not scored
        pelaksana(instansi="C", status="PNS"),
    ]
    agg = aggregate(evaluate_records(ip, records), "instansi")
    ranking = rank(
        agg, group_by="provinsi", lookup={"A": {"provinsi": "Aceh"}, "B": {"provinsi": "Aceh"}}
    )
    aceh = ranking.group(provinsi="Aceh")
    assert [p.identifiers["instansi"] for p in aceh.placings] == ["A"]
    assert [x.reasons[0].get("en") for x in aceh.excluded] == ["no employee was scored"]
    blank = ranking.groups[1]
    assert blank.excluded[0].reasons[0].get("en").startswith("no value for provinsi")
    rows = ranking.rows("en")
    assert [r["excluded"] for r in rows if r["excluded"]] == [
        "no employee was scored",
        "no value for provinsi, which decides the group",
    ]


def test_a_stratum_and_a_part_of_the_index(ip: Criteria) -> None:
    records = [
        pelaksana(instansi="A", status="PNS", predikat_kinerja="sangat_baik"),
        pelaksana(instansi="A", status="PPPK"),
        pelaksana(instansi="B", status="PNS"),
        pelaksana(instansi="B", status="PPPK", predikat_kinerja="sangat_baik"),
    ]
    agg = aggregate(evaluate_records(ip, records), "instansi")
    pns = rank(agg, "kinerja", stratum="PNS")
    assert [p.identifiers["instansi"] for p in pns.groups[0].placings] == ["A", "B"]
    assert pns.groups[0].placings[0].identifiers["status"] == "PNS"
    pppk = rank(agg, "kinerja", stratum="PPPK")
    assert [p.identifiers["instansi"] for p in pppk.groups[0].placings] == ["B", "A"]
    assert pns.label.get("en") == "Mean Kinerja per instansi" or "per instansi" in pns.label.get(
        "en"
    )


def test_what_cannot_be_ranked_is_refused_clearly(ip: Criteria) -> None:
    agg = aggregate(evaluate_records(ip, [pelaksana(instansi="A", status="PNS")]), "instansi")
    with pytest.raises(AsnmeritError, match=r"cannot group .* by 'wilayah'.*lookup="):
        rank(agg, group_by="wilayah")
    with pytest.raises(AsnmeritError, match=r"cannot rank by 'nope'"):
        rank(agg, "nope")
    with pytest.raises(AsnmeritError, match=r"no stratum 'PPNPN'"):
        rank(agg, stratum="PPNPN")
    with pytest.raises(AsnmeritError, match=r"unknown tie policy"):
        rank(agg, ties="olympic")  # type: ignore[arg-type]
    with pytest.raises(AsnmeritError, match=r"no band 'emas'"):
        rank(agg, min_band="emas")
    with pytest.raises(AsnmeritError, match=r"not on one scale"):
        rank(agg, criteria=asnmerit.get("jpt"))
    with pytest.raises(AsnmeritError, match=r"has no column 'instansi'"):
        rank(agg, group_by="kanreg", lookup=pd.DataFrame({"nama": ["A"], "provinsi": ["Aceh"]}))
    with pytest.raises(TypeError, match=r"lookup: a Lookup, a mapping or a table"):
        rank(agg, group_by="kanreg", lookup=["Aceh"])
    with pytest.raises(AsnmeritError, match=r"lookup= and stratum= rank the groups"):
        rank(evaluate_records(ip, [pelaksana()]), stratum="PNS")


def test_min_band_excludes_groups_below_it(ip: Criteria) -> None:
    records = [
        pelaksana(instansi="A", status="PNS", pendidikan="S3", predikat_kinerja="sangat_baik")
    ]
    records.append(pelaksana(instansi="B", status="PNS", pendidikan="SD", seminar=False))
    agg = aggregate(evaluate_records(ip, records), "instansi")
    bands = {g.key["instansi"]: g.band.code for g in agg.groups if g.band is not None}
    assert bands["A"] != bands["B"]
    ranking = rank(agg, min_band=bands["A"])
    assert [p.identifiers["instansi"] for p in ranking.groups[0].placings] == ["A"]
    assert "below" in ranking.groups[0].excluded[0].reasons[0].get("en")


def test_the_shipped_table_of_regional_offices() -> None:
    assert len(KANREG.rows) == 38
    assert len({r["kanreg"] for r in KANREG.rows}) == 14
    assert KANREG.get("jawa tengah")["kanreg"] == "I"
    assert KANREG.get("  DIY ")["provinsi"] == "Daerah Istimewa Yogyakarta"
    assert KANREG.get("Atlantis") is None
    assert KANREG.confidence == "low"  # no row rests on a regulation: said, not hidden
    refs = {r["key"] for r in KANREG.references}
    for row in KANREG.rows:
        assert row["confidence"] in ("high", "medium", "low", "assumption")
        assert row["basis"] and all(b["ref"] in refs for b in row["basis"])
    with pytest.raises(AsnmeritError, match=r"no shipped lookup 'x'"):
        lookup("x")


def test_a_lookup_refuses_a_value_that_names_two_rows() -> None:
    with pytest.raises(AsnmeritError, match=r"names two rows"):
        Lookup("t", "k", ("v",), [{"k": "A", "v": 1}, {"k": "A ", "v": 2}])


def test_the_bundled_example_finds_batang_the_best_of_kanreg_i(
    capsys: pytest.CaptureFixture[str],
) -> None:
    import runpy
    from pathlib import Path

    example = Path(__file__).parents[1] / "examples" / "agency_ranking.py"
    ranking = runpy.run_path(str(example))["main"](60, 7)
    best = ranking.group(kanreg="I").winners
    assert [p.identifiers["instansi"] for p in best] == ["Kabupaten Batang"]
    printed = capsys.readouterr().out
    assert "Kanreg    I: Kabupaten Batang (Jawa Tengah)" in printed
    assert "; 0 rows refused" in printed  # every employee scored: none lost on the way
    assert all(g.rejected == 0 for p in ranking.winners() for g in [p.group])


def test_a_province_written_with_its_prefix_is_found() -> None:
    for spelling in [
        "Prov. Jawa Tengah",
        "PROV JAWA TENGAH",
        "Provinsi Jawa Tengah",
        "prov.jateng",
    ]:
        row = KANREG.get(spelling)
        assert row is not None and row["provinsi"] == "Jawa Tengah", spelling
    assert KANREG.get("Prov.") is None and KANREG.get("Provinsi Atlantis") is None
