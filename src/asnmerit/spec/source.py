"""A criteria file's source: its bytes, its schema-valid document, its digest.

The bottom of the criteria language: :mod:`~asnmerit.spec.loader` builds models from what this
reads, and :mod:`~asnmerit.spec.extend` reads bases with it."""

from __future__ import annotations

import hashlib
import json
import os
from decimal import Decimal
from typing import Any

from .._decimal import ROUNDING, is_whole
from ..errors import CriteriaError, Problem
from .parse import Document, Limits, parse_yaml
from .schema import schema_check, value_kind


def read_bytes(source: str, limits: Limits) -> bytes:
    """The bytes of file ``source``, up to one past the size limit (the parser refuses more)."""
    try:
        with open(source, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size  # 0 for pipes and devices: read up to the limit
            return fh.read(min(size, limits.max_bytes) + 1 if size else limits.max_bytes + 1)
    except OSError as exc:
        raise CriteriaError(
            [Problem("file.unreadable", exc.strerror or str(exc), source)]
        ) from None


def parse_document(text: str | bytes, source: str, limits: Limits | None = None) -> Document:
    """Parse criteria text into a schema-valid :class:`Document`, or raise
    :class:`CriteriaError` with every problem found (parse and schema)."""
    doc, problems = parse_yaml(text, source, limits)
    if doc is None:
        raise CriteriaError(problems)
    if not isinstance(doc.data, dict):
        problems.append(
            doc.problem(
                "schema.type", f"a criteria file is a mapping, not {value_kind(doc.data)}", ()
            )
        )
        raise CriteriaError(problems)
    problems.extend(sorted(schema_check(doc), key=position_key))
    if problems:
        raise CriteriaError(problems)
    return doc


def digest(data: Any) -> str:
    """``sha256:`` of the canonical JSON of parsed criteria data (formatting-independent)."""
    canonical = json.dumps(
        data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_json_default
    )
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):  # 6 and 6.0 are the same number, and digest the same
        return int(value) if is_whole(value) else {"$decimal": str(value.normalize(ROUNDING))}
    raise TypeError(type(value).__name__)


def position_key(p: Problem) -> tuple[int, int]:
    return (p.line or 0, p.column or 0)
