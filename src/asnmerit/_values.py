"""Subject records: checking and normalising their values, and their JSON Schema.

Normalisations (documented in ``docs/inputs.md``; nothing else is guessed):

* an empty cell (``None``, a blank text, NaN, pandas' ``NA`` or ``NaT``) is a missing value;
  the input's ``default`` applies, if it has one; spaces around a text are ignored.
  Placeholders such as ``-``, ``NULL`` or ``n/a`` are not empty: they are errors;
* a numpy or pandas scalar counts as the value it holds (:func:`builtin`); a text with an
  unpaired surrogate (which no file can hold) is an error;
* enum: the code itself or one of its declared ``aliases``; failing that, the one code
  whose code or alias is equal once ASCII case, spaces, ``-``, ``.`` and ``_`` are ignored
  (:func:`fold`: ``"s-1"`` -> ``"S1"``; no Unicode case folding: a long s, U+017F, is not
  ``s``). An integer or a boolean counts as its text (``2`` -> ``"2"``, ``True`` -> ``"true"``);
* boolean: ``True``/``False``, the integers 0/1, or the texts true/false, ya/tidak,
  yes/no, 1/0 (any ASCII case);
* number: an int, a Decimal, a float (taken by its shortest repr: ``0.1`` -> ``0.1``),
  or a text of ASCII digits with an optional sign and decimal point (``22.5``); a decimal
  comma, a thousands separator or an exponent is an error, not a guess; so is a dot before
  exactly three digits (``1.000``) when the text, read as Indonesian thousands, is also a
  valid value of the input (one thousand, or one?). Numbers must be bounded
  (see :func:`asnmerit._decimal.bounded`);
* integer: the same, with a whole value (``12``, ``12.0``, ``"12"``);
* date: a :class:`datetime.date` or a text ``YYYY-MM-DD``;
* identifiers pass through as given, unless they declare a ``format`` (:data:`FORMATS`),
  which checks and normalises them (``nip``: the 18 digits of an NIP).
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import numbers
import re
import string
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs

from . import _decimal as D
from ._decimal import bounded, is_multiple, is_whole, plain, tidy
from .errors import BadValue

if TYPE_CHECKING:
    from .model import Identifier, Input

_BOOLEAN = {
    "".join(spelt): word in ("true", "ya", "yes", "1")
    for word in ("true", "ya", "yes", "1", "false", "tidak", "no", "0")
    for spelt in itertools.product(*({c, c.upper()} for c in word))
}
"""The spellings of a boolean, in every ASCII case (``TIDAK``, ``Ya``, ...)."""
_NUMBER = re.compile(r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_THOUSANDS = re.compile(r"^[+-]?[1-9][0-9]{0,2}\.[0-9]{3}$")
_FOLD = re.compile(r"[\s._-]+")
_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
_SURROGATE = re.compile("[\ud800-\udfff]")
_PLAIN = frozenset({str, int, float, bool, Decimal, dt.date, dt.datetime, type(None)})
"""Types :func:`builtin` leaves as they are without a look at the value's module."""
PLACEHOLDERS = frozenset({"-", "--", "\u2013", "\u2014", "null", "none", "n/a", "na", "#n/a"})
"""Texts that stand for "no value" in some exports; they are refused, never read as empty
(compared case-folded)."""


def builtin(value: Any) -> Any:
    """``value`` as a built-in value: a numpy or pandas scalar by the value it holds (a
    float16 or float32 by its shortest text, as numpy prints it; a date and time at midnight
    as its date: pandas and numpy have no dates; NA and NaT as ``None``); other values as
    given. Recognised by their type's module: numpy and pandas are never imported."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    module = kind.__module__.partition(".")[0]
    if module == "pandas":
        return None if kind.__name__ in ("NAType", "NaTType") else _date_of(value)
    if module != "numpy":
        return value
    if kind.__name__ in ("bool", "bool_"):  # not a subclass of bool, nor a number
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):  # float64 is a float; the others print shortest
        return float(value) if isinstance(value, float) else float(str(value))
    if isinstance(value, str):
        return str(value)
    if kind.__name__ == "datetime64":
        item = value.item()  # a date, a datetime, None (NaT), or an int (in nanoseconds)
        return value if isinstance(item, int) else _date_of(item)
    return value


def _date_of(value: Any) -> Any:
    """A date and time at midnight without a time zone as its date; other values as given."""
    if not isinstance(value, dt.datetime) or value.tzinfo is not None:
        return value
    midnight = value.time() == dt.time() and not getattr(value, "nanosecond", 0)
    return value.date() if midnight else value


def _unpaired(text: str) -> re.Match[str] | None:
    """The first unpaired surrogate of ``text`` (UTF-8 cannot encode it), if any."""
    return None if text.isascii() else _SURROGATE.search(text)


def _escaped(text: str) -> str:
    """``text`` with each unpaired surrogate as an escape (``\\ud800``)."""
    return text.encode("utf-8", "backslashreplace").decode() if _unpaired(text) else text


def writable(value: Any) -> Any:
    """``value`` as any file can hold it: a text with an unpaired surrogate escaped."""
    return _escaped(value) if isinstance(value, str) else value


def checked(value: Any) -> Any:
    """:func:`builtin` of ``value``; raise :class:`BadValue` for a text with an unpaired
    surrogate (as JSON can hold: ``"\\ud800"``)."""
    if type(value) is not str:
        value = builtin(value)
        if not isinstance(value, str):
            return value
    if _unpaired(value):
        raise BadValue("text")
    return value


def describe(value: Any) -> str:
    """A short, unambiguous rendering of a value for error messages."""
    value = builtin(value)
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"boolean {value!s}".lower()
    if isinstance(value, str):
        if bad := _unpaired(value):
            return f"a text with an unpaired surrogate U+{ord(bad.group()):04X}"
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
    """Whether a cell counts as missing: ``None``, a text of white space only, NaN, or
    pandas' NA or NaT."""
    if type(value) is str:
        return not value.strip()
    value = builtin(value)
    if isinstance(value, str):
        return not value.strip()
    return value is None or (isinstance(value, float) and math.isnan(value))


def lower(text: str) -> str:
    """``text`` with its ASCII letters in lower case, and nothing else changed."""
    return text.lower() if text.isascii() else text.translate(_LOWER)


def fold(text: str) -> str:
    """``text`` as codes (and column headers) are compared when no spelling matches
    exactly: ASCII letters in lower case, without white space, ``-``, ``.`` and ``_``
    (``"S-1"``, ``" s1 "`` and ``"S.1"`` all fold to ``"s1"``). No Unicode case folding:
    a long s (U+017F) or a Kelvin sign (U+212A) stays as it is, not ``s`` or ``k``."""
    return _FOLD.sub("", lower(text))


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
        result = Decimal(float.__repr__(value))  # a float64's own repr names its type
    elif isinstance(value, str):
        text = value.strip()
        if not _NUMBER.match(text):
            if re.fullmatch(r"[+-]?[0-9.]*,[0-9]+", text):
                raise BadValue("a number with a decimal point (22.5), not a decimal comma")
            if lower(text) in ("nan", "inf", "infinity", "-inf", "+inf", "-infinity"):
                raise BadValue("a finite number")
            raise BadValue("a number (digits with an optional decimal point)")
        result = Decimal(text)
    elif (native := builtin(value)) is not value:
        return to_decimal(native, limit=limit)
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
    try:
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
    except BadValue:  # a numpy or pandas scalar, or a text no file can hold? (the slow path)
        native = checked(value)
        if native is value:
            raise
    return coerce(inp, native, exact=exact)


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
    if isinstance(value, str) and (known := _BOOLEAN.get(value.strip())) is not None:
        return known
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
    """``value`` of identifier ``ident`` as a built-in value, normalised by its format (if it
    has one; a blank value stays as given, NaN as ``None``); raise :class:`BadValue` when
    the format refuses it, or for a text with an unpaired surrogate."""
    if type(value) is not str or not value.isascii():  # an ASCII text is as checked gives it
        value = checked(value)
        if isinstance(value, float) and math.isnan(value):
            return None
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


# -- which inputs a subject must give -----------------------------------------------------------


# -- JSON Schema of a subject ----------------------------------------------------------------


def json_value(value: Any) -> Any:
    """A value as JSON data: decimals and dates as text, containers converted throughout,
    numpy and pandas scalars as :func:`builtin` values, unpaired surrogates escaped."""
    value = builtin(value)
    if isinstance(value, str):
        return _escaped(value)
    if isinstance(value, Decimal):
        return D.plain(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {_escaped(str(k)): json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    return value


def show_value(value: Any) -> str:
    """A value as text: booleans lower case, decimals plain, dates in ISO form."""
    value = builtin(value)
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, Decimal):
        return D.plain(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return _escaped(str(value))


def cell(value: Any) -> str:
    """A value as one text cell: decimals and dates as text, ``true``/``false``, blank for none."""
    value = json_value(value)
    if value is None:
        return ""
    return str(value).lower() if isinstance(value, bool) else str(value)


# -- tables ---------------------------------------------------------------------------

TABLES = {"pandas": {"DataFrame"}, "polars": {"DataFrame"}, "pyarrow": {"Table", "RecordBatch"}}
"""The table classes of each library that :func:`asnmerit.evaluate_frame` and the verbs
that combine results take."""


def is_table(value: Any) -> bool:
    """Whether ``value`` is a pandas or polars DataFrame or a pyarrow Table or RecordBatch
    (told by its class, without importing any of these libraries)."""
    kind = type(value)
    return kind.__name__ in TABLES.get(kind.__module__.split(".")[0], ())
