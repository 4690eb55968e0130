"""Notebook display: criteria, evaluations and result tables render as well-formed HTML,
with every text from a file or a record escaped."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import asnmerit
from asnmerit.cli.demo import synthetic_agency
from asnmerit.engine.batch import evaluate_records

from .helpers import pelaksana


class Checker(HTMLParser):
    """Collects tags, checks nesting, and keeps the text."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        self.stack.append(tag)
        self.tags.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack.pop() == tag, f"</{tag}> closes nothing open"

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(markup: str) -> Checker:
    checker = Checker()
    checker.feed(markup)
    checker.close()
    assert checker.stack == [], f"unclosed: {checker.stack}"
    return checker


def test_an_evaluation_shows_its_score_band_and_components(ip: asnmerit.Criteria) -> None:
    ev = asnmerit.evaluate(ip, pelaksana())
    page = parse(ev._repr_html_())
    text = " ".join(page.text)
    assert "75.0" in text and "Sedang" in text and "pendidikan = SLTA" in text

    def count(comp: asnmerit.Component) -> int:
        return 1 + sum(count(c) for c in comp.children)

    below_root = count(ev.components) - 1
    assert page.tags.count("tr") == 1 + below_root  # the header, then one row per component


def test_criteria_and_tables_render(ip: asnmerit.Criteria) -> None:
    assert "ip-asn" in " ".join(parse(ip._repr_html_()).text)
    rows = evaluate_records(ip, synthetic_agency(n=30, seed=3))
    ranking = asnmerit.rank(rows, group_by="unit_kerja", top=1)
    table = parse(ranking._repr_html_())
    assert table.tags.count("tr") == 1 + 30  # the header and one row per subject
    agg = asnmerit.aggregate(rows, "unit_kerja")
    assert "caption" in parse(agg._repr_html_()).tags


def test_hostile_text_is_escaped(ip: asnmerit.Criteria) -> None:
    ev = asnmerit.evaluate(ip, {**pelaksana(), "nama": "<script>alert(1)</script>"})
    ranking = asnmerit.rank([ev])
    markup = ranking._repr_html_()
    assert "<script>" not in markup and "&lt;script&gt;" in markup
    assert "script" not in parse(markup).tags
