"""Staged selection: who goes on at each stage, per group, with ties at the last place,
candidates not scored for a stage, and the administrative check before the first."""

from __future__ import annotations

import json
from typing import Any

import pytest

import asnmerit
from asnmerit import AsnmeritError
from asnmerit.engine.batch import evaluate_records
from asnmerit.model import Criteria

from .helpers import DATA


@pytest.fixture(scope="module")
def award() -> Criteria:
    return asnmerit.load(DATA / "award.yaml")


def candidate(name: str, tingkat: str, index: Any, **fields: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "instansi": name,
        "tingkat": tingkat,
        "jumlah_asn": 100,
        "syarat": True,
        "a": index,
        "b": index,
        "c": index,
    }
    record.update(fields)
    return record


def test_each_stage_keeps_the_best_per_group(award: Criteria) -> None:
    records = [
        candidate("p1", "provinsi", 90, tahap2=60),
        candidate("p2", "provinsi", 80, tahap2=90),
        candidate("k1", "kota", 85, tahap2=70),
        candidate("k2", "kota", 70, tahap2=99),  # fourth at the first stage (keep 3)
    ]
    sel = asnmerit.select([asnmerit.evaluate(award, r) for r in records])
    reached = {c.identifiers["instansi"]: c.reached for c in sel.candidates}
    assert reached == {"p1": "pertama", "p2": "kedua", "k1": "kedua", "k2": None}
    p1 = sel.candidates[0]
    assert [(s.stage, str(s.rank), s.passed) for s in p1.steps] == [
        ("pertama", "1", True),
        ("kedua", "2", False),
    ]
    assert [c.identifiers["instansi"] for c in sel.finalists()] == ["p2", "k1"]


def test_ties_at_the_last_place_all_go_on(award: Criteria) -> None:
    records = [candidate(f"c{i}", "kota", 80, tahap2=50) for i in range(4)]
    sel = asnmerit.select([asnmerit.evaluate(award, r) for r in records])
    first = [c.steps[0] for c in sel.candidates]
    assert all(s.passed and str(s.rank) == "1" for s in first)  # four tied for 1st, keep 3
    assert all(c.steps[1].passed for c in sel.candidates)  # and again at the second stage


def test_not_scored_and_not_eligible_candidates_stop_with_a_reason(award: Criteria) -> None:
    records = [
        candidate("scored", "kota", 90, tahap2=80),
        candidate("no stage 2 score", "kota", 95),
        candidate("no files", "kota", 99, syarat=False),
        candidate("broken", "kota", "many"),
    ]
    sel = asnmerit.select(evaluate_records(award, records))
    by_name = {c.identifiers.get("instansi"): c for c in sel.candidates}
    assert by_name["scored"].reached == "kedua"
    stopped = by_name["no stage 2 score"]
    assert stopped.reached == "pertama"
    assert stopped.steps[1].reason is not None
    assert stopped.steps[1].reason.get("en") == "not assessed in Stage 2"
    assert by_name["no files"].steps == () and by_name["no files"].excluded[0].get("en") == (
        "Files incomplete"
    )
    broken = by_name["broken"]
    assert (
        broken.row == 4
        and broken.steps == ()
        and "could not be scored" in (broken.excluded[0].get("en"))
    )
    rows = sel.rows("en")
    assert len(rows) == 4 and rows[1]["stopped"] == "not assessed in Stage 2"
    data = json.loads(json.dumps(sel.to_dict()))
    assert data["format"] == "asnmerit.selection/1" and len(data["candidates"]) == 4


def test_a_scheme_without_stages_is_refused() -> None:
    jpt = asnmerit.get("jpt")
    ev = asnmerit.evaluate(jpt, dict.fromkeys(jpt.inputs, 90))
    with pytest.raises(AsnmeritError, match="declares no stages"):
        asnmerit.select([ev])


def test_a_field_that_groups_a_stage_is_required(award: Criteria) -> None:
    record = candidate("no tier", "kota", 80, tahap2=50)
    del record["tingkat"]
    with pytest.raises(asnmerit.InputError, match="tingkat: expected a value"):
        asnmerit.evaluate(award, record)
    assert "tingkat" in award.input_schema()["required"]


def test_the_award_tie_breakers_settle_a_stage_cut(award: Criteria) -> None:
    import attrs

    from asnmerit.model import TieBreaker

    assert award.award is not None
    breaking = attrs.evolve(
        award, award=attrs.evolve(award.award, tie_breakers=(TieBreaker("tahap2"),))
    )
    records = [candidate(f"c{i}", "kota", 80, tahap2=50 + i) for i in range(4)]
    evs = [asnmerit.evaluate(award, r) for r in records]
    sel = asnmerit.select(evs, criteria=breaking)
    assert [str(c.steps[0].rank) for c in sel.candidates] == ["4", "3", "2", "1"]
    assert [c.identifiers["instansi"] for c in sel.finalists()] == ["c3"]
    assert [c.steps[0].passed for c in sel.candidates] == [False, True, True, True]


def test_a_blank_group_identifier_stops_a_candidate(award: Criteria) -> None:
    import attrs

    assert award.award is not None
    stages = tuple(attrs.evolve(s, per=("instansi",)) for s in award.award.stages)
    by_agency = attrs.evolve(award, award=attrs.evolve(award.award, stages=stages))
    records = [candidate("a", "kota", 80, tahap2=50), candidate("", "kota", 90, tahap2=50)]
    sel = asnmerit.select([asnmerit.evaluate(award, r) for r in records], criteria=by_agency)
    blank = sel.candidates[1]
    assert blank.reached is None and blank.steps[0].reason is not None
    assert blank.steps[0].reason.get("en") == "no value for instansi, which decides the group"
    assert sel.candidates[0].reached == "kedua"
