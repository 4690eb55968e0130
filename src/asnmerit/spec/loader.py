"""Loading criteria: parse safely, validate against the JSON Schema, build, check.

All problems a file has are reported together, each as ``file:line:col CODE message``
(see :class:`~asnmerit.errors.CriteriaError`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import attrs

from ..errors import CriteriaError
from ..model import Criteria
from .build import Builder
from .bundled import bundled_roots, find_base
from .extend import Folders, resolve
from .parse import Document, Limits
from .schema import schema_check
from .source import digest, parse_document, position_key, read_bytes


def load(
    path: str | os.PathLike[str], *, limits: Limits | None = None, bases: Folders = ()
) -> Criteria:
    """Load and check one criteria file; raise :class:`CriteriaError` listing every problem.

    A base the file ``extends`` by path must lie in the folder tree of the file naming it,
    in the bundled folder, or under one of ``bases``."""
    source = os.fspath(path)
    limits = limits or Limits()
    return loads(read_bytes(source, limits), source=source, limits=limits, bases=bases)


def loads(
    text: str | bytes,
    source: str = "<string>",
    *,
    limits: Limits | None = None,
    bases: Folders = (),
) -> Criteria:
    """Load criteria from YAML (or JSON) text; ``source`` names it in error messages.

    Text extends a base by path only when ``source`` names a file, the path being relative
    to that file and confined as by :func:`load` (never relative to the current folder)."""
    if isinstance(bases, str | os.PathLike):
        raise TypeError("bases= takes a list of folders, not one path")
    doc = parse_document(text, source, limits)
    base, inherited = None, frozenset[tuple[str, str]]()
    if "extends" in doc.data:
        roots = (*bases, *bundled_roots())
        extended = resolve(doc, limits or Limits(), find_base, roots=roots)
        doc, base, inherited = extended.doc, extended.base, extended.inherited
        problems = sorted(schema_check(doc), key=position_key)
        if problems:
            raise CriteriaError(problems)
    builder = Builder(doc, digest(doc.data), extends=base, inherited=inherited)
    criteria = builder.build()
    if builder.problems or criteria is None:
        raise CriteriaError(sorted(builder.problems, key=position_key))
    return pruned(criteria)


def pruned(criteria: Criteria) -> Criteria:
    """``criteria`` whose document (and so digest) leaves out the inputs and references
    that were dropped while building (a base's entries that nothing uses any more), so that
    the digest is that of the content the criteria hold, as a file of their own would give."""
    doc = criteria.document
    if doc is None:
        return criteria
    kept = kept_data(doc.data, criteria)
    if kept is doc.data:
        return criteria
    document = Document(kept, doc.source, doc.positions, doc.key_positions)
    return attrs.evolve(criteria, digest=digest(kept), document=document)


def kept_data(data: dict[str, Any], criteria: Criteria) -> dict[str, Any]:
    """``data`` without the inputs and references ``criteria`` does not hold (``data``
    itself when there are none)."""
    out = data
    for section, kept in (("inputs", criteria.inputs), ("references", criteria.references)):
        entries = data.get(section)
        if isinstance(entries, Mapping) and any(name not in kept for name in entries):
            out = out if out is not data else dict(data)
            out[section] = {name: v for name, v in entries.items() if name in kept}
    return out


# -- JSON Schema errors, in the words of the file's author -----------------------------------
