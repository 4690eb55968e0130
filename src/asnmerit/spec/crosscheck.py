"""Checks across sections, once everything is built: names that would collide as columns
of a result, and declared inputs and references that nothing uses."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import Problem
from ..model import Identifier
from .context import Context

RESERVED = frozenset(
    {"row", "score", "band", "band_label", "eligible", "warnings", "error"}
    | {"rank", "tied", "winner", "excluded", "reached", "stopped"}
)
"""Names of result columns: no identifier or score node may take them."""


class CrossChecks(Context):
    """Reports names that collide and declarations nothing uses."""

    problems: list[Problem]  # what this part of the build reports (see Context.report)

    def names(self, identifiers: Mapping[str, Identifier]) -> None:
        """Identifiers, input aliases and node ids name columns: they must not collide."""
        fields: dict[str, str] = {name: f"input {name!r}" for name in self.inputs}
        fields.update((name, f"identifier {name!r}") for name in identifiers)
        fields.update((name, "a result column") for name in RESERVED)
        for inp in self.inputs.values():
            for j, alias in enumerate(inp.aliases):
                if alias in fields:
                    self.report(
                        "input.field-alias",
                        f"alias {alias!r} of input {inp.name!r} is already the name of {fields[alias]}",
                        ("inputs", inp.name, "aliases", j),
                    )
                fields[alias] = f"an alias of input {inp.name!r}"
        for name in identifiers:
            if name in RESERVED or name in self.tree.node_ids:
                what = "a result column" if name in RESERVED else "a score node"
                self.report(
                    "name.reserved",
                    f"identifier {name!r} is also the name of {what}",
                    ("identifiers", name),
                    key=True,
                )
        for node_id, path in self.tree.node_ids.items():
            if node_id in RESERVED:
                self.report(
                    "name.reserved",
                    f"node id {node_id!r} is the name of a result column ({', '.join(sorted(RESERVED))})",
                    path,
                )

    def unused_inputs(self) -> None:
        """Report (or drop, if inherited) the inputs nothing reads."""
        self.unused("input")

    def unused_references(self) -> None:
        """Report (or drop, if inherited) the references nothing cites."""
        self.unused("reference")

    def unused(self, what: str) -> None:
        """Declared inputs no node or gate reads, or references nothing cites. Those a
        base scheme declared are dropped instead: the nodes that used them were replaced."""
        declared: dict[str, Any]
        if what == "input":
            section, declared, used = "inputs", self.inputs, self.used.inputs
            verb = "used by any node or gate"
        else:
            section, declared, used = "references", self.references, self.used.references
            verb = "cited by any basis or example"
        for name in [n for n in declared if n not in used]:
            if (section, name) in self.inherited:
                del declared[name]
            else:
                self.report(
                    f"{what}.unused", f"{what} {name!r} is not {verb}", (section, name), key=True
                )
