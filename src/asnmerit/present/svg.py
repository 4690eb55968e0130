"""Small inline SVG charts for reports: horizontal bars and 100% stacked share bars.

Dependency-free and deterministic: the same data give the same markup, byte for byte.
Every coordinate is computed from :class:`~decimal.Decimal` values and written with at
most two decimals (no float artefacts). Every label is escaped; each chart is an
accessible image (``role="img"``, ``aria-label`` and a ``<title>``), and each bar or
segment carries its own ``<title>`` with the exact figures. The markup is meant to sit
inside an HTML page (no XML namespace declaration, no external references).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from html import escape

import attrs

from .. import _decimal as D

WIDTH = 640
"""The width of every chart, in user units (charts shrink to fit narrower pages)."""
LABEL_WIDTH = 210
VALUE_WIDTH = 110
ROW = 26
BAR = 16
PAD = 8
LABEL_CHARS = 32
"""Labels longer than this are shortened with an ellipsis (the full label is in the
bar's ``<title>``)."""

BAR_COLOUR = "#4a78b0"
TRACK_COLOUR = "#e4e9f0"
TEXT_COLOUR = "#1f2328"
RAMP = ("#d9534f", "#f0a04b", "#f2d15c", "#9cc978", "#4fa865", "#2f7d4f")
"""Colours from worst to best, for ordered categories such as bands."""


@attrs.frozen
class Bar:
    """One bar: its label, its value, and optionally the maximum it could reach (drawn as
    a track behind the bar), the text shown after it, and its colour."""

    label: str
    value: Decimal
    max: Decimal | None = None
    text: str | None = None
    """Shown after the bar (default: the value)."""
    colour: str = BAR_COLOUR


@attrs.frozen
class Shares:
    """One stacked bar: a label and a count per category (in the order of the legend)."""

    label: str
    counts: tuple[int, ...]


def ramp(n: int) -> tuple[str, ...]:
    """``n`` colours spread over :data:`RAMP`, worst first."""
    if n <= 1:
        return RAMP[-1:] * n
    last = len(RAMP) - 1
    return tuple(RAMP[(i * last * 2 + n - 1) // (2 * (n - 1))] for i in range(n))


@D.own_context
def bars(items: Sequence[Bar], title: str, *, scale: Decimal | None = None) -> str:
    """A horizontal bar chart of ``items``, one row each, all on one scale: ``scale``, or
    the largest value or maximum of the items. Values below zero draw as empty bars."""
    top = scale if scale is not None else max((_reach(b) for b in items), default=D.ZERO)
    plot = Decimal(WIDTH - LABEL_WIDTH - VALUE_WIDTH)
    rows = []
    for i, b in enumerate(items):
        y = Decimal(PAD + i * ROW)
        text = b.text if b.text is not None else D.plain(b.value)
        tip = f"{b.label}: {text}" + (f" / {D.plain(b.max)}" if b.max is not None else "")
        parts = [f"<title>{escape(tip)}</title>", _label(b.label, y)]
        mid = y + (ROW - BAR) // 2
        length = end = _length(b.value, top, plot)
        if b.max is not None:
            track = _length(b.max, top, plot)
            parts.append(_rect(Decimal(LABEL_WIDTH), mid, track, TRACK_COLOUR))
            end = max(end, track)
        parts.append(_rect(Decimal(LABEL_WIDTH), mid, length, b.colour))
        parts.append(_text(Decimal(LABEL_WIDTH) + end + 6, y, text, "start"))
        rows.append(f'<g class="bar">{"".join(parts)}</g>')
    return _svg(title, PAD * 2 + ROW * len(items), rows)


@D.own_context
def shares(
    rows: Sequence[Shares],
    legend: Sequence[str],
    title: str,
    *,
    colours: Sequence[str] | None = None,
) -> str:
    """Stacked 100% bars, one per row, each split into its categories' shares, under a
    legend of the categories (``colours``: one per category, default :func:`ramp`).
    A row without any count draws as an empty track."""
    palette = tuple(colours) if colours is not None else ramp(len(legend))
    if len(palette) != len(legend):
        raise ValueError(f"{len(legend)} categories need {len(legend)} colours, got {len(palette)}")
    for row in rows:
        if len(row.counts) != len(legend):
            raise ValueError(
                f"row {row.label!r} has {len(row.counts)} counts for {len(legend)} categories"
            )
    keys, key_height = _legend(legend, palette)
    plot = Decimal(WIDTH - LABEL_WIDTH - VALUE_WIDTH)
    out = [keys]
    for i, row in enumerate(rows):
        y = Decimal(key_height + PAD + i * ROW)
        total = sum(row.counts)
        parts = [_label(row.label, y)]
        mid = y + (ROW - BAR) // 2
        parts.append(_rect(Decimal(LABEL_WIDTH), mid, plot, TRACK_COLOUR))
        done = 0
        for name, count, colour in zip(legend, row.counts, palette, strict=True):
            if not count:
                continue
            x0 = _length(Decimal(done), Decimal(total), plot)
            done += count
            x1 = _length(Decimal(done), Decimal(total), plot)
            tip = f"{row.label}: {name}: {count} ({percent(count, total)}%)"
            parts.append(
                f"<g><title>{escape(tip)}</title>"
                + _rect(Decimal(LABEL_WIDTH) + x0, mid, x1 - x0, colour)
                + "</g>"
            )
        parts.append(_text(Decimal(WIDTH - VALUE_WIDTH + 6), y, f"n = {total}", "start"))
        out.append(f'<g class="shares">{"".join(parts)}</g>')
    return _svg(title, key_height + PAD * 2 + ROW * len(rows), out)


def percent(part: int | Decimal, whole: int | Decimal, places: int = 1) -> str:
    """``part`` as a percentage of ``whole``, rounded half up to ``places`` (``0`` when
    ``whole`` is zero)."""
    if not whole:
        return D.plain(D.round_places(D.ZERO, places))
    return D.plain(D.round_ratio(D.mul(Decimal(part), Decimal(100)), Decimal(whole), places))


# -- pieces -----------------------------------------------------------------------------------


def _reach(b: Bar) -> Decimal:
    return b.value if b.max is None else max(b.value, b.max)


def _length(value: Decimal, scale: Decimal, plot: Decimal) -> Decimal:
    """``value`` as a length on a plot of width ``plot`` for ``scale`` (two decimals)."""
    if scale <= 0 or value <= 0:
        return D.ZERO
    return D.round_ratio(D.mul(min(value, scale), plot), scale, 2)


def _n(value: Decimal) -> str:
    return D.plain(D.tidy(D.round_places(value, 2)))


def _rect(x: Decimal, y: Decimal, width: Decimal, colour: str) -> str:
    return (
        f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(width)}" height="{BAR}" '
        f'fill="{escape(colour)}"/>'
    )


def _text(x: Decimal, y: Decimal, text: str, anchor: str) -> str:
    base = y + ROW // 2 + 4
    return (
        f'<text x="{_n(x)}" y="{_n(base)}" text-anchor="{anchor}" fill="{TEXT_COLOUR}">'
        f"{escape(text)}</text>"
    )


def _label(label: str, y: Decimal) -> str:
    short = label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1].rstrip() + "\u2026"
    return _text(Decimal(LABEL_WIDTH - 8), y, short, "end")


def _legend(names: Sequence[str], palette: Sequence[str]) -> tuple[str, int]:
    """The legend, three keys a line, and its height."""
    per_line, column = 3, WIDTH // 3
    keys = []
    for i, (name, colour) in enumerate(zip(names, palette, strict=True)):
        x = Decimal(column * (i % per_line))
        y = Decimal(PAD + (i // per_line) * 20)
        short = name if len(name) <= 26 else name[:25].rstrip() + "\u2026"
        keys.append(
            f"<g><title>{escape(name)}</title>"
            f'<rect x="{_n(x)}" y="{_n(y + 3)}" width="12" height="12" fill="{escape(colour)}"/>'
            f'<text x="{_n(x + 18)}" y="{_n(y + 13)}" fill="{TEXT_COLOUR}">{escape(short)}</text>'
            "</g>"
        )
    lines = (len(names) + per_line - 1) // per_line
    return f'<g class="legend">{"".join(keys)}</g>', PAD + lines * 20


def _svg(title: str, height: int, body: Sequence[str]) -> str:
    label = escape(title)
    return (
        f'<svg class="chart" role="img" aria-label="{label}" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" font-family="sans-serif" font-size="12">'
        f"<title>{label}</title>{''.join(body)}</svg>"
    )
