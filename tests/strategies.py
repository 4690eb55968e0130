"""Hypothesis strategies: random subject records drawn from a scheme's declared inputs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from asnmerit.model import Criteria, Input


def values(inp: Input, canonical: bool = False) -> st.SearchStrategy[Any]:
    """Valid values of one input, in the forms a caller may pass them (only the canonical
    codes and real booleans when ``canonical``)."""
    if inp.type == "enum":
        spellings = [c.code for c in inp.codes]
        if not canonical:
            spellings += [a for c in inp.codes for a in c.aliases]
        return st.sampled_from(spellings)
    if inp.type == "boolean":
        if canonical:
            return st.booleans()
        return st.booleans() | st.sampled_from(["ya", "tidak", "true", "false", 0, 1])
    if inp.type == "date":
        assert isinstance(inp.min, dt.date) and isinstance(inp.max, dt.date)
        return st.dates(min_value=inp.min, max_value=inp.max)
    assert isinstance(inp.min, Decimal) and isinstance(inp.max, Decimal)
    step = inp.step or Decimal(1)
    count = int((inp.max - inp.min) / step)
    return st.integers(0, count).map(lambda k: inp.min + k * step)  # type: ignore[operator]


def subjects(criteria: Criteria, canonical: bool = False) -> st.SearchStrategy[dict[str, Any]]:
    """Complete records (inputs with a default are sometimes left out)."""
    fields: dict[str, st.SearchStrategy[Any]] = {}
    optional: dict[str, st.SearchStrategy[Any]] = {}
    for name, inp in criteria.inputs.items():
        (optional if inp.default is not None else fields)[name] = values(inp, canonical)
    return st.fixed_dictionaries(fields, optional=optional)
