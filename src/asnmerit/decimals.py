"""Exact decimal arithmetic, independent of the caller's decimal context.

Every operation goes through one private :class:`decimal.Context` (34 significant digits,
IEEE decimal128), so a user who changes ``decimal.getcontext()`` cannot change a score.
Additions and multiplications of published values are exact at that precision; a
division (a mean, a normalisation) is correctly rounded to 34 digits and then rounded
as the criteria file declares.
"""

from __future__ import annotations

import decimal
from collections.abc import Iterable
from decimal import Decimal

CONTEXT = decimal.Context(
    prec=34,
    rounding=decimal.ROUND_HALF_EVEN,
    Emin=-999999,
    Emax=999999,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)

ZERO = Decimal(0)
ONE = Decimal(1)

MODES = {
    "half_up": decimal.ROUND_HALF_UP,
    "half_even": decimal.ROUND_HALF_EVEN,
    "half_down": decimal.ROUND_HALF_DOWN,
    "up": decimal.ROUND_UP,
    "down": decimal.ROUND_DOWN,
    "ceiling": decimal.ROUND_CEILING,
    "floor": decimal.ROUND_FLOOR,
}


def add(*values: Decimal) -> Decimal:
    """The exact sum of ``values``."""
    return total(values)


def total(values: Iterable[Decimal]) -> Decimal:
    """The exact sum of an iterable of decimals."""
    acc = ZERO
    for v in values:
        acc = CONTEXT.add(acc, v)
    return acc


def mul(a: Decimal, b: Decimal) -> Decimal:
    """``a * b`` in the private context."""
    return CONTEXT.multiply(a, b)


def div(a: Decimal, b: Decimal) -> Decimal:
    """``a / b`` correctly rounded to 34 significant digits."""
    return CONTEXT.divide(a, b)


def sub(a: Decimal, b: Decimal) -> Decimal:
    """``a - b`` in the private context."""
    return CONTEXT.subtract(a, b)


def round_places(value: Decimal, places: int, mode: str = "half_up") -> Decimal:
    """``value`` rounded to ``places`` decimals with ``mode`` (a rounding mode name)."""
    return value.quantize(Decimal(1).scaleb(-places), rounding=MODES[mode], context=CONTEXT)


def round_to_step(value: Decimal, step: Decimal, mode: str = "half_up") -> Decimal:
    """``value`` rounded to a multiple of ``step`` (e.g. 1, 0.5, 0.01) with ``mode``."""
    units = div(value, step).quantize(ONE, rounding=MODES[mode], context=CONTEXT)
    return mul(units, step)


def plain(value: Decimal) -> str:
    """A decimal as plain text, never in exponent notation (``1E+1`` -> ``10``)."""
    return format(value, "f")
