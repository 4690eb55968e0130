"""The reference evaluator: a pure function of (criteria, subject, options).

No I/O, no clock, no global state: the same inputs give the same :class:`Evaluation`,
whose every component says its points, its maximum, the rule that matched, its legal
basis and its confidence.
"""

from __future__ import annotations

import decimal
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import attrs

from .. import _decimal as D
from .._values import show_value
from ..errors import EvaluationError, InputError, InputIssue
from ..model import (
    BAND_POLICIES,
    WEAK,
    AllOf,
    AnyOf,
    Band,
    BandPolicy,
    Cases,
    Condition,
    Criteria,
    Direct,
    Gate,
    Lookup,
    Mean,
    Node,
    Not,
    Points,
    Provenance,
    Ref,
    Rounding,
    Sum,
    Switch,
    Test,
    Text,
    Weighted,
    classify,
)
from ..results import Component, Evaluation, Ineligibility, ScoreWarning
from .intake import split_subject


@D.own_context
def evaluate(
    criteria: Criteria, subject: Mapping[str, Any], *, band_policy: BandPolicy | None = None
) -> Evaluation:
    """Score one subject record.

    ``subject`` maps input names (and declared identifiers) to values; see
    :mod:`asnmerit._values` for the accepted forms. ``band_policy`` overrides the
    criteria file's boundary policy. Raises :class:`~asnmerit.errors.InputError`
    listing every problem with the record.
    """
    if band_policy is not None and band_policy not in BAND_POLICIES:
        raise ValueError(
            f"unknown band policy {band_policy!r}; expected one of {', '.join(BAND_POLICIES)}"
        )
    values, identifiers, issues = split_subject(criteria, subject)
    if not isinstance(subject, Mapping):
        raise InputError(issues)
    outcome = score_values(criteria, values, identifiers, band_policy)
    if isinstance(outcome, Evaluation) and not issues:
        return outcome
    bad = {i.field for i in issues}
    missing = outcome if not isinstance(outcome, Evaluation) else {}
    issues += [
        InputIssue(name, f"a value (needed by {', '.join(nodes)})", "nothing")
        for name, nodes in missing.items()
        if name not in bad
    ]
    raise InputError(issues)


def score_values(  # long: tree, gates, categories, band and warnings of one subject in order
    criteria: Criteria,
    values: dict[str, Any],
    identifiers: Mapping[str, Any],
    band_policy: BandPolicy | None = None,
) -> Evaluation | dict[str, list[str]]:
    """Score normalised input values (as :func:`~asnmerit._values.split_subject` gives
    them; derived values are added to ``values``), or, when some the score needs are
    missing, say which: input -> the nodes that needed it."""
    run = _Run(criteria, values)
    try:
        root = run.node(criteria.score, "", criteria.confidence)
    except decimal.Inexact:  # pragma: no cover - bounded numbers keep arithmetic exact
        raise EvaluationError(
            f"{criteria.id} {criteria.version}: arithmetic would lose digits"
        ) from None
    failed = tuple(Ineligibility(g.id, g.reason) for g in criteria.eligibility if not run.gate(g))
    categories: dict[str, Component | None] = {}
    if criteria.award is not None:
        for name in criteria.award.fields:
            if name in criteria.inputs:
                run.value(name, "the award's groups")
    if run.missing:
        return run.missing
    run.used_values()
    if criteria.confidence in WEAK:
        run.weak(
            criteria.id, Provenance((), criteria.confidence, criteria.notes), "the scheme", "high"
        )
    score = root.points
    if criteria.rounding is not None:
        score = D.round_places(score, criteria.rounding.places, criteria.rounding.mode)
        root = attrs.evolve(root, points=score)
    if criteria.award is not None:  # after rounding: a ref to the root gives the score
        tree = {c.id: c for c in _walk(root)}
        for cat in criteria.award.categories:
            categories[cat.id] = run.category(cat.score, tree)
    policy = band_policy or criteria.bands.policy
    band = classify(criteria, score, policy)
    if band_policy is None and not _in_published_range(criteria, score):
        run.weak(
            "bands",
            criteria.bands.provenance,
            f"{D.plain(score)} lies between published ranges; band policy {policy}",
        )
    run.weak(f"bands.{band.code}", band.provenance, f"band {band.code}")
    if criteria.award is not None:
        failed += _below_award(criteria, band)
    return Evaluation(
        scheme=criteria.id,
        version=criteria.version,
        digest=criteria.digest,
        score=score,
        band=band,
        band_policy=policy,
        components=root,
        eligible=not failed,
        ineligible=failed,
        warnings=tuple(run.warnings),
        inputs=values,
        identifiers=identifiers,
        criteria=criteria,
        categories=categories,
        derived=tuple(run.derived),
    )


class _Run:
    """State of one evaluation (never shared between calls)."""

    def __init__(self, criteria: Criteria, values: dict[str, Any]) -> None:
        self.criteria = criteria
        self.values = values
        self.missing: dict[str, list[str]] = {}
        self.used: set[str] = set()
        self.warnings: list[ScoreWarning] = []
        rounding = criteria.rounding
        self.node_rounding: Rounding | None = (
            rounding if rounding and rounding.stage == "nodes" else None
        )
        self.derived: list[str] = []
        self.tree: Mapping[str, Component] = {}

    def used_values(self) -> None:
        """Warn about inputs (or codes) used whose declaration is reconstructed or assumed."""
        for name, inp in self.criteria.inputs.items():
            if name not in self.used:
                continue
            self.weak(f"inputs.{name}", inp.provenance, f"input {name}")
            if inp.codes:
                code = next(c for c in inp.codes if c.code == self.values[name])
                self.weak(
                    f"inputs.{name}.{code.code}",
                    code.provenance,
                    f"code {code.code} of {name}",
                    inp.provenance.confidence,
                )

    def weak(self, path: str, prov: Provenance, what: str, within: str | None = None) -> None:
        """Warn that a reconstructed or assumed value was used, once per assumption: not
        again for a value that only inherits the confidence of what holds it (``within``)."""
        within = self.criteria.confidence if within is None else within
        if prov.confidence in WEAK and prov.confidence != within:
            note = f": {prov.note}" if prov.note else ""
            self.warnings.append(
                ScoreWarning(
                    f"confidence.{prov.confidence}", path, f"{what} is {prov.confidence}{note}"
                )
            )

    def value(self, name: str, needed_by: str) -> Any:
        if name not in self.values and self.derive(name):
            self.derived.append(name)
        if name in self.values:
            self.used.add(name)
            return self.values[name]
        self.missing.setdefault(name, []).append(needed_by)
        return None

    def derive(self, name: str) -> bool:
        """Give a left-out input the value its derivation rules say; whether they did."""
        derivation = self.criteria.inputs[name].derive
        if derivation is None:
            return False
        lacking = sum(len(v) for v in self.missing.values())
        for rule in derivation.rules:
            held = self.holds(rule.condition, f"inputs.{name}.derive")
            if sum(len(v) for v in self.missing.values()) > lacking:
                return False  # a rule could not be decided: the value stays missing
            if held:
                value, how = rule.value, describe_condition(rule.condition)
                break
        else:
            if derivation.otherwise is None:
                return False
            value, how = derivation.otherwise, "otherwise"
        self.values[name] = value
        self.weak(
            f"inputs.{name}.derive",
            derivation.provenance,
            f"{name} = {show_value(value)} ({how})",
            self.criteria.inputs[name].provenance.confidence,  # its input warns for itself
        )
        return True

    def category(self, node: Node, tree: Mapping[str, Component]) -> Component | None:
        """An award category's score, or ``None`` when the record lacks its inputs (the
        subject was not assessed in it); an unassessed category leaves no trace."""
        missing, self.missing = self.missing, {}
        values, used = dict(self.values), set(self.used)
        warnings, derived = len(self.warnings), len(self.derived)
        self.tree = tree
        comp = self.node(node, "", self.criteria.confidence)
        assessed = not self.missing
        self.missing = missing
        if not assessed:
            self.values.clear()
            self.values.update(values)
            self.used = used
            del self.warnings[warnings:]
            del self.derived[derived:]
            return None
        return comp

    # -- nodes -------------------------------------------------------------------------

    def node(self, node: Node, parent_path: str, within: str) -> Component:
        path = f"{parent_path}.{node.id}" if parent_path else node.id
        kind = node.kind
        children: tuple[Component, ...] = ()
        prov = node.provenance
        conf = prov.confidence
        if isinstance(kind, Lookup):
            points, rule, prov = self.lookup(node, kind)
        elif isinstance(kind, Cases):
            points, rule, prov = self.cases(node, kind)
        elif isinstance(kind, Direct):
            raw = self.value(kind.input, node.id)
            amount = raw if isinstance(raw, Decimal) else D.ZERO
            points = D.mul(amount, kind.factor)
            if kind.factor != 1:  # 0.8 x 0.075 is shown as 0.06, not 0.0600
                points = D.tidy(points)
            rule = f"{kind.input} = {D.plain(amount)}" + (
                f" x {D.plain(kind.factor)}" if kind.factor != 1 else ""
            )
        elif isinstance(kind, Sum):
            children = tuple(self.node(k, path, conf) for k in kind.children)
            points, rule = D.tidy(D.total(c.points for c in children)), None
        elif isinstance(kind, Weighted):
            children = tuple(self.node(k, path, conf) for k in kind.children)
            points, rule = self.weighted(kind, children), None
        elif isinstance(kind, Mean):
            children = tuple(self.node(k, path, conf) for k in kind.children)
            points, rule = self.mean(node, kind, children)
        elif isinstance(kind, Ref):
            target = self.tree.get(kind.node)
            if target is None:  # in a switch branch this subject did not take: not assessed
                self.missing.setdefault(f"(node {kind.node})", []).append(node.id)
                points, rule = D.ZERO, None
            else:
                points, rule = target.points, f"= {kind.node}"
        else:
            branch, rule = self.switch(node, kind)
            children = (self.node(branch, path, conf),) if branch is not None else ()
            points = children[0].points if children else D.ZERO
        if node.cap is not None and points > node.cap:
            rule = (
                f"{rule}; capped at {D.plain(node.cap)}"
                if rule
                else f"capped at {D.plain(node.cap)}"
            )
        points = settle(node, points, self.node_rounding)
        self.weak(path, prov, f"{node.id} ({rule})" if rule else node.id, within)
        return Component(
            node.id, node.label, points, node_max(node), rule, prov, children, node.weight
        )

    def lookup(self, node: Node, kind: Lookup) -> tuple[Decimal, str | None, Provenance]:
        value = self.value(kind.input, node.id)
        if value is None:
            return D.ZERO, None, node.provenance
        entry, rule = lookup_entry(kind, value)
        return entry.points, rule, entry.provenance

    def cases(self, node: Node, kind: Cases) -> tuple[Decimal, str | None, Provenance]:
        # Every rule is tested (a reached node needs all its inputs); the first that holds wins.
        held = [self.holds(rule.condition, node.id) for rule in kind.rules]
        for rule, ok in zip(kind.rules, held, strict=True):
            if ok:
                text = rule.label.id if rule.label else describe_condition(rule.condition)
                return rule.points.points, text, rule.points.provenance
        return kind.otherwise.points, "otherwise", kind.otherwise.provenance

    def weighted(self, kind: Weighted, children: tuple[Component, ...]) -> Decimal:
        return weighted_points(kind, [(c.weight, c.points, c.max) for c in children])

    def mean(self, node: Node, kind: Mean, children: tuple[Component, ...]) -> tuple[Decimal, str]:
        rounding = node.rounding or self.node_rounding
        assert rounding is not None  # the loader requires one
        order = sorted(children, key=lambda c: c.points)
        kept = order[kind.drop_lowest : len(order) - kind.drop_highest]
        points = mean_points(kind, rounding, [c.points for c in children])
        dropped = [
            c.id for c in (*order[: kind.drop_lowest], *order[len(order) - kind.drop_highest :])
        ]
        rule = f"mean of {len(kept)}" + (f", without {', '.join(dropped)}" if dropped else "")
        return points, rule

    def switch(self, node: Node, kind: Switch) -> tuple[Node | None, str | None]:
        value = self.value(kind.input, node.id)
        if value is None:
            return None, None
        return switch_branch(kind, value)

    # -- conditions --------------------------------------------------------------------

    def gate(self, gate: Gate) -> bool:
        ok = self.holds(gate.require, f"eligibility.{gate.id}")
        if not ok:
            self.weak(f"eligibility.{gate.id}", gate.provenance, f"gate {gate.id}")
        return ok

    def holds(self, cond: Condition, needed_by: str) -> bool:
        if isinstance(cond, Test):
            value = self.value(cond.input, needed_by)
            return value is not None and test_holds(self.criteria, cond, value)
        if isinstance(cond, Not):
            return not self.holds(cond.item, needed_by)
        results = [self.holds(item, needed_by) for item in cond.items]  # all inputs are needed
        return all(results) if isinstance(cond, AllOf) else any(results)


# -- the meaning of one node for one value, shared by the scalar and the columnar engine ----


def key_of(value: Any) -> str:
    """The text an input value is looked up by (booleans as ``true``/``false``)."""
    return str(value).lower() if isinstance(value, bool) else str(value)


def lookup_entry(kind: Lookup, value: Any) -> tuple[Points, str]:
    """The points a lookup gives ``value``, and the rule that says so."""
    key = key_of(value)
    entry = kind.points.get(key)
    if entry is None:
        entry = kind.otherwise
        assert entry is not None  # the loader proves lookups complete
        return entry, f"{kind.input} = {key} (otherwise)"
    return entry, f"{kind.input} = {key}"


def switch_branch(kind: Switch, value: Any) -> tuple[Node | None, str]:
    """The branch a switch takes for ``value`` (``None``: no branch, no points)."""
    key = key_of(value)
    branch = kind.branches.get(key)
    if branch is None:
        return kind.otherwise, f"{kind.input} = {key} (otherwise)"
    return branch, f"{kind.input} = {key}"


def test_holds(criteria: Criteria, cond: Test, value: Any) -> bool:
    """Whether ``value`` (of ``cond.input``) passes ``cond``; enums compare by their order."""
    op, target = cond.op, cond.value
    if op == "is":
        return bool(value == target)
    if op == "in":
        return value in target
    if op == "not_in":
        return value not in target
    inp = criteria.inputs[cond.input]
    if inp.type == "enum":
        value, target = inp.rank(value), inp.rank(target)
    if op == "lt":
        return bool(value < target)
    if op == "le":
        return bool(value <= target)
    if op == "gt":
        return bool(value > target)
    return bool(value >= target)


def node_max(node: Node) -> Decimal:
    """The most points a node can give: its declared ``max``, else its computed bound."""
    return node.max if node.max is not None else node.bounds[1]


def weighted_points(
    kind: Weighted, children: Sequence[tuple[Decimal | None, Decimal, Decimal]]
) -> Decimal:
    """A weighted node's points from its children's ``(weight, points, max)``."""
    # The loader proves every child has a weight, and a max above 0 when normalized.
    terms = [(w or D.ZERO, p, top if kind.normalize else None) for w, p, top in children]
    return D.weighted_sum(terms, kind.scale)


def mean_points(kind: Mean, rounding: Rounding, points: Sequence[Decimal]) -> Decimal:
    """A mean node's points: the rounded mean of its children's, trimmed as it says."""
    order = sorted(points)
    kept = order[kind.drop_lowest : len(order) - kind.drop_highest]
    return D.round_mean(D.total(kept), len(kept), rounding.places, rounding.mode)


def settle(node: Node, points: Decimal, node_rounding: Rounding | None) -> Decimal:
    """A node's points after its ``cap`` and its rounding (its own, else the scheme's
    rounding of every node)."""
    if node.cap is not None and points > node.cap:
        points = node.cap
    rounding = node.rounding or node_rounding
    if rounding is not None:
        points = D.round_places(points, rounding.places, rounding.mode)
    return points


def _walk(comp: Component) -> list[Component]:
    out, stack = [], [comp]
    while stack:
        c = stack.pop()
        out.append(c)
        stack.extend(c.children)
    return out


def gated(criteria: Criteria) -> bool:
    """Whether a subject of ``criteria`` can be ineligible: the scheme has eligibility
    rules, or its award a minimum band."""
    award = criteria.award
    return bool(criteria.eligibility) or (award is not None and award.min_band is not None)


def ineligibility(criteria: Criteria, gate: str, band: Band) -> Ineligibility:
    """The :class:`Ineligibility` of failing ``gate`` (an eligibility rule's id, or
    ``min_band``: the award's minimum band) for a subject in ``band``."""
    if gate != "min_band":
        return next(Ineligibility(g.id, g.reason) for g in criteria.eligibility if g.id == gate)
    award = criteria.award
    assert award is not None and award.min_band is not None
    least = criteria.bands.get(award.min_band).label
    reason = Text(
        f"{band.label.id} di bawah {least.id}, batas minimum {award.label.id}",
        f"{band.label.get('en')} is below {least.get('en')}, the minimum for {award.label.get('en')}",
    )
    return Ineligibility("min_band", reason)


def _below_award(criteria: Criteria, band: Band) -> tuple[Ineligibility, ...]:
    """The award's own condition: a band at or above its ``min_band``."""
    award = criteria.award
    assert award is not None
    if award.min_band is None:
        return ()
    codes = [b.code for b in criteria.bands.table]
    if codes.index(band.code) >= codes.index(award.min_band):
        return ()
    return (ineligibility(criteria, "min_band", band),)


def _in_published_range(criteria: Criteria, score: Decimal) -> bool:
    """Whether a published range holds ``score`` (so no boundary policy had to decide)."""
    return any(
        (b.lower is None or b.lower <= score) and (b.upper is None or score <= b.upper)
        for b in criteria.bands.table
    )


_SYMBOLS = {"is": "=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}


def describe_condition(cond: Condition) -> str:
    """A condition in readable form, e.g. ``diklat_teknis_20jp = true``."""
    if isinstance(cond, Test):
        if cond.op in ("in", "not_in"):
            word = "in" if cond.op == "in" else "not in"
            return f"{cond.input} {word} ({', '.join(show_value(v) for v in cond.value)})"
        return f"{cond.input} {_SYMBOLS[cond.op]} {show_value(cond.value)}"
    if isinstance(cond, Not):
        return f"not ({describe_condition(cond.item)})"
    word = " and " if isinstance(cond, AllOf) else " or "
    assert isinstance(cond, AllOf | AnyOf)
    return "(" + word.join(describe_condition(i) for i in cond.items) + ")"
