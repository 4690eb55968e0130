"""What scoring gives: :class:`Evaluation` (one subject, with its :class:`Component` tree,
:class:`Ineligibility` and :class:`ScoreWarning`), :class:`RowResult` (one row of a batch: an
evaluation or the error that stopped it), and :class:`Tabular`, the notebook display that
result tables share. Results are immutable: their mappings are
:class:`~asnmerit.model.FrozenDict` s, their sequences tuples. ``to_dict`` gives the versioned trace (format ``asnmerit.result/1``);
``explain`` and ``_repr_html_`` are drawn by :mod:`asnmerit._render`.

Their reprs are one short line (``<Evaluation ip-asn 2019 52.5 sangat_rendah>``); the full
account is ``explain()``. :func:`to_json` writes any result (anything with ``to_dict()``,
errors included) as JSON text, its decimals exact."""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal

import attrs

from . import _decimal as D
from ._render import Framed, table
from ._values import builtin, json_value
from .errors import AsnmeritError
from .model import Band, BandPolicy, Criteria, FrozenDict, Provenance, Text, frozen

RESULT_FORMAT = "asnmerit.result/1"


def clipped(text: str, limit: int = 80) -> str:
    """``text`` on one line (runs of white space as one space), cut to ``limit``
    characters with ``...`` at the end when longer: for reprs."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: max(limit - 3, 0)] + "..."


@attrs.frozen(repr=False)
class Component:
    """The points one node of the score tree gave, and why. Its repr is short
    (``<Component kualifikasi 5/25>``)."""

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

    def __repr__(self) -> str:
        weight = "" if self.weight is None else f" weight {D.plain(self.weight)}"
        n = len(self.children)
        kids = f", {n} {'child' if n == 1 else 'children'}" if n else ""
        return f"<Component {self.id} {D.plain(self.points)}/{D.plain(self.max)}{weight}{kids}>"


@attrs.frozen(repr=False)
class ScoreWarning:
    """Something a reader of the score should know, e.g. an assumed value was used."""

    code: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.code} at {self.path}: {self.message}"

    def __repr__(self) -> str:
        return f"<ScoreWarning {self.code} at {clipped(self.path, 40)}: {clipped(self.message)}>"


@attrs.frozen(repr=False)
class Ineligibility:
    """A gate the subject did not pass."""

    gate: str
    reason: Text

    def __repr__(self) -> str:
        return f"<Ineligibility {self.gate}: {clipped(self.reason.id)}>"


@attrs.frozen(repr=False)
class Evaluation:
    """The result of scoring one subject with one version of one scheme.

    Its repr is one line: scheme, version, score and band, then ``ineligible`` and the
    number of warnings when there are any (``<Evaluation ip-asn 2019 52.5 sangat_rendah>``);
    :meth:`explain` gives the full account, :meth:`to_dict` and :meth:`to_json` the trace."""

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

    def __repr__(self) -> str:
        notes = "" if self.eligible else " ineligible"
        if self.warnings:
            n = len(self.warnings)
            notes += f" {n} warning{'s' if n != 1 else ''}"
        score = D.plain(self.score)
        return f"<Evaluation {self.scheme} {self.version} {score} {self.band.code}{notes}>"

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

    def to_json(self, *, decimals: DecimalsAs = "number", indent: int | str | None = None) -> str:
        """:meth:`to_dict` as JSON text: :func:`to_json` of this evaluation."""
        return to_json(self, decimals=decimals, indent=indent)


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


@attrs.frozen(repr=False)
class RowResult:
    """One input row: its 1-based number, its identifiers, and either an evaluation or the
    error that stopped it (usually an :class:`~asnmerit.errors.InputError`). Its repr is
    one line: ``<RowResult row 3 <Evaluation ...>>`` or ``<RowResult row 3 error: ...>``."""

    row: int
    identifiers: Mapping[str, Any] = attrs.field(converter=frozen)
    evaluation: Evaluation | None = None
    error: AsnmeritError | None = None

    @property
    def ok(self) -> bool:
        return self.evaluation is not None

    def __repr__(self) -> str:
        if self.evaluation is not None:
            return f"<RowResult row {self.row} {self.evaluation!r}>"
        if self.error is None:
            return f"<RowResult row {self.row} empty>"
        brief = getattr(self.error, "brief", None)  # an InputError's, without row numbers
        text = brief() if callable(brief) else str(self.error)
        return f"<RowResult row {self.row} error: {clipped(text)}>"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form: ``{"row": 3, "identifiers": {...}, "result": ..., "error":
        ...}``, where ``result`` is the evaluation's :meth:`Evaluation.to_dict` (or ``None``)
        and ``error`` the error's :meth:`~asnmerit.errors.AsnmeritError.to_dict` (or
        ``None``)."""
        return {
            "row": self.row,
            "identifiers": {k: json_value(v) for k, v in self.identifiers.items()},
            "result": None if self.evaluation is None else self.evaluation.to_dict(),
            "error": None if self.error is None else self.error.to_dict(),
        }


Result = Evaluation | RowResult
"""What the functions that combine results take: evaluations, or batch rows."""

DecimalsAs = Literal["number", "string"]
"""How :func:`to_json` writes a :class:`~decimal.Decimal`: a JSON number or a JSON text."""


def to_json(obj: Any, *, decimals: DecimalsAs = "number", indent: int | str | None = None) -> str:
    """``obj`` as JSON text, exactly: for a web handler, a file, a message queue.

    ``obj`` may be anything with a ``to_dict()`` method (an :class:`Evaluation`, a
    :class:`RowResult`, an :class:`~asnmerit.Aggregate`, a :class:`~asnmerit.Ranking`, a
    :class:`~asnmerit.Selection`, a :class:`~asnmerit.Verification`, a what-if ``Plan`` or
    ``Partial``, any :class:`~asnmerit.errors.AsnmeritError` ...), a mapping (a
    :class:`~asnmerit.model.FrozenDict` too) or a list or tuple of such values, texts,
    booleans, ``None``, integers, finite floats, decimals and dates.

    * A :class:`~decimal.Decimal` is written with its exact digits, never through a binary
      float: as a JSON number (``decimals="number"``, e.g. ``52.5``) or as a JSON text
      (``decimals="string"``, ``"52.5"``). Read numbers back exactly with
      ``json.loads(text, parse_float=decimal.Decimal)``. The versioned result formats
      (``asnmerit.result/1`` and the others) already hold their numbers as decimal text, as
      their JSON Schemas say; ``decimals`` decides how the other decimals are written.
    * A date, a datetime or a time is written as ISO text (``"2024-01-31"``).
    * NaN and infinities (decimal or float) raise :class:`ValueError`: JSON has none. A
      :class:`~fractions.Fraction` (it may have no exact decimal), a set, bytes and other
      objects raise :class:`TypeError`; so does a mapping key that is not a text or an
      integer.

    ``indent`` lays the text out over lines as :func:`json.dumps` does (``None``: one line).
    The text is ASCII: other characters, and unpaired surrogates, are ``\\u`` escapes.
    ``json.loads(to_json(x), parse_float=decimal.Decimal) == x.to_dict()`` for a result
    ``x``.
    """
    if decimals not in ("number", "string"):
        raise ValueError(f"decimals must be 'number' or 'string', not {decimals!r}")
    if isinstance(indent, bool) or not isinstance(indent, int | str | None):
        raise TypeError(f"indent must be a number of spaces, a text or None, not {indent!r}")
    if isinstance(indent, str) and indent.strip(" \t"):  # else the text is no longer JSON
        raise ValueError(f"indent must be spaces or tabs, not {indent!r:.40}")
    if isinstance(indent, int) and indent < 0:
        raise ValueError(f"indent must be a number of spaces (0 or more), not {indent}")
    step = " " * indent if isinstance(indent, int) else indent
    writer = _JsonWriter(decimals == "string", step)
    writer.write(obj, 0)
    return "".join(writer.out)


_JSON_DEPTH = 200
"""How deeply :func:`to_json` nests containers (far beyond any result; a deeper value is
refused before Python's own recursion limit is reached)."""

_PLAIN_DIGITS = 4300
"""A decimal whose plain text would be longer is written with an exponent (``1E+5000``),
as exact and a bounded length; an integer that long is written by its digits, which
Python's ``int`` to text conversion refuses beyond this length."""


class _JsonWriter:
    """Writes JSON text into ``out``, decimals by their own digits."""

    def __init__(self, quoted: bool, step: str | None) -> None:
        self.quoted = quoted
        self.step = step
        self.out: list[str] = []
        self.open: set[int] = set()  # the containers being written, against cycles

    def write(self, value: Any, depth: int) -> None:
        if len(self.open) > _JSON_DEPTH:
            raise ValueError(
                f"a value nested more than {_JSON_DEPTH} deep cannot be written as JSON"
            )
        value = builtin(value)  # a numpy or pandas scalar by its value
        out = self.out
        if value is None:
            out.append("null")
        elif isinstance(value, bool):
            out.append("true" if value else "false")
        elif isinstance(value, str):
            out.append(json.dumps(value))
        elif isinstance(value, int):
            out.append(_integer(value))
        elif isinstance(value, float):
            if not math.isfinite(value):
                raise ValueError(
                    f"{value!r} cannot be written as JSON: JSON has no NaN or infinity"
                )
            out.append(float.__repr__(value))
        elif isinstance(value, Decimal):
            if not value.is_finite():
                raise ValueError(f"{value} cannot be written as JSON: JSON has no NaN or infinity")
            text = _decimal(value)
            out.append(json.dumps(text) if self.quoted else text)
        elif isinstance(value, dt.date | dt.time):
            out.append(json.dumps(value.isoformat()))
        elif isinstance(value, Mapping):
            self.container(value, depth, "{", "}", self.items)
        elif isinstance(value, list | tuple):
            self.container(value, depth, "[", "]", self.elements)
        elif isinstance(value, Fraction):
            raise TypeError(
                f"the Fraction {value} cannot be written as JSON exactly: turn it into a "
                "Decimal, or a text, first"
            )
        elif callable(getattr(value, "to_dict", None)):
            if id(value) in self.open:
                raise ValueError(
                    f"a {type(value).__name__} whose to_dict() holds itself cannot be written as JSON"
                )
            self.open.add(id(value))
            self.write(value.to_dict(), depth)
            self.open.discard(id(value))
        else:
            raise TypeError(f"a {type(value).__name__} cannot be written as JSON")

    def container(
        self,
        value: Any,
        depth: int,
        start: str,
        end: str,
        members: Callable[[Any, int, str], None],
    ) -> None:
        if id(value) in self.open:
            raise ValueError("a container that holds itself cannot be written as JSON")
        if not value:
            self.out.append(start + end)
            return
        self.open.add(id(value))
        if self.step is None:
            self.out.append(start)
            members(value, depth + 1, ", ")
            self.out.append(end)
        else:
            inner = "\n" + self.step * (depth + 1)
            self.out.append(start + inner)
            members(value, depth + 1, "," + inner)
            self.out.append("\n" + self.step * depth + end)
        self.open.discard(id(value))

    def items(self, value: Mapping[Any, Any], depth: int, sep: str) -> None:
        for i, (raw, item) in enumerate(value.items()):
            if i:
                self.out.append(sep)
            key = builtin(raw)  # a numpy integer key by its value
            if isinstance(key, str):
                self.out.append(json.dumps(key))
            elif isinstance(key, int) and not isinstance(key, bool):
                self.out.append(json.dumps(_integer(key)))
            else:
                raise TypeError(f"a mapping key {key!r} cannot be written as JSON: use a text")
            self.out.append(": ")
            self.write(item, depth)

    def elements(self, value: list[Any] | tuple[Any, ...], depth: int, sep: str) -> None:
        for i, item in enumerate(value):
            if i:
                self.out.append(sep)
            self.write(item, depth)


def _integer(value: int) -> str:
    """An integer's digits, however many (Python's ``repr`` refuses very long ones)."""
    if value.bit_length() < 14_000:  # below 4300 digits
        return int.__repr__(value)
    return format(Decimal(value), "f")


def _decimal(value: Decimal) -> str:
    """A finite decimal as a JSON number: plain, or with an exponent when its plain text
    would be very long (``1E+999999``: exact, and short)."""
    digits = len(value.as_tuple().digits)
    if max(abs(value.adjusted()), digits) <= _PLAIN_DIGITS:
        return D.plain(value)
    return str(value).replace("e", "E")


class Tabular(Framed):
    """Displays a result table in a notebook: its ``rows()``, under ``caption()``; and
    gives it as a table with typed columns (:meth:`~asnmerit._render.Framed.to_frame`)."""

    __slots__ = ()
    scheme: str
    version: str
    rows: Callable[[], list[dict[str, Any]]]

    def caption(self) -> str:
        """What the table shows: the scheme version."""
        return f"{self.scheme} {self.version}"

    def _repr_html_(self) -> str:
        return table(self.rows(), self.caption())
