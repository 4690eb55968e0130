"""Reading profiles: how to read the record files of one HR system or spreadsheet.

A profile is data (YAML or JSON, validated by the shipped schema ``profile-1.json``) that
holds every reading option: the sheet and header row, the text encoding, separator and
decimal mark, what each column holds (``columns``: header -> field, ``null`` to leave a
column out) and the local spellings of values (``values``: field -> spelling -> value).
A BKD writes it once for its export and passes it to every verb (``--profile``) or to
:func:`~asnmerit.read_records` (``profile=``). Options given one by one override the
profile's; the options in force carry a digest, so a run can say exactly how it read.

Profiles shipped with asnmerit live in the package's ``profiles`` folder and are named by
their file name without the extension (``hr-export-id``: the spellings common in
Indonesian HR exports).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

import attrs

from .._values import fold
from ..errors import ColumnsError
from ..spec.parse import Document, parse_yaml
from ..spec.schema import schema_check, shipped_schema
from ..spec.source import digest as data_digest

DELIMITERS = (",", ";", "\t", "|")
"""The separators a CSV file may use (found from its first lines unless named)."""


def _frozen(mapping: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return MappingProxyType(dict(mapping or {}))


def _columns(mapping: Any) -> Mapping[str, str | None]:
    """``columns`` as a read-only mapping of header texts to field names (or ``None``)."""
    if mapping is None:
        mapping = {}
    if not isinstance(mapping, Mapping) or not all(isinstance(k, str) for k in mapping):
        raise ColumnsError(
            f"columns: expected a mapping of headers (texts) to field names, got {mapping!r:.60}"
        )
    return _frozen({k.strip(): v for k, v in mapping.items()})


def _spellings(values: Any) -> Mapping[str, Mapping[str, Any]]:
    """``values`` as a read-only mapping of fields to {folded spelling: value}; two
    spellings that fold alike with different values are refused."""
    if values is None:
        values = {}
    if not isinstance(values, Mapping):
        raise ColumnsError(f"values: expected a mapping of fields to spellings, got {values!r:.60}")
    out: dict[str, Mapping[str, Any]] = {}
    for field, spellings in values.items():
        if not isinstance(field, str) or not isinstance(spellings, Mapping):
            raise ColumnsError(
                f"values.{field}: expected a mapping of spellings (texts) to values, got "
                f"{spellings!r:.60}"
            )
        folded: dict[str, Any] = {}
        for spelling, value in spellings.items():
            if not isinstance(spelling, str):
                raise ColumnsError(f"values.{field}: a spelling is a text, got {spelling!r:.40}")
            key = fold(spelling)
            if key in folded and folded[key] != value:
                raise ColumnsError(
                    f"values.{field}: {spelling!r} folds to the spelling of another entry with "
                    f"another value ({folded[key]!r})"
                )
            folded[key] = value
        out[field] = _frozen(folded)
    return _frozen(out)


@attrs.frozen
class ReadingProfile:
    """How to read a records file; every option is optional (``None``: found or default).

    ``values`` holds, per field, each spelling *folded* (ASCII case, spaces, ``.``,
    ``-`` and ``_`` ignored) and the value it stands for."""

    name: str | None = None
    sheet: str | int | None = None
    header_row: int | None = None
    encoding: str | None = None
    delimiter: str | None = None
    decimal: str | None = None
    strict_columns: bool = False
    columns: Mapping[str, str | None] = attrs.field(factory=dict, converter=_columns)
    values: Mapping[str, Mapping[str, Any]] = attrs.field(factory=dict, converter=_spellings)
    source: str = attrs.field(default="<options>", eq=False)

    def __attrs_post_init__(self) -> None:
        # however it is made, a profile is one the shipped schema takes
        if not isinstance(self.strict_columns, bool):
            raise ColumnsError(
                f"strict_columns: expected true or false, got {self.strict_columns!r}"
            )
        _check(Document(self.to_dict(), self.source, {}, {}))

    @property
    def digest(self) -> str:
        """``sha256:`` of the options in force (not of the file's formatting or comments)."""
        return data_digest(self.to_dict())

    def to_dict(self) -> dict[str, Any]:
        """The options in force as profile data (the keys that are set)."""
        data: dict[str, Any] = {
            "profile": self.name,
            "sheet": self.sheet,
            "header_row": self.header_row,
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "decimal": self.decimal,
            "strict_columns": self.strict_columns or None,
            "columns": dict(self.columns) or None,
            "values": {f: dict(m) for f, m in self.values.items()} or None,
        }
        return {k: v for k, v in data.items() if v is not None}

    def with_options(
        self,
        *,
        columns: Mapping[str, str | None] | None = None,
        values: Mapping[str, Mapping[str, Any]] | None = None,
        **options: Any,
    ) -> ReadingProfile:
        """This profile with ``options`` set (those not ``None``); ``columns`` and
        ``values`` add to the profile's, entry by entry."""
        unknown = sorted(set(options) - _OPTIONS)
        if unknown:
            raise TypeError(f"no reading option {', '.join(unknown)}")
        checked = profile_from(
            {
                **{k: v for k, v in options.items() if v is not None and v is not False},
                **({"columns": columns} if columns is not None else {}),
                **({"values": _plain_values(values)} if values else {}),
            },
            "<options>",
        )
        merged_values = {f: dict(m) for f, m in self.values.items()}
        for field, spellings in checked.values.items():
            merged_values.setdefault(field, {}).update(spellings)
        return attrs.evolve(
            self,
            **{k: getattr(checked, k) for k in options if options[k] is not None},
            columns={**self.columns, **checked.columns},
            values=merged_values,
        )


_OPTIONS = {"sheet", "header_row", "encoding", "delimiter", "decimal", "strict_columns"}


def _plain_values(values: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    if not isinstance(values, Mapping):
        raise ColumnsError(f"values: expected a mapping of fields to spellings, got {values!r}")
    return {f: dict(m) if isinstance(m, Mapping) else m for f, m in values.items()}


def profile_from(data: Any, source: str = "<options>") -> ReadingProfile:
    """A profile from its data (as read from a profile file), checked against the schema;
    :class:`ColumnsError` naming every problem otherwise."""
    return _checked(Document(data, source, {}, {}))


def _check(doc: Document) -> None:
    """Refuse profile data that the shipped schema does not take, naming every problem
    (at its line and column, when the data came from a file)."""
    found = [
        f"{p} (at {p.path})" if p.path else str(p) for p in schema_check(doc, "profile-1.json")
    ]
    if found:
        raise ColumnsError("\n".join(found))


def _checked(doc: Document) -> ReadingProfile:
    """The profile of a file's data: checked where it stands in the file first (line and
    column), then as a profile."""
    _check(doc)
    return _build(doc.data, doc.source)


def _build(data: Mapping[str, Any], source: str) -> ReadingProfile:
    values = {
        field: {k: m["value"] if isinstance(m, Mapping) else m for k, m in spellings.items()}
        for field, spellings in (data.get("values") or {}).items()
    }
    try:
        return ReadingProfile(
            name=data.get("profile"),
            sheet=int(sheet) if isinstance(sheet := data.get("sheet"), float) else sheet,
            header_row=data.get("header_row"),
            encoding=data.get("encoding"),
            delimiter=data.get("delimiter"),
            decimal=data.get("decimal"),
            strict_columns=bool(data.get("strict_columns", False)),
            columns=data.get("columns") or {},
            values=values,
            source=source,
        )
    except ColumnsError as exc:
        text = str(exc)
        raise ColumnsError(text if text.startswith(source) else f"{source}: {text}") from None


def profile_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a reading profile, as shipped."""
    return shipped_schema("profile-1.json")


def load_profile(name: str | os.PathLike[str]) -> ReadingProfile:
    """A profile file (YAML or JSON), or a shipped profile by name (``hr-export-id``)."""
    p = Path(name)
    if not p.exists() and isinstance(name, str) and name in shipped_profiles():
        p = Path(str(resources.files("asnmerit").joinpath(f"profiles/{name}.yaml")))
    try:
        raw = _bounded(p)
    except OSError as exc:
        known = ", ".join(shipped_profiles())
        raise ColumnsError(
            f"{p}: {exc.strerror or exc} (not a file, nor a shipped profile: {known})"
        ) from None
    return _checked(_document(raw, p))


MAX_BYTES = 2 * 1024 * 1024
"""The largest profile, column map or value map file (as a criteria file): 2 MiB."""


def _bounded(p: Path) -> bytes:
    """The bytes of ``p``, no more than :data:`MAX_BYTES` and one (the parser refuses more)."""
    with open(p, "rb") as fh:
        return fh.read(MAX_BYTES + 1)


def _document(raw: bytes, p: Path) -> Document:
    doc, problems = parse_yaml(raw, str(p))
    if doc is None or problems:
        raise ColumnsError("\n".join(str(x) for x in problems) or f"{p}: not readable")
    return doc


def shipped_profiles() -> list[str]:
    """The names of the profiles shipped with asnmerit."""
    folder = resources.files("asnmerit").joinpath("profiles")
    return sorted(f.name[: -len(".yaml")] for f in folder.iterdir() if f.name.endswith(".yaml"))


def read_column_map(path: str | os.PathLike[str]) -> dict[str, str | None]:
    """A column mapping file (YAML or JSON): ``{header in the file: field name or null}``,
    as the ``columns`` of a profile."""
    return dict(_part(path, "columns").columns)


def read_value_map(path: str | os.PathLike[str]) -> dict[str, dict[str, Any]]:
    """A value map file (YAML or JSON): ``{field: {spelling: value}}``, as the ``values``
    of a profile."""
    return {f: dict(m) for f, m in _part(path, "values").values.items()}


def _part(path: str | os.PathLike[str], key: str) -> ReadingProfile:
    """A file holding one part of a profile, checked as that part."""
    p = Path(path)
    try:
        raw = _bounded(p)
    except OSError as exc:
        raise ColumnsError(f"{p}: {exc.strerror or exc}") from None
    doc = _document(raw, p)
    if not isinstance(doc.data, Mapping):
        shape = (
            "column headers to field names (text, or null to leave a column out)"
            if key == "columns"
            else "fields to {spelling: value} mappings"
        )
        raise ColumnsError(f"{p}: expected a mapping of {shape}")
    return _checked(Document({key: doc.data}, str(p), {}, {}))


def reading(
    profile: ReadingProfile | str | os.PathLike[str] | None = None, **options: Any
) -> ReadingProfile:
    """The reading options in force: ``profile`` (a profile, a profile file or the name of a
    shipped one) with ``options`` (``columns``, ``values``, ``sheet``, ``header_row``,
    ``encoding``, ``delimiter``, ``decimal``, ``strict_columns``; ``None``: the
    profile's) over it."""
    if isinstance(profile, ReadingProfile):
        base = profile
    elif profile is None:
        base = ReadingProfile()
    elif isinstance(profile, str | os.PathLike) and str(profile).strip():
        base = load_profile(profile)
    else:
        raise TypeError(
            "profile: a ReadingProfile, the path of a profile file or the name of a shipped "
            f"one, got {type(profile).__name__} {profile!r:.40}"
        )
    if all(v is None or v is False for v in options.values()):
        return base
    return base.with_options(**options)
