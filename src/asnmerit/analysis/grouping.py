"""Grouping subjects by the values of fields (ranking, selection, aggregates, reports).

:func:`group_key` gives any value a hashable key, so that a record may hold a list, a
mapping or a huge number in a field that groups and still be grouped: equal values share
a key (``1`` and ``1.0``; mappings whatever their key order; texts once trimmed), values
of different types never do (the number ``1``, ``true`` and the text ``"1"``). A group is
shown by :func:`~asnmerit._render.shown` of its first value.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from .. import _decimal as D

Key = tuple[Any, ...]

BLANK: Key = ("blank",)
"""The key of a value left out: ``None`` or a blank text."""


def group_key(value: Any) -> Key:
    """The hashable key ``value`` is grouped by (see the module's description)."""
    if value is None:
        return BLANK
    if isinstance(value, bool):
        return ("boolean", value)
    if isinstance(value, Decimal):
        return ("number", D.canonical(value))
    if isinstance(value, int | float):
        return ("number", D.canonical(Decimal(repr(value) if isinstance(value, float) else value)))
    if isinstance(value, str):
        text = value.strip()
        return ("text", text) if text else BLANK
    if isinstance(value, dt.date):
        return ("date", value.isoformat())
    if isinstance(value, Mapping):
        items = sorted(((str(k), group_key(v)) for k, v in value.items()), key=_first)
        return ("object", tuple(items))
    if isinstance(value, list | tuple):
        return ("array", tuple(group_key(v) for v in value))
    return ("other", type(value).__name__, str(value))


def _first(item: tuple[str, Key]) -> str:
    return item[0]
