"""Exact decimal arithmetic, independent of the caller's decimal context.

Every number asnmerit accepts (in a criteria file or a subject record) is *bounded*: at
most 30 significant digits, below 10**15 in size and with at most 15 decimal places
(:func:`bounded`). Additions, subtractions and multiplications of such numbers run in a
private 100-digit context that traps any rounding, so they are exact. Divisions (a
normalisation, a mean) are done on exact fractions and turned into a decimal once, at
the end: exactly when the quotient has a finite decimal expansion, otherwise correctly
rounded to 34 significant digits; the criteria file's declared rounding then applies.
No operation depends on ``decimal.getcontext()``: every public operation (scoring,
ranking, aggregating, what-if, reports ...) runs under :func:`own_context`, so even plain
operators (``-score``, ``a + b``, ``abs``) never see the caller's context.
"""

from __future__ import annotations

import decimal
import functools
from collections.abc import Callable, Iterable
from decimal import Decimal
from fractions import Fraction
from typing import ParamSpec, TypeVar

_TRAPS = [decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow]

EXACT = decimal.Context(prec=100, Emin=-999999, Emax=999999, traps=[*_TRAPS, decimal.Inexact])
"""Adds, subtracts and multiplies; raises :class:`decimal.Inexact` rather than round."""

ROUNDING = decimal.Context(
    prec=100, rounding=decimal.ROUND_HALF_EVEN, Emin=-999999, Emax=999999, traps=_TRAPS
)
"""Quantizes (declared rounding) and remainders."""

QUOTIENT = decimal.Context(
    prec=34, rounding=decimal.ROUND_HALF_EVEN, Emin=-999999, Emax=999999, traps=_TRAPS
)
"""Turns a quotient without a finite decimal expansion into 34 significant digits."""

CONTEXT = decimal.Context(
    prec=100, rounding=decimal.ROUND_HALF_EVEN, Emin=-999999, Emax=999999, traps=_TRAPS
)
"""The context public operations run in (:func:`own_context`), whatever the caller's."""

ZERO = Decimal(0)
ONE = Decimal(1)

P = ParamSpec("P")
R = TypeVar("R")


def own_context(func: Callable[P, R]) -> Callable[P, R]:
    """``func`` run in asnmerit's own decimal context (:data:`CONTEXT`), never the
    caller's; the caller's context is back, untouched, when it returns."""

    @functools.wraps(func)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with decimal.localcontext(CONTEXT):
            return func(*args, **kwargs)

    return run


MAX_DIGITS = 30
MAX_PLACES = 15
LIMIT = Decimal(10) ** 15

MODES = {
    "half_up": decimal.ROUND_HALF_UP,
    "half_even": decimal.ROUND_HALF_EVEN,
    "half_down": decimal.ROUND_HALF_DOWN,
    "up": decimal.ROUND_UP,
    "down": decimal.ROUND_DOWN,
    "ceiling": decimal.ROUND_CEILING,
    "floor": decimal.ROUND_FLOOR,
}
"""Rounding modes by name. ``half_up`` rounds halves away from zero (-0.25 -> -0.3 at one place)."""


def bounded(value: Decimal) -> Decimal:
    """``value`` if it is a number asnmerit accepts, else :class:`ValueError` saying why.

    Negative zero becomes zero; trailing zeros do not count (``22.50`` is fine).
    """
    if not value.is_finite():
        raise ValueError("a finite number")
    if value.is_zero():
        return ZERO
    if value.adjusted() >= 15:
        raise ValueError("a number below 10^15 in size")
    _, digits, exponent = value.as_tuple()
    significant = "".join(map(str, digits)).rstrip("0")
    places = -(int(exponent) + len(digits) - len(significant))
    if len(significant) > MAX_DIGITS:
        raise ValueError(f"a number of at most {MAX_DIGITS} significant digits")
    if places > MAX_PLACES:
        raise ValueError(f"a number with at most {MAX_PLACES} decimal places")
    return value


def total(values: Iterable[Decimal]) -> Decimal:
    """The exact sum of an iterable of decimals."""
    acc = ZERO
    for v in values:
        acc = EXACT.add(acc, v)
    return acc


def mul(a: Decimal, b: Decimal) -> Decimal:
    """The exact product ``a * b``."""
    return EXACT.multiply(a, b)


def sub(a: Decimal, b: Decimal) -> Decimal:
    """The exact difference ``a - b``."""
    return EXACT.subtract(a, b)


def from_fraction(value: Fraction) -> Decimal:
    """A fraction as a decimal: exact when it has a finite expansion, else 34 digits."""
    den = value.denominator
    twos = fives = 0
    while den % 2 == 0:
        den, twos = den // 2, twos + 1
    while den % 5 == 0:
        den, fives = den // 5, fives + 1
    if den == 1:  # a finite expansion: scale to a power of ten, exactly
        k = max(twos, fives)
        scaled = value.numerator * 2 ** (k - twos) * 5 ** (k - fives)
        return Decimal(f"{scaled}E-{k}") if k else Decimal(scaled)
    return QUOTIENT.divide(Decimal(value.numerator), Decimal(value.denominator))


def round_fraction(value: Fraction, mode: str) -> int:
    """``value`` rounded to a whole number with ``mode`` (a rounding mode name), exactly."""
    whole = value.numerator // value.denominator  # floor
    rest = value - whole
    if rest == 0:
        return whole
    up = whole + 1  # the whole numbers around value: whole < value < up
    away, toward = (up, whole) if value > 0 else (whole, up)
    if mode == "floor":
        return whole
    if mode == "ceiling":
        return up
    if mode == "up":
        return away
    if mode == "down":
        return toward
    half = Fraction(1, 2)
    if rest != half:
        return up if rest > half else whole
    if mode == "half_up":
        return away
    if mode == "half_down":
        return toward
    return whole if whole % 2 == 0 else up  # half_even


def round_mean(total: Decimal, count: int, places: int, mode: str = "half_up") -> Decimal:
    """``total / count`` rounded to ``places`` decimals with ``mode``, from the exact
    fraction (rounded once, never through a 34-digit intermediate)."""
    return round_ratio(total, Decimal(count), places, mode)


def round_ratio(a: Decimal, b: Decimal, places: int, mode: str = "half_up") -> Decimal:
    """``a / b`` rounded to ``places`` decimals with ``mode``, from the exact fraction."""
    scaled = round_fraction(Fraction(a) * 10**places / Fraction(b), mode)
    return Decimal(f"{scaled}E-{places}") if places else Decimal(scaled)


def div(a: Decimal, b: Decimal) -> Decimal:
    """``a / b``: exact when the quotient has a finite decimal expansion, else 34 digits."""
    return from_fraction(Fraction(a) / Fraction(b))


def weighted_sum(
    terms: Iterable[tuple[Decimal, Decimal, Decimal | None]], scale: Decimal = ONE
) -> Decimal:
    """``scale x sum(weight x value / divisor)`` over ``(weight, value, divisor)`` terms
    (no division where the divisor is ``None``), computed exactly and converted once."""
    acc = Fraction(0)
    for weight, value, divisor in terms:
        term = Fraction(weight) * Fraction(value)
        acc += term / Fraction(divisor) if divisor is not None else term
    return from_fraction(Fraction(scale) * acc)


def round_places(value: Decimal, places: int, mode: str = "half_up") -> Decimal:
    """``value`` rounded to ``places`` decimals with ``mode`` (a rounding mode name)."""
    return round_to_step(value, Decimal(f"1E-{places}"), mode)


def round_to_step(value: Decimal, step: Decimal, mode: str = "half_up") -> Decimal:
    """``value`` rounded to a multiple of ``step`` (e.g. 1, 0.5, 0.01) with ``mode``, exactly
    whatever the length of ``value``; the result has ``step``'s decimal places."""
    if mode not in MODES:
        raise ValueError(f"unknown rounding mode {mode!r}")
    if step.as_tuple().digits == (1,) and len(value.as_tuple().digits) < 90:
        # A power of ten and a value that fits the 100-digit context: quantize is exact.
        return value.quantize(step, rounding=MODES[mode], context=ROUNDING)
    units = round_fraction(Fraction(value) / Fraction(step), mode)
    wide = decimal.Context(
        prec=len(str(abs(units))) + len(step.as_tuple().digits) + 2, traps=[decimal.Inexact]
    )
    return wide.multiply(Decimal(units), step)


def is_multiple(value: Decimal, step: Decimal, base: Decimal = ZERO) -> bool:
    """Whether ``value`` is ``base`` plus a whole number of ``step``."""
    return ROUNDING.remainder(sub(value, base), step).is_zero()


def is_whole(value: Decimal) -> bool:
    """Whether ``value`` is a whole number."""
    return value == value.to_integral_value(context=ROUNDING)


def tidy(value: Decimal) -> Decimal:
    """The same number without trailing zeros after the point (``40.0`` -> ``40``), exactly
    whatever its size."""
    if is_whole(value):
        return Decimal(int(value))
    wide = decimal.Context(prec=len(value.as_tuple().digits), Emin=-999999, Emax=999999)
    return value.normalize(wide)


def canonical(value: Decimal) -> str:
    """One text for all equal numbers (``1``, ``1.0``, ``1E+0``: ``1E0``), whatever their
    size, computed without any context; ``NaN`` and the infinities as ``str`` gives them."""
    if not value.is_finite():
        return str(value)
    if value.is_zero():
        return "0E0"
    sign, digits, exponent = value.as_tuple()
    text = "".join(map(str, digits)).rstrip("0")
    return f"{'-' if sign else ''}{text}E{int(exponent) + len(digits) - len(text)}"


def short(value: Decimal) -> str:
    """``plain(value)``, or scientific notation when that would be very long."""
    if len(value.as_tuple().digits) <= 40 and -40 <= value.adjusted() <= 40:
        return plain(value)
    return f"{value:.6E}"


def plain(value: Decimal) -> str:
    """A decimal as plain text, never in exponent notation (``1E+1`` -> ``10``)."""
    return format(value, "f")
