"""A scheme at a glance: its inputs, score tree (maxima, basis, confidence) and bands.

:func:`describe_criteria` gives the JSON-ready form; :func:`render_criteria` the text
of ``asnmerit show``, made from it.
"""

from __future__ import annotations

from typing import Any

from .. import _decimal as D
from .._values import show_bound
from ..engine.evaluator import describe_condition
from ..model import (
    Cases,
    Citation,
    Criteria,
    Direct,
    Lookup,
    Mean,
    Node,
    Provenance,
    Ref,
    Sum,
    Switch,
    Weighted,
)


def _cites(basis: tuple[Citation, ...]) -> list[str]:
    return [str(c) for c in basis]


def _prov(p: Provenance) -> dict[str, Any]:
    out: dict[str, Any] = {"confidence": p.confidence, "basis": _cites(p.basis)}
    if p.note:
        out["note"] = p.note
    return out


def _node(node: Node, lang: str) -> dict[str, Any]:
    kind = node.kind
    out: dict[str, Any] = {
        "id": node.id,
        "label": node.label.get(lang),
        "max": D.plain(node.max if node.max is not None else node.bounds[1]),
        "min": D.plain(node.bounds[0]),
        **_prov(node.provenance),
    }
    if node.weight is not None:
        out["weight"] = D.plain(node.weight)
    if isinstance(kind, Lookup):
        out["kind"] = f"lookup {kind.input}"
        out["points"] = {
            k: {"points": D.plain(v.points), **_prov(v.provenance)} for k, v in kind.points.items()
        }
        if kind.otherwise is not None:
            out["points"]["(otherwise)"] = {
                "points": D.plain(kind.otherwise.points),
                **_prov(kind.otherwise.provenance),
            }
    elif isinstance(kind, Cases):
        out["kind"] = "cases"
        out["rules"] = [
            {
                "if": describe_condition(r.condition),
                "points": D.plain(r.points.points),
                **_prov(r.points.provenance),
            }
            for r in kind.rules
        ]
        out["rules"].append({"if": "otherwise", "points": D.plain(kind.otherwise.points)})
    elif isinstance(kind, Direct):
        out["kind"] = f"direct {kind.input}" + (
            f" x {D.plain(kind.factor)}" if kind.factor != 1 else ""
        )
    elif isinstance(kind, Sum):
        out["kind"] = "sum"
    elif isinstance(kind, Weighted):
        out["kind"] = (
            "weighted"
            + (" normalized" if kind.normalize else "")
            + (f" x {D.plain(kind.scale)}" if kind.scale != 1 else "")
        )
    elif isinstance(kind, Mean):
        drops = [
            f"{n} {end}"
            for n, end in ((kind.drop_highest, "highest"), (kind.drop_lowest, "lowest"))
            if n
        ]
        out["kind"] = "mean" + (f" without the {' and '.join(drops)}" if drops else "")
    elif isinstance(kind, Ref):
        out["kind"] = f"= {kind.node}"
    elif isinstance(kind, Switch):
        out["kind"] = f"switch {kind.input}"
        out["branches"] = {k: v.id for k, v in kind.branches.items()}
    if node.children:
        out["children"] = [_node(c, lang) for c in node.children]
    return out


def describe_criteria(
    c: Criteria, lang: str = "id"
) -> dict[str, Any]:  # one literal: the JSON form
    """A JSON-ready overview of a scheme version."""
    return {
        "id": c.id,
        "version": c.version,
        "title": c.title.get(lang),
        "subject": c.subject,
        "valid_from": c.valid_from.isoformat(),
        "valid_to": c.valid_to.isoformat() if c.valid_to else None,
        "digest": c.digest,
        "source": c.source,
        "confidence": c.confidence,
        "basis": _cites(c.basis),
        "score_range": [D.plain(c.score_min), D.plain(c.score_max)],
        "inputs": {
            name: {
                "type": i.type,
                "label": i.label.get(lang),
                **({"codes": list(i.code_names)} if i.codes else {}),
                **({"order": i.order} if i.order else {}),
                **({"default": str(i.default)} if i.default is not None else {}),
                **({"aliases": list(i.aliases)} if i.aliases else {}),
                **({"derived": _prov(i.derive.provenance)} if i.derive else {}),
                **(
                    {"range": [None if b is None else show_bound(b) for b in (i.min, i.max)]}
                    if i.min is not None or i.max is not None
                    else {}
                ),
            }
            for name, i in c.inputs.items()
        },
        "identifiers": list(c.identifiers),
        "score": _node(c.score, lang),
        "bands": {
            "policy": c.bands.policy,
            "step": D.plain(c.bands.step),
            **_prov(c.bands.provenance),
            "table": [
                {
                    "code": b.code,
                    "label": b.label.get(lang),
                    "range": [
                        None if b.lower is None else D.plain(b.lower),
                        None if b.upper is None else D.plain(b.upper),
                    ],
                }
                for b in c.bands.table
            ],
        },
        "eligibility": [{"id": g.id, "reason": g.reason.get(lang)} for g in c.eligibility],
        "award": None
        if c.award is None
        else {
            "id": c.award.id,
            "label": c.award.label.get(lang),
            "min_band": c.award.min_band,
            **_prov(c.award.provenance),
            "group_by": list(c.award.group_by),
            "ranks": c.award.ranks,
            "ranked": c.award.ranked,
            "ties": c.award.ties,
            "tie_breakers": [f"{t.by} ({t.prefer})" for t in c.award.tie_breakers],
            "categories": [
                {
                    "id": cat.id,
                    "label": cat.label.get(lang),
                    "group": cat.group,
                    "ranks": cat.ranks,
                    "ranked": cat.ranked,
                    "min_score": None if cat.min_score is None else D.plain(cat.min_score),
                    **_prov(cat.provenance),
                    "score": _node(cat.score, lang),
                }
                for cat in c.award.categories
            ],
            "stages": [
                {
                    "id": st.id,
                    "label": st.label.get(lang),
                    "by": st.by,
                    "keep": st.keep,
                    "per": list(st.per),
                    **_prov(st.provenance),
                }
                for st in c.award.stages
            ],
        },
        "aggregate": None
        if c.aggregation is None
        else {
            "places": c.aggregation.rounding.places,
            "mode": c.aggregation.rounding.mode,
            "stratify": c.aggregation.stratify,
            **_prov(c.aggregation.provenance),
        },
        "extends": c.extends,
        "examples": len(c.examples),
    }


def render_criteria(c: Criteria, lang: str = "id") -> str:  # the text of each section, in order
    """``asnmerit show`` as text."""
    d = describe_criteria(c, lang)
    until = d["valid_to"] or ("berlaku" if lang == "id" else "in force")
    lines = [
        f"{d['title']} - {d['id']} {d['version']}",
        f"  {d['valid_from']} .. {until}; subject: {d['subject']}; score {d['score_range'][0]}..{d['score_range'][1]}",
        f"  {d['digest']}",
        *(f"  basis: {b}" for b in d["basis"]),
        "",
        "inputs:",
    ]
    if d["extends"]:
        lines[3:3] = [f"  extends: {d['extends']}"]
    for name, i in d["inputs"].items():
        codes = f": {' | '.join(i['codes'])}" if "codes" in i else ""
        span = f" {i['range'][0] or ''}..{i['range'][1] or ''}" if "range" in i else ""
        also = f"  (also: {', '.join(i['aliases'])})" if "aliases" in i else ""
        derived = (
            f"  (derived when absent [{i['derived']['confidence']}])" if "derived" in i else ""
        )
        lines.append(f"  {name} ({i['type']}{span}){codes}{also}{derived}")
    lines += ["", "score:"]
    _tree(d["score"], 1, lines)
    b = d["bands"]
    lines += ["", f"bands ({b['policy']}, step {b['step']}) [{b['confidence']}]:"]
    for row in b["table"]:
        lo, hi = (v if v is not None else "" for v in row["range"])
        lines.append(f"  {row['code']:<16} {lo:>6} .. {hi:<6} {row['label']}")
    if d["eligibility"]:
        lines += ["", "eligibility:", *(f"  {g['id']}: {g['reason']}" for g in d["eligibility"])]
    if d["award"]:
        a = d["award"]
        least = f", minimum band {a['min_band']}" if a["min_band"] else ""
        lines += ["", f"award: {a['label']} ({a['id']}){least} [{a['confidence']}]"]
        if a["group_by"]:
            lines.append(f"  groups: {', '.join(a['group_by'])}")
        ties = ", ".join([a["ties"], *a["tie_breakers"]])
        lines.append(f"  winners per group: {a['ranks'] or 'all'}; ties: {ties}")
        for cat in a["categories"]:
            ranks = "all" if cat["ranks"] is None else cat["ranks"]
            how = "ranked" if cat["ranked"] else "not ranked"
            least = f", minimum {cat['min_score']}" if cat["min_score"] else ""
            lines.append(
                f"  category {cat['id']}: {cat['label']} (winners per group: {ranks}, {how}{least})"
                f" [{cat['confidence']}]"
            )
            _tree(cat["score"], 2, lines)
        for st in a["stages"]:
            per = f" per {', '.join(st['per'])}" if st["per"] else ""
            keep = f"best {st['keep']}{per}" if st["keep"] else f"all{per}"
            lines.append(
                f"  stage {st['id']}: {st['label']} by {st['by']}, {keep} go on [{st['confidence']}]"
            )
    if d["aggregate"]:
        g = d["aggregate"]
        by = f", one row per {g['stratify']}" if g["stratify"] else ""
        lines += [
            "",
            f"aggregate: means to {g['places']} places {g['mode']}{by} [{g['confidence']}]",
        ]
    lines += ["", f"examples: {d['examples']}"]
    return "\n".join(lines)


def _tree(n: dict[str, Any], depth: int, lines: list[str]) -> None:
    pad = "  " * depth
    weight = f" weight {n['weight']}" if "weight" in n else ""
    lines.append(
        f"{pad}{n['id']}: {n['label']}  [max {n['max']}{weight}] {n['kind']} ({n['confidence']})"
    )
    for b in n["basis"]:
        lines.append(f"{pad}    basis: {b}")
    for key, p in n.get("points", {}).items():
        lines.append(f"{pad}    {key} -> {p['points']} ({p['confidence']})")
    for r in n.get("rules", []):
        lines.append(f"{pad}    if {r['if']} -> {r['points']}")
    for child in n.get("children", []):
        _tree(child, depth + 1, lines)
