"""Identifier values checked many at a time (asnmerit.columnar.identifiers) against the scalar check."""

from __future__ import annotations

import array
from decimal import Decimal
from typing import Any

import attrs
import pytest

np = pytest.importorskip("numpy")

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from asnmerit._values import FORMATS, identifier_key, identifier_value, nip  # noqa: E402
from asnmerit.columnar.identifiers import (  # noqa: E402
    PLAIN,
    _repeated,
    identifier_keys,
    plain_nip_codes,
    plain_nips,
    repeated,
    repeats,
)
from asnmerit.errors import BadValue  # noqa: E402
from asnmerit.model import Identifier  # noqa: E402

from .helpers import scheme  # noqa: E402

NIP = scheme("ip-asn").identifiers["nip"]


def scalar_plain(value: Any) -> bool:
    """Whether the scalar check accepts ``value`` and returns it unchanged."""
    try:
        return bool(nip(value) == value)
    except BadValue:
        return False


def digits(n: int) -> st.SearchStrategy[str]:
    return st.text(alphabet="0123456789", min_size=n, max_size=n)


# NIP-like texts: a date-ish birth, an appointment near it, any sex digit and sequence,
# so that most draws sit on an edge of some rule rather than being plainly wrong.
near_nips = st.builds(
    lambda y, m, d, ay, am, s, seq: f"{y:04d}{m:02d}{d:02d}{ay:04d}{am:02d}{s}{seq:03d}",
    st.integers(1895, 2010),
    st.integers(0, 13),
    st.integers(0, 32),
    st.integers(1895, 2030),
    st.integers(0, 30),
    st.integers(0, 9),
    st.integers(0, 999),
)

cells = st.one_of(
    near_nips,
    digits(18),
    st.text(min_size=16, max_size=20),
    near_nips.map(lambda t: f" {t}"),
    near_nips.map(lambda t: f"{t[:8]} {t[8:14]} {t[14]} {t[15:]}"),
    near_nips.map(lambda t: t.replace("1", "\u0661")),  # an Arabic-Indic digit
    st.integers(0, 10**18),
    near_nips.map(Decimal),
    st.none(),
    st.booleans(),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(cells, max_size=40))
def test_a_plain_nip_is_found_exactly_when_the_scalar_check_keeps_it(values: list[Any]) -> None:
    assert plain_nips(values).tolist() == [scalar_plain(v) for v in values]


@settings(max_examples=200, deadline=None)
@given(st.lists(cells, max_size=40), st.booleans())
def test_keys_and_refusals_are_those_of_the_scalar_check(values: list[Any], unique: bool) -> None:
    for fmt in [None, *FORMATS]:
        ident = attrs.evolve(NIP, format=fmt, unique=unique)
        keys, refused = identifier_keys(ident, values)
        assert keys == [identifier_key(ident, v) for v in values]
        assert refused == [refuses(ident, v) for v in values]


def refuses(ident: Identifier, value: Any) -> bool:
    try:
        identifier_value(ident, value)
    except BadValue:
        return True
    return False


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("197602292005112001", "1976 is a leap year"),
        ("190001012005112001", "the first day of 1900"),
        ("200002292005112001", "2000 is a leap year"),
        ("197604212021212001", "an NI PPPK: 2021, 2, 1"),
        ("197604211976052001", "appointed the month after the birth"),
        ("197604212005122002", "December, female"),
    ],
)
def test_edge_dates_are_plain(value: str, why: str) -> None:
    assert plain_nips([value]).tolist() == [True], why


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("190002292005112001", "1900 is not a leap year"),
        ("189912312005112001", "born before 1900"),
        ("197604311976052001", "April has 30 days"),
        ("197604211976042001", "appointed the month of the birth"),
        ("197604211976212001", "an NI PPPK appointed the year of the birth"),
        ("197604212005132001", "month 13"),
        ("197604212005202001", "2, 0: neither a month nor an NI PPPK"),
        ("197604212005113001", "sex 3"),
        ("1976042120051120011", "19 digits"),
        (" 197604212005112001", "a leading space: the scalar check strips it"),
        ("19760421 200511 2 001", "a printed form: the scalar check reads it"),
    ],
)
def test_other_values_go_to_the_scalar_check(value: str, why: str) -> None:
    assert plain_nips([value]).tolist() == [False], why


def test_every_format_with_a_bulk_check_is_a_known_format() -> None:
    assert set(PLAIN) <= set(FORMATS)


def test_many_values_at_once() -> None:
    good = "197604212005112001"
    values = [good, None, "x", good[:-1] + "2", 197604212005112001] * 1000
    assert plain_nips(values).tolist() == [True, False, False, True, False] * 1000


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(-3, 3) | st.integers(-(2**63), 2**63 - 1), max_size=30))
def test_repeated_hashes_with_and_without_numpy(values: list[int]) -> None:
    hashes = array.array("q", values)
    expected = {k for k, v in enumerate(values) if v and values.count(v) > 1}
    assert repeated(hashes) == _repeated(hashes) == expected


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(st.lists(cells.filter(lambda v: isinstance(v, str)), max_size=40))
def test_plain_nips_read_on_utf8_bytes_are_those_the_scalar_check_keeps(values: list[str]) -> None:
    """The check on the bytes of texts (as an Arrow column holds them): a text of 18
    bytes is plain exactly when the scalar check keeps it, and then its number is the
    integer its digits write."""
    raw = [v.encode() for v in values]
    sized = [v for v, b in zip(values, raw, strict=True) if len(b) == 18]
    codes = np.frombuffer(b"".join(b for b in raw if len(b) == 18), np.uint8).reshape(-1, 18)
    plain, number = plain_nip_codes(codes)
    assert plain.tolist() == [scalar_plain(v) for v in sized]
    assert [int(n) for n, p in zip(number, plain, strict=True) if p] == [
        int(v) for v in sized if scalar_plain(v)
    ]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(-3, 3) | st.integers(-(2**63), 2**63 - 1), max_size=30), st.integers(-3, 3)
)
def test_repeats_are_the_numbers_held_twice(values: list[int], none: int) -> None:
    got = repeats(np.asarray(values, np.int64), none).tolist()
    assert got == [v != none and values.count(v) > 1 for v in values]
