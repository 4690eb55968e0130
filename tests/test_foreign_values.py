"""Values at the boundary: numpy and pandas scalars taken by their value (their missing
markers as blank), texts with an unpaired surrogate refused without a crash anywhere, and
codes compared without Unicode case folding (the long s, U+017F, is not ``s``)."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import asnmerit
from asnmerit import InputError
from asnmerit._values import (
    cell,
    coerce,
    describe,
    fold,
    identifier_value,
    json_value,
    nip,
    show_value,
    to_decimal,
)
from asnmerit.cli import main
from asnmerit.cli.demo import sample_path
from asnmerit.engine.batch import evaluate_records
from asnmerit.errors import BadValue
from asnmerit.model import Criteria
from asnmerit.results import RowResult

from .helpers import data_criteria, pelaksana, scheme

np = pytest.importorskip("numpy")
pd = pytest.importorskip("pandas")

SINK = {"golongan": "III", "nilai": 80, "jam": 30, "lulus": True, "tanggal": "2024-01-01"}
NIP = 198609262015051001
SURROGATE = "a text with an unpaired surrogate U+D800"


def jpt_record(**changes: Any) -> dict[str, Any]:
    names = ("persiapan", "pelaksanaan", "pelaporan", "inovasi", "pelanggaran_sistem_merit")
    return {"instansi": "X", **{f"nilai_{n}": 90 for n in names}, **changes}


def issues(criteria: Criteria, record: Any) -> list[tuple[str, str, str]]:
    with pytest.raises(InputError) as info:
        asnmerit.evaluate(criteria, record)
    return [(i.field, i.expected, i.got) for i in info.value.issues]


def data(rows: list[RowResult]) -> list[Any]:
    """Each row's result as JSON data, or its identifiers and error."""
    return [r.evaluation.to_dict() if r.evaluation else (r.identifiers, str(r.error)) for r in rows]


def outcome(criteria: Criteria, record: Any) -> Any:
    """The result of ``evaluate`` as JSON data, or the issues it raises."""
    try:
        return asnmerit.evaluate(criteria, record).to_dict()
    except InputError as error:
        return [(i.field, i.expected, i.got) for i in error.issues]


# -- numpy and pandas scalars ------------------------------------------------------------------


def test_a_numpy_float_is_its_value() -> None:
    jpt = scheme("jpt")
    ev = asnmerit.evaluate(jpt, jpt_record(nilai_inovasi=np.float64(90)))
    assert ev.to_dict() == asnmerit.evaluate(jpt, jpt_record(nilai_inovasi=90.0)).to_dict()
    assert ev.score == asnmerit.evaluate(jpt, jpt_record()).score


@pytest.mark.parametrize(
    ("field", "value", "normal"),
    [
        ("nilai", np.float64(50.5), Decimal("50.5")),
        ("nilai", np.float32(50.5), Decimal("50.5")),
        ("nilai", np.float16(50.5), Decimal("50.5")),
        ("nilai", np.int64(50), Decimal(50)),
        ("nilai", np.uint8(50), Decimal(50)),
        ("jam", np.int32(12), Decimal(12)),
        ("jam", np.float64(12.0), Decimal(12)),
        ("lulus", np.True_, True),
        ("lulus", np.int64(1), True),
        ("golongan", np.str_("IV"), "IV"),
        ("unit", np.str_(" daerah "), "daerah"),
        ("tanggal", pd.Timestamp("2024-01-01"), dt.date(2024, 1, 1)),
        ("tanggal", np.datetime64("2024-01-01"), dt.date(2024, 1, 1)),
    ],
)
def test_numpy_and_pandas_scalars_are_taken_by_value(field: str, value: Any, normal: Any) -> None:
    ev = asnmerit.evaluate(data_criteria("kitchen-sink.yaml"), {**SINK, field: value})
    assert ev.inputs[field] == normal and type(ev.inputs[field]) is type(normal)


@pytest.mark.parametrize(
    ("field", "value", "expected", "got"),
    [
        ("nilai", np.True_, "a number", "boolean true"),
        ("nilai", np.float64("inf"), "a finite number", "number inf"),
        ("nilai", np.int64(-1), "a value from 0 to 100", "number -1"),
        ("jam", np.float32(1.5), "a whole number", "number 1.5"),
        ("lulus", np.int64(2), "true or false (ya/tidak, 1/0)", "number 2"),
        (
            "tanggal",
            pd.Timestamp("2024-01-01 10:00"),
            "a date without a time (YYYY-MM-DD)",
            "date 2024-01-01T10:00:00",
        ),
        (
            "tanggal",
            np.datetime64("2024-01-01T00:00:00.000000001"),
            "a date YYYY-MM-DD",
            "datetime64",
        ),
    ],
)
def test_numpy_and_pandas_scalars_are_refused_as_their_value(
    field: str, value: Any, expected: str, got: str
) -> None:
    sink = data_criteria("kitchen-sink.yaml")
    assert issues(sink, {**SINK, field: value}) == [(field, expected, got)]


MISSING = [float("nan"), np.float64("nan"), np.float32("nan"), pd.NA, pd.NaT, np.datetime64("NaT")]


@pytest.mark.parametrize("value", MISSING, ids=repr)
def test_missing_markers_are_blank(value: Any) -> None:
    sink = data_criteria("kitchen-sink.yaml")
    assert asnmerit.evaluate(sink, {**SINK, "unit": value}).inputs["unit"] == "pusat"  # default
    [(field, expected, got)] = issues(sink, {**SINK, "jam": value})
    assert (field, got) == ("jam", "nothing") and expected.startswith("a value (needed by")
    ev = asnmerit.evaluate(sink, {**SINK, "nip": value})
    assert ev.identifiers == {"nip": None}


def test_a_nan_given_directly_is_not_a_number() -> None:
    inp = data_criteria("kitchen-sink.yaml").inputs["nilai"]
    for nan in (float("nan"), np.float64("nan")):
        with pytest.raises(BadValue, match="a finite number"):
            coerce(inp, nan)


def frames() -> list[Any]:
    df = pd.read_csv(sample_path())
    return [df, df.convert_dtypes(), pd.read_csv(sample_path(), dtype={"nip": str})]


@pytest.mark.parametrize("k", range(3))
def test_records_of_a_pandas_frame_score_as_the_file(ip: Criteria, k: int) -> None:
    df = frames()[k]
    expected = data(evaluate_records(ip, asnmerit.read_records(sample_path())))
    for records in ([dict(row) for _, row in df.iterrows()], df.to_dict("records")):
        got = data(evaluate_records(ip, records))
        assert got == expected
        json.dumps(got)  # nothing of numpy's is left
    assert outcome(ip, dict(df.iloc[0])) == expected[0]


def test_identifiers_hold_python_values(ip: Criteria) -> None:
    ev = asnmerit.evaluate(
        ip, pelaksana(instansi=np.int64(7), nama=np.str_("Ani"), nip=np.int64(NIP))
    )
    assert ev.identifiers == {"instansi": 7, "nama": "Ani", "nip": str(NIP)}
    assert [type(v) for v in ev.identifiers.values()] == [int, str, str]
    json.dumps(ev.to_dict())


def test_values_as_text_and_json() -> None:
    assert describe(np.int64(5)) == "number 5"
    assert describe(np.float32(0.1)) == "number 0.1"
    assert describe(np.True_) == "boolean true"
    assert describe(pd.Timestamp("2024-01-01")) == "date 2024-01-01"
    assert (cell(np.float64(2.5)), cell(np.True_), cell(pd.NA), cell(np.int8(-3))) == (
        "2.5",
        "true",
        "",
        "-3",
    )
    assert show_value(np.False_) == "false"
    data = json_value({"a": np.int64(3), "b": [np.float64(0.5), np.bool_(False)], "c": pd.NaT})
    assert data == {"a": 3, "b": [0.5, False], "c": None}
    assert json.dumps(data) == '{"a": 3, "b": [0.5, false], "c": null}'
    assert to_decimal(np.float64(0.1)) == to_decimal(np.float32(0.1)) == Decimal("0.1")
    ip = scheme("ip-asn")
    assert identifier_value(ip.identifiers["nip"], np.int64(NIP)) == nip(NIP)
    with pytest.raises(BadValue, match="an NIP stored as text"):
        identifier_value(ip.identifiers["nip"], np.float64(NIP))


# -- unpaired surrogates ---------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["pendidikan", "seminar", "nama", "nip"])
def test_a_text_with_an_unpaired_surrogate_is_refused(ip: Criteria, field: str) -> None:
    assert issues(ip, pelaksana(**{field: "S1\ud800"})) == [(field, "text", SURROGATE)]


def test_a_surrogate_in_a_number_is_refused() -> None:
    sink = data_criteria("kitchen-sink.yaml")
    assert issues(sink, {**SINK, "nilai": "5\ud800"}) == [("nilai", "text", SURROGATE)]


def test_surrogates_are_escaped_in_every_text() -> None:
    assert describe("\udfff") == "a text with an unpaired surrogate U+DFFF"
    assert json_value({"k\ud800": ["\ud800é"]}) == {"k\\ud800": ["\\ud800é"]}
    assert cell("a\ud800") == show_value("a\ud800") == "a\\ud800"


def records_file(folder: Path, records: list[dict[str, Any]]) -> Path:
    path = folder / "in.json"
    path.write_text(json.dumps(records), "ascii")  # "\ud800" stays escaped in the file
    return path


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_the_cli_writes_rows_with_surrogates(tmp_path: Path, fmt: str) -> None:
    records = [pelaksana(nama="x\ud800"), pelaksana(pendidikan="\ud800"), pelaksana()]
    src = records_file(tmp_path, records)
    out = tmp_path / f"out.{fmt}"
    assert main(["evaluate", "ip-asn", str(src), "-o", str(out), "-q"]) == 1
    text = out.read_text("utf-8")
    assert text.count("U+D800") == 2 and "\\ud800" in text
    assert main(["rank", "ip-asn", str(src), "-o", str(tmp_path / f"rank.{fmt}")]) == 1


# -- codes are folded without Unicode case folding ------------------------------------------------


def test_fold_lowers_ascii_and_drops_separators_only() -> None:
    assert fold(" S-1 ") == fold("s.1") == fold("S_1") == fold("S\u00a01") == "s1"
    assert fold("pelak\u017fana") == "pelak\u017fana"  # long s stays
    assert fold("\u212a") == "\u212a"  # the Kelvin sign is not K
    assert fold("\u00c4B") == "\u00c4b"  # a non-ASCII letter keeps its case


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("jenis_jabatan", "pelak\u017fana"),
        ("jenis_jabatan", "PELA\u212aSANA"),
        ("seminar", "tida\u212a"),
        ("seminar", "ye\u017f"),
        ("pendidikan", "\u017fLTA"),
    ],
)
def test_non_ascii_look_alikes_of_a_code_are_refused(ip: Criteria, field: str, value: str) -> None:
    [(name, _, got)] = issues(ip, pelaksana(**{field: value}))
    assert (name, got) == (field, f"text {value!r}")


@given(st.text())
def test_fold_keeps_every_non_ascii_character_that_is_not_a_space(text: str) -> None:
    assert [c for c in fold(text) if not c.isascii()] == [
        c for c in text if not c.isascii() and not c.isspace()
    ]


# -- properties --------------------------------------------------------------------------------

INTS = ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"]
FLOATS: dict[str, Literal[16, 32, 64]] = {"float16": 16, "float32": 32, "float64": 64}


@st.composite
def numpy_scalars(draw: st.DrawFn) -> tuple[Any, Any]:
    """A numpy scalar and the Python value it holds (a float by the shortest text that
    gives it in its own precision, as numpy prints it)."""
    kind = draw(st.sampled_from([*INTS, *FLOATS, "bool"]))
    if kind == "bool":
        value = np.bool_(draw(st.booleans()))
        return value, bool(value)
    if kind in INTS:
        info = np.iinfo(kind)
        value = np.dtype(kind).type(draw(st.integers(int(info.min), int(info.max))))
        return value, int(value)
    number = draw(
        st.floats(width=FLOATS[kind], allow_nan=False) | st.integers(-200, 200).map(float)
    )
    value = np.dtype(kind).type(number)
    return value, float(str(value))


@given(numpy_scalars(), st.sampled_from(["nilai", "jam", "lulus", "golongan", "unit", "nip"]))
def test_a_numpy_scalar_scores_as_its_python_value(pair: tuple[Any, Any], field: str) -> None:
    value, python = pair
    sink = data_criteria("kitchen-sink.yaml")
    assert outcome(sink, {**SINK, field: value}) == outcome(sink, {**SINK, field: python})


@given(numpy_scalars())
def test_a_numpy_scalar_is_an_nip_as_its_python_value(pair: tuple[Any, Any]) -> None:
    value, python = pair
    ip = scheme("ip-asn")
    assert outcome(ip, pelaksana(nip=value)) == outcome(ip, pelaksana(nip=python))


SURROGATES = st.text(st.characters(categories=["Cs", "L", "N", "Zs", "Pd"]), min_size=1)


@given(SURROGATES, st.sampled_from(["pendidikan", "seminar", "nama", "nip", "jenis_jabatan"]))
def test_surrogates_never_crash_evaluate(text: str, field: str) -> None:
    ip = scheme("ip-asn")
    got = outcome(ip, pelaksana(**{field: text}))
    json.dumps(got, ensure_ascii=False).encode("utf-8")
    rows = evaluate_records(ip, [pelaksana(**{field: text}), pelaksana(nama=text)])
    for r in rows:
        json.dumps(json_value(r.identifiers), ensure_ascii=False).encode("utf-8")
        str(r.error).encode("utf-8")


@settings(max_examples=10)
@given(SURROGATES)
def test_surrogates_never_crash_the_cli(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        src = records_file(Path(folder), [pelaksana(nama=text), pelaksana(pendidikan=text)])
        out = Path(folder) / "out.json"
        assert main(["evaluate", "ip-asn", str(src), "-o", str(out), "-q"]) in (0, 1)
        json.loads(out.read_text("utf-8"))
