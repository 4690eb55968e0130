"""The bundled criteria, loaded: listing them, choosing a version by date.

A scheme's files are in the folder named by its id, or by the start of its id before a
``-`` (``asn-berprestasi-contoh`` in ``asn-berprestasi/``), so that :func:`get` loads only
those (where the folder is: :mod:`~asnmerit.spec.bundled`).
"""

from __future__ import annotations

import datetime as dt
import functools
import re

import attrs

from ..errors import SchemeNotFoundError
from ..model import Criteria, Text
from .bundled import criteria_dir, criteria_files
from .loader import load


@functools.cache
def _bundled() -> tuple[Criteria, ...]:
    return tuple(load(p) for p in criteria_files())


@functools.cache
def _versions(scheme_id: str) -> tuple[Criteria, ...]:
    """The bundled versions of ``scheme_id``, loaded from the folders its id names (see
    the module), oldest first."""
    root = criteria_dir()
    folders = [d for d in root.iterdir() if d.is_dir() and _names(d.name, scheme_id)]
    found = (load(p) for d in folders for p in criteria_files(d))
    return tuple(sorted((c for c in found if c.id == scheme_id), key=lambda c: c.valid_from))


def _names(folder: str, scheme_id: str) -> bool:
    """Whether the files of ``folder`` may hold ``scheme_id``."""
    return scheme_id == folder or scheme_id.startswith(folder + "-")


@attrs.frozen
class SchemeInfo:
    """One bundled scheme version, as listed by :func:`catalog`."""

    id: str
    version: str
    title: Text
    valid_from: dt.date
    valid_to: dt.date | None
    path: str


def catalog() -> list[SchemeInfo]:
    """Every bundled scheme version, by id then date."""
    found = [
        SchemeInfo(c.id, c.version, c.title, c.valid_from, c.valid_to, c.source) for c in _bundled()
    ]
    return sorted(found, key=lambda s: (s.id, s.valid_from))


def get(scheme_id: str, as_of: dt.date | str | None = None) -> Criteria:
    """The bundled version of ``scheme_id`` in force on ``as_of``.

    Without ``as_of``, the version that took effect last. ``as_of`` may be a date or an
    ISO text. Raises :class:`SchemeNotFoundError` for an unknown id or a date outside
    every version's validity.
    """
    versions = _versions(scheme_id)
    if not versions:
        known = ", ".join(sorted({c.id for c in _bundled()}))
        raise SchemeNotFoundError(f"no bundled scheme {scheme_id!r}; bundled: {known}")
    if as_of is None:
        return versions[-1]
    if isinstance(as_of, dt.datetime):
        day = as_of.date()
    elif isinstance(as_of, dt.date):
        day = as_of
    elif isinstance(as_of, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", as_of):
        day = dt.date.fromisoformat(as_of)  # a bad date (2024-02-30) raises ValueError too
    else:
        raise ValueError(f"as_of must be a date or a text YYYY-MM-DD, got {as_of!r}")
    for c in versions:
        if c.in_force(day):
            return c
    spans = "; ".join(f"{c.version}: {c.valid_from} to {c.valid_to or 'now'}" for c in versions)
    raise SchemeNotFoundError(f"no version of {scheme_id!r} is in force on {day} ({spans})")


def bundled_versions() -> dict[str, list[Criteria]]:
    """Every bundled scheme id -> its versions, oldest first, as :func:`catalog` lists them."""
    out: dict[str, list[Criteria]] = {}
    for info in catalog():
        c = get(info.id, as_of=info.valid_from)
        if c.source != info.path or c.version != info.version:  # overlapping versions
            c = load(info.path)
        out.setdefault(info.id, []).append(c)
    return out
