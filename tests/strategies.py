"""Hypothesis strategies: random subject records drawn from a scheme's declared inputs,
random valid criteria documents built by construction, and hostile values.

* :func:`values`, :func:`subjects`: records that a loaded scheme accepts;
* :func:`criteria_data` (:func:`criteria_cases` with the score range it was built for): the
  parsed data of a valid criteria file, using every node kind, condition form and option of
  spec 1, small enough to load in milliseconds;
* :func:`junk`: values no subject record should hold.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import operator
from decimal import Decimal
from fractions import Fraction
from typing import Any, NamedTuple

from hypothesis import strategies as st

from asnmerit import _decimal as D
from asnmerit._values import fold
from asnmerit.model import Criteria, Input

# -- subject records of a loaded scheme ---------------------------------------------------------

_SPAN = 40
"""How many steps a number without one of its bounds may range over."""


def values(inp: Input, canonical: bool = False) -> st.SearchStrategy[Any]:
    """Valid values of one input, in the forms a caller may pass them (only the canonical
    codes and real booleans when ``canonical``)."""
    if inp.type == "enum":
        spellings = [c.code for c in inp.codes]
        if not canonical:
            spellings += [a for c in inp.codes for a in c.aliases if a.strip() == a]
        return st.sampled_from(spellings)
    if inp.type == "boolean":
        if canonical:
            return st.booleans()
        return st.booleans() | st.sampled_from(["ya", "tidak", "true", "false", 0, 1])
    if inp.type == "date":
        lo = inp.min if isinstance(inp.min, dt.date) else None
        hi = inp.max if isinstance(inp.max, dt.date) else None
        lo = lo or min(dt.date(1990, 1, 1), hi or dt.date.max)
        hi = hi or max(dt.date(2040, 12, 31), lo)
        return st.dates(min_value=lo, max_value=hi)
    lo, hi = inp.min, inp.max
    assert not isinstance(lo, dt.date) and not isinstance(hi, dt.date)
    step = inp.step or Decimal(1)
    base = lo if lo is not None else D.ZERO  # values are min (or 0) plus a multiple of step
    last = math.floor((hi - base) / step) if hi is not None else _SPAN
    first = 0 if lo is not None else last - 2 * _SPAN
    return st.integers(first, last).map(lambda k: base + k * step)


def subjects(criteria: Criteria, canonical: bool = False) -> st.SearchStrategy[dict[str, Any]]:
    """Complete records (inputs with a default, or derived whatever the record holds, are
    sometimes left out)."""
    fields: dict[str, st.SearchStrategy[Any]] = {}
    optional: dict[str, st.SearchStrategy[Any]] = {}
    for name, inp in criteria.inputs.items():
        derived = inp.derive is not None and inp.derive.otherwise is not None
        (optional if inp.default is not None or derived else fields)[name] = values(inp, canonical)
    return st.fixed_dictionaries(fields, optional=optional)


# -- hostile values ---------------------------------------------------------------------------

_HOSTILE_TEXTS = [
    "",
    " ",
    "\x00",
    "\t\r\n",
    "ya\x00",
    "NaN",
    "-nan",
    "Infinity",
    "1e400",
    "1E+2",
    "1,5",
    "1.000",
    " 22.5 ",
    "-0",
    "+.5",
    "0x1F",
    "\uff11\uff12",  # full-width digits
    "٣",  # an Arabic-Indic digit, which Decimal() accepts
    "2020-02-30",
    "9999-99-99",
    "2020-01-01T00:00",
    "true ",
    "TIDAK",
    "\u2028",
    "\ud7ff\ue000",
    "😀",
    "9" * 50,
]
_LONG_TEXTS = st.builds(operator.mul, st.sampled_from(["x", "9", "é", "\x00"]), st.just(100_000))


def junk() -> st.SearchStrategy[Any]:
    """Values no subject record should hold: control characters, huge and non-finite
    numbers, floats, bytes, containers, dates and times, very long texts."""
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.integers(min_value=10**15) | st.integers(max_value=-(10**15)),
        st.builds(pow, st.just(10), st.just(4000)),  # (repr() refuses more than 4300 digits)
        st.floats(allow_nan=True, allow_infinity=True),
        st.decimals(allow_nan=True, allow_infinity=True),
        st.sampled_from([Decimal("NaN"), Decimal("-sNaN"), Decimal("1E+999999"), Decimal("-0")]),
        st.fractions(),
        st.complex_numbers(allow_nan=True, allow_infinity=True),
        st.text(),
        st.text(st.characters(max_codepoint=0x1F)),
        st.sampled_from(_HOSTILE_TEXTS),
        _LONG_TEXTS,
        st.binary(max_size=8),
        st.dates(),
        st.datetimes(),
        st.times(),
        st.timedeltas(),
    )
    return st.recursive(scalars, _junk_containers, max_leaves=6)


def _junk_containers(kids: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return (
        st.lists(kids, max_size=3)
        | st.tuples(kids, kids)
        | st.dictionaries(st.text(max_size=4) | st.integers(), kids, max_size=3)
        | st.frozensets(st.integers() | st.text(max_size=3), max_size=3)
    )


# -- valid criteria built by construction --------------------------------------------------------

POLICIES = ("lower_bounds", "upper_bounds", "round_then_classify")
MODES = ("half_up", "half_even", "half_down", "up", "down", "ceiling", "floor")
CONFIDENCE = ("high", "medium", "reconstructed", "assumption")
# Codes that a careless YAML writer turns into numbers, booleans or null.
ODD_CODES = ("2", "01", "1.0", "2.5", "1e3", "true", "False", "yes", "no", "null", "on", "S-3")
BAND_STEPS = tuple(Decimal(s) for s in ("1", "0.5", "0.25", "0.1", "0.01"))
MAX_DEPTH = 3
"""Depth of the score tree below its root (the root is depth 0)."""

_TRICKY_TEXTS = st.sampled_from(
    [
        "yes",
        "null",
        "2",
        "1e3",
        "- a",
        "#x",
        "a: b",
        "'q'",
        '"',
        "line\nline",
        "line\n\n  indented\n",
        " lead",
        "trail ",
        "tab\there",
        "nel\x85x",
        "ls\u2028x",
        "é ü 😀",
        "{a: 1}",
        "[1]",
        "&a *a",
        "!tag",
        "%x",
        "@x",
        "`x",
        "2020-01-01",
        "~",
    ]
)
TEXTS = st.text(min_size=1, max_size=16) | _TRICKY_TEXTS
"""Free texts: labels, notes, descriptions."""
SLUGS = st.from_regex(r"[a-z0-9][a-z0-9_-]{0,10}", fullmatch=True)
WORDS = st.from_regex(r"[a-z][a-z0-9]{0,5}", fullmatch=True)
CODES = st.sampled_from(ODD_CODES) | st.from_regex(
    r"[A-Za-z0-9][A-Za-z0-9_.-]{0,6}", fullmatch=True
)
POINTS = st.integers(-5, 40).map(Decimal) | st.decimals(
    min_value=-5, max_value=40, places=2, allow_nan=False, allow_infinity=False
)


class Generated(NamedTuple):
    """A generated criteria document and the score range it was built to have."""

    data: dict[str, Any]
    score_range: tuple[Decimal, Decimal]


def criteria_data() -> st.SearchStrategy[dict[str, Any]]:
    """The data of a random valid criteria file (as the YAML reader gives it)."""
    return criteria_cases().map(lambda g: g.data)


@st.composite
def criteria_cases(draw: st.DrawFn) -> Generated:
    """A random valid criteria document, with the score range it must load with."""
    return _Maker(draw).make()


def _date_text(day: dt.date) -> str:
    return day.isoformat()


def _floor(value: Decimal, step: Decimal) -> Decimal:
    return step * math.floor(value / step)


def _ceil(value: Decimal, step: Decimal) -> Decimal:
    return step * math.ceil(value / step)


def _round(value: Decimal, rounding: dict[str, Any] | None) -> Decimal:
    if rounding is None:
        return D.tidy(value)
    return D.round_places(value, rounding["places"], rounding.get("mode", "half_up"))


class _Maker:
    """Draws one criteria document piece by piece, keeping every piece valid."""

    def __init__(self, draw: st.DrawFn) -> None:
        self.draw = draw
        self.inputs: dict[str, dict[str, Any]] = {}
        self.refs: list[str] = []
        self.nodes = 0
        self.tree: dict[str, tuple[Decimal, Decimal]] = {}
        """Main-tree node id -> its bounds (what a ref in a category may name)."""
        self.stage: dict[str, Any] | None = None

    # -- small pieces ----------------------------------------------------------------------

    def text(self) -> dict[str, str]:
        out = {"id": self.draw(TEXTS)}
        if self.draw(st.booleans()):
            out["en"] = self.draw(TEXTS)
        return out

    def provenance(self, d: dict[str, Any]) -> dict[str, Any]:
        """``d`` with a random basis, confidence and note (each maybe)."""
        if self.refs and self.draw(st.booleans()):
            cite: dict[str, Any] = {"ref": self.draw(st.sampled_from(self.refs))}
            if self.draw(st.booleans()):
                cite["article"] = self.draw(TEXTS)
            d["basis"] = [cite]
        if self.draw(st.integers(0, 3)) == 0:
            d["confidence"] = self.draw(st.sampled_from(CONFIDENCE))
        if self.draw(st.integers(0, 3)) == 0:
            d["note"] = self.draw(TEXTS)
        return d

    def node_id(self) -> str:
        self.nodes += 1
        return f"{self.draw(st.sampled_from(['n', 'skor', 'nilai']))}_n{self.nodes}"

    def rounding(self, stage: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {"places": self.draw(st.integers(0, 3))}
        if self.draw(st.booleans()):
            out["mode"] = self.draw(st.sampled_from(MODES))
        if stage and self.draw(st.booleans()):
            out["stage"] = self.draw(st.sampled_from(["final", "nodes"]))
        return out

    # -- inputs ----------------------------------------------------------------------------

    def make_inputs(self) -> None:
        count = self.draw(st.integers(1, 5))
        aliases: set[str] = set()
        for i in range(count):
            name = f"{self.draw(WORDS)}_i{i}"
            kind = self.draw(st.sampled_from(["enum", "boolean", "number", "integer", "date"]))
            d: dict[str, Any] = {"type": kind, "label": self.text()}
            if self.draw(st.integers(0, 3)) == 0:
                d["description"] = self.draw(TEXTS)
            if self.draw(st.integers(0, 3)) == 0:
                field_aliases = self.draw(
                    st.lists(
                        st.text(min_size=1, max_size=12)
                        .map(lambda s: f"A {s}" if s[0].islower() else s)  # not a name
                        .filter(lambda s: s not in aliases),
                        min_size=1,
                        max_size=2,
                        unique=True,
                    )
                )
                aliases.update(field_aliases)
                d["aliases"] = field_aliases
            if self.draw(st.integers(0, 4)) == 0:
                d["actionable"] = self.draw(st.booleans())
            getattr(self, f"input_{kind}")(d)
            self.provenance(d)
            self.inputs[name] = d
        for name, d in self.inputs.items():  # a derivation reads only inputs declared before
            earlier = list(self.inputs)[: list(self.inputs).index(name)]
            if earlier and "default" not in d and self.draw(st.integers(0, 3)) == 0:
                d["derive"] = self.derive(d, earlier)
            elif self.draw(st.integers(0, 3)) == 0:
                d["default"] = self.value(d, loose=True)

    def input_enum(self, d: dict[str, Any]) -> None:
        # No two codes may share a spelling once folded (case, spaces, '-', '.', '_').
        codes = self.draw(st.lists(CODES, min_size=1, max_size=4, unique_by=fold))
        taken = {fold(c) for c in codes}
        values: dict[str, Any] = {}
        for code in codes:
            spec: dict[str, Any] = {"label": self.text()}
            if self.draw(st.integers(0, 3)) == 0:
                own = fold(code)

                def free(spelling: str, code: str = code, own: str = own) -> bool:
                    key = fold(spelling)
                    return spelling != code and (key == own or key not in taken)

                extra = self.draw(
                    st.lists(
                        (CODES | st.text(min_size=1, max_size=6)).filter(free),
                        min_size=1,
                        max_size=2,
                        unique=True,
                    )
                )
                taken.update(fold(a) for a in extra)
                spec["aliases"] = extra
            if self.draw(st.integers(0, 5)) == 0:
                spec["description"] = self.draw(TEXTS)
            values[code] = self.provenance(spec)
        if self.draw(st.booleans()):
            d["order"] = self.draw(st.sampled_from(["high_to_low", "low_to_high"]))
        d["values"] = values

    def input_boolean(self, d: dict[str, Any]) -> None:
        pass

    def input_number(self, d: dict[str, Any], whole: bool = False) -> None:
        if whole:
            step = Decimal(self.draw(st.integers(1, 5))) if self.draw(st.booleans()) else None
        else:
            step = self.draw(st.sampled_from([None, *BAND_STEPS]))
        unit = step or Decimal(1)
        lo = unit * self.draw(st.integers(-10, 20))
        hi = lo + unit * self.draw(st.integers(0, 40))
        plain = int if whole else Decimal
        if step is not None:
            d["step"] = plain(step)
        if self.draw(st.integers(0, 5)) or step is not None:
            d["min"] = plain(lo)
        if self.draw(st.integers(0, 5)):
            d["max"] = plain(hi)
        if self.draw(st.booleans()):
            d["unit"] = self.draw(TEXTS)

    def input_integer(self, d: dict[str, Any]) -> None:
        self.input_number(d, whole=True)

    def input_date(self, d: dict[str, Any]) -> None:
        lo = self.draw(st.dates(dt.date(1990, 1, 1), dt.date(2030, 12, 31)))
        hi = self.draw(st.dates(lo, dt.date(2040, 12, 31)))
        if self.draw(st.integers(0, 3)):
            d["min"] = _date_text(lo)
        if self.draw(st.integers(0, 3)):
            d["max"] = _date_text(hi)

    def value(self, d: dict[str, Any], loose: bool = False) -> Any:
        """A value input ``d`` accepts; in the spellings a file may use when ``loose``."""
        kind = d["type"]
        if kind == "enum":
            code = self.draw(st.sampled_from(list(d["values"])))
            aliases = d["values"][code].get("aliases", [])
            plain = [a for a in aliases if a.strip() == a]  # a record's spaces are trimmed
            if loose and plain and self.draw(st.booleans()):
                return self.draw(st.sampled_from(plain))
            return code
        if kind == "boolean":
            flag = self.draw(st.booleans())
            return self.draw(st.sampled_from([flag, "ya" if flag else "tidak"])) if loose else flag
        if kind == "date":
            lo = dt.date.fromisoformat(d.get("min", "1990-01-01"))
            hi = dt.date.fromisoformat(d.get("max", "2040-12-31"))
            return _date_text(self.draw(st.dates(lo, max(lo, hi))))
        step = Decimal(d.get("step", 1))
        base = Decimal(d.get("min", 0))  # values are min (or 0) plus a multiple of step
        if "max" in d:
            last = math.floor((Decimal(d["max"]) - base) / step)
            first = 0 if "min" in d else last - 10
        else:
            first = 0 if "min" in d else -10
            last = first + 10
        number = base + self.draw(st.integers(first, last)) * step
        if kind == "integer":
            return int(number)
        return number

    def operand(self, d: dict[str, Any]) -> Any:
        """A value a condition may compare input ``d`` with (bounds and steps do not apply)."""
        kind = d["type"]
        if kind == "enum":
            return self.draw(st.sampled_from(list(d["values"])))
        if kind == "boolean":
            return self.draw(st.booleans())
        if kind == "date":
            return _date_text(self.draw(st.dates(dt.date(1985, 1, 1), dt.date(2045, 1, 1))))
        if kind == "integer":
            return self.draw(st.integers(-20, 900))
        return self.draw(POINTS)

    def derive(self, d: dict[str, Any], earlier: list[str]) -> dict[str, Any]:
        rules = [
            {"if": self.condition(earlier, 1), "value": self.value(d, loose=True)}
            for _ in range(self.draw(st.integers(1, 2)))
        ]
        for rule in rules:
            if self.draw(st.booleans()):
                rule["label"] = self.text()
        out: dict[str, Any] = {"when": rules}
        if self.draw(st.booleans()):
            out["otherwise"] = self.value(d, loose=True)
        return self.provenance(out)

    # -- conditions ------------------------------------------------------------------------

    def condition(self, names: list[str] | None = None, depth: int = 2) -> dict[str, Any]:
        names = names or list(self.inputs)
        form = self.draw(
            st.sampled_from(["test", "test", "all", "any", "not"] if depth else ["test"])
        )
        if form == "test":
            return self.test(self.draw(st.sampled_from(names)))
        if form == "not":
            return {"not": self.condition(names, depth - 1)}
        items = [self.condition(names, depth - 1) for _ in range(self.draw(st.integers(1, 3)))]
        return {form: items}

    def test(self, name: str) -> dict[str, Any]:
        d = self.inputs[name]
        ordered = d["type"] in ("number", "integer", "date") or "order" in d
        ops = ["is", "in", "not_in"] + (["lt", "le", "gt", "ge"] if ordered else [])
        out: dict[str, Any] = {"input": name}
        for op in self.draw(st.lists(st.sampled_from(ops), min_size=1, max_size=2, unique=True)):
            if op in ("in", "not_in"):
                out[op] = [self.operand(d) for _ in range(self.draw(st.integers(1, 3)))]
            else:
                out[op] = self.operand(d)
        return out

    # -- the score tree --------------------------------------------------------------------

    def keyed(self) -> list[str]:
        return [n for n, d in self.inputs.items() if d["type"] in ("enum", "boolean")]

    def numeric(self) -> list[str]:
        return [
            n
            for n, d in self.inputs.items()
            if d["type"] in ("number", "integer") and "min" in d and "max" in d
        ]

    def node(
        self, depth: int, parent: str | None = None, refs: list[str] | None = None
    ) -> tuple[dict[str, Any], Decimal, Decimal]:
        """A node (with ``weight`` added by a weighted parent) and its least and most points.
        ``refs``: node ids a ``ref`` may name (in an award category only)."""
        kinds = ["cases"]
        if self.keyed():
            kinds += ["lookup"]
        if self.numeric():
            kinds += ["direct"]
        if refs:
            kinds += ["ref"]
        if depth < MAX_DEPTH:
            kinds += ["sum", "weighted", "mean"] + (["switch"] if self.keyed() else [])
        kind = self.draw(st.sampled_from(kinds))
        d: dict[str, Any] = {"id": self.node_id(), "label": self.text()}
        if self.draw(st.integers(0, 4)) == 0:
            d["description"] = self.draw(TEXTS)
        self.provenance(d)
        body, lo, hi = getattr(self, f"kind_{kind}")(depth, refs)
        d[kind] = body
        if self.draw(st.integers(0, 4)) == 0:
            d["cap"] = self.draw(POINTS)
            lo, hi = min(lo, d["cap"]), min(hi, d["cap"])
        own = self.rounding() if kind == "mean" or self.draw(st.integers(0, 4)) == 0 else None
        if kind == "mean" and self.stage and self.draw(st.booleans()):
            own = None  # the top-level rounding at stage nodes rounds the mean
        if own is not None:
            d["rounding"] = own
        lo, hi = _round(lo, own or self.stage), _round(hi, own or self.stage)
        if _fits(hi) and self.draw(st.booleans()):
            d["max"] = hi
        if refs is None:
            self.tree[d["id"]] = (lo, hi)
        return d, lo, hi

    def points(self) -> Any:
        value = self.draw(POINTS)
        if self.draw(st.integers(0, 4)) == 0:
            return self.provenance({"points": value})
        return value

    def kind_lookup(self, depth: int, refs: list[str] | None) -> tuple[Any, Decimal, Decimal]:
        name = self.draw(st.sampled_from(self.keyed()))
        codes = _codes(self.inputs[name])
        keys = self.draw(st.lists(st.sampled_from(codes), min_size=1, unique=True))
        points = {k: self.points() for k in keys}
        body: dict[str, Any] = {"input": name, "points": points}
        reached = [_amount(p) for p in points.values()]
        if len(keys) < len(codes) or self.draw(st.integers(0, 3)) == 0:
            body["otherwise"] = self.points()
            if len(keys) < len(codes):
                reached.append(_amount(body["otherwise"]))
        return body, min(reached), max(reached)

    def kind_cases(self, depth: int, refs: list[str] | None) -> tuple[Any, Decimal, Decimal]:
        rules = []
        for _ in range(self.draw(st.integers(1, 3))):
            rule: dict[str, Any] = {"if": self.condition(), "points": self.draw(POINTS)}
            if self.draw(st.integers(0, 2)) == 0:
                rule["label"] = self.text()
            rules.append(self.provenance(rule))
        otherwise = self.points()
        amounts = [r["points"] for r in rules] + [_amount(otherwise)]
        return {"when": rules, "otherwise": otherwise}, min(amounts), max(amounts)

    def kind_direct(self, depth: int, refs: list[str] | None) -> tuple[Any, Decimal, Decimal]:
        name = self.draw(st.sampled_from(self.numeric()))
        body: dict[str, Any] = {"input": name}
        factor = Decimal(1)
        if self.draw(st.booleans()):
            factor = self.draw(st.sampled_from([Decimal(2), Decimal("0.5"), Decimal("-1.5")]))
            body["factor"] = factor
        d = self.inputs[name]
        ends = sorted([Decimal(d["min"]) * factor, Decimal(d["max"]) * factor])
        return body, ends[0], ends[1]

    def kind_ref(self, depth: int, refs: list[str] | None) -> tuple[Any, Decimal, Decimal]:
        assert refs
        target = self.draw(st.sampled_from(refs))
        return target, *self.tree[target]

    def children(
        self, depth: int, refs: list[str] | None
    ) -> list[tuple[dict[str, Any], Decimal, Decimal]]:
        return [self.node(depth + 1, refs=refs) for _ in range(self.draw(st.integers(1, 3)))]

    def kind_sum(self, depth: int, refs: list[str] | None) -> tuple[Any, Decimal, Decimal]:
        kids = self.children(depth, refs)
        return (
            {"of": [k[0] for k in kids]},
            D.total(k[1] for k in kids),
            D.total(k[2] for k in kids),
        )

    def kind_weighted(self, depth: int, refs: list[str] | None) -> tuple[Any, Decimal, Decimal]:
        kids = self.children(depth, refs)
        cuts = sorted(
            self.draw(
                st.lists(
                    st.integers(1, 99), min_size=len(kids) - 1, max_size=len(kids) - 1, unique=True
                )
            )
        )
        edges = [0, *cuts, 100]
        weights = [Decimal(b - a) / 100 for a, b in itertools.pairwise(edges)]
        for (d, _, _), w in zip(kids, weights, strict=True):
            d["weight"] = w
        body: dict[str, Any] = {"of": [k[0] for k in kids]}
        normalize = all(k[2] > 0 for k in kids) and self.draw(st.booleans())
        if normalize or self.draw(st.integers(0, 3)) == 0:
            body["normalize"] = normalize
        scale = Decimal(1)
        if self.draw(st.booleans()):
            scale = self.draw(st.sampled_from([Decimal(100), Decimal("0.5"), Decimal(10)]))
            body["scale"] = scale
        ends = sorted(
            D.weighted_sum(
                [
                    (w, k[end], k[2] if normalize else None)
                    for k, w in zip(kids, weights, strict=True)
                ],
                scale,
            )
            for end in (1, 2)
        )
        return body, ends[0], ends[1]

    def kind_mean(self, depth: int, refs: list[str] | None) -> tuple[Any, Decimal, Decimal]:
        kids = self.children(depth, refs)
        body: dict[str, Any] = {"of": [k[0] for k in kids]}
        high = self.draw(st.integers(0, len(kids) - 1))
        low = self.draw(st.integers(0, len(kids) - 1 - high))
        drop = {
            k: v for k, v in (("highest", high), ("lowest", low)) if v or self.draw(st.booleans())
        }
        if drop:
            body["drop"] = drop
        ends = []
        for end in (1, 2):
            kept = sorted(k[end] for k in kids)[low : len(kids) - high]
            ends.append(D.from_fraction(sum((Fraction(v) for v in kept), Fraction(0)) / len(kept)))
        return body, ends[0], ends[1]

    def kind_switch(self, depth: int, refs: list[str] | None) -> tuple[Any, Decimal, Decimal]:
        name = self.draw(st.sampled_from(self.keyed()))
        codes = _codes(self.inputs[name])
        keys = self.draw(st.lists(st.sampled_from(codes), min_size=1, unique=True))
        branches = {k: self.node(depth + 1, refs=refs) for k in keys}
        body: dict[str, Any] = {"input": name, "branches": {k: v[0] for k, v in branches.items()}}
        reached = list(branches.values())
        if len(keys) < len(codes) or self.draw(st.integers(0, 3)) == 0:
            other = self.node(depth + 1, refs=refs)
            body["otherwise"] = other[0]
            if len(keys) < len(codes):
                reached.append(other)
        return body, min(r[1] for r in reached), max(r[2] for r in reached)

    # -- bands, gates, award ---------------------------------------------------------------

    def bands(self, lo: Decimal, hi: Decimal) -> tuple[dict[str, Any], list[str]]:
        step = self.draw(st.sampled_from(BAND_STEPS))
        first, last = _floor(lo, step), _ceil(hi, step)
        room = int((last - first) / step)  # lower bounds first + k * step, k in 1..room
        cuts = (
            sorted(self.draw(st.lists(st.integers(1, max(room, 1)), max_size=3, unique=True)))
            if room
            else []
        )
        codes = self.draw(
            st.lists(CODES, min_size=len(cuts) + 1, max_size=len(cuts) + 1, unique=True)
        )
        lowers: list[Decimal | None] = [first + k * step for k in cuts]
        uppers: list[Decimal | None] = [b - step for b in lowers if b is not None]
        lowers.insert(0, None if self.draw(st.booleans()) else first)
        uppers.append(None if self.draw(st.booleans()) else last)
        table = []
        for code, lower, upper in zip(codes, lowers, uppers, strict=True):
            row: dict[str, Any] = {"code": code, "label": self.text(), "range": [lower, upper]}
            table.append(self.provenance(row) if self.draw(st.integers(0, 3)) == 0 else row)
        table = self.draw(st.permutations(table))  # any order is allowed
        out: dict[str, Any] = {"policy": self.draw(st.sampled_from(POLICIES))}
        if step != 1 or self.draw(st.booleans()):
            out["step"] = step
        if self.draw(st.booleans()):
            out["rounding_mode"] = self.draw(st.sampled_from(MODES))
        out["table"] = table
        return self.provenance(out), codes

    def gates(self) -> list[dict[str, Any]]:
        return [
            self.provenance(
                {
                    "id": f"{self.draw(WORDS)}_g{i}",
                    "require": self.condition(),
                    "reason": self.text(),
                }
            )
            for i in range(self.draw(st.integers(0, 2)))
        ]

    def award(self, band_codes: list[str], identifiers: list[str]) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.draw(SLUGS), "label": self.text()}
        if self.draw(st.booleans()):
            out["min_band"] = self.draw(st.sampled_from(band_codes))
        fields = [*self.inputs, *identifiers]
        if self.draw(st.booleans()):
            out["group_by"] = self.draw(
                st.lists(st.sampled_from(fields), min_size=0, max_size=2, unique=True)
            )
        if self.draw(st.booleans()):
            out["ranks"] = self.draw(st.integers(1, 3))
        if self.draw(st.integers(0, 3)) == 0:
            out["ranked"] = self.draw(st.booleans())
        if self.draw(st.booleans()):
            out["ties"] = self.draw(st.sampled_from(["competition", "dense", "average"]))
        categories = []
        main = list(self.tree)
        for i in range(self.draw(st.integers(0, 2))):
            cat: dict[str, Any] = {"id": f"{self.draw(WORDS)}_c{i}", "label": self.text()}
            cat["score"] = self.node(1, refs=main)[0]
            if self.draw(st.integers(0, 2)) == 0:
                cat["group"] = self.draw(TEXTS)
            if self.draw(st.integers(0, 2)) == 0:
                cat["ranks"] = self.draw(st.none() | st.integers(1, 3))
            if self.draw(st.integers(0, 3)) == 0:
                cat["ranked"] = self.draw(st.booleans())
            if self.draw(st.integers(0, 3)) == 0:
                cat["min_score"] = self.draw(POINTS)
            categories.append(self.provenance(cat))
        if categories:
            out["categories"] = categories
        ordered = [n for n, d in self.inputs.items() if d["type"] in ("number", "integer", "date")]
        by = main + [c["id"] for c in categories] + ordered
        if self.draw(st.booleans()):
            out["tie_breakers"] = [
                {
                    "by": b,
                    **(
                        {"prefer": self.draw(st.sampled_from(["higher", "lower"]))}
                        if self.draw(st.booleans())
                        else {}
                    ),
                }
                for b in self.draw(st.lists(st.sampled_from(by), max_size=2))
            ]
        if categories and self.draw(st.booleans()):
            stages = []
            for i in range(self.draw(st.integers(1, 2))):
                stage: dict[str, Any] = {
                    "id": f"{self.draw(WORDS)}_s{i}",
                    "label": self.text(),
                    "by": self.draw(st.sampled_from([c["id"] for c in categories])),
                }
                if self.draw(st.booleans()):
                    stage["keep"] = self.draw(st.integers(1, 3))
                if self.draw(st.booleans()):
                    stage["per"] = self.draw(
                        st.lists(st.sampled_from(fields), max_size=2, unique=True)
                    )
                stages.append(self.provenance(stage))
            out["stages"] = stages
        return self.provenance(out)

    def aggregate(self, identifiers: list[str]) -> dict[str, Any]:
        out: dict[str, Any] = {"rounding": self.rounding()}
        keyed = self.keyed()
        if (keyed or identifiers) and self.draw(st.booleans()):
            out["stratify"] = self.draw(st.sampled_from([*keyed, *identifiers]))
        if self.draw(st.booleans()):
            out["combined"] = self.text()
        return self.provenance(out)

    def examples(self, lo: Decimal, hi: Decimal, band_codes: list[str]) -> list[dict[str, Any]]:
        out = []
        for i in range(self.draw(st.integers(0, 2))):
            e: dict[str, Any] = {
                "id": f"ex-{i}",
                "provenance": self.draw(st.sampled_from(["published", "derived"])),
            }
            score = self.draw(st.sampled_from([lo, hi]))
            if _fits(score) and self.draw(st.booleans()):
                e["score"] = score
                e["expect"] = {"band": self.draw(st.sampled_from(band_codes))}
            else:
                e["inputs"] = {name: self.value(d, loose=True) for name, d in self.inputs.items()}
                e["expect"] = {"eligible": self.draw(st.booleans())}
            if self.draw(st.booleans()):
                e["options"] = {"band_policy": self.draw(st.sampled_from(POLICIES))}
            if self.refs and self.draw(st.booleans()):
                e["source"] = {"ref": self.draw(st.sampled_from(self.refs))}
            if self.draw(st.booleans()):
                e["description"] = self.draw(TEXTS)
            out.append(e)
        return out

    # -- the whole file --------------------------------------------------------------------

    def make(self) -> Generated:
        draw = self.draw
        start = draw(st.dates(dt.date(2000, 1, 1), dt.date(2030, 1, 1)))
        data: dict[str, Any] = {
            "spec": 1,
            "id": draw(SLUGS),
            "version": draw(st.integers(1, 3000) | CODES | TEXTS),
            "title": self.text(),
            "subject": draw(st.sampled_from(["employee", "agency"])),
            "valid_from": _date_text(start),
        }
        if draw(st.booleans()):
            data["valid_to"] = _date_text(draw(st.dates(start, dt.date(2040, 1, 1))))
        if draw(st.integers(0, 3)) == 0:
            data["supersedes"] = draw(st.integers(1, 3000) | TEXTS)
        if draw(st.integers(0, 2)) == 0:
            data["confidence"] = draw(st.sampled_from(CONFIDENCE))
        self.refs = draw(st.lists(SLUGS, max_size=2, unique=True))
        if self.refs:
            refs: dict[str, Any] = {}
            for key in self.refs:
                ref: dict[str, Any] = {"title": draw(TEXTS)}
                if draw(st.booleans()):
                    ref["kind"] = draw(
                        st.sampled_from(
                            ["regulation", "official", "news", "implementation", "other"]
                        )
                    )
                if draw(st.booleans()):
                    ref["date"] = _date_text(
                        draw(st.dates(dt.date(1990, 1, 1), dt.date(2030, 1, 1)))
                    )
                if draw(st.booleans()):
                    ref["url"] = "https://example.org/" + draw(WORDS)
                refs[key] = ref
            data["references"] = refs
            data["basis"] = [{"ref": key} for key in self.refs]  # every reference is cited
        if draw(st.integers(0, 2)) == 0:
            data["notes"] = draw(TEXTS)
        self.make_inputs()
        identifiers = [f"{draw(WORDS)}_id{i}" for i in range(draw(st.integers(0, 2)))]
        rounding = self.rounding(stage=True) if draw(st.booleans()) else None
        self.stage = rounding if rounding and rounding.get("stage") == "nodes" else None
        score, lo, hi = self.node(0)
        if rounding is not None:
            lo, hi = _round(lo, rounding), _round(hi, rounding)
        self.tree[score["id"]] = (lo, hi)  # a ref to the root gives the (rounded) score
        bands, band_codes = self.bands(lo, hi)
        gates = self.gates()
        award = self.award(band_codes, identifiers) if draw(st.integers(0, 2)) == 0 else None
        aggregate = self.aggregate(identifiers) if draw(st.integers(0, 3)) == 0 else None
        data["inputs"] = self.inputs  # filled in below: only the inputs something reads
        if identifiers:
            data["identifiers"] = {
                name: {
                    "label": self.text(),
                    **({"description": draw(TEXTS)} if draw(st.booleans()) else {}),
                    **({"format": "nip"} if draw(st.booleans()) else {}),
                    **({"unique": True} if draw(st.booleans()) else {}),
                }
                for name in identifiers
            }
        if rounding is not None:
            data["rounding"] = rounding
        data["score"] = score
        data["bands"] = bands
        if gates or draw(st.integers(0, 4)) == 0:
            data["eligibility"] = gates
        if award is not None:
            data["award"] = award
        if aggregate is not None:
            data["aggregate"] = aggregate
        _drop_unused(data)
        examples = self.examples(lo, hi, band_codes)
        if examples:
            data["examples"] = examples
        return Generated(data, (lo, hi))


def _fits(value: Decimal) -> bool:
    """Whether a criteria file can hold ``value`` (see :func:`asnmerit._decimal.bounded`)."""
    try:
        D.bounded(value)
    except ValueError:
        return False
    return True


def _codes(d: dict[str, Any]) -> list[str]:
    return ["true", "false"] if d["type"] == "boolean" else list(d["values"])


def _amount(points: Any) -> Decimal:
    return points["points"] if isinstance(points, dict) else points


def _inputs_read(value: Any) -> set[str]:
    """Every input name a part of the document reads (the ``input`` of nodes and tests)."""
    found: set[str] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if isinstance(item.get("input"), str):
                found.add(item["input"])
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def _drop_unused(data: dict[str, Any]) -> None:
    """Remove the inputs nothing reads (a derivation counts only while its input stays)."""
    award = data.get("award") or {}
    fields = {
        *award.get("group_by", []),
        *(f for s in award.get("stages", []) for f in s.get("per", [])),
        *(t["by"] for t in award.get("tie_breakers", [])),
        (data.get("aggregate") or {}).get("stratify"),
    }
    base = _inputs_read([data["score"], data.get("eligibility"), award]) | fields
    inputs = data["inputs"]
    while True:
        used = base | _inputs_read([d.get("derive") for d in inputs.values()])
        unused = [name for name in inputs if name not in used]
        if not unused:
            return
        for name in unused:
            del inputs[name]


# -- identifier values ---------------------------------------------------------------------------


@st.composite
def nips(draw: st.DrawFn) -> str:
    """A valid NIP (birth date, appointment after it, sex, sequence), as printed or plain."""
    born = draw(st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2000, 12, 31)))
    year = draw(st.integers(born.year + 18, 2024))
    month, sex, seq = (
        draw(st.integers(1, 12)),
        draw(st.sampled_from("12")),
        draw(st.integers(1, 999)),
    )
    groups = [born.strftime("%Y%m%d"), f"{year}{month:02d}", sex, f"{seq:03d}"]
    return draw(st.sampled_from(["", " ", "."])).join(groups)


def identifier_values(ident: Any, pool: list[Any]) -> st.SearchStrategy[Any]:
    """Values of an identifier: from a small ``pool`` (so that rows share them), valid NIPs
    for a ``nip`` one, junk now and then, or nothing."""
    usual = st.sampled_from(pool) if pool else st.nothing()
    own = nips() if ident.format == "nip" else st.text(max_size=6)
    return st.one_of(usual, own, st.sampled_from(["", "123", "1.98609E+17", 12.5]), st.none())
