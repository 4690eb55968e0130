"""Loading criteria: parse safely, validate against the JSON Schema, build, check.

All problems a file has are reported together, each as ``file:line:col CODE message``
(see :class:`~asnmerit.errors.CriteriaError`).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Iterator, Mapping
from decimal import Decimal
from importlib import resources
from typing import TYPE_CHECKING, Any

import attrs

from .build import Builder
from .decimals import ROUNDING, is_whole
from .errors import CriteriaError, Problem
from .model import Criteria
from .parse import Document, Limits, Path, parse_yaml

if TYPE_CHECKING:
    import jsonschema

SCHEMA_ID = "urn:asnmerit:schema:criteria:1"

_KIND_KEYS = ("lookup", "cases", "direct", "sum", "weighted", "switch", "mean", "ref")
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


def load(path: str | os.PathLike[str], *, limits: Limits | None = None) -> Criteria:
    """Load and check one criteria file; raise :class:`CriteriaError` listing every problem."""
    source = os.fspath(path)
    limits = limits or Limits()
    return loads(read_bytes(source, limits), source=source, limits=limits)


def read_bytes(source: str, limits: Limits) -> bytes:
    """The bytes of file ``source``, up to one past the size limit (the parser refuses more)."""
    try:
        with open(source, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size  # 0 for pipes and devices: read up to the limit
            return fh.read(min(size, limits.max_bytes) + 1 if size else limits.max_bytes + 1)
    except OSError as exc:
        raise CriteriaError(
            [Problem("file.unreadable", exc.strerror or str(exc), source)]
        ) from None


def loads(text: str | bytes, source: str = "<string>", *, limits: Limits | None = None) -> Criteria:
    """Load criteria from YAML (or JSON) text; ``source`` names it in error messages."""
    doc = parse_document(text, source, limits)
    base, inherited = None, frozenset[tuple[str, str]]()
    if "extends" in doc.data:
        from .extend import resolve

        extended = resolve(doc, limits or Limits())
        doc, base, inherited = extended.doc, extended.base, extended.inherited
        problems = sorted(schema_check(doc), key=_position_key)
        if problems:
            raise CriteriaError(problems)
    builder = Builder(doc, digest(doc.data), extends=base, inherited=inherited)
    criteria = builder.build()
    if builder.problems or criteria is None:
        raise CriteriaError(sorted(builder.problems, key=_position_key))
    return pruned(criteria)


def pruned(criteria: Criteria) -> Criteria:
    """``criteria`` whose document (and so digest) leaves out the inputs and references
    that were dropped while building (a base's entries that nothing uses any more), so that
    the digest is that of the content the criteria hold, as a file of their own would give."""
    doc = criteria.document
    if doc is None:
        return criteria
    kept = kept_data(doc.data, criteria)
    if kept is doc.data:
        return criteria
    document = Document(kept, doc.source, doc.positions, doc.key_positions)
    return attrs.evolve(criteria, digest=digest(kept), document=document)


def kept_data(data: dict[str, Any], criteria: Criteria) -> dict[str, Any]:
    """``data`` without the inputs and references ``criteria`` does not hold (``data``
    itself when there are none)."""
    out = data
    for section, kept in (("inputs", criteria.inputs), ("references", criteria.references)):
        entries = data.get(section)
        if isinstance(entries, Mapping) and any(name not in kept for name in entries):
            out = out if out is not data else dict(data)
            out[section] = {name: v for name, v in entries.items() if name in kept}
    return out


def parse_document(text: str | bytes, source: str, limits: Limits | None = None) -> Document:
    """Parse criteria text into a schema-valid :class:`Document`, or raise
    :class:`CriteriaError` with every problem found (parse and schema)."""
    doc, problems = parse_yaml(text, source, limits)
    if doc is None:
        raise CriteriaError(problems)
    if not isinstance(doc.data, dict):
        problems.append(
            doc.problem("schema.type", f"a criteria file is a mapping, not {_kind(doc.data)}", ())
        )
        raise CriteriaError(problems)
    problems.extend(sorted(schema_check(doc), key=_position_key))
    if problems:
        raise CriteriaError(problems)
    return doc


def digest(data: Any) -> str:
    """``sha256:`` of the canonical JSON of parsed criteria data (formatting-independent)."""
    canonical = json.dumps(
        data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_json_default
    )
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):  # 6 and 6.0 are the same number, and digest the same
        return int(value) if is_whole(value) else {"$decimal": str(value.normalize(ROUNDING))}
    raise TypeError(type(value).__name__)


def _position_key(p: Problem) -> tuple[int, int]:
    return (p.line or 0, p.column or 0)


# -- JSON Schema errors, in the words of the file's author -----------------------------------


def schema_check(doc: Document) -> Iterator[Problem]:
    """Validate ``doc`` against the criteria schema; yield located problems."""
    seen: set[Problem] = set()  # e.g. one "required" error per missing key, each naming all
    for error in validator("criteria-1.json").iter_errors(doc.data):
        for problem in _explain(doc, error):
            if problem not in seen:
                seen.add(problem)
                yield problem


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return f"an integer ({value})"
    if isinstance(value, Decimal):
        return f"a number ({value})"
    if isinstance(value, str):
        shown = value if len(value) <= 30 else value[:27] + "..."
        return f"a text ({shown!r})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


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
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    if v == "additionalProperties" and isinstance(inst, dict):
        allowed = list(schema.get("properties", {}))
        for key in inst:
            if key not in allowed:
                yield doc.problem(
                    "schema.unknown-key",
                    f"unknown key {key!r}; allowed here: {', '.join(allowed)}",
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
    elif v == "uniqueItems":
        yield doc.problem("schema.duplicate", "the items must differ from each other", path)
    elif v == "type":
        yield doc.problem("schema.type", f"expected {_types(value)}, got {_kind(inst)}", path)
    elif v in ("enum", "const"):
        options = value if v == "enum" else [value]
        shown = ", ".join(json.dumps(o) for o in options)
        yield doc.problem("schema.enum", f"expected one of {shown}, got {_kind(inst)}", path)
    elif v == "pattern":
        what = _PATTERN_WORDS.get(value, f"text matching {value}")
        # propertyNames errors point at the mapping; the instance is the offending key.
        is_key = error.relative_schema_path and "propertyNames" in error.schema_path
        where: Path = (*path, str(inst)) if is_key else path
        yield doc.problem(
            "schema.pattern", f"expected {what}, got {_kind(inst)}", where, key=bool(is_key)
        )
    elif v in _SIZE_WORDS:
        want = _SIZE_WORDS[v].format(value)
        yield doc.problem("schema.range", f"expected {want}, got {_kind(inst)}", path)
    elif v == "oneOf":
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
    else:  # pragma: no cover - every keyword the schema uses is handled above
        yield doc.problem("schema.invalid", error.message, path)


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
        return f"expected a number or a mapping with 'points', got {_kind(inst)}"
    return "does not match exactly one allowed form: " + "; ".join(
        e.message for e in list(error.context or [])[:3]
    )
