"""The JSON Schema (draft 2020-12) of one subject record of a scheme.

Generated from the inputs and identifiers a criteria file declares, and from what its score
tree needs (:func:`asnmerit.model.requirements`): :meth:`asnmerit.model.Criteria.input_schema`
gives it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from ._decimal import is_multiple, is_whole, plain
from ._values import FORMATS

if TYPE_CHECKING:
    from .model import Criteria, Input, Needs


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


def input_schema(criteria: Criteria, needs: Needs) -> dict[str, Any]:
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
        if ident.format is not None:  # the shape only: dates and digits are checked on use
            props[name].update(
                {
                    "type": ["string", "integer"],
                    "pattern": FORMATS[ident.format].pattern,
                    "x-asnmerit-format": ident.format,
                }
            )
        if ident.unique:
            props[name]["x-asnmerit-unique"] = True
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
