"""Results as developers meet them: one-line reprs, JSON text, and errors as JSON bodies.

Every public result class of every bundled scheme has a repr of at most 200 characters on
one line that names its key facts (the full account stays in ``explain()``, ``render()``
and ``str()``). :func:`asnmerit.to_json` writes results, errors and plain data as JSON,
decimals by their own digits, and refuses what JSON cannot hold.
"""

from __future__ import annotations

import datetime as dt
import json
import pickle
from collections.abc import Iterator
from decimal import Decimal
from fractions import Fraction
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import asnmerit
from asnmerit import (
    AsnmeritError,
    Band,
    Component,
    CriteriaError,
    Evaluation,
    Ineligibility,
    InputError,
    InputIssue,
    RecordsError,
    RowResult,
    ScoreWarning,
    to_json,
)
from asnmerit._decimal import plain
from asnmerit._values import show_value
from asnmerit.model import Criteria, FrozenDict, Text
from asnmerit.whatif import evaluate_partial, next_band
from asnmerit.whatif.nextband import Change, Option, Plan
from asnmerit.whatif.partial import Completion, Deciding, Outcome, Partial

from .helpers import criteria_file, pelaksana, scheme

LIMIT = 200
NIP = "198503302010011002"


def _components(c: Component) -> Iterator[Component]:
    yield c
    for kid in c.children:
        yield from _components(kid)


def _evaluations() -> Iterator[Evaluation]:
    """The evaluations of the examples of every bundled scheme version that give a record."""
    for info in asnmerit.catalog():
        criteria = criteria_file(info.path)
        for example in criteria.examples:
            if example.inputs is not None:
                yield asnmerit.evaluate(criteria, example.inputs, band_policy=example.band_policy)


def representatives() -> list[Any]:
    """One or more objects of each public result class, from every bundled scheme."""
    out: list[Any] = []
    for info in asnmerit.catalog():
        criteria = criteria_file(info.path)
        out.append(criteria)
        out.extend(criteria.bands.table)
    for ev in _evaluations():
        out.append(ev)
        out.extend(_components(ev.components))
        out.extend(c for cat in ev.categories.values() if cat is not None for c in _components(cat))
        out.extend(ev.warnings)
        out.extend(ev.ineligible)
    ip = scheme("ip-asn")
    long_value = "Sarjana " * 40
    rows = asnmerit.evaluate_records(
        ip, [pelaksana(nip=NIP), pelaksana(pendidikan=long_value), pelaksana(seminar="")]
    )
    out.extend(rows)
    low = asnmerit.evaluate(ip, pelaksana(pendidikan="SD", seminar=False))
    plan = next_band(low, max_changes=2)
    out += [plan, *plan.options, *(c for o in plan.options for c in o.changes)]
    out.append(
        next_band(asnmerit.evaluate(ip, pelaksana(pendidikan="S3", predikat_kinerja="sangat_baik")))
    )
    record = {k: v for k, v in pelaksana().items() if k not in ("pendidikan", "seminar")}
    partial = evaluate_partial(ip, record)
    out += [partial, *partial.completions, *partial.deciding]
    out += [o for d in partial.deciding for o in d.outcomes]
    return out


def facts(obj: Any) -> list[str]:
    """What the repr of ``obj`` must name."""
    if isinstance(obj, Evaluation):
        said = [obj.scheme, obj.version, plain(obj.score), obj.band.code]
        if not obj.eligible:
            said.append("ineligible")
        if obj.warnings:
            said.append(f" {len(obj.warnings)} warning")
        return said
    if isinstance(obj, Component):
        return [obj.id, f"{plain(obj.points)}/{plain(obj.max)}"]
    if isinstance(obj, ScoreWarning):
        return [obj.code]
    if isinstance(obj, Ineligibility):
        return [obj.gate, obj.reason.id[:40]]
    if isinstance(obj, Band):
        return [obj.code, *(plain(v) for v in (obj.lower, obj.upper) if v is not None)]
    if isinstance(obj, Criteria):
        return [obj.id, obj.version]
    if isinstance(obj, RowResult):
        what = repr(obj.evaluation) if obj.evaluation is not None else "error: "
        return [f"row {obj.row} ", what]
    if isinstance(obj, Plan):
        goal = [obj.target.code, f"{len(obj.options)} option"] if obj.target else ["top band"]
        return [obj.evaluation.scheme, plain(obj.evaluation.score), obj.evaluation.band.code, *goal]
    if isinstance(obj, Option):
        ev = obj.evaluation
        return [f"+{plain(obj.gain)}", plain(ev.score), ev.band.code, obj.changes[0].input]
    if isinstance(obj, Change):
        return [obj.input]
    if isinstance(obj, Partial):
        return [obj.criteria.id, plain(obj.low), plain(obj.high), obj.bands[0].code, "missing"]
    if isinstance(obj, Completion):
        return [plain(obj.low.score), plain(obj.high.score), *obj.chosen]
    if isinstance(obj, Deciding):
        return [obj.input, f"{len(obj.outcomes)} value"]
    if isinstance(obj, Outcome):
        return [plain(obj.low), plain(obj.high), obj.bands[0]]
    raise AssertionError(f"no facts for {type(obj).__name__}")


def test_every_result_repr_is_one_short_line_that_names_its_key_facts() -> None:
    objects = representatives()
    kinds = {type(o) for o in objects}
    assert kinds >= {
        *(Evaluation, Component, ScoreWarning, Ineligibility, Band, Criteria, RowResult),
        *(Plan, Option, Change, Partial, Completion, Deciding, Outcome),
    }
    for obj in objects:
        text = repr(obj)
        assert len(text) <= LIMIT, text
        assert "\n" not in text, text
        missing = [f for f in facts(obj) if f not in text]
        assert missing == [], (text, missing)


def test_the_repr_of_an_evaluation_says_ineligible_and_counts_warnings() -> None:
    ev = asnmerit.evaluate(scheme("ip-asn"), pelaksana())
    assert repr(ev) == "<Evaluation ip-asn 2019 75.0 sedang>"
    warning = ScoreWarning("confidence.assumption", "bands", "x " * 300)
    gate = Ineligibility("usia", Text("Usia lebih dari 56 tahun " * 10))
    worse = attrs.evolve(ev, eligible=False, ineligible=(gate,), warnings=(warning, warning))
    assert repr(worse) == "<Evaluation ip-asn 2019 75.0 sedang ineligible 2 warnings>"
    one = attrs.evolve(ev, warnings=(warning,))
    assert repr(one) == "<Evaluation ip-asn 2019 75.0 sedang 1 warning>"
    assert len(repr(warning)) <= LIMIT and repr(warning).endswith("...>")
    assert len(repr(gate)) <= LIMIT and repr(gate).startswith("<Ineligibility usia: Usia")
    assert str(ev) == repr(ev)  # print(ev) is short too; the account is explain()
    assert "Kualifikasi" in ev.explain()


def test_component_band_and_criteria_reprs() -> None:
    ev = asnmerit.evaluate(scheme("ip-asn"), pelaksana())
    assert repr(ev.component("kualifikasi")) == "<Component kualifikasi 5/25>"
    assert repr(ev.components) == "<Component ip_asn 75.0/100, 4 children>"
    assert repr(ev.band) == "<Band sedang 71..80>"
    assert repr(scheme("ip-asn").bands.table[0]) == "<Band sangat_rendah ..60>"
    far = attrs.evolve(scheme("ip-asn"), source="/very" * 60 + "/ip-asn/2019.yaml")
    assert far == scheme("ip-asn")
    assert len(repr(far)) <= LIMIT and repr(far).endswith("/ip-asn/2019.yaml)>")
    assert repr(scheme("ip-asn")).startswith("<Criteria ip-asn 2019 (")


def test_a_row_shows_its_evaluation_or_its_error_cut_short() -> None:
    ip = scheme("ip-asn")
    ok, bad = asnmerit.evaluate_records(ip, [pelaksana(), pelaksana(pendidikan="x" * 500)])
    assert repr(ok) == "<RowResult row 1 <Evaluation ip-asn 2019 75.0 sedang>>"
    text = repr(bad)
    assert text.startswith("<RowResult row 2 error: pendidikan: expected one of S3, ")
    assert text.endswith("...>") and len(text) < 120
    assert "row 2: pendidikan" not in text  # the row is said once
    other = RowResult(4, {}, error=AsnmeritError("line one\n  line two"))
    assert repr(other) == "<RowResult row 4 error: line one line two>"
    assert repr(RowResult(5, {})) == "<RowResult row 5 empty>"


def test_what_if_reprs_are_short_and_their_texts_unchanged() -> None:
    ip = scheme("ip-asn")
    low = asnmerit.evaluate(ip, pelaksana(pendidikan="SD", seminar=False))
    plan = next_band(low)
    assert repr(plan).startswith(f"<Plan ip-asn 2019 {plain(low.score)} {low.band.code} -> ")
    assert str(plan) == plan.render() and "\n" in str(plan)
    option = plan.options[0]
    assert repr(option).startswith(f"<Option {len(option.changes)} change")
    top = next_band(
        asnmerit.evaluate(ip, pelaksana(pendidikan="S3", predikat_kinerja="sangat_baik"))
    )
    assert top.target is None and repr(top).endswith(": the top band>")
    record = {k: v for k, v in pelaksana().items() if k != "pendidikan"}
    partial = evaluate_partial(ip, record)
    assert repr(partial).startswith(f"<Partial ip-asn 2019 {plain(partial.low)}..")
    assert repr(partial).endswith(", missing pendidikan>")
    assert str(partial) == partial.render()
    undecided = attrs.evolve(partial, eligible=None)
    assert repr(undecided).endswith(", eligibility undecided>")
    change = option.changes[0]
    assert (
        str(change) == f"{change.input}: {show_value(change.before)} -> {show_value(change.after)}"
    )


def test_short_reprs_leave_equality_and_hashing_as_they_were() -> None:
    ip = scheme("ip-asn")
    a = asnmerit.evaluate(ip, pelaksana())
    b = asnmerit.evaluate(ip, pelaksana())
    assert a == b and hash(a) == hash(b)
    assert a != asnmerit.evaluate(ip, pelaksana(seminar=False))
    assert ip.bands.table[0] == attrs.evolve(ip.bands.table[0])
    assert hash(ip.bands.table[0]) == hash(attrs.evolve(ip.bands.table[0]))
    rows = asnmerit.evaluate_records(ip, [pelaksana()])
    assert rows[0] == RowResult(1, {}, evaluation=a)
    assert attrs.has(Evaluation) and attrs.fields(Evaluation).criteria.eq is False


# -- to_json -----------------------------------------------------------------------------


def results() -> list[Any]:
    """A result of each kind that has ``to_dict()``."""
    ip = scheme("ip-asn")
    records = [pelaksana(nip=NIP), pelaksana(pendidikan="Sarjana"), pelaksana(seminar=False)]
    rows = asnmerit.evaluate_records(ip, records)
    evs = [r.evaluation for r in rows if r.evaluation is not None]
    low = asnmerit.evaluate(ip, pelaksana(pendidikan="SD"))
    record = {k: v for k, v in pelaksana().items() if k != "pendidikan"}
    return [
        evs[0],
        *rows,
        asnmerit.aggregate(rows),
        asnmerit.rank(rows),
        asnmerit.verify(evs, ip),
        next_band(low),
        evaluate_partial(ip, record),
        rows[1].error,
    ]


@pytest.mark.parametrize("indent", [None, 2, "\t"])
def test_a_result_is_written_as_json_dumps_writes_its_dict(indent: int | str | None) -> None:
    for result in results():
        text = to_json(result, indent=indent)
        assert text == json.dumps(result.to_dict(), indent=indent), type(result).__name__
        assert json.loads(text, parse_float=Decimal) == result.to_dict()
        assert to_json(result, decimals="string", indent=indent) == text  # traces hold text


def test_evaluation_to_json_is_to_json_of_it() -> None:
    ev = asnmerit.evaluate(scheme("ip-asn"), pelaksana())
    assert ev.to_json() == to_json(ev)
    assert ev.to_json(indent=1, decimals="string") == to_json(ev, indent=1, decimals="string")
    assert json.loads(ev.to_json())["score"] == "75.0"


def test_a_row_gives_its_result_or_its_error() -> None:
    ok, bad = asnmerit.evaluate_records(
        scheme("ip-asn"), [pelaksana(nip=NIP), pelaksana(pendidikan="Sarjana")]
    )
    assert ok.to_dict() == {
        "row": 1,
        "identifiers": {"nip": NIP},
        "result": ok.evaluation.to_dict() if ok.evaluation else None,
        "error": None,
    }
    body = bad.to_dict()
    assert body["row"] == 2 and body["result"] is None
    assert body["error"]["code"] == "InputError"
    assert body["error"]["issues"] == [
        {
            "field": "pendidikan",
            "row": 2,
            "expected": "one of S3, S2, S1, D4, D3, D2, D1, SLTA, SLTP, SD",
            "got": "text 'Sarjana'",
            "code": None,
        }
    ]


@pytest.mark.parametrize(
    ("value", "number", "string"),
    [
        (Decimal("52.5"), "52.5", '"52.5"'),
        (Decimal("52.50"), "52.50", '"52.50"'),
        (Decimal("1E+3"), "1000", '"1000"'),
        (Decimal("-0.000001"), "-0.000001", '"-0.000001"'),
        (Decimal("0.1"), "0.1", '"0.1"'),
        (Decimal("123456789012345678901234567890.123"), None, None),
    ],
)
def test_decimals_are_written_with_their_own_digits(
    value: Decimal, number: str | None, string: str | None
) -> None:
    text = to_json({"x": value})
    if number is not None:
        assert text == '{"x": ' + number + "}"
        assert to_json([value], decimals="string") == f"[{string}]"
    back = json.loads(text, parse_float=Decimal, parse_int=Decimal)["x"]
    assert back == value and plain(back) == plain(value)
    assert Decimal(json.loads(to_json(value, decimals="string"))) == value


@given(st.decimals(min_value=-(10**40), max_value=10**40, allow_nan=False, allow_infinity=False))
def test_any_finite_decimal_comes_back_equal(value: Decimal) -> None:
    back = json.loads(to_json([value]), parse_float=Decimal, parse_int=Decimal)[0]
    assert back == value
    assert Decimal(json.loads(to_json([value], decimals="string"))[0]) == value


@pytest.mark.parametrize(
    "value",
    [
        Decimal("NaN"),
        Decimal("sNaN"),
        Decimal("Infinity"),
        Decimal("-Infinity"),
        float("nan"),
        float("inf"),
    ],
)
def test_non_finite_numbers_are_refused(value: Any) -> None:
    with pytest.raises(ValueError, match="JSON has no NaN or infinity"):
        to_json({"score": [value]})


@pytest.mark.parametrize(
    "value",
    [Fraction(1, 3), {1, 2}, b"bytes", object(), {("a", "b"): 1}, {Decimal(1): 2}],
)
def test_what_json_cannot_hold_is_refused(value: Any) -> None:
    with pytest.raises(TypeError):
        to_json(value)


def test_bad_options_and_cycles_are_refused() -> None:
    with pytest.raises(ValueError, match="decimals"):
        to_json(1, decimals="float")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="indent"):
        to_json(1, indent=1.5)  # type: ignore[arg-type]
    loop: list[Any] = []
    loop.append(loop)
    with pytest.raises(ValueError, match="holds itself"):
        to_json(loop)


def test_plain_data_dates_frozen_mappings_and_texts() -> None:
    data = FrozenDict(
        a=(1, 2.5, True, None),
        d=dt.date(2024, 1, 31),
        t=dt.datetime(2024, 1, 31, 8, 30),
        s="Pegawai ✓ \ud800",
        n={1: "x"},
        e=[],
        m={},
    )
    text = to_json(data)
    assert text.isascii()
    back = json.loads(text)
    assert back == {
        "a": [1, 2.5, True, None],
        "d": "2024-01-31",
        "t": "2024-01-31T08:30:00",
        "s": "Pegawai ✓ \ud800",
        "n": {"1": "x"},
        "e": [],
        "m": {},
    }
    assert to_json({"e": [], "m": {}}, indent=2) == json.dumps({"e": [], "m": {}}, indent=2)


def test_numpy_scalars_are_written_by_their_value() -> None:
    np = pytest.importorskip("numpy")
    assert to_json([np.int64(3), np.float32(0.1), np.bool_(True)]) == "[3, 0.1, true]"


# -- errors as JSON bodies ---------------------------------------------------------------


def test_an_input_error_is_a_422_body_with_every_issue() -> None:
    with pytest.raises(InputError) as caught:
        asnmerit.evaluate(scheme("ip-asn"), pelaksana(pendidikan="Sarjana", seminar="mungkin"))
    err = caught.value
    body = err.to_dict()
    assert body["code"] == "InputError"
    assert body["message"] == str(err)
    assert [i["field"] for i in body["issues"]] == ["pendidikan", "seminar"]
    assert all(set(i) == {"field", "row", "expected", "got", "code"} for i in body["issues"])
    assert all(i["row"] is None and i["code"] is None for i in body["issues"])
    assert json.loads(to_json(err)) == body
    assert err.at_row(7).to_dict()["issues"][0]["row"] == 7
    again = pickle.loads(pickle.dumps(err))
    assert isinstance(again, InputError) and again.to_dict() == body
    assert InputError([InputIssue("f", "e", "g", 3)]).to_dict() == {
        "code": "InputError",
        "message": "row 3: f: expected e, got g",
        "issues": [{"field": "f", "row": 3, "expected": "e", "got": "g", "code": None}],
    }


def test_every_error_has_a_code_and_a_message() -> None:
    with pytest.raises(asnmerit.SchemeNotFoundError) as caught:
        asnmerit.get("nosuch")
    assert caught.value.to_dict() == {
        "code": "SchemeNotFoundError",
        "message": str(caught.value),
    }
    assert RecordsError("bad quote", "records.csv").to_dict() == {
        "code": "records.csv",
        "message": "bad quote",
    }
    assert asnmerit.ColumnsError("no column").to_dict()["code"] == "records.columns"
    assert AsnmeritError("plain").to_dict() == {"code": "AsnmeritError", "message": "plain"}
    with pytest.raises(CriteriaError) as bad:
        asnmerit.loads("id: x\n")
    body = bad.value.to_dict()
    assert body["code"] == "CriteriaError" and body["message"] == str(bad.value)
    assert [p["code"] for p in body["problems"]] == list(bad.value.codes)
    assert set(body["problems"][0]) == {"code", "message", "source", "line", "column", "path"}
    assert json.loads(to_json(bad.value)) == body
