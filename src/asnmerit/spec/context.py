"""What every part of the build shares: the document, the problems found so far, what
is declared and what is used, and the small readers (provenance, citations, dates,
rounding, numbers) that each section of a criteria file needs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .. import _decimal as D
from ..errors import Problem
from ..model import Citation, Input, Node, Points, Provenance, Reference, Rounding, Text
from .parse import Document, Path
from .ranges import Range


def dec(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(value)


def opt_dec(value: Any) -> Decimal | None:
    return None if value is None else dec(value)


def text(d: Mapping[str, Any]) -> Text:
    return Text(d["id"], d.get("en"))


def codes(inp: Input) -> tuple[str, ...]:
    """The keys a lookup or switch on ``inp`` may use."""
    return ("true", "false") if inp.type == "boolean" else inp.code_names


@dataclass
class Usage:
    """What the file's nodes, gates, fields and examples use of its declarations."""

    inputs: set[str] = field(default_factory=set)
    """Inputs read by a node, a gate or a field."""
    references: set[str] = field(default_factory=set)
    """References cited by a basis or an example."""


@dataclass
class TreeState:
    """What building the score tree has learnt so far."""

    node_ids: dict[str, Path] = field(default_factory=dict)
    """Every node id (of the tree and the award categories), at its first place."""
    broken: set[str] = field(default_factory=set)
    """Nodes whose content failed: their bounds are unknown."""
    stage_rounding: Rounding | None = None
    """The top-level rounding when it applies at every node."""
    nodes: dict[str, Node] = field(default_factory=dict)
    """The nodes of the score tree by id (what a ``ref`` may point to)."""
    total: tuple[str, Range] = ("", (D.ZERO, D.ZERO))
    """The root's id and its range after the final rounding (what a ``ref`` to it gets)."""


class Context:
    """The state of one build, with the readers every section uses."""

    def __init__(
        self,
        doc: Document,
        digest: str,
        *,
        extends: str | None = None,
        inherited: frozenset[tuple[str, str]] = frozenset(),
    ) -> None:
        self.doc = doc
        self.digest = digest
        self.extends = extends
        self.inherited = inherited
        """(section, name) of inputs and references that came from a base scheme: dropped,
        not reported, when the replaced nodes no longer use them."""
        self.problems: list[Problem] = []
        self.references: dict[str, Reference] = {}
        self.inputs: dict[str, Input] = {}
        self.used = Usage()
        self.tree = TreeState()

    def report(self, code: str, message: str, path: Path, *, key: bool = False) -> None:
        self.problems.append(self.doc.problem(code, message, path, key=key))

    def unknown_input(self, name: str, path: Path) -> None:
        known = ", ".join(self.inputs)
        self.report("node.unknown-input", f"unknown input {name!r} (declared: {known})", path)

    def unique(self, code: str, item_id: str, seen: set[str], path: Path) -> None:
        """Report ``item_id`` with ``code`` (``<what>.duplicate-id``) when ``seen`` has it
        already; add it."""
        if item_id in seen:
            what = code.partition(".")[0]
            self.report(code, f"{what} id {item_id!r} is used twice", (*path, "id"))
        seen.add(item_id)

    # -- provenance --------------------------------------------------------------------

    def cite(self, d: Mapping[str, Any], path: Path) -> Citation | None:
        ref = self.references.get(d["ref"])
        if ref is None:
            known = ", ".join(self.references) or "none declared"
            self.report(
                "reference.unknown",
                f"unknown reference {d['ref']!r} (declared: {known})",
                (*path, "ref"),
            )
            return None
        self.used.references.add(ref.key)
        return Citation(ref, d.get("article"), d.get("note"))

    def basis(self, items: list[Any] | None, path: Path) -> tuple[Citation, ...]:
        cites = [self.cite(item, (*path, i)) for i, item in enumerate(items or ())]
        return tuple(c for c in cites if c is not None)

    def provenance(self, d: Mapping[str, Any], path: Path, up: Provenance) -> Provenance:
        """``d``'s own basis, confidence and note; basis and confidence default to ``up``'s."""
        return Provenance(
            self.basis(d.get("basis"), (*path, "basis")) or up.basis,
            d.get("confidence", up.confidence),
            d.get("note"),
        )

    def points(self, value: Any, path: Path, up: Provenance) -> Points:
        if isinstance(value, Mapping):
            return Points(dec(value["points"]), self.provenance(value, path, up))
        return Points(dec(value), Provenance(up.basis, up.confidence))

    # -- plain values ------------------------------------------------------------------

    def date(self, value: str | None, path: Path) -> dt.date | None:
        if value is None:
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            self.report("value.date", f"{value!r} is not a calendar date", path)
            return None

    def rounding(self, d: Mapping[str, Any] | None) -> Rounding | None:
        if d is None:
            return None
        return Rounding(d["places"], d.get("mode", "half_up"), d.get("stage", "final"))
