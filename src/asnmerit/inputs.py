"""Subject records: checking and normalising their values, and their JSON Schema.

Normalisations (documented in ``docs/inputs.md``; nothing else is guessed):

* an empty cell (``None`` or a blank text) is a missing value; the input's ``default``
  applies, if it has one; spaces around a text are ignored;
* enum: the code itself or one of its declared ``aliases`` (exact case); an integer or a
  boolean counts as its text (``2`` -> ``"2"``, ``True`` -> ``"true"``);
* boolean: ``True``/``False``, the integers 0/1, or the texts true/false, ya/tidak,
  yes/no, 1/0 (any case);
* number: an int, a Decimal, a float (taken by its shortest repr: ``0.1`` -> ``0.1``),
  or a text of ASCII digits with an optional sign and decimal point (``22.5``); a decimal
  comma, a thousands separator or an exponent is an error, not a guess. Numbers must be
  bounded (see :func:`asnmerit.decimals.bounded`);
* integer: the same, with a whole value (``12``, ``12.0``, ``"12"``);
* date: a :class:`datetime.date` or a text ``YYYY-MM-DD``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any

import attrs

from .decimals import bounded, is_multiple, is_whole, plain, tidy
from .errors import InputIssue
from .model import (
    AllOf,
    AnyOf,
    Cases,
    Condition,
    Criteria,
    Direct,
    Input,
    Lookup,
    Node,
    Not,
    Switch,
    Test,
)

_TRUE = {"true", "ya", "yes", "1"}
_FALSE = {"false", "tidak", "no", "0"}
_NUMBER = re.compile(r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


class BadValue(Exception):
    """A value does not fit its input; ``expected`` says what would."""

    def __init__(self, expected: str) -> None:
        super().__init__(expected)
        self.expected = expected


def describe(value: Any) -> str:
    """A short, unambiguous rendering of a value for error messages."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"boolean {value!s}".lower()
    if isinstance(value, str):
        text = value if len(value) <= 40 else value[:37] + "..."
        return f"text {text!r}"
    if isinstance(value, int) and value.bit_length() > 128:
        return "a number of more than 38 digits"
    if isinstance(value, Decimal):
        small = len(value.as_tuple().digits) <= 40 and -40 <= value.adjusted() <= 40
        return f"number {plain(value) if small else value}"
    if isinstance(value, int | float):
        return f"number {value}"
    if isinstance(value, dt.date):
        return f"date {value.isoformat()}"
    return type(value).__name__


def is_blank(value: Any) -> bool:
    """Whether a cell counts as missing."""
    return value is None or (isinstance(value, str) and not value.strip())


def to_decimal(value: Any, *, limit: bool = True) -> Decimal:
    """A number (not a boolean) as an exact Decimal, bounded unless ``limit`` is false;
    raise :class:`BadValue` otherwise."""
    if isinstance(value, bool):
        raise BadValue("a number")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        if value.bit_length() > 128 and limit:
            raise BadValue("a number below 10^15 in size")
        result = Decimal(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise BadValue("a finite number")
        result = Decimal(repr(value))
    elif isinstance(value, str):
        text = value.strip()
        if not _NUMBER.match(text):
            if re.fullmatch(r"[+-]?[0-9.]*,[0-9]+", text):
                raise BadValue("a number with a decimal point (22.5), not a decimal comma")
            if text.lower() in ("nan", "inf", "infinity", "-inf", "+inf", "-infinity"):
                raise BadValue("a finite number")
            raise BadValue("a number (digits with an optional decimal point)")
        result = Decimal(text)
    else:
        raise BadValue("a number")
    if not limit:
        if not result.is_finite():
            raise BadValue("a finite number")
        return result
    try:
        return bounded(result)
    except ValueError as exc:
        raise BadValue(str(exc)) from None


def coerce(inp: Input, value: Any) -> Any:
    """``value`` normalised for input ``inp``; raise :class:`BadValue` when it does not fit."""
    kind = inp.type
    if kind == "enum":
        return _enum(inp, value)
    if kind == "boolean":
        return _boolean(value)
    if kind == "date":
        result: Any = _date(value)
    elif kind == "integer":
        result = _integer(value)
    else:
        result = to_decimal(value)
    _bounds(inp, result)
    return result


def _enum(inp: Input, value: Any) -> str:
    if isinstance(value, bool):
        text = str(value).lower()
    elif isinstance(value, int) and value.bit_length() <= 128:
        text = str(value)
    elif isinstance(value, str):
        text = value.strip()
    else:
        text = None
    for code in inp.codes:
        if text == code.code or text in code.aliases:
            return code.code
    raise BadValue("one of " + ", ".join(inp.code_names))


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    raise BadValue("true or false (ya/tidak, 1/0)")


def _integer(value: Any) -> Decimal:
    try:
        number = to_decimal(value)
    except BadValue as bad:  # keep a specific reason (too large, not finite, ...)
        generic = bad.expected.startswith("a number (") or bad.expected == "a number"
        raise BadValue("a whole number") if generic else bad from None
    if not is_whole(number):
        raise BadValue("a whole number")
    return tidy(number)


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        raise BadValue("a date without a time (YYYY-MM-DD)")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and _DATE.match(value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise BadValue("a date YYYY-MM-DD")


def _bounds(inp: Input, value: Decimal | dt.date) -> None:
    lo, hi = inp.min, inp.max
    too_low = lo is not None and value < lo  # type: ignore[operator]
    too_high = hi is not None and value > hi  # type: ignore[operator]
    if too_low or too_high:
        if lo is not None and hi is not None:
            raise BadValue(f"a value from {show_bound(lo)} to {show_bound(hi)}")
        raise BadValue(
            f"a value of at least {show_bound(lo)}"
            if lo is not None
            else f"a value of at most {show_bound(hi)}"
        )
    if inp.step is not None and isinstance(value, Decimal):
        base = inp.min if isinstance(inp.min, Decimal) else Decimal(0)
        if not is_multiple(value, inp.step, base):
            start = f" from {plain(base)}" if base else ""
            raise BadValue(f"a multiple of {plain(inp.step)}{start}")


def show_bound(bound: Decimal | dt.date | None) -> str:
    """An input bound as text (a date in ISO form, a number in plain notation)."""
    assert bound is not None
    return bound.isoformat() if isinstance(bound, dt.date) else plain(bound)


def split_subject(
    criteria: Criteria, subject: Mapping[str, Any], row: int | None = None
) -> tuple[dict[str, Any], dict[str, Any], list[InputIssue]]:
    """Split a record into normalised input values, identifiers and the problems found
    (every one, each as an :class:`InputIssue`). Blank values are left out, and a default
    fills them; a field with a bad value is left out of the values."""
    if not isinstance(subject, Mapping):
        got = describe(subject)
        return {}, {}, [InputIssue("(record)", "a mapping of field names to values", got, row)]
    values: dict[str, Any] = {}
    ids: dict[str, Any] = {}
    issues: list[InputIssue] = []
    given: dict[str, str] = {}  # input -> the field name that gave it
    for field, raw in subject.items():
        if field in criteria.identifiers:
            ids[field] = raw
            continue
        name = criteria.fields.get(field)
        if name is None:
            allowed = ", ".join([*criteria.inputs, *criteria.identifiers])
            issues.append(
                InputIssue(str(field), f"a declared field ({allowed})", "an unknown field", row)
            )
            continue
        if name in given:
            issues.append(
                InputIssue(name, f"one value (given as {given[name]!r} and {field!r})", "two", row)
            )
            values.pop(name, None)
            continue
        given[name] = field
        if is_blank(raw):
            continue
        try:
            values[name] = coerce(criteria.inputs[name], raw)
        except BadValue as bad:
            issues.append(InputIssue(name, bad.expected, describe(raw), row))
    rejected = {i.field for i in issues}
    for name, inp in criteria.inputs.items():
        if name not in values and inp.default is not None and name not in rejected:
            values[name] = inp.default
    return values, ids, issues


# -- which inputs a subject must give -----------------------------------------------------------


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


# -- JSON Schema of a subject ----------------------------------------------------------------


def _json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if is_whole(value) else float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _property(inp: Input) -> dict[str, Any]:
    text = inp.label.id + (f". {inp.description}" if inp.description else "")
    prop: dict[str, Any] = {"title": inp.label.get("en"), "description": text}
    if inp.type == "enum":
        prop["enum"] = [*inp.code_names, *(a for c in inp.codes for a in c.aliases)]
    elif inp.type == "boolean":
        prop["type"] = "boolean"
    elif inp.type == "date":
        prop.update(type="string", format="date")
        if inp.min is not None:
            prop["formatMinimum"] = _json(inp.min)
        if inp.max is not None:
            prop["formatMaximum"] = _json(inp.max)
    else:
        prop["type"] = "integer" if inp.type == "integer" else "number"
        if inp.min is not None:
            prop["minimum"] = _json(inp.min)
        else:
            prop["exclusiveMinimum"] = -(10**15)  # every number is bounded (decimals.bounded)
        if inp.max is not None:
            prop["maximum"] = _json(inp.max)
        else:
            prop["exclusiveMaximum"] = 10**15
        if inp.step is not None:
            base = inp.min if isinstance(inp.min, Decimal) else Decimal(0)
            # multipleOf counts from 0 in binary floating point: only exact for steps such as
            # 1, 0.5 or 0.25 (a power of two as denominator) and a min on the same grid.
            dyadic = Fraction(inp.step).denominator & (Fraction(inp.step).denominator - 1) == 0
            if dyadic and is_multiple(base, inp.step):
                prop["multipleOf"] = _json(inp.step)
            prop["x-asnmerit-step"] = {"step": plain(inp.step), "from": plain(base)}
    if inp.default is not None:
        prop["default"] = _json(inp.default)
    return prop


def input_schema(criteria: Criteria) -> dict[str, Any]:
    """The JSON Schema of one subject record; inputs needed only on some paths
    (a switch branch) are required through ``if``/``then``. An input's aliases are
    accepted in its place, never beside it."""
    props: dict[str, Any] = {}
    rules: list[dict[str, Any]] = []
    for name, inp in criteria.inputs.items():
        props[name] = _property(inp)
        spellings = (name, *inp.aliases)
        for alias in inp.aliases:
            props[alias] = {"$ref": f"#/properties/{name}", "description": f"Alias of {name}."}
        for i, a in enumerate(spellings):
            rules.extend({"not": {"required": [a, b]}} for b in spellings[i + 1 :])
    for name, ident in criteria.identifiers.items():
        props[name] = {"title": ident.label.get("en"), "description": ident.label.id}
    needs = requirements(criteria)
    schema: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:asnmerit:schema:input:{criteria.id}:{criteria.version}",
        "title": f"{criteria.title.get('en')} ({criteria.id} {criteria.version}): one subject",
        "type": "object",
        "properties": props,
        "additionalProperties": False,
    }
    required = _present(criteria, needs.always)
    schema["required"] = required.pop("required", [])
    rules += required.get("allOf", [])
    rules += _rules(criteria, needs)
    if rules:
        schema["allOf"] = rules
    return schema


def _present(criteria: Criteria, names: frozenset[str]) -> dict[str, Any]:
    """Schema keywords that require the inputs ``names`` (those without a default),
    each under its own name or one of its aliases."""
    plain_names: list[str] = []
    either: list[dict[str, Any]] = []
    for n, inp in criteria.inputs.items():
        if n not in names or inp.default is not None or inp.derive is not None:
            continue
        if inp.aliases:
            either.append({"anyOf": [{"required": [f]} for f in (n, *inp.aliases)]})
        else:
            plain_names.append(n)
    out: dict[str, Any] = {}
    if plain_names:
        out["required"] = plain_names
    if either:
        out["allOf"] = either
    return out


def _rules(criteria: Criteria, needs: Needs) -> list[dict[str, Any]]:
    rules = []
    for field, code, sub in needs.branches:
        then = _present(criteria, sub.always)
        if nested := _rules(criteria, sub):
            then["allOf"] = then.get("allOf", []) + nested
        if then:
            inp = criteria.inputs[field]
            spelled = {"enum": _spellings(inp, code)}
            forms = [{"properties": {f: spelled}, "required": [f]} for f in (field, *inp.aliases)]
            if inp.default == code or (inp.type == "boolean" and inp.default is (code == "true")):
                forms.append({"not": {"anyOf": [{"required": [f]} for f in (field, *inp.aliases)]}})
            when = forms[0] if len(forms) == 1 else {"anyOf": forms}  # absent: the default
            rules.append({"if": when, "then": then})
    return rules


def _spellings(inp: Input, code: str) -> list[Any]:
    if inp.type == "boolean":
        return [code == "true"]
    aliases = next(c.aliases for c in inp.codes if c.code == code)
    return [code, *aliases]


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
