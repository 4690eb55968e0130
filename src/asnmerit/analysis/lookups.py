"""Lookup tables: attributes of a group found by one of its values (the BKN regional office
of a province, the province of an agency), to rank or group agencies by.

A lookup is shipped as data (``asnmerit/data/*.yaml``, format ``asnmerit.lookup/1``, each
row with its confidence and basis; :func:`lookup` loads one by id), or made from what a
user passes (:func:`as_lookup`: a mapping or a pandas, polars or pyarrow table). A row is
found by the value of the lookup's key column: a shipped table folds case, spaces and
``_ - .`` and knows each row's other spellings (``Jateng``, ``DIY``); a user's lookup
matches values as groups do (trimmed texts; types apart).
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterable, Mapping
from importlib import resources
from typing import Any

import attrs
import yaml

from .._render import shown
from .._values import fold
from ..errors import AsnmeritError
from ..model import Text, frozen
from .grouping import BLANK, group_key

LOOKUP_FORMAT = "asnmerit.lookup/1"

SHIPPED = {"kanreg": "data/kantor-regional.yaml"}
"""The lookups shipped with asnmerit, by id."""


def _frozen_rows(rows: Iterable[Mapping[str, Any]]) -> tuple[Mapping[str, Any], ...]:
    return tuple(frozen(dict(r)) for r in rows)


@attrs.frozen
class Lookup:
    """A table of attributes found by the value of its ``key`` column."""

    id: str
    key: str
    """The column a row is found by (e.g. ``provinsi``)."""
    columns: tuple[str, ...]
    """The attributes a row gives (e.g. ``kanreg``, ``kantor``)."""
    rows: tuple[Mapping[str, Any], ...] = attrs.field(converter=_frozen_rows)
    title: Text | None = None
    confidence: str | None = None
    """How sure the table as a whole is (each shipped row also says its own)."""
    as_of: str | None = None
    note: str | None = None
    references: tuple[Mapping[str, Any], ...] = attrs.field(default=(), converter=_frozen_rows)
    folded: bool = False
    """Whether values are found folded (case, spaces, ``_ - .``) and by their aliases."""
    prefixes: tuple[str, ...] = ()
    """Words that may stand before a value in the data (``Provinsi``, ``Prov.``): a
    folded value not found as it is, is looked up again without them."""
    _index: dict[Any, int] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        index: dict[Any, int] = {}
        for n, row in enumerate(self.rows):
            for value in [row.get(self.key), *row.get("aliases", ())]:
                found = self._find_key(value)
                if found is None:
                    continue
                if index.setdefault(found, n) != n:
                    raise AsnmeritError(
                        f"lookup {self.id}: {shown(value)!r} names two rows of {self.key}"
                    )
        object.__setattr__(self, "_index", index)

    def _find_key(self, value: Any) -> Any:
        if self.folded:
            text = _plain_text(shown(value)).strip()
            return fold(text) if text else None
        key = group_key(value)
        return None if key == BLANK else key

    def get(self, value: Any) -> Mapping[str, Any] | None:
        """The row whose key (or one of its spellings) is ``value`` (``None``: none),
        folded and without one of the lookup's :attr:`prefixes` if need be."""
        found = self._find_key(value)
        n = self._index.get(found) if found is not None else None
        if n is None and self.folded and isinstance(found, str):
            for prefix in sorted(map(fold, self.prefixes), key=len, reverse=True):
                if prefix and found.startswith(prefix) and found != prefix:
                    n = self._index.get(found[len(prefix) :])
                    break
        return None if n is None else self.rows[n]

    def __repr__(self) -> str:
        return f"<Lookup {self.id}: {self.key} -> {', '.join(self.columns)}, {len(self.rows)} rows>"


@functools.cache
def lookup(name: str) -> Lookup:
    """The shipped lookup ``name`` (e.g. ``"kanreg"``: the BKN regional office, Kantor
    Regional I-XIV, serving each province)."""
    path = SHIPPED.get(name)
    if path is None:
        raise AsnmeritError(f"no shipped lookup {name!r}; shipped: {', '.join(SHIPPED)}")
    data = yaml.safe_load(resources.files("asnmerit").joinpath(path).read_text("utf-8"))
    if data.get("format") != LOOKUP_FORMAT:
        raise AsnmeritError(f"{path}: not a lookup table ({LOOKUP_FORMAT})")
    title = data.get("title") or {}
    return Lookup(
        data["id"],
        data["key"],
        tuple(c for c in data["columns"] if c != data["key"]),
        data["rows"],
        Text(title.get("id", ""), title.get("en")),
        data.get("confidence"),
        data.get("as_of"),
        data.get("note"),
        data.get("references", ()),
        folded=True,
        prefixes=tuple(data.get("prefixes", ())),
    )


def _plain_text(text: str) -> str:
    """``text`` in Unicode's compatibility form (full-width letters as ASCII, a no-break
    space as a space), without invisible format characters (a zero-width space, a
    byte-order mark), as a folded lookup compares it. A look-alike letter of another
    script (a Cyrillic a, U+0430) stays itself: that name is not found."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(c for c in text if unicodedata.category(c) != "Cf")


def provider(column: str) -> Lookup | None:
    """The shipped lookup that gives ``column`` (``kanreg``), if one does."""
    for name in SHIPPED:
        found = lookup(name)
        if column in found.columns:
            return found
    return None


def as_lookup(value: Any, keys: tuple[str, ...]) -> Lookup:
    """A user's lookup: a :class:`Lookup`; a mapping ``{value: {attribute: value}}`` of the
    first of ``keys`` (the fields the groups have); or a table (pandas, polars, pyarrow)
    with a column named as one of ``keys`` and a column per attribute."""
    if isinstance(value, Lookup):
        return value
    if isinstance(value, Mapping):
        if not keys:
            raise AsnmeritError("a lookup mapping needs groups with a field to look up by")
        rows = []
        for k, attributes in value.items():
            if not isinstance(attributes, Mapping):
                raise TypeError(
                    f"lookup: each value maps attributes to values, got {type(attributes).__name__}"
                )
            rows.append({keys[0]: k, **attributes})
        columns = tuple(dict.fromkeys(c for r in rows for c in r if c != keys[0]))
        return Lookup("lookup", keys[0], columns, rows)
    records = _records(value)
    if records is None:
        hint = _HINTS.get(type(value).__name__, "")
        raise TypeError(
            "lookup: a Lookup, a mapping or a table (pandas, polars, pyarrow), got "
            f"{type(value).__name__}{hint}"
        )
    names, rows = records
    key = next((k for k in keys if k in names), None)
    if key is None:
        index = [n for n in getattr(getattr(value, "index", None), "names", ()) if n in keys]
        fix = f": {index[0]!r} is its index, pass lookup.reset_index()" if index else ""
        raise AsnmeritError(
            f"the lookup table has no column {' or '.join(map(repr, keys)) or 'to look up by'}"
            f" (its columns: {', '.join(map(repr, names))}){fix}"
        )
    return Lookup("lookup", key, tuple(c for c in names if c != key), rows)


_HINTS = {
    "LazyFrame": " (collect() it first)",
    "Series": " (a table: series.reset_index() in pandas, or a mapping)",
    "list": " (a table of those rows: pandas.DataFrame(rows), or a mapping)",
}


def _records(table: Any) -> tuple[list[str], list[dict[str, Any]]] | None:
    """A table's column names and rows (nulls as ``None``), or ``None`` for no table."""
    from ..columnar import is_table

    if not is_table(table):
        return None
    root = type(table).__module__.split(".")[0]
    columns = list(table.schema.names) if root == "pyarrow" else [str(c) for c in table.columns]
    twice = sorted({n for n in columns if columns.count(n) > 1})
    if twice:  # before any row is read: which column gives the value is not clear
        raise AsnmeritError(
            f"the lookup table has two columns named {', '.join(map(repr, twice))}: rename or "
            "drop one (which one gives the value is not clear)"
        )
    if root == "pandas":
        names = [str(c) for c in table.columns]
        rows = table.astype(object).where(table.notna(), None).to_dict("records")
        return names, rows
    if root == "polars":
        return list(table.columns), table.to_dicts()
    return list(table.schema.names), table.to_pylist()
