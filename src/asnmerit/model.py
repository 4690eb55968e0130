"""The frozen models a criteria file is loaded into.

Models are plain data (frozen, slotted ``attrs`` classes), immutable all the way down: their
mappings are :class:`FrozenDict` s and their sequences tuples (:func:`freeze`, also used by
the results). Loading lives in :mod:`asnmerit.spec`, scoring in :mod:`asnmerit.engine`. Every
number is a :class:`~decimal.Decimal`. Use :func:`attrs.evolve` to derive changed copies.

Beside the classes, the queries that need nothing but the model itself: the band of a
score (:func:`classify`) and which inputs a node or a condition reads
(:func:`requirements`, :func:`node_inputs`, :func:`condition_inputs`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal, NoReturn, TypeVar, get_args

import attrs

from . import _decimal as D
from ._values import to_decimal
from .errors import BadValue, ScoreOutOfRangeError

if TYPE_CHECKING:
    from .spec.parse import Document

Confidence = Literal["high", "medium", "reconstructed", "assumption"]
WEAK: frozenset[str] = frozenset({"reconstructed", "assumption"})
"""Confidence levels whose use is reported as a warning."""

BandPolicy = Literal["lower_bounds", "upper_bounds", "round_then_classify"]
BAND_POLICIES: tuple[str, ...] = get_args(BandPolicy)

K = TypeVar("K")
V = TypeVar("V")


class FrozenDict(dict[K, V]):
    """A dict that refuses every change with :class:`TypeError`. It equals a dict with the
    same items, hashes when its values do, pickles and copies as itself; ``dict(d)`` gives a
    changeable copy. It freezes nothing inside it: :func:`freeze` does."""

    __slots__ = ()

    def _refuse(self, *args: object, **kwargs: object) -> NoReturn:
        raise TypeError("this mapping cannot be changed (copy it with dict() first)")

    __setitem__ = __delitem__ = __ior__ = _refuse
    clear = pop = popitem = setdefault = update = _refuse

    @classmethod
    def fromkeys(cls, keys: Iterable[Any], value: Any = None) -> FrozenDict[Any, Any]:
        return cls(dict.fromkeys(keys, value))

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(frozenset(self.items()))

    def __reduce__(self) -> tuple[type[FrozenDict[K, V]], tuple[dict[K, V]]]:
        return type(self), (dict(self),)

    def __copy__(self) -> FrozenDict[K, V]:
        return self


_PLAIN = frozenset({str, Decimal, bool, int, float, type(None), dt.date, dt.datetime, FrozenDict})


def freeze(value: Any) -> Any:
    """``value`` with every dict, list and set in it, however deep, turned into a
    :class:`FrozenDict`, a tuple and a frozenset; other values as they are."""
    if type(value) in _PLAIN:
        return value
    if isinstance(value, Mapping):
        return FrozenDict({k: freeze(v) for k, v in value.items()})
    if isinstance(value, list | tuple) and not hasattr(value, "_fields"):  # not a namedtuple
        return tuple(freeze(v) for v in value)
    if isinstance(value, set | frozenset):
        return frozenset(freeze(v) for v in value)
    return value


def frozen(value: Mapping[Any, Any]) -> Mapping[Any, Any]:
    """A mapping attribute's converter: ``value`` as a deeply frozen :class:`FrozenDict`."""
    if type(value) is FrozenDict:
        return value
    if _PLAIN.issuperset(map(type, value.values())):  # the common case, at C speed
        return FrozenDict(value)
    return FrozenDict({k: freeze(v) for k, v in value.items()})


def frozen_or_none(value: Mapping[Any, Any] | None) -> Mapping[Any, Any] | None:
    """:func:`frozen`, and ``None`` as it is."""
    return None if value is None else frozen(value)


@attrs.frozen
class Text:
    """A text in Indonesian (``id``) and, optionally, English (``en``)."""

    id: str
    en: str | None = None

    def get(self, lang: str = "id") -> str:
        """The text in ``lang`` (``"id"`` or ``"en"``), falling back to Indonesian."""
        return self.en if lang == "en" and self.en else self.id


@attrs.frozen
class Reference:
    """A source: a regulation, an official page, a news item, an implementation."""

    key: str
    title: str
    kind: str | None = None
    date: dt.date | None = None
    url: str | None = None
    note: str | None = None


@attrs.frozen
class Citation:
    """A pointer into a :class:`Reference`, e.g. Peraturan BKN 8/2019, Pasal 8."""

    reference: Reference
    article: str | None = None
    note: str | None = None

    def __str__(self) -> str:
        return self.reference.title + (f", {self.article}" if self.article else "")


@attrs.frozen
class Provenance:
    """Where a value comes from and how sure we are of it."""

    basis: tuple[Citation, ...] = ()
    confidence: Confidence = "high"
    note: str | None = None

    @property
    def weak(self) -> bool:
        """Whether the value rests on a weak source (reconstructed or assumed)."""
        return self.confidence in WEAK


@attrs.frozen
class Code:
    """One code of an enum input."""

    code: str
    label: Text
    aliases: tuple[str, ...] = ()
    description: str | None = None
    provenance: Provenance = Provenance()


InputType = Literal["enum", "boolean", "number", "integer", "date"]


@attrs.frozen
class Derive:
    """``if`` condition then ``value``: one rule of a derivation."""

    condition: Condition
    value: Any = attrs.field(converter=freeze)
    label: Text | None = None


@attrs.frozen
class Derivation:
    """How an input's value follows from other inputs when a record leaves it out: the
    value of the first rule that holds, else ``otherwise`` (else the input is missing)."""

    rules: tuple[Derive, ...]
    otherwise: Any = attrs.field(default=None, converter=freeze)
    provenance: Provenance = Provenance()


@attrs.frozen
class Input:
    """One field of a subject record that the score depends on."""

    name: str
    type: InputType
    label: Text
    description: str | None = None
    unit: str | None = None
    aliases: tuple[str, ...] = ()
    """Other field names a subject record may use for this input (spelling variants)."""
    actionable: bool = True
    """Whether the subject can change the value by its own effort (what-if suggestions
    change only such values unless asked)."""
    codes: tuple[Code, ...] = ()
    order: Literal["high_to_low", "low_to_high"] | None = None
    min: Decimal | dt.date | None = None
    max: Decimal | dt.date | None = None
    step: Decimal | None = None
    default: Any = attrs.field(default=None, converter=freeze)
    derive: Derivation | None = None
    provenance: Provenance = Provenance()

    @property
    def code_names(self) -> tuple[str, ...]:
        """The codes of an enum input, as declared."""
        return tuple(c.code for c in self.codes)

    def rank(self, code: str) -> int:
        """Position of ``code`` from lowest (0) to highest, for ordered enums."""
        names = self.code_names
        i = names.index(code)
        return len(names) - 1 - i if self.order == "high_to_low" else i


@attrs.frozen
class Identifier:
    """A pass-through field (NIP, name, agency, status): kept, never scored. A ``format``
    (a name of :data:`asnmerit._values.FORMATS`, e.g. ``nip``) checks and normalises its
    values; a ``unique`` one may hold a value in one record of a batch only."""

    name: str
    label: Text
    description: str | None = None
    format: str | None = None
    unique: bool = False


@attrs.frozen
class Points:
    """A number of points with its own provenance."""

    points: Decimal
    provenance: Provenance = Provenance()


RoundingMode = Literal["half_up", "half_even", "half_down", "up", "down", "ceiling", "floor"]


@attrs.frozen
class Rounding:
    """Round to ``places`` decimals with ``mode``; ``stage`` says where (top level only)."""

    places: int
    mode: RoundingMode = "half_up"
    stage: Literal["final", "nodes"] = "final"


# -- conditions -------------------------------------------------------------------------

Op = Literal["is", "in", "not_in", "lt", "le", "gt", "ge"]


@attrs.frozen
class Test:
    """``input <op> value``; enum comparisons follow the declared order of the codes."""

    input: str
    op: Op
    value: Any = attrs.field(converter=freeze)


@attrs.frozen
class AllOf:
    items: tuple[Condition, ...]


@attrs.frozen
class AnyOf:
    items: tuple[Condition, ...]


@attrs.frozen
class Not:
    item: Condition


Condition = Test | AllOf | AnyOf | Not


# -- score tree -------------------------------------------------------------------------


@attrs.frozen
class Lookup:
    """Points by the code of one input."""

    input: str
    points: Mapping[str, Points] = attrs.field(converter=frozen)
    otherwise: Points | None = None


@attrs.frozen
class Rule:
    """``if`` condition then points."""

    condition: Condition
    points: Points
    label: Text | None = None


@attrs.frozen
class Cases:
    """The points of the first rule that holds, else ``otherwise``."""

    rules: tuple[Rule, ...]
    otherwise: Points


@attrs.frozen
class Direct:
    """A numeric input taken as points, times ``factor``."""

    input: str
    factor: Decimal = Decimal(1)


@attrs.frozen
class Sum:
    """The sum of the children's points."""

    children: tuple[Node, ...]


@attrs.frozen
class Weighted:
    """``scale`` x the sum of ``weight x value`` (``value / max`` when ``normalize``)."""

    children: tuple[Node, ...]
    normalize: bool = False
    scale: Decimal = Decimal(1)


@attrs.frozen
class Switch:
    """A different subtree per code of one input."""

    input: str
    branches: Mapping[str, Node] = attrs.field(converter=frozen)
    otherwise: Node | None = None


@attrs.frozen
class Mean:
    """The mean of the children's points, after dropping the ``drop_highest`` highest and
    the ``drop_lowest`` lowest (a jury's trimmed mean); rounded by the node's rounding."""

    children: tuple[Node, ...]
    drop_highest: int = 0
    drop_lowest: int = 0


@attrs.frozen
class Ref:
    """The points of another node of the score tree (an award category drawing on it)."""

    node: str


Kind = Lookup | Cases | Direct | Sum | Weighted | Switch | Mean | Ref


@attrs.frozen
class Node:
    """One node of the score tree."""

    id: str
    label: Text
    kind: Kind
    bounds: tuple[Decimal, Decimal]
    """The least and most points this node can give, computed by the loader."""
    max: Decimal | None = None
    weight: Decimal | None = None
    cap: Decimal | None = None
    rounding: Rounding | None = None
    description: str | None = None
    provenance: Provenance = Provenance()

    @property
    def children(self) -> tuple[Node, ...]:
        """Direct sub-nodes, in order (switch branches, then its otherwise)."""
        kind = self.kind
        if isinstance(kind, Sum | Weighted | Mean):
            return kind.children
        if isinstance(kind, Switch):
            rest = (kind.otherwise,) if kind.otherwise else ()
            return (*kind.branches.values(), *rest)
        return ()

    def walk(self) -> list[Node]:
        """This node and all below it, depth first."""
        out: list[Node] = []
        stack = [self]
        while stack:
            node = stack.pop()
            out.append(node)
            stack.extend(reversed(node.children))
        return out


# -- bands, gates, examples ---------------------------------------------------------------


@attrs.frozen(repr=False)
class Band:
    """One category with its published range (``None`` where open). Its repr is short:
    ``<Band sedang 70..80>``, ``<Band sangat_rendah ..60>``."""

    code: str
    label: Text
    lower: Decimal | None
    upper: Decimal | None
    provenance: Provenance = Provenance()

    def __repr__(self) -> str:
        low = "" if self.lower is None else D.plain(self.lower)
        high = "" if self.upper is None else D.plain(self.upper)
        return f"<Band {self.code} {low}..{high}>"


@attrs.frozen
class Bands:
    """The category table (lowest first) and how scores between ranges are classified."""

    policy: BandPolicy
    table: tuple[Band, ...]
    step: Decimal = Decimal(1)
    rounding_mode: RoundingMode = "half_up"
    provenance: Provenance = Provenance()

    def get(self, code: str) -> Band:
        """The band with ``code``."""
        for band in self.table:
            if band.code == code:
                return band
        raise KeyError(code)


@attrs.frozen
class Gate:
    """An eligibility gate: ``require`` must hold, else the subject is ineligible."""

    id: str
    require: Condition
    reason: Text
    provenance: Provenance = Provenance()


TiePolicy = Literal["competition", "dense", "average"]
TIE_POLICIES: tuple[str, ...] = ("competition", "dense", "average")


@attrs.frozen
class TieBreaker:
    """Equal scores are ordered by ``by`` (a score node, a category or a number input),
    the ``prefer``-red end first."""

    by: str
    prefer: Literal["higher", "lower"] = "higher"


@attrs.frozen
class Category:
    """One award category: its own score (a node, usually drawing on the main tree with
    ``ref``), how many winners per group (``ranks``), and whether they are ranked."""

    id: str
    label: Text
    score: Node
    group: str | None = None
    """What sort of category this is, e.g. main, element or special (free text)."""
    ranks: int | None = None
    ranked: bool = True
    min_score: Decimal | None = None
    provenance: Provenance = Provenance()


@attrs.frozen
class Stage:
    """One stage of a staged selection: the best ``keep`` of each ``per`` group, by the
    score of category ``by``, go on to the next stage."""

    id: str
    label: Text
    by: str
    keep: int | None = None
    per: tuple[str, ...] = ()
    provenance: Provenance = Provenance()


@attrs.frozen
class Award:
    """The award a scheme's result qualifies for: a subject in a band below ``min_band``
    (or failing a gate) is not eligible. Subjects compete within groups of the
    ``group_by`` fields, for the total or per category, ties settled by ``ties`` after the
    ``tie_breakers``; ``stages`` describe a staged selection."""

    id: str
    label: Text
    min_band: str | None = None
    provenance: Provenance = Provenance()
    group_by: tuple[str, ...] = ()
    ranks: int | None = None
    ranked: bool = True
    ties: TiePolicy = "competition"
    tie_breakers: tuple[TieBreaker, ...] = ()
    categories: tuple[Category, ...] = ()
    stages: tuple[Stage, ...] = ()

    @property
    def fields(self) -> tuple[str, ...]:
        """Every field that places a subject in a group: ``group_by`` and the stages' ``per``."""
        names = [*self.group_by, *(f for st in self.stages for f in st.per)]
        return tuple(dict.fromkeys(names))

    def category(self, category_id: str) -> Category:
        """The category with ``category_id``."""
        for cat in self.categories:
            if cat.id == category_id:
                return cat
        raise KeyError(category_id)


@attrs.frozen
class Aggregation:
    """How subject results combine into a group result (an agency's index): means
    rounded with ``rounding``, one row per code of ``stratify`` and a ``combined`` row."""

    rounding: Rounding
    stratify: str | None = None
    combined: Text | None = None
    provenance: Provenance = Provenance()


@attrs.frozen
class Expectation:
    score: Decimal | None = None
    band: str | None = None
    eligible: bool | None = None
    components: Mapping[str, Decimal] = attrs.field(factory=FrozenDict, converter=frozen)
    ranks: Mapping[str, Decimal | None] = attrs.field(factory=FrozenDict, converter=frozen)
    """Subject name -> its rank (``None``: not ranked), for a ranking example."""
    reached: Mapping[str, str | None] = attrs.field(factory=FrozenDict, converter=frozen)
    """Subject name -> the last stage it passed (``None``: none), for a selection example."""


@attrs.frozen
class Example:
    """A test case shipped with a scheme; ``asnmerit test`` runs it."""

    id: str
    provenance: Literal["published", "derived"]
    expect: Expectation
    inputs: Mapping[str, Any] | None = attrs.field(default=None, converter=frozen_or_none)
    score: Decimal | None = None
    band_policy: BandPolicy | None = None
    description: str | None = None
    source: Citation | None = None
    subjects: Mapping[str, Mapping[str, Any]] | None = attrs.field(
        default=None, converter=frozen_or_none
    )
    """For a ranking or selection example: subject name -> its record."""
    category: str | None = None
    """The award category a ranking example ranks (default: the total score)."""


# -- the scheme ---------------------------------------------------------------------------


@attrs.frozen(hash=False, repr=False)
class Criteria:
    """One version of one scoring scheme, loaded and checked."""

    id: str
    version: str
    title: Text
    subject: Literal["employee", "agency"]
    valid_from: dt.date
    inputs: Mapping[str, Input] = attrs.field(converter=frozen)
    score: Node
    bands: Bands
    score_min: Decimal
    score_max: Decimal
    digest: str
    valid_to: dt.date | None = None
    supersedes: str | None = None
    spec: int = 1
    references: Mapping[str, Reference] = attrs.field(factory=FrozenDict, converter=frozen)
    basis: tuple[Citation, ...] = ()
    confidence: Confidence = "high"
    notes: str | None = None
    identifiers: Mapping[str, Identifier] = attrs.field(factory=FrozenDict, converter=frozen)
    rounding: Rounding | None = None
    eligibility: tuple[Gate, ...] = ()
    award: Award | None = None
    aggregation: Aggregation | None = None
    examples: tuple[Example, ...] = ()
    extends: str | None = None
    """The base scheme this one was derived from (id, version and digest), if any."""
    source: str = attrs.field(default="<string>", eq=False)
    document: Document | None = attrs.field(default=None, eq=False, repr=False)
    """The checked source document (merged onto its base, if it extends one)."""
    fields: Mapping[str, str] = attrs.field(init=False, eq=False, repr=False)
    """Every accepted field name of an input (its name and its aliases) -> the input."""

    def __attrs_post_init__(self) -> None:
        names = {a: i.name for i in self.inputs.values() for a in i.aliases}
        names.update((name, name) for name in self.inputs)
        object.__setattr__(self, "fields", FrozenDict(names))

    def __hash__(self) -> int:
        return hash(self.digest)

    def __repr__(self) -> str:
        source = self.source if len(self.source) <= 80 else "..." + self.source[-77:]
        return f"<Criteria {self.id} {self.version} ({source})>"

    def _repr_html_(self) -> str:
        from ._render import criteria

        return criteria(self)

    def in_force(self, on: dt.date) -> bool:
        """Whether this version applies on date ``on``."""
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)

    def band_for(self, score: Decimal | int | str, policy: BandPolicy | None = None) -> Band:
        """The band of ``score`` under ``policy`` (default: the file's own)."""
        return classify(self, score, policy)

    def input_schema(self) -> dict[str, Any]:
        """The JSON Schema (draft 2020-12) of one subject record of this scheme."""
        from ._subject import input_schema

        return input_schema(self, requirements(self))

    def node(self, node_id: str) -> Node:
        """The score node with ``node_id`` (ids are unique within a scheme)."""
        for node in self.score.walk():
            if node.id == node_id:
                return node
        raise KeyError(node_id)


def classify(
    criteria: Criteria, score: Decimal | int | str, policy: BandPolicy | None = None
) -> Band:
    """The band of ``score``; ``policy`` overrides the criteria file's own."""
    try:
        value = to_decimal(score, limit=False)
    except BadValue as bad:
        raise ScoreOutOfRangeError(f"score must be {bad.expected}, got {score!r}") from None
    if not criteria.score_min <= value <= criteria.score_max:
        raise ScoreOutOfRangeError(
            f"score {D.short(value)} is outside {criteria.id} {criteria.version}'s range "
            f"{D.plain(criteria.score_min)}..{D.plain(criteria.score_max)}"
        )
    bands = criteria.bands
    policy = policy or bands.policy
    table = bands.table
    if policy == "lower_bounds":
        for band in reversed(table):
            if band.lower is None or band.lower <= value:
                return band
    elif policy == "upper_bounds":
        for band in table:
            if band.upper is None or value <= band.upper:
                return band
    elif policy == "round_then_classify":
        rounded = D.round_to_step(value, bands.step, bands.rounding_mode)
        for band in table:
            if (band.lower is None or band.lower <= rounded) and (
                band.upper is None or rounded <= band.upper
            ):
                return band
    else:
        raise ValueError(
            f"unknown band policy {policy!r}; expected one of {', '.join(BAND_POLICIES)}"
        )
    # Unreachable for checked criteria: the loader proves the table covers the range.
    raise ScoreOutOfRangeError(
        f"no band of {criteria.id} {criteria.version} holds {D.short(value)}"
    )


@attrs.frozen
class Needs:
    """Inputs needed on every path, and per switch code the further needs of that branch."""

    always: frozenset[str]
    branches: tuple[tuple[str, str, Needs], ...] = ()


def requirements(criteria: Criteria) -> Needs:
    """What a subject of ``criteria`` must give. A node that is reached needs every input
    it reads (a ``cases`` node: the inputs of all its rules); a switch reaches only the
    branch of the subject's code. The evaluator follows the same rule."""
    gates: set[str] = set()  # and the fields that group an award's competitors
    for gate in criteria.eligibility:
        gates |= condition_inputs(gate.require)
    if criteria.award is not None:
        gates |= {f for f in criteria.award.fields if f in criteria.inputs}
    tree = _needs(criteria, criteria.score)
    return attrs.evolve(tree, always=tree.always | gates)


def _needs(criteria: Criteria, node: Node) -> Needs:
    kind = node.kind
    if isinstance(kind, Switch):
        inp = criteria.inputs[kind.input]
        codes = ["true", "false"] if inp.type == "boolean" else list(inp.code_names)
        per_code = {
            c: _needs(criteria, b) for c in codes if (b := kind.branches.get(c, kind.otherwise))
        }
        common = (
            frozenset.intersection(*(n.always for n in per_code.values()))
            if len(per_code) == len(codes)
            else frozenset()
        )
        split = tuple(
            (kind.input, c, attrs.evolve(n, always=n.always - common)) for c, n in per_code.items()
        )
        return Needs(frozenset({kind.input}) | common, split)
    always = set(node_inputs(node))
    branches: list[tuple[str, str, Needs]] = []
    for child in node.children:
        sub = _needs(criteria, child)
        always |= sub.always
        branches.extend(sub.branches)
    return Needs(frozenset(always), tuple(branches))


def node_inputs(node: Node) -> set[str]:
    """Inputs a node reads itself (not through its children)."""
    kind = node.kind
    if isinstance(kind, Lookup | Direct):
        return {kind.input}
    if isinstance(kind, Cases):
        found: set[str] = set()
        for rule in kind.rules:
            found |= condition_inputs(rule.condition)
        return found
    return set()


def condition_inputs(cond: Condition) -> set[str]:
    """Every input a condition tests."""
    if isinstance(cond, Test):
        return {cond.input}
    if isinstance(cond, Not):
        return condition_inputs(cond.item)
    assert isinstance(cond, AllOf | AnyOf)
    found: set[str] = set()
    for item in cond.items:
        found |= condition_inputs(item)
    return found
