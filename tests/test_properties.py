"""Properties that hold for every subject, not just the shipped examples."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import asnmerit
from asnmerit import _decimal as D
from asnmerit.model import Criteria

from .helpers import data_criteria, scheme
from .strategies import subjects

IP = scheme("ip-asn")
SINK = data_criteria("kitchen-sink.yaml")
ORDERED = [name for name, inp in IP.inputs.items() if inp.order]


@pytest.mark.parametrize("criteria", [IP, SINK], ids=["ip-asn", "kitchen-sink"])
@given(data=st.data())
def test_score_within_the_scheme_range(criteria: Criteria, data: st.DataObject) -> None:
    ev = asnmerit.evaluate(criteria, data.draw(subjects(criteria)))
    assert criteria.score_min <= ev.score <= criteria.score_max
    for comp in ev.components.children:
        node = criteria.node(comp.id)
        assert node.bounds[0] <= comp.points <= node.bounds[1]
    assert ev.band == criteria.band_for(ev.score)


@given(subjects(IP))
def test_ip_asn_score_is_the_plain_sum_of_its_dimensions(subject: dict[str, Any]) -> None:
    ev = asnmerit.evaluate(IP, subject)
    assert ev.score == D.total(c.points for c in ev.components.children)
    assert ev.score * 2 == int(ev.score * 2)  # steps of 0.5


def better(name: str, code: str) -> list[str]:
    """The codes of an ordered input that rank above ``code``."""
    inp = IP.inputs[name]
    return [c for c in inp.code_names if inp.rank(c) > inp.rank(code)]


@given(subjects(IP), st.sampled_from(ORDERED), st.data())
def test_a_better_code_never_lowers_the_score(
    subject: dict[str, Any], name: str, data: st.DataObject
) -> None:
    before = asnmerit.evaluate(IP, subject)
    up = better(name, before.inputs[name])
    if not up:
        return
    improved = {**subject, name: data.draw(st.sampled_from(up))}
    assert asnmerit.evaluate(IP, improved).score >= before.score


@given(subjects(IP), st.sampled_from([n for n, i in IP.inputs.items() if i.type == "boolean"]))
def test_training_done_never_lowers_the_score(subject: dict[str, Any], name: str) -> None:
    without = asnmerit.evaluate(IP, {**subject, name: False})
    with_it = asnmerit.evaluate(IP, {**subject, name: True})
    assert with_it.score >= without.score


@pytest.mark.parametrize("criteria", [IP, SINK], ids=["ip-asn", "kitchen-sink"])
@settings(max_examples=50)
@given(data=st.data())
def test_deterministic_and_order_independent(criteria: Criteria, data: st.DataObject) -> None:
    subject = data.draw(subjects(criteria))
    first = asnmerit.evaluate(criteria, subject)
    reordered = dict(reversed(list(subject.items())))
    second = asnmerit.evaluate(criteria, reordered)
    assert first == second
    assert json.dumps(first.to_dict(), sort_keys=True) == json.dumps(
        second.to_dict(), sort_keys=True
    )
    assert first.explain() == second.explain()
