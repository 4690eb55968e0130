"""The columnar engine: evaluate_frame gives, row for row, what the scalar batch gives.

The property tests draw rows for every bundled scheme and for random generated criteria
(every node kind), spoil some of them (a value left out, a refused value, a shared NIP),
and compare each row of pandas, polars and pyarrow results with
:func:`asnmerit.engine.batch.evaluate_records` on the same records.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import asnmerit
from asnmerit._values import identifier_key, json_value
from asnmerit.columnar.frame import _Arrow, _identifier_cells, _identifier_rows, _Pandas
from asnmerit.columnar.plan import factorize
from asnmerit.engine.batch import brief, evaluate_records
from asnmerit.engine.evaluator import gated
from asnmerit.errors import ColumnsError
from asnmerit.model import Criteria
from asnmerit.spec.bundled import criteria_files
from asnmerit.spec.dumper import to_yaml

from .helpers import DATA, criteria_file, scheme
from .strategies import criteria_data, junk, subjects
from .test_bulk import near_nips, refuses

np = pytest.importorskip("numpy")
pd = pytest.importorskip("pandas")
pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")
pl = pytest.importorskip("polars")

SCHEMES = {str(p.parent.name + "/" + p.name): p for p in criteria_files()}
IP = scheme("ip-asn")
SLOW = settings(max_examples=max(10, settings.default.max_examples // 4), deadline=None)


def text(value: Any) -> str | None:
    """A cell as a CSV export writes it (None stays null)."""
    value = json_value(value)
    if value is None:
        return None
    return str(value).lower() if isinstance(value, bool) else str(value)


def columns(records: list[dict[str, Any]]) -> list[str]:
    return list(dict.fromkeys(k for r in records for k in r))


def as_pandas(records: list[dict[str, Any]], texts: bool = False) -> Any:
    cols = columns(records)
    cell = text if texts else (lambda v: v)
    data = {c: pd.Series([cell(r.get(c)) for r in records], dtype=object) for c in cols}
    return pd.DataFrame(data, index=range(len(records)))


def as_arrow(records: list[dict[str, Any]]) -> Any:
    cols = columns(records)
    return pa.table({c: pa.array([text(r.get(c)) for r in records], pa.string()) for c in cols})


def as_polars(records: list[dict[str, Any]]) -> Any:
    cols = columns(records)
    return pl.DataFrame(
        {c: pl.Series(c, [text(r.get(c)) for r in records], pl.String) for c in cols}
    )


def reference_records(records: list[dict[str, Any]], texts: bool) -> list[dict[str, Any]]:
    """The records a table of ``records`` stands for: every column in every row."""
    cols = columns(records)
    return [{c: (text(r.get(c)) if texts else r.get(c)) for c in cols} for r in records]


def rows_of(out: Any) -> list[dict[str, Any]]:
    if isinstance(out, pd.DataFrame):
        return [
            {k: (None if v is pd.NA or (k == "band" and pd.isna(v)) else v) for k, v in row.items()}
            for row in out.to_dict("records")
        ]
    if isinstance(out, pl.DataFrame):
        return out.to_dicts()
    return out.to_pylist()


def assert_agrees(c: Criteria, table: Any, records: list[dict[str, Any]], nodes: list[str]) -> None:
    out = asnmerit.evaluate_frame(c, table, components=nodes)
    got = rows_of(out)
    want = evaluate_records(c, records)
    assert len(got) == len(want) == len(records)
    for row, (g, w) in enumerate(zip(got, want, strict=True), start=1):
        if w.evaluation is None:
            assert g["error"] == brief(w.error), row
            assert g["score"] is None and g["band"] is None and g["eligible"] is None, row
            assert g.get("ineligible") is None, row
            continue
        ev = w.evaluation
        assert g["error"] is None, (row, g["error"])
        assert g["score"] == ev.score and isinstance(g["score"], Decimal), row
        assert g["band"] == ev.band.code, row
        assert g["eligible"] is ev.eligible, row
        if gated(c):  # the rules failed, by id, in the scalar engine's order
            assert g["ineligible"] == (", ".join(i.gate for i in ev.ineligible) or None), row
        else:
            assert "ineligible" not in g, row
        for n in nodes:
            try:
                expected: Decimal | None = ev.component(n).points
            except KeyError:
                expected = None
            assert g[n] == expected, (row, n)


def spoil(draw: st.DrawFn, c: Criteria, record: dict[str, Any]) -> dict[str, Any]:
    """Sometimes leave a value out, put a refused value in, or copy an identifier."""
    record = dict(record)
    fields = [*c.inputs]
    how = draw(st.sampled_from(["keep", "keep", "keep", "drop", "junk"]))
    if how == "drop" and fields:
        record.pop(draw(st.sampled_from(fields)), None)
    elif how == "junk" and fields:
        record[draw(st.sampled_from(fields))] = draw(
            junk().filter(lambda v: not isinstance(v, dict | list))
        )
    return record


def printed(nip: str) -> str:
    """An NIP as it is often printed: its groups apart."""
    return f"{nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}"


def nip_cells(k: int) -> st.SearchStrategy[Any]:
    """The NIP of row ``k``: most often plain and its own, sometimes one shared with
    other rows, written another way (printed, spaced, as a number), refused or blank."""
    own, shared = f"1990010120150110{k % 100:02d}", "19900101201501100" + str(k % 3)
    return st.sampled_from([own, own, shared, shared]).flatmap(
        lambda nip: st.sampled_from(
            [nip] * 6
            + [printed(nip), f" {nip}", int(nip), nip[:-1], nip[:4] + "13" + nip[6:]]
            + ["", None]
        )
    )


@st.composite
def batches(draw: st.DrawFn, c: Criteria) -> list[dict[str, Any]]:
    """Rows of one scheme: drawn subjects (few distinct ones, so rows repeat), spoiled
    now and then, with identifiers, some shared."""
    pool = draw(st.lists(subjects(c), min_size=1, max_size=4))
    rows = draw(st.lists(st.sampled_from(pool), min_size=0, max_size=12))
    out = [spoil(draw, c, r) for r in rows]
    for k, record in enumerate(out):
        for name, ident in c.identifiers.items():
            if ident.format == "nip":
                record[name] = draw(nip_cells(k))
            elif draw(st.booleans()):
                record[name] = f"{name}-{draw(st.integers(0, 3))}"
    return out


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(SCHEMES))
@SLOW
@given(data=st.data())
def test_pandas_rows_equal_the_scalar_batch_for_every_bundled_scheme(
    name: str, data: st.DataObject
) -> None:
    c = criteria_file(SCHEMES[name])
    records = data.draw(batches(c))
    nodes = [n.id for n in c.score.children]
    assert_agrees(c, as_pandas(records), reference_records(records, texts=False), nodes)


def as_pandas_arrow(records: list[dict[str, Any]]) -> Any:
    """A pandas frame of Arrow-backed text columns (pandas' own string type)."""
    text_type = pd.StringDtype("pyarrow")
    cols = columns(records)
    data = {c: pd.Series([text(r.get(c)) for r in records], dtype=text_type) for c in cols}
    return pd.DataFrame(data, index=range(len(records)))


TEXT_TABLES = {"pyarrow": as_arrow, "polars": as_polars, "pandas-arrow": as_pandas_arrow}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(SCHEMES))
@pytest.mark.parametrize("kind", sorted(TEXT_TABLES))
@SLOW
@given(data=st.data())
def test_arrow_and_polars_rows_equal_the_scalar_batch(
    name: str, kind: str, data: st.DataObject
) -> None:
    c = criteria_file(SCHEMES[name])
    records = data.draw(batches(c))
    table = TEXT_TABLES[kind](records)
    assert_agrees(c, table, reference_records(records, texts=True), [])


@pytest.mark.slow
@settings(max_examples=max(10, settings.default.max_examples // 2), deadline=None)
@given(data=st.data())
def test_generated_criteria_of_every_node_kind_agree(data: st.DataObject) -> None:
    c = asnmerit.loads(to_yaml(data.draw(criteria_data(), label="criteria")))
    records = data.draw(batches(c), label="records")
    nodes = [n.id for n in c.score.walk()]
    assert_agrees(c, as_pandas(records), reference_records(records, texts=False), nodes)


# -- cases one by one ------------------------------------------------------------------------

GOOD = {
    "nip": "197604212005112001",
    "jenis_jabatan": "pelaksana",
    "pendidikan": "S1",
    "diklat_teknis_20jp": True,
    "seminar": False,
    "predikat_kinerja": "baik",
    "hukuman_disiplin": "tidak_ada",
}


def test_an_empty_table_gives_an_empty_result_with_the_same_columns() -> None:
    empty = pd.DataFrame({k: pd.Series([], dtype=object) for k in GOOD})
    out = asnmerit.evaluate_frame(IP, empty)
    assert list(out.columns) == ["nip", "score", "band", "eligible", "error"]
    assert len(out) == 0
    full = asnmerit.evaluate_frame(IP, pd.DataFrame([GOOD]))
    results = ["score", "band", "eligible", "error"]
    assert dict(out.dtypes[results]) == dict(full.dtypes[results])


def test_the_pandas_index_and_row_order_are_kept() -> None:
    df = pd.DataFrame([GOOD, {**GOOD, "nip": "197604212005112002", "pendidikan": "S2"}])
    df.index = ["b", "a"]
    out = asnmerit.evaluate_frame(IP, df)
    assert list(out.index) == ["b", "a"]
    assert list(out["nip"]) == list(df["nip"])
    assert out.loc["a", "score"] > out.loc["b", "score"]


def test_nulls_count_as_missing_values_whatever_the_library() -> None:
    rows = [GOOD, {**GOOD, "nip": "197604212005112002", "predikat_kinerja": None}]
    for table in (pd.DataFrame(rows), pa.Table.from_pylist(rows), pl.DataFrame(rows)):
        got = rows_of(asnmerit.evaluate_frame(IP, table))
        assert got[0]["error"] is None
        assert got[1]["score"] is None
        assert got[1]["error"].startswith("predikat_kinerja: expected a value"), got[1]
    nan = pd.DataFrame([{**GOOD, "seminar": float("nan")}])
    assert rows_of(asnmerit.evaluate_frame(IP, nan))[0]["error"] == brief(
        evaluate_records(IP, [{**GOOD, "seminar": None}])[0].error
    )


def test_a_shared_nip_refuses_every_row_that_holds_it() -> None:
    rows = [GOOD, {**GOOD, "pendidikan": "S2"}, {**GOOD, "nip": "197604212005112002"}]
    out = asnmerit.evaluate_frame(IP, pd.DataFrame(rows))
    assert list(out["error"].isna()) == [False, False, True]
    assert "also in row 2" in out["error"][0] and "also in row 1" in out["error"][1]


def test_a_refused_nip_is_reported_and_the_row_kept() -> None:
    out = asnmerit.evaluate_frame(IP, pd.DataFrame([{**GOOD, "nip": "12345"}]))
    assert out["nip"][0] == "12345"
    assert out["error"][0].startswith("nip: expected")


def test_two_columns_for_one_input_refuse_the_table_as_a_file_is() -> None:
    edu = attrs.evolve(IP.inputs["pendidikan"], aliases=("jenjang",))
    c = attrs.evolve(IP, inputs={**IP.inputs, "pendidikan": edu})
    rows = [{**GOOD, "jenjang": "S2"}, {**GOOD, "nip": "197604212005112002"}]
    with pytest.raises(
        ColumnsError, match="columns 'pendidikan' and 'jenjang' both give pendidikan"
    ):
        asnmerit.evaluate_frame(c, pd.DataFrame(rows))
    # records (mappings) may each spell the field their way; one giving both is refused
    want = evaluate_records(c, reference_records(rows, texts=False))
    assert "one value" in brief(want[0].error) and "one value" in brief(want[1].error)


def test_other_columns_are_ignored_and_keep_passes_them_through() -> None:
    df = pd.DataFrame([{**GOOD, "catatan": "apa saja", "umur": 40}])
    out = asnmerit.evaluate_frame(IP, df, keep=["nip", "catatan"])
    assert list(out.columns) == ["nip", "catatan", "score", "band", "eligible", "error"]
    assert pd.isna(out["error"][0])
    with pytest.raises(KeyError, match="tidak_ada"):
        asnmerit.evaluate_frame(IP, df, keep=["tidak_ada"])


def test_components_and_float_scores_on_request() -> None:
    df = pd.DataFrame([GOOD])
    out = asnmerit.evaluate_frame(IP, df, components=True, scores="float")
    with pytest.warns(DeprecationWarning, match=r'scores="float"'):
        old = asnmerit.evaluate_frame(IP, df, components=True, float_scores=True)
    assert old.equals(out)
    with pytest.raises(ValueError, match=r'scores: "decimal" or "float"'):
        asnmerit.evaluate_frame(IP, df, scores="double")  # type: ignore[arg-type]
    ev = asnmerit.evaluate(IP, GOOD)
    assert out["score"].dtype == np.float64 and out["score"][0] == float(ev.score)
    for part in IP.score.children:
        assert out[part.id][0] == float(ev.component(part.id).points)
    with pytest.raises(KeyError, match="no score node"):
        asnmerit.evaluate_frame(IP, df, components=["tidak_ada"])


def test_arrow_scores_are_exact_decimals_and_record_batches_stay_batches() -> None:
    batch = pa.RecordBatch.from_pylist([GOOD])
    out = asnmerit.evaluate_frame(IP, batch)
    assert isinstance(out, pa.RecordBatch)
    assert pa.types.is_decimal(out.schema.field("score").type)
    assert out.column("score")[0].as_py() == asnmerit.evaluate(IP, GOOD).score


def test_typed_columns_are_read_as_their_values() -> None:
    rows = [{**GOOD, "nip": int(GOOD["nip"])}]  # an NIP held as a number
    table = pa.Table.from_pylist(rows)
    got = rows_of(asnmerit.evaluate_frame(IP, table))[0]
    want = evaluate_records(IP, rows)[0]
    assert (got["error"] is None) == want.ok


def test_an_unknown_kind_of_table_is_refused_with_a_clear_error() -> None:
    with pytest.raises(TypeError, match="pandas or polars DataFrame"):
        asnmerit.evaluate_frame(IP, [GOOD])


def test_a_date_column_is_read_as_dates() -> None:
    c = asnmerit.load(DATA / "kitchen-sink.yaml")
    (name,) = [n for n, i in c.inputs.items() if i.type == "date"]
    for day in (dt.date(2024, 1, 1), "2024-01-01", "1 Januari 2024", None):
        table = pd.DataFrame({name: pd.Series([day], dtype=object)})
        got = rows_of(asnmerit.evaluate_frame(c, table))[0]
        want = evaluate_records(c, [{name: day}])[0]
        assert got["error"] == (None if want.ok else brief(want.error))


def test_factorize_numbers_distinct_tuples_in_order() -> None:
    a = np.asarray([1, 0, 1, 1], np.int64)
    b = np.asarray([2, 0, 2, 1], np.int64)
    key, combos = factorize([a, b], [2, 3], 4)
    assert combos == [(0, 0), (1, 1), (1, 2)]
    assert key.tolist() == [2, 0, 2, 1]
    big = np.arange(5000, dtype=np.int64)  # wide enough to take the sorting path
    key, combos = factorize([big, big], [5000, 5000], 5000)
    assert key.tolist() == list(range(5000)) and combos[7] == (7, 7)
    key, combos = factorize([], [], 3)  # no columns: every row is the one empty tuple
    assert key.tolist() == [0, 0, 0] and combos == [()]


def test_a_million_rows_would_not_be_scored_one_by_one() -> None:
    """Rows with one combination of inputs are scored once: a large frame of a few
    distinct employees takes the scalar evaluator no more than a few times."""
    calls = 0
    import asnmerit.columnar.frame as frame

    real = frame.evaluate

    def counting(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        return real(*args, **kwargs)

    frame.evaluate = counting  # type: ignore[assignment]
    try:
        rows = [GOOD, {**GOOD, "predikat_kinerja": None}] * 5000
        out = asnmerit.evaluate_frame(IP, pd.DataFrame(rows).drop(columns="nip"))
    finally:
        frame.evaluate = real  # type: ignore[assignment]
    assert len(out) == 10_000 and out["error"].notna().sum() == 5000
    assert calls == 1  # the one combination that lacks a value


def test_the_guide_s_example_runs() -> None:
    page = (Path(__file__).resolve().parents[1] / "docs" / "tables.md").read_text("utf-8")
    blocks = re.findall(r"```python\n(.*?)```", page, re.S)
    assert blocks
    for block in blocks:
        exec(compile(block, "docs/tables.md", "exec"), {})


def test_every_arrow_batch_of_a_scheme_gets_one_decimal_type() -> None:
    scored = asnmerit.evaluate_frame(IP, pa.RecordBatch.from_pylist([GOOD]))
    refused = asnmerit.evaluate_frame(IP, pa.RecordBatch.from_pylist([{**GOOD, "seminar": "?"}]))
    assert scored.schema == refused.schema
    assert scored.schema.field("score").type == pa.decimal128(38, IP.rounding.places)


# -- an NIP column read on its bytes --------------------------------------------------------


def same_where_equal(values: list[Any]) -> list[int]:
    """Each value's first position among ``values`` (``-1`` for ``None`` or ``-1``): two
    lists give the same answer exactly when they pair up equal entries alike."""
    return [-1 if v is None or v == -1 else values.index(v) for v in values]


@st.composite
def nip_columns(draw: st.DrawFn) -> list[str | None]:
    """Texts of an NIP column: a few NIPs (valid or not) each written in several ways,
    other texts, blanks and nulls."""
    pool = draw(st.lists(near_nips, min_size=1, max_size=3))
    forms = st.sampled_from(pool).flatmap(
        lambda nip: st.sampled_from(
            [nip, nip, printed(nip), f" {nip} ", nip.replace("1", "\u0661")]
        )
    )
    other = st.text(max_size=20) | st.sampled_from(["", "  ", "1" * 18, "x" * 18, "é" * 9])
    return draw(st.lists(forms | forms | other | st.none(), max_size=30))


def arrow_layout(draw: st.DrawFn, cells: list[str | None]) -> Any:
    """``cells`` as an Arrow column of some text type, in chunks, perhaps a slice of a
    longer array."""
    kind = draw(st.sampled_from([pa.string(), pa.large_string(), pa.string_view()]))
    before, after = draw(st.lists(near_nips, max_size=2)), draw(st.lists(near_nips, max_size=2))
    whole = pa.array([*before, *cells, *after], kind).slice(len(before), len(cells))
    cut = draw(st.integers(0, len(cells)))
    return pa.chunked_array([whole.slice(0, cut), whole.slice(cut)], kind)


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_an_arrow_nip_column_gives_the_keys_and_refusals_of_the_scalar_check(
    data: st.DataObject,
) -> None:
    cells = data.draw(nip_columns())
    table = pa.table({"nip": arrow_layout(data.draw, cells)})
    nip = IP.identifiers["nip"]
    assert _Arrow(table).texts("nip") is not None  # the byte path is taken
    refused, ids = _identifier_rows(nip, _Arrow(table), "nip")
    assert refused.tolist() == [refuses(nip, v) for v in cells]
    assert same_where_equal(ids.tolist()) == same_where_equal(
        [identifier_key(nip, v) for v in cells]
    )
    # the same as the way of any other column: each distinct cell checked once
    objects = pd.DataFrame({"nip": pd.Series(cells, dtype=object)})
    refused_too, ids_too = _identifier_cells(nip, *_Pandas(objects).factorize("nip"))
    assert refused_too.tolist() == refused.tolist()
    assert same_where_equal(ids_too.tolist()) == same_where_equal(ids.tolist())


def test_categorical_dictionary_and_view_columns_are_scored_as_texts(tmp_path: Path) -> None:
    """What pandas categoricals become in Parquet (Arrow dictionaries), polars Categorical
    and Enum columns and Arrow string views score as plain text columns do."""
    import polars as pl

    rows = [GOOD, {**GOOD, "nip": "198001012005011002", "pendidikan": "S2"}]
    want = list(asnmerit.evaluate_frame(IP, pd.DataFrame(rows))["score"])
    cat = pd.DataFrame(rows).astype({"pendidikan": "category", "jenis_jabatan": "category"})
    pq.write_table(pa.Table.from_pandas(cat), tmp_path / "cat.parquet")
    plain = pl.from_pandas(pd.DataFrame(rows))
    tables = [
        cat,
        pq.read_table(tmp_path / "cat.parquet"),
        plain.with_columns(pl.col("pendidikan").cast(pl.Categorical)),
        plain.with_columns(pl.col("pendidikan").cast(pl.Enum(["S1", "S2", "S3"]))),
        pa.table({k: pa.array([str(r[k]) for r in rows], pa.string_view()) for k in GOOD}),
    ]
    for table in tables:
        out = asnmerit.evaluate_frame(IP, table)
        scores = out["score"].to_pylist() if isinstance(out, pa.Table) else list(out["score"])
        assert scores == want, type(table)


def test_what_is_not_a_table_of_records_is_refused_with_a_hint() -> None:
    import polars as pl

    frame = pd.DataFrame([GOOD])
    for thing, hint in [
        (pl.from_pandas(frame).lazy(), "collect() it first"),
        (frame["nip"], "series.to_frame()"),
        ([GOOD], "got builtins.list"),
    ]:
        with pytest.raises(TypeError, match=re.escape(hint)):
            asnmerit.evaluate_frame(IP, thing)
    twice = frame.rename(columns={"diklat_teknis_20jp": "seminar"})
    with pytest.raises(ColumnsError, match=r"duplicate column\(s\) seminar"):
        asnmerit.evaluate_frame(IP, twice)


def test_a_pass_through_identifier_no_file_can_hold_is_refused_as_in_a_batch() -> None:
    """A lone surrogate in ``nama`` (a pandas object column can hold one): the row is
    refused, as ``evaluate_records`` refuses it; the other rows are scored."""
    rows = [{**GOOD, "nama": "x\ud800"}, {**GOOD, "nip": "198001012005011002", "nama": "ok"}]
    out = asnmerit.evaluate_frame(IP, pd.DataFrame(rows, dtype=object))
    want = evaluate_records(IP, rows)
    assert out["error"][0] == brief(want[0].error)
    assert pd.isna(out["error"][1]) and want[1].ok
