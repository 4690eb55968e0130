"""The kinds of table the columnar engine and the verbs that combine results take, told
by their class without importing pandas, polars or pyarrow."""

from __future__ import annotations

from typing import Any

TABLES = {"pandas": {"DataFrame"}, "polars": {"DataFrame"}, "pyarrow": {"Table", "RecordBatch"}}
"""The table classes of each library that :func:`asnmerit.evaluate_frame` and the verbs
that combine results take."""


def is_table(value: Any) -> bool:
    """Whether ``value`` is a pandas or polars DataFrame or a pyarrow Table or RecordBatch
    (told by its class, without importing any of these libraries)."""
    kind = type(value)
    return kind.__name__ in TABLES.get(kind.__module__.split(".")[0], ())
