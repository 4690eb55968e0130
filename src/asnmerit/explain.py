"""Readable explanations of an :class:`~asnmerit.evaluate.Evaluation`, in Indonesian or English."""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from . import decimals as D
from .model import WEAK

if TYPE_CHECKING:
    from .evaluate import Component, Evaluation

_WORDS = {
    "id": {
        "score": "Skor",
        "band": "Kategori",
        "policy": "kebijakan batas",
        "eligible": "Memenuhi syarat",
        "ineligible": "Tidak memenuhi syarat",
        "warnings": "Catatan",
        "yes": "ya",
        "reconstructed": "rekonstruksi",
        "assumption": "asumsi",
        "basis": "dasar",
        "categories": "Kategori penghargaan",
        "not_assessed": "tidak dinilai",
        "derived": "Diturunkan dari aturan skema",
    },
    "en": {
        "score": "Score",
        "band": "Band",
        "policy": "boundary policy",
        "eligible": "Eligible",
        "ineligible": "Not eligible",
        "warnings": "Notes",
        "yes": "yes",
        "reconstructed": "reconstructed",
        "assumption": "assumption",
        "basis": "basis",
        "categories": "Award categories",
        "not_assessed": "not assessed",
        "derived": "Derived by the scheme's rules",
    },
}


def explain(ev: Evaluation, lang: str = "id") -> str:
    """The evaluation as indented text: one line per component with points / max, the rule
    that matched, its basis, and a marker (``!``) where a value is reconstructed or assumed."""
    if lang not in _WORDS:
        raise ValueError(f"lang must be 'id' or 'en', got {lang!r}")
    w = _WORDS[lang]
    top = ev.components
    lines = [
        f"{top.label.get(lang)} ({ev.scheme} {ev.version})",
        f"{w['score']}: {D.plain(ev.score)} / {D.plain(top.max)}",
        f"{w['band']}: {ev.band.label.get(lang)} [{ev.band.code}] ({w['policy']}: {ev.band_policy})",
    ]
    if ev.ineligible:
        lines.append(f"{w['ineligible']}:")
        lines.extend(f"  - {i.reason.get(lang)} [{i.gate}]" for i in ev.ineligible)
    lines.append("")
    for comp in top.children:
        _lines(comp, 0, lang, lines)
    if ev.categories:
        lines.append("")
        lines.append(f"{w['categories']}:")
        award = ev.criteria.award
        assert award is not None
        for cat in award.categories:
            scored = ev.categories.get(cat.id)
            if scored is None:
                lines.append(f"  {cat.label.get(lang)}: {w['not_assessed']}")
            else:
                _lines(attrs.evolve(scored, label=cat.label), 1, lang, lines)
    if ev.derived:
        lines.append("")
        from .batch import cell

        shown = ", ".join(f"{name} = {cell(ev.inputs[name])}" for name in ev.derived)
        lines.append(f"{w['derived']}: {shown}")
    if ev.warnings:
        lines.append("")
        lines.append(f"{w['warnings']}:")
        lines.extend(f"  ! {x.path}: {x.message}" for x in ev.warnings)
    return "\n".join(lines)


def _lines(c: Component, depth: int, lang: str, out: list[str]) -> None:
    w = _WORDS[lang]
    pad = "  " * depth
    mark = f" ! {w[c.provenance.confidence]}" if c.provenance.confidence in WEAK else ""
    line = f"{pad}{c.label.get(lang)}: {D.plain(c.points)} / {D.plain(c.max)}"
    if c.rule:
        line += f"  <- {c.rule}"
    out.append(line + mark)
    if c.provenance.basis:
        out.append(f"{pad}    {w['basis']}: " + "; ".join(str(b) for b in c.provenance.basis))
    for child in c.children:
        _lines(child, depth + 1, lang, out)
