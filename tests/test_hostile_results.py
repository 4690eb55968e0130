"""Hostile tables, values and calls against the verbs that combine results: aggregate of
an edited result table, agencies ranked through lookups, to_frame, to_json, error bodies
and plots of a table. Each test states what a user should get: the right result, or an
error that names the value, the field or the row and what was expected."""

from __future__ import annotations

import json
import warnings
from decimal import Decimal
from typing import Any

import attrs
import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import asnmerit
from asnmerit import aggregate, evaluate_frame, evaluate_records, to_json
from asnmerit.errors import AsnmeritError, InputError, InputIssue
from asnmerit.model import Criteria

from .helpers import pelaksana

PEOPLE = [("A", "PNS", "S1"), ("B", "PNS", "SD"), ("A", "PPPK", "S3"), ("B", "PNS", "S9")]
"""Four employees of two agencies; the last one's pendidikan is refused (a rejected row)."""


def records() -> list[dict[str, Any]]:
    return [pelaksana(instansi=i, status=s, pendidikan=p) for i, s, p in PEOPLE]


def scored(criteria: Criteria, rows: list[dict[str, Any]] | None = None) -> pd.DataFrame:
    rows = records() if rows is None else rows
    frame = pd.DataFrame(rows, dtype=object)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return evaluate_frame(criteria, frame, components=True, keep=["instansi", "status"])


# -- aggregate of an edited table ------------------------------------------------------


def test_an_infinite_score_is_refused_naming_the_column_and_row(ip: Criteria) -> None:
    out = scored(ip)
    out["score"] = [Decimal("85"), Decimal("Infinity"), Decimal("95"), None]
    with pytest.raises(AsnmeritError, match=r"'score' .* Infinity on row 2: a score is a finite"):
        aggregate(out, "instansi", criteria=ip)
    floats = scored(ip).assign(score=[85.0, float("-inf"), 95.0, None])
    for table in (floats, pl.from_pandas(floats)):
        with pytest.raises(AsnmeritError, match=r"-Infinity on row 2"):
            aggregate(table, "instansi", criteria=ip)


def test_a_score_column_of_texts_is_refused_with_the_fix(ip: Criteria) -> None:
    out = scored(ip)
    out["score"] = out["score"].map(lambda v: None if v is None else str(v))
    with pytest.raises(AsnmeritError, match=r"holds str values, not numbers \('85.0' on row 1\)"):
        aggregate(out, "instansi", criteria=ip)


def test_a_table_with_two_columns_of_one_name_is_refused(ip: Criteria) -> None:
    out = scored(ip)
    twice = pd.concat([out, out[["score"]]], axis=1)
    with pytest.raises(AsnmeritError, match=r"two columns named 'score'"):
        aggregate(twice, "instansi", criteria=ip)
    arrow = pa.Table.from_pandas(out, preserve_index=False)
    doubled = arrow.append_column("instansi", arrow.column("status"))
    with pytest.raises(AsnmeritError, match=r"two columns named 'instansi'"):
        aggregate(doubled, "instansi", criteria=ip)


@pytest.mark.parametrize(
    ("make", "hint"),
    [
        (lambda t: pl.from_pandas(t).lazy(), r"polars LazyFrame: collect\(\) it first"),
        (
            lambda t: pa.Table.from_pandas(t, preserve_index=False).column("score"),
            r"pyarrow ChunkedArray: pass the whole table",
        ),
        (lambda t: t["score"], r"pandas Series: pass the whole table"),
    ],
)
def test_a_lazy_frame_or_one_column_is_refused_with_what_to_pass(
    ip: Criteria, make: Any, hint: str
) -> None:
    with pytest.raises(
        TypeError, match=r"^aggregate takes the table evaluate_frame returns.*" + hint
    ):
        aggregate(make(scored(ip)), "instansi", criteria=ip)


def test_fields_moved_into_the_index_are_named_with_reset_index(ip: Criteria) -> None:
    out = scored(ip).set_index(["instansi", "status"])
    with pytest.raises(AsnmeritError, match=r"'instansi' is in the table's index: .*reset_index"):
        aggregate(out, "instansi", criteria=ip)
    assert aggregate(out.reset_index(), "instansi", criteria=ip) == aggregate(
        evaluate_records(ip, records()), "instansi"
    )


def test_a_scored_row_whose_part_was_emptied_is_refused_not_counted_as_zero(
    ip: Criteria,
) -> None:
    out = scored(ip)
    out.loc[2, "kualifikasi"] = None
    with pytest.raises(AsnmeritError, match=r"row 3 of the table has a score but no value in "):
        aggregate(out, "instansi", criteria=ip)


@pytest.mark.parametrize("column", ["score", "band", "count", "kinerja"])
def test_grouping_by_a_column_named_as_an_aggregate_column_is_refused(
    ip: Criteria, column: str
) -> None:
    out = scored(ip)
    if column not in out.columns:
        out[column] = 1
    with pytest.raises(AsnmeritError, match=rf"cannot group by '{column}': an aggregate's rows"):
        aggregate(out, column, criteria=ip)


def test_an_edited_table_still_gives_the_aggregate_of_its_rows(ip: Criteria) -> None:
    """Rows filtered and concatenated, scores as floats, groups as categories: the same
    aggregate as the records they hold."""
    out = scored(ip)
    twice = pd.concat([out, out[out["instansi"] == "B"]])  # a repeated index
    twice["instansi"] = twice["instansi"].astype("category")
    twice["score"] = twice["score"].astype(float)
    rows = records() + [r for r in records() if r["instansi"] == "B"]
    assert aggregate(twice, "instansi", criteria=ip) == aggregate(
        evaluate_records(ip, rows), "instansi"
    )


# -- agencies ranked through lookups ---------------------------------------------------


def agencies(ip: Criteria, provinces: list[Any]) -> Any:
    rows = [pelaksana(instansi=f"Ag{k}", status="PNS", provinsi=p) for k, p in enumerate(provinces)]
    out = scored(ip, rows)
    out["provinsi"] = provinces
    return aggregate(out, ["instansi", "provinsi"], criteria=ip)


def test_a_province_the_shipped_table_does_not_know_is_named_in_the_exclusion(
    ip: Criteria,
) -> None:
    agg = agencies(ip, ["Prov. Jawa Tengah", "Jawa Tenggara", "J\u0430wa Tengah", None])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ranking = asnmerit.rank(agg, group_by="kanreg")
    why = {r["instansi"]: r["excluded"] for r in ranking.rows("en")}
    assert why["Ag0"] == ""
    assert why["Ag1"] == (
        "no value for kanreg: provinsi 'Jawa Tenggara' is not in the shipped lookup kanreg"
    )
    assert "'J\u0430wa Tengah' is not in the shipped lookup kanreg" in why["Ag2"]
    assert why["Ag3"] == "no value for kanreg: no value for provinsi, which decides the group"
    assert ranking.rows("id")[1]["excluded"] == (
        "tidak ada nilai untuk kanreg: provinsi 'Jawa Tenggara' tidak ada di tabel kanreg"
    )


def test_invisible_and_full_width_spellings_find_their_province(ip: Criteria) -> None:
    from asnmerit.analysis.lookups import lookup

    kanreg = lookup("kanreg")
    for spelling in ["Jawa Tengah\u200b", "\ufeffJawa Tengah", "\uff2a\uff41\uff57\uff41 Tengah"]:
        row = kanreg.get(spelling)
        assert row is not None and row["provinsi"] == "Jawa Tengah", spelling
    assert kanreg.get("J\u0430wa Tengah") is None  # a Cyrillic a is another name


def test_a_lookup_key_of_another_type_is_said_so(ip: Criteria) -> None:
    rows = [pelaksana(instansi="1", status="PNS")]
    agg = aggregate(scored(ip, rows), "instansi", criteria=ip)
    ranking = asnmerit.rank(agg, group_by="provinsi", lookup={1: {"provinsi": "Bali"}})
    assert ranking.rows("en")[0]["excluded"] == (
        "no value for provinsi: instansi '1' is not in lookup= (it is there as another type)"
    )
    gaps = asnmerit.rank(
        agg, group_by="provinsi", lookup={"1": {"kantor": "X"}, "2": {"provinsi": "Bali"}}
    )
    assert gaps.rows("en")[0]["excluded"] == (
        "no value for provinsi: lookup= gives no provinsi for instansi '1'"
    )


def test_a_chained_attribute_no_source_gives_names_the_chain(ip: Criteria) -> None:
    agg = aggregate(evaluate_records(ip, records()), "instansi")
    with pytest.raises(AsnmeritError, match=r"by 'provinsi' \('kanreg' comes from 'provinsi'"):
        asnmerit.rank(agg, group_by="kanreg")


@pytest.mark.parametrize("top", [True, 1.5, "2", 0, -1])
def test_top_must_be_a_whole_number_of_at_least_one(ip: Criteria, top: Any) -> None:
    agg = aggregate(evaluate_records(ip, records()), "instansi")
    with pytest.raises(AsnmeritError, match=r"top must be a whole number of at least 1, got"):
        asnmerit.rank(agg, top=top)


def test_a_stratum_is_refused_when_the_aggregate_has_none(ip: Criteria) -> None:
    rows = evaluate_records(ip, records())
    flat = aggregate(rows, "status")  # grouped by the stratum field itself: no strata
    with pytest.raises(AsnmeritError, match=r"stratum='PNS': the aggregate has no strata"):
        asnmerit.rank(flat, stratum="PNS")
    agg = aggregate(rows, "instansi")
    assert [p.subject["status"] for p in asnmerit.rank(agg, stratum=" PNS ").groups[0].placings]
    with pytest.raises(AsnmeritError, match=r"its status labels: 'PNS', 'PPPK', 'ASN'\)"):
        asnmerit.rank(agg, stratum="pns")


def test_a_malformed_tie_breaker_is_refused(ip: Criteria) -> None:
    agg = aggregate(evaluate_records(ip, records()), "instansi")
    for bad in [("kinerja",), ("kinerja", "higher", "x"), (1, "higher")]:
        with pytest.raises(AsnmeritError, match=r"tie breaker .*: a name, \(name"):
            asnmerit.rank(agg, tie_breakers=[bad])


def test_a_field_named_as_a_ranking_column_is_refused(ip: Criteria) -> None:
    out = scored(ip)
    out["rank"] = ["1", "2", "1", "2"]
    agg = aggregate(out, "rank", criteria=ip)
    with pytest.raises(AsnmeritError, match=r"cannot rank groups of 'rank': a ranking's rows"):
        asnmerit.rank(agg)


def test_lookup_tables_that_are_unclear_are_refused_with_the_fix(ip: Criteria) -> None:
    agg = aggregate(evaluate_records(ip, records()), "instansi")
    twice = pd.DataFrame([["A", "Bali", "Aceh"]], columns=["instansi", "provinsi", "provinsi"])
    with pytest.raises(AsnmeritError, match=r"two columns named 'provinsi'"):
        asnmerit.rank(agg, group_by="provinsi", lookup=twice)
    indexed = pd.DataFrame({"provinsi": ["Bali"]}, index=pd.Index(["A"], name="instansi"))
    with pytest.raises(AsnmeritError, match=r"'instansi' is its index, pass lookup.reset_index"):
        asnmerit.rank(agg, group_by="provinsi", lookup=indexed)
    assert asnmerit.rank(agg, group_by="provinsi", lookup=indexed.reset_index()).groups
    lazy = pl.DataFrame({"instansi": ["A"], "provinsi": ["Bali"]}).lazy()
    with pytest.raises(TypeError, match=r"got LazyFrame \(collect\(\) it first\)"):
        asnmerit.rank(agg, group_by="provinsi", lookup=lazy)


# -- to_frame ---------------------------------------------------------------------------


def wide(ip: Criteria, score: Decimal) -> Any:
    agg = aggregate(evaluate_records(ip, records()), "instansi")
    return attrs.evolve(agg, groups=(attrs.evolve(agg.groups[0], score=score),))


@pytest.mark.parametrize(
    "score",
    [Decimal("1" + "0" * 40 + ".5"), Decimal("0." + "1" * 45), Decimal("1E+50"), Decimal("12.5")],
)
def test_to_frame_keeps_decimals_wider_than_38_digits_exact(ip: Criteria, score: Decimal) -> None:
    agg = wide(ip, score)
    got = agg.to_frame("polars")["score"][0]
    assert Decimal(str(got)) == score
    arrow = agg.to_frame("pyarrow").column("score")[0].as_py()
    assert Decimal(str(arrow)) == score
    assert agg.to_frame("pandas")["score"][0] == score


def test_to_frame_refuses_a_band_not_in_the_scheme(ip: Criteria) -> None:
    agg = aggregate(evaluate_records(ip, records()), "instansi")
    g = agg.groups[0]
    assert g.band is not None
    odd = attrs.evolve(agg, groups=(attrs.evolve(g, band=attrs.evolve(g.band, code="zz")),))
    for kind in ("pandas", "polars", "pyarrow"):
        with pytest.raises(ValueError, match=r"column 'band': 'zz' is not one of the bands"):
            odd.to_frame(kind)


def test_to_frame_lang_must_be_id_or_en(ip: Criteria) -> None:
    agg = aggregate(evaluate_records(ip, records()), "instansi")
    with pytest.raises(ValueError, match=r"lang must be 'id' or 'en', got 'xx'"):
        asnmerit.rank(agg).to_frame(lang="xx")


# -- to_json and error bodies -----------------------------------------------------------


def test_to_json_refuses_deep_nesting_and_a_to_dict_that_holds_itself() -> None:
    deep: list[Any] = []
    for _ in range(5000):
        deep = [deep]
    with pytest.raises(ValueError, match=r"nested more than 200 deep"):
        to_json(deep)

    class Selfish:
        def to_dict(self) -> Any:
            return {"me": self}

    with pytest.raises(ValueError, match=r"a Selfish whose to_dict\(\) holds itself"):
        to_json(Selfish())


def test_to_json_writes_huge_numbers_exactly_and_briefly() -> None:
    big = 10**5000 + 7
    text = to_json({"n": big, "d": Decimal("1E+1000000"), "e": Decimal("-2.5E-999999")})
    back = json.loads(text, parse_float=Decimal, parse_int=Decimal)  # int() stops at 4300 digits
    assert back["n"] == Decimal(big)
    assert back["d"] == Decimal("1E+1000000") and back["e"] == Decimal("-2.5E-999999")
    assert len(text) < 5100
    assert to_json({np.int64(3): np.float64(0.5)}) == '{"3": 0.5}'


def test_to_json_indent_must_keep_the_text_json() -> None:
    with pytest.raises(ValueError, match=r"indent must be spaces or tabs"):
        to_json([1, [2]], indent="\n<x>")
    with pytest.raises(ValueError, match=r"0 or more"):
        to_json([1], indent=-1)
    assert json.loads(to_json([1, [2]], indent="\t")) == [1, [2]]


def test_an_error_body_can_be_sent_as_utf8() -> None:
    err = InputError([InputIssue("f\ud800", "x", "y\udfff", row=np.int64(3))])  # type: ignore[arg-type]
    body = err.to_dict()
    sent = json.dumps(body, ensure_ascii=False).encode("utf-8")  # what web frameworks do
    assert json.loads(sent)["issues"][0] == {
        "field": "f\\ud800",
        "row": 3,
        "expected": "x",
        "got": "y\\udfff",
        "code": None,
    }
    assert type(body["issues"][0]["row"]) is int
    assert AsnmeritError("bad \udc80").to_dict()["message"] == "bad \\udc80"


# -- plots of a table -------------------------------------------------------------------


def test_plot_bands_refuses_a_scored_row_whose_band_was_emptied(ip: Criteria) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from asnmerit import plot

    out = scored(ip)
    out["band"] = out["band"].astype(object)
    out.loc[0, "band"] = None
    with pytest.raises(AsnmeritError, match=r"row 1 of the table has a score but no band"):
        plot.bands(out, "instansi", criteria=ip)


def test_plot_distribution_refuses_an_infinite_score(ip: Criteria) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from asnmerit import plot

    out = scored(ip).assign(score=[85.0, float("inf"), 95.0, None])
    with pytest.raises(AsnmeritError, match=r"Infinity on row 2"):
        plot.distribution(out, criteria=ip)
