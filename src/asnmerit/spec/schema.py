"""The shipped JSON Schemas, and schema errors told in the words of a file's author.

:func:`criteria_schema` and :func:`result_schema` are the published contracts of a criteria
file and of an evaluation's trace; :func:`schema_check` validates a parsed document and yields
each error as a located :class:`~asnmerit.errors.Problem` (quoting the values it found, unless
read :func:`~asnmerit.spec.parse.unquoted`)."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator, Mapping
from decimal import Decimal
from importlib import resources
from typing import TYPE_CHECKING, Any

from ..errors import Problem
from .parse import Document, Path, quoting, shown

_KIND_KEYS = ("lookup", "cases", "direct", "sum", "weighted", "switch", "mean", "ref")

if TYPE_CHECKING:
    import jsonschema


_SIZE_WORDS = {
    "minItems": "at least {} item(s)",
    "maxItems": "at most {} item(s)",
    "minProperties": "at least {} entr(y/ies)",
    "maxProperties": "at most {} entr(y/ies)",
    "minLength": "at least {} character(s)",
    "maxLength": "at most {} character(s)",
    "minimum": "at least {}",
    "maximum": "at most {}",
    "exclusiveMinimum": "above {}",
    "exclusiveMaximum": "below {}",
}


_PATTERN_WORDS = {
    "^[a-z0-9][a-z0-9_-]*$": "a lower-case id (letters, digits, - and _)",
    "^[a-z][a-z0-9_]*$": "a lower-case name (a letter, then letters, digits and _)",
    "^[A-Za-z0-9][A-Za-z0-9_.-]*$": "a code (letters, digits, '.', '-' and '_')",
    "^[0-9]{4}-[0-9]{2}-[0-9]{2}$": "a date YYYY-MM-DD (quoted or not)",
}


@functools.cache
def criteria_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a criteria file, as shipped."""
    return shipped_schema("criteria-1.json")


def result_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of an evaluation's trace, ``Evaluation.to_dict()``
    (format ``asnmerit.result/1``), as shipped."""
    return shipped_schema("result-1.json")


def shipped_schema(name: str) -> dict[str, Any]:
    """The JSON Schema shipped as ``schemas/<name>`` in the package."""
    text = resources.files("asnmerit").joinpath(f"schemas/{name}").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@functools.cache
def validator(name: str) -> jsonschema.protocols.Validator:
    """A validator of the JSON Schema shipped as ``schemas/<name>`` (made once)."""
    import jsonschema  # imported on first use: it is the slowest import of the package

    schema = shipped_schema(name)
    cls = jsonschema.validators.validator_for(schema)
    checker: jsonschema.protocols.Validator = cls(schema)
    return checker


def schema_check(doc: Document, schema: str = "criteria-1.json") -> Iterator[Problem]:
    """Validate ``doc`` against a shipped schema (default: the criteria schema); yield
    located problems."""
    seen: set[Problem] = set()  # e.g. one "required" error per missing key, each naming all
    for error in validator(schema).iter_errors(doc.data):
        for problem in _explain(doc, error):
            if problem not in seen:
                seen.add(problem)
                yield problem


def value_kind(value: Any) -> str:
    """What ``value`` is, for a message: its kind, with the value itself unless
    :func:`~asnmerit.spec.parse.unquoted`."""
    kind, content = _kind(value)
    return f"{kind} ({content})" if content is not None and quoting() else kind


def _kind(value: Any) -> tuple[str, str | None]:
    if value is None:
        return "null", None
    if isinstance(value, bool):
        return "a boolean", None
    if isinstance(value, int):
        return "an integer", str(value)
    if isinstance(value, Decimal):
        return "a number", str(value)
    if isinstance(value, str):
        return "a text", repr(value if len(value) <= 30 else value[:27] + "...")
    if isinstance(value, list):
        return "a list", None
    if isinstance(value, dict):
        return "a mapping", None
    return type(value).__name__, None


def _types(expected: Any) -> str:
    names = {
        "object": "a mapping",
        "array": "a list",
        "string": "a text",
        "number": "a number",
        "integer": "an integer",
        "boolean": "a boolean (true/false)",
        "null": "null",
    }
    items = expected if isinstance(expected, list) else [expected]
    return " or ".join(names.get(str(t), str(t)) for t in items)


def _explain(doc: Document, error: jsonschema.ValidationError) -> Iterator[Problem]:
    path: Path = tuple(error.absolute_path)
    v: Any = error.validator
    value: Any = error.validator_value
    inst = error.instance
    if v in ("additionalProperties", "required", "dependentRequired") and isinstance(inst, dict):
        yield from _explain_keys(doc, error, path)
    elif v == "uniqueItems":
        yield doc.problem("schema.duplicate", "the items must differ from each other", path)
    elif v == "type":
        yield doc.problem("schema.type", f"expected {_types(value)}, got {value_kind(inst)}", path)
    elif v in ("enum", "const"):
        options = value if v == "enum" else [value]
        listed = ", ".join(json.dumps(o) for o in options)
        yield doc.problem("schema.enum", f"expected one of {listed}, got {value_kind(inst)}", path)
    elif v == "pattern":
        what = _PATTERN_WORDS.get(value, f"text matching {value}")
        # propertyNames errors point at the mapping; the instance is the offending key.
        is_key = error.relative_schema_path and "propertyNames" in error.schema_path
        where: Path = (*path, str(inst)) if is_key else path
        yield doc.problem(
            "schema.pattern", f"expected {what}, got {value_kind(inst)}", where, key=bool(is_key)
        )
    elif v in _SIZE_WORDS:
        want = _SIZE_WORDS[v].format(value)
        yield doc.problem("schema.range", f"expected {want}, got {value_kind(inst)}", path)
    elif v == "oneOf":
        yield from _explain_one_of(doc, error, path)
    else:  # pragma: no cover - every keyword the schema uses is handled above
        yield doc.problem("schema.invalid", shown(error.message), path)


def _explain_keys(
    doc: Document, error: jsonschema.ValidationError, path: Path
) -> Iterator[Problem]:
    """Keys of a mapping that are unknown, missing, or missing beside another."""
    v: Any = error.validator
    value: Any = error.validator_value
    inst = error.instance
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    if v == "additionalProperties" and isinstance(inst, dict):
        allowed = list(schema.get("properties", {}))
        for key in inst:
            if key not in allowed:
                yield doc.problem(
                    "schema.unknown-key",
                    f"unknown key {shown(repr(key))}; allowed here: {', '.join(allowed)}",
                    (*path, key),
                    key=True,
                )
    elif v == "required" and isinstance(inst, dict):
        for key in value:
            if key not in inst:
                yield doc.problem("schema.required", f"missing required key {key!r}", path)
    elif v == "dependentRequired" and isinstance(inst, dict):
        for key, needs in value.items():
            for need in needs:
                if key in inst and need not in inst:
                    yield doc.problem(
                        "schema.required",
                        f"{key!r} needs {need!r} beside it",
                        (*path, key),
                        key=True,
                    )


def _explain_one_of(
    doc: Document, error: jsonschema.ValidationError, path: Path
) -> Iterator[Problem]:
    """A value that matches none (or several) of the allowed forms."""
    value: Any = error.validator_value
    inst = error.instance
    objects = [i for i, b in enumerate(value) if b.get("type") == "object"]
    if not isinstance(inst, dict) and all(set(b) == {"required"} for b in value):
        return  # which keys a mapping needs: its "type" error already says it is none
    if isinstance(inst, dict) and objects:
        # Explain the mapping form the value comes closest to: most required keys given.
        def share(i: int) -> float:
            need = value[i].get("required", [])
            return sum(k in inst for k in need) / len(need) if need else 0.0

        best = max(objects, key=share)
        for sub in error.context or ():
            if sub.relative_schema_path[0] == best:
                yield from _explain(doc, sub)
    else:
        yield doc.problem("schema.form", _one_of_message(error), path)


def _one_of_message(error: jsonschema.ValidationError) -> str:
    inst = error.instance
    branches: Any = error.validator_value
    if isinstance(inst, dict) and all(set(b) == {"required"} for b in branches):
        keys = [b["required"][0] for b in branches]
        found = [k for k in keys if k in inst]
        if set(keys) == set(_KIND_KEYS):
            has = " and ".join(found) if found else "none"
            return f"a node needs exactly one kind ({', '.join(keys)}); found {has}"
        return f"needs exactly one of {', '.join(keys)}; found {' and '.join(found) or 'none'}"
    if not isinstance(inst, dict):
        return f"expected a number or a mapping with 'points', got {value_kind(inst)}"
    reasons = "; ".join(e.message for e in list(error.context or [])[:3])
    return f"does not match exactly one allowed form: {shown(reasons)}"
