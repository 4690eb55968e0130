"""The ``eligibility``, ``award`` and ``aggregate`` sections read and checked: gates,
categories with their own score, tie-breakers, stages, and the fields that group or
stratify subjects."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import Problem
from ..model import (
    Aggregation,
    Award,
    Bands,
    Category,
    Gate,
    Identifier,
    Provenance,
    Rounding,
    Stage,
    TieBreaker,
)
from .context import opt_dec, text
from .nodes import TreeBuilder
from .parse import Path


class AwardBuilder(TreeBuilder):
    """Builds gates, the award and the aggregation, reporting what a schema cannot see.
    The award is built after the score tree: categories may ``ref`` its nodes."""

    problems: list[Problem]  # what this part of the build reports (see Context.report)

    def gates(self, items: list[Any], up: Provenance) -> tuple[Gate, ...]:
        out = []
        seen: set[str] = set()
        for i, g in enumerate(items):
            path: Path = ("eligibility", i)
            self.unique("gate.duplicate-id", g["id"], seen, path)
            cond = self.condition(g["require"], (*path, "require"))
            if cond is not None:
                out.append(Gate(g["id"], cond, text(g["reason"]), self.provenance(g, path, up)))
        return tuple(out)

    def award(
        self,
        d: Mapping[str, Any] | None,
        bands: Bands | None,
        gates: tuple[Gate, ...],
        identifiers: Mapping[str, Identifier],
        up: Provenance,
    ) -> Award | None:
        if d is None:
            return None
        path: Path = ("award",)
        min_band = d.get("min_band")
        self.min_band(min_band, bands, gates, (*path, "min_band"))
        prov = self.provenance(d, path, up)
        group_by = self.fields(d.get("group_by") or [], identifiers, (*path, "group_by"))
        seen: set[str] = set()
        categories = [
            self.category(c, d, (*path, "categories", i), prov, seen)
            for i, c in enumerate(d.get("categories") or [])
        ]
        breakers = [
            self.tie_breaker(t, seen, (*path, "tie_breakers", i, "by"))
            for i, t in enumerate(d.get("tie_breakers") or [])
        ]
        stage_ids: set[str] = set()
        stages = [
            self.stage(st, seen, stage_ids, identifiers, (*path, "stages", i), prov)
            for i, st in enumerate(d.get("stages") or [])
        ]
        return Award(
            d["id"],
            text(d["label"]),
            min_band,
            prov,
            group_by=group_by,
            ranks=d.get("ranks"),
            ranked=d.get("ranked", True),
            ties=d.get("ties", "competition"),
            tie_breakers=tuple(breakers),
            categories=tuple(categories),
            stages=tuple(stages),
        )

    def min_band(
        self, min_band: str | None, bands: Bands | None, gates: tuple[Gate, ...], path: Path
    ) -> None:
        """The award's minimum band must be a band, and leave its gate id free."""
        if min_band is not None and any(g.id == "min_band" for g in gates):
            self.report(
                "gate.duplicate-id", "gate id 'min_band' is taken by the award's minimum band", path
            )
        if bands is not None and min_band is not None:
            codes = [b.code for b in bands.table]
            if min_band not in codes:
                self.report(
                    "award.unknown-band", f"no band {min_band!r} ({', '.join(codes)})", path
                )

    def category(
        self,
        c: Mapping[str, Any],
        d: Mapping[str, Any],
        cpath: Path,
        prov: Provenance,
        seen: set[str],
    ) -> Category:
        """One award category (``d`` is the award); its id is added to ``seen``."""
        self.unique("category.duplicate-id", c["id"], seen, cpath)
        if c["id"] in self.tree.nodes:
            self.report(
                "category.node-id",
                f"category id {c['id']!r} is also a score node: ranking by it would be ambiguous",
                (*cpath, "id"),
            )
        own = self.provenance(c, cpath, prov)
        node = self.node(c["score"], (*cpath, "score"), own, parent=None, in_category=True)
        return Category(
            id=c["id"],
            label=text(c["label"]),
            score=node,
            group=c.get("group"),
            ranks=c["ranks"] if "ranks" in c else d.get("ranks"),
            ranked=c.get("ranked", d.get("ranked", True)),
            min_score=opt_dec(c.get("min_score")),
            provenance=own,
        )

    def tie_breaker(self, t: Mapping[str, Any], categories: set[str], path: Path) -> TieBreaker:
        """Ties are broken by a score node, a category or a number (or date) input."""
        by = t["by"]
        inp = self.inputs.get(by)
        if by in self.tree.nodes or by in categories:
            pass
        elif inp is not None and inp.type in ("number", "integer", "date"):
            self.used.inputs.add(by)
        else:
            self.report(
                "award.unknown-tie-breaker",
                f"cannot break ties by {by!r}: not a score node, a category or a number input",
                path,
            )
        return TieBreaker(by, t.get("prefer", "higher"))

    def stage(
        self,
        st: Mapping[str, Any],
        categories: set[str],
        stage_ids: set[str],
        identifiers: Mapping[str, Identifier],
        spath: Path,
        prov: Provenance,
    ) -> Stage:
        """One stage of a selection, decided by a category; its id is added to ``stage_ids``."""
        self.unique("stage.duplicate-id", st["id"], stage_ids, spath)
        if st["by"] not in categories:
            self.report(
                "stage.unknown-category",
                f"no category {st['by']!r} to decide stage {st['id']!r} "
                f"({', '.join(sorted(categories)) or 'none declared'})",
                (*spath, "by"),
            )
        return Stage(
            st["id"],
            text(st["label"]),
            st["by"],
            st.get("keep"),
            self.fields(st.get("per") or [], identifiers, (*spath, "per")),
            self.provenance(st, spath, prov),
        )

    def fields(
        self, names: list[str], identifiers: Mapping[str, Identifier], path: Path
    ) -> tuple[str, ...]:
        """Fields that group subjects: identifiers or inputs (then used)."""
        for i, name in enumerate(names):
            if name in self.inputs:
                self.used.inputs.add(name)
            elif name not in identifiers:
                known = ", ".join([*identifiers, *self.inputs])
                self.report(
                    "award.unknown-field",
                    f"cannot group by {name!r}: not an identifier or input ({known})",
                    (*path, i),
                )
        return tuple(names)

    def aggregation(
        self, d: Mapping[str, Any] | None, identifiers: Mapping[str, Identifier], up: Provenance
    ) -> Aggregation | None:
        if d is None:
            return None
        stratify = d.get("stratify")
        if stratify is not None and stratify not in identifiers:
            inp = self.inputs.get(stratify)
            if inp is None or inp.type not in ("enum", "boolean"):
                fields = ", ".join([*identifiers, *(n for n, i in self.inputs.items() if i.codes)])
                self.report(
                    "aggregate.unknown-field",
                    f"cannot stratify by {stratify!r}: not an identifier or enum input ({fields})",
                    ("aggregate", "stratify"),
                )
            else:
                self.used.inputs.add(stratify)
        r = d["rounding"]
        return Aggregation(
            Rounding(r["places"], r.get("mode", "half_up")),
            stratify,
            text(d["combined"]) if "combined" in d else None,
            self.provenance(d, ("aggregate",), up),
        )
