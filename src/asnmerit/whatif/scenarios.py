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
its value, ``numpy.float64(0.3)`` as ``0.3``); a number that is not finite or not one a
criteria file may hold (:func:`asnmerit._decimal.bounded`), or a value of another type, is
a :class:`ScenarioError`. Scenario criteria keep the version, get a new digest, name the
original in ``extends`` (which a scenario cannot change), and drop the examples (they test
the original rules).

>>> jpt = asnmerit.get("jpt")
>>> heavier = with_overrides(jpt, {"persiapan.weight": "0.3", "inovasi.weight": "0.1"})
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import attrs

from .. import _decimal as D
from .._decimal import is_whole
from .._render import table
from .._values import builtin, to_decimal
from ..analysis.ranking import Ranking, rank
from ..engine.bands import band_counts
from ..engine.batch import evaluate_records
from ..errors import BadValue, CriteriaError, ScenarioError
from ..model import Criteria, freeze, frozen
from ..results import RowResult
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
            _set(data, path, _plain(value, _get(data, path[:-1]), path))
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


def _plain(value: Any, parent: Any = None, path: Path = (), inner: Path = ()) -> Any:
    """``value`` as parsed criteria data: exact decimals, lists; a text where the file
    has a number is read as a number. Raises ScenarioError (naming the place ``inner``
    within the value) for a number the file could not hold or a value of another type."""
    value = builtin(value)  # a numpy or pandas scalar by its value
    where = f"{_dotted(inner)}: " if inner else ""
    if isinstance(value, Mapping):
        return {k: _plain(v, inner=(*inner, k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v, inner=(*inner, i)) for i, v in enumerate(value)]
    if value is None or isinstance(value, bool | dt.date):
        return value
    if not isinstance(value, str | int | float | Decimal):
        raise ScenarioError(
            f"{where}expected a number, a text, a boolean, a date, a list or a mapping, "
            f"got {type(value).__name__}"
        )
    old = _get(parent, path[-1:]) if path and _has(parent, path[-1]) else None
    if isinstance(value, str) and not (
        isinstance(old, int | Decimal) and not isinstance(old, bool)
    ):
        return value
    try:
        number = to_decimal(value)
    except BadValue as bad:
        raise ScenarioError(f"{where}expected {bad.expected}, got {_given(value)}") from None
    if isinstance(value, int) or (isinstance(old, int) and is_whole(number)):
        return int(number)
    return number


def _has(parent: Any, key: Any) -> bool:
    if isinstance(parent, Mapping):
        return key in parent
    return isinstance(parent, list) and isinstance(key, int) and key < len(parent)


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


# -- sweeps --------------------------------------------------------------------------


@attrs.frozen
class SweepPoint:
    """The results of the records under one scenario."""

    overrides: Overrides = attrs.field(converter=frozen)
    criteria: Criteria = attrs.field(repr=False)
    results: tuple[RowResult, ...] = attrs.field(repr=False)

    @property
    def label(self) -> str:
        """The scenario as ``path=value; ...``."""
        return "; ".join(f"{_dotted(_parts(k))}={_text(v)}" for k, v in self.overrides.items())


@attrs.frozen
class Sweep:
    """The same records scored under each of several scenarios."""

    scheme: str
    version: str
    points: tuple[SweepPoint, ...]

    def rows(self, lang: str = "id") -> list[dict[str, Any]]:
        """Per scenario: rows scored, the mean score (exact, to 2 places half up) and
        the count per band."""
        out = []
        for p in self.points:
            scored = [r.evaluation for r in p.results if r.evaluation is not None]
            labels = {b.code: b.label.get(lang) for b in p.criteria.bands.table}
            counts = {labels[c]: n for c, n in band_counts(p.criteria, scored).items()}
            mean = (
                D.plain(D.round_mean(D.total(e.score for e in scored), len(scored), 2))
                if scored
                else ""
            )
            out.append(
                {
                    "scenario": p.label,
                    "rows": len(p.results),
                    "scored": len(scored),
                    "mean": mean,
                    **counts,
                }
            )
        return out

    def _repr_html_(self) -> str:
        return table(self.rows(), f"{self.scheme} {self.version}")


def _text(value: Any) -> str:
    return D.plain(value) if isinstance(value, Decimal) else str(value)


def steps(path: OverridePath, values: Iterable[Any]) -> list[dict[OverridePath, Any]]:
    """One scenario per value of one path: ``[{path: v} for v in values]``."""
    return [{path: v} for v in values]


@D.own_context
def sweep(
    criteria: Criteria,
    scenarios: Iterable[Overrides],
    records: Sequence[Mapping[str, Any]],
) -> Sweep:
    """Score ``records`` under ``criteria`` changed by each scenario in turn (see
    :func:`steps` for a sweep of one value; values tied together, such as weights that
    must add up to 1, change together in one scenario)."""
    points = []
    for overrides in scenarios:
        changed = with_overrides(criteria, overrides)
        points.append(SweepPoint(overrides, changed, tuple(evaluate_records(changed, records))))
    return Sweep(criteria.id, criteria.version, tuple(points))


# -- ranking sensitivity ---------------------------------------------------------------


@attrs.frozen
class Move:
    """One subject whose rank changed (``None``: not ranked)."""

    key: tuple[Any, ...] = attrs.field(converter=freeze)
    """Its group, then its identifiers (or its row, when it has none)."""
    before: Decimal | None
    after: Decimal | None


@attrs.frozen
class Shift:
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

    def rows(self) -> list[dict[str, Any]]:
        """One row per subject that moved."""
        return [
            {
                "subject": " / ".join(str(k) for k in m.key),
                "before": "" if m.before is None else D.plain(m.before),
                "after": "" if m.after is None else D.plain(m.after),
            }
            for m in self.moves
        ]

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
    records: Sequence[Mapping[str, Any]],
    overrides: Overrides,
    **rank_options: Any,
) -> Shift:
    """How the ranking of ``records`` changes when ``criteria`` take ``overrides`` (e.g.
    other weights): every subject that moves and every pair that swaps. ``rank_options``
    go to :func:`asnmerit.rank` (``by``, ``group_by``, ``ties``, ``top`` ...)."""
    changed = with_overrides(criteria, overrides)
    before = rank(evaluate_records(criteria, records), criteria=criteria, **rank_options)
    after = rank(evaluate_records(changed, records), criteria=changed, **rank_options)
    return shift(before, after)
