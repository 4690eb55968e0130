"""The score tree read and checked: each node kind with the range of scores it can give,
unique ids, lookups and switches that cover every code, weights that add up to 1, and a
declared ``max`` equal to what the content gives."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, TypeVar, cast

from .. import _decimal as D
from ..errors import Problem
from ..model import (
    Cases,
    Direct,
    Input,
    Kind,
    Lookup,
    Mean,
    Node,
    Points,
    Provenance,
    Ref,
    Rounding,
    Rule,
    Sum,
    Switch,
    Weighted,
)
from . import ranges
from .conditions import ConditionChecks
from .context import codes, dec, opt_dec, text
from .parse import Path
from .ranges import Range

KINDS = ("lookup", "cases", "direct", "sum", "weighted", "switch", "mean", "ref")

T = TypeVar("T")
Built = tuple[Kind, Range] | None
"""A node's content and its range, or ``None`` when the content was not valid."""


class TreeBuilder(ConditionChecks):
    """Builds score nodes. ``in_category`` says whether a node is inside an award
    category's score (where a ``ref`` may draw on the score tree) or in the tree itself."""

    problems: list[Problem]  # what this part of the build reports (see Context.report)

    def node(
        self,
        d: Mapping[str, Any],
        path: Path,
        up: Provenance,
        parent: str | None,
        in_category: bool,
    ) -> Node:
        node_id = d["id"]
        self.node_id(node_id, path)
        prov = self.provenance(d, path, up)
        kind_key = next(k for k in KINDS if k in d)
        if "weight" in d and parent != "weighted":
            self.report(
                "node.weight-unused",
                "'weight' only counts inside a weighted node",
                (*path, "weight"),
                key=True,
            )
        built = self.content(kind_key, d[kind_key], (*path, kind_key), prov, in_category)
        own_rounding, rounding = self.node_rounding(d, path)
        if kind_key == "mean" and rounding is None:
            self.report(
                "mean.rounding",
                "a mean needs a rounding (its own, or the top-level one at stage nodes): "
                "a quotient may have no finite decimal expansion",
                path,
            )
            built = None
        kind, rng = built if built else (Sum(()), (D.ZERO, D.ZERO))
        cap = opt_dec(d.get("cap"))
        lo, hi = ranges.finished(rng, cap, rounding)
        node = Node(
            id=node_id,
            label=text(d["label"]),
            kind=kind,
            bounds=(lo, hi),
            max=opt_dec(d.get("max")),
            weight=opt_dec(d.get("weight")),
            cap=cap,
            rounding=own_rounding,
            description=d.get("description"),
            provenance=prov,
        )
        self.check_max(node, built is None, path)
        return node

    def node_id(self, node_id: str, path: Path) -> None:
        """Record ``node_id``; report it when another node has it already."""
        if node_id in self.tree.node_ids:
            first = self.doc.position(self.tree.node_ids[node_id])
            where = f" (first at line {first[0]})" if first else ""
            self.report(
                "node.duplicate-id", f"node id {node_id!r} is used twice{where}", (*path, "id")
            )
        else:
            self.tree.node_ids[node_id] = (*path, "id")

    def content(
        self, kind_key: str, payload: Any, path: Path, up: Provenance, in_category: bool
    ) -> Built:
        """The node's content of kind ``kind_key``, with its range."""
        if kind_key == "ref":
            return self.ref(payload, path, in_category)
        builders: dict[str, Callable[[Any, Path, Provenance, bool], Built]] = {
            "lookup": self.lookup,
            "cases": self.cases,
            "direct": self.direct,
            "sum": self.sum,
            "weighted": self.weighted,
            "switch": self.switch,
            "mean": self.mean,
        }
        return builders[kind_key](payload, path, up, in_category)

    def node_rounding(
        self, d: Mapping[str, Any], path: Path
    ) -> tuple[Rounding | None, Rounding | None]:
        """The node's own rounding, and the one the evaluator applies to it."""
        if "stage" in (d.get("rounding") or {}):
            self.report(
                "node.rounding-stage",
                "'stage' belongs to the top-level rounding only",
                (*path, "rounding", "stage"),
                key=True,
            )
        own_rounding = self.rounding(d.get("rounding"))
        return own_rounding, own_rounding or self.tree.stage_rounding

    def check_max(self, node: Node, failed: bool, path: Path) -> None:
        """A node whose content (or a descendant's) failed has unknown bounds: check no
        further; otherwise its declared ``max`` must be what its content gives."""
        broken = failed or any(k.id in self.tree.broken for k in node.children)
        if broken:
            self.tree.broken.add(node.id)
        elif node.max is not None and node.max != node.bounds[1]:
            self.report(
                "node.max-mismatch",
                f"declared max {D.plain(node.max)} but its content gives at most {D.plain(node.bounds[1])}",
                (*path, "max"),
            )

    # -- keyed by an input's codes -----------------------------------------------------

    def code_keys(
        self, d: Mapping[str, Any], keys_at: str, path: Path, what: str
    ) -> tuple[Input | None, bool]:
        """The enum or boolean input a lookup or switch is keyed by (if it exists), and
        whether every key is one of its codes."""
        name = d["input"]
        inp = self.inputs.get(name)
        if inp is None:
            self.unknown_input(name, (*path, "input"))
            return None, False
        self.used.inputs.add(name)
        if inp.type not in ("enum", "boolean"):
            self.report(
                "node.input-type",
                f"a {what} needs an enum or boolean input; {name!r} is {inp.type}",
                (*path, "input"),
            )
            return None, False
        valid = codes(inp)
        unknown = [key for key in d[keys_at] if key not in valid]
        for key in unknown:
            self.report(
                "node.unknown-code",
                f"{key!r} is not a code of {name!r} ({', '.join(valid)})",
                (*path, keys_at, key),
                key=True,
            )
        return inp, not unknown

    def reached(
        self, inp: Input, entries: Mapping[str, T], otherwise: T | None, path: Path, kind: str
    ) -> list[T] | None:
        """The entries a value of ``inp`` can reach; ``None`` (reported) if a code reaches nothing."""
        valid = codes(inp)
        missing = [c for c in valid if c not in entries]
        if missing and otherwise is None:
            what = "points" if kind == "lookup" else "branch"
            self.report(
                f"{kind}.incomplete",
                f"no {what} for {', '.join(missing)} of {inp.name!r} and no 'otherwise'",
                path,
            )
            return None
        out = [v for c, v in entries.items() if c in valid]
        return [*out, otherwise] if missing and otherwise is not None else out

    # -- the kinds ---------------------------------------------------------------------

    def lookup(self, d: Mapping[str, Any], path: Path, up: Provenance, in_category: bool) -> Built:
        inp, keys_ok = self.code_keys(d, "points", path, "lookup")
        points = {k: self.points(v, (*path, "points", k), up) for k, v in d["points"].items()}
        otherwise = (
            self.points(d["otherwise"], (*path, "otherwise"), up) if "otherwise" in d else None
        )
        if inp is None:
            return None
        reached = self.reached(inp, points, otherwise, (*path, "points"), "lookup")
        if reached is None or not keys_ok:
            return None
        return Lookup(inp.name, points, otherwise), ranges.span(p.points for p in reached)

    def cases(self, d: Mapping[str, Any], path: Path, up: Provenance, in_category: bool) -> Built:
        rules = []
        for i, r in enumerate(d["when"]):
            rpath = (*path, "when", i)
            cond = self.condition(r["if"], (*rpath, "if"))
            pts = Points(dec(r["points"]), self.provenance(r, rpath, up))
            if cond is not None:
                rules.append(Rule(cond, pts, text(r["label"]) if "label" in r else None))
        otherwise = self.points(d["otherwise"], (*path, "otherwise"), up)
        if len(rules) != len(d["when"]):
            return None
        values = [r.points.points for r in rules] + [otherwise.points]
        return Cases(tuple(rules), otherwise), ranges.span(values)

    def direct(self, d: Mapping[str, Any], path: Path, up: Provenance, in_category: bool) -> Built:
        inp = self.inputs.get(d["input"])
        if inp is None:
            self.unknown_input(d["input"], (*path, "input"))
            return None
        self.used.inputs.add(inp.name)
        if inp.type not in ("number", "integer") or inp.min is None or inp.max is None:
            self.report(
                "direct.input",
                f"a direct node needs a number input with min and max; {inp.name!r} is not",
                (*path, "input"),
            )
            return None
        factor = dec(d.get("factor", 1))
        rng = ranges.scaled(cast(Decimal, inp.min), cast(Decimal, inp.max), factor)
        return Direct(inp.name, factor), rng

    def children(
        self, items: list[Any], path: Path, up: Provenance, parent: str, in_category: bool
    ) -> list[Node]:
        return [
            self.node(item, (*path, i), up, parent, in_category) for i, item in enumerate(items)
        ]

    def sum(self, d: Mapping[str, Any], path: Path, up: Provenance, in_category: bool) -> Built:
        kids = self.children(d["of"], (*path, "of"), up, "sum", in_category)
        return Sum(tuple(kids)), ranges.total([k.bounds for k in kids])

    def weighted(
        self, d: Mapping[str, Any], path: Path, up: Provenance, in_category: bool
    ) -> Built:
        kids = self.children(d["of"], (*path, "of"), up, "weighted", in_category)
        normalize = bool(d.get("normalize", False))
        scale = dec(d.get("scale", 1))
        if not self.weights_valid(kids, normalize, path):
            return None
        weights = D.total(cast(Decimal, k.weight) for k in kids)
        if weights != D.ONE:
            shown = " + ".join(D.plain(cast(Decimal, k.weight)) for k in kids)
            self.report(
                "weighted.weights-sum",
                f"weights add up to {D.plain(weights)} ({shown}), not 1",
                (*path, "of"),
            )
            return None
        parts = [(cast(Decimal, k.weight), k.bounds) for k in kids]
        rng = ranges.weighted(parts, normalize, scale)
        return Weighted(tuple(kids), normalize, scale), rng

    def weights_valid(self, kids: list[Node], normalize: bool, path: Path) -> bool:
        """Whether every child has a weight above 0 (and a max above 0 to normalize by)."""
        ok = True
        for i, kid in enumerate(kids):
            if kid.weight is None:
                self.report(
                    "weighted.weight",
                    f"child {kid.id!r} of a weighted node has no weight",
                    (*path, "of", i),
                )
                ok = False
            elif kid.weight <= 0:
                self.report(
                    "weighted.weight",
                    f"weight of {kid.id!r} must be above 0",
                    (*path, "of", i, "weight"),
                )
                ok = False
            if normalize and kid.bounds[1] <= 0:
                self.report(
                    "weighted.normalize",
                    f"child {kid.id!r} cannot be normalized: its max is not above 0",
                    (*path, "of", i),
                )
                ok = False
        return ok

    def switch(self, d: Mapping[str, Any], path: Path, up: Provenance, in_category: bool) -> Built:
        inp, keys_ok = self.code_keys(d, "branches", path, "switch")
        branches = {
            k: self.node(v, (*path, "branches", k), up, "switch", in_category)
            for k, v in d["branches"].items()
        }
        otherwise = (
            self.node(d["otherwise"], (*path, "otherwise"), up, "switch", in_category)
            if "otherwise" in d
            else None
        )
        if inp is None:
            return None
        reached = self.reached(inp, branches, otherwise, (*path, "branches"), "switch")
        if reached is None or not keys_ok:
            return None
        return Switch(inp.name, branches, otherwise), ranges.hull([n.bounds for n in reached])

    def mean(self, d: Mapping[str, Any], path: Path, up: Provenance, in_category: bool) -> Built:
        kids = self.children(d["of"], (*path, "of"), up, "mean", in_category)
        drop = d.get("drop") or {}
        high, low = drop.get("highest", 0), drop.get("lowest", 0)
        if high + low >= len(kids):
            self.report(
                "mean.drop",
                f"dropping {high} highest and {low} lowest of {len(kids)} leaves nothing to average",
                (*path, "drop"),
            )
            return None
        return Mean(tuple(kids), high, low), ranges.trimmed([k.bounds for k in kids], high, low)

    def ref(self, target: str, path: Path, in_category: bool) -> Built:
        if not in_category:
            self.report(
                "ref.scope",
                "a ref draws on the score tree from an award category; inside the tree, "
                "use the node itself",
                path,
            )
            return None
        node = self.tree.nodes.get(target)
        if node is None:
            self.report(
                "ref.unknown-node",
                f"no node {target!r} in the score tree ({', '.join(self.tree.nodes)})",
                path,
            )
            return None
        total_id, total_range = self.tree.total
        return Ref(target), total_range if target == total_id else node.bounds
