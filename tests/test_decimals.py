"""Exact arithmetic: rounding, fractions, bounds, against an independent reference."""

from __future__ import annotations

import decimal
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from asnmerit import _decimal as D

MODES = sorted(D.MODES)
bounded_decimals = st.decimals(
    min_value=Decimal("-999999999999.999"),
    max_value=Decimal("999999999999.999"),
    places=3,
    allow_nan=False,
)


@given(bounded_decimals, st.integers(0, 2), st.sampled_from(MODES))
def test_round_places_agrees_with_decimal_quantize(value: Decimal, places: int, mode: str) -> None:
    ctx = decimal.Context(prec=200)
    expected = value.quantize(Decimal(1).scaleb(-places), rounding=D.MODES[mode], context=ctx)
    got = D.round_places(value, places, mode)
    assert got == expected and got.as_tuple().exponent == -places


@given(st.fractions(max_denominator=10**6), st.sampled_from(MODES))
def test_round_fraction_brackets_the_value(value: Fraction, mode: str) -> None:
    n = D.round_fraction(value, mode)
    assert abs(n - value) < 1
    if mode in ("half_up", "half_even", "half_down"):
        assert abs(n - value) <= Fraction(1, 2)


@pytest.mark.parametrize(
    ("value", "mode", "expected"),
    [
        ("2.5", "half_even", 2),
        ("3.5", "half_even", 4),
        ("-2.5", "half_up", -3),
        ("-2.5", "half_down", -2),
        ("-2.1", "up", -3),
        ("-2.9", "down", -2),
        ("-2.1", "floor", -3),
        ("-2.9", "ceiling", -2),
        ("2.5", "half_down", 2),
    ],
)
def test_round_fraction_modes(value: str, mode: str, expected: int) -> None:
    assert D.round_fraction(Fraction(value), mode) == expected


@given(st.integers(-(10**40), 10**40), st.integers(0, 30), st.integers(0, 30))
def test_from_fraction_is_exact_for_finite_expansions(num: int, twos: int, fives: int) -> None:
    value = Fraction(num, 2**twos * 5**fives)
    assert Fraction(D.from_fraction(value)) == value


def test_from_fraction_rounds_other_quotients_to_34_digits() -> None:
    assert str(D.from_fraction(Fraction(2, 3))) == "0.6666666666666666666666666666666667"


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("999999999999999.9", True),
        ("1000000000000000", False),
        ("-0", True),
        ("22.5" + "0" * 200, True),
        ("0.000000000000001", True),
        ("0.0000000000000001", False),
        ("123456789012345678901234567890", False),
        ("12345678901234.567890123456789", True),
    ],
)
def test_bounded(text: str, ok: bool) -> None:
    if ok:
        assert D.bounded(Decimal(text)) == Decimal(text)
    else:
        with pytest.raises(ValueError, match="a number"):
            D.bounded(Decimal(text))


def test_weighted_sum_is_exact() -> None:
    terms = [(Decimal("0.5"), Decimal(1), Decimal(12)), (Decimal("0.5"), Decimal(11), Decimal(12))]
    assert D.weighted_sum(terms, Decimal(100)) == 50
    assert D.weighted_sum([(Decimal("0.3"), Decimal(10), None)]) == 3


def test_independent_of_the_callers_context() -> None:
    with decimal.localcontext() as ctx:
        ctx.prec = 2
        ctx.traps[decimal.Inexact] = True
        assert D.round_places(Decimal("1234.5678"), 2) == Decimal("1234.57")
        assert D.total([Decimal("0.001"), Decimal("1000")]) == Decimal("1000.001")
        assert D.is_multiple(Decimal("7.5"), Decimal("0.5"), Decimal("0.5"))


def test_tidy_is_exact_whatever_the_size() -> None:
    assert D.plain(D.tidy(Decimal("40.0"))) == "40"
    assert D.plain(D.tidy(Decimal("1E+1"))) == "10"
    assert D.plain(D.tidy(Decimal("1.50"))) == "1.5"
    assert D.tidy(Decimal("1e400")) == Decimal("1e400")
    assert D.plain(D.tidy(Decimal("1.0e400"))) == "1" + "0" * 400
    long = "1" * 150 + ".50"
    assert D.plain(D.tidy(Decimal(long))) == long[:-1]


@given(st.decimals(allow_nan=False, allow_infinity=False), st.integers(0, 5))
def test_canonical_is_one_text_for_equal_numbers(value: Decimal, zeros: int) -> None:
    sign, digits, exponent = value.as_tuple()
    padded = Decimal((sign, (*digits, *(0,) * zeros), int(exponent) - zeros))
    assert padded == value and D.canonical(padded) == D.canonical(value)
    assert Decimal(D.canonical(value)) == value


def test_canonical_tells_numbers_apart() -> None:
    texts = [D.canonical(Decimal(t)) for t in ("1", "10", "0.1", "-1", "1e400", "0", "-0.00")]
    assert texts == ["1E0", "1E1", "1E-1", "-1E0", "1E400", "0E0", "0E0"]
    assert D.canonical(Decimal("NaN")) == "NaN" and D.canonical(Decimal("-Infinity")) == "-Infinity"


def test_own_context_hides_and_restores_the_callers_context() -> None:
    @D.own_context
    def third(a: Decimal) -> Decimal:
        """A third of ``a``."""
        return a / 3

    with decimal.localcontext(decimal.Context(prec=2, traps=[decimal.Inexact])) as ctx:
        assert third(Decimal(1)) == Decimal("0." + "3" * 100)
        assert decimal.getcontext() is ctx and not ctx.flags[decimal.Inexact]
    assert third.__doc__ == "A third of ``a``." and third.__name__ == "third"
