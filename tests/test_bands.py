"""Band lookup under each boundary policy, at and around every published edge."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from asnmerit import ScoreOutOfRangeError
from asnmerit.model import Criteria

# IP ASN's published table, written out by hand as the intervals each policy means.
CODES = ["sangat_rendah", "rendah", "sedang", "tinggi", "sangat_tinggi"]
LOWERS = [61, 71, 81, 91]  # lower bounds of the 2nd..5th band
UPPERS = [60, 70, 80, 90]  # upper bounds of the 1st..4th band


def reference(score: Fraction, policy: str) -> str:
    if policy == "lower_bounds":  # [61, 71) ...
        return CODES[sum(score >= lo for lo in LOWERS)]
    if policy == "upper_bounds":  # (60, 70] ...
        return CODES[sum(score > hi for hi in UPPERS)]
    rounded = math.floor(score + Fraction(1, 2))  # half up to the step 1
    return CODES[sum(rounded >= lo for lo in LOWERS)]


EDGES = sorted(
    {
        e + d
        for e in [*LOWERS, *UPPERS, 100]
        for d in (Fraction(-1, 2), Fraction(-1, 100), 0, Fraction(1, 100), Fraction(1, 2))
    }
)
POLICIES = ["lower_bounds", "upper_bounds", "round_then_classify"]


@pytest.mark.parametrize("policy", POLICIES)
@pytest.mark.parametrize("edge", [e for e in EDGES if 3 <= e <= 100], ids=str)
def test_ip_asn_edges(ip: Criteria, policy: str, edge: Fraction) -> None:
    score = Decimal(edge.numerator) / Decimal(edge.denominator)
    assert ip.band_for(score, policy).code == reference(edge, policy)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("score", "lower", "upper", "rounded"),
    [
        ("60", "sangat_rendah", "sangat_rendah", "sangat_rendah"),
        ("60.5", "sangat_rendah", "rendah", "rendah"),
        ("60.49", "sangat_rendah", "rendah", "sangat_rendah"),
        ("61", "rendah", "rendah", "rendah"),
        ("80.5", "sedang", "tinggi", "tinggi"),
        ("90.01", "tinggi", "sangat_tinggi", "tinggi"),
        ("100", "sangat_tinggi", "sangat_tinggi", "sangat_tinggi"),
        ("3", "sangat_rendah", "sangat_rendah", "sangat_rendah"),
    ],
)
def test_known_classifications(
    ip: Criteria, score: str, lower: str, upper: str, rounded: str
) -> None:
    got = [
        ip.band_for(Decimal(score), p).code
        for p in ("lower_bounds", "upper_bounds", "round_then_classify")
    ]
    assert got == [lower, upper, rounded]
    assert ip.band_for(score).code == upper  # the file's default policy


@given(st.fractions(min_value=3, max_value=100, max_denominator=400))
def test_any_score_agrees_with_the_table(ip: Criteria, value: Fraction) -> None:
    score = Decimal(value.numerator) / Decimal(value.denominator)
    exact = Fraction(score)
    for policy in POLICIES:
        assert ip.band_for(score, policy).code == reference(exact, policy)  # type: ignore[arg-type]


@pytest.mark.parametrize("score", ["2.9", "100.5", "-1", "1000"])
def test_outside_the_scheme_range(ip: Criteria, score: str) -> None:
    with pytest.raises(ScoreOutOfRangeError, match=r"outside ip-asn 2019's range 3\.0\.\.100\.0"):
        ip.band_for(score)


def test_bad_arguments(ip: Criteria) -> None:
    with pytest.raises(ScoreOutOfRangeError, match="must be a number"):
        ip.band_for("tinggi")
    with pytest.raises(ValueError, match="unknown band policy"):
        ip.band_for(70, "middle")  # type: ignore[arg-type]


def test_lower_bounds_top_band_runs_to_the_maximum(sink: Criteria) -> None:
    assert sink.bands.policy == "lower_bounds"
    assert [sink.band_for(s).code for s in ("49.99", "50", "99.99", "100", "125")] == [
        "rendah",
        "sedang",
        "sedang",
        "tinggi",
        "tinggi",
    ]
