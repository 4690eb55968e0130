"""From schema-valid data to frozen models, with the semantic checks a schema cannot make.

Every problem is collected with its position; a model is returned only when none was
found. The checks: references, inputs and codes that exist; unique ids; lookups and
switches that cover every code (or say ``otherwise``); weights that add up to 1; a
node's declared ``max`` equal to what its content can give; bands ordered, without
gaps or overlaps, covering the whole score range; examples that name declared fields.

:class:`Builder` reads the file section by section; each section's reading lives in its
own module (:mod:`.inputs`, :mod:`.conditions`, :mod:`.nodes`, :mod:`.bands`,
:mod:`.award`, :mod:`.examples`, :mod:`.crosscheck`), sharing the state of
:mod:`.context`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, cast

from ..errors import Problem
from ..model import Bands, Criteria, Gate, Identifier, Node, Provenance, Reference
from . import ranges
from .award import AwardBuilder
from .bands import BandChecks
from .context import text
from .crosscheck import RESERVED, CrossChecks
from .examples import ExampleChecks
from .inputs import InputChecks
from .ranges import Range, trimmed_mean

__all__ = ["RESERVED", "Builder", "Range", "trimmed_mean"]


class Builder(InputChecks, AwardBuilder, BandChecks, ExampleChecks, CrossChecks):
    """Builds one :class:`Criteria` from a schema-valid document, collecting problems."""

    problems: list[Problem]  # what this part of the build reports (see Context.report)

    def build(self) -> Criteria | None:
        data = self.doc.data
        valid_from, valid_to = self.header(data)
        conf: str = data.get("confidence", "high")
        top = Provenance(self.basis(data.get("basis"), ("basis",)), cast(Any, conf))
        identifiers = self.declarations(data, Provenance((), top.confidence))
        score, score_range, bands, gates = self.scoring(data, top)
        award = self.award(data.get("award"), bands, gates, identifiers, top)
        aggregation = self.aggregation(data.get("aggregate"), identifiers, top)
        self.names(identifiers)
        if self.problems or valid_from is None or score is None or bands is None:
            return None
        self.unused_inputs()
        lo, hi = score_range
        criteria = Criteria(
            id=data["id"],
            version=str(data["version"]),
            title=text(data["title"]),
            subject=data["subject"],
            valid_from=valid_from,
            valid_to=valid_to,
            supersedes=None if data.get("supersedes") is None else str(data["supersedes"]),
            inputs=self.inputs,
            identifiers=identifiers,
            score=score,
            bands=bands,
            score_min=lo,
            score_max=hi,
            digest=self.digest,
            references=self.references,
            basis=top.basis,
            confidence=top.confidence,
            notes=data.get("notes"),
            rounding=self.rounding(data.get("rounding")),
            eligibility=gates,
            award=award,
            aggregation=aggregation,
            extends=self.extends,
            source=self.doc.source,
            document=self.doc,
        )
        return self.finish(criteria, data)

    def header(self, data: Mapping[str, Any]) -> tuple[dt.date | None, dt.date | None]:
        """The validity dates (in order) and the declared references."""
        dates = {k: self.date(data.get(k), (k,)) for k in ("valid_from", "valid_to")}
        valid_from, valid_to = dates["valid_from"], dates["valid_to"]
        if valid_from and valid_to and valid_to < valid_from:
            self.report(
                "header.dates",
                f"valid_to {valid_to} is before valid_from {valid_from}",
                ("valid_to",),
            )
        for key, ref in (data.get("references") or {}).items():
            self.references[key] = self.reference(key, ref)
        return valid_from, valid_to

    def reference(self, key: str, ref: Mapping[str, Any]) -> Reference:
        return Reference(
            key,
            ref["title"],
            ref.get("kind"),
            self.date(ref.get("date"), ("references", key, "date")),
            ref.get("url"),
            ref.get("note"),
        )

    def declarations(
        self, data: Mapping[str, Any], file_level: Provenance
    ) -> dict[str, Identifier]:
        """The inputs (with their derivations) and the identifiers."""
        for name, spec in data["inputs"].items():
            self.inputs[name] = self.input(name, spec, ("inputs", name), file_level)
        for name, spec in data["inputs"].items():
            if "derive" in spec:
                self.derivation(name, spec["derive"], ("inputs", name, "derive"))
        self.derive_cycles()
        identifiers = {}
        for name, spec in (data.get("identifiers") or {}).items():
            if name in self.inputs:
                self.report(
                    "identifier.duplicate",
                    f"{name!r} is declared both as an input and an identifier",
                    ("identifiers", name),
                    key=True,
                )
            identifiers[name] = Identifier(
                name,
                text(spec["label"]),
                spec.get("description"),
                spec.get("format"),
                spec.get("unique", False),
            )
        return identifiers

    def scoring(
        self, data: Mapping[str, Any], top: Provenance
    ) -> tuple[Node, Range, Bands | None, tuple[Gate, ...]]:
        """The score tree, its range after the final rounding, the bands and the gates."""
        rounding = self.rounding(data.get("rounding"))
        if rounding is not None and rounding.stage == "nodes":
            self.tree.stage_rounding = rounding
        score = self.node(data["score"], ("score",), top, parent=None, in_category=False)
        rng = score.bounds if rounding is None else ranges.rounded(score.bounds, rounding)
        bands = self.bands(data["bands"], ("bands",), top, rng, score.id in self.tree.broken)
        gates = self.gates(data.get("eligibility") or [], top)
        self.tree.nodes = {n.id: n for n in score.walk()}
        self.tree.total = (score.id, rng)  # a ref to the root gets the rounded score
        return score, rng, bands, gates

    def finish(self, criteria: Criteria, data: Mapping[str, Any]) -> Criteria | None:
        """``criteria`` with their examples, once no reference is left uncited."""
        examples = self.examples(criteria, data.get("examples") or [])
        self.unused_references()
        if self.problems:
            return None
        from attrs import evolve

        return evolve(criteria, examples=examples, references=dict(self.references))
