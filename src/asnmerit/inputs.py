"""Subject records: checking and normalising their values, and their JSON Schema.

Normalisations (documented in ``docs/inputs.md``; nothing else is guessed):

* an empty cell (``None`` or a blank text) is a missing value; the input's ``default``
  applies, if it has one; spaces around a text are ignored. Placeholders such as ``-``,
  ``NULL`` or ``n/a`` are not empty: they are errors;
* enum: the code itself or one of its declared ``aliases``; failing that, the one code
  whose code or alias is equal once case, spaces, ``-``, ``.`` and ``_`` are ignored
  (:func:`fold`: ``"s-1"`` -> ``"S1"``). An integer or a boolean counts as its text
  (``2`` -> ``"2"``, ``True`` -> ``"true"``);
* boolean: ``True``/``False``, the integers 0/1, or the texts true/false, ya/tidak,
  yes/no, 1/0 (any case);
* number: an int, a Decimal, a float (taken by its shortest repr: ``0.1`` -> ``0.1``),
  or a text of ASCII digits with an optional sign and decimal point (``22.5``); a decimal
  comma, a thousands separator or an exponent is an error, not a guess; so is a dot before
  exactly three digits (``1.000``) when the text, read as Indonesian thousands, is also a
  valid value of the input (one thousand, or one?). Numbers must be bounded
  (see :func:`asnmerit.decimals.bounded`);
* integer: the same, with a whole value (``12``, ``12.0``, ``"12"``);
* date: a :class:`datetime.date` or a text ``YYYY-MM-DD``;
* identifiers pass through as given, unless they declare a ``format`` (:data:`FORMATS`),
  which checks and normalises them (``nip``: the 18 digits of an NIP).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable, Mapping
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
    Identifier,
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
_THOUSANDS = re.compile(r"^[+-]?[1-9][0-9]{0,2}\.[0-9]{3}$")
_FOLD = re.compile(r"[\s._-]+")
PLACEHOLDERS = frozenset({"-", "--", "\u2013", "\u2014", "null", "none", "n/a", "na", "#n/a"})
"""Texts that stand for "no value" in some exports; they are refused, never read as empty
(compared case-folded)."""


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
    """Whether a cell counts as missing: ``None`` or a text of white space only."""
    return value is None or (isinstance(value, str) and not value.strip())


def fold(text: str) -> str:
    """``text`` as enum spellings are compared when no code or alias matches exactly:
    case-folded, without white space, ``-``, ``.`` and ``_`` (``"S-1"``, ``" s1 "`` and
    ``"S.1"`` all fold to ``"s1"``)."""
    return _FOLD.sub("", text.casefold())


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


def coerce(inp: Input, value: Any, *, exact: bool = False) -> Any:
    """``value`` normalised for input ``inp``; raise :class:`BadValue` when it does not fit.
    With ``exact``, an enum value must be a code or an alias as spelt (criteria files name
    codes exactly; the folded comparison is for subject data)."""
    kind = inp.type
    if kind == "enum":
        return _enum(inp, value, exact)
    if kind == "boolean":
        return _boolean(value)
    if kind == "date":
        result: Any = _date(value)
    elif kind == "integer":
        result = _integer(value)
    else:
        result = to_decimal(value)
    _bounds(inp, result)
    if isinstance(value, str) and _THOUSANDS.match(value.strip()):
        _unambiguous(inp, value.strip())
    return result


def _enum(inp: Input, value: Any, exact: bool = False) -> str:
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
    if text is not None and not exact and (key := fold(text)):
        for code in inp.codes:
            if any(fold(spelling) == key for spelling in (code.code, *code.aliases)):
                return code.code  # the loader made sure no other code folds the same
    raise BadValue("one of " + ", ".join(inp.code_names))


def _unambiguous(inp: Input, text: str) -> None:
    """Refuse a text such as ``1.000`` (a dot before exactly three digits) when, read with
    the dot as a thousands separator (Indonesian usage), it is also a valid value of ``inp``:
    one thousand or one? ``88.125`` for a score of at most 100 has one reading only."""
    try:
        other = (
            _integer(text.replace(".", ""))
            if inp.type == "integer"
            else to_decimal(text.replace(".", ""))
        )
        _bounds(inp, other)
    except BadValue:
        return
    raise BadValue(
        f"a number without thousands separators ({text} could be {plain(other)}: write "
        f"{plain(other)}, or add a zero ({text}0) for the decimal"
    )


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


# -- identifier formats --------------------------------------------------------------------

_NIP = re.compile(r"^([0-9]{8})[ .-]?([0-9]{6})[ .-]?([0-9])[ .-]?([0-9]{3})$")
_NUMBER_FORM = re.compile(r"^[+-]?[0-9]*[.,]?[0-9]+[eE][+-]?[0-9]+$|^[0-9]+\.0+$")
_NIP_SHAPE = (
    "an NIP of 18 digits (birth date YYYYMMDD, appointment YYYYMM, sex, sequence number), "
    "with at most one space, '.' or '-' between those groups"
)
_NIP_AS_TEXT = (
    "an NIP stored as text: 18 digits do not fit a number cell, so format the column as text"
)


def _is_18_digits(text: str) -> bool:
    return len(text) == 18 and text.isascii() and text.isdigit()


def nip(value: Any) -> str:
    """The 18 digits of a civil servant's number (NIP, Peraturan Kepala BKN 22/2007) or of
    a PPPK's NI PPPK; raise :class:`BadValue` otherwise.

    Digits 1-8 are the birth date (YYYYMMDD, a calendar date from 1900), 9-14 the year and
    month of appointment as CPNS (YYYYMM, after the birth; in an NI PPPK: the year of
    appointment, then ``2`` and a digit 1-9), 15 the sex (1 male, 2 female), 16-18 a
    sequence number. Printed forms (``19860926 201505 1 001``, ``19660801.198803.1.001``)
    are accepted; an int is taken as its digits; a float, or a text in exponent form
    (``1.98609E+17``), lost digits in a spreadsheet and is refused."""
    if isinstance(value, bool) or (isinstance(value, int) and not 0 <= value < 10**18):
        raise BadValue(_NIP_SHAPE)
    if isinstance(value, int):
        text = str(value)
        plain = False
    elif isinstance(value, float | Decimal):
        raise BadValue(_NIP_AS_TEXT)
    elif isinstance(value, str):
        text = value.strip()
        plain = _is_18_digits(text)
    else:
        raise BadValue(_NIP_SHAPE)
    if plain:  # the usual form: no pattern to match
        born, appointed, sex, seq = text[:8], text[8:14], text[14], text[15:]
    else:
        match = _NIP.match(text)
        if match is None:  # a number a spreadsheet made of it, or no NIP at all
            raise BadValue(_NIP_AS_TEXT if _NUMBER_FORM.match(text) else _NIP_SHAPE)
        born, appointed, sex, seq = match.groups()  # a printed form ("... 201505.001" too)
    try:
        birth = dt.date(int(born[:4]), int(born[4:6]), int(born[6:]))
    except ValueError:
        birth = None
    if birth is None or birth.year < 1900:
        raise BadValue(
            f"an NIP whose digits 1-8 are a birth date YYYYMMDD from 1900 on, not {born}"
        )
    year, month = int(appointed[:4]), appointed[4:]
    pppk = month[0] == "2" and month[1] != "0"  # NI PPPK: the year, 2, a digit 1-9
    if not pppk and not "01" <= month <= "12":
        raise BadValue(
            "an NIP whose digits 9-14 are the year and month of appointment YYYYMM "
            f"(an NI PPPK: the year, 2 and a digit 1-9), not {appointed}"
        )
    after = year > birth.year if pppk else (year, int(month)) > (birth.year, birth.month)
    if not after:
        raise BadValue(
            f"an NIP whose appointment (digits 9-14, {appointed}) comes after the birth "
            f"(digits 1-8, {born})"
        )
    if sex not in ("1", "2"):
        raise BadValue(f"an NIP whose digit 15 is 1 (male) or 2 (female), not {sex}")
    return born + appointed + sex + seq


@attrs.frozen
class Format:
    """A known format of identifier values (``format:`` of an identifier)."""

    name: str
    normalise: Callable[[Any], Any]
    """The normal value of an accepted value; raises :class:`BadValue` for the rest."""
    pattern: str
    """A regular expression (JSON Schema ``pattern``) of the accepted texts' shape."""


FORMATS: Mapping[str, Format] = {f.name: f for f in (Format("nip", nip, _NIP.pattern),)}
"""Every known identifier format by name; the criteria schema lists the same names."""


def identifier_value(ident: Identifier, value: Any) -> Any:
    """``value`` of identifier ``ident``, normalised by its format (if it has one; a blank
    value stays as given); raise :class:`BadValue` when the format refuses it."""
    if ident.format is None or is_blank(value):
        return value
    return FORMATS[ident.format].normalise(value)


def identifier_key(ident: Identifier, value: Any) -> str | None:
    """The text two records share when they hold the same value of ``ident`` (its normal
    value, without surrounding spaces), or ``None`` for a blank or refused value."""
    if is_blank(value):
        return None
    try:
        normal = identifier_value(ident, value)
    except BadValue:
        return None
    return normal_key(normal)


def normal_key(normal: Any) -> str:
    """The text of :func:`identifier_key` for an identifier's normal (accepted) value."""
    if isinstance(normal, Decimal) and normal.is_finite() and abs(normal.adjusted()) <= 40:
        return plain(tidy(normal))  # 10 and 10.0 are one value
    if isinstance(normal, bool):
        return str(normal).lower()
    if isinstance(normal, int) and normal.bit_length() > 128:  # str() refuses huge ints
        return f"{normal:#x}"
    return normal.strip() if isinstance(normal, str) else str(normal)


Shared = dict[int, list[tuple[str, list[int]]]]
"""Rows (0-based) that share a ``unique`` identifier's value: row -> (identifier, the
other rows holding its value) for each such identifier."""


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
            found.setdefault(pos, []).append((unique[k].name, [p for p in positions if p != pos]))
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
                ids[field] = raw
                issues.append(_issue(field, bad, raw, row))
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
            issues.append(_issue(name, bad, raw, row))
    rejected = {i.field for i in issues}
    for name, inp in criteria.inputs.items():
        if name not in values and inp.default is not None and name not in rejected:
            values[name] = inp.default
    return values, ids, issues


def _issue(field: str, bad: BadValue, raw: Any, row: int | None) -> InputIssue:
    """The issue of a refused value; a placeholder (``-``, ``NULL``) is told how to say
    "no value"."""
    hint = isinstance(raw, str) and raw.strip().casefold() in PLACEHOLDERS
    expected = bad.expected + ("; an empty cell for no value" if hint else "")
    return InputIssue(field, expected, describe(raw), row)


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
