"""A subject record taken in: its fields split into normalised input values and identifiers,
every problem collected as an :class:`~asnmerit.errors.InputIssue`; and the records of a batch
that share the value of a ``unique`` identifier."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .._values import (
    PLACEHOLDERS,
    coerce,
    describe,
    identifier_key,
    identifier_value,
    is_blank,
    writable,
)
from ..errors import BadValue, InputIssue
from ..model import Criteria

EXTRA_CELLS = "(extra cells)"
"""The field under which a reader gives the cells of a row beyond its header."""
READ_PROBLEMS = "(read problems)"
"""The field under which a reader gives what it could not read in a row: ``(field,
expected, got)`` per cell."""
RESERVED = frozenset({EXTRA_CELLS, READ_PROBLEMS})
"""Fields a reader adds to a record: never a column, always an issue of the row."""

Shared = dict[int, list[tuple[str, list[int]]]]
"""Rows (0-based) that share a ``unique`` identifier's value: row -> (identifier, every row
holding its value, this one too) for each such identifier. The rows of one value are one
list, shared by all of them: memory grows with the rows, not with their square."""


def duplicates(criteria: Criteria, records: Iterable[Any]) -> Shared:
    """The records (by 0-based position) that share the value of a ``unique`` identifier,
    in one pass that keeps only each value's first row (and every row of a value seen
    twice): memory grows with the distinct values, not with the records."""
    unique = [i for i in criteria.identifiers.values() if i.unique]
    first: list[dict[str, int]] = [{} for _ in unique]
    more: dict[tuple[int, str], list[int]] = {}
    for pos, record in enumerate(records):
        if not isinstance(record, Mapping):
            continue
        for k, ident in enumerate(unique):
            key = identifier_key(ident, record.get(ident.name))
            if key is None:
                continue
            seen = first[k].setdefault(key, pos)
            if seen != pos:
                more.setdefault((k, key), [seen]).append(pos)
    found: Shared = {}
    # in the order the values were first seen (then by identifier), as a reader meets them
    for (k, _), positions in sorted(more.items(), key=lambda item: (item[1][0], item[0][0])):
        for pos in positions:
            found.setdefault(pos, []).append((unique[k].name, positions))
    return found


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
            try:
                ids[field] = identifier_value(criteria.identifiers[field], raw)
            except BadValue as bad:
                ids[field] = writable(raw)  # kept as found, but writable
                issues.append(_issue(field, bad, raw, row))
            continue
        name = criteria.fields.get(field)
        if field in RESERVED:
            issues.extend(_reserved(field, raw, row))
            continue
        if name is None:
            allowed = ", ".join([*criteria.inputs, *criteria.identifiers])
            issues.append(
                InputIssue(
                    writable(str(field)), f"a declared field ({allowed})", "an unknown field", row
                )
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
            issues.append(_issue(name, bad, raw, row))
    rejected = {i.field for i in issues}
    for name, inp in criteria.inputs.items():
        if name not in values and inp.default is not None and name not in rejected:
            values[name] = inp.default
    return values, ids, issues


def _issue(field: str, bad: BadValue, raw: Any, row: int | None) -> InputIssue:
    """The issue of a refused value; a placeholder (``-``, ``NULL``) is told how to say
    "no value"."""
    hint = isinstance(raw, str) and raw.strip().lower() in PLACEHOLDERS
    expected = bad.expected + ("; an empty cell for no value" if hint else "")
    return InputIssue(field, expected, describe(raw), row)


def _reserved(field: str, raw: Any, row: int | None) -> list[InputIssue]:
    """The issues a reader noted in a row."""
    if field == READ_PROBLEMS and isinstance(raw, list):
        return [InputIssue(str(f), str(e), str(g), row) for f, e, g in raw]
    cells = raw if isinstance(raw, list) else [raw]
    shown = ", ".join(describe(c) for c in cells[:3]) + (", ..." if len(cells) > 3 else "")
    return [InputIssue(field, "no cells beyond the header's columns", shown, row)]
