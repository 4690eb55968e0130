"""The reference pages generated for the documentation site: complete for every bundled
scheme and shipped schema, escaped against hostile labels, and built by MkDocs."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml

import asnmerit
from asnmerit._decimal import plain
from asnmerit.model import Criteria, Node
from asnmerit.present.docgen import (
    md_code,
    md_text,
    reference_pages,
    schema_page,
    scheme_page,
    version_section,
)

ROOT = Path(__file__).resolve().parents[1]

HOSTILE = "a | b `c` <script>alert(1)</script> *x* _y_ [z](http://e.test) {#id} \\ # & ~"


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    return {p.path: p.text for p in reference_pages()}


def _nodes(c: Criteria) -> list[Node]:
    cats = [cat.score for cat in c.award.categories] if c.award else []
    return [n for root in (c.score, *cats) for n in root.walk()]


def test_every_scheme_page_names_every_input_node_band_and_example(pages: dict[str, str]) -> None:
    schemes = sorted({s.id for s in asnmerit.catalog()})
    assert len(schemes) >= 8
    for info in asnmerit.catalog():
        page = pages[f"reference/schemes/{info.id}.md"]
        c = asnmerit.load(info.path)
        section = version_section(c)
        assert section in page
        assert f"## Version {info.version} " in section
        where = (info.id, info.version)
        for name in c.inputs:  # an item of the list of inputs
            assert f"\n- {md_code(name)} (" in section, (*where, name)
        for node in _nodes(c):  # an item of a tree, at any depth
            assert re.search(rf"\n *- {re.escape(md_code(node.id))} \*\*", section), (
                *where,
                node.id,
            )
        for band in c.bands.table:  # a row of the band table
            assert f"\n| {md_code(band.code)} |" in section, (*where, band.code)
        for example in c.examples:  # a row of the examples table
            assert f"\n| {md_code(example.id)}" in section, (*where, example.id)
        for gate in c.eligibility:
            assert f"\n| {md_code(gate.id)} |" in section, (*where, gate.id)
        assert c.digest in section
        top = c.score.max if c.score.max is not None else c.score.bounds[1]
        assert f"{md_code(c.score.id)} **" in section and f"max **{plain(top)}**" in section


def test_a_scheme_page_lists_its_versions_oldest_first() -> None:
    merit = [asnmerit.get("sistem-merit", as_of=d) for d in ("2020-01-01", "2026-01-01")]
    page = scheme_page(list(reversed(merit)))
    assert page.index("## Version 2019 {#version-2019}") < page.index("## Version 2025")
    assert "[2019](#version-2019)" in page
    assert "asnmerit schema input sistem-merit --as-of 2019-01-01" in page
    with pytest.raises(ValueError, match="one scheme"):
        scheme_page([merit[0], asnmerit.get("ip-asn")])
    with pytest.raises(ValueError, match="at least one"):
        scheme_page([])


def test_the_tree_shows_maxima_weights_points_and_weak_confidence() -> None:
    ip = version_section(asnmerit.get("ip-asn"))
    assert "`kinerja` **Performance (*Kinerja*)**: max **30**" in ip
    assert "`butuh_perbaikan` → 15 *(assumption)*" in ip
    assert "`struktural` → `kompetensi_struktural`" in ip
    assert "Boundary policy `upper_bounds`, step 1, confidence `reconstructed`" in ip
    assert "`criteria/ip-asn/2019.yaml`" in ip
    assert str(ROOT) not in ip  # no machine path
    jpt = version_section(asnmerit.get("jpt"))
    assert re.search(r"max \*\*\d+(\.\d+)?\*\*, weight 0\.\d+", jpt)


def test_the_schema_pages_name_every_property_and_hold_the_schema(pages: dict[str, str]) -> None:
    for name, schema in (
        ("criteria", asnmerit.criteria_schema()),
        ("result", asnmerit.result_schema()),
    ):
        page = pages[f"reference/schemas/{name}.md"]
        for prop in schema["properties"]:
            assert f"| {md_code(prop)}" in page, (name, prop)
        for prop in schema.get("required", []):
            assert f"| {md_code(prop)}<br>*required* |" in page
        for definition in schema.get("$defs", {}):
            assert f"{{#def-{definition.replace('_', '-')}}}" in page, (name, definition)
        block = page.split("## The full schema {#the-full-schema}", 1)[1]
        body = block.strip().removeprefix("```json").removesuffix("```")
        assert json.loads(body) == schema


def test_the_overview_links_every_page(pages: dict[str, str]) -> None:
    overview = pages["reference/index.md"]
    for path in pages:
        if path != "reference/index.md":
            assert f"]({path.removeprefix('reference/')})" in overview


def test_md_text_and_md_code_escape_what_markdown_would_read() -> None:
    text = md_text(HOSTILE)
    assert "<" not in text and ">" not in text
    assert re.search(r"(?<!\\)[|`*_\[\]{}#]", text) is None  # every one escaped
    assert md_text("one\ntwo  three") == "one two three"
    assert md_code("a`b") == "``a`b``"
    assert md_code("`x`") == "`` `x` ``"


def _hostile_criteria() -> Criteria:
    h = json.dumps(HOSTILE)
    return asnmerit.loads(
        f"""
spec: 1
id: hostile
version: {json.dumps("1 | <b>v</b> {#x}")}
title: {{id: {h}, en: {h}}}
subject: employee
valid_from: 2025-01-01
notes: {h}
references:
  src:
    title: {h}
    url: "javascript:alert(1)"
    note: {h}
basis: [{{ref: src, article: {h}}}]
inputs:
  kode:
    type: enum
    label: {{id: {h}}}
    description: {h}
    values:
      A: {{label: {{id: {h}, en: {h}}}}}
      B: {{label: {{id: b}}}}
score:
  id: total
  label: {{id: {h}}}
  max: 10
  lookup:
    input: kode
    points:
      A: {{points: 10, confidence: assumption, note: {h}}}
      B: 0
bands:
  policy: lower_bounds
  note: {h}
  table:
    - {{code: semua, label: {{id: {h}}}, range: [null, null]}}
eligibility:
  - id: gerbang
    require: {{input: kode, is: A}}
    reason: {{id: {h}, en: {h}}}
examples:
  - id: contoh
    description: {h}
    provenance: published
    source: {{ref: src, note: {h}}}
    inputs: {{kode: A}}
    expect: {{score: 10, band: semua}}
"""
    )


class _Html(HTMLParser):
    """Collects tags, the text of each cell of each row of each table, and all text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.tables: list[list[list[str]]] = []
        self.text: list[str] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)

    def cells(self) -> list[set[int]]:
        """Per table, the numbers of cells its rows have (one number: a well-formed table)."""
        return [{len(row) for row in rows} for rows in self.tables]


def _markdown() -> Any:
    """Python-Markdown with the extensions the site uses (from mkdocs.yml)."""
    markdown = pytest.importorskip("markdown", reason="Markdown comes with the docs extra")
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text("utf-8"))
    names, configs = [], {}
    for item in config["markdown_extensions"]:
        if isinstance(item, dict):
            ((name, options),) = item.items()
            names.append(name)
            configs[name] = options or {}
        else:
            names.append(item)
    for name in names:
        if name.startswith("pymdownx."):
            pytest.importorskip("pymdownx", reason="pymdown-extensions comes with the docs extra")
    return markdown.Markdown(extensions=names, extension_configs=configs)


def test_hostile_labels_render_as_text() -> None:
    c = _hostile_criteria()
    page = scheme_page([c])
    prose = re.sub(r"^( *)(`{3,})json\n.*?^\1\2$", "", page, flags=re.S | re.M)
    assert "```" in page and "```" not in prose  # only the JSON blocks hold raw data
    prose = re.sub(r"(`+).*?\1", "", prose)  # and code spans
    assert "<script>" not in prose and "<b>" not in prose
    assert "`javascript:alert(1)`" in page  # not a link
    html = _markdown().convert(page)
    parsed = _Html()
    parsed.feed(html)
    tags = {t for t, _ in parsed.tags}
    assert "script" not in tags and "b" not in tags
    assert not any(
        v and v.startswith(("javascript", "http://e.test")) for _, a in parsed.tags for _, v in a
    )
    # versions, bands, eligibility, examples: no pipe from the data split a cell
    assert parsed.cells() == [{5}, {5}, {4}, {4}]
    versions, bands, gates, examples = (table[1] for table in parsed.tables)
    assert versions[1] == bands[1] == gates[2] == HOSTILE
    assert examples[0] == "contoh" + HOSTILE
    assert examples[1] == f"published{HOSTILE} ({HOSTILE})"
    text = " ".join("".join(parsed.text).split())
    assert text.count(HOSTILE) >= 10  # title, notes, labels, notes, reasons, sources ...
    ids = [v for _, a in parsed.tags for k, v in a if k == "id"]
    assert "x" not in ids and len(ids) == len(set(ids))


def test_a_page_of_a_hostile_schema_renders_as_text() -> None:
    schema = {
        "$id": "urn:test",
        "description": HOSTILE,
        "properties": {"a|b": {"description": HOSTILE, "enum": ["<i>", "`"]}},
        "required": ["a|b"],
        "$defs": {"x y": {"description": HOSTILE, "type": "string"}},
    }
    page = schema_page(schema, HOSTILE, md_text(HOSTILE))
    parsed = _Html()
    parsed.feed(_markdown().convert(page))
    assert "i" not in {t for t, _ in parsed.tags} and "script" not in {t for t, _ in parsed.tags}
    assert parsed.cells() == [{3}]
    assert parsed.tables[0][1] == ["a|brequired", 'one of "<i>", "`"', HOSTILE]
    assert " ".join("".join(parsed.text).split()).count(HOSTILE) >= 4


@pytest.mark.slow
@pytest.mark.skipif(
    importlib.util.find_spec("mkdocs") is None or importlib.util.find_spec("material") is None,
    reason="mkdocs and mkdocs-material are not installed (pip install -e '.[docs]')",
)
def test_the_site_builds_strictly_with_the_generated_reference(tmp_path: Path) -> None:
    site = tmp_path / "site"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    run = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    ip = (site / "reference" / "schemes" / "ip-asn" / "index.html").read_text("utf-8")
    assert "Version 2019" in ip and "kompetensi_struktural" in ip
    schema = (site / "reference" / "schemas" / "criteria" / "index.html").read_text("utf-8")
    assert "urn:asnmerit:schema:criteria:1" in schema
    assert (site / "reference" / "schemas" / "result" / "index.html").is_file()
    assert (site / "how-to" / "dask-spark" / "index.html").is_file()
    assert not (ROOT / "docs" / "reference").exists()  # generated, never written to docs
