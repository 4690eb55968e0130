"""How criteria and results look to a person and to a table library: explanations as text,
HTML for notebooks, and tables with typed columns.

:func:`explain` gives the readable account of an evaluation (Indonesian or English);
:func:`evaluation`, :func:`criteria` and :func:`table` give the ``_repr_html_`` of an
evaluation, a scheme and a result table. :class:`Framed` gives a result collection its
``to_frame``: it says what its columns are (:class:`Column`: a name and a kind) and gives its
rows as Python values, and :func:`frame` builds a pandas, polars or pyarrow table: counts as
integers, flags as booleans, scores as exact decimals (or floats with ``scores="float"``),
bands as categories ordered as the scheme's bands, text as strings (``rows()`` of the same
collection stays text, for CSV). No table library is imported until a table is built.
Nothing here imports the model or the results at run time: they call in, lazily.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from html import escape
from typing import TYPE_CHECKING, Any, Literal

import attrs

from . import _decimal as D
from ._values import cell, json_value

if TYPE_CHECKING:
    from .model import Criteria
    from .results import Component, Evaluation


_WORDS = {
    "id": {
        "score": "Skor",
        "band": "Kategori",
        "policy": "kebijakan batas",
        "eligible": "Memenuhi syarat",
        "ineligible": "Tidak memenuhi syarat",
        "warnings": "Catatan",
        "yes": "ya",
        "reconstructed": "rekonstruksi",
        "assumption": "asumsi",
        "basis": "dasar",
        "categories": "Kategori penghargaan",
        "not_assessed": "tidak dinilai",
        "derived": "Diturunkan dari aturan skema",
    },
    "en": {
        "score": "Score",
        "band": "Band",
        "policy": "boundary policy",
        "eligible": "Eligible",
        "ineligible": "Not eligible",
        "warnings": "Notes",
        "yes": "yes",
        "reconstructed": "reconstructed",
        "assumption": "assumption",
        "basis": "basis",
        "categories": "Award categories",
        "not_assessed": "not assessed",
        "derived": "Derived by the scheme's rules",
    },
}


def explain(ev: Evaluation, lang: str = "id") -> str:
    """The evaluation as indented text: one line per component with points / max, the rule
    that matched, its basis, and a marker (``!``) where a value is reconstructed or assumed."""
    if lang not in _WORDS:
        raise ValueError(f"lang must be 'id' or 'en', got {lang!r}")
    w = _WORDS[lang]
    top = ev.components
    lines = [
        f"{top.label.get(lang)} ({ev.scheme} {ev.version})",
        f"{w['score']}: {D.plain(ev.score)} / {D.plain(top.max)}",
        f"{w['band']}: {ev.band.label.get(lang)} [{ev.band.code}] ({w['policy']}: {ev.band_policy})",
    ]
    if ev.ineligible:
        lines.append(f"{w['ineligible']}:")
        lines.extend(f"  - {i.reason.get(lang)} [{i.gate}]" for i in ev.ineligible)
    lines.append("")
    for comp in top.children:
        _lines(comp, 0, lang, lines)
    if ev.categories:
        lines.append("")
        lines.append(f"{w['categories']}:")
        award = ev.criteria.award
        assert award is not None
        for cat in award.categories:
            scored = ev.categories.get(cat.id)
            if scored is None:
                lines.append(f"  {cat.label.get(lang)}: {w['not_assessed']}")
            else:
                _lines(attrs.evolve(scored, label=cat.label), 1, lang, lines)
    if ev.derived:
        lines.append("")
        shown = ", ".join(f"{name} = {cell(ev.inputs[name])}" for name in ev.derived)
        lines.append(f"{w['derived']}: {shown}")
    if ev.warnings:
        lines.append("")
        lines.append(f"{w['warnings']}:")
        lines.extend(f"  ! {x.path}: {x.message}" for x in ev.warnings)
    return "\n".join(lines)


def _lines(c: Component, depth: int, lang: str, out: list[str]) -> None:
    w = _WORDS[lang]
    pad = "  " * depth
    mark = f" ! {w[c.provenance.confidence]}" if c.provenance.weak else ""
    line = f"{pad}{c.label.get(lang)}: {D.plain(c.points)} / {D.plain(c.max)}"
    if c.rule:
        line += f"  <- {c.rule}"
    out.append(line + mark)
    if c.provenance.basis:
        out.append(f"{pad}    {w['basis']}: " + "; ".join(str(b) for b in c.provenance.basis))
    for child in c.children:
        _lines(child, depth + 1, lang, out)


# -- HTML for notebooks -----------------------------------------------------------------------
# Plain, self-contained markup (no scripts, no styles beyond inline alignment); every text from
# a criteria file or a record is escaped, so a hostile label cannot inject markup.


def shown(value: Any) -> str:
    """A value as one text cell: as :func:`~asnmerit._values.cell` gives it, and a list or
    mapping as JSON (``["a", {"b": 1}]``)."""
    if isinstance(value, Mapping | list | tuple):
        return json.dumps(json_value(value), ensure_ascii=False)
    return cell(value)


def _cell(value: Any) -> str:
    return escape(shown(value))


def table(rows: Sequence[Mapping[str, Any]], caption: str = "") -> str:
    """Rows of mappings as an HTML table, the columns in order of first appearance."""
    columns = list(dict.fromkeys(k for row in rows for k in row))
    head = "".join(f"<th>{escape(str(c))}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{_cell(row.get(c))}</td>" for c in columns) + "</tr>" for row in rows
    )
    title = f"<caption>{escape(caption)}</caption>" if caption else ""
    return f"<table>{title}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _components(comp: Component, depth: int, lang: str) -> Iterable[dict[str, Any]]:
    pad = "\u00a0\u00a0" * depth
    yield {
        "component": pad + comp.label.get(lang),
        "points": D.plain(comp.points),
        "max": D.plain(comp.max),
        "rule": comp.rule or "",
        "confidence": comp.provenance.confidence,
        "basis": "; ".join(str(b) for b in comp.provenance.basis),
    }
    for child in comp.children:
        yield from _components(child, depth + 1, lang)


def evaluation(ev: Evaluation, lang: str = "id") -> str:
    """One evaluation: the score and band, eligibility, then every component."""
    head = (
        f"<p><b>{escape(ev.components.label.get(lang))}</b> ({escape(ev.scheme)} "
        f"{escape(ev.version)}): <b>{escape(D.plain(ev.score))}</b> / "
        f"{escape(D.plain(ev.components.max))}, {escape(ev.band.label.get(lang))} "
        f"[{escape(ev.band.code)}]</p>"
    )
    notes = [i.reason.get(lang) for i in ev.ineligible] + [str(w) for w in ev.warnings]
    listed = "".join(f"<li>{escape(n)}</li>" for n in notes)
    rows = [r for c in ev.components.children for r in _components(c, 0, lang)]
    return head + (f"<ul>{listed}</ul>" if listed else "") + table(rows)


def criteria(c: Criteria, lang: str = "id") -> str:
    """A scheme version: its header, inputs and the top of its score tree."""
    head = (
        f"<p><b>{escape(c.title.get(lang))}</b> ({escape(c.id)} {escape(c.version)}), "
        f"{escape(c.valid_from.isoformat())} .. "
        f"{escape(c.valid_to.isoformat() if c.valid_to else '')}; "
        f"{escape(c.digest)}</p>"
    )
    inputs = [
        {
            "input": name,
            "type": i.type,
            "label": i.label.get(lang),
            "codes": " | ".join(i.code_names),
        }
        for name, i in c.inputs.items()
    ]
    tree = [
        {
            "node": n.label.get(lang),
            "max": D.plain(n.max if n.max is not None else n.bounds[1]),
            "confidence": n.provenance.confidence,
        }
        for n in c.score.children
    ]
    bands = [
        {"band": b.code, "label": b.label.get(lang), "from": b.lower, "to": b.upper}
        for b in c.bands.table
    ]
    return head + table(inputs) + table(tree) + table(bands)


# -- tables with typed columns ------------------------------------------------------

Kind = Literal["int", "bool", "decimal", "rank", "text", "band"]

KINDS = ("pandas", "polars", "pyarrow")
"""The libraries :func:`frame` builds tables for."""


@attrs.frozen
class Column:
    """One column of a collection's table: its name, its kind, and for a band column the
    bands in their order (lowest first)."""

    name: str
    kind: Kind
    categories: tuple[str, ...] = ()


class Framed:
    """What a result collection needs to become a table: its :meth:`columns` and
    :meth:`records`; :meth:`to_frame` builds it."""

    __slots__ = ()

    def _columns(self, lang: str) -> list[Column]:
        """The columns of this collection's table, in order."""
        raise TypeError(f"{type(self).__name__} declares no columns")  # pragma: no cover

    def _records(self, lang: str) -> list[dict[str, Any]]:
        """One mapping per row of the table: its values, typed (ints, booleans, decimals,
        band codes, texts; ``None``: no value)."""
        raise TypeError(f"{type(self).__name__} gives no records")  # pragma: no cover

    def to_frame(
        self,
        kind: str = "pandas",
        *,
        scores: Literal["decimal", "float"] = "decimal",
        lang: str = "id",
    ) -> Any:
        """This collection as a table (``"pandas"``, ``"polars"`` or ``"pyarrow"``) with
        typed columns: counts as integers, flags as booleans, scores as exact decimals
        (``scores="float"``: floats, which pandas rounds and plots), bands as categories in
        the scheme's order. (``rows()`` gives the same as text, for CSV.)"""
        if lang not in ("id", "en"):
            raise ValueError(f"lang must be 'id' or 'en', got {lang!r}")
        return frame(self._columns(lang), self._records(lang), kind, scores)


def band_column(name: str, order: Sequence[str], seen: Sequence[str | None] = ()) -> Column:
    """A band column whose categories are ``order`` (the scheme's bands), else the codes
    ``seen``, in the order first met."""
    categories = tuple(order) or tuple(dict.fromkeys(c for c in seen if c is not None))
    return Column(name, "band", categories)


def frame(
    columns: Sequence[Column],
    records: Sequence[Mapping[str, Any]],
    kind: str = "pandas",
    scores: str = "decimal",
) -> Any:
    """The table of ``records`` under ``columns`` (see the module)."""
    if kind not in KINDS:
        raise ValueError(f"to_frame: one of {', '.join(map(repr, KINDS))}, got {kind!r}")
    if scores not in ("decimal", "float"):
        raise ValueError(f'scores: "decimal" or "float", got {scores!r}')
    names = [c.name for c in columns]
    if len(set(names)) != len(names):
        raise ValueError(f"the table would have two columns of one name: {names}")
    data = {c.name: [r.get(c.name) for r in records] for c in columns}
    for c in columns:
        if c.kind == "band":
            strange = [
                v for v in dict.fromkeys(data[c.name]) if v is not None and v not in c.categories
            ]
            if strange:
                raise ValueError(
                    f"column {c.name!r}: {', '.join(map(repr, strange[:5]))} is not one of the "
                    f"bands {', '.join(c.categories) or '(none)'}"
                )
        elif c.kind in ("decimal", "rank"):
            odd = next((v for v in data[c.name] if _infinite(v)), None)
            if odd is not None:
                raise ValueError(f"column {c.name!r}: {odd} is not a finite number")
    build = {"pandas": _pandas, "polars": _polars, "pyarrow": _arrow}[kind]
    return build(columns, data, scores == "float")


def _infinite(value: Any) -> bool:
    """Whether ``value`` is a decimal NaN or infinity (no table type holds one exactly)."""
    from decimal import Decimal

    return isinstance(value, Decimal) and not value.is_finite()


def _whole(values: Sequence[Any]) -> bool:
    """Whether every rank is a whole number (ranks are integers, else halves)."""
    return all(v is None or v == v.to_integral_value() for v in values)


def _scale(values: Sequence[Any]) -> int:
    """The decimal places that hold every value."""
    return max((max(0, -int(v.as_tuple().exponent)) for v in values if v is not None), default=0)


def _digits(values: Sequence[Any]) -> int:
    """The digits before the point that hold every value."""
    return max((max(1, v.adjusted() + 1) for v in values if v is not None), default=1)


def _decimal_text(values: Sequence[Any]) -> list[str | None]:
    """Decimals too wide for the table's decimal type, as exact plain texts."""
    return [None if v is None else D.plain(v) for v in values]


def _whole_places(values: Sequence[Any], scale: int) -> list[Any]:
    """The values with at least ``scale`` places written out (``1E+3`` as ``1000``), as
    a decimal type takes them."""
    return [
        None if v is None else v.quantize(D.ONE.scaleb(-scale), context=D.EXACT) for v in values
    ]


def _pandas(columns: Sequence[Column], data: Mapping[str, list[Any]], floats: bool) -> Any:
    import pandas as pd

    out: dict[str, Any] = {}
    for c in columns:
        values = data[c.name]
        if c.kind == "int":
            out[c.name] = pd.array(values, dtype="Int64")
        elif c.kind == "bool":
            out[c.name] = pd.array(values, dtype="boolean")
        elif c.kind == "text":
            out[c.name] = pd.array(values, dtype=pd.StringDtype())
        elif c.kind == "band":
            dtype = pd.CategoricalDtype(list(c.categories), ordered=True)
            out[c.name] = pd.Categorical(values, dtype=dtype)
        elif c.kind == "rank" and _whole(values):
            out[c.name] = pd.array([None if v is None else int(v) for v in values], "Int64")
        elif floats or c.kind == "rank":
            out[c.name] = pd.array([None if v is None else float(v) for v in values], "Float64")
        else:
            out[c.name] = pd.Series(values, dtype=object)
    return pd.DataFrame(out)


def _polars(columns: Sequence[Column], data: Mapping[str, list[Any]], floats: bool) -> Any:
    import polars as pl

    series = []
    for c in columns:
        values = data[c.name]
        if c.kind == "band":
            series.append(
                pl.Series(c.name, values, dtype=pl.String).cast(pl.Enum(list(c.categories)))
            )
            continue
        if c.kind == "rank" and _whole(values):
            values = [None if v is None else int(v) for v in values]
            dtype: Any = pl.Int64
        elif c.kind in ("decimal", "rank") and (floats or c.kind == "rank"):
            values = [None if v is None else float(v) for v in values]
            dtype = pl.Float64
        elif c.kind == "decimal" and _digits(values) + _scale(values) > 38:
            values, dtype = _decimal_text(values), pl.String  # wider than 128 bits: exact text
        elif c.kind == "decimal":
            dtype = pl.Decimal(38, _scale(values))
            values = _whole_places(values, _scale(values))
        else:
            dtype = {"int": pl.Int64, "bool": pl.Boolean, "text": pl.String}[c.kind]
        series.append(pl.Series(c.name, values, dtype=dtype))
    return pl.DataFrame(series)


def _arrow(columns: Sequence[Column], data: Mapping[str, list[Any]], floats: bool) -> Any:
    import pyarrow as pa

    arrays, names = [], []
    for c in columns:
        values = data[c.name]
        names.append(c.name)
        if c.kind == "band":
            where = {v: k for k, v in enumerate(c.categories)}
            codes = pa.array([None if v is None else where[v] for v in values], pa.int8())
            arrays.append(
                pa.DictionaryArray.from_arrays(
                    codes, pa.array(c.categories, pa.string()), ordered=True
                )
            )
            continue
        if c.kind == "rank" and _whole(values):
            arrays.append(pa.array([None if v is None else int(v) for v in values], pa.int64()))
        elif c.kind in ("decimal", "rank") and (floats or c.kind == "rank"):
            arrays.append(pa.array([None if v is None else float(v) for v in values], pa.float64()))
        elif c.kind == "decimal":
            scale, width = _scale(values), _digits(values) + _scale(values)
            if width > 76:  # wider than 256 bits: exact text
                arrays.append(pa.array(_decimal_text(values), pa.string()))
            else:
                kind = pa.decimal128(38, scale) if width <= 38 else pa.decimal256(76, scale)
                arrays.append(pa.array(_whole_places(values, scale), kind))
        else:
            kind = {"int": pa.int64(), "bool": pa.bool_(), "text": pa.string()}[c.kind]
            arrays.append(pa.array(values, kind))
    return pa.Table.from_arrays(arrays, names=names)


def text(value: Any) -> str | None:
    """A value of a text column of :func:`frame`: the value as shown (``None`` stays
    ``None``)."""
    return None if value is None else shown(value)
