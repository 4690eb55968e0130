"""Helpers shared by the test modules (fixtures and hooks stay in ``conftest.py``).

Criteria are loaded through the cached functions here, once per session and only when a
test first needs them, never when a module is imported: collecting the suite (or a part
of it with ``-k`` or ``-m``) loads no criteria.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

import asnmerit
from asnmerit.model import Criteria

DATA = Path(__file__).parent / "data"


@functools.cache
def scheme(scheme_id: str, as_of: str | None = None) -> Criteria:
    """The bundled scheme ``scheme_id`` (in force on ``as_of``), loaded once."""
    return asnmerit.get(scheme_id, as_of)


@functools.cache
def _load(path: str) -> Criteria:
    return asnmerit.load(path)


def criteria_file(path: str | os.PathLike[str]) -> Criteria:
    """The criteria of the file at ``path``, loaded once (by its path as given)."""
    return _load(os.fspath(path))


def data_criteria(name: str) -> Criteria:
    """The criteria of ``tests/data/<name>``, loaded once."""
    return criteria_file(DATA / name)


def pelaksana(**changes: Any) -> dict[str, Any]:
    """A complete IP ASN record of a pelaksana (5 + 40 + 25 + 5 = 75), with changes."""
    record: dict[str, Any] = {
        "jenis_jabatan": "pelaksana",
        "pendidikan": "SLTA",
        "diklat_teknis_20jp": True,
        "seminar": True,
        "predikat_kinerja": "baik",
        "hukuman_disiplin": "tidak_ada",
    }
    record.update(changes)
    return record
