"""From schema-valid data to frozen models, with the semantic checks a schema cannot make.

Every problem is collected with its position; a model is returned only when none was
found. The checks: references, inputs and codes that exist; unique ids; lookups and
switches that cover every code (or say ``otherwise``); weights that add up to 1; a
node's declared ``max`` equal to what its content can give; bands ordered, without
gaps or overlaps, covering the whole score range; examples that name declared fields.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any, TypeVar, cast

from .. import _decimal as D
from .._values import BadValue, coerce, describe, fold
from ..engine.intake import duplicates, split_subject
from ..errors import Problem
from ..model import (
    Aggregation,
    AllOf,
    AnyOf,
    Award,
    Band,
    Bands,
    Cases,
    Category,
    Citation,
    Code,
    Condition,
    Criteria,
    Derivation,
    Derive,
    Direct,
    Example,
    Expectation,
    Gate,
    Identifier,
    Input,
    Kind,
    Lookup,
    Mean,
    Node,
    Not,
    Op,
    Points,
    Provenance,
    Ref,
    Reference,
    Rounding,
    Rule,
    Stage,
    Sum,
    Switch,
    Test,
    Text,
    TieBreaker,
    Weighted,
)
from .parse import Document, Path

RESERVED = frozenset(
    {"row", "score", "band", "band_label", "eligible", "warnings", "error"}
    | {"rank", "tied", "winner", "excluded", "reached", "stopped"}
)
"""Names of result columns: no identifier or score node may take them."""

_KINDS = ("lookup", "cases", "direct", "sum", "weighted", "switch", "mean", "ref")
_OPS = ("is", "in", "not_in", "lt", "le", "gt", "ge")
_ORDER_OPS = ("lt", "le", "gt", "ge")

Range = tuple[Decimal, Decimal]
T = TypeVar("T")


def _dec(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(value)


def _opt_dec(value: Any) -> Decimal | None:
    return None if value is None else _dec(value)


def _text(d: Mapping[str, Any]) -> Text:
    return Text(d["id"], d.get("en"))


class Builder:
    """Builds one :class:`Criteria` from a schema-valid document, collecting problems."""

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
        self.node_ids: dict[str, Path] = {}
        self.broken: set[str] = set()
        self.cited: set[str] = set()
        self.used_inputs: set[str] = set()
        self.stage_rounding: Rounding | None = None
        self.tree: dict[str, Node] = {}
        """The nodes of the score tree by id (what a ``ref`` may point to)."""
        self.total: tuple[str, Range] = ("", (D.ZERO, D.ZERO))
        """The root's id and its range after the final rounding (what a ``ref`` to it gets)."""
        self.in_category = False

    def report(self, code: str, message: str, path: Path, *, key: bool = False) -> None:
        self.problems.append(self.doc.problem(code, message, path, key=key))

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
        self.cited.add(ref.key)
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
            return Points(_dec(value["points"]), self.provenance(value, path, up))
        return Points(_dec(value), Provenance(up.basis, up.confidence))

    # -- the whole file ----------------------------------------------------------------

    def build(self) -> Criteria | None:
        data = self.doc.data
        conf: str = data.get("confidence", "high")
        dates = {k: self.date(data.get(k), (k,)) for k in ("valid_from", "valid_to")}
        valid_from, valid_to = dates["valid_from"], dates["valid_to"]
        if valid_from and valid_to and valid_to < valid_from:
            self.report(
                "header.dates",
                f"valid_to {valid_to} is before valid_from {valid_from}",
                ("valid_to",),
            )
        for key, ref in (data.get("references") or {}).items():
            self.references[key] = Reference(
                key,
                ref["title"],
                ref.get("kind"),
                self.date(ref.get("date"), ("references", key, "date")),
                ref.get("url"),
                ref.get("note"),
            )
        top = Provenance(self.basis(data.get("basis"), ("basis",)), cast(Any, conf))
        file_level = Provenance((), top.confidence)
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
                _text(spec["label"]),
                spec.get("description"),
                spec.get("format"),
                spec.get("unique", False),
            )
        rounding = self.rounding(data.get("rounding"))
        if rounding is not None and rounding.stage == "nodes":
            self.stage_rounding = rounding
        score = self.node(data["score"], ("score",), top, parent=None)
        lo, hi = score.bounds
        if rounding is not None:
            lo, hi = (D.round_places(v, rounding.places, rounding.mode) for v in (lo, hi))
        bands = self.bands(data["bands"], ("bands",), top, (lo, hi), score.id in self.broken)
        gates = self.gates(data.get("eligibility") or [], top)
        self.tree = {n.id: n for n in score.walk()}
        self.total = (score.id, (lo, hi))  # a ref to the root gets the rounded score
        award = self.award(data.get("award"), bands, gates, identifiers, top)
        aggregation = self.aggregation(data.get("aggregate"), identifiers, top)
        self.names(identifiers)
        if self.problems or valid_from is None or score is None or bands is None:
            return None
        self.unused("input")
        criteria = Criteria(
            id=data["id"],
            version=str(data["version"]),
            title=_text(data["title"]),
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
            rounding=rounding,
            eligibility=gates,
            award=award,
            aggregation=aggregation,
            extends=self.extends,
            source=self.doc.source,
            document=self.doc,
        )
        examples = self.examples(criteria, data.get("examples") or [])
        self.unused("reference")
        if self.problems:
            return None
        from attrs import evolve

        return evolve(criteria, examples=examples, references=dict(self.references))

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
            if name in RESERVED or name in self.node_ids:
                what = "a result column" if name in RESERVED else "a score node"
                self.report(
                    "name.reserved",
                    f"identifier {name!r} is also the name of {what}",
                    ("identifiers", name),
                    key=True,
                )
        for node_id, path in self.node_ids.items():
            if node_id in RESERVED:
                self.report(
                    "name.reserved",
                    f"node id {node_id!r} is the name of a result column ({', '.join(sorted(RESERVED))})",
                    path,
                )

    def unused(self, what: str) -> None:
        """Declared inputs no node or gate reads, or references nothing cites. Those a
        base scheme declared are dropped instead: the nodes that used them were replaced."""
        declared: dict[str, Any]
        if what == "input":
            section, declared, used = "inputs", self.inputs, self.used_inputs
            verb = "used by any node or gate"
        else:
            section, declared, used = "references", self.references, self.cited
            verb = "cited by any basis or example"
        for name in [n for n in declared if n not in used]:
            if (section, name) in self.inherited:
                del declared[name]
            else:
                self.report(
                    f"{what}.unused", f"{what} {name!r} is not {verb}", (section, name), key=True
                )

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

    # -- inputs ------------------------------------------------------------------------

    def input(self, name: str, d: Mapping[str, Any], path: Path, up: Provenance) -> Input:
        kind = d["type"]
        own = self.provenance(d, path, up)  # the codes inherit the input's confidence
        codes: list[Code] = []
        spellings: dict[str, str] = {}
        folded: dict[str, tuple[str, str]] = {}  # folded spelling -> (spelling, its code)
        for code, spec in (d.get("values") or {}).items():
            aliases = tuple(spec.get("aliases", ()))
            for j, spelling in enumerate((code, *aliases)):
                where = (*path, "values", code, "aliases", j - 1) if j else (*path, "values", code)
                other = folded.get(fold(spelling))
                if spelling in spellings:
                    self.report(
                        "input.alias",
                        f"{spelling!r} names both {spellings[spelling]!r} and {code!r}",
                        where,
                        key=not j,
                    )
                elif other is not None and other[1] != code:
                    self.report(
                        "input.codes-fold",
                        f"{spelling!r} (of {code!r}) and {other[0]!r} (of {other[1]!r}) are the "
                        "same spelling once case, spaces, '-', '.' and '_' are ignored",
                        where,
                        key=not j,
                    )
                spellings[spelling] = code
                folded.setdefault(fold(spelling), (spelling, code))
            codes.append(
                Code(
                    code,
                    _text(spec["label"]),
                    aliases,
                    spec.get("description"),
                    self.provenance(spec, (*path, "values", code), own),
                )
            )
        if kind != "enum":
            for key in ("values", "order"):
                if key in d:
                    self.report(
                        "input.misplaced",
                        f"{key!r} applies to enum inputs only, not {kind}",
                        (*path, key),
                        key=True,
                    )
        if kind in ("enum", "boolean", "date"):
            for key in ("min", "max", "step", "unit") if kind != "date" else ("step", "unit"):
                if key in d:
                    self.report(
                        "input.misplaced",
                        f"{key!r} does not apply to {kind} inputs",
                        (*path, key),
                        key=True,
                    )
        bounds: dict[str, Decimal | dt.date | None] = {}
        for key in ("min", "max"):
            raw = d.get(key)
            if raw is None:
                bounds[key] = None
            elif kind == "date":
                bounds[key] = self.date(str(raw), (*path, key))
            elif isinstance(raw, str):
                self.report("schema.type", f"expected a number, got text {raw!r}", (*path, key))
                bounds[key] = None
            else:
                bounds[key] = _dec(raw)
        lo, hi = bounds["min"], bounds["max"]
        if lo is not None and hi is not None and type(lo) is type(hi) and lo > hi:  # type: ignore[operator]
            self.report("input.bounds", f"min {lo} is above max {hi}", (*path, "min"))
        inp = Input(
            name=name,
            type=kind,
            label=_text(d["label"]),
            description=d.get("description"),
            unit=d.get("unit"),
            aliases=tuple(d.get("aliases", ())),
            actionable=d.get("actionable", True),
            codes=tuple(codes),
            order=d.get("order"),
            min=lo,
            max=hi,
            step=_opt_dec(d.get("step")),
            provenance=own,
        )
        if "default" in d:
            try:
                from attrs import evolve

                inp = evolve(inp, default=coerce(inp, d["default"], exact=True))
            except BadValue as bad:
                self.report(
                    "input.default",
                    f"default: expected {bad.expected}, got {describe(d['default'])}",
                    (*path, "default"),
                )
        return inp

    def derivation(self, name: str, d: Mapping[str, Any], path: Path) -> None:
        """Attach ``derive`` to input ``name``: rules on other inputs that give its value."""
        inp = self.inputs[name]
        if inp.default is not None:
            self.report(
                "derive.default",
                f"input {name!r} has a default and a derivation: the default would always win",
                path,
                key=True,
            )
        prov = self.provenance(d, path, inp.provenance)
        rules: list[Derive] = []
        ok = True
        for i, r in enumerate(d["when"]):
            rpath = (*path, "when", i)
            cond = self.condition(r["if"], (*rpath, "if"))
            value = self.derived_value(inp, r["value"], (*rpath, "value"))
            if cond is None or value is None:
                ok = False
                continue
            rules.append(Derive(cond, value, _text(r["label"]) if "label" in r else None))
        otherwise = None
        if "otherwise" in d:
            otherwise = self.derived_value(inp, d["otherwise"], (*path, "otherwise"))
            ok = ok and otherwise is not None
        if ok:
            derive = Derivation(tuple(rules), otherwise, prov)
            from attrs import evolve

            self.inputs[name] = evolve(inp, derive=derive)

    def derived_value(self, inp: Input, value: Any, path: Path) -> Any:
        try:
            return coerce(inp, value, exact=True)
        except BadValue as bad:
            self.report(
                "derive.value",
                f"{inp.name!r} takes {bad.expected}, not {describe(value)}",
                path,
            )
            return None

    def derive_cycles(self) -> None:
        """An input may not be derived, through any chain, from itself: one problem per
        knot of inputs that derive from each other (linear in the size of the graph)."""
        from ..model import condition_inputs

        graph = {
            n: sorted({i for r in inp.derive.rules for i in condition_inputs(r.condition)})
            for n, inp in self.inputs.items()
            if inp.derive is not None
        }
        for knot in _knots(graph):
            start = knot[0]
            chain = _shortest_cycle(graph, start, set(knot))
            shown = (
                chain
                if len(chain) <= 9
                else [*chain[:4], f"... {len(chain) - 8} more", *chain[-4:]]
            )
            self.report(
                "derive.cycle",
                f"input {start!r} is derived from itself ({' -> '.join((*shown, start))})",
                ("inputs", start, "derive"),
                key=True,
            )

    # -- conditions --------------------------------------------------------------------

    def condition(self, d: Mapping[str, Any], path: Path) -> Condition | None:
        forms = [k for k in ("all", "any", "not", "input") if k in d]
        if len(forms) != 1:
            found = " and ".join(forms) if forms else "none of them"
            self.report(
                "condition.form",
                f"a condition is exactly one of all, any, not, or input with tests; found {found}",
                path,
            )
            return None
        form = forms[0]
        if form in ("all", "any"):
            extra = [k for k in d if k != form]
            if extra:
                self.report(
                    "condition.form", f"{form!r} cannot be combined with {', '.join(extra)}", path
                )
            items = [self.condition(item, (*path, form, i)) for i, item in enumerate(d[form])]
            if any(i is None for i in items):
                return None
            parts = tuple(cast(list[Condition], items))
            return AllOf(parts) if form == "all" else AnyOf(parts)
        if form == "not":
            if len(d) > 1:
                self.report("condition.form", "'not' cannot be combined with other keys", path)
            item = self.condition(d["not"], (*path, "not"))
            return None if item is None else Not(item)
        return self.test(d, path)

    def test(self, d: Mapping[str, Any], path: Path) -> Condition | None:
        name = d["input"]
        inp = self.inputs.get(name)
        if inp is None:
            self.unknown_input(name, (*path, "input"))
            return None
        self.used_inputs.add(name)
        ops = [k for k in _OPS if k in d]
        if not ops:
            self.report(
                "condition.form", f"a test of {name!r} needs one of {', '.join(_OPS)}", path
            )
            return None
        tests: list[Condition] = []
        for op in ops:
            if op in _ORDER_OPS and not (inp.type in ("number", "integer", "date") or inp.order):
                self.report(
                    "condition.unordered",
                    f"{op!r} needs an ordered input; {name!r} is {inp.type} without order",
                    (*path, op),
                    key=True,
                )
                continue
            raw = d[op]
            many = op in ("in", "not_in")
            values = raw if many else [raw]
            if many != isinstance(raw, list):
                continue  # the schema already reported it
            where = [(*path, op, i) if many else (*path, op) for i in range(len(values))]
            good = [self.operand(inp, v, at) for v, at in zip(values, where, strict=True)]
            if any(g is None for g in good):
                continue
            tests.append(Test(name, cast(Op, op), tuple(good) if many else good[0]))
        if len(tests) != len(ops):
            return None
        return tests[0] if len(tests) == 1 else AllOf(tuple(tests))

    def operand(self, inp: Input, value: Any, path: Path) -> Any:
        if inp.type == "boolean":
            if not isinstance(value, bool):
                self.report(
                    "condition.type",
                    f"{inp.name!r} is boolean; compare it with true or false, not {describe(value)}",
                    path,
                )
                return None
            return value
        if inp.type == "enum" and isinstance(value, str) and value not in inp.code_names:
            canonical = next((c.code for c in inp.codes if value in c.aliases), None)
            if canonical is not None:  # criteria name codes; aliases are for subject data
                self.report(
                    "condition.alias",
                    f"write the code {canonical!r}, not its alias {value!r}",
                    path,
                )
                return None
        try:
            return coerce(_unbounded(inp), value, exact=True)
        except BadValue as bad:
            code = "condition.unknown-code" if inp.type == "enum" else "condition.type"
            self.report(code, f"{inp.name!r} takes {bad.expected}, not {describe(value)}", path)
            return None

    def unknown_input(self, name: str, path: Path) -> None:
        known = ", ".join(self.inputs)
        self.report("node.unknown-input", f"unknown input {name!r} (declared: {known})", path)

    # -- the score tree ----------------------------------------------------------------

    def node(self, d: Mapping[str, Any], path: Path, up: Provenance, parent: str | None) -> Node:
        node_id = d["id"]
        if node_id in self.node_ids:
            first = self.doc.position(self.node_ids[node_id])
            where = f" (first at line {first[0]})" if first else ""
            self.report(
                "node.duplicate-id", f"node id {node_id!r} is used twice{where}", (*path, "id")
            )
        else:
            self.node_ids[node_id] = (*path, "id")
        prov = self.provenance(d, path, up)
        kind_key = next(k for k in _KINDS if k in d)
        payload = d[kind_key]
        kpath = (*path, kind_key)
        if "weight" in d and parent != "weighted":
            self.report(
                "node.weight-unused",
                "'weight' only counts inside a weighted node",
                (*path, "weight"),
                key=True,
            )
        builders: dict[str, Callable[[Any, Path, Provenance], tuple[Kind, Range] | None]] = {
            "lookup": self.lookup,
            "cases": self.cases,
            "direct": self.direct,
            "sum": self.sum,
            "weighted": self.weighted,
            "switch": self.switch,
            "mean": self.mean,
            "ref": self.ref,
        }
        built = builders[kind_key](payload, kpath, prov)
        if "stage" in (d.get("rounding") or {}):
            self.report(
                "node.rounding-stage",
                "'stage' belongs to the top-level rounding only",
                (*path, "rounding", "stage"),
                key=True,
            )
        cap = _opt_dec(d.get("cap"))
        own_rounding = self.rounding(d.get("rounding"))
        rounding = own_rounding or self.stage_rounding  # what the evaluator applies
        if kind_key == "mean" and rounding is None:
            self.report(
                "mean.rounding",
                "a mean needs a rounding (its own, or the top-level one at stage nodes): "
                "a quotient may have no finite decimal expansion",
                path,
            )
            built = None
        kind, (lo, hi) = built if built else (Sum(()), (D.ZERO, D.ZERO))
        if cap is not None:
            lo, hi = min(lo, cap), min(hi, cap)
        if rounding is not None:
            lo, hi = (D.round_places(v, rounding.places, rounding.mode) for v in (lo, hi))
        else:
            lo, hi = D.tidy(lo), D.tidy(hi)  # 22.5 + 17.5 is shown as 40, not 40.0
        node = Node(
            id=node_id,
            label=_text(d["label"]),
            kind=kind,
            bounds=(lo, hi),
            max=_opt_dec(d.get("max")),
            weight=_opt_dec(d.get("weight")),
            cap=cap,
            rounding=own_rounding,
            description=d.get("description"),
            provenance=prov,
        )
        # A node whose content (or a descendant's) failed has unknown bounds: check no further.
        broken = built is None or any(k.id in self.broken for k in node.children)
        if broken:
            self.broken.add(node_id)
        elif node.max is not None and node.max != hi:
            self.report(
                "node.max-mismatch",
                f"declared max {D.plain(node.max)} but its content gives at most {D.plain(hi)}",
                (*path, "max"),
            )
        return node

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
        self.used_inputs.add(name)
        if inp.type not in ("enum", "boolean"):
            self.report(
                "node.input-type",
                f"a {what} needs an enum or boolean input; {name!r} is {inp.type}",
                (*path, "input"),
            )
            return None, False
        valid = _codes(inp)
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
        codes = _codes(inp)
        missing = [c for c in codes if c not in entries]
        if missing and otherwise is None:
            what = "points" if kind == "lookup" else "branch"
            self.report(
                f"{kind}.incomplete",
                f"no {what} for {', '.join(missing)} of {inp.name!r} and no 'otherwise'",
                path,
            )
            return None
        out = [v for c, v in entries.items() if c in codes]
        return [*out, otherwise] if missing and otherwise is not None else out

    def lookup(self, d: Mapping[str, Any], path: Path, up: Provenance) -> tuple[Kind, Range] | None:
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
        rng = (min(p.points for p in reached), max(p.points for p in reached))
        return Lookup(inp.name, points, otherwise), rng

    def cases(self, d: Mapping[str, Any], path: Path, up: Provenance) -> tuple[Kind, Range] | None:
        rules = []
        for i, r in enumerate(d["when"]):
            rpath = (*path, "when", i)
            cond = self.condition(r["if"], (*rpath, "if"))
            pts = Points(_dec(r["points"]), self.provenance(r, rpath, up))
            if cond is not None:
                rules.append(Rule(cond, pts, _text(r["label"]) if "label" in r else None))
        otherwise = self.points(d["otherwise"], (*path, "otherwise"), up)
        if len(rules) != len(d["when"]):
            return None
        values = [r.points.points for r in rules] + [otherwise.points]
        return Cases(tuple(rules), otherwise), (min(values), max(values))

    def direct(self, d: Mapping[str, Any], path: Path, up: Provenance) -> tuple[Kind, Range] | None:
        inp = self.inputs.get(d["input"])
        if inp is None:
            self.unknown_input(d["input"], (*path, "input"))
            return None
        self.used_inputs.add(inp.name)
        if inp.type not in ("number", "integer") or inp.min is None or inp.max is None:
            self.report(
                "direct.input",
                f"a direct node needs a number input with min and max; {inp.name!r} is not",
                (*path, "input"),
            )
            return None
        factor = _dec(d.get("factor", 1))
        ends = sorted(
            [D.mul(cast(Decimal, inp.min), factor), D.mul(cast(Decimal, inp.max), factor)]
        )
        return Direct(inp.name, factor), (ends[0], ends[1])

    def children(self, items: list[Any], path: Path, up: Provenance, parent: str) -> list[Node]:
        return [self.node(item, (*path, i), up, parent) for i, item in enumerate(items)]

    def sum(self, d: Mapping[str, Any], path: Path, up: Provenance) -> tuple[Kind, Range] | None:
        kids = self.children(d["of"], (*path, "of"), up, "sum")
        rngs = [k.bounds for k in kids]
        return Sum(tuple(kids)), (D.total(r[0] for r in rngs), D.total(r[1] for r in rngs))

    def weighted(
        self, d: Mapping[str, Any], path: Path, up: Provenance
    ) -> tuple[Kind, Range] | None:
        kids = self.children(d["of"], (*path, "of"), up, "weighted")
        normalize = bool(d.get("normalize", False))
        scale = _dec(d.get("scale", 1))
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
        if not ok:
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
        ends = sorted(
            D.weighted_sum(
                [
                    (cast(Decimal, k.weight), k.bounds[end], k.bounds[1] if normalize else None)
                    for k in kids
                ],
                scale,
            )
            for end in (0, 1)
        )
        return Weighted(tuple(kids), normalize, scale), (ends[0], ends[1])

    def switch(self, d: Mapping[str, Any], path: Path, up: Provenance) -> tuple[Kind, Range] | None:
        inp, keys_ok = self.code_keys(d, "branches", path, "switch")
        branches = {
            k: self.node(v, (*path, "branches", k), up, "switch") for k, v in d["branches"].items()
        }
        otherwise = (
            self.node(d["otherwise"], (*path, "otherwise"), up, "switch")
            if "otherwise" in d
            else None
        )
        if inp is None:
            return None
        reached = self.reached(inp, branches, otherwise, (*path, "branches"), "switch")
        if reached is None or not keys_ok:
            return None
        rng = (min(n.bounds[0] for n in reached), max(n.bounds[1] for n in reached))
        return Switch(inp.name, branches, otherwise), rng

    def mean(self, d: Mapping[str, Any], path: Path, up: Provenance) -> tuple[Kind, Range] | None:
        kids = self.children(d["of"], (*path, "of"), up, "mean")
        drop = d.get("drop") or {}
        high, low = drop.get("highest", 0), drop.get("lowest", 0)
        if high + low >= len(kids):
            self.report(
                "mean.drop",
                f"dropping {high} highest and {low} lowest of {len(kids)} leaves nothing to average",
                (*path, "drop"),
            )
            return None
        ends = [trimmed_mean([k.bounds[end] for k in kids], high, low) for end in (0, 1)]
        return Mean(tuple(kids), high, low), (ends[0], ends[1])

    def ref(self, target: str, path: Path, up: Provenance) -> tuple[Kind, Range] | None:
        if not self.in_category:
            self.report(
                "ref.scope",
                "a ref draws on the score tree from an award category; inside the tree, "
                "use the node itself",
                path,
            )
            return None
        node = self.tree.get(target)
        if node is None:
            self.report(
                "ref.unknown-node",
                f"no node {target!r} in the score tree ({', '.join(self.tree)})",
                path,
            )
            return None
        total_id, total_range = self.total
        return Ref(target), total_range if target == total_id else node.bounds

    # -- bands -------------------------------------------------------------------------

    def bands(
        self, d: Mapping[str, Any], path: Path, up: Provenance, score_range: Range, broken: bool
    ) -> Bands | None:
        """The band table, checked so that every policy classifies every possible score:
        ranges meet at ``step`` (no gap, no overlap), bounds are multiples of ``step``, and
        the lowest and highest bands reach the scheme's minimum and maximum."""
        # The block's own provenance is the policy's; the rows inherit the file's.
        step = _dec(d.get("step", 1))
        rows = []
        codes: set[str] = set()
        for i, b in enumerate(d["table"]):
            bpath = (*path, "table", i)
            lower, upper = (_opt_dec(v) for v in b["range"])
            if b["code"] in codes:
                self.report(
                    "bands.duplicate-code",
                    f"band code {b['code']!r} is used twice",
                    (*bpath, "code"),
                )
            codes.add(b["code"])
            if lower is not None and upper is not None and lower > upper:
                self.report(
                    "bands.range", f"range [{lower}, {upper}] runs backwards", (*bpath, "range")
                )
            for j, bound in enumerate((lower, upper)):
                if bound is not None and not D.is_multiple(bound, step):
                    self.report(
                        "bands.step",
                        f"{D.plain(bound)} is not a multiple of the step {D.plain(step)}",
                        (*bpath, "range", j),
                    )
            band = Band(b["code"], _text(b["label"]), lower, upper, self.provenance(b, bpath, up))
            rows.append((i, band))
        rows.sort(key=lambda r: _sort_key(r[1]))
        for (_, a), (j, b) in itertools.pairwise(rows):
            self.band_pair(a, b, step, (*path, "table", j, "range"))
        table = tuple(b for _, b in rows)
        lo, hi = score_range
        first, last = table[0], table[-1]
        if not broken and first.lower is not None and first.lower > lo:
            self.report(
                "bands.coverage",
                f"scores from {D.plain(lo)} up to {D.plain(first.lower)} fall in no band "
                "(write null as the lowest band's lower bound to let it run down to the minimum)",
                (*path, "table"),
            )
        if not broken and last.upper is not None and last.upper < hi:
            self.report(
                "bands.coverage",
                f"scores above {D.plain(last.upper)} up to the maximum {D.plain(hi)} fall in no band "
                "(write null as the highest band's upper bound to let it run up to the maximum)",
                (*path, "table"),
            )
        return Bands(
            policy=d["policy"],
            table=table,
            step=step,
            rounding_mode=d.get("rounding_mode", "half_up"),
            provenance=self.provenance(d, path, up),
        )

    def band_pair(self, a: Band, b: Band, step: Decimal, path: Path) -> None:
        if a.upper is None or b.lower is None:
            self.report(
                "bands.overlap",
                f"bands {a.code!r} and {b.code!r} overlap (an open end between them)",
                path,
            )
            return
        distance = D.sub(b.lower, a.upper)
        if distance <= 0:
            self.report(
                "bands.overlap",
                f"bands {a.code!r} (up to {D.plain(a.upper)}) and {b.code!r} (from {D.plain(b.lower)}) overlap",
                path,
            )
        elif distance != step:
            self.report(
                "bands.gap",
                f"gap between {a.code!r} (up to {D.plain(a.upper)}) and {b.code!r} (from {D.plain(b.lower)}): published ranges should meet at step {D.plain(step)}",
                path,
            )

    # -- gates and examples ------------------------------------------------------------

    def unique(self, what: str, item_id: str, seen: set[str], path: Path) -> None:
        """Report ``item_id`` when ``seen`` has it already; add it."""
        if item_id in seen:
            self.report(
                f"{what}.duplicate-id", f"{what} id {item_id!r} is used twice", (*path, "id")
            )
        seen.add(item_id)

    def gates(self, items: list[Any], up: Provenance) -> tuple[Gate, ...]:
        out = []
        seen: set[str] = set()
        for i, g in enumerate(items):
            path: Path = ("eligibility", i)
            self.unique("gate", g["id"], seen, path)
            cond = self.condition(g["require"], (*path, "require"))
            if cond is not None:
                out.append(Gate(g["id"], cond, _text(g["reason"]), self.provenance(g, path, up)))
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
        if min_band is not None and any(g.id == "min_band" for g in gates):
            self.report(
                "gate.duplicate-id",
                "gate id 'min_band' is taken by the award's minimum band",
                (*path, "min_band"),
            )
        if bands is not None and min_band is not None:
            codes = [b.code for b in bands.table]
            if min_band not in codes:
                self.report(
                    "award.unknown-band",
                    f"no band {min_band!r} ({', '.join(codes)})",
                    (*path, "min_band"),
                )
        prov = self.provenance(d, path, up)
        group_by = self.fields(d.get("group_by") or [], identifiers, (*path, "group_by"))
        categories = []
        seen: set[str] = set()
        for i, c in enumerate(d.get("categories") or []):
            cpath = (*path, "categories", i)
            self.unique("category", c["id"], seen, cpath)
            if c["id"] in self.tree:
                self.report(
                    "category.node-id",
                    f"category id {c['id']!r} is also a score node: ranking by it would be ambiguous",
                    (*cpath, "id"),
                )
            own = self.provenance(c, cpath, prov)
            self.in_category = True
            node = self.node(c["score"], (*cpath, "score"), own, parent=None)
            self.in_category = False
            categories.append(
                Category(
                    id=c["id"],
                    label=_text(c["label"]),
                    score=node,
                    group=c.get("group"),
                    ranks=c["ranks"] if "ranks" in c else d.get("ranks"),
                    ranked=c.get("ranked", d.get("ranked", True)),
                    min_score=_opt_dec(c.get("min_score")),
                    provenance=own,
                )
            )
        breakers = []
        for i, t in enumerate(d.get("tie_breakers") or []):
            by = t["by"]
            inp = self.inputs.get(by)
            if by in self.tree or by in seen:
                pass
            elif inp is not None and inp.type in ("number", "integer", "date"):
                self.used_inputs.add(by)
            else:
                self.report(
                    "award.unknown-tie-breaker",
                    f"cannot break ties by {by!r}: not a score node, a category or a number input",
                    (*path, "tie_breakers", i, "by"),
                )
            breakers.append(TieBreaker(by, t.get("prefer", "higher")))
        stages = []
        stage_ids: set[str] = set()
        for i, st in enumerate(d.get("stages") or []):
            spath = (*path, "stages", i)
            self.unique("stage", st["id"], stage_ids, spath)
            if st["by"] not in seen:
                self.report(
                    "stage.unknown-category",
                    f"no category {st['by']!r} to decide stage {st['id']!r} "
                    f"({', '.join(sorted(seen)) or 'none declared'})",
                    (*spath, "by"),
                )
            stages.append(
                Stage(
                    st["id"],
                    _text(st["label"]),
                    st["by"],
                    st.get("keep"),
                    self.fields(st.get("per") or [], identifiers, (*spath, "per")),
                    self.provenance(st, spath, prov),
                )
            )
        return Award(
            d["id"],
            _text(d["label"]),
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

    def fields(
        self, names: list[str], identifiers: Mapping[str, Identifier], path: Path
    ) -> tuple[str, ...]:
        """Fields that group subjects: identifiers or inputs (then used)."""
        for i, name in enumerate(names):
            if name in self.inputs:
                self.used_inputs.add(name)
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
                self.used_inputs.add(stratify)
        r = d["rounding"]
        return Aggregation(
            Rounding(r["places"], r.get("mode", "half_up")),
            stratify,
            _text(d["combined"]) if "combined" in d else None,
            self.provenance(d, ("aggregate",), up),
        )

    def examples(self, criteria: Criteria, items: list[Any]) -> tuple[Example, ...]:
        out = []
        seen: set[str] = set()
        band_codes = {b.code for b in criteria.bands.table}
        for i, e in enumerate(items):
            path: Path = ("examples", i)
            self.unique("example", e["id"], seen, path)
            expect = e["expect"]
            if expect.get("band") is not None and expect["band"] not in band_codes:
                self.report(
                    "example.unknown-band",
                    f"no band {expect['band']!r} ({', '.join(sorted(band_codes))})",
                    (*path, "expect", "band"),
                )
            for comp in expect.get("components", {}):
                if comp not in self.node_ids:
                    self.report(
                        "example.unknown-component",
                        f"no score node {comp!r}",
                        (*path, "expect", "components", comp),
                        key=True,
                    )
            if "score" in e and ({"components", "eligible", "ranks", "reached"} & set(expect)):
                self.report(
                    "example.form",
                    "an example that classifies a score can only expect score and band",
                    (*path, "expect"),
                )
            if "inputs" in e and ({"ranks", "reached"} & set(expect)):
                self.report(
                    "example.form",
                    "ranks and stages reached need several subjects (subjects, not inputs)",
                    (*path, "expect"),
                )
            if "inputs" in e:
                self.example_inputs(criteria, e["inputs"], (*path, "inputs"))
            subjects = self.example_subjects(criteria, e, path) if "subjects" in e else None
            source = self.cite(e["source"], (*path, "source")) if "source" in e else None
            out.append(
                Example(
                    id=e["id"],
                    provenance=e["provenance"],
                    expect=Expectation(
                        score=_opt_dec(expect.get("score")),
                        band=expect.get("band"),
                        eligible=expect.get("eligible"),
                        components={k: _dec(v) for k, v in expect.get("components", {}).items()},
                        ranks={k: _opt_dec(v) for k, v in expect.get("ranks", {}).items()},
                        reached=dict(expect.get("reached", {})),
                    ),
                    inputs=e.get("inputs"),
                    score=_opt_dec(e.get("score")),
                    band_policy=(e.get("options") or {}).get("band_policy"),
                    description=e.get("description"),
                    source=source,
                    subjects=subjects,
                    category=e.get("category"),
                )
            )
        return tuple(out)

    def example_subjects(
        self, criteria: Criteria, e: Mapping[str, Any], path: Path
    ) -> dict[str, dict[str, Any]]:
        """The records of a ranking or selection example (``common`` merged in), checked."""
        common = e.get("common") or {}
        subjects = {name: {**common, **rec} for name, rec in e["subjects"].items()}
        if not ({"score", "band", "eligible", "components"} & set(e["expect"])):
            for name, record in subjects.items():
                self.example_inputs(criteria, record, (*path, "subjects", name))
            names = list(subjects)
            for pos, shared in duplicates(criteria, subjects.values()).items():
                for field, others in shared:
                    also = ", ".join(names[i] for i in others)
                    self.report(
                        "example.bad-input",
                        f"{field}: expected a value used by one subject only, got "
                        f"{describe(subjects[names[pos]][field])} (also in {also})",
                        (*path, "subjects", names[pos], field),
                    )
        else:
            self.report(
                "example.form",
                "an example with several subjects can only expect ranks and stages reached",
                (*path, "expect"),
            )
        award = criteria.award
        cats = [c.id for c in award.categories] if award else []
        stages = [s.id for s in award.stages] if award else []
        category = e.get("category")
        if category is not None and category not in cats:
            self.report(
                "example.unknown-category",
                f"no award category {category!r} ({', '.join(cats) or 'none declared'})",
                (*path, "category"),
            )
        expect = e["expect"]
        for what in ("ranks", "reached"):
            for name in expect.get(what, {}):
                if name not in subjects:
                    self.report(
                        "example.unknown-subject",
                        f"no subject {name!r} in this example ({', '.join(subjects)})",
                        (*path, "expect", what, name),
                        key=True,
                    )
        for name, stage in expect.get("reached", {}).items():
            if stage is not None and stage not in stages:
                self.report(
                    "example.unknown-stage",
                    f"no stage {stage!r} ({', '.join(stages) or 'none declared'})",
                    (*path, "expect", "reached", name),
                )
        return subjects

    def example_inputs(self, criteria: Criteria, inputs: Mapping[str, Any], path: Path) -> None:
        for issue in split_subject(criteria, inputs)[2]:
            unknown = issue.field not in criteria.inputs and issue.field not in criteria.identifiers
            self.report(
                "example.unknown-input" if unknown else "example.bad-input",
                f"{issue.field}: expected {issue.expected}, got {issue.got}",
                (*path, issue.field),
                key=unknown,
            )


def trimmed_mean(values: list[Decimal], high: int, low: int) -> Decimal:
    """The mean of ``values`` without the ``high`` highest and ``low`` lowest, exactly (as
    far as a decimal can hold it: the node's rounding is applied after)."""
    kept = sorted(values)[low : len(values) - high]
    return D.from_fraction(Fraction(D.total(kept)) / len(kept))


def _codes(inp: Input) -> tuple[str, ...]:
    return ("true", "false") if inp.type == "boolean" else inp.code_names


def _unbounded(inp: Input) -> Input:
    from attrs import evolve

    return evolve(inp, min=None, max=None, step=None)


def _sort_key(band: Band) -> tuple[int, Decimal]:
    if band.lower is not None:
        return (1, band.lower)
    return (0, band.upper if band.upper is not None else D.ZERO)


def _knots(graph: Mapping[str, list[str]]) -> list[list[str]]:
    """The strongly connected components of ``graph`` that hold a cycle (several nodes, or
    one that points at itself), each in the graph's key order; iterative Tarjan."""
    order = {n: i for i, n in enumerate(graph)}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    knots: list[list[str]] = []
    for root in graph:
        if root in index:
            continue
        work: list[tuple[str, int]] = [(root, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            nexts = graph.get(node, [])
            if i < len(nexts):
                work.append((node, i + 1))
                nxt = nexts[i]
                if nxt not in index:
                    if nxt in graph:
                        work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            if work:  # back in the caller: carry the low link up
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                members = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    members.append(member)
                    if member == node:
                        break
                if len(members) > 1 or node in graph.get(node, []):
                    knots.append(sorted(members, key=order.__getitem__))
    return sorted(knots, key=lambda k: order[k[0]])


def _shortest_cycle(graph: Mapping[str, list[str]], start: str, within: set[str]) -> list[str]:
    """The names on a shortest path from ``start`` back to itself inside ``within``."""
    came: dict[str, str] = {}
    frontier = [start]
    while frontier:
        later = []
        for name in frontier:
            for nxt in graph.get(name, []):
                if nxt == start:
                    chain = [name]
                    while chain[-1] != start:
                        chain.append(came[chain[-1]])
                    return chain[::-1]
                if nxt in within and nxt not in came:
                    came[nxt] = name
                    later.append(nxt)
        frontier = later
    raise AssertionError(f"{start!r} is in a knot but on no cycle")  # pragma: no cover
