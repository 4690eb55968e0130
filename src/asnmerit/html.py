"""HTML for notebooks: ``_repr_html_`` of criteria, evaluations and result tables.

Plain, self-contained markup (no scripts, no styles beyond inline alignment); every text
from a criteria file or a record is escaped, so a hostile label cannot inject markup.
Nothing is displayed unless a notebook asks for it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from html import escape
from typing import TYPE_CHECKING, Any

from . import decimals as D

if TYPE_CHECKING:
    from .evaluate import Component, Evaluation
    from .model import Criteria


def _cell(value: Any) -> str:
    from .batch import cell

    return escape(cell(value))


class Tabular:
    """Displays a result table in a notebook: its ``rows()``, under ``caption()``."""

    __slots__ = ()
    scheme: str
    version: str
    rows: Callable[[], list[dict[str, Any]]]

    def caption(self) -> str:
        """What the table shows: the scheme version."""
        return f"{self.scheme} {self.version}"

    def _repr_html_(self) -> str:
        return table(self.rows(), self.caption())


def table(rows: Sequence[Mapping[str, Any]], caption: str = "") -> str:
    """Rows of mappings as an HTML table, the columns in order of first appearance."""
    columns = list(dict.fromkeys(k for row in rows for k in row))
    head = "".join(f"<th>{escape(str(c))}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{_cell(row.get(c))}</td>" for c in columns) + "</tr>" for row in rows
    )
    title = f"<caption>{escape(caption)}</caption>" if caption else ""
    return f"<table>{title}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _components(comp: Component, depth: int, lang: str) -> Iterable[dict[str, Any]]:
    pad = "\u00a0\u00a0" * depth
    yield {
        "component": pad + comp.label.get(lang),
        "points": D.plain(comp.points),
        "max": D.plain(comp.max),
        "rule": comp.rule or "",
        "confidence": comp.provenance.confidence,
        "basis": "; ".join(str(b) for b in comp.provenance.basis),
    }
    for child in comp.children:
        yield from _components(child, depth + 1, lang)


def evaluation(ev: Evaluation, lang: str = "id") -> str:
    """One evaluation: the score and band, eligibility, then every component."""
    head = (
        f"<p><b>{escape(ev.components.label.get(lang))}</b> ({escape(ev.scheme)} "
        f"{escape(ev.version)}): <b>{escape(D.plain(ev.score))}</b> / "
        f"{escape(D.plain(ev.components.max))}, {escape(ev.band.label.get(lang))} "
        f"[{escape(ev.band.code)}]</p>"
    )
    notes = [i.reason.get(lang) for i in ev.ineligible] + [str(w) for w in ev.warnings]
    listed = "".join(f"<li>{escape(n)}</li>" for n in notes)
    rows = [r for c in ev.components.children for r in _components(c, 0, lang)]
    return head + (f"<ul>{listed}</ul>" if listed else "") + table(rows)


def criteria(c: Criteria, lang: str = "id") -> str:
    """A scheme version: its header, inputs and the top of its score tree."""
    head = (
        f"<p><b>{escape(c.title.get(lang))}</b> ({escape(c.id)} {escape(c.version)}), "
        f"{escape(c.valid_from.isoformat())} .. "
        f"{escape(c.valid_to.isoformat() if c.valid_to else '')}; "
        f"{escape(c.digest)}</p>"
    )
    inputs = [
        {
            "input": name,
            "type": i.type,
            "label": i.label.get(lang),
            "codes": " | ".join(i.code_names),
        }
        for name, i in c.inputs.items()
    ]
    tree = [
        {
            "node": n.label.get(lang),
            "max": D.plain(n.max if n.max is not None else n.bounds[1]),
            "confidence": n.provenance.confidence,
        }
        for n in c.score.children
    ]
    bands = [
        {"band": b.code, "label": b.label.get(lang), "from": b.lower, "to": b.upper}
        for b in c.bands.table
    ]
    return head + table(inputs) + table(tree) + table(bands)
