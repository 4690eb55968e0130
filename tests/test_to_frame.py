"""Result collections as tables with typed columns (pandas, polars, pyarrow), and the same
values as text through rows()."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import asnmerit
from asnmerit import aggregate, compare, evaluate_records, rank, select
from asnmerit.model import Criteria

from .helpers import pelaksana

KINDS = ["pandas", "polars", "pyarrow"]


def records_of(table: Any) -> list[dict[str, Any]]:
    """A table's rows as Python values (nulls as None)."""
    if isinstance(table, pd.DataFrame):
        return [
            {k: None if (not isinstance(v, list) and pd.isna(v)) else v for k, v in r.items()}
            for r in table.astype(object).to_dict("records")
        ]
    if isinstance(table, pl.DataFrame):
        return table.to_dicts()
    return table.to_pylist()


def population() -> list[dict[str, Any]]:
    return [
        pelaksana(instansi="A", status="PNS"),
        pelaksana(instansi="A", status="PPPK", pendidikan="S3"),
        pelaksana(instansi="B", status="PNS", pendidikan="S1"),
        pelaksana(instansi="B", status="PNS", pendidikan="S9"),  # not scored
    ]


def test_an_aggregate_as_a_typed_table(ip: Criteria) -> None:
    agg = aggregate(evaluate_records(ip, population()), "instansi")
    out = agg.to_frame()
    assert str(out["count"].dtype) == "Int64" and str(out["rejected"].dtype) == "Int64"
    assert out["band"].cat.ordered
    assert list(out["band"].cat.categories) == [b.code for b in ip.bands.table]
    assert isinstance(out["score"].iloc[0], Decimal)
    assert out["score"].tolist() == [g.score for g in agg.groups]
    floats = agg.to_frame(scores="float")
    assert floats["score"].round(1).tolist() == [round(float(g.score), 1) for g in agg.groups]  # type: ignore[arg-type]
    assert floats["kinerja"].dtype == "Float64"
    for kind in KINDS:
        rows = records_of(agg.to_frame(kind))
        assert [r["instansi"] for r in rows] == [r["instansi"] for r in agg.rows()]
        assert [r["count"] for r in rows] == [g.count for g in agg.groups]
        assert [r["score"] for r in rows] == [g.score for g in agg.groups]
        assert [r["band"] for r in rows] == [g.band.code if g.band else None for g in agg.groups]
    assert isinstance(agg.to_frame("polars").schema["band"], pl.Enum)
    assert pa.types.is_dictionary(agg.to_frame("pyarrow").schema.field("band").type)


def test_a_ranking_as_a_typed_table(ip: Criteria) -> None:
    ranking = rank(evaluate_records(ip, population()), group_by="instansi", top=1)
    text = ranking.rows()
    for kind in KINDS:
        rows = records_of(ranking.to_frame(kind))
        assert len(rows) == len(text)
        for typed, shown in zip(rows, text, strict=True):
            assert (typed["rank"] is None) == (shown["rank"] == "")
            if typed["rank"] is not None:
                assert str(typed["rank"]) == shown["rank"]
                assert isinstance(typed["rank"], int)
                assert typed["winner"] is (shown["winner"] == "true")
                assert typed["score"] == Decimal(shown["score"])
            assert (typed["excluded"] or "") == shown["excluded"]
    frame = ranking.to_frame()
    assert str(frame["rank"].dtype) == "Int64" and str(frame["tied"].dtype) == "boolean"
    # average ties give halves: the rank column is then a float column (exact: halves)
    halves = rank(evaluate_records(ip, [pelaksana(), pelaksana()]), ties="average")
    assert halves.to_frame()["rank"].tolist() == [1.5, 1.5]


def test_an_agency_ranking_as_a_table(ip: Criteria) -> None:
    agg = aggregate(evaluate_records(ip, population()), "instansi")
    out = rank(agg, stratum="PNS").to_frame()
    pns = {g.key["instansi"]: g.score for g in agg.groups if g.label == "PNS"}
    assert out["instansi"].tolist() == sorted(pns, key=lambda k: -pns[k])
    assert out["score"].tolist() == sorted(pns.values(), reverse=True)
    assert set(out["status"]) == {"PNS"}
    assert out["band"].cat.ordered


def test_a_selection_as_a_table() -> None:
    from .helpers import DATA
    from .test_selection import candidate

    award = asnmerit.load(DATA / "award.yaml")
    records = [
        candidate("p1", "provinsi", 90, tahap2=60),
        candidate("k1", "kota", 85, tahap2=70),
        candidate("broken", "kota", "many"),
    ]
    sel = select(evaluate_records(award, records))
    text = sel.rows("en")
    for kind in KINDS:
        rows = records_of(sel.to_frame(kind, lang="en"))
        assert [r["reached"] or "" for r in rows] == [r["reached"] for r in text]
        assert [r["stopped"] or "" for r in rows] == [r["stopped"] for r in text]
        assert [r["pertama"] for r in rows] == [1, 2, None]
        assert [r["row"] for r in rows] == [1, 2, 3]


def test_a_comparison_has_rows_a_dict_and_a_table(ip: Criteria) -> None:
    a = asnmerit.evaluate(ip, pelaksana())
    b = asnmerit.evaluate(ip, pelaksana(pendidikan="S2"))
    c = compare({"2021": a, "2022": b})
    rows = c.rows("en")
    assert rows[0] == {
        "period": "2021",
        "line": "score",
        "label": c.lines[0].label.get("en"),
        "points": "75.0",
        "max": "100",
        "change": "",
        "comparable": "",
        "scheme": "ip-asn",
        "version": "2019",
        "band": "sedang",
    }
    change = c.lines[0].cells[1].change
    assert change == b.score - a.score and rows[1]["change"] == str(change)
    assert rows[1]["comparable"] == "true"
    data = c.to_dict()
    assert data["format"] == "asnmerit.comparison/1" and data["periods"] == ["2021", "2022"]
    assert data["lines"][0]["cells"][1]["change"] == str(change)
    out = c.to_frame()
    assert out["change"].tolist()[:2] == [None, change]
    assert str(out["comparable"].dtype) == "boolean"


def test_a_table_kind_and_scores_are_checked(ip: Criteria) -> None:
    agg = aggregate(evaluate_records(ip, population()), "instansi")
    with pytest.raises(ValueError, match=r"to_frame: one of 'pandas', 'polars', 'pyarrow'"):
        agg.to_frame("excel")
    with pytest.raises(ValueError, match=r'scores: "decimal" or "float"'):
        agg.to_frame(scores="double")  # type: ignore[arg-type]


def test_a_sweep_and_a_shift_as_tables() -> None:
    from asnmerit.whatif import sensitivity, sweep

    from .test_scenario import CONDUCT, JPT, RANKED

    sw = sweep(JPT, [{}, CONDUCT], RANKED)
    out = sw.to_frame()
    assert out["rows"].tolist() == [3, 3] and str(out["rows"].dtype) == "Int64"
    assert out["mean"].tolist() == [p.mean for p in sw.points]
    assert out["persiapan"].tolist() == [p.means["persiapan"] for p in sw.points]
    counts = out[[b.code for b in JPT.bands.table]].sum(axis=1).tolist()
    assert counts == [3, 3]
    assert sw.to_frame(scores="float")["mean"].dtype == "Float64"
    moved = sensitivity(JPT, RANKED, CONDUCT, top=2)
    shift = moved.to_frame()
    assert shift["subject"].tolist() == ["A", "B"]
    assert shift["before"].tolist() == [2, 3] and shift["after"].tolist() == [3, 2]
    assert list(moved.to_frame("polars").columns) == ["subject", "before", "after"]


def test_collections_have_one_line_reprs(ip: Criteria) -> None:
    rows = evaluate_records(ip, population() * 50)
    agg = aggregate(rows, "instansi")
    shown = [repr(agg), repr(rank(rows)), repr(compare({"a": rows[0].evaluation}))]
    assert shown[0] == f"<Aggregate ip-asn 2019 by instansi: {len(agg.groups)} rows>"
    assert shown[1].startswith("<Ranking ip-asn 2019 by score: 1 groups, 150 placed, 50 not>")
    assert all(len(s) < 120 and "\n" not in s for s in shown)


def test_a_plan_and_a_partial_as_tables(ip: Criteria) -> None:
    from asnmerit.whatif import evaluate_partial, next_band

    plan = next_band(asnmerit.evaluate(ip, pelaksana(pendidikan="SD", seminar=False)))
    out = plan.to_frame()
    assert out["option"].tolist() == list(range(1, len(plan.options) + 1))
    assert out["gain"].tolist() == [o.gain for o in plan.options]
    assert out["band"].cat.ordered
    assert out["band"].tolist() == [o.evaluation.band.code for o in plan.options]
    record = pelaksana()
    del record["pendidikan"]
    partial = evaluate_partial(ip, record)
    rows = partial.to_frame("polars").to_dicts()
    assert {r["input"] for r in rows} == {d.input for d in partial.deciding}
    assert all(r["low"] <= r["high"] for r in rows)
