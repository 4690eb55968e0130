"""Exact decimal arithmetic, independent of the caller's decimal context.

Every number asnmerit accepts (in a criteria file or a subject record) is *bounded*: at
most 30 significant digits, below 10**15 in size and with at most 15 decimal places
(:func:`bounded`). Additions, subtractions and multiplications of such numbers run in a
private 100-digit context that traps any rounding, so they are exact. Divisions (a
normalisation, a mean) are done on exact fractions and turned into a decimal once, at
the end: exactly when the quotient has a finite decimal expansion, otherwise correctly
rounded to 34 significant digits; the criteria file's declared rounding then applies.
No operation depends on ``decimal.getcontext()``.
"""

from __future__ import annotations

import decimal
from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction

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

ZERO = Decimal(0)
ONE = Decimal(1)

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

    Negative zero becomes zero.
    """
    if not value.is_finite():
        raise ValueError("a finite number")
    if value.is_zero():
        return ZERO
    digits = value.as_tuple().digits
    if len(digits) > 3 * MAX_DIGITS:
        raise ValueError(f"a number of at most {MAX_DIGITS} significant digits")
    tidy = value.normalize(ROUNDING)  # exact: at most 90 digits
    exponent = int(tidy.as_tuple().exponent)
    if len(tidy.as_tuple().digits) > MAX_DIGITS:
        raise ValueError(f"a number of at most {MAX_DIGITS} significant digits")
    if value.copy_abs() >= LIMIT:
        raise ValueError("a number below 10^15 in size")
    if exponent < -MAX_PLACES:
        raise ValueError(f"a number with at most {MAX_PLACES} decimal places")
    return value


def add(*values: Decimal) -> Decimal:
    """The exact sum of ``values``."""
    return total(values)


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
    num, den = Decimal(value.numerator), Decimal(value.denominator)
    rest = value.denominator
    for p in (2, 5):
        while rest % p == 0:
            rest //= p
    if rest == 1:
        return ROUNDING.divide(num, den)  # finite expansion: exact within 100 digits
    return QUOTIENT.divide(num, den)


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
    return value.quantize(
        Decimal(1).scaleb(-places, ROUNDING), rounding=MODES[mode], context=ROUNDING
    )


def round_to_step(value: Decimal, step: Decimal, mode: str = "half_up") -> Decimal:
    """``value`` rounded to a multiple of ``step`` (e.g. 1, 0.5, 0.01) with ``mode``."""
    units = div(value, step).quantize(ONE, rounding=MODES[mode], context=ROUNDING)
    return mul(units, step)


def is_multiple(value: Decimal, step: Decimal, base: Decimal = ZERO) -> bool:
    """Whether ``value`` is ``base`` plus a whole number of ``step``."""
    return ROUNDING.remainder(sub(value, base), step).is_zero()


def is_whole(value: Decimal) -> bool:
    """Whether ``value`` is a whole number."""
    return value == value.to_integral_value(context=ROUNDING)


def tidy(value: Decimal) -> Decimal:
    """The same number without trailing zeros after the point (``40.0`` -> ``40``)."""
    if is_whole(value):
        return value.quantize(ONE, context=ROUNDING)
    return value.normalize(ROUNDING)


def plain(value: Decimal) -> str:
    """A decimal as plain text, never in exponent notation (``1E+1`` -> ``10``)."""
    return format(value, "f")
