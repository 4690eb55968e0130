"""Tables in: the verbs that combine results take the table evaluate_frame returns (pandas,
polars, pyarrow) and give what they give from evaluations and row results."""

from __future__ import annotations

import warnings
from decimal import Decimal
from typing import Any

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import asnmerit
from asnmerit import aggregate, evaluate_frame, evaluate_records, rank
from asnmerit.errors import AsnmeritError
from asnmerit.model import Criteria, Rounding
from asnmerit.spec.bundled import criteria_files

from .helpers import criteria_file
from .strategies import subjects

SCHEMES = {f"{p.parent.name}/{p.stem}": p for p in criteria_files()}
ROUNDING = Rounding(2, "half_even")
GROUPS = ["A", "B", " A", "b", None, ""]
"""Group values: one text trimmed or not, blanks."""


def tables(out: pd.DataFrame) -> dict[str, Any]:
    """One pandas result as each kind of table (the decimals kept exact in each)."""
    return {
        "pandas": out,
        "pyarrow": pa.Table.from_pandas(out, preserve_index=False),
        "polars": pl.from_pandas(out),
    }


def scored(criteria: Criteria, records: list[dict[str, Any]], keep: list[str]) -> pd.DataFrame:
    names = dict.fromkeys([*keep, *(k for r in records for k in r)])
    frame = pd.DataFrame(records, columns=list(names), dtype=object)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return evaluate_frame(criteria, frame, components=True, keep=keep)


@st.composite
def population(draw: st.DrawFn, criteria: Criteria) -> list[dict[str, Any]]:
    """Records with a group column (``unit``: any column), an identifier to group by
    when the scheme has a free one, and now and then a value that is refused."""
    first = next(iter(criteria.inputs))
    rows = []
    for _ in range(draw(st.integers(0, 12))):
        record = draw(subjects(criteria, canonical=True))
        record["unit"] = draw(st.sampled_from(GROUPS))
        if draw(st.integers(0, 5)) == 0:
            record[first] = "?"  # refused: the row is rejected, never dropped
        rows.append(record)
    return rows


@pytest.mark.parametrize("name", sorted(SCHEMES))
@settings(max_examples=8)
@given(data=st.data())
def test_aggregate_of_a_table_is_the_aggregate_of_its_rows(name: str, data: st.DataObject) -> None:
    criteria = criteria_file(SCHEMES[name])
    records = data.draw(population(criteria))
    rounding = None if criteria.aggregation else ROUNDING
    free = [k for k, i in criteria.identifiers.items() if i.format is None and not i.unique]
    # the row results group only by fields: name the unit an identifier when one is free
    field = free[0] if free else None
    if field is not None:
        for r in records:
            r[field] = r.pop("unit")
    else:
        for r in records:
            r.pop("unit")
    stratify = criteria.aggregation.stratify if criteria.aggregation else None
    keep = [f for f in (field, stratify) if f is not None]
    for r in records:
        if stratify is not None:
            r.setdefault(stratify, data.draw(st.sampled_from(["PNS", "PPPK", None])))
    rows = evaluate_records(criteria, records)
    out = scored(criteria, records, keep)
    for by in ([field] if field else [], []):
        expected = aggregate(rows, by, criteria=criteria, rounding=rounding)
        for kind, table in tables(out).items():
            got = aggregate(table, by, criteria=criteria, rounding=rounding)
            assert got == expected, kind


def test_a_table_may_group_by_any_of_its_columns(ip: Criteria) -> None:
    from .helpers import pelaksana

    records = [pelaksana(instansi=i, status="PNS") for i in ["A", "B", "A"]]
    out = scored(ip, records, ["instansi", "status"])
    out["provinsi"] = ["Jawa Tengah", "DIY", "Jawa Tengah"]
    agg = aggregate(out, "provinsi", criteria=ip)
    assert [(g.key["provinsi"], g.label, g.count) for g in agg.groups] == [
        ("Jawa Tengah", "PNS", 2),
        ("Jawa Tengah", "ASN", 2),
        ("DIY", "PNS", 1),
        ("DIY", "ASN", 1),
    ]


def test_what_a_table_lacks_is_named_with_the_fix(ip: Criteria) -> None:
    from .helpers import pelaksana

    records = [pelaksana(instansi="A", status="PNS")]
    bare = evaluate_frame(ip, pd.DataFrame(records))
    with pytest.raises(AsnmeritError, match=r"criteria=") as err:
        aggregate(bare, "instansi")
    with pytest.raises(AsnmeritError, match=r"components=True") as err:
        aggregate(bare, "instansi", criteria=ip)
    assert "'kualifikasi'" in str(err.value)
    full = scored(ip, records, ["instansi"])
    with pytest.raises(AsnmeritError, match=r"keep it .*'status'"):
        aggregate(full, "instansi", criteria=ip)
    with pytest.raises(AsnmeritError, match=r"no column 'pendidikan'"):
        aggregate(scored(ip, records, ["instansi", "status"]), "pendidikan", criteria=ip)
    other = asnmerit.get("jpt")
    with pytest.raises(AsnmeritError, match=r"not bands of jpt"):
        aggregate(full, criteria=other, rounding=ROUNDING)
    with pytest.raises(AsnmeritError, match=r"with a score column"):
        aggregate(pd.DataFrame({"instansi": ["A"]}), criteria=ip)


def test_sums_beyond_float_precision_stay_exact(ip: Criteria) -> None:
    import numpy as np

    from asnmerit.analysis.aggregation import _sums

    big = Decimal("123456789012345678901234567890.123")
    codes = np.zeros(3, np.int64)
    cell = np.array([0, 0, 1])
    got = _sums(codes, [big], cell, np.ones(3, np.bool_), 2)
    assert got == [Decimal("246913578024691357802469135780.246"), big]
    small = _sums(np.array([0, 1, -1]), [Decimal("0.1"), Decimal("2")], cell, np.ones(3, bool), 2)
    assert small == [Decimal("2.1"), Decimal(0)]


def test_plots_of_a_table_draw_what_plots_of_its_rows_draw(ip: Criteria) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from asnmerit import plot

    from .helpers import pelaksana

    records = [
        pelaksana(unit_kerja=u, status="PNS", pendidikan=p)
        for u, p in [("A", "S1"), ("A", "SD"), ("B", "S3"), ("B", "S9"), (None, "S2")]
    ]
    rows = evaluate_records(ip, records)
    out = scored(ip, records, ["unit_kerja", "status"])

    def drawn(ax: Any) -> list[Any]:
        bars = [
            (
                round(p.get_x(), 6),
                round(p.get_y(), 6),
                round(p.get_width(), 6),
                round(p.get_height(), 6),
            )
            for p in ax.patches
        ]
        texts = [t.get_text() for t in ax.texts]
        return [bars, texts, ax.get_title(), [t.get_text() for t in ax.get_yticklabels()]]

    for kind, table in tables(out).items():
        for draw in (
            lambda r, **k: plot.bands(r, "unit_kerja", **k),
            lambda r, **k: plot.bands(r, share=True, **k),
            lambda r, **k: plot.distribution(r, **k),
            lambda r, **k: plot.components(r, **k),
        ):
            want = drawn(draw(rows))
            got = drawn(draw(table, criteria=ip))
            assert got == want, kind
            plt.close("all")


STAGED = sorted(n for n, path in SCHEMES.items() if "anugerah" in n)


@pytest.mark.parametrize("name", STAGED)
@settings(max_examples=8)
@given(data=st.data())
def test_select_of_a_table_is_the_selection_of_its_rows(name: str, data: st.DataObject) -> None:
    criteria = criteria_file(SCHEMES[name])
    award = criteria.award
    assert award is not None and award.stages
    records = data.draw(population(criteria))
    for r in records:
        r.pop("unit")
    per = list(dict.fromkeys(f for s in award.stages for f in s.per))
    categories = [s.by for s in award.stages if s.by]
    table = scored_with(criteria, records, per, categories, award.tie_breakers)
    expected = asnmerit.select(evaluate_records(criteria, records), criteria=criteria)
    for kind, each in tables(table).items():
        got = asnmerit.select(each, criteria=criteria)
        assert scores_as_numbers(got.to_dict()) == scores_as_numbers(expected.to_dict()), kind
        assert got.rows("en") == expected.rows("en"), kind


def same_ranking(a: asnmerit.Ranking, b: asnmerit.Ranking) -> None:
    """Two rankings alike in all a table can hold (a table's placings have no evaluation,
    its rejected rows no error object; a decimal column of Arrow or polars writes every
    score with the column's places: ``0.00`` for ``0``)."""
    assert scores_as_numbers(a.to_dict()) == scores_as_numbers(b.to_dict())
    assert scores_as_numbers(a.rows("en")) == scores_as_numbers(b.rows("en"))


def scores_as_numbers(value: Any) -> Any:
    """``value`` with every ``score`` written as its number (``0.00`` as ``0``)."""
    if isinstance(value, dict):
        return {
            k: Decimal(v).normalize()
            if k == "score" and v not in (None, "")
            else scores_as_numbers(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [scores_as_numbers(v) for v in value]
    return value


@pytest.mark.parametrize("name", sorted(SCHEMES))
@settings(max_examples=8)
@given(data=st.data())
def test_rank_of_a_table_is_the_rank_of_its_rows(name: str, data: st.DataObject) -> None:
    criteria = criteria_file(SCHEMES[name])
    records = data.draw(population(criteria))
    for r in records:
        r.pop("unit")
    idents = [k for k, i in criteria.identifiers.items() if i.format is None and not i.unique]
    for r in records:
        for k in idents:
            r[k] = data.draw(st.sampled_from(["A", "B", " A", None]))
    award = criteria.award
    measures: list[str | None] = [None, *(c.id for c in award.categories)] if award else [None]
    breakers = award.tie_breakers if award else ()
    keep = list(dict.fromkeys([*idents, *(award.group_by if award else ())]))
    categories = [m for m in measures if m]
    tables_out = tables(scored_with(criteria, records, keep, categories, breakers))
    rows = evaluate_records(criteria, records)
    for by in measures:
        options: dict[str, Any] = {"by": by}
        if idents and award is None:
            options["group_by"] = idents[0]
        expected = rank(rows, **options, criteria=criteria)
        for kind, table in tables_out.items():
            got = rank(table, **options, criteria=criteria)
            same_ranking(got, expected)
            if kind == "pandas":  # the very decimals: the same text
                assert got.render("en") == expected.render("en")


def scored_with(
    criteria: Criteria,
    records: list[dict[str, Any]],
    keep: list[str],
    categories: list[str],
    breakers: Any,
) -> pd.DataFrame:
    """A result with what a ranking reads: the categories' columns, the breakers'."""
    award = criteria.award
    parts = [c.score.id for c in award.categories if c.id in categories] if award else []
    inputs = [t.by for t in breakers if t.by in criteria.inputs]
    nodes = [t.by for t in breakers if t.by not in criteria.inputs]
    if award is not None:
        nodes = [next((c.score.id for c in award.categories if c.id == n), n) for n in nodes]
    names = dict.fromkeys([*keep, *inputs, *(k for r in records for k in r)])
    frame = pd.DataFrame(records, columns=list(names), dtype=object)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return evaluate_frame(
            criteria,
            frame,
            components=list(dict.fromkeys([*parts, *nodes])),
            keep=[
                *keep,
                *inputs,
                *(i for i in criteria.identifiers if i in names and i not in keep),
            ],
        )


def test_report_and_compare_say_what_they_take_for_a_table(ip: Criteria) -> None:
    from asnmerit.present.reports import report

    from .helpers import pelaksana

    out = scored(ip, [pelaksana()], [])
    with pytest.raises(TypeError, match=r"report takes evaluations or row results .*rank, select"):
        report(out, criteria=ip)
    with pytest.raises(TypeError, match=r"compare takes one subject's evaluations by period"):
        asnmerit.compare(out)  # type: ignore[arg-type]
