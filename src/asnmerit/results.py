"""What scoring gives: :class:`Evaluation` (one subject, with its :class:`Component` tree,
:class:`Ineligibility` and :class:`ScoreWarning`), :class:`RowResult` (one row of a batch: an
evaluation or the error that stopped it), and :class:`Tabular`, the notebook display that
result tables share. Results are immutable: their mappings are
:class:`~asnmerit.model.FrozenDict` s, their sequences tuples. ``to_dict`` gives the versioned trace (format ``asnmerit.result/1``);
``explain`` and ``_repr_html_`` are drawn by :mod:`asnmerit._render`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import attrs

from . import _decimal as D
from ._render import table
from ._values import json_value
from .errors import AsnmeritError
from .model import Band, BandPolicy, Criteria, FrozenDict, Provenance, Text, frozen

RESULT_FORMAT = "asnmerit.result/1"


@attrs.frozen
class Component:
    """The points one node of the score tree gave, and why."""

    id: str
    label: Text
    points: Decimal
    max: Decimal
    rule: str | None
    provenance: Provenance
    children: tuple[Component, ...] = ()
    weight: Decimal | None = None

    def find(self, node_id: str) -> Component:
        """The component with ``node_id`` in this subtree."""
        stack = [self]
        while stack:
            comp = stack.pop()
            if comp.id == node_id:
                return comp
            stack.extend(comp.children)
        raise KeyError(node_id)


@attrs.frozen
class ScoreWarning:
    """Something a reader of the score should know, e.g. an assumed value was used."""

    code: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.code} at {self.path}: {self.message}"


@attrs.frozen
class Ineligibility:
    """A gate the subject did not pass."""

    gate: str
    reason: Text


@attrs.frozen
class Evaluation:
    """The result of scoring one subject with one version of one scheme."""

    scheme: str
    version: str
    digest: str
    score: Decimal
    band: Band
    band_policy: BandPolicy
    components: Component
    eligible: bool
    ineligible: tuple[Ineligibility, ...]
    warnings: tuple[ScoreWarning, ...]
    inputs: Mapping[str, Any] = attrs.field(converter=frozen)
    identifiers: Mapping[str, Any] = attrs.field(converter=frozen)
    criteria: Criteria = attrs.field(eq=False, repr=False)
    """The scheme that gave this result (its digest is part of the result)."""
    categories: Mapping[str, Component | None] = attrs.field(factory=FrozenDict, converter=frozen)
    """Award category -> its score (``None``: not assessed, its inputs were not given)."""
    derived: tuple[str, ...] = ()
    """Inputs the record left out whose values were derived by the scheme's rules."""

    def component(self, node_id: str) -> Component:
        """The component of score node ``node_id`` (in the tree or an award category)."""
        try:
            return self.components.find(node_id)
        except KeyError:
            for comp in self.categories.values():
                if comp is not None:
                    try:
                        return comp.find(node_id)
                    except KeyError:
                        continue
            raise

    @D.own_context
    def gaps(self, node_id: str | None = None, places: int = 2) -> dict[str, Decimal]:
        """The gap of each child of ``node_id`` (default: the top level) to its maximum,
        as a percentage of that maximum, rounded half up to ``places`` (e.g. the gap
        per element of the NSPK index)."""
        parent = self.components if node_id is None else self.component(node_id)
        return {
            c.id: D.round_ratio(D.mul(D.sub(c.max, c.points), Decimal(100)), c.max, places)
            if c.max > 0
            else D.ZERO
            for c in parent.children
        }

    def _repr_html_(self) -> str:
        from ._render import evaluation

        return evaluation(self)

    @D.own_context
    def explain(self, lang: str = "id") -> str:
        """A readable account of the score, line by line, with the legal basis."""
        from ._render import explain

        return explain(self, lang)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready trace of this evaluation (format ``asnmerit.result/1``, described by
        the shipped JSON Schema :func:`asnmerit.result_schema`)."""
        return {
            "format": RESULT_FORMAT,
            "scheme": self.scheme,
            "version": self.version,
            "digest": self.digest,
            "extends": self.criteria.extends,
            "score": D.plain(self.score),
            "band": {"code": self.band.code, "label": attrs.asdict(self.band.label)},
            "band_policy": self.band_policy,
            "eligible": self.eligible,
            "ineligible": [
                {"gate": i.gate, "reason": attrs.asdict(i.reason)} for i in self.ineligible
            ],
            "warnings": [attrs.asdict(w) for w in self.warnings],
            "components": _component_dict(self.components),
            "categories": {
                k: None if c is None else _component_dict(c) for k, c in self.categories.items()
            },
            "inputs": {k: json_value(v) for k, v in self.inputs.items()},
            "derived": list(self.derived),
            "identifiers": {k: json_value(v) for k, v in self.identifiers.items()},
        }


def _component_dict(c: Component) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": c.id,
        "label": attrs.asdict(c.label),
        "points": D.plain(c.points),
        "max": D.plain(c.max),
        "rule": c.rule,
        "confidence": c.provenance.confidence,
        "basis": [
            {"ref": b.reference.key, "title": b.reference.title, "article": b.article}
            for b in c.provenance.basis
        ],
    }
    if c.weight is not None:
        out["weight"] = D.plain(c.weight)
    if c.children:
        out["children"] = [_component_dict(k) for k in c.children]
    return out


@attrs.frozen
class RowResult:
    """One input row: its 1-based number, its identifiers, and either an evaluation or the
    error that stopped it (usually an :class:`~asnmerit.errors.InputError`)."""

    row: int
    identifiers: Mapping[str, Any] = attrs.field(converter=frozen)
    evaluation: Evaluation | None = None
    error: AsnmeritError | None = None

    @property
    def ok(self) -> bool:
        return self.evaluation is not None


Result = Evaluation | RowResult
"""What the functions that combine results take: evaluations, or batch rows."""


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
