"""One self-contained HTML report of a batch of results, in Indonesian or English.

The report is a sequence of :class:`Section` s (:data:`SECTIONS`): each has an anchor, a
heading in both languages and a function that turns the :class:`Facts` of the batch into
escaped HTML (or ``None`` to leave the section out). Adding a section means adding one
entry there. The page has inline CSS and inline SVG charts only: no scripts, no fonts,
no images, nothing fetched from anywhere (a Content-Security-Policy says so as well). The
output is deterministic: the same results give the same page, byte for byte.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from html import escape
from typing import Any

import attrs

from .. import _decimal as D
from .._render import shown, table
from ..analysis.aggregation import GroupResult, aggregate
from ..analysis.grouping import BLANK, Key, group_key
from ..engine.bands import band_counts
from ..engine.batch import brief, check_fields, fields_of, unpack
from ..errors import AsnmeritError
from ..model import Criteria, Rounding, Text
from ..results import Evaluation, Result, RowResult
from ..whatif.lifts import actions as lifting
from . import svg

LANGS = ("id", "en")

UI: dict[str, Text] = {
    "report": Text("Laporan", "Report"),
    "scheme": Text("Skema", "Scheme"),
    "digest": Text("Sidik isi", "Content digest"),
    "read_as": Text("Dibaca sebagai", "Read as"),
    "not_read": Text("Kolom tidak dibaca (bukan isian skema)", "Columns not read (not fields)"),
    "in_force": Text("Berlaku", "In force"),
    "confidence": Text("Keyakinan sumber", "Confidence of the source"),
    "rows": Text("Baris", "Rows"),
    "scored": Text("Dinilai", "Scored"),
    "errors": Text("Galat", "Errors"),
    "ineligible": Text("Tidak memenuhi syarat", "Not eligible"),
    "mean": Text("Rata-rata", "Mean"),
    "row": Text("Baris", "Row"),
    "error": Text("Galat", "Error"),
    "failed": Text("Baris yang tidak dapat dinilai", "Rows that could not be scored"),
    "band": Text("Kategori", "Band"),
    "code": Text("Kode", "Code"),
    "count": Text("Jumlah", "Count"),
    "share": Text("Persentase", "Share"),
    "bands_chart": Text("Jumlah per kategori", "Count per band"),
    "nothing": Text("Tidak ada baris yang dinilai.", "No row was scored."),
    "dimension": Text("Dimensi", "Dimension"),
    "mean_points": Text("Nilai rata-rata", "Mean points"),
    "max": Text("Maksimum", "Maximum"),
    "of_max": Text("% dari maksimum", "% of maximum"),
    "dims_chart": Text("Nilai rata-rata per dimensi", "Mean points per dimension"),
    "group_mean_chart": Text("Nilai rata-rata per kelompok", "Mean score per group"),
    "group_bands_chart": Text("Sebaran kategori per kelompok", "Bands per group"),
    "band_of_mean": Text("Kategori rata-rata", "Band of the mean"),
    "blank": Text("(kosong)", "(blank)"),
    "grouped_by": Text("Dikelompokkan menurut", "Grouped by"),
    "group_order": Text(
        "Kelompok diurutkan dari nilai rata-rata tertinggi; persentase kategori dihitung dari "
        "baris yang dinilai.",
        "Groups are ordered from the highest mean score; band shares are of the scored rows.",
    ),
    "where": Text("Letak", "Where"),
    "message": Text("Keterangan", "Message"),
    "weak_intro": Text(
        "Nilai dalam kriteria yang direkonstruksi atau diasumsikan (bukan dari teks "
        "peraturan) dan dipakai dalam penilaian baris-baris ini:",
        "Values of the criteria that are reconstructed or assumed (not from regulation text) "
        "and were used to score these rows:",
    ),
    "no_weak": Text(
        "Tidak ada nilai yang direkonstruksi atau diasumsikan yang dipakai.",
        "No reconstructed or assumed value was used.",
    ),
    "contents": Text("Isi", "Contents"),
    "actions_intro": Text(
        "Satu perubahan yang dapat dilakukan pegawai sendiri dan menaikkan baris ke kategori "
        "berikutnya, dari yang paling banyak menaikkan baris (di luar kategori tertinggi).",
        "Single changes the subject can make that lift a row into its next band, from the "
        "one that lifts the most rows (rows in the top band are left out).",
    ),
    "no_actions": Text(
        "Tidak ada satu perubahan pun yang menaikkan kategori.",
        "No single change lifts any row into its next band.",
    ),
    "action": Text("Perubahan", "Change"),
    "input": Text("Masukan", "Input"),
    "lifted": Text("Baris yang naik kategori", "Rows lifted"),
    "mean_gain": Text("Rata-rata tambahan nilai", "Mean points gained"),
    "actions_chart": Text("Baris yang naik kategori per perubahan", "Rows lifted per change"),
    "made_by": Text("Dibuat oleh", "Made by"),
}
"""The report's own words, in both languages (labels of the scheme come from its file)."""

_CSS = """
body{font-family:system-ui,sans-serif;color:#1f2328;background:#fff;margin:0;line-height:1.45}
main{max-width:60rem;margin:0 auto;padding:1.5rem}
h1{font-size:1.6rem;margin:0 0 .25rem}h2{font-size:1.25rem;margin:2rem 0 .5rem;
border-bottom:1px solid #d0d7de;padding-bottom:.25rem}h3{font-size:1rem;margin:1.25rem 0 .5rem}
.sub{color:#57606a;margin:0 0 1rem}
dl{display:grid;grid-template-columns:max-content auto;gap:.2rem 1rem;margin:0}
dt{font-weight:600}dd{margin:0;overflow-wrap:anywhere}
table{border-collapse:collapse;margin:.75rem 0;font-size:.9rem}
th,td{border:1px solid #d0d7de;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}td{font-variant-numeric:tabular-nums}
svg.chart{display:block;max-width:100%;height:auto;margin:.75rem 0}
nav ul{margin:0;padding-left:1.2rem}footer{margin-top:2rem;color:#57606a;font-size:.85rem}
"""

_CSP = "default-src 'none'; style-src 'unsafe-inline'"


@attrs.frozen
class Facts:
    """What every section sees: the scheme, the results and the reader's language."""

    criteria: Criteria
    results: tuple[tuple[Result, Evaluation | None], ...]
    lang: str
    group_by: tuple[str, ...] | None
    """The fields the group comparison groups by (``None``: no comparison)."""
    rounding: Rounding
    """How means are rounded (the scheme's declared rounding of means, else 2 places)."""
    whole: GroupResult | None
    """The means of all scored rows (strata combined); ``None`` when none was scored."""
    source: tuple[str, Sequence[str]] | None = None
    """How the records file was read, and its columns that were not read."""

    @property
    def scored(self) -> list[Evaluation]:
        """The evaluations of the rows that were scored, in input order."""
        return [ev for _, ev in self.results if ev is not None]

    def say(self, key: str) -> str:
        """A word of the report's own, in the report's language."""
        return UI[key].get(self.lang)

    def text(self, text: Text | None) -> str:
        """A bilingual text of the scheme, in the report's language."""
        return "" if text is None else text.get(self.lang)


@attrs.frozen
class Section:
    """One section of the report: its anchor, its heading and what renders its body."""

    id: str
    heading: Text
    body: Callable[[Facts], str | None]
    """Escaped HTML below the heading, or ``None`` to leave the section out."""


@D.own_context
def report(
    results: Iterable[Result],
    criteria: Criteria,
    *,
    lang: str = "id",
    group_by: str | Sequence[str] | None = None,
    title: str | None = None,
    source: tuple[str, Sequence[str]] | None = None,
) -> str:
    """A self-contained HTML page about ``results`` (rows of
    :func:`~asnmerit.engine.batch.evaluate_records`, or evaluations) of ``criteria``: a summary
    (failed rows listed with their row numbers), the band distribution, the mean of each
    top-level dimension, a comparison of groups and the warnings about assumed values.

    ``lang`` is ``"id"`` (default) or ``"en"``. The groups compared are those of the
    ``group_by`` fields; by default the award's groups, else the ``instansi`` identifier
    when the rows have it, else the comparison is left out. ``source``: how the records file
    was read and the columns left unread (shown in the summary)."""
    if lang not in LANGS:
        raise AsnmeritError(f"lang must be one of {', '.join(LANGS)}, got {lang!r}")
    pairs, _ = unpack(results, criteria, "report")  # all of ``criteria``, or an error
    fields = _group_fields(criteria, pairs, group_by)
    declared = criteria.aggregation
    rounding = declared.rounding if declared else Rounding(2)
    overall = aggregate([item for item, _ in pairs], criteria=criteria, rounding=rounding)
    whole = overall.groups[-1] if overall.groups and overall.groups[-1].count else None
    facts = Facts(criteria, tuple(pairs), lang, fields, rounding, whole, source)
    heading = title if title is not None else f"{facts.say('report')}: {criteria.title.get(lang)}"
    parts = []
    contents = []
    for section in SECTIONS:
        body = section.body(facts)
        if body is None:
            continue
        name = escape(section.heading.get(lang))
        contents.append(f'<li><a href="#{escape(section.id)}">{name}</a></li>')
        parts.append(f'<section id="{escape(section.id)}"><h2>{name}</h2>{body}</section>')
    from .._version import __version__

    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(heading)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n<main>\n"
        f"<h1>{escape(heading)}</h1>\n"
        f'<p class="sub">{escape(criteria.id)} {escape(criteria.version)}</p>\n'
        f'<nav aria-label="{escape(facts.say("contents"))}"><ul>{"".join(contents)}</ul></nav>\n'
        + "\n".join(parts)
        + f"\n<footer>{escape(facts.say('made_by'))} asnmerit {escape(__version__)}</footer>\n"
        "</main>\n</body>\n</html>\n"
    )


def _group_fields(
    criteria: Criteria,
    pairs: Sequence[tuple[Result, Evaluation | None]],
    group_by: str | Sequence[str] | None,
) -> tuple[str, ...] | None:
    if group_by is not None:
        fields = (group_by,) if isinstance(group_by, str) else tuple(group_by)
        check_fields(criteria, fields, "group")
        return fields or None
    if criteria.award and criteria.award.group_by:
        return criteria.award.group_by
    if "instansi" in criteria.identifiers and any(
        group_key(fields_of(item, ev).get("instansi")) != BLANK for item, ev in pairs
    ):
        return ("instansi",)
    return None


# -- sections -------------------------------------------------------------------------------


def summary(facts: Facts) -> str:
    """The scheme, how many rows were scored, the mean, and every row that failed."""
    c, say = facts.criteria, facts.say
    failed = [
        (item, item.error)
        for item, ev in facts.results
        if isinstance(item, RowResult) and ev is None
    ]
    scored = facts.scored
    valid = c.valid_from.isoformat() + " .. " + (c.valid_to.isoformat() if c.valid_to else "")
    items: list[tuple[str, str]] = [
        (say("scheme"), f"{c.title.get(facts.lang)} ({c.id} {c.version})"),
        (say("digest"), c.digest),
        (say("in_force"), valid),
        (say("confidence"), c.confidence),
        (say("rows"), str(len(facts.results))),
        (say("scored"), str(len(scored))),
        (say("errors"), str(len(failed))),
        (say("ineligible"), str(sum(not ev.eligible for ev in scored))),
    ]
    if facts.source is not None:
        how, unread = facts.source
        items += [(say("read_as"), how)] if how else []
        items += [(say("not_read"), ", ".join(unread))] if unread else []
    whole = facts.whole
    if whole is not None and whole.score is not None and whole.band is not None:
        items.append((say("mean"), f"{D.plain(whole.score)} ({facts.text(whole.band.label)})"))
    out = "<dl>" + "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in items) + "</dl>"
    if failed:
        ids = list(dict.fromkeys(k for item, _ in failed for k in item.identifiers))
        rows = [
            {
                say("row"): item.row,
                **{_field_label(c, k, facts.lang): item.identifiers.get(k) for k in ids},
                say("error"): brief(error),
            }
            for item, error in failed
        ]
        out += f"<h3>{escape(say('failed'))}</h3>" + table(rows)
    return out


def bands(facts: Facts) -> str:
    """How many scored rows fall in each band (highest band first), and their shares."""
    scored = facts.scored
    if not scored:
        return f"<p>{escape(facts.say('nothing'))}</p>"
    table_ = facts.criteria.bands.table
    counts = band_counts(facts.criteria, scored)
    share = {code: svg.percent(n, len(scored)) + "%" for code, n in counts.items()}
    colours = dict(zip(counts, svg.ramp(len(table_)), strict=True))
    order = list(reversed(table_))
    say = facts.say
    rows = [
        {
            say("band"): facts.text(b.label),
            say("code"): b.code,
            say("count"): counts[b.code],
            say("share"): share[b.code],
        }
        for b in order
    ]
    chart = svg.bars(
        [
            svg.Bar(
                facts.text(b.label),
                Decimal(counts[b.code]),
                text=f"{counts[b.code]} ({share[b.code]})",
                colour=colours[b.code],
            )
            for b in order
        ],
        say("bands_chart"),
    )
    return chart + table(rows)


def dimensions(facts: Facts) -> str:
    """The mean points of each top-level dimension against its maximum."""
    whole = facts.whole
    if whole is None:
        return f"<p>{escape(facts.say('nothing'))}</p>"
    say = facts.say
    rows, chart = [], []
    for node in facts.criteria.score.children:
        top = node.max if node.max is not None else node.bounds[1]
        mean = whole.components[node.id]
        label = facts.text(node.label)
        rows.append(
            {
                say("dimension"): label,
                say("mean_points"): D.plain(mean),
                say("max"): D.plain(top),
                say("of_max"): svg.percent(mean, top) + "%",
            }
        )
        chart.append(svg.Bar(label, mean, top, f"{D.plain(mean)} / {D.plain(top)}"))
    return svg.bars(chart, say("dims_chart")) + table(rows)


def groups(facts: Facts) -> str | None:
    """Each group's count, mean score, band of the mean and band shares, side by side."""
    fields = facts.group_by
    if fields is None:
        return None
    c, say, lang = facts.criteria, facts.say, facts.lang
    results = [item for item, _ in facts.results]
    combined = [
        g
        for g in aggregate(results, fields, criteria=c, rounding=facts.rounding).groups
        if g.stratum is None
    ]
    tally: dict[tuple[Key, ...], Counter[str]] = {}
    for item, ev in facts.results:
        if ev is not None:
            values = fields_of(item, ev)
            key = tuple(group_key(values.get(f)) for f in fields)
            tally.setdefault(key, Counter())[ev.band.code] += 1
    ordered = sorted(
        enumerate(combined),
        key=lambda ig: (ig[1].score is None, -(ig[1].score or D.ZERO), ig[0]),
    )
    table_ = list(reversed(c.bands.table))
    rows, means, shares = [], [], []
    for _, g in ordered:
        name = " / ".join(shown(g.key.get(f)).strip() or say("blank") for f in fields)
        counts = tally.get(tuple(group_key(g.key.get(f)) for f in fields), Counter())
        row: dict[str, Any] = {_field_label(c, f, lang): shown(g.key.get(f)) for f in fields}
        row[say("count")] = g.count
        row[say("errors")] = g.rejected
        row[say("mean")] = "" if g.score is None else D.plain(g.score)
        row[say("band_of_mean")] = facts.text(g.band.label) if g.band else ""
        for b in table_:
            row[facts.text(b.label)] = svg.percent(counts.get(b.code, 0), g.count) + "%"
        rows.append(row)
        if g.score is not None:
            means.append(svg.Bar(name, g.score))
        shares.append(svg.Shares(name, tuple(counts.get(b.code, 0) for b in c.bands.table)))
    legend = [facts.text(b.label) for b in c.bands.table]
    by = ", ".join(_field_label(c, f, lang) for f in fields)
    return (
        f"<p>{escape(say('grouped_by'))}: {escape(by)}. {escape(say('group_order'))}</p>"
        + (svg.bars(means, say("group_mean_chart"), scale=c.score_max) if means else "")
        + svg.shares(shares, legend, say("group_bands_chart"))
        + table(rows)
    )


def assumed_values(facts: Facts) -> str:
    """Which reconstructed or assumed values the scores used, and for how many rows."""
    say = facts.say
    seen: Counter[tuple[str, str, str]] = Counter()
    for ev in facts.scored:
        for w in dict.fromkeys(ev.warnings):
            seen[(w.code, w.path, w.message)] += 1
    if not seen:
        return f"<p>{escape(say('no_weak'))}</p>"
    rows = [
        {
            say("confidence"): code.removeprefix("confidence."),
            say("where"): path,
            say("message"): message,
            say("rows"): n,
            say("share"): svg.percent(n, len(facts.scored)) + "%",
        }
        for (code, path, message), n in sorted(seen.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    return f"<p>{escape(say('weak_intro'))}</p>" + table(rows)


def actions(facts: Facts) -> str | None:
    """The single changes that lift the most rows into their next band (the options of
    ``next_band`` with one change, actionable inputs only, counted over every scored row
    below the top band by :func:`asnmerit.whatif.actions`), with the mean points gained."""
    top_band = facts.criteria.bands.table[-1]
    if all(ev.band == top_band for ev in facts.scored):
        return None
    found = lifting(facts.scored, criteria=facts.criteria, max_changes=1, top=10)
    say = facts.say
    intro = say("actions_intro")
    if not found.actions:
        return f"<p>{escape(intro)}</p><p>{escape(say('no_actions'))}</p>"
    below = found.below
    rows, chart = [], []
    for action in found.actions:
        label = action.text(facts.criteria, facts.lang)  # "Label: value" (or raise, lower)
        rows.append(
            {
                say("action"): label,
                say("input"): "; ".join(action.inputs),
                say("lifted"): action.lifted,
                say("share"): svg.percent(action.lifted, below) + "%",
                say("mean_gain"): "+" + D.plain(action.mean_gain),
            }
        )
        chart.append(
            svg.Bar(label, Decimal(action.lifted), Decimal(below), f"{action.lifted} / {below}")
        )
    return f"<p>{escape(intro)}</p>" + svg.bars(chart, say("actions_chart")) + table(rows)


SECTIONS: tuple[Section, ...] = (
    Section("summary", Text("Ringkasan", "Summary"), summary),
    Section("bands", Text("Sebaran kategori", "Band distribution"), bands),
    Section("dimensions", Text("Hasil per dimensi", "Results per dimension"), dimensions),
    Section("groups", Text("Perbandingan kelompok", "Group comparison"), groups),
    Section("actions", Text("Langkah perbaikan", "What-if actions"), actions),
    Section("warnings", Text("Peringatan", "Warnings"), assumed_values),
)
"""The sections of a report, in order."""


# -- helpers ----------------------------------------------------------------------------------


def _field_label(criteria: Criteria, name: str, lang: str) -> str:
    ident = criteria.identifiers.get(name)
    if ident is not None:
        return ident.label.get(lang)
    inp = criteria.inputs.get(name)
    return inp.label.get(lang) if inp is not None else name
