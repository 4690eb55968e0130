"""Subject records: checking and normalising their values, and their JSON Schema.

Normalisations (documented in ``docs/inputs.md``; nothing else is guessed):

* an empty cell (``None`` or a blank string) is a missing value; the input's ``default``
  applies, if it has one;
* enum: the code itself or one of its declared ``aliases``;
* boolean: ``True``/``False``, the integers 0/1, or the texts true/false, ya/tidak,
  yes/no, 1/0 (any case, surrounding spaces ignored);
* number: an int, a Decimal, a float (taken by its shortest repr: ``0.1`` -> ``0.1``),
  or a text with a decimal point (``22.5``); a decimal comma is an error, not a guess;
* integer: an int or a text of digits;
* date: a :class:`datetime.date` or an ISO text ``YYYY-MM-DD``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from .decimals import CONTEXT, plain
from .errors import InputError, InputIssue
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
    if isinstance(value, Decimal | int | float):
        return f"number {value}"
    if isinstance(value, dt.date):
        return f"date {value.isoformat()}"
    return type(value).__name__


def is_blank(value: Any) -> bool:
    """Whether a cell counts as missing."""
    return value is None or (isinstance(value, str) and not value.strip())


def to_decimal(value: Any) -> Decimal:
    """A number (not a boolean) as an exact Decimal; raise :class:`BadValue` otherwise."""
    if isinstance(value, bool):
        raise BadValue("a number")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise BadValue("a finite number")
        result = Decimal(repr(value))
    elif isinstance(value, str):
        text = value.strip()
        if "," in text:
            raise BadValue("a number with a decimal point (22.5), not a decimal comma")
        try:
            result = Decimal(text)
        except InvalidOperation:
            raise BadValue("a number") from None
    else:
        raise BadValue("a number")
    if not result.is_finite():
        raise BadValue("a finite number")
    return result


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
    expected = "one of " + ", ".join(inp.code_names)
    if not isinstance(value, str):
        raise BadValue(expected)
    for code in inp.codes:
        if value == code.code or value in code.aliases:
            return code.code
    raise BadValue(expected)


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
    except BadValue:
        raise BadValue("a whole number") from None
    if number != number.to_integral_value():
        raise BadValue("a whole number")
    return number


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        raise BadValue("a date without a time (YYYY-MM-DD)")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
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
        raise BadValue(f"a value from {_show(lo)} to {_show(hi)}")
    if inp.step is not None and isinstance(value, Decimal):
        base = inp.min if isinstance(inp.min, Decimal) else Decimal(0)
        if CONTEXT.remainder(CONTEXT.subtract(value, base), inp.step) != 0:
            raise BadValue(f"a multiple of {plain(inp.step)}")


def _show(bound: Decimal | dt.date | None) -> str:
    if bound is None:
        return "any"
    return bound.isoformat() if isinstance(bound, dt.date) else plain(bound)


def coerce_subject(
    criteria: Criteria, subject: Mapping[str, Any], row: int | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split a record into normalised input values and identifiers.

    Blank values are left out (a default fills them); every problem is collected
    into one :class:`InputError`.
    """
    values, ids, issues = split_subject(criteria, subject, row)
    if issues:
        raise InputError(issues)
    return values, ids


def split_subject(
    criteria: Criteria, subject: Mapping[str, Any], row: int | None = None
) -> tuple[dict[str, Any], dict[str, Any], list[InputIssue]]:
    """Like :func:`coerce_subject`, but return the problems instead of raising; a field
    with a bad value is left out of the values."""
    if not isinstance(subject, Mapping):
        got = describe(subject)
        return {}, {}, [InputIssue("(record)", "a mapping of field names to values", got, row)]
    values: dict[str, Any] = {}
    ids: dict[str, Any] = {}
    issues: list[InputIssue] = []
    for name, raw in subject.items():
        if name in criteria.identifiers:
            ids[name] = raw
            continue
        inp = criteria.inputs.get(name)
        if inp is None:
            allowed = ", ".join([*criteria.inputs, *criteria.identifiers])
            issues.append(
                InputIssue(str(name), f"a declared field ({allowed})", "an unknown field", row)
            )
            continue
        if is_blank(raw):
            continue
        try:
            values[name] = coerce(inp, raw)
        except BadValue as bad:
            issues.append(InputIssue(name, bad.expected, describe(raw), row))
    rejected = {i.field for i in issues}
    for name, inp in criteria.inputs.items():
        if name not in values and inp.default is not None and name not in rejected:
            values[name] = inp.default
    return values, ids, issues


# -- JSON Schema of a subject ----------------------------------------------------------------


def _property(inp: Input) -> dict[str, Any]:
    prop: dict[str, Any] = {"title": inp.label.get("en"), "description": inp.label.id}
    if inp.description:
        prop["description"] = inp.description
    if inp.type == "enum":
        prop["enum"] = [*inp.code_names, *(a for c in inp.codes for a in c.aliases)]
    elif inp.type == "boolean":
        prop["type"] = "boolean"
    elif inp.type == "date":
        prop.update(type="string", format="date")
    else:
        prop["type"] = "integer" if inp.type == "integer" else "number"
        if isinstance(inp.min, Decimal):
            prop["minimum"] = _json_number(inp.min)
        if isinstance(inp.max, Decimal):
            prop["maximum"] = _json_number(inp.max)
        if inp.step is not None:
            prop["multipleOf"] = _json_number(inp.step)
    if inp.default is not None:
        default = inp.default
        prop["default"] = _json_number(default) if isinstance(default, Decimal) else default
    return prop


def _json_number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def input_schema(criteria: Criteria) -> dict[str, Any]:
    """The JSON Schema of one subject record; inputs needed only on some paths
    (a switch branch) are required through ``if``/``then``."""
    props: dict[str, Any] = {name: _property(inp) for name, inp in criteria.inputs.items()}
    for name, ident in criteria.identifiers.items():
        props[name] = {"title": ident.label.get("en"), "description": ident.label.id}
    always, conditional = requirements(criteria)
    schema: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:asnmerit:schema:input:{criteria.id}:{criteria.version}",
        "title": f"{criteria.title.get('en')} ({criteria.id} {criteria.version}): one subject",
        "type": "object",
        "properties": props,
        "additionalProperties": False,
        "required": [n for n in always if criteria.inputs[n].default is None],
    }
    rules = []
    for (field, code), needed in conditional.items():
        need = [n for n in needed if n not in always and criteria.inputs[n].default is None]
        if need:
            spellings = _spellings(criteria.inputs[field], code)
            when = {"properties": {field: {"enum": spellings}}, "required": [field]}
            rules.append({"if": when, "then": {"required": need}})
    if rules:
        schema["allOf"] = rules
    return schema


def _spellings(inp: Input, code: str) -> list[Any]:
    if inp.type == "boolean":
        return [code == "true"]
    aliases = next(c.aliases for c in inp.codes if c.code == code)
    return [code, *aliases]


Needs = tuple[list[str], dict[tuple[str, str], list[str]]]


def requirements(criteria: Criteria) -> Needs:
    """Inputs a subject must give: those needed on every path, and those needed only
    when a switch input has a given code (``(input, code) -> names``), in declaration order."""
    always: set[str] = set()
    conditional: dict[tuple[str, str], set[str]] = {}
    for gate in criteria.eligibility:
        always |= condition_inputs(gate.require)

    def visit(node: Node, into: set[str]) -> None:
        kind = node.kind
        if isinstance(kind, Switch):
            into.add(kind.input)
            inp = criteria.inputs[kind.input]
            codes = ["true", "false"] if inp.type == "boolean" else list(inp.code_names)
            per_code = []
            for code in codes:
                branch = kind.branches.get(code, kind.otherwise)
                if branch is not None:
                    needed = conditional.setdefault((kind.input, code), set())
                    visit(branch, needed)
                    per_code.append(needed)
            if len(per_code) == len(codes):  # needed whatever the code: always needed
                into |= set.intersection(*per_code)
            return
        into |= node_inputs(node)
        for child in node.children:
            visit(child, into)

    visit(criteria.score, always)
    order = list(criteria.inputs)
    ranked = {k: [n for n in order if n in v] for k, v in conditional.items()}
    return [n for n in order if n in always], ranked


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
