"""evaluate_frame on the partitions of a Dask DataFrame, with real local schedulers.

Each partition is scored by its own call of :func:`asnmerit.evaluate_frame`; the result
must equal, row for row and with the same index, one call on the whole pandas frame and
the scalar batch (:func:`asnmerit.engine.batch.evaluate_records`) on the same records. The
duplicate-identifier check sees one partition at a time: the last tests show what it
misses across partitions and the groupby that finds it (docs/how-to/dask-spark.md).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

import asnmerit
from asnmerit.cli.demo import synthetic_agency
from asnmerit.engine.batch import brief, evaluate_records

from .helpers import scheme

pd = pytest.importorskip("pandas")
dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")

IP = scheme("ip-asn")
PARTS = 4
SIZE = 60  # rows per partition


def records() -> list[dict[str, Any]]:
    """Four partitions' worth of synthetic rows: the first refused row by row (each in
    its own way), the second all good, the last two mixed."""
    rows: list[dict[str, Any]] = [dict(r) for r in synthetic_agency(n=PARTS * SIZE, seed=11)]
    spoilers = [
        ("predikat_kinerja", "bagus"),  # not a code
        ("pendidikan", None),  # missing
        ("nip", "12345"),  # refused by the NIP format
        ("seminar", "barangkali"),  # not a boolean
    ]
    for k in range(SIZE):
        field, value = spoilers[k % len(spoilers)]
        rows[k][field] = value
    for k in range(2 * SIZE, PARTS * SIZE, 7):
        rows[k]["hukuman_disiplin"] = "tidak ada"
    return rows


def frame(rows: list[dict[str, Any]]) -> Any:
    """The rows as pandas, under an index of their own (kept by every result)."""
    df = pd.DataFrame(rows)
    df.index = pd.RangeIndex(1000, 1000 + 3 * len(rows), 3, name="baris")
    return df


def scored(df: Any, scheduler: str) -> Any:
    """``df`` cut into partitions, each scored by evaluate_frame under ``scheduler``."""
    ddf = dd.from_pandas(df, npartitions=PARTS)
    assert ddf.npartitions == PARTS
    meta = asnmerit.evaluate_frame(IP, ddf._meta)  # an empty frame: the result's columns
    result = dd.map_partitions(asnmerit.evaluate_frame, IP, ddf, meta=meta)
    assert list(result.columns) == list(meta.columns)
    with dask.config.set(scheduler=scheduler):
        out = result.compute()
    assert dict(out.dtypes) == dict(meta.dtypes)  # meta told the truth
    return out


def plain(out: Any) -> list[dict[str, Any]]:
    """Result rows as dicts of plain values (every kind of null as None)."""
    return [
        {k: (None if v is None or v is pd.NA or v != v else v) for k, v in row.items()}
        for row in out.astype(object).to_dict("records")
    ]


@pytest.mark.slow
@pytest.mark.parametrize("scheduler", ["sync", "threads", "processes"])
def test_partitions_give_the_whole_frame_and_the_scalar_batch_row_for_row(scheduler: str) -> None:
    rows = records()
    df = frame(rows)
    out = scored(df, scheduler)
    whole = asnmerit.evaluate_frame(IP, df)
    assert list(out.index) == list(df.index) == list(whole.index)
    assert list(out.columns) == list(whole.columns)
    got, want = plain(out), plain(whole)
    assert got == want

    reference = evaluate_records(IP, rows)
    assert len(got) == len(reference) == PARTS * SIZE
    errors = 0
    for row, (g, r) in enumerate(zip(got, reference, strict=True), start=1):
        assert g["nip"] == rows[row - 1]["nip"], row
        if r.evaluation is None:
            errors += 1
            assert g["error"] == brief(r.error), row
            assert g["score"] is None and g["band"] is None and g["eligible"] is None, row
        else:
            assert g["error"] is None, (row, g["error"])
            assert isinstance(g["score"], Decimal) and g["score"] == r.evaluation.score, row
            assert g["band"] == r.evaluation.band.code, row
            assert g["eligible"] is r.evaluation.eligible, row
    assert errors >= SIZE  # the whole first partition, and the spoiled rows after it


def test_meta_is_an_empty_call_and_matches_the_partitions_columns() -> None:
    df = frame(records())
    meta = asnmerit.evaluate_frame(IP, df.iloc[:0])
    assert len(meta) == 0
    ids = ["nip", "nama", "instansi", "unit_kerja", "status"]
    assert list(meta.columns) == [*ids, "score", "band", "eligible", "error"]
    assert str(meta["eligible"].dtype) == "boolean" and meta["score"].dtype == object
    for part in (df.iloc[:SIZE], df.iloc[SIZE : 2 * SIZE], df.iloc[2 * SIZE :]):
        assert list(asnmerit.evaluate_frame(IP, part).columns) == list(meta.columns)
    with_parts = asnmerit.evaluate_frame(IP, df.iloc[:0], components=True)
    parts = [n.id for n in IP.score.children]
    assert list(with_parts.columns) == [*ids, "score", "band", "eligible", *parts, "error"]


def test_result_dtypes_do_not_depend_on_which_rows_a_partition_holds() -> None:
    df = frame(records())
    errors_only, scores_only = df.iloc[:SIZE], df.iloc[SIZE : 2 * SIZE]
    dtypes = [
        dict(asnmerit.evaluate_frame(IP, part).dtypes)
        for part in (df.iloc[:0], errors_only, scores_only, df)
    ]
    assert asnmerit.evaluate_frame(IP, errors_only)["score"].isna().all()
    assert asnmerit.evaluate_frame(IP, scores_only)["error"].isna().all()
    assert dtypes[1:] == dtypes[:-1]
    assert str(dtypes[0]["error"]) == "string"
    band = dtypes[0]["band"]  # the scheme's bands in their order, whatever the rows hold
    assert band.ordered and list(band.categories) == [b.code for b in IP.bands.table]


def test_a_nip_shared_across_partitions_is_found_by_a_groupby_not_by_the_partitions() -> None:
    rows = [dict(r) for r in synthetic_agency(n=PARTS * SIZE, seed=5)]
    rows[-1]["nip"] = " " + rows[0]["nip"]  # the last partition repeats the first's NIP
    rows[SIZE + 1]["nip"] = rows[SIZE]["nip"]  # and the second holds one twice
    df = frame(rows)
    out = plain(scored(df, "sync"))
    whole = plain(asnmerit.evaluate_frame(IP, df))
    refused = {k for k, row in enumerate(whole) if row["error"] is not None}
    assert refused == {0, SIZE, SIZE + 1, len(rows) - 1}
    # Within a partition, the shared value is caught (its rows counted from 1 there).
    assert "also in row 2" in out[SIZE]["error"] and "also in row 1" in out[SIZE + 1]["error"]
    # Across partitions, each row is scored: no partition sees the other.
    assert out[0]["error"] is None and out[-1]["error"] is None

    ddf = dd.from_pandas(df, npartitions=PARTS)
    key = ddf["nip"].str.strip()
    counts = key.groupby(key).size()
    shared = counts[counts > 1].compute()
    assert set(shared.index) == {rows[0]["nip"], rows[SIZE]["nip"]}
    assert int(ddf["nip"].str.strip().isin(list(shared.index)).sum().compute()) == 4
