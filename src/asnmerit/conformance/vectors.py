"""The cases of one scheme version for the conformance corpus: its own examples, edge
vectors (every value at and next to each threshold its conditions compare, a base record per
branch, each input changed alone, the smallest changes that reach each next band and the
value one step short of them, the band policies where they disagree, scores at and next to
every band edge), pseudo-random records from a fixed seed and records to refuse; and what a
case expects (:func:`expectation`) or gives (:func:`outcome`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import random
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, cast

from .. import _decimal as D
from ..engine.evaluator import evaluate
from ..errors import ConformanceError, InputError, ScoreOutOfRangeError, WhatIfError
from ..model import BAND_POLICIES, BandPolicy, Criteria, Node, Switch, requirements
from ..results import Evaluation
from ..whatif.domains import candidates, resolution, shape, valid
from ..whatif.nextband import next_band

PER_SCHEME = 200
"""Pseudo-random cases per scheme version, by default."""

ORIGINS = ("example", "edge", "random", "reject")
"""The origins of cases, in the order a corpus index counts them."""
_POLICIES: tuple[BandPolicy, ...] = tuple(cast(BandPolicy, p) for p in BAND_POLICIES)
_COMBOS = 32
"""Branch combinations (codes of the inputs switch nodes read) tried in full, at most."""


# -- what a case expects ------------------------------------------------------------------


def json_input(value: Any) -> Any:
    """An input value as the corpus writes it: numbers as plain decimal text, dates as
    ISO text, booleans and texts as they are."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | Decimal):
        return D.plain(Decimal(value))
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"not an input value: {value!r}")


def expectation(ev: Evaluation) -> dict[str, Any]:
    """What a case expects of an evaluation: its score, band code, eligibility, the gates
    it failed, the points of every node evaluated (score tree and award categories), the
    values the scheme derived, and its warnings (code and path, sorted)."""

    def points(comp: Any) -> dict[str, str]:
        out, stack = {}, [comp]
        while stack:
            c = stack.pop()
            out[c.id] = D.plain(c.points)
            stack.extend(c.children)
        return out

    return {
        "score": D.plain(ev.score),
        "band": ev.band.code,
        "eligible": ev.eligible,
        "ineligible": [i.gate for i in ev.ineligible],
        "components": points(ev.components),
        "categories": {k: None if c is None else points(c) for k, c in ev.categories.items()},
        "derived": {n: json_input(ev.inputs[n]) for n in ev.derived},
        "warnings": [
            {"code": code, "path": path}
            for path, code in sorted({(w.path, w.code) for w in ev.warnings})
        ],
    }


def _refusal(err: InputError) -> dict[str, Any]:
    return {"error": [{"field": f} for f in sorted({i.field for i in err.issues})]}


def outcome(criteria: Criteria, case: Mapping[str, Any]) -> dict[str, Any]:
    """What this implementation gives for a case (in the form of its ``expect``)."""
    policy = case.get("band_policy")
    if policy not in (None, *BAND_POLICIES):
        raise ConformanceError(f"case {case.get('id')}: unknown band policy {policy!r}")
    if "score" in case:
        try:
            return {"band": criteria.band_for(case["score"], policy).code}
        except ScoreOutOfRangeError:
            return {"error": [{"field": "score"}]}
    try:
        return expectation(evaluate(criteria, case["input"], band_policy=policy))
    except InputError as err:
        return _refusal(err)


# -- the cases of one scheme version ------------------------------------------------------


def cases(criteria: Criteria, *, per_scheme: int = PER_SCHEME) -> list[dict[str, Any]]:
    """Every conformance case of ``criteria``: its examples, edge vectors, ``per_scheme``
    pseudo-random records (seeded by the scheme id and version) and records to refuse."""
    return _Cases(criteria).build(per_scheme)


def _seed(criteria: Criteria) -> int:
    key = f"{criteria.id}@{criteria.version}".encode()
    return int.from_bytes(hashlib.sha256(key).digest()[:8], "big")


def _record(subject: Mapping[str, Any]) -> dict[str, Any]:
    return {k: json_input(v) for k, v in subject.items()}


def _key(subject: Mapping[str, Any], policy: BandPolicy | None) -> str:
    return json.dumps([subject, policy], sort_keys=True)


class _Cases:
    """Builds the cases of one scheme version, in a fixed order."""

    def __init__(self, criteria: Criteria) -> None:
        self.criteria = criteria
        self.out: list[dict[str, Any]] = []
        self.seen: dict[str, str] = {}
        """Each record (with its band policy) -> the id of its case."""
        self.counts = dict.fromkeys((*ORIGINS, "band"), 0)
        self.results: list[tuple[str, dict[str, Any], Evaluation]] = []
        """(case id, input, evaluation) of the cases scored under the file's policy."""
        self.values = {n: _edge_values(criteria, n) for n in criteria.inputs}

    def build(self, per_scheme: int) -> list[dict[str, Any]]:
        self.examples()
        bases = self.edges()
        self.scores()
        self.drawn(per_scheme)
        self.band_edges()
        self.policies()
        self.rejects(bases)
        return self.out

    # -- adding cases

    def add(
        self,
        origin: str,
        subject: Mapping[str, Any],
        note: str,
        *,
        policy: BandPolicy | None = None,
        name: str | None = None,
        refused: bool | None = None,
        keep: bool = False,
    ) -> str | None:
        """Add an input case (unless the same record is there already and not ``keep``);
        its id. With ``refused`` True (False), only a record that is (is not) refused is
        added."""
        record = _record(subject)
        key = _key(record, policy)
        if key in self.seen and not keep:
            return None
        ev: Evaluation | None = None
        try:
            ev = evaluate(self.criteria, record, band_policy=policy)
            expect = expectation(ev)
        except InputError as err:
            expect = _refusal(err)
        if refused is not None and refused != (ev is None):
            return None
        case_id = name or self.next_id(origin)
        self.seen.setdefault(key, case_id)
        case: dict[str, Any] = {"id": case_id, "origin": origin, "input": record}
        if note:
            case["note"] = note
        if policy is not None:
            case["band_policy"] = policy
        case["expect"] = expect
        self.out.append(case)
        if ev is not None and policy is None:
            self.results.append((case_id, record, ev))
        return case_id

    def next_id(self, kind: str) -> str:
        self.counts[kind] += 1
        return f"{kind}/{self.counts[kind]:04d}"

    # -- the kinds of cases

    def examples(self) -> None:
        c = self.criteria
        for ex in c.examples:
            note = ex.description or ""
            if ex.inputs is not None:
                name = f"example/{ex.id}"
                self.add("example", ex.inputs, note, policy=ex.band_policy, name=name, keep=True)
            elif ex.subjects is not None:
                for who, record in ex.subjects.items():
                    self.add("example", record, note, name=f"example/{ex.id}/{who}", keep=True)
            elif ex.score is not None:
                self.score_case("example", ex.score, ex.band_policy, note, f"example/{ex.id}")

    def edges(self) -> list[dict[str, Any]]:
        """A base record per branch combination, at the lowest and the highest values
        tried, with and without the inputs that are derived or have a default; then each
        input changed alone to every value tried; then each input left out. Returns the
        bases at the lowest values (for the records to refuse)."""
        c = self.criteria
        optional = [n for n, i in c.inputs.items() if i.derive is not None or i.default is not None]
        low_bases: list[dict[str, Any]] = []
        for combo in _combos(c, self.values):
            for end in (0, -1):
                full = {n: v[end] for n, v in self.values.items()} | combo
                variants = [full] + (
                    [{k: v for k, v in full.items() if k not in optional}] if optional else []
                )
                for base in variants:
                    if end == 0:
                        low_bases.append(base)
                    shown = ", ".join(f"{k} = {_show(v)}" for k, v in combo.items())
                    what = "lowest" if end == 0 else "highest"
                    gap = " without " + ", ".join(optional) if base is not full else ""
                    note = f"base: {shown + '; ' if shown else ''}{what} values tried{gap}"
                    base_id = self.add("edge", base, note) or self.seen[_key(_record(base), None)]
                    for name, value in base.items():
                        if name in combo:
                            continue
                        for other in self.values[name]:
                            if not _same(other, value):
                                self.add(
                                    "edge",
                                    {**base, name: other},
                                    f"{base_id} with {name} = {_show(other)}",
                                )
        for base in low_bases:
            for name in base:
                rest = {k: v for k, v in base.items() if k != name}
                self.add("edge", rest, f"a base at the lowest values without {name}", refused=False)
        return low_bases

    def band_edges(self) -> None:
        """For each band but the lowest: from the records closest below it, the smallest
        change (of one input, else of two) that reaches it, a number moved back to the
        least value that still does (:func:`asnmerit.next_band`); and that number one
        step short of it."""
        c = self.criteria
        table = [b.code for b in c.bands.table]
        for goal in range(1, len(table)):
            below = sorted(
                (r for r in self.results if table.index(r[2].band.code) < goal),
                key=lambda r: (-r[2].score, r[0]),
            )[:3]
            found = None
            # one change from each of the closest, else two from the closest (a bounded search)
            for most, (case_id, record, ev) in [
                *((1, r) for r in below),
                *((2, r) for r in below[:1]),
            ]:
                try:
                    plan = next_band(
                        ev, target=table[goal], allow=list(c.inputs), max_changes=most, limit=1000
                    )
                except WhatIfError:
                    continue
                if plan.options:
                    found = (case_id, {k: v for k, v in record.items() if k not in ev.derived})
                    break
            if found is None:
                continue
            case_id, given = found
            for option in plan.options[:2]:
                at = {**given, **{ch.input: ch.after for ch in option.changes}}
                changes = ", ".join(f"{ch.input} = {_show(ch.after)}" for ch in option.changes)
                reached = option.evaluation.band.code
                self.add("edge", at, f"{case_id} with {changes}: reaches {reached}")
                for ch in option.changes:
                    short = self.short_of(at, ch.input, ch.before, table[:goal])
                    if short is not None:
                        note = f"{ch.input} = {_show(short)}: one step short of {table[goal]}"
                        self.add("edge", {**at, ch.input: short}, note)

    def short_of(
        self, record: Mapping[str, Any], name: str, before: Any, lower: Sequence[str]
    ) -> Any:
        """The value of number or date ``name`` nearest its value in ``record`` (towards
        ``before``) that puts the record in one of the ``lower`` bands, at the input's
        resolution or up to three times ten times coarser; ``None`` if none does."""
        inp = self.criteria.inputs[name]
        after = record[name]
        if not isinstance(after, Decimal | dt.date) or before is None or after == before:
            return None
        step: Any = resolution(inp, (before, after))
        for _ in range(4):
            if isinstance(after, Decimal):
                value = D.tidy(D.sub(after, step) if after > before else D.total((after, step)))
            else:
                value = after - step if after > before else after + step
            if not valid(inp, value):
                return None
            try:
                ev = evaluate(self.criteria, {**record, name: json_input(value)})
            except InputError:
                return None
            if ev.band.code in lower:
                return value
            step = D.mul(step, Decimal(10)) if isinstance(step, Decimal) else step * 10
        return None

    def policies(self) -> None:
        """Each record scored so far again under every other band policy that puts it in
        another band."""
        own = self.criteria.bands.policy
        for case_id, record, ev in list(self.results):
            for policy in _POLICIES:
                if policy == own:
                    continue
                other = self.criteria.band_for(ev.score, policy)
                if other.code != ev.band.code:
                    note = f"{case_id} under band policy {policy}"
                    self.add(
                        case_id.split("/")[0],
                        record,
                        note,
                        policy=policy,
                        name=f"{case_id}@{policy}",
                    )

    def scores(self) -> None:
        """Scores at and next to each band edge (the published bounds, the middle of a gap
        between two ranges, and a hundredth of the band step either side), under every
        band policy."""
        c = self.criteria
        bands = c.bands
        tiny = D.div(bands.step, Decimal(100))
        found: set[Decimal] = {c.score_min, c.score_max}
        for low, high in itertools.pairwise(bands.table):
            edges = [e for e in (low.upper, high.lower) if e is not None]
            if low.upper is not None and high.lower is not None and low.upper < high.lower:
                edges.append(D.div(D.total((low.upper, high.lower)), Decimal(2)))
            for e in edges:
                found |= {D.sub(e, tiny), e, D.total((e, tiny))}
        for score in sorted(s for s in found if c.score_min <= s <= c.score_max):
            for policy in _POLICIES:
                self.score_case("edge", score, None if policy == bands.policy else policy)

    def score_case(
        self,
        origin: str,
        score: Decimal,
        policy: BandPolicy | None,
        note: str = "",
        name: str | None = None,
    ) -> None:
        case: dict[str, Any] = {
            "id": name or self.next_id("band"),
            "origin": origin,
            "score": D.plain(D.tidy(score)),
        }
        if note:
            case["note"] = note
        if policy is not None:
            case["band_policy"] = policy
        case["expect"] = outcome(self.criteria, case)
        self.out.append(case)

    def drawn(self, count: int) -> None:
        """``count`` records drawn from a generator seeded by the scheme id and version;
        inputs the score may do without are each left out one time in four."""
        c = self.criteria
        rng = random.Random(_seed(c))
        needs = requirements(c).always
        optional = [
            n
            for n, i in c.inputs.items()
            if n not in needs or i.derive is not None or i.default is not None
        ]
        added = tries = 0
        while added < count and tries < 5 * count:
            tries += 1
            full = {n: self.random_value(rng, n) for n in c.inputs}
            drop = {n for n in optional if rng.random() < 0.25}
            some = {k: v for k, v in full.items() if k not in drop}
            if self.add("random", some, "", refused=False) or self.add("random", full, ""):
                added += 1

    def random_value(self, rng: random.Random, name: str) -> Any:
        inp = self.criteria.inputs[name]
        tried = self.values[name]
        if inp.type in ("enum", "boolean") or rng.random() < 0.3:
            return tried[int(rng.random() * len(tried))]
        if inp.type == "date":
            lo = inp.min if isinstance(inp.min, dt.date) else None
            hi = inp.max if isinstance(inp.max, dt.date) else None
            span = 10 ** int(rng.random() * 4)
            lo = lo or (hi - dt.timedelta(days=span) if hi else tried[0])
            hi = hi or lo + dt.timedelta(days=span)
            return lo + dt.timedelta(days=int(rng.random() * ((hi - lo).days + 1)))
        grid = resolution(inp, shape(self.criteria).thresholds.get(name, ()))
        assert isinstance(grid, Decimal)
        span = Decimal(10 ** int(rng.random() * 6))
        low = inp.min if isinstance(inp.min, Decimal) else None
        high = inp.max if isinstance(inp.max, Decimal) else None
        low = low if low is not None else (D.sub(high, span) if high is not None else tried[0])
        high = high if high is not None else D.total((low, span))
        steps = int(D.div(D.sub(high, low), grid))
        picked = Decimal(int(rng.random() * (steps + 1)))
        value = D.tidy(D.total((low, D.mul(grid, picked))))
        return value if valid(inp, value) else tried[int(rng.random() * len(tried))]

    def rejects(self, bases: Sequence[dict[str, Any]]) -> None:
        """Records to refuse: per input, values that do not fit it (out of bounds, off its
        step, an unknown code, a wrong type); a base without each input it needs; a field
        no input or identifier has."""
        c = self.criteria
        if not bases:
            return
        base = bases[0]
        for name in c.inputs:
            for value, why in _bad_values(c, name):
                self.add("reject", {**base, name: value}, f"{name}: {why}", refused=True)
        covered: set[str] = set()  # a missing input refused once is enough
        for each in bases:
            for name in each:
                if name not in covered:
                    rest = {k: v for k, v in each.items() if k != name}
                    if self.add("reject", rest, f"{name} missing", refused=True):
                        covered.add(name)
        unknown = "tidak_dikenal"
        while unknown in c.fields or unknown in c.identifiers:
            unknown += "_"
        self.add(
            "reject", {**base, unknown: "1"}, "a field the scheme does not declare", refused=True
        )


def _edge_values(criteria: Criteria, name: str) -> list[Any]:
    """The values tried for an input: those that represent every case its conditions
    tell apart (:func:`asnmerit.domains.candidates`), or its bounds."""
    try:
        return candidates(criteria, name)
    except WhatIfError:
        inp = criteria.inputs[name]
        ends = [v for v in (inp.min, inp.max) if v is not None]
        return ends or [dt.date(2000, 1, 1) if inp.type == "date" else Decimal(0)]


def _switch_inputs(criteria: Criteria) -> list[str]:
    """The inputs switch nodes read (score tree and award categories), in order."""
    roots: list[Node] = [criteria.score]
    if criteria.award is not None:
        roots += [cat.score for cat in criteria.award.categories]
    found = [n.kind.input for r in roots for n in r.walk() if isinstance(n.kind, Switch)]
    return list(dict.fromkeys(found))


def _combos(criteria: Criteria, values: Mapping[str, list[Any]]) -> list[dict[str, Any]]:
    """Codes of the inputs switch nodes read: every combination when there are few, else
    each code of each alone."""
    names = _switch_inputs(criteria)
    if not names:
        return [{}]
    total = 1
    for n in names:
        total *= len(values[n])
    if total <= _COMBOS:
        return [
            dict(zip(names, vs, strict=True))
            for vs in itertools.product(*(values[n] for n in names))
        ]
    return [{n: v} for n in names for v in values[n]]


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


def _show(value: Any) -> str:
    shown = json_input(value)
    return str(shown).lower() if isinstance(shown, bool) else str(shown)


def _bad_values(criteria: Criteria, name: str) -> list[tuple[Any, str]]:
    """Values input ``name`` must refuse, each with why."""
    inp = criteria.inputs[name]
    if inp.type == "enum":
        code = "KODE_TIDAK_DIKENAL"
        while code in inp.code_names or any(code in c.aliases for c in inp.codes):
            code += "_"
        codes: list[tuple[Any, str]] = [(code, "an unknown code")]
        first = inp.codes[0].code
        if first.swapcase() != first and not valid(inp, first.swapcase()):
            codes.append((first.swapcase(), "a code in the wrong case"))
        return codes
    if inp.type == "boolean":
        return [("mungkin", "neither true nor false")]
    out: list[tuple[Any, str]] = [(True, "a boolean where a value is expected")]
    if inp.type == "date":
        one = dt.timedelta(days=1)
        if isinstance(inp.min, dt.date):
            out.append((inp.min - one, "before the earliest date"))
        if isinstance(inp.max, dt.date):
            out.append((inp.max + one, "after the latest date"))
        out += [("2023-02-30", "not a date"), ("30-01-2023", "not in the form YYYY-MM-DD")]
        return out
    step = resolution(inp)
    assert isinstance(step, Decimal)
    if isinstance(inp.min, Decimal):
        out.append((D.tidy(D.sub(inp.min, step)), "below the minimum"))
    if isinstance(inp.max, Decimal):
        out.append((D.tidy(D.total((inp.max, step))), "above the maximum"))
    out += [("dua", "not a number"), ("1,5", "a decimal comma")]
    base = inp.min if isinstance(inp.min, Decimal) else D.ZERO
    if inp.type == "integer":
        out.append((D.total((base, Decimal("0.5"))), "not a whole number"))
    elif inp.step is not None:
        half = D.div(inp.step, Decimal(2))
        out.append((D.tidy(D.total((base, half))), f"not a multiple of {D.plain(inp.step)}"))
    return out
