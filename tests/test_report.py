"""The HTML report: inline SVG charts, the sections and their numbers, escaping, both
languages, no external reference, the command line, and the page as real headless
Chromium renders it."""

from __future__ import annotations

import itertools
import os
import struct
import time
import xml.etree.ElementTree as ET
import zlib
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest

import asnmerit
from asnmerit.cli import main
from asnmerit.cli.demo import sample_path
from asnmerit.engine.batch import evaluate_records
from asnmerit.files.records import read_records
from asnmerit.present import svg
from asnmerit.present.reports import SECTIONS, UI, report
from asnmerit.results import RowResult

from .helpers import pelaksana

HOSTILE = "<script>alert(1)</script>"
PLOT = svg.WIDTH - svg.LABEL_WIDTH - svg.VALUE_WIDTH


# -- svg ----------------------------------------------------------------------------------------


def rects(markup: str) -> list[dict[str, str]]:
    """The attributes of every rect of a chart (parsed as XML: the chart is well formed)."""
    return [dict(r.attrib) for r in ET.fromstring(markup).iter("rect")]


def test_bars_scale_exactly_and_draw_tracks() -> None:
    chart = svg.bars(
        [svg.Bar("A", Decimal(10), Decimal(40)), svg.Bar("B", Decimal("0.1"))], "Judul"
    )
    root = ET.fromstring(chart)
    assert root.get("role") == "img" and root.get("aria-label") == "Judul"
    assert root.find("title") is not None and root.find("title").text == "Judul"  # type: ignore[union-attr]
    track, bar_a, bar_b = rects(chart)
    assert track["width"] == str(PLOT) and track["fill"] == svg.TRACK_COLOUR  # the max: 40
    assert bar_a["width"] == str(PLOT // 4) and bar_a["fill"] == svg.BAR_COLOUR  # 10 of 40
    assert bar_b["width"] == "0.8"  # 0.1 of 40 on 320 units, no float artefacts
    texts = [t.text for t in root.iter("text")]
    assert texts == ["A", "10", "B", "0.1"]
    # the same data give the same markup
    assert chart == svg.bars(
        [svg.Bar("A", Decimal(10), Decimal(40)), svg.Bar("B", Decimal("0.1"))], "Judul"
    )


def test_bars_round_thirds_and_clip_to_the_scale() -> None:
    chart = svg.bars(
        [
            svg.Bar("a third", Decimal(1)),
            svg.Bar("over", Decimal(5)),
            svg.Bar("neg", Decimal(-2)),
        ],
        "t",
        scale=Decimal(3),
    )
    assert [r["width"] for r in rects(chart)] == ["106.67", str(PLOT), "0"]
    assert svg.bars([], "empty").count("<rect") == 0


def test_labels_are_escaped_and_long_ones_shortened() -> None:
    long = "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia Daerah"
    chart = svg.bars([svg.Bar(HOSTILE, Decimal(1)), svg.Bar(long, Decimal(2))], HOSTILE)
    assert "<script" not in chart and "&lt;script&gt;" in chart
    root = ET.fromstring(chart)
    assert root.get("aria-label") == HOSTILE  # the XML parser unescapes it back
    labels = [t.text or "" for t in root.iter("text")]
    assert labels[0] == HOSTILE
    assert labels[2].endswith("\u2026") and len(labels[2]) == svg.LABEL_CHARS
    tips = [t.text for t in root.iter("title")]
    assert f"{long}: 2" in tips  # the full label stays in the bar's tooltip


def test_shares_fill_the_bar_exactly() -> None:
    chart = svg.shares(
        [svg.Shares("x", (1, 1, 1)), svg.Shares("none", (0, 0, 0)), svg.Shares("y", (0, 3, 1))],
        ["low", "mid", HOSTILE],
        "Shares",
    )
    assert "<script" not in chart
    root = ET.fromstring(chart)
    legend, *rows = root.findall("g")
    assert [t.text for t in legend.iter("text")] == ["low", "mid", HOSTILE]
    for row, parts in zip(rows, (3, 0, 2), strict=True):
        track, *segments = (dict(r.attrib) for r in row.iter("rect"))
        assert track["width"] == str(PLOT) and len(segments) == parts
        widths = [Decimal(s["width"]) for s in segments]
        assert sum(widths) == (PLOT if parts else 0)  # thirds still add up to the whole
        # segments are adjacent: each starts where the one before ends
        for a, b in itertools.pairwise(segments):
            assert Decimal(a["x"]) + Decimal(a["width"]) == Decimal(b["x"])
    assert [Decimal(r.attrib["width"]) for r in list(rows[2].iter("rect"))[1:]] == [240, 80]
    assert "y: mid: 3 (75.0%)" in [t.text for t in root.iter("title")]
    assert [t.text for t in rows[1].iter("text")] == ["none", "n = 0"]


def test_shares_refuse_mismatched_rows() -> None:
    with pytest.raises(ValueError, match="row 'x' has 2 counts for 3 categories"):
        svg.shares([svg.Shares("x", (1, 2))], ["a", "b", "c"], "t")
    with pytest.raises(ValueError, match="3 categories need 3 colours, got 1"):
        svg.shares([], ["a", "b", "c"], "t", colours=["#000"])


def test_ramp_and_percent() -> None:
    assert svg.ramp(len(svg.RAMP)) == svg.RAMP
    five = svg.ramp(5)
    assert len(five) == 5 and five[0] == svg.RAMP[0] and five[-1] == svg.RAMP[-1]
    assert len(set(five)) == 5
    assert svg.ramp(1) == svg.RAMP[-1:] and svg.ramp(0) == ()
    assert svg.percent(1, 3) == "33.3" and svg.percent(2, 3) == "66.7"
    assert svg.percent(1, 16) == "6.3"  # 6.25, half up
    assert svg.percent(0, 0) == "0.0" and svg.percent(Decimal("4.84"), 5, 2) == "96.80"


# -- the report's content -----------------------------------------------------------------------


class Page(HTMLParser):
    """The parts of a report a test reads: headings, each section's text, tables and charts,
    every tag and every attribute; it also checks that tags nest."""

    VOID = frozenset({"meta", "link", "br", "img", "input", "hr", "rect", "path", "line"})

    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str, str]] = []
        self.h1 = ""
        self.h2: list[str] = []
        self.text: dict[str, str] = {}
        self.tables: dict[str, list[list[list[str]]]] = {}
        self.charts: dict[str, int] = {}
        self.section = ""
        self.cell: list[str] | None = None
        self.feed(markup)
        self.close()
        assert self.stack == [], f"unclosed: {self.stack}"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes.extend((tag, k, v or "") for k, v in attrs)
        if tag == "section":
            self.section = dict(attrs)["id"] or ""
            self.text[self.section] = ""
            self.tables[self.section] = []
            self.charts[self.section] = 0
        elif tag == "table":
            self.tables[self.section].append([])
        elif tag == "tr":
            self.tables[self.section][-1].append([])
        elif tag in ("td", "th"):
            self.cell = []
        elif tag == "svg":
            self.charts[self.section] += 1
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes.extend((tag, k, v or "") for k, v in attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID:
            return
        assert self.stack and self.stack.pop() == tag, f"</{tag}> closes nothing open"
        if tag in ("td", "th") and self.cell is not None:
            self.tables[self.section][-1][-1].append("".join(self.cell))
            self.cell = None
        elif tag == "section":
            self.section = ""

    def handle_data(self, data: str) -> None:
        if self.stack and self.stack[-1] == "h1":
            self.h1 += data
        elif self.stack and self.stack[-1] == "h2":
            self.h2.append(data)
        if self.cell is not None:
            self.cell.append(data)
        if self.section:
            self.text[self.section] += data

    def table(self, section: str, index: int = 0) -> list[dict[str, str]]:
        """A table of a section as records keyed by its header row."""
        head, *body = self.tables[section][index]
        return [dict(zip(head, row, strict=True)) for row in body]


def nip(n: int) -> str:
    """The NIP of the ``n``-th test employee (born 1980-01-01, appointed 2005-01, male)."""
    return f"1980010120050110{n:02d}"


def small_batch() -> tuple[asnmerit.Criteria, list[RowResult]]:
    """Five rows of two agencies: four scored (75, 85, 95, 75), one with a bad code."""
    ip = asnmerit.get("ip-asn")
    records = [
        {"nip": nip(1), "instansi": "Dinas A", **pelaksana()},  # 5 + 40 + 25 + 5 = 75 sedang
        {"nip": nip(2), "instansi": "Dinas A", **pelaksana(pendidikan="S1")},  # 85 tinggi
        {
            "nip": nip(3),
            "instansi": HOSTILE,
            "nama": HOSTILE,
            **pelaksana(pendidikan="S2", predikat_kinerja="sangat_baik"),
        },  # 20 + 40 + 30 + 5 = 95 sangat tinggi
        {"nip": nip(4), "instansi": "Dinas A", **pelaksana(pendidikan="S9")},  # not a code
        {
            "nip": nip(5),
            "instansi": HOSTILE,
            **pelaksana(pendidikan="S1", predikat_kinerja="butuh_perbaikan"),
        },  # 15 + 40 + 15 + 5 = 75 sedang, an assumed value
    ]
    return ip, evaluate_records(ip, records)


def test_summary_counts_and_lists_the_failed_row() -> None:
    ip, rows = small_batch()
    page = Page(report(rows, ip))
    text = page.text["summary"]
    for fact in (
        "Baris5",
        "Dinilai4",
        "Galat1",
        "Tidak memenuhi syarat0",
        "Rata-rata82.50 (Tinggi)",
    ):
        assert fact in text
    assert ip.digest in text and "ip-asn 2019" in text
    (failed,) = page.table("summary")
    assert failed["Baris"] == "4" and failed["NIP"] == nip(4) and failed["Instansi"] == "Dinas A"
    assert "pendidikan" in failed["Galat"] and "S9" in failed["Galat"]


def test_band_distribution() -> None:
    ip, rows = small_batch()
    page = Page(report(rows, ip))
    table = page.table("bands")
    assert [r["Kode"] for r in table] == [
        "sangat_tinggi", "tinggi", "sedang", "rendah", "sangat_rendah"
    ]  # fmt: skip
    assert [(r["Jumlah"], r["Persentase"]) for r in table] == [
        ("1", "25.0%"), ("1", "25.0%"), ("2", "50.0%"), ("0", "0.0%"), ("0", "0.0%")
    ]  # fmt: skip
    assert page.charts["bands"] == 1 and "2 (50.0%)" in page.text["bands"]


def test_dimensions_mean_against_max() -> None:
    ip, rows = small_batch()
    page = Page(report(rows, ip))
    table = page.table("dimensions")
    assert [
        (r["Dimensi"], r["Nilai rata-rata"], r["Maksimum"], r["% dari maksimum"]) for r in table
    ] == [
        ("Kualifikasi", "13.75", "25", "55.0%"),  # (5 + 15 + 20 + 15) / 4
        ("Kompetensi", "40.00", "40", "100.0%"),
        ("Kinerja", "23.75", "30", "79.2%"),  # (25 + 25 + 30 + 15) / 4
        ("Disiplin", "5.00", "5", "100.0%"),
    ]
    assert page.charts["dimensions"] == 1 and "13.75 / 25" in page.text["dimensions"]


def test_actions_count_the_rows_one_change_lifts() -> None:
    ip, rows = small_batch()
    page = Page(report(rows, ip))
    table = page.table("actions")
    # 75 (SLTA): D4 gives 85 tinggi; 85 (S1): only S3 gives 95; 75 (S1, butuh_perbaikan): S3
    # or a baik rating give 85. The 95 row is in the top band and is not asked.
    assert [(r["Perubahan"], r["Baris yang naik kategori"], r["Persentase"]) for r in table] == [
        ("Pendidikan formal tertinggi: S3", "2", "66.7%"),
        ("Pendidikan formal tertinggi: D4", "1", "33.3%"),
        ("Predikat kinerja (SKP tahun sebelumnya): baik", "1", "33.3%"),
    ]
    assert {r["Rata-rata tambahan nilai"] for r in table} == {"+10.00"}
    assert page.charts["actions"] == 1


def test_groups_compare_agencies_best_first() -> None:
    ip, rows = small_batch()
    page = Page(report(rows, ip))
    table = page.table("groups")
    assert [(r["Instansi"], r["Jumlah"], r["Galat"], r["Rata-rata"]) for r in table] == [
        (HOSTILE, "2", "0", "85.00"),  # (95 + 75) / 2
        ("Dinas A", "2", "1", "80.00"),  # the failed row counts against its agency
    ]
    assert [r["Kategori rata-rata"] for r in table] == ["Tinggi", "Sedang"]
    assert (table[0]["Sangat Tinggi"], table[0]["Sedang"]) == ("50.0%", "50.0%")
    assert (table[1]["Tinggi"], table[1]["Sedang"], table[1]["Rendah"]) == (
        "50.0%",
        "50.0%",
        "0.0%",
    )
    assert page.charts["groups"] == 2  # mean scores, band shares


def test_group_by_other_fields_and_none() -> None:
    ip, rows = small_batch()
    by_nip = Page(report(rows, ip, group_by="nip"))
    assert [r["NIP"] for r in by_nip.table("groups")] == [nip(n) for n in (3, 2, 1, 5, 4)]
    with pytest.raises(asnmerit.AsnmeritError, match="cannot group by nope"):
        report(rows, ip, group_by="nope")
    # without an instansi in any row (and no award), the comparison is left out
    bare = evaluate_records(ip, [pelaksana(), pelaksana(pendidikan="S1")])
    page = Page(report(bare, ip))
    assert "groups" not in page.text and len(page.h2) == len(SECTIONS) - 1
    assert 'href="#groups"' not in report(bare, ip)


def test_an_award_groups_by_its_groups() -> None:
    from .helpers import DATA

    award = asnmerit.load(DATA / "award.yaml")
    records = [
        {"instansi": "P1", "tingkat": "provinsi", "jumlah_asn": 9000, "syarat": True,
         "a": 80, "b": 70, "c": 60, "khusus": 50, "tahap2": 70},
        {"instansi": "K1", "tingkat": "kota", "jumlah_asn": 100, "syarat": True,
         "a": 50, "b": 40, "c": 30, "khusus": 50, "tahap2": 70},
        {"instansi": "K2", "tingkat": "kota", "jumlah_asn": 200, "syarat": False,
         "a": 90, "b": 90, "c": 90, "khusus": 50, "tahap2": 70},
    ]  # fmt: skip
    page = Page(report(evaluate_records(award, records), award, lang="en"))
    table = page.table("groups")
    assert [(r["Tier"], r["Size"], r["Count"], r["Mean"]) for r in table] == [
        ("provinsi", "besar", "1", "65.00"),  # (70 + 60) / 2, the highest dropped
        ("kota", "kecil", "2", "62.50"),  # 35 and 90 (K2 is not eligible, but scored)
    ]
    assert "Not eligible2" in page.text["summary"]  # K2: files; K1: band D, below A


def test_warnings_count_the_rows_that_used_an_assumed_value() -> None:
    ip, rows = small_batch()
    page = Page(report(rows, ip, lang="en"))
    (warning,) = page.table("warnings")
    assert warning["Confidence of the source"] == "assumption"
    assert warning["Where"] == "ip_asn.kinerja" and "butuh_perbaikan" in warning["Message"]
    assert (warning["Rows"], warning["Share"]) == ("1", "25.0%")
    clean = evaluate_records(ip, [pelaksana()])
    assert (
        "No reconstructed or assumed value was used."
        in Page(report(clean, ip, lang="en")).text["warnings"]
    )


def test_languages() -> None:
    ip, rows = small_batch()
    id_page, en_page = Page(report(rows, ip)), Page(report(rows, ip, lang="en"))
    assert id_page.h1 == "Laporan: Indeks Profesionalitas ASN"
    assert en_page.h1 == "Report: Civil-service professionalism index (IP ASN)"
    assert id_page.h2 == [s.heading.id for s in SECTIONS]
    assert en_page.h2 == [s.heading.en for s in SECTIONS]
    assert [r["Band"] for r in en_page.table("bands")][:2] == ["Very high", "High"]
    assert next(r["Dimension"] for r in en_page.table("dimensions")) == "Qualification"
    assert '<html lang="en">' in report(rows, ip, lang="en")
    assert all(t.id and t.en for t in UI.values())  # every word of the page in both
    with pytest.raises(asnmerit.AsnmeritError, match="lang must be one of id, en"):
        report(rows, ip, lang="fr")
    assert Page(report(rows, ip, title=HOSTILE)).h1 == HOSTILE


def test_everything_from_data_is_escaped() -> None:
    text = (
        asnmerit.spec.criteria_dir()
        .joinpath("ip-asn", "2019.yaml")
        .read_text(encoding="utf-8")
        .replace("{id: Kualifikasi, en: Qualification}", '{id: "<img src=x onerror=alert(1)>"}')
        .replace("{id: Sangat Tinggi, en: Very high}", '{id: "Sangat <b>Tinggi</b>"}')
    )
    hostile = asnmerit.loads(text)
    _, rows = small_batch()
    records = [dict(r.evaluation.inputs, **r.evaluation.identifiers) for r in rows if r.ok]
    markup = report(evaluate_records(hostile, records), hostile, group_by=["instansi", "nama"])
    page = Page(markup)
    assert "script" not in page.tags and "img" not in page.tags and "b" not in page.tags
    assert "<script" not in markup and "<img" not in markup and "<b>" not in markup
    assert (
        HOSTILE in page.text["groups"] and "<img src=x onerror=alert(1)>" in page.text["dimensions"]
    )


def test_nothing_scored_still_reports() -> None:
    ip = asnmerit.get("ip-asn")
    rows = evaluate_records(ip, [{"pendidikan": "S9"}])
    page = Page(report(rows, ip))
    assert "Dinilai0" in page.text["summary"] and "Galat1" in page.text["summary"]
    assert page.table("summary")[0]["Baris"] == "1"
    assert "Tidak ada baris yang dinilai." in page.text["bands"]
    assert sum(page.charts.values()) == 0
    assert Page(report([], ip)).h2  # an empty batch is a report too
    with pytest.raises(
        asnmerit.AsnmeritError, match=r"cannot report results of ip-asn 2019 .* with jpt 2021"
    ):
        report(rows[:0] + evaluate_records(ip, [pelaksana()]), asnmerit.get("jpt"))


def demo_report(lang: str = "id") -> str:
    ip = asnmerit.get("ip-asn")
    return report(evaluate_records(ip, read_records(sample_path())), ip, lang=lang)


def test_no_external_references() -> None:
    for lang in ("id", "en"):
        markup = demo_report(lang)
        assert "http://" not in markup and "https://" not in markup and "url(" not in markup
        page = Page(markup)
        assert not {"script", "link", "img", "iframe", "object", "embed"} & set(page.tags)
        for tag, name, value in page.attributes:
            assert "//" not in value, (tag, name, value)
            if name in ("href", "src", "xlink:href", "action", "srcset", "poster", "data"):
                assert value.startswith("#"), (tag, name, value)
        csp = [v for t, k, v in page.attributes if t == "meta" and k == "content" and "src" in v]
        assert csp == ["default-src 'none'; style-src 'unsafe-inline'"]


def test_report_is_deterministic() -> None:
    assert demo_report() == demo_report()


# -- the command line -----------------------------------------------------------------------------


def test_cli_writes_the_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "report.html"
    code = main(["report", "ip-asn", str(sample_path()), "-o", str(out), "--lang", "en"])
    _, err = capsys.readouterr()
    assert code == 0 and "rows: 320, scored: 320, errors: 0" in err
    assert out.read_text(encoding="utf-8") == demo_report("en")
    # to standard output without -o, grouped as asked
    code = main(["report", "ip-asn", str(sample_path()), "--group-by", "unit_kerja,status"])
    printed, _ = capsys.readouterr()
    assert code == 0 and len(Page(printed).table("groups")) == 10  # 5 units x PNS / PPPK


def test_cli_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "nip,jenis_jabatan,pendidikan,diklat_teknis_20jp,seminar,predikat_kinerja,hukuman_disiplin\n"
        "198001012005011001,pelaksana,S1,true,true,baik,tidak_ada\n"
        "198001012005011002,pelaksana,S9,true,true,baik,tidak_ada\n",
        encoding="utf-8",
    )
    out = tmp_path / "r.html"
    assert main(["report", "ip-asn", str(bad), "-o", str(out)]) == 1  # a row failed
    assert Page(out.read_text(encoding="utf-8")).table("summary")[0]["Baris"] == "2"
    capsys.readouterr()
    assert main(["report", "ip-asn", str(bad), "--group-by", "nope"]) == 2
    assert "cannot group by nope" in capsys.readouterr().err
    assert main(["report", "ip-asn", str(tmp_path / "missing.csv")]) == 2
    assert main(["report", "no-such-scheme", str(bad)]) == 2
    assert main(["report", "ip-asn", str(bad), "-o", str(tmp_path / "no" / "r.html")]) == 2


# -- in a real browser ------------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def need_browser() -> None:
    """Skip (or fail, with ASNMERIT_REQUIRE_BROWSER=1) without Chromium and playwright."""
    missing = []
    if not Path(CHROMIUM).is_file():
        missing.append(f"{CHROMIUM} is missing (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the playwright package is missing (pip install playwright)")
    if missing:
        why = "; ".join(missing)
        if os.environ.get("ASNMERIT_REQUIRE_BROWSER") == "1":
            pytest.fail(f"ASNMERIT_REQUIRE_BROWSER=1 but {why}")
        pytest.skip(f"no browser test: {why}")


def png_pixels(data: bytes, rows: int | None = None) -> tuple[int, int, set[tuple[int, ...]]]:
    """The size of an 8-bit RGB or RGBA PNG (non-interlaced), and the distinct colours of
    its first ``rows`` lines (default: all)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, b"", b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and colour in (2, 6) and interlace == 0, (depth, colour, interlace)
    n = 3 if colour == 2 else 4
    raw, stride = zlib.decompress(idat), width * n
    prev, colours = bytearray(stride), set()
    for y in range(height if rows is None else min(rows, height)):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            a = line[i - n] if i >= n else 0
            b, c = prev[i], prev[i - n] if i >= n else 0
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        colours.update(tuple(line[i : i + 3]) for i in range(0, stride, n))
        prev = line
    return width, height, colours


@pytest.mark.slow
def test_the_demo_report_renders_in_chromium(tmp_path: Path) -> None:
    need_browser()
    from playwright.sync_api import sync_playwright

    started = time.monotonic()
    path = tmp_path / "report.html"
    path.write_text(demo_report(), encoding="utf-8")
    url = path.as_uri()
    problems: list[str] = []
    requests: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on(
                "console",
                lambda m: (
                    problems.append(f"console {m.type}: {m.text}")
                    if m.type in ("error", "warning")
                    else None
                ),
            )
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            page.on("request", lambda r: requests.append(r.url))
            page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
            page.goto(url, wait_until="load")
            page.wait_for_load_state("networkidle")

            assert page.title() == "Laporan: Indeks Profesionalitas ASN"
            assert page.locator("h1").inner_text() == "Laporan: Indeks Profesionalitas ASN"
            assert page.locator("h1").is_visible()
            h2 = page.locator("h2")
            assert h2.all_inner_texts() == [s.heading.id for s in SECTIONS]
            assert all(h2.nth(i).is_visible() for i in range(h2.count()))
            assert page.locator("script").count() == 0

            charts = page.locator("svg.chart")
            # bands, dimensions, and the agency's mean and band shares
            assert charts.count() == 5  # and the what-if actions
            for i in range(charts.count()):
                box = charts.nth(i).bounding_box()
                assert box is not None and box["width"] > 100 and box["height"] > 20, box
                assert charts.nth(i).get_attribute("role") == "img"
            bars = page.locator("#dimensions svg rect")
            assert bars.count() == 8  # a track and a bar per dimension
            assert all((bars.nth(i).bounding_box() or {}).get("width", 0) > 0 for i in range(8))

            shot = page.screenshot(full_page=True)
            chart = page.locator("#bands svg").screenshot()
        finally:
            browser.close()

    assert problems == []
    assert requests == [url]  # the file itself, nothing else
    width, height, top = png_pixels(shot, rows=200)
    assert width == 1280 and height > 900  # the whole page, taller than the window
    assert len(shot) > 10_000 and len(top) > 10  # the heading's text, antialiased
    _, _, colours = png_pixels(chart)
    band_colours = {tuple(int(c[i : i + 2], 16) for i in (1, 3, 5)) for c in svg.ramp(5)}
    assert band_colours <= colours, "every band's bar is painted in its colour"
    assert len(colours) > 10
    assert time.monotonic() - started < 60


def test_groups_of_lists_mappings_and_huge_numbers() -> None:
    jpt = asnmerit.get("jpt")
    values: list[object] = [["a", {"b": 1}], {"b": [2]}, ["a", {"b": 1}], Decimal("1e400"), 1, True]
    records = [
        {**dict.fromkeys(jpt.inputs, 60 + n), "instansi": f"i{n}", "kelompok_instansi": v}
        for n, v in enumerate(values)
    ]
    table = Page(report(evaluate_records(jpt, records), jpt, group_by="kelompok_instansi"))
    groups = table.table("groups")
    names = [next(iter(r.values())) for r in groups]  # best mean first
    assert names == ["true", "1", "1" + "0" * 400, '["a", {"b": 1}]', '{"b": [2]}']
    assert [r["Jumlah"] for r in groups] == ["1", "1", "1", "2", "1"]
    # by default, the agencies (here lists and mappings, each its own group)
    for r in records:
        r["instansi"] = r.pop("kelompok_instansi")
    del records[2]
    page = Page(report(evaluate_records(jpt, records), jpt))
    assert [next(iter(r.values())) for r in page.table("groups")][-2:] == [
        '{"b": [2]}',
        '["a", {"b": 1}]',
    ]
