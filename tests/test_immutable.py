"""Models and results are immutable all the way down: no dict, list or set can be reached
from a loaded scheme or from any result, every mapping refuses a change, and pickling,
copying, ``attrs.evolve``, equality and the JSON forms still work."""

from __future__ import annotations

import copy
import json
import pickle
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from typing import Any

import attrs
import pytest

import asnmerit
from asnmerit.analysis.examples import run_examples
from asnmerit.analysis.verification import differences
from asnmerit.engine.batch import evaluate_records
from asnmerit.model import Criteria, FrozenDict, freeze
from asnmerit.whatif import evaluate_partial, next_band, sensitivity, sweep

from .helpers import DATA, data_criteria, pelaksana, scheme

CHANGES: list[tuple[str, Callable[[Any], Any]]] = [
    ("set", lambda m: m.__setitem__("x", 1)),
    ("del", lambda m: m.__delitem__(next(iter(m), "x"))),
    ("update", lambda m: m.update(x=1)),
    ("pop", lambda m: m.pop(next(iter(m), "x"))),
    ("popitem", lambda m: m.popitem()),
    ("clear", lambda m: m.clear()),
    ("setdefault", lambda m: m.setdefault("x", 1)),
    ("ior", lambda m: m.__ior__({"x": 1})),
]


def reachable(obj: Any, path: str = "", seen: set[int] | None = None) -> Iterator[tuple[str, Any]]:
    """Every value reachable from ``obj`` through attrs fields, mappings and sequences, with
    its path (a scheme's source ``document`` belongs to the parser, and is left out)."""
    seen = set() if seen is None else seen
    if id(obj) in seen:
        return
    seen.add(id(obj))
    yield path, obj
    if attrs.has(type(obj)):
        for f in attrs.fields(type(obj)):
            if f.name != "document":
                yield from reachable(getattr(obj, f.name), f"{path}.{f.name}", seen)
    elif isinstance(obj, Mapping):
        for k, v in obj.items():
            yield from reachable(k, f"{path}[{k!r}]<key>", seen)
            yield from reachable(v, f"{path}[{k!r}]", seen)
    elif isinstance(obj, list | tuple | set | frozenset):
        for i, v in enumerate(obj):
            yield from reachable(v, f"{path}[{i}]", seen)


def assert_frozen(obj: Any) -> int:
    """Fail on a changeable container reachable from ``obj``; check that every mapping
    refuses each kind of change. Returns how many mappings were checked."""
    mappings = 0
    for path, value in reachable(obj):
        assert not isinstance(value, list | set | bytearray), f"{path} is a {type(value)}"
        if isinstance(value, dict):
            assert type(value) is FrozenDict, f"{path} is a {type(value).__name__}"
            before = dict(value)
            for name, change in CHANGES:
                with pytest.raises(TypeError):
                    change(value)
                assert value == before, f"{path} changed by {name}"
            mappings += 1
    return mappings


def ranking_records(jpt: Criteria) -> list[dict[str, Any]]:
    marks = ["90", "80", "80", "70"]
    names = ["A", "B", "C", "D"]
    return [
        {**dict.fromkeys(jpt.inputs, m), "instansi": n, "kelompok_instansi": "Kota"}
        for n, m in zip(names, marks, strict=True)
    ]


def every_result() -> dict[str, Any]:
    """One of each kind of result, of several schemes."""
    ip, jpt, award = scheme("ip-asn"), scheme("jpt"), asnmerit.load(DATA / "award.yaml")
    odd = {"nip": "198001012005011001", "instansi": ["a", {"b": [1]}], **pelaksana()}
    rows = evaluate_records(ip, [odd, pelaksana(), pelaksana(), pelaksana(pendidikan="S9")])
    ev = rows[0].evaluation
    assert ev is not None
    jpt_rows = evaluate_records(jpt, ranking_records(jpt))
    candidates = [
        {"instansi": n, "tingkat": "kota", "jumlah_asn": 100, "syarat": True, "a": m, "b": m}
        | {"c": m, "tahap2": m}
        for n, m in (("p", 90), ("q", 80), ("r", 70))
    ]
    award_rows = evaluate_records(award, candidates)
    return {
        "rows": tuple(rows),
        "rank": asnmerit.rank(jpt_rows),
        "rank_award": asnmerit.rank(award_rows),
        "select": asnmerit.select(award_rows),
        "aggregate": asnmerit.aggregate(rows, by="instansi"),
        "compare": asnmerit.compare({"2020": ev, "2021": ev}),
        "verify": (
            asnmerit.verify([ev, {"format": "x"}], ip),
            tuple(differences({"a": {"b": [1]}}, {"a": [2]})),
        ),
        "next_band": next_band(ev),
        "partial": evaluate_partial(ip, {"jenis_jabatan": "pelaksana"}),
        "sweep": sweep(
            jpt, [{"persiapan.weight": "0.3", "inovasi.weight": "0.1"}], ranking_records(jpt)
        ),
        "shift": sensitivity(
            jpt, ranking_records(jpt), {"persiapan.weight": "0.3", "inovasi.weight": "0.1"}
        ),
        "examples": tuple(run_examples(ip)),
    }


@pytest.mark.parametrize("info", asnmerit.catalog(), ids=lambda s: f"{s.id}-{s.version}")
def test_no_bundled_scheme_holds_a_changeable_container(info: asnmerit.SchemeInfo) -> None:
    assert assert_frozen(asnmerit.get(info.id, info.valid_from.isoformat())) >= 3


def test_the_kitchen_sink_holds_no_changeable_container() -> None:
    assert_frozen(data_criteria("kitchen-sink.yaml"))


def test_no_result_holds_a_changeable_container() -> None:
    counts = {name: assert_frozen(result) for name, result in every_result().items()}
    assert all(counts[name] for name in counts if name != "examples"), counts


def test_a_cached_scheme_cannot_be_broken_for_later_callers() -> None:
    ip = asnmerit.get("ip-asn")
    for attribute in ("inputs", "identifiers", "fields", "references"):
        with pytest.raises(TypeError):
            getattr(ip, attribute)["pendidikan"] = None
    with pytest.raises(TypeError):
        del ip.inputs["pendidikan"]
    assert asnmerit.evaluate(asnmerit.get("ip-asn"), pelaksana()).score == Decimal(75)


def test_rows_with_equal_inputs_cannot_change_each_other() -> None:
    ip = scheme("ip-asn")
    rows = evaluate_records(ip, [pelaksana(), pelaksana()])
    first, second = (r.evaluation for r in rows)
    assert first is not None and second is not None
    before = second.to_dict()
    for mapping in (first.inputs, first.identifiers, first.categories, rows[0].identifiers):
        with pytest.raises(TypeError):
            mapping["pendidikan"] = "S3"  # type: ignore[index]
    assert second.to_dict() == before


def test_results_pickle_copy_evolve_and_compare() -> None:
    results = every_result()
    rows = results["rows"]
    ev = rows[1].evaluation
    for value in (ev, rows[:3], ev.criteria, results["rank"], results["aggregate"]):
        back = pickle.loads(pickle.dumps(value))
        assert back == value
        assert copy.copy(value) == value and copy.deepcopy(value) == value
        assert_frozen(back)
    same = attrs.evolve(ev, identifiers={"nip": ["x"]})
    assert type(same.identifiers) is FrozenDict and same.identifiers == {"nip": ("x",)}
    assert same.inputs is ev.inputs and same != ev
    assert hash(attrs.evolve(ev)) == hash(ev)
    assert json.loads(json.dumps(ev.to_dict())) == ev.to_dict()
    assert json.loads(json.dumps(rows[0].evaluation.to_dict()))["identifiers"]["instansi"] == [
        "a",
        {"b": [1]},
    ]
    assert json.dumps(ev.inputs) == json.dumps(dict(ev.inputs))  # a dict for json


def test_frozen_dict() -> None:
    d = freeze({"a": [1, {"b": {2}}], "c": (3, [4])})
    assert d == {"a": (1, FrozenDict({"b": frozenset({2})})), "c": (3, (4,))}
    assert type(d) is FrozenDict and type(d["a"][1]) is FrozenDict
    assert hash(d) == hash(freeze({"c": (3, [4]), "a": [1, {"b": {2}}]}))
    assert copy.copy(d) is d and pickle.loads(pickle.dumps(d)) == d
    assert type(pickle.loads(pickle.dumps(d))) is FrozenDict
    assert dict(d) == d and type(d | {"x": 1}) is dict and type(d.copy()) is dict
    assert FrozenDict.fromkeys("ab") == {"a": None, "b": None}
    assert repr(FrozenDict(a=1)) == "{'a': 1}"
    for _, change in CHANGES:
        with pytest.raises(TypeError):
            change(d)
