"""Markdown reference pages generated from the criteria and the shipped JSON Schemas.

The documentation site builds its reference from these functions, so the pages cannot
drift from the data: one page per scheme (every version: header, inputs, score tree with
maxima, weights, basis and confidence, bands, eligibility, award, examples and the JSON
Schema of a subject record) and one page per JSON Schema. Every text that comes from data
is escaped (:func:`md_text`, :func:`md_code`), so a label cannot inject markup.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import Any

import attrs

from .. import _decimal as D
from .._values import cell
from ..conformance import cases_schema, index_schema
from ..engine.evaluator import describe_condition
from ..files.profile import profile_schema
from ..model import Citation, Criteria, Example
from ..spec.bundled import criteria_dir
from ..spec.schema import criteria_schema, result_schema
from ..spec.versions import bundled_versions
from .show import describe_criteria

_SPECIAL = re.compile(r"([\\`*_{}\[\]#|!])")


def md_text(value: object) -> str:
    """``value`` as inline Markdown text that renders literally: whitespace runs (newlines
    too) become one space, HTML-significant characters become entities, and every
    character Markdown gives a meaning inline (``\\ ` * _ { } [ ] # | !``) is escaped."""
    text = " ".join(str(value).split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _SPECIAL.sub(r"\\\1", text)


def md_code(value: object) -> str:
    """``value`` as an inline code span that shows it literally, whatever backticks it holds."""
    text = " ".join(str(value).split())
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _fenced(text: str, lang: str = "") -> list[str]:
    """A fenced code block holding ``text`` verbatim."""
    longest = max((len(run) for run in re.findall(r"`{3,}", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return [f"{fence}{lang}", *text.splitlines(), fence]


def anchor(value: str) -> str:
    """A safe HTML id made of ``value``: lower case letters, digits and ``-``."""
    return re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-") or "x"


def _row(cells: Iterable[str]) -> str:
    return "| " + " | ".join(c or " " for c in cells) + " |"


def _table(head: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    return [_row(head), _row("---" for _ in head), *(_row(r) for r in rows)]


def _label(en: str, id_: str) -> str:
    """The English label, followed by the Indonesian one when it differs."""
    return md_text(en) if en == id_ else f"{md_text(en)} (*{md_text(id_)}*)"


def _cites(basis: Sequence[str]) -> str:
    """Citations, each once, in order."""
    return "; ".join(md_text(b) for b in dict.fromkeys(basis))


def _facts(facts: Iterable[tuple[str, str]]) -> list[str]:
    """Named facts as a list, leaving out the empty ones."""
    return [f"- **{name}**: {value}" for name, value in facts if value]


def _places(n: int) -> str:
    return f"{n} decimal place" + ("" if n == 1 else "s")


def _value(value: Any) -> str:
    """A value from data (a decimal, a date, a boolean, a text) as a code span."""
    return md_code("null" if value is None else cell(value))


# -- one scheme version --------------------------------------------------------------------


def _source(c: Criteria) -> str:
    """Where the file lives: relative to the bundled folder, else only its name."""
    try:
        rel = Path(c.source).resolve().relative_to(criteria_dir().resolve())
    except (ValueError, OSError):
        return PurePosixPath(c.source.replace("\\", "/")).name
    return "criteria/" + rel.as_posix()


def _header(c: Criteria, en: dict[str, Any], id_: dict[str, Any]) -> list[str]:
    rounding = (
        f"{_places(c.rounding.places)}, {md_code(c.rounding.mode)}, at the {c.rounding.stage} stage"
        if c.rounding
        else "none declared"
    )
    facts = [
        ("title", _label(en["title"], id_["title"])),
        ("scheme id, version", f"{md_code(c.id)}, {md_code(c.version)}"),
        ("in force", f"{en['valid_from']} to {en['valid_to'] or '(no end date)'}"),
        ("supersedes", md_code(c.supersedes) if c.supersedes else ""),
        ("extends", md_text(c.extends) if c.extends else ""),
        ("subject", md_code(c.subject)),
        ("score range", f"{en['score_range'][0]} to {en['score_range'][1]}"),
        ("rounding", rounding),
        ("confidence", md_code(c.confidence)),
        ("basis", _cites(en["basis"])),
        ("file", md_code(_source(c))),
        ("digest", md_code(c.digest)),
    ]
    lines = _facts(facts)
    if c.notes:
        lines += ["", f"**Notes.** {md_text(c.notes)}"]
    return lines


def _references(c: Criteria) -> list[str]:
    if not c.references:
        return []

    def url(u: str) -> str:
        if re.fullmatch(r"https?://[^\s<>\"'`]+", u):
            return f"<{u}>"
        return md_code(u)

    items = []
    for r in c.references.values():
        facts = [md_text(r.kind) if r.kind else "", r.date.isoformat() if r.date else ""]
        facts.append(url(r.url) if r.url else "")
        line = f"- {md_code(r.key)}: {md_text(r.title)}" + "".join(f"; {f}" for f in facts if f)
        items.append(line + (f". {md_text(r.note)}" if r.note else ""))
    return ["", "### References", "", *items]


def _inputs(c: Criteria, en: dict[str, Any], id_: dict[str, Any]) -> list[str]:
    """One list item per input (type, label, bounds, details, confidence, basis), its
    codes as a list below it."""
    lines = ["", "### Inputs", ""]
    for name, i in en["inputs"].items():
        model = c.inputs[name]
        kind = i["type"] + (f", {i['order'].replace('_', ' ')}" if i.get("order") else "")
        facts = []
        if "range" in i:
            low, high = i["range"]
            span = f"from {low} " if low is not None else ""
            span += f"to {high}" if high is not None else ""
            facts.append(span.strip())
        if model.step is not None:
            facts.append(f"step {D.plain(model.step)}")
        if model.unit:
            facts.append(f"unit {md_text(model.unit)}")
        if "default" in i:
            facts.append(f"default {_value(model.default)}")
        if "aliases" in i:
            facts.append("field also named " + ", ".join(md_code(a) for a in i["aliases"]))
        if "derived" in i:
            facts.append(f"derived when absent ({i['derived']['confidence']})")
        facts.append(f"confidence {md_code(model.provenance.confidence)}")
        basis = [str(b) for b in model.provenance.basis]
        basis += [str(b) for code in model.codes for b in code.provenance.basis]
        if basis:
            facts.append(f"basis: {_cites(basis)}")
        head = f"- {md_code(name)} ({kind}): **{_label(i['label'], id_['inputs'][name]['label'])}**"
        if model.description:
            head += f". {md_text(model.description)}"
        lines.append(head + "<br>" + "; ".join(facts))
        for code in model.codes:
            item = f"    - {md_code(code.code)} {_label(code.label.get('en'), code.label.id)}"
            if code.aliases:
                item += ", also " + ", ".join(md_code(a) for a in code.aliases)
            if code.provenance.confidence != model.provenance.confidence:
                item += f" *({code.provenance.confidence})*"
            lines.append(item)
    if c.identifiers:
        ids = ", ".join(
            f"{md_code(n)} ({_label(i.label.get('en'), i.label.id)}"
            + (f"; format {md_code(i.format)}" if i.format else "")
            + ("; one row each in a batch" if i.unique else "")
            + ")"
            for n, i in c.identifiers.items()
        )
        lines += ["", f"**Identifiers** (passed through, never scored): {ids}."]
    return lines


def _points(n: dict[str, Any]) -> str:
    """What a node gives: its points per code, its rules, or its branches."""
    own = n["confidence"]

    def weak(p: Mapping[str, Any]) -> str:
        c = p.get("confidence", own)
        return f" *({c})*" if c != own else ""

    if "points" in n:
        return ", ".join(f"{md_code(k)} → {p['points']}{weak(p)}" for k, p in n["points"].items())
    if "rules" in n:
        return "; ".join(
            f"{'otherwise' if r['if'] == 'otherwise' else 'if ' + md_code(r['if'])} → "
            f"{r['points']}{weak(r)}"
            for r in n["rules"]
        )
    if "branches" in n:
        taken = list(n["branches"].values())
        rest = [ch["id"] for ch in n.get("children", []) if ch["id"] not in taken]
        parts = [f"{md_code(k)} → {md_code(v)}" for k, v in n["branches"].items()]
        return ", ".join(parts + [f"otherwise → {md_code(r)}" for r in rest])
    return ""


def _notes(n: dict[str, Any], path: str) -> Iterable[str]:
    """The notes of a node and of its points entries and rules, each under its path."""
    if n.get("note"):
        yield f"- {md_code(path)}: {md_text(n['note'])}"
    for key, p in n.get("points", {}).items():
        if p.get("note"):
            yield f"- {md_code(path)}, {md_code(key)}: {md_text(p['note'])}"
    for r in n.get("rules", []):
        if r.get("note"):
            yield f"- {md_code(path)}, if {md_code(r['if'])}: {md_text(r['note'])}"
    for child in n.get("children", []):
        yield from _notes(child, f"{path}.{child['id']}")


def _tree(en: dict[str, Any], id_: dict[str, Any], parent_basis: list[str]) -> list[str]:
    """A score tree as a nested list, a node per item: its id, label, maximum, weight,
    kind, confidence, its basis where it differs from its parent's, what it gives; then
    the notes of the tree."""
    lines: list[str] = []

    def walk(n: dict[str, Any], m: dict[str, Any], depth: int, above: list[str]) -> None:
        facts = [f"max **{n['max']}**"]
        if "weight" in n:
            facts.append(f"weight {n['weight']}")
        facts += [md_code(n["kind"]), f"confidence {md_code(n['confidence'])}"]
        if n["basis"] != above and n["basis"]:
            facts.append(f"basis: {_cites(n['basis'])}")
        line = f"{'    ' * depth}- {md_code(n['id'])} **{_label(n['label'], m['label'])}**: "
        line += ", ".join(facts)
        gives = _points(n)
        lines.append(line + (f"<br>{gives}" if gives else ""))
        for a, b in zip(n.get("children", []), m.get("children", []), strict=True):
            walk(a, b, depth + 1, n["basis"])

    walk(en, id_, 0, parent_basis)
    notes = list(_notes(en, en["id"]))
    return lines + (["", "Notes:", "", *notes] if notes else [])


def _bands(c: Criteria, en: dict[str, Any], id_: dict[str, Any]) -> list[str]:
    b = en["bands"]
    rows = [
        (
            md_code(row["code"]),
            _label(row["label"], other["label"]),
            "" if row["range"][0] is None else row["range"][0],
            "" if row["range"][1] is None else row["range"][1],
            md_code(band.provenance.confidence),
        )
        for row, other, band in zip(b["table"], id_["bands"]["table"], c.bands.table, strict=True)
    ]
    lines = [
        "",
        "### Bands",
        "",
        f"Boundary policy {md_code(b['policy'])}, step {b['step']}, confidence "
        f"{md_code(b['confidence'])}" + (f"; basis: {_cites(b['basis'])}" if b["basis"] else "."),
    ]
    if b.get("note"):
        lines += ["", f"**Note.** {md_text(b['note'])}"]
    return [*lines, "", *_table(("band", "label", "from", "to", "confidence"), rows)]


def _eligibility(c: Criteria) -> list[str]:
    if not c.eligibility:
        return []
    rows = [
        (
            md_code(g.id),
            md_code(describe_condition(g.require)),
            _label(g.reason.get("en"), g.reason.id),
            md_code(g.provenance.confidence),
        )
        for g in c.eligibility
    ]
    head = ("gate", "requires", "reason when it fails", "confidence")
    return ["", "### Eligibility", "", *_table(head, rows)]


def _award(en: dict[str, Any], id_: dict[str, Any]) -> list[str]:
    a, b = en["award"], id_["award"]
    if a is None:
        return []
    facts = [
        ("award", f"{_label(a['label'], b['label'])} ({md_code(a['id'])})"),
        ("minimum band", md_code(a["min_band"]) if a["min_band"] else ""),
        ("groups", ", ".join(md_code(g) for g in a["group_by"])),
        ("winners per group", str(a["ranks"] or "all") + ("" if a["ranked"] else ", not ranked")),
        ("ties", ", ".join(md_code(t) for t in [a["ties"], *a["tie_breakers"]])),
        ("confidence", md_code(a["confidence"])),
        ("basis", _cites(a["basis"])),
    ]
    lines = ["", "### Award", "", *_facts(facts)]
    for cat, other in zip(a["categories"], b["categories"], strict=True):
        said = [
            f"winners per group {cat['ranks'] or 'all'}",
            "ranked" if cat["ranked"] else "not ranked",
        ]
        if cat["group"]:
            said.insert(0, f"group {md_text(cat['group'])}")
        if cat["min_score"] is not None:
            said.append(f"minimum score {cat['min_score']}")
        said.append(f"confidence {md_code(cat['confidence'])}")
        name = f"Category {md_code(cat['id'])} **{_label(cat['label'], other['label'])}**"
        lines += ["", f"{name}: {', '.join(said)}.", ""]
        lines += _tree(cat["score"], other["score"], cat["basis"])
    if a["stages"]:
        stages = [
            (
                md_code(st["id"]),
                _label(st["label"], st_id["label"]),
                md_code(st["by"]),
                str(st["keep"] or "all"),
                ", ".join(md_code(p) for p in st["per"]),
                md_code(st["confidence"]),
            )
            for st, st_id in zip(a["stages"], b["stages"], strict=True)
        ]
        columns = ("stage", "label", "decided by", "keep", "per", "confidence")
        lines += ["", "Stages, in order:", "", *_table(columns, stages)]
    return lines


def _aggregate(en: dict[str, Any]) -> list[str]:
    g = en["aggregate"]
    if g is None:
        return []
    by = f", one row per {md_code(g['stratify'])} and a combined row" if g["stratify"] else ""
    return [
        "",
        "### Aggregate",
        "",
        f"Means rounded to {_places(g['places'])}, {md_code(g['mode'])}{by}; confidence "
        f"{md_code(g['confidence'])}.",
    ]


def _citation(c: Citation | None) -> str:
    if c is None:
        return ""
    return md_text(str(c)) + (f" ({md_text(c.note)})" if c.note else "")


def _example(e: Example) -> tuple[str, ...]:
    x = e.expect
    if e.subjects is not None:
        given = f"{len(e.subjects)} subjects" + (
            f", category {md_code(e.category)}" if e.category else ""
        )
    elif e.inputs is not None:
        given = f"a record of {len(e.inputs)} fields"
    else:
        given = f"score {_value(e.score)}"
    if e.band_policy:
        given += f", policy {md_code(e.band_policy)}"
    expected = []
    if x.score is not None:
        expected.append(f"score {D.plain(x.score)}")
    if x.band is not None:
        expected.append(f"band {md_code(x.band)}")
    if x.eligible is not None:
        expected.append("eligible" if x.eligible else "not eligible")
    if x.components:
        expected.append(
            "components " + ", ".join(f"{md_code(k)} {D.plain(v)}" for k, v in x.components.items())
        )
    if x.ranks:
        expected.append(
            "ranks "
            + ", ".join(
                f"{md_code(k)} {'unranked' if v is None else D.plain(v)}"
                for k, v in x.ranks.items()
            )
        )
    if x.reached:
        expected.append(
            "reached "
            + ", ".join(f"{md_code(k)} {md_code(v) if v else 'none'}" for k, v in x.reached.items())
        )
    name = md_code(e.id) + (f"<br>{md_text(e.description)}" if e.description else "")
    source = f"<br>{_citation(e.source)}" if e.source else ""
    return (name, e.provenance + source, given, "; ".join(expected))


def _examples(c: Criteria) -> list[str]:
    if not c.examples:
        return []
    head = ("example", "provenance", "given", "expected")
    lines = ["", "### Examples", "", f"{len(c.examples)} examples, run by `asnmerit test`."]
    return [*lines, "", *_table(head, (_example(e) for e in c.examples))]


def _input_schema(c: Criteria) -> list[str]:
    schema = c.input_schema()
    text = json.dumps(schema, indent=2, ensure_ascii=False)
    return [
        "",
        "### JSON Schema of a subject record",
        "",
        f"`$id` {md_code(schema.get('$id', ''))}; printed by "
        f"{md_code(f'asnmerit schema input {c.id} --as-of {c.valid_from.isoformat()}')}.",
        "",
        '??? note "The schema"',
        "",
        *(f"    {line}" if line else "" for line in _fenced(text, "json")),
    ]


def version_section(c: Criteria, ident: str | None = None) -> str:
    """One scheme version as a Markdown section (``##``, its parts ``###``), its heading
    with the HTML id ``ident`` (default: ``version-`` and the version)."""
    en, id_ = describe_criteria(c, "en"), describe_criteria(c, "id")
    ident = ident or f"version-{anchor(c.version)}"
    lines = [f"## Version {md_text(c.version)} {{#{ident}}}", ""]
    lines += _header(c, en, id_)
    lines += _references(c)
    lines += _inputs(c, en, id_)
    lines += [
        "",
        "### Score tree",
        "",
        "A node shows its basis where it differs from its parent's (for the root: from the "
        "scheme's); a weak confidence of a single entry is shown beside it.",
        "",
    ]
    lines += _tree(en["score"], id_["score"], en["basis"])
    lines += _bands(c, en, id_)
    lines += _eligibility(c)
    lines += _award(en, id_)
    lines += _aggregate(en)
    lines += _examples(c)
    lines += _input_schema(c)
    return "\n".join(lines) + "\n"


def scheme_page(versions: Sequence[Criteria]) -> str:
    """The reference page of one scheme: a table of its versions, then each version."""
    if not versions:
        raise ValueError("a scheme page needs at least one version")
    ids = {c.id for c in versions}
    if len(ids) != 1:
        raise ValueError(f"a scheme page shows one scheme, got {', '.join(sorted(ids))}")
    ordered = sorted(versions, key=lambda c: c.valid_from)
    scheme = ordered[0].id
    idents: list[str] = []
    for c in ordered:  # one HTML id per version, even if two versions slug alike
        base = ident = f"version-{anchor(c.version)}"
        while ident in idents:
            ident = f"{base}-{len(idents)}"
        idents.append(ident)
    rows = [
        (
            f"[{md_text(c.version)}](#{ident})",
            _label(c.title.get("en"), c.title.id),
            c.valid_from.isoformat(),
            c.valid_to.isoformat() if c.valid_to else "",
            str(len(c.examples)),
        )
        for c, ident in zip(ordered, idents, strict=True)
    ]
    lines = [
        f"# {md_text(scheme)}",
        "",
        "Generated from the bundled criteria files when this site was built. "
        f"{md_code(f'asnmerit show {scheme}')} prints the inputs, score tree and bands of the "
        "version in force. Labels are in English, with the Indonesian original in italics "
        "where it differs.",
        "",
        *_table(("version", "title", "from", "to", "examples"), rows),
        "",
    ]
    sections = (version_section(c, ident) for c, ident in zip(ordered, idents, strict=True))
    return "\n".join(lines) + "\n" + "\n".join(sections)


# -- JSON Schemas --------------------------------------------------------------------------


def _ref_link(ref: str) -> str:
    name = ref.rsplit("/", 1)[-1]
    if ref.startswith("#/$defs/"):
        return f"[{md_text(name)}](#def-{anchor(name)})"
    return md_code(ref)


def schema_type(s: Mapping[str, Any], nested: bool = False) -> str:
    """A short description of what a JSON Schema (fragment) accepts, in Markdown;
    ``nested`` fragments (inside ``oneOf`` and the like) also name their properties."""
    parts: list[str] = []
    if "$ref" in s:
        parts.append(_ref_link(s["$ref"]))
    if "const" in s:
        parts.append("exactly " + md_code(json.dumps(s["const"], ensure_ascii=False)))
    if "enum" in s:
        parts.append(
            "one of " + ", ".join(md_code(json.dumps(v, ensure_ascii=False)) for v in s["enum"])
        )
    if "type" in s:
        types = s["type"] if isinstance(s["type"], list) else [s["type"]]
        words = []
        for t in types:
            if t == "array" and isinstance(s.get("items"), Mapping):
                words.append(f"list of ({schema_type(s['items'], True)})")
            elif t == "object" and isinstance(s.get("additionalProperties"), Mapping):
                words.append(f"map of ({schema_type(s['additionalProperties'], True)})")
            elif t == "object" and nested and isinstance(s.get("properties"), Mapping):
                words.append("object of " + ", ".join(md_code(k) for k in s["properties"]))
            else:
                words.append(md_text(t))
        parts.append(" or ".join(words))
    elif nested and s.get("required"):
        parts.append("with " + ", ".join(md_code(k) for k in s["required"]))
    for key, word in (("oneOf", "exactly one of"), ("anyOf", "any of"), ("allOf", "all of")):
        options = [schema_type(x, True) for x in s.get(key, []) if isinstance(x, Mapping)]
        options = [o for o in options if o]
        if options:
            parts.append(f"{word} ({'; '.join(options)})")
    if "pattern" in s:
        parts.append("matching " + md_code(s["pattern"]))
    for key, word in (
        ("minimum", "≥"),
        ("exclusiveMinimum", ">"),
        ("maximum", "≤"),
        ("exclusiveMaximum", "<"),
    ):
        if key in s:
            parts.append(f"{word} {md_text(s[key])}")
    return ", ".join(parts) if parts or nested else "any value"


_CONDITIONS = ("if", "dependentRequired", "dependentSchemas", "not")


def _conditional(s: Mapping[str, Any]) -> bool:
    """Whether a schema holds conditions between its properties (``if``/``then`` ...)."""
    return any(k in s for k in _CONDITIONS) or any(
        isinstance(x, Mapping) and _conditional(x) for x in s.get("allOf", [])
    )


def _properties(s: Mapping[str, Any]) -> list[str]:
    props = s.get("properties")
    if not isinstance(props, Mapping) or not props:
        return []
    required = set(s.get("required", []))
    rows = [
        (
            md_code(name) + ("<br>*required*" if name in required else ""),
            schema_type(p),
            md_text(p.get("description", "")),
        )
        for name, p in props.items()
    ]
    return _table(("property", "accepts", "description"), rows)


def schema_section(schema: Mapping[str, Any]) -> str:
    """A JSON Schema as Markdown: its id, description, top-level properties, definitions
    (each with its own properties) and, at the end, the whole schema verbatim."""
    more = "Conditions between properties apply: see [the full schema](#the-full-schema)."
    lines = [
        f"`$id` {md_code(schema.get('$id', ''))}, dialect {md_code(schema.get('$schema', ''))}.",
        "",
    ]
    if schema.get("description"):
        lines += [md_text(schema["description"]), ""]
    lines += ["## Properties", "", f"Accepts: {schema_type(schema)}.", ""]
    lines += _properties(schema)
    if _conditional(schema):
        lines += ["", more]
    defs = schema.get("$defs", {})
    if defs:
        lines += ["", "## Definitions"]
    for name, d in defs.items():
        lines += ["", f"### {md_text(name)} {{#def-{anchor(name)}}}", ""]
        if isinstance(d, Mapping):
            if d.get("description"):
                lines += [md_text(d["description"]), ""]
            lines.append(f"Accepts: {schema_type(d)}.")
            table = _properties(d)
            if table:
                lines += ["", *table]
            if _conditional(d):
                lines += ["", more]
    text = json.dumps(schema, indent=2, ensure_ascii=False)
    lines += ["", "## The full schema {#the-full-schema}", "", *_fenced(text, "json")]
    return "\n".join(lines) + "\n"


def schema_page(schema: Mapping[str, Any], title: str, intro: str = "") -> str:
    """The reference page of one JSON Schema, under ``title`` (text, escaped here), after
    ``intro`` (Markdown, taken as it is)."""
    head = [f"# {md_text(title)}", ""]
    if intro:
        head += [intro, ""]
    return "\n".join(head) + "\n" + schema_section(schema)


# -- the whole reference -------------------------------------------------------------------


@attrs.frozen
class Page:
    """A generated page: its path under the documentation folder, its title and text."""

    path: str
    title: str
    text: str


SCHEMAS: tuple[tuple[str, str, Callable[[], dict[str, Any]]], ...] = (
    ("criteria", "Criteria file schema", criteria_schema),
    ("result", "Result trace schema", result_schema),
    ("profile", "Reading profile schema", profile_schema),
    ("conformance-index", "Conformance corpus index schema", index_schema),
    ("conformance-cases", "Conformance cases schema", cases_schema),
)
"""The shipped JSON Schemas that get a page: (name, title, the function that gives it);
``asnmerit schema NAME`` prints each."""


def reference_pages(schemes: Mapping[str, Sequence[Criteria]] | None = None) -> list[Page]:
    """Every reference page: an overview, one page per scheme (default: every bundled one),
    one per shipped JSON Schema."""
    schemes = bundled_versions() if schemes is None else schemes
    pages = [
        Page(f"reference/schemes/{anchor(sid)}.md", sid, scheme_page(vs))
        for sid, vs in schemes.items()
    ]
    for name, title, schema in SCHEMAS:
        intro = (
            "Generated from the JSON Schema shipped with asnmerit when this site was built; "
            f"{md_code(f'asnmerit schema {name}')} prints it."
        )
        pages.append(
            Page(f"reference/schemas/{name}.md", title, schema_page(schema(), title, intro))
        )
    return [Page("reference/index.md", "Overview", _overview(schemes)), *pages]


def _overview(schemes: Mapping[str, Sequence[Criteria]]) -> str:
    rows = []
    for sid, versions in schemes.items():
        latest = max(versions, key=lambda c: c.valid_from)
        rows.append(
            (
                f"[{md_text(sid)}](schemes/{anchor(sid)}.md)",
                ", ".join(md_text(c.version) for c in sorted(versions, key=lambda c: c.valid_from)),
                _label(latest.title.get("en"), latest.title.id),
                md_code(latest.subject),
            )
        )
    schemas = [f"- [{title}](schemas/{name}.md)" for name, title, _ in SCHEMAS]
    lines = [
        "# Reference",
        "",
        "These pages are generated from the bundled criteria files and the shipped JSON "
        "Schemas each time the site is built, so they always match the data. For each "
        "version of each scheme: the inputs, the score tree with maxima, weights, basis and "
        "confidence, the bands, the eligibility gates, the award, the examples and the JSON "
        "Schema of a subject record. The pages under *Schemes* in the navigation tell what "
        "each scheme's values rest on and what is assumed; these pages show the data itself.",
        "",
        "## Schemes",
        "",
        *_table(("scheme", "versions", "title (latest version)", "subject"), rows),
        "",
        "## JSON Schemas",
        "",
        *schemas,
        "- The JSON Schema of a subject record is on each scheme's page, per version.",
    ]
    return "\n".join(lines) + "\n"
