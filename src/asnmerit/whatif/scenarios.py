"""Scenarios as data: changed criteria, sweeps of one value, and how a ranking moves.

A scenario is a mapping of *paths* to new values, applied to the criteria's checked
document, which is then checked again like any file (schema, semantics), so a scenario
cannot produce criteria the loader would refuse. A path is a dotted string (or a tuple
of its parts):

* its first part is a top-level key of the criteria file (``bands``, ``rounding``,
  ``inputs`` ...) or the id of a score node, wherever it stands in the tree or in an
  award category (``kualifikasi``);
* each further part is a key of a mapping, or picks an item of a list by its ``id`` or
  ``code`` (``bands.table.baik``), or by its position (``bands.table.0``).

The value replaces what is there (a new key may be added at the end of a path); ``None``
removes it. Numbers may be given as ``int``, ``str`` or :class:`~decimal.Decimal` (a
``float`` is taken at its shortest repr, ``0.3`` as ``Decimal("0.3")``; a numpy number by
its value, ``numpy.float64(0.3)`` as ``0.3``), at the path and at every depth of a mapping
or list given as the value, by one rule: a text is read as a number where the criteria
schema takes only a number (a weight, a band edge, points, a rounding's places), or where
the file holds a number now; elsewhere (a label, a condition's value) it stays a text. A
text that is no number where one is needed, a number that is not finite or not one a
criteria file may hold (:func:`asnmerit._decimal.bounded`), or a value of another type, is
a :class:`ScenarioError` naming the path. Scenario criteria keep the version, get a new
digest, name the original in ``extends`` (which a scenario cannot change), and drop the
examples (they test the original rules).

>>> jpt = asnmerit.get("jpt")
>>> heavier = with_overrides(jpt, {"persiapan.weight": "0.3", "inovasi.weight": "0.1"})

:func:`rebalanced` (and ``steps(..., rebalance=True, criteria=...)``) makes the scenario
that sets one weight and rescales its siblings exactly, so that they still add up to 1.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any

import attrs

from .. import _decimal as D
from .._decimal import is_whole
from .._render import Column, Framed, table
from .._values import builtin, json_value, to_decimal
from ..analysis.ranking import Ranking, rank
from ..engine.bands import band_counts
from ..engine.batch import evaluate_records
from ..errors import BadValue, CriteriaError, ScenarioError
from ..model import Criteria, Rounding, freeze, frozen
from ..results import Evaluation, RowResult
from ..spec.extend import MERGED
from ..spec.parse import Document, Path

OverridePath = str | tuple[str | int, ...]
Overrides = (
    Mapping[str, Any]
    | Mapping[tuple[str, ...], Any]
    | Mapping[tuple[str | int, ...], Any]
    | Mapping[OverridePath, Any]
)
"""Paths to new values (keys all dotted text, or all tuples, or both)."""

_ABSENT: Any = object()
"""What the file holds at a place it has no value."""


@D.own_context
def with_overrides(criteria: Criteria, overrides: Overrides) -> Criteria:
    """New criteria: ``criteria`` with each path set to its value, checked again.

    Raises :class:`ScenarioError` for a path that leads nowhere (or to ``extends``) or a
    value that is no criteria data, and :class:`~asnmerit.errors.CriteriaError` when the
    changed criteria are not valid (located at the changed place of the original file).
    """
    from ..spec.build import Builder
    from ..spec.loader import pruned
    from ..spec.schema import schema_check
    from ..spec.source import digest

    doc = criteria.document
    if doc is None:
        raise ScenarioError(f"{criteria.id} {criteria.version} was not loaded from a document")
    data = copy.deepcopy(doc.data)
    data.pop("examples", None)
    nodes = _node_paths(data)
    for key, value in overrides.items():
        try:
            parts = _parts(key)
            if parts[:1] in (("extends",), ("replace",)):
                raise ScenarioError(
                    "a scenario cannot change what the criteria extend (scenario criteria "
                    "name the criteria they change in extends themselves)"
                )
            path = _locate(data, parts, nodes)
            parent = _get(data, path[:-1])
            _set(data, path, _plain(value, path, _at(parent, path[-1])))
        except ScenarioError as exc:
            raise ScenarioError(f"override {_given(key, text=True)}: {exc}") from None
    source = f"{criteria.source} (with overrides)"
    changed = Document(data, source, doc.positions, doc.key_positions)
    problems = sorted(schema_check(changed), key=lambda p: (p.line or 0, p.column or 0))
    if problems:
        raise CriteriaError(problems)
    base = f"{criteria.id} {criteria.version} ({criteria.digest})"
    # what only the dropped examples cited (or a changed node read) goes, as in ``extends``
    inherited = frozenset((section, name) for section in MERGED for name in data.get(section) or {})
    builder = Builder(changed, digest(data), extends=base, inherited=inherited)
    built = builder.build()
    if builder.problems or built is None:
        raise CriteriaError(builder.problems)
    return pruned(built)


def _parts(key: OverridePath) -> tuple[str | int, ...]:
    if isinstance(key, str):
        return tuple(key.split("."))
    if isinstance(key, tuple):
        return key
    raise ScenarioError(f"a path is dotted text or a tuple of its parts, not {_given(key)}")


def _given(value: Any, text: bool = False) -> str:
    """``value`` as an error message shows it (short; a path as dotted text)."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 64:
        return f"an integer of {Decimal(abs(value)).adjusted() + 1} digits"
    if text and isinstance(value, str | tuple):
        return _dotted(_parts(value))
    shown = repr(value)
    return shown if len(shown) <= 60 else shown[:57] + "..."


def _plain(value: Any, place: Path, old: Any = _ABSENT, inner: Path = ()) -> Any:
    """``value``, to be set at ``place`` of the document, as parsed criteria data: exact
    decimals, lists. One rule at every depth of a value: a text is read as a number where
    the criteria need one -- where the schema takes only a number there (:func:`_wants`),
    or where the file holds a number there now (``old``) -- and a whole number is an
    integer where the schema or the file has one. Raises ScenarioError (naming the place
    ``inner`` within the value) for a text that is no number where one is needed, a number
    the file could not hold, or a value of another type."""
    value = builtin(value)  # a numpy or pandas scalar by its value
    where = f"{_dotted(inner)}: " if inner else ""
    if isinstance(value, Mapping):
        return {k: _plain(v, (*place, k), _at(old, k), (*inner, k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v, (*place, i), _at(old, i), (*inner, i)) for i, v in enumerate(value)]
    if value is None or isinstance(value, bool | dt.date):
        return value
    if not isinstance(value, str | int | float | Decimal):
        raise ScenarioError(
            f"{where}expected a number, a text, a boolean, a date, a list or a mapping, "
            f"got {type(value).__name__}"
        )
    wanted = _wants(place)
    was_number = isinstance(old, int | Decimal) and not isinstance(old, bool)
    if isinstance(value, str) and wanted is None and not was_number:
        return value
    try:
        number = to_decimal(value)
    except BadValue as bad:
        raise ScenarioError(f"{where}expected {bad.expected}, got {_given(value)}") from None
    whole = wanted == "integer" or (isinstance(old, int) and not isinstance(old, bool))
    if isinstance(value, int) or (whole and is_whole(number)):
        return int(number)
    return number


@functools.lru_cache(maxsize=4096)
def _wants(place: Path) -> str | None:
    """``"integer"`` or ``"number"`` when the criteria schema takes only a number (or a
    null) at ``place`` of a document, else ``None`` (a text is allowed there, or the place
    is unknown)."""
    from ..spec.schema import criteria_schema

    types = _schema_types(criteria_schema(), criteria_schema(), place)
    if not types or "string" in types:
        return None
    if "number" in types:
        return "number"
    return "integer" if "integer" in types else None


def _schema_types(root: Mapping[str, Any], schema: Any, place: Path) -> frozenset[str]:
    """The JSON types the ``schema`` allows at ``place`` below it (empty: not told)."""
    if not isinstance(schema, Mapping):
        return frozenset()
    if isinstance(schema.get("$ref"), str):
        return _schema_types(root, _resolved(root, schema), place)
    own = _own_types(root, schema, place)
    branches = schema.get("oneOf") or schema.get("anyOf")
    if not branches:
        return own
    each = [_schema_types(root, b, place) for b in branches if not place or _nests(root, b)]
    either = frozenset() if not all(each) else frozenset().union(*each)
    return (own & either or own) if own and either else own or either


def _resolved(root: Mapping[str, Any], schema: Mapping[str, Any]) -> Any:
    """The schema a ``$ref`` (``#/$defs/...``, within the criteria schema) names."""
    target: Any = root
    for name in str(schema["$ref"]).removeprefix("#/").split("/"):
        target = target.get(name, {}) if isinstance(target, Mapping) else {}
    return target


def _nests(root: Mapping[str, Any], schema: Any) -> bool:
    """Whether a value ``schema`` allows may hold others (a mapping or a list)."""
    while isinstance(schema, Mapping) and isinstance(schema.get("$ref"), str):
        schema = _resolved(root, schema)
    kind = schema.get("type") if isinstance(schema, Mapping) else None
    kinds = [kind] if isinstance(kind, str) else kind or ["object"]
    return "object" in kinds or "array" in kinds


def _own_types(root: Mapping[str, Any], schema: Mapping[str, Any], place: Path) -> frozenset[str]:
    """The types of :func:`_schema_types` told by ``schema``'s own keywords (not those of
    its ``oneOf`` or ``anyOf`` branches)."""
    if not place:
        kind = schema.get("type")
        return frozenset([kind] if isinstance(kind, str) else kind or ())
    part, rest = place[0], place[1:]
    if type(part) is int:
        return _schema_types(root, schema.get("items"), rest)
    properties = schema.get("properties") or {}
    if part in properties:
        return _schema_types(root, properties[part], rest)
    return _schema_types(root, schema.get("additionalProperties"), rest)


def _at(old: Any, key: Any) -> Any:
    """What ``old`` (a mapping or list of the file, or :data:`_ABSENT`) holds at ``key``."""
    if isinstance(old, Mapping):
        return old.get(key, _ABSENT)
    if isinstance(old, list) and type(key) is int and 0 <= key < len(old):
        return old[key]
    return _ABSENT


def _node_paths(data: Mapping[str, Any]) -> dict[str, Path]:
    """Where each score node stands in the document, by id."""
    found: dict[str, Path] = {}

    def walk(node: Any, path: Path) -> None:
        if not isinstance(node, Mapping):
            return
        if isinstance(node.get("id"), str):
            found.setdefault(node["id"], path)
        for kind in ("sum", "weighted", "mean"):
            body = node.get(kind)
            if isinstance(body, Mapping):
                for i, child in enumerate(body.get("of") or []):
                    walk(child, (*path, kind, "of", i))
        body = node.get("switch")
        if isinstance(body, Mapping):
            for code, child in (body.get("branches") or {}).items():
                walk(child, (*path, "switch", "branches", code))
            if "otherwise" in body:
                walk(body["otherwise"], (*path, "switch", "otherwise"))

    walk(data.get("score"), ("score",))
    award = data.get("award")
    if isinstance(award, Mapping):
        for i, cat in enumerate(award.get("categories") or []):
            if isinstance(cat, Mapping):
                walk(cat.get("score"), ("award", "categories", i, "score"))
    return found


def _locate(data: Any, parts: tuple[str | int, ...], nodes: Mapping[str, Path]) -> Path:
    if not parts:
        raise ScenarioError("an empty override path")
    first, rest = parts[0], parts[1:]
    if isinstance(data, Mapping) and (first in data or first in _sections()):
        path: Path = (first,)
    elif first in nodes:
        path = nodes[str(first)]
    else:
        raise ScenarioError(f"{first!r} is neither a section of the criteria nor a score node id")
    here = _get(data, path) if first in data or first in nodes else None
    if here is None and rest:
        raise ScenarioError(f"the criteria have no {first}: give it whole")
    for i, part in enumerate(rest):
        last = i == len(rest) - 1
        if isinstance(here, Mapping):
            if part not in here and not last:
                raise ScenarioError(f"{_dotted((*path, part))}: no such key")
            path = (*path, part)
            here = here.get(part)
        elif isinstance(here, list):
            index = _item(here, part)
            if index is None:
                raise ScenarioError(
                    f"{_dotted((*path, part))}: no item with that id, code or index"
                )
            path = (*path, index)
            here = here[index]
        else:
            raise ScenarioError(f"{_dotted(path)} holds a single value, not {part!r}")
    return path


def _sections() -> frozenset[str]:
    from ..spec.schema import criteria_schema

    return frozenset(criteria_schema()["properties"])


def _item(items: list[Any], part: str | int) -> int | None:
    for i, item in enumerate(items):
        if isinstance(item, Mapping) and part in (item.get("id"), item.get("code")):
            return i
    if isinstance(part, int) or (isinstance(part, str) and part.isdigit()):
        index = int(part)
        return index if index < len(items) else None
    return None


def _get(data: Any, path: Path) -> Any:
    for part in path:
        data = data[part]
    return data


def _set(data: Any, path: Path, value: Any) -> None:
    parent = _get(data, path[:-1])
    if value is None and isinstance(parent, dict):
        parent.pop(path[-1], None)
    elif value is None and isinstance(parent, list):
        del parent[int(path[-1])]
    else:
        parent[path[-1]] = value


def _dotted(path: tuple[str | int, ...]) -> str:
    return ".".join(str(p) for p in path)


# -- rebalanced weights ---------------------------------------------------------------


@D.own_context
def rebalanced(criteria: Criteria, path: OverridePath, value: Any) -> dict[OverridePath, Any]:
    """The scenario that sets the weight at ``path`` to ``value`` and rescales the weights
    of its siblings (the other children of the same ``weighted`` node) in proportion, so
    that all still add up to exactly what they added up to before (1, as the criteria
    language requires).

    Each sibling weight ``w`` becomes ``w x (total - value) / (total - old)``, exactly. A
    criteria file declares no rounding of weights, so a weight that would need infinitely
    many decimal places (a third), or more than a file may hold, is refused rather than
    rounded; so are a value not above 0 or not below the total (the siblings would be left
    no weight), a weight with no siblings, and a path that is not the weight of a child of
    a ``weighted`` node (the children of ``sum`` and ``mean`` nodes carry no weights). Each
    refusal is a :class:`ScenarioError` naming the path, the value and why.

    The result maps ``path`` to the new weight (a :class:`~decimal.Decimal`) and each
    sibling's ``<id>.weight`` (a tuple path when ``path`` is one) to its own, in the order
    of the file: give it to :func:`with_overrides`, :func:`sweep` or :func:`sensitivity`.

    >>> rebalanced(asnmerit.get("jpt"), "persiapan.weight", "0.4")["inovasi.weight"]
    Decimal('0.15')
    """
    shown = f"rebalance {_given(path, text=True)}={_given(value)}"
    doc = criteria.document
    if doc is None:
        raise ScenarioError(f"{criteria.id} {criteria.version} was not loaded from a document")
    data = doc.data
    nodes = _node_paths(data)
    try:
        where = _locate(data, _parts(path), nodes)
    except ScenarioError as exc:
        raise ScenarioError(f"{shown}: {exc}") from None
    if not (len(where) >= 4 and where[-1] == "weight" and where[-3] == "of"):
        raise ScenarioError(
            f"{shown}: {_dotted(where)} is not the weight of a child of a weighted node "
            "(only weights can be rebalanced)"
        )
    kind, items, index = where[-4], _get(data, where[:-2]), int(where[-2])
    child = items[index].get("id") if isinstance(items[index], Mapping) else None
    if kind != "weighted":
        parent = _get(data, where[:-4]).get("id")
        raise ScenarioError(
            f"{shown}: {child} stands in the {kind} node {parent}, whose children carry no "
            "weights (only the children of a weighted node have weights to rebalance)"
        )
    try:
        new = _plain(value, where)
        if not isinstance(new, int | Decimal) or isinstance(new, bool):
            raise ScenarioError(f"expected a number, got {_given(value)}")
    except ScenarioError as exc:
        raise ScenarioError(f"{shown}: {exc}") from None
    new = Decimal(new)
    weights = [to_decimal(item.get("weight", 0)) for item in items]
    total = D.total(weights)
    rest, left = D.sub(total, weights[index]), D.sub(total, new)
    if new <= 0:
        raise ScenarioError(f"{shown}: a weight must be above 0")
    if rest <= 0 and new != weights[index]:
        raise ScenarioError(
            f"{shown}: {child} has no sibling weights to rescale (its weight must stay "
            f"{D.plain(D.tidy(total))})"
        )
    if left <= 0:
        raise ScenarioError(
            f"{shown}: the weights of {child} and its siblings add up to "
            f"{D.plain(D.tidy(total))}; a weight of {D.plain(new)} leaves the others "
            f"{D.plain(D.tidy(left))}, and each must stay above 0"
        )
    ratio = Fraction(left) / Fraction(rest) if rest > 0 else Fraction(1)
    out: dict[OverridePath, Any] = {path: new}
    for i in range(len(items)):
        if i == index:
            continue
        key = _weight_key(data, nodes, (*where[:-2], i), tuple_form=isinstance(path, tuple))
        exact = Fraction(weights[i]) * ratio
        scaled = _finite(exact)
        problem = None
        if scaled is None:
            problem = (
                f"{_given(key, text=True)} would be {D.plain(weights[i])} x "
                f"{D.plain(left)} / {D.plain(rest)} = {exact.numerator}/{exact.denominator}, "
                "which has no exact decimal form (criteria declare no rounding of weights)"
            )
        else:
            try:
                scaled = D.bounded(scaled)
            except ValueError as exc:
                problem = (
                    f"{_given(key, text=True)} would be {D.plain(scaled)}, and a criteria "
                    f"file holds only {exc}"
                )
        if problem is not None:
            raise ScenarioError(f"{shown}: {problem}")
        out[key] = scaled
    return out


def _finite(value: Fraction) -> Decimal | None:
    """``value`` as an exact decimal, or ``None`` when it has no finite expansion."""
    den = value.denominator
    for prime in (2, 5):
        while den % prime == 0:
            den //= prime
    return D.from_fraction(value) if den == 1 else None


def _weight_key(data: Any, nodes: Mapping[str, Path], item: Path, tuple_form: bool) -> OverridePath:
    """The shortest override path of the weight of the node at ``item``: ``<id>.weight``
    when that leads there, else the path through the document."""
    node = _get(data, item)
    target = (*item, "weight")
    ident = node.get("id") if isinstance(node, Mapping) else None
    if isinstance(ident, str):
        try:
            if _locate(data, (ident, "weight"), nodes) == target:
                return (ident, "weight") if tuple_form else f"{ident}.weight"
        except ScenarioError:
            pass
    return target if tuple_form else _dotted(target)


# -- sweeps --------------------------------------------------------------------------

MEAN_ROUNDING = Rounding(places=2, mode="half_up")
"""How a sweep rounds its means when the criteria declare no ``aggregate`` rounding."""


def _mean_rounding(point: SweepPoint) -> Rounding:
    declared = point.criteria.aggregation
    return declared.rounding if declared is not None else MEAN_ROUNDING


def _mean_score(point: SweepPoint) -> Decimal | None:
    scored = point.evaluations
    if not scored:
        return None
    rule = _mean_rounding(point)
    return D.round_mean(D.total(e.score for e in scored), len(scored), rule.places, rule.mode)


def _node_means(point: SweepPoint) -> Mapping[str, Decimal]:
    """The mean points of every score node over the rows whose tree holds it, rounded
    once from the exact sum; each distinct tree of components is walked once (rows that
    share a profile share their components)."""
    trees: dict[int, list[Any]] = {}  # id -> [components, rows that have them]
    for ev in point.evaluations:
        for comp in (ev.components, *ev.categories.values()):
            if comp is None:
                continue
            entry = trees.setdefault(id(comp), [comp, 0])
            entry[1] += 1
    sums: dict[str, Decimal] = {}
    counts: dict[str, int] = {}
    for comp, n in trees.values():
        stack = [comp]
        while stack:
            c = stack.pop()
            sums[c.id] = D.EXACT.add(sums.get(c.id, D.ZERO), D.mul(c.points, Decimal(n)))
            counts[c.id] = counts.get(c.id, 0) + n
            stack.extend(c.children)
    rule = _mean_rounding(point)
    criteria = point.criteria
    award = criteria.award.categories if criteria.award is not None else ()
    order = [n.id for root in (criteria.score, *(c.score for c in award)) for n in root.walk()]
    ids = [*dict.fromkeys(i for i in order if i in sums), *(i for i in sums if i not in order)]
    return frozen({i: D.round_mean(sums[i], counts[i], rule.places, rule.mode) for i in ids})


@attrs.frozen
class SweepPoint:
    """The results of the records under one scenario, with their means."""

    overrides: Overrides = attrs.field(converter=frozen)
    criteria: Criteria = attrs.field(repr=False)
    results: tuple[RowResult, ...] = attrs.field(repr=False)
    mean: Decimal | None = attrs.field(
        init=False, default=attrs.Factory(_mean_score, takes_self=True)
    )
    """The mean score of the rows scored (``None``: none was), rounded as the criteria's
    ``aggregate`` block declares, else to 2 places half up (:attr:`rounding`)."""
    means: Mapping[str, Decimal] = attrs.field(
        init=False, default=attrs.Factory(_node_means, takes_self=True), repr=False
    )
    """Score node id -> its mean points, rounded as :attr:`mean` is, for every node of
    the tree (the root included) and of the award categories, in the order of the
    criteria. A node in a ``switch`` branch is averaged over the rows that took the
    branch, a category's nodes over the rows it assessed; a node no row reached is left
    out."""

    @property
    def label(self) -> str:
        """The scenario as ``path=value; ...``."""
        return "; ".join(f"{_dotted(_parts(k))}={_text(v)}" for k, v in self.overrides.items())

    @property
    def evaluations(self) -> list[Evaluation]:
        """The evaluations of the rows scored, in row order."""
        return [r.evaluation for r in self.results if r.evaluation is not None]

    @property
    def rounding(self) -> Rounding:
        """How the means are rounded: the criteria's ``aggregate`` rounding, else 2 places
        half up."""
        return _mean_rounding(self)


@attrs.frozen(repr=False)
class Sweep(Framed):
    """The same records scored under each of several scenarios."""

    scheme: str
    version: str
    points: tuple[SweepPoint, ...]

    def rows(self, lang: str = "id") -> list[dict[str, Any]]:
        """Per scenario, as text and counts for a CSV: the rows scored, the mean score
        (:attr:`SweepPoint.mean`), the count per band (by its label in ``lang``), then the
        mean of each score node (:attr:`SweepPoint.means`; a column per node of any
        scenario, named by its id, blank where the scenario has no mean for it)."""
        labels = [{b.code: b.label.get(lang) for b in p.criteria.bands.table} for p in self.points]
        taken = {"scenario", "rows", "scored", "mean", *(x for ls in labels for x in ls.values())}
        nodes = dict.fromkeys(k for p in self.points for k in p.means)
        columns = {k: f"mean {k}" if k in taken else k for k in nodes}
        out = []
        for p, names in zip(self.points, labels, strict=True):
            counts = {names[c]: n for c, n in band_counts(p.criteria, p.evaluations).items()}
            row: dict[str, Any] = {
                "scenario": p.label,
                "rows": len(p.results),
                "scored": sum(r.evaluation is not None for r in p.results),
                "mean": "" if p.mean is None else D.plain(p.mean),
                **counts,
            }
            for k, column in columns.items():
                row[column] = D.plain(p.means[k]) if k in p.means else ""
            out.append(row)
        return out

    def __repr__(self) -> str:
        return f"<Sweep {self.scheme} {self.version}: {len(self.points)} scenarios>"

    def _names(self) -> tuple[list[str], dict[str, str]]:
        """The band codes of every scenario, and the column of each node's mean."""
        codes = list(dict.fromkeys(b.code for p in self.points for b in p.criteria.bands.table))
        taken = {"scenario", "rows", "scored", "mean", *codes}
        nodes = dict.fromkeys(k for p in self.points for k in p.means)
        return codes, {k: f"mean {k}" if k in taken else k for k in nodes}

    def _columns(self, lang: str) -> list[Column]:
        codes, means = self._names()
        return [
            Column("scenario", "text"),
            Column("rows", "int"),
            Column("scored", "int"),
            Column("mean", "decimal"),
            *(Column(c, "int") for c in codes),
            *(Column(m, "decimal") for m in means.values()),
        ]

    def _records(self, lang: str) -> list[dict[str, Any]]:
        """Per scenario: counts, the mean, the count per band code, each node's mean."""
        _, means = self._names()
        out = []
        for p in self.points:
            row: dict[str, Any] = {
                "scenario": p.label,
                "rows": len(p.results),
                "scored": len(p.evaluations),
                "mean": p.mean,
                **band_counts(p.criteria, p.evaluations),
            }
            row.update((column, p.means.get(k)) for k, column in means.items())
            out.append(row)
        return out

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form (format ``asnmerit.sweep/1``): per scenario its overrides (by
        dotted path), the digest of its criteria, the counts, the mean score and the means
        of the score nodes (decimals as text), and the count per band code. Row results
        are not included (each point's ``results`` hold them)."""
        return {
            "format": "asnmerit.sweep/1",
            "scheme": self.scheme,
            "version": self.version,
            "points": [
                {
                    "scenario": p.label,
                    "overrides": {
                        _dotted(_parts(k)): json_value(v) for k, v in p.overrides.items()
                    },
                    "digest": p.criteria.digest,
                    "extends": p.criteria.extends,
                    "rows": len(p.results),
                    "scored": len(p.evaluations),
                    "rounding": {"places": p.rounding.places, "mode": p.rounding.mode},
                    "mean": None if p.mean is None else D.plain(p.mean),
                    "bands": band_counts(p.criteria, p.evaluations),
                    "means": {k: D.plain(v) for k, v in p.means.items()},
                }
                for p in self.points
            ],
        }

    def _repr_html_(self) -> str:
        return table(self.rows(), f"{self.scheme} {self.version}")


def _text(value: Any) -> str:
    return D.plain(value) if isinstance(value, Decimal) else str(value)


def steps(
    path: OverridePath,
    values: Iterable[Any],
    rebalance: bool = False,
    *,
    criteria: Criteria | None = None,
) -> list[dict[OverridePath, Any]]:
    """One scenario per value of one path: ``[{path: v} for v in values]``.

    With ``rebalance=True``, ``path`` is the weight of a child of a ``weighted`` node of
    ``criteria`` (required then), and each scenario also sets its siblings' weights,
    rescaled in proportion so that all still add up to exactly 1: the scenario of
    :func:`rebalanced` for each value. Every value is checked here, before anything is
    scored: a weight that cannot be rebalanced exactly (a sibling would need infinitely
    many decimal places, the value is not between 0 and the total, ...) is a
    :class:`ScenarioError` naming the path, the value and why.

    Rebalancing makes scenarios, rather than being an option of :func:`with_overrides`
    or :func:`sweep`, so that a scenario stays plain data: every weight it sets is in it,
    shown in a sweep's labels and ``to_dict()``, and the same scenario can be given to
    :func:`with_overrides` or :func:`sensitivity`; ``with_overrides`` keeps setting
    exactly what it is given. The criteria are needed to know the siblings.

    >>> steps("e01_i1.weight", ["0.4"], rebalance=True, criteria=asnmerit.get("nspk"))
    [{'e01_i1.weight': Decimal('0.4'), 'e01_i2.weight': Decimal('0.15'), ...}]
    """
    if not isinstance(rebalance, bool):
        raise TypeError(f"rebalance: true or false, got {rebalance!r:.40}")
    if isinstance(values, str | bytes | Mapping) or not isinstance(values, Iterable):
        raise TypeError(f"values: an iterable of values, got {type(values).__name__}")
    if not rebalance:
        if criteria is not None:
            raise TypeError("steps: criteria= is used only with rebalance=True")
        return [{path: v} for v in values]
    if not isinstance(criteria, Criteria):
        raise TypeError(
            "steps: rebalance=True needs criteria= (the criteria whose weights are rebalanced)"
        )
    return [rebalanced(criteria, path, v) for v in values]


def _reusable(records: Iterable[Mapping[str, Any]]) -> Iterable[Mapping[str, Any]]:
    """``records`` to be read more than once: an iterator (a generator) as a list."""
    return list(records) if isinstance(records, Iterator) else records


@D.own_context
def sweep(
    criteria: Criteria,
    scenarios: Iterable[Overrides],
    records: Iterable[Mapping[str, Any]],
) -> Sweep:
    """Score ``records`` under ``criteria`` changed by each scenario in turn (see
    :func:`steps` for a sweep of one value; values tied together, such as weights that
    must add up to 1, change together in one scenario, or are rebalanced by
    ``steps(..., rebalance=True, criteria=...)``). Every scenario's criteria are made
    (and checked) before any record is scored; a generator of records is read once.
    Within each scenario, rows with the same input cells as a recent row share its
    result (see :func:`~asnmerit.evaluate_records`)."""
    changed = [(o, with_overrides(criteria, o)) for o in scenarios]
    records = _reusable(records)
    points = [
        SweepPoint(overrides, c, tuple(evaluate_records(c, records))) for overrides, c in changed
    ]
    return Sweep(criteria.id, criteria.version, tuple(points))


# -- ranking sensitivity ---------------------------------------------------------------


@attrs.frozen
class Move:
    """One subject whose rank changed (``None``: not ranked)."""

    key: tuple[Any, ...] = attrs.field(converter=freeze)
    """Its group, then its identifiers (or its row, when it has none)."""
    before: Decimal | None
    after: Decimal | None


@attrs.frozen(repr=False)
class Shift(Framed):
    """How a ranking changes under a scenario: who moved, and which pairs swapped order."""

    before: Ranking = attrs.field(repr=False)
    after: Ranking = attrs.field(repr=False)
    moves: tuple[Move, ...]
    swaps: tuple[tuple[tuple[Any, ...], tuple[Any, ...]], ...]
    """Pairs (a, b) of the same group: a was ahead of b, and b is now ahead of a."""
    winners_in: tuple[tuple[Any, ...], ...]
    winners_out: tuple[tuple[Any, ...], ...]

    @property
    def changed(self) -> int:
        """How many subjects changed rank."""
        return len(self.moves)

    def rows(self, lang: str = "id") -> list[dict[str, Any]]:
        """One row per subject that moved: its group and identifiers, its rank before and
        after (blank: not ranked), as text for a CSV. ``lang`` is taken as by every
        ``rows()``; nothing in these rows depends on it."""
        return [
            {
                "subject": " / ".join(str(k) for k in m.key),
                "before": "" if m.before is None else D.plain(m.before),
                "after": "" if m.after is None else D.plain(m.after),
            }
            for m in self.moves
        ]

    def __repr__(self) -> str:
        return f"<Shift {self.changed} moved, {len(self.swaps)} pairs swapped>"

    def _columns(self, lang: str) -> list[Column]:
        return [Column("subject", "text"), Column("before", "rank"), Column("after", "rank")]

    def _records(self, lang: str) -> list[dict[str, Any]]:
        return [
            {"subject": " / ".join(str(k) for k in m.key), "before": m.before, "after": m.after}
            for m in self.moves
        ]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form (format ``asnmerit.shift/1``): the scheme, the digests of the
        criteria ranked before and after, every move (a subject as its group and
        identifiers, ranks as text, ``None``: not ranked), the pairs that swapped and the
        winners in and out."""
        return {
            "format": "asnmerit.shift/1",
            "scheme": self.after.scheme,
            "version": self.after.version,
            "before": self.before.digest,
            "after": self.after.digest,
            "changed": self.changed,
            "moves": [
                {
                    "subject": json_value(list(m.key)),
                    "before": None if m.before is None else D.plain(m.before),
                    "after": None if m.after is None else D.plain(m.after),
                }
                for m in self.moves
            ],
            "swaps": [[json_value(list(a)), json_value(list(b))] for a, b in self.swaps],
            "winners_in": [json_value(list(k)) for k in self.winners_in],
            "winners_out": [json_value(list(k)) for k in self.winners_out],
        }

    def _repr_html_(self) -> str:
        caption = f"{self.changed} moved, {len(self.swaps)} pairs swapped"
        return table(self.rows(), caption)


def _places(ranking: Ranking, who: Callable[[Any], tuple[Any, ...]]) -> dict[tuple[Any, ...], Any]:
    out: dict[tuple[Any, ...], Any] = {}
    for g in ranking.groups:
        group = tuple(str(v) for v in g.key.values())
        for p in g.placings:
            out[(*group, *who(p))] = (group, p.rank, p.winner)
        for x in g.excluded:
            out[(*group, *who(x))] = (group, None, False)
    return out


@D.own_context
def shift(before: Ranking, after: Ranking) -> Shift:
    """Compare two rankings of the same subjects (matched by group and identifiers, or
    by row when they have none)."""

    def who(p: Any) -> tuple[Any, ...]:
        ids = tuple(str(v) for v in p.identifiers.values())
        return ids if ids else (f"row {p.row}",)

    a, b = _places(before, who), _places(after, who)
    keys = list(dict.fromkeys([*a, *b]))
    moves = tuple(
        Move(k, a.get(k, (None, None))[1], b.get(k, (None, None))[1])
        for k in keys
        if a.get(k, (None, None))[1] != b.get(k, (None, None))[1]
    )
    swaps = []
    ranked = [k for k in keys if k in a and k in b and a[k][1] is not None and b[k][1] is not None]
    for i, x in enumerate(ranked):
        for y in ranked[i + 1 :]:
            if a[x][0] != a[y][0]:
                continue
            if a[x][1] < a[y][1] and b[y][1] < b[x][1]:
                swaps.append((x, y))
            elif a[y][1] < a[x][1] and b[x][1] < b[y][1]:
                swaps.append((y, x))
    won = {k for k, v in a.items() if v[2]}
    wins = {k for k, v in b.items() if v[2]}
    return Shift(
        before,
        after,
        moves,
        tuple(swaps),
        tuple(k for k in keys if k in wins - won),
        tuple(k for k in keys if k in won - wins),
    )


@D.own_context
def sensitivity(
    criteria: Criteria,
    records: Iterable[Mapping[str, Any]],
    overrides: Overrides,
    **rank_options: Any,
) -> Shift:
    """How the ranking of ``records`` changes when ``criteria`` take ``overrides`` (e.g.
    other weights): every subject that moves and every pair that swaps. ``rank_options``
    go to :func:`asnmerit.rank` (``by``, ``group_by``, ``ties``, ``top`` ...); a
    generator of records is read once."""
    changed = with_overrides(criteria, overrides)
    records = _reusable(records)
    before = rank(evaluate_records(criteria, records), criteria=criteria, **rank_options)
    after = rank(evaluate_records(changed, records), criteria=changed, **rank_options)
    return shift(before, after)
