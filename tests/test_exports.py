"""Real exports in: files made the way HR systems and spreadsheets make them are read and
scored row for row (the corpus of tests/exports.py, with the score of every row worked by
hand), through every verb and through Python; what would lose a row refuses the file at
its line."""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import warnings
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import asnmerit
from asnmerit.cli import main
from asnmerit.errors import ColumnsError, RecordsError, UnreadColumnsWarning
from asnmerit.files.profile import ReadingProfile, load_profile, profile_from

from . import exports
from .helpers import pelaksana, scheme
from .strategies import subjects

NOT_READ = "No, Golongan, TMT Jabatan, Keterangan"


def _scores(out: str) -> list[str]:
    return [r["score"] for r in csv.DictReader(io.StringIO(out))]


def _expected() -> list[str]:
    return [str(s) if s % 1 else f"{s}.0" for s in exports.expected()]


def _evaluate(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["evaluate", "ip-asn", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_hand_worked_scores_are_the_engines() -> None:
    """The corpus's expected scores, worked by hand, agree with the engine on clean codes."""
    profile = load_profile("hr-export-id")
    for cells, want in exports.EMPLOYEES:
        _, _, _, jabatan, pendidikan, pim, fungsional, teknis, seminar, predikat, hukuman, _ = cells
        spelled = {
            "jenis_jabatan": jabatan,
            "pendidikan": pendidikan,
            "diklat_kepemimpinan": pim,
            "diklat_fungsional": fungsional,
            "diklat_teknis_20jp": teknis,
            "seminar": seminar,
            "predikat_kinerja": predikat,
            "hukuman_disiplin": hukuman,
        }
        record = {
            k: profile.values.get(k, {}).get(asnmerit._values.fold(v), v)
            for k, v in spelled.items()
            if v != ""
        }
        assert asnmerit.evaluate(scheme("ip-asn"), record).score == want, cells


def test_an_excel_csv_in_an_indonesian_locale_scores_every_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = exports.excel_csv(tmp_path / "pegawai.csv")
    code, out, err = _evaluate(capsys, str(src), "--profile", "hr-export-id")
    assert code == 0, err
    assert _scores(out) == _expected()
    assert f"read {src}: CSV, ';'-separated, utf-8-sig, header at line 3" in err
    assert f"not read (not fields of ip-asn 2019): {NOT_READ}" in err
    assert err.count("not read") == 1
    assert "rows: 12, scored: 12, errors: 0" in err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows[1]["nama"] == "José Santoso" and rows[1]["unit_kerja"] == exports.UNITS[2]


def test_without_the_profile_the_local_spellings_are_each_rows_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = exports.excel_csv(tmp_path / "pegawai.csv")
    code, out, err = _evaluate(capsys, str(src))
    assert code == 1
    errors = [r["error"] for r in csv.DictReader(io.StringIO(out))]
    assert len(errors) == 12 and "jenis_jabatan: expected one of" in errors[1]  # JFT
    assert "rows: 12" in err


def test_windows_1252_needs_its_encoding_named_and_the_error_says_which(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = exports.excel_csv(tmp_path / "pegawai.csv", encoding="cp1252")
    code, _, err = _evaluate(capsys, str(src), "--profile", "hr-export-id")
    assert code == 2
    assert "line 5, column 25: byte 0xe9 is not UTF-8; the file reads as cp1252" in err
    assert "--encoding cp1252" in err
    code, out, err = _evaluate(
        capsys, str(src), "--profile", "hr-export-id", "--encoding", "cp1252"
    )
    assert code == 0, err
    assert _scores(out) == _expected() and "José" in out


def test_unicode_text_from_excel_is_utf16_and_tab_separated(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = exports.unicode_text(tmp_path / "pegawai.csv")
    code, out, err = _evaluate(capsys, str(src), "--profile", "hr-export-id")
    assert code == 0, err
    assert _scores(out) == _expected()
    assert "tab-separated, utf-16" in err


def test_a_workbook_is_read_from_its_first_visible_sheet_and_found_header(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = exports.workbook(tmp_path / "pegawai.xlsx")
    code, out, err = _evaluate(capsys, str(src), "--profile", "hr-export-id")
    assert code == 0, err
    assert _scores(out) == _expected()
    assert f"read {src}: Excel, sheet 'Data Pegawai', header at row 4" in err
    # the No column holds formulas never computed: not read, so no row is refused for them
    assert "No," in err
    code, _, err = _evaluate(capsys, str(src), "--sheet", "1")  # the hidden sheet, named
    assert code == 1 and "not read (not fields of ip-asn 2019): ringkasan, jumlah" in err
    assert "rows: 1, scored: 0, errors: 1" in err
    code, _, err = _evaluate(capsys, str(src), "--sheet", "Laporan")
    assert code == 2
    assert "no sheet named 'Laporan' (sheets: 1 'Rekap' (hidden), 2 'Data Pegawai')" in err
    code, out, err = _evaluate(
        capsys, str(src), "--profile", "hr-export-id", "--header-row", "4", "--sheet", "2"
    )
    assert code == 0 and _scores(out) == _expected()
    code, _, err = _evaluate(capsys, str(src), "--header-row", "3")
    assert code == 2 and "row 3 is not a header row" in err


def test_formulas_never_computed_refuse_their_row_and_no_row_is_dropped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = exports.gate_formulas(tmp_path / "anugerah.xlsx")
    code = main(["evaluate", "anugerah-asn", str(src)])
    out, err = capsys.readouterr()
    assert code == 1 and "rows: 2, scored: 0, errors: 2" in err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["eligible"] for r in rows] == ["", ""]  # never the default true
    assert "cell I2 holds a formula that was never computed" in rows[0]["error"]
    assert "cell A3 holds a formula" in rows[1]["error"]
    records = asnmerit.read_records(src)
    assert len(records) == 2


def test_merged_cells_in_read_columns_refuse_their_rows(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["nip", "jenis_jabatan", "pendidikan", "diklat_teknis_20jp", "seminar",
                  "predikat_kinerja", "hukuman_disiplin"])  # fmt: skip
    sheet.append(["197604212005112001", "pelaksana", "S1", True, True, "baik", "tidak_ada"])
    sheet.append(["198001012005011002", None, "S1", True, True, "baik", "tidak_ada"])
    sheet.merge_cells("B2:B3")  # one "pelaksana" shown for two rows
    book.save(tmp_path / "merged.xlsx")
    results = asnmerit.evaluate_records(
        scheme("ip-asn"), asnmerit.read_records(tmp_path / "merged.xlsx")
    )
    assert results[0].ok
    assert "B3 is part of the merged cells B2:B3" in str(results[1].error)


def _lines(path: Path) -> int:
    """The records a CSV file holds, counted independently: its lines after the header."""
    return len(path.read_bytes().splitlines()) - 1


def _csv_of(tmp_path: Path, n: int, name: str = "in.csv") -> tuple[Path, list[str]]:
    lines = ["nip,nama,jenis_jabatan,pendidikan,diklat_teknis_20jp,seminar,predikat_kinerja,"
             "hukuman_disiplin"]  # fmt: skip
    for i in range(n):
        born = (dt.date(1960, 1, 1) + dt.timedelta(days=i)).strftime("%Y%m%d")
        lines.append(f"{born}2005111001,Pegawai {i},pelaksana,S1,ya,ya,baik,tidak_ada")
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, lines


@pytest.mark.parametrize(("n", "at"), [(100, 10), (20_000, 19_500)])
def test_a_stray_opening_quote_refuses_the_file_at_its_line(
    n: int, at: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src, lines = _csv_of(tmp_path, n)
    lines[at] = lines[at].replace("Pegawai", '"Pegawai')
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    assert main(["evaluate", "ip-asn", str(src), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"line {at + 1}: a quote opened in the row starting here is never closed" in err
    assert not out.exists()
    with pytest.raises(RecordsError, match=f"line {at + 1}: a quote opened") as caught:
        asnmerit.read_records(src)
    assert caught.value.code == "records.csv"


def test_a_closed_stray_quote_that_swallows_rows_refuses_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src, lines = _csv_of(tmp_path, 50)
    lines[10] = lines[10].replace("Pegawai", '"Pegawai')
    lines[13] = lines[13].replace("Pegawai 12", 'Pegawai 12"')
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["evaluate", "ip-asn", str(src)]) == 2
    err = capsys.readouterr().err
    assert "line 11: a quoted cell (column 2) that starts in this row spans lines to line 14" in err


def test_a_quoted_note_over_two_lines_is_one_cell(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src, lines = _csv_of(tmp_path, 5)
    lines[0] += ",Keterangan"
    lines[1:] = [line + ',"baris satu\nbaris dua"' for line in lines[1:]]
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["evaluate", "ip-asn", str(src)]) == 0
    assert "rows: 5, scored: 5, errors: 0" in capsys.readouterr().err


@pytest.mark.parametrize("n", [1, 999, 8193])
def test_the_counts_equal_the_rows_the_file_holds(
    n: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src, _ = _csv_of(tmp_path, n)
    assert main(["evaluate", "ip-asn", str(src), "-q", "-o", str(tmp_path / "o.csv")]) == 0
    assert f"rows: {_lines(src)}, scored: {_lines(src)}, errors: 0" in capsys.readouterr().err


def test_more_cells_than_the_header_refuse_the_row_not_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src, lines = _csv_of(tmp_path, 3)
    lines[2] += ",lebih"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["evaluate", "ip-asn", str(src)]) == 1
    out, err = capsys.readouterr()
    assert "rows: 3, scored: 2, errors: 1" in err
    assert "(extra cells): expected no cells beyond the header's columns, got text 'lebih'" in out


def test_a_header_a_typing_slip_from_a_required_field_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src, lines = _csv_of(tmp_path, 3)
    lines[0] = lines[0].replace("pendidikan", "Pendidkan")
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    assert main(["evaluate", "ip-asn", str(src), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "column 'Pendidkan' is not a field of ip-asn 2019: did you mean pendidikan?" in err
    assert not out.exists()


def test_strict_columns_refuse_any_column_that_is_not_a_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = exports.excel_csv(tmp_path / "pegawai.csv")
    code, _, err = _evaluate(capsys, str(src), "--profile", "hr-export-id", "--strict-columns")
    assert code == 2 and f"not fields of ip-asn 2019: {NOT_READ}" in err
    columns = tmp_path / "columns.yaml"
    columns.write_text(
        "No: null\nGolongan: null\nTMT Jabatan: null\nKeterangan: null\n", encoding="utf-8"
    )
    code, out, err = _evaluate(
        capsys, str(src), "--profile", "hr-export-id", "--strict-columns", "--columns", str(columns)
    )
    assert code == 0, err
    assert "not read" not in err and _scores(out) == _expected()


def test_a_header_that_could_be_two_fields_is_an_error_naming_both(tmp_path: Path) -> None:
    ip = scheme("ip-asn")
    seminar = ip.inputs["seminar"]
    relabelled = attrs.evolve(seminar, label=attrs.evolve(seminar.label, id="Pendidikan"))
    odd = attrs.evolve(ip, inputs={**ip.inputs, "seminar": relabelled})
    src, lines = _csv_of(tmp_path, 1)
    lines[0] = lines[0].replace("pendidikan", "PENDIDIKAN ")
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ColumnsError, match="column 'PENDIDIKAN' could be pendidikan or seminar"):
        asnmerit.read_records(src, scheme=odd)


def test_a_spelling_mapped_to_what_the_field_does_not_take_is_refused_before_scoring(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = exports.excel_csv(tmp_path / "pegawai.csv")
    values = tmp_path / "values.yaml"
    values.write_text("jenis_jabatan:\n  JFT: fungsionl\n", encoding="utf-8")
    code, _, err = _evaluate(capsys, str(src), "--values", str(values))
    assert code == 2
    assert "values.jenis_jabatan: not a value of jenis_jabatan: 'jft' -> 'fungsionl'" in err


def test_every_verb_that_reads_records_takes_the_reading_options(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = exports.excel_csv(tmp_path / "pegawai.csv")
    common = [str(src), "--profile", "hr-export-id"]
    assert main(["aggregate", "ip-asn", *common, "--by", "jenis_jabatan", "--json"]) == 0
    groups = json.loads(capsys.readouterr().out)
    counts = {g["key"]["jenis_jabatan"]: g["count"] for g in groups["groups"] if not g["stratum"]}
    assert counts == {"struktural": 5, "fungsional": 3, "pelaksana": 4}
    assert main(["rank", "ip-asn", *common, "--format", "csv"]) == 0
    assert len(list(csv.DictReader(io.StringIO(capsys.readouterr().out)))) == 12
    assert main(["report", "ip-asn", *common, "-o", str(tmp_path / "r.html")]) == 0
    capsys.readouterr()
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert f"Kolom tidak dibaca (bukan isian skema)</dt><dd>{NOT_READ}</dd>" in html
    row = ["--file", str(src), "--row", "2", "--profile", "hr-export-id"]
    assert main(["explain", "ip-asn", *row, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["score"] == "70.0"
    assert main(["what-if", "ip-asn", *row]) == 0
    capsys.readouterr()


def test_python_reads_as_the_command_line_does(tmp_path: Path) -> None:
    src = exports.excel_csv(tmp_path / "pegawai.csv")
    ip = scheme("ip-asn")
    with pytest.warns(UnreadColumnsWarning, match=NOT_READ):
        records = asnmerit.read_records(src, scheme=ip, profile="hr-export-id")
    results = asnmerit.evaluate_records(ip, records)
    assert [r.evaluation.score for r in results if r.evaluation] == exports.expected()
    assert records[1]["jenis_jabatan"] == "fungsional" and "No" not in records[1]
    # the same options one by one
    values = {"jenis_jabatan": {"JFT": "fungsional"}}
    some = asnmerit.read_records(
        src, scheme=ip, values=values, columns={"Keterangan": None}, delimiter=";"
    )
    assert some[1]["jenis_jabatan"] == "fungsional" and some[0]["jenis_jabatan"] == "Administrator"


def test_a_frame_reads_its_columns_by_the_same_rule(tmp_path: Path) -> None:
    src = exports.workbook(tmp_path / "pegawai.xlsx")
    frame = pd.read_excel(src, sheet_name="Data Pegawai", header=3, dtype={"NIP": str})
    with pytest.warns(UnreadColumnsWarning, match="No, Golongan, TMT Jabatan, Keterangan"):
        out = asnmerit.evaluate_frame(scheme("ip-asn"), frame, profile="hr-export-id")
    assert list(out["score"]) == exports.expected()
    assert out["NIP"][0] == "197604212005112001"  # kept under its own name
    with pytest.raises(ColumnsError, match="strict"):
        asnmerit.evaluate_frame(
            scheme("ip-asn"), frame, profile="hr-export-id", strict_columns=True
        )
    renamed = frame.rename(columns={"Pendidikan": "PENDIDIKAN TERAKHIR"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnreadColumnsWarning)
        again = asnmerit.evaluate_frame(
            scheme("ip-asn"),
            renamed,
            profile="hr-export-id",
            columns={"PENDIDIKAN TERAKHIR": "pendidikan"},
        )
    assert list(again["score"]) == exports.expected()


def test_records_with_fields_that_are_not_the_schemes_are_scored_all_the_same() -> None:
    ip = scheme("ip-asn")
    records = [{**pelaksana(), "Golongan": "II/a", "No": i} for i in range(3)]
    with pytest.warns(UnreadColumnsWarning, match="Golongan, No") as caught:
        results = asnmerit.evaluate_records(ip, records)
    assert len(caught) == 1 and all(r.ok for r in results)
    assert [r.evaluation.score for r in results if r.evaluation] == [Decimal("75")] * 3
    with pytest.raises(ColumnsError, match="Golongan, No"):
        asnmerit.evaluate_records(ip, records, strict_columns=True)
    with pytest.raises(asnmerit.InputError, match="Golongan"):  # one record: strict
        asnmerit.evaluate(ip, records[0])


def test_decimal_commas_are_read_when_named(tmp_path: Path) -> None:
    src = tmp_path / "jpt.csv"
    src.write_text(
        "instansi;nilai_persiapan;nilai_pelaksanaan;nilai_pelaporan;nilai_inovasi;"
        "nilai_pelanggaran_sistem_merit\nKab. A;87,5;90;80,25;1.000,5;0\n",
        encoding="utf-8",
    )
    records = asnmerit.read_records(src, scheme=scheme("jpt"), decimal=",")
    assert records[0]["nilai_persiapan"] == "87.5" and records[0]["nilai_inovasi"] == "1000.5"
    assert asnmerit.read_records(src)[0]["nilai_persiapan"] == "87,5"


def test_records_arriving_through_a_pipe_are_read_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = exports.excel_csv(tmp_path / "pegawai.csv")
    pipe = tmp_path / "pipe.csv"
    os.mkfifo(pipe)
    feeder = threading.Thread(target=lambda: pipe.write_bytes(src.read_bytes()))
    feeder.start()
    code, out, err = _evaluate(capsys, str(pipe), "--profile", "hr-export-id")
    feeder.join(timeout=30)
    assert code == 0, err
    assert _scores(out) == _expected()
    (tmp_path / "folder.csv").mkdir()
    with pytest.raises(RecordsError, match="not a file of records") as caught:
        asnmerit.read_records(tmp_path / "folder.csv")
    assert caught.value.code == "records.not-a-file"


def test_a_profile_is_data_checked_by_its_schema(tmp_path: Path) -> None:
    path = tmp_path / "simpeg.yaml"
    path.write_text("delimiter: ':'\nheader_row: 0\nwarna: merah\n", encoding="utf-8")
    with pytest.raises(ColumnsError) as caught:
        load_profile(path)
    text = str(caught.value)
    assert f"{path}:1:12 schema.enum" in text and f"{path}:2:13" in text and "warna" in text
    with pytest.raises(ColumnsError, match="not a file, nor a shipped profile: hr-export-id"):
        load_profile(tmp_path / "nowhere.yaml")
    with pytest.raises(ColumnsError, match="'SUDAH' folds to the spelling of another entry"):
        profile_from({"values": {"seminar": {"Sudah": True, "SUDAH": False}}})


def test_the_shipped_profile_has_a_basis_for_every_spelling() -> None:
    from asnmerit.spec.parse import parse_yaml

    raw = (Path(asnmerit.__file__).parent / "profiles" / "hr-export-id.yaml").read_bytes()
    doc, problems = parse_yaml(raw, "hr-export-id.yaml")
    assert doc is not None and not problems
    for field, spellings in doc.data["values"].items():
        for spelling, meant in spellings.items():
            assert isinstance(meant, dict) and meant.get("basis"), (field, spelling)
    ip = scheme("ip-asn")
    for field in doc.data["values"]:
        assert field in ip.inputs, field
    for ambiguous in ("MA", "Spesialis", "Staf", "-", "T"):
        for spellings in load_profile("hr-export-id").values.values():
            assert asnmerit._values.fold(ambiguous) not in spellings


# -- any export of any records ------------------------------------------------------------------


def _spellings(field: str, value: Any) -> list[str]:
    """Every way the shipped profile (or the scheme itself) lets an export write ``value``."""
    raw = profile_source()["values"].get(field, {})
    mine = [s for s, meant in raw.items() if meant["value"] == value]
    if isinstance(value, bool):
        return [*mine, "ya" if value else "tidak", "TRUE" if value else "false"]
    return [*mine, str(value), str(value).upper(), str(value).replace("_", " ").title()]


@functools.cache
def shipped() -> ReadingProfile:
    return load_profile("hr-export-id")


@functools.cache
def profile_source() -> dict[str, Any]:
    from asnmerit.spec.parse import parse_yaml

    raw = (Path(asnmerit.__file__).parent / "profiles" / "hr-export-id.yaml").read_bytes()
    doc, _ = parse_yaml(raw, "hr-export-id.yaml")
    assert doc is not None
    data: dict[str, Any] = doc.data
    return data


def _headers(field: str) -> list[str]:
    inp = scheme("ip-asn").inputs[field]
    words = field.replace("_", " ")
    return [field, words.title(), words.upper(), field.replace("_", "-"), inp.label.id]


@settings(  # the profile's examples (HYPOTHESIS_PROFILE=fuzz: many more)
    max_examples=settings.default.max_examples,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    records=st.lists(
        st.deferred(lambda: subjects(scheme("ip-asn"), canonical=True)), min_size=1, max_size=15
    ),
    data=st.data(),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]),
)
def test_any_export_of_any_records_scores_as_the_clean_records(
    records: list[dict[str, Any]], data: st.DataObject, delimiter: str, encoding: str
) -> None:
    ip = scheme("ip-asn")
    fields = list(ip.inputs)
    headers = {f: data.draw(st.sampled_from(_headers(f)), label=f) for f in fields}
    extra = data.draw(st.lists(st.sampled_from(["No", "Golongan", "TMT", "Keterangan"]),
                               unique=True), label="extra")  # fmt: skip
    order = data.draw(st.permutations([*fields, *extra]), label="order")
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([headers.get(c, c) for c in order])
    for record in records:
        cells = []
        for c in order:
            if c in record:
                cells.append(data.draw(st.sampled_from(_spellings(c, record[c]))))
            elif c in ip.inputs:
                cells.append("")
            else:
                # any text, but a note that spans lines holds at most two separators here
                # (nearly a row's worth is taken for a stray quote: docs/inputs.md)
                note = st.text(alphabet='ab;,|\t"\n 1', max_size=8)
                fits = note.filter(lambda t: "\n" not in t or t.count(delimiter) <= 2)
                cells.append(data.draw(fits))
        writer.writerow(cells)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.csv"
        path.write_bytes(buffer.getvalue().encode(encoding))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UnreadColumnsWarning)
            read = asnmerit.read_records(path, scheme=ip, profile=shipped())
    got = asnmerit.evaluate_records(ip, read)
    want = asnmerit.evaluate_records(ip, records)
    assert [r.evaluation.score if r.evaluation else str(r.error) for r in got] == [
        r.evaluation.score if r.evaluation else str(r.error) for r in want
    ]


# -- what a hostile review found, each kept fixed ------------------------------------------------

IP_HEADER = (
    "nip,nama,jenis_jabatan,pendidikan,diklat_kepemimpinan,diklat_teknis_20jp,seminar,"
    "predikat_kinerja,hukuman_disiplin"
)


def test_a_stray_quote_pair_in_adjacent_rows_refuses_the_file(tmp_path: Path) -> None:
    """Two stray quotes, one per row, merged the rows silently (one NIP with the other's
    data, exit 0): a field's value never spans lines."""
    src = tmp_path / "s.csv"
    src.write_text(
        f'{IP_HEADER}\n198010282005021000,"Rina,struktural,S3,ya,ya,ya,sangat_baik,tidak_ada\n'
        '198008012005071001,Joko",pelaksana,SD,tidak,tidak,tidak,buruk,berat\n',
        encoding="utf-8",
    )
    with pytest.raises(RecordsError, match=r"line 2: a quoted cell \(column 2\)") as caught:
        asnmerit.read_records(src, scheme=scheme("ip-asn"))
    assert caught.value.code == "records.csv-quote"


def test_two_keys_of_one_field_in_a_record_are_its_error(tmp_path: Path) -> None:
    record = {**pelaksana(predikat_kinerja="sangat_baik"), "Predikat Kinerja": "buruk"}
    src = tmp_path / "k.json"
    src.write_text(json.dumps([record, pelaksana()]), encoding="utf-8")
    ip = scheme("ip-asn")
    results = asnmerit.evaluate_records(ip, asnmerit.read_records(src, scheme=ip))
    want = "expected one value (given as 'predikat_kinerja' and 'Predikat Kinerja'), got two"
    assert want in str(results[0].error) and results[1].ok


def test_a_named_utf_encoding_leaves_no_byte_order_mark_on_the_header(tmp_path: Path) -> None:
    src, _ = _csv_of(tmp_path, 2)
    src.write_bytes(b"\xef\xbb\xbf" + src.read_bytes())
    records = asnmerit.read_records(src, scheme=scheme("ip-asn"), encoding="utf-8")
    assert "nip" in records[0]


@pytest.mark.parametrize("name", ["rot13", "hex", "base64", "zlib", "punycode", "undefined"])
def test_an_encoding_that_is_no_text_encoding_is_refused_cleanly(name: str, tmp_path: Path) -> None:
    src, _ = _csv_of(tmp_path, 1)
    with pytest.raises(RecordsError) as caught:
        asnmerit.read_records(src, encoding=name)
    assert caught.value.code == "records.encoding"


def test_utf16_without_its_mark_is_refused_not_read_as_noise(tmp_path: Path) -> None:
    src, lines = _csv_of(tmp_path, 3)
    src.write_bytes("\n".join(lines).encode("utf-16-le"))
    with pytest.raises(RecordsError, match="UTF-16 without a byte-order mark") as caught:
        asnmerit.read_records(src)
    assert caught.value.code == "records.encoding"
    assert len(asnmerit.read_records(src, encoding="utf-16-le")) == 3


def test_the_separator_is_the_one_under_which_a_row_names_fields(tmp_path: Path) -> None:
    """Excel in an Indonesian locale: ';' between cells, decimal commas, and commas in an
    agency's name left unquoted: ',' splits more cells, but ';' names the fields."""
    merit = scheme("sistem-merit")
    header = ";".join(["instansi", "jenis_instansi", "periode", *merit.inputs])
    row = ";".join(["Pemerintah Kab. A, B, C", "kabupaten", "2024", *["0,40"] * len(merit.inputs)])
    src = tmp_path / "merit.csv"
    src.write_text("\n".join([header, row, row.replace("A,", "D,")]) + "\n", encoding="utf-8")
    records = asnmerit.read_records(src, scheme=merit, decimal=",")
    assert records[0]["instansi"] == "Pemerintah Kab. A, B, C"
    assert records[0]["budaya_kerja"] == "0.40"


def test_a_header_row_far_down_can_be_named(tmp_path: Path) -> None:
    src, lines = _csv_of(tmp_path, 2)
    src.write_text("\n".join([*[f"judul {i}" for i in range(35)], *lines]) + "\n", "utf-8")
    records = asnmerit.read_records(src, scheme=scheme("ip-asn"), header_row=36)
    assert len(records) == 2 and records[0]["jenis_jabatan"] == "pelaksana"


def test_a_sheet_is_found_by_its_name_before_its_position(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.title = "Data"
    book.active.append(["nip", "nama"])
    book.active.append(["197604212005112001", "di Data"])
    two = book.create_sheet("2")
    two.append(["nip", "nama"])
    two.append(["197604212005112001", "di lembar 2"])
    book.save(tmp_path / "b.xlsx")
    assert asnmerit.read_records(tmp_path / "b.xlsx", sheet="2")[0]["nama"] == "di lembar 2"
    assert asnmerit.read_records(tmp_path / "b.xlsx", sheet=2)[0]["nama"] == "di lembar 2"
    assert asnmerit.read_records(tmp_path / "b.xlsx", sheet="1")[0]["nama"] == "di Data"


def test_a_formula_computed_to_an_empty_text_is_a_value(tmp_path: Path) -> None:
    """``<c t="str"><f>IF(...,"")</f><v></v></c>``: computed, to "" (a blank), unlike a
    formula with no value at all."""
    import zipfile

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["nip", "jenis_jabatan", "pendidikan", "diklat_teknis_20jp", "seminar",
                  "predikat_kinerja", "hukuman_disiplin", "diklat_fungsional"])  # fmt: skip
    sheet.append(["197604212005112001", "pelaksana", "S1", "ya", "ya", "baik", "tidak_ada", "x"])
    book.save(tmp_path / "f.xlsx")
    with zipfile.ZipFile(tmp_path / "f.xlsx") as z:
        parts = {n: z.read(n) for n in z.namelist()}
    sheet_xml = parts["xl/worksheets/sheet1.xml"].decode()
    start = sheet_xml.index('<c r="H2"')
    end = sheet_xml.index("</c>", start) + 4
    parts["xl/worksheets/sheet1.xml"] = (
        sheet_xml[:start] + '<c r="H2" t="str"><f>IF(1=2,"x","")</f><v></v></c>' + sheet_xml[end:]
    ).encode()
    with zipfile.ZipFile(tmp_path / "f.xlsx", "w") as z:
        for n, data in parts.items():
            z.writestr(n, data)
    results = asnmerit.evaluate_records(
        scheme("ip-asn"), asnmerit.read_records(tmp_path / "f.xlsx")
    )
    assert results[0].ok


def test_records_through_stdin_need_no_extension(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = exports.excel_csv(tmp_path / "pegawai.csv")
    done = subprocess.run(
        [sys.executable, "-m", "asnmerit", "evaluate", "ip-asn", "/dev/stdin", "--profile",
         "hr-export-id", "-q"],
        input=src.read_bytes(), capture_output=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert _scores(done.stdout.decode()) == _expected()


def test_a_list_in_a_frame_is_its_rows_error() -> None:
    import pyarrow as pa

    row = {k: [str(v)] for k, v in pelaksana().items()}
    table = pa.table({**row, "pendidikan": pa.array([["S1"]])})
    out = asnmerit.evaluate_frame(scheme("ip-asn"), table)
    assert "pendidikan: expected one of" in out.column("error")[0].as_py()


def test_a_map_file_is_read_no_further_than_its_limit(tmp_path: Path) -> None:
    with pytest.raises(ColumnsError, match=r"yaml\.too-large"):
        asnmerit.read_records(tmp_path / "x.csv", profile="/dev/zero")


# -- the kept corpus -----------------------------------------------------------------------------


def _cells(path: Path) -> list[list[list[Any]]]:
    """Every cell of every sheet of a workbook, formulas as written."""
    book = openpyxl.load_workbook(path)
    return [[list(r) for r in ws.iter_rows(values_only=True)] for ws in book.worksheets]


@pytest.mark.parametrize("name", list(exports.FILES))
def test_the_kept_corpus_is_what_its_maker_writes(name: str, tmp_path: Path) -> None:
    """``tests/data/exports/`` holds what ``python -m tests.exports`` writes (a workbook's
    bytes carry the time it was saved: its cells are compared)."""
    made = exports.FILES[name](tmp_path / name)
    kept = exports.FOLDER / name
    if name.endswith(".xlsx"):
        assert _cells(kept) == _cells(made)
    else:
        assert kept.read_bytes() == made.read_bytes()
    expected = exports.write_expected(tmp_path / "expected.csv")
    assert (exports.FOLDER / "expected.csv").read_bytes() == expected.read_bytes()


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("pegawai-excel-id.csv", []),
        ("pegawai-cp1252.csv", ["--encoding", "cp1252"]),
        ("pegawai-unicode-text.csv", []),
        ("pegawai.xlsx", []),
    ],
)
def test_every_kept_export_scores_every_row_as_worked_by_hand(
    name: str, options: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out.json"
    src = exports.FOLDER / name
    args = [str(src), "--profile", "hr-export-id", *options, "--format", "json", "-o", str(out)]
    code, _, err = _evaluate(capsys, *args)
    assert code == 0, err
    rows = json.loads(out.read_text(encoding="utf-8"))
    with open(exports.FOLDER / "expected.csv", encoding="utf-8", newline="") as fh:
        want = [(r["nip"], Decimal(r["score"])) for r in csv.DictReader(fh)]
    got = [(r["result"]["identifiers"]["nip"], Decimal(r["result"]["score"])) for r in rows]
    assert got == want
    assert rows[0]["reading"]["profile"] == "hr-export-id"
    assert rows[0]["reading"]["not_read"][:2] == ["No", "Golongan"]
    assert f"rows: {len(want)}, scored: {len(want)}, errors: 0" in err


# -- what a second hostile review found ----------------------------------------------------------


@pytest.mark.parametrize(
    "lines",
    [
        [  # the quote opens and closes in one column not read, of neighbouring rows
            "No,nip,Keterangan,jenis_jabatan,pendidikan,diklat_teknis_20jp,seminar,"
            "predikat_kinerja,hukuman_disiplin",
            '1,197604212005112001,"catatan,pelaksana,S1,ya,tidak,baik,tidak_ada',
            '2,198001012005011002,lain",pelaksana,S3,ya,ya,sangat_baik,tidak_ada',
            "3,198507152010012003,,pelaksana,SD,ya,tidak,baik,tidak_ada",
        ],
        [  # ... in the first column, with ';'
            "nama;nip;jenis_jabatan;pendidikan;diklat_teknis_20jp;seminar;predikat_kinerja;"
            "hukuman_disiplin",
            '"Siti;197604212005112001;pelaksana;S1;ya;tidak;baik;tidak_ada',
            'Budi";198001012005011002;pelaksana;S3;ya;ya;sangat_baik;tidak_ada',
            "Ani;198507152010012003;pelaksana;SD;ya;tidak;baik;tidak_ada",
        ],
    ],
)
def test_a_quote_pair_in_one_column_of_neighbouring_rows_refuses_the_file(
    lines: list[str], tmp_path: Path
) -> None:
    src = tmp_path / "q.csv"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(RecordsError, match="line 2: a quoted cell") as caught:
        asnmerit.read_records(src, scheme=scheme("ip-asn"))
    assert caught.value.code == "records.csv-quote"


def test_a_spelling_of_dashes_never_fills_a_blank_cell(tmp_path: Path) -> None:
    src = tmp_path / "dash.csv"
    src.write_text(
        "nip,jenis_jabatan,pendidikan,diklat_teknis_20jp,seminar,predikat_kinerja,"
        "hukuman_disiplin\n197604212005112001,pelaksana,S1,,tidak,baik,\n"
        "198001012005011002,pelaksana,S1,-,tidak,baik,-\n",
        encoding="utf-8",
    )
    values = {"hukuman_disiplin": {"-": "tidak_ada"}, "diklat_teknis_20jp": {"-": False}}
    ip = scheme("ip-asn")
    results = asnmerit.evaluate_records(ip, asnmerit.read_records(src, scheme=ip, values=values))
    assert not results[0].ok and "expected a value" in str(results[0].error)
    assert results[1].ok


@pytest.mark.parametrize("kind", ["xlsx", "yaml", "spaced-json"])
def test_stdin_is_typed_by_its_first_bytes(kind: str, tmp_path: Path) -> None:
    records = [pelaksana(nip="197604212005112001"), pelaksana(nip="198001012005011002")]
    if kind == "xlsx":
        book = openpyxl.Workbook()
        book.active.append(list(records[0]))
        for r in records:
            book.active.append([str(v) for v in r.values()])
        book.save(tmp_path / "in")
        data = (tmp_path / "in").read_bytes()
    elif kind == "yaml":
        data = "".join(f"- {json.dumps(r)}\n" for r in records).encode()
    else:
        data = b"\n" * 100 + json.dumps(records).encode()
    done = subprocess.run(
        [sys.executable, "-m", "asnmerit", "evaluate", "ip-asn", "/dev/stdin", "-q"],
        input=data, capture_output=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert b"rows: 2, scored: 2, errors: 0" in done.stderr


def test_utf32_and_a_wrongly_named_encoding_are_refused(tmp_path: Path) -> None:
    src, lines = _csv_of(tmp_path, 2)
    src.write_bytes(("\n".join(lines) + "\n").encode("utf-32"))
    with pytest.raises(RecordsError, match="UTF-32"):
        asnmerit.read_records(src)
    src.write_bytes(b"\xef\xbb\xbf" + ("\n".join(lines) + "\n").encode())
    with pytest.raises(RecordsError, match="it is UTF-8, not cp1252"):
        asnmerit.read_records(src, encoding="cp1252")


def test_a_header_past_the_first_rows_must_be_named(tmp_path: Path) -> None:
    src, lines = _csv_of(tmp_path, 2)
    src.write_text("\n".join([*[f"judul {i}" for i in range(31)], *lines]) + "\n", "utf-8")
    with pytest.raises(ColumnsError, match="none of the first 30 rows names a field"):
        asnmerit.read_records(src, scheme=scheme("ip-asn"))


# -- what a third hostile review found -----------------------------------------------------------


@pytest.mark.parametrize(
    ("lines", "where"),
    [
        (  # a stray quote in the header swallows the first record into the headers
            [IP_HEADER + ',"keterangan', "198001012005011001\",A,struktural,S2,ya,ya,ya,baik,tidak_ada",
             "198001012005011002,B,pelaksana,S1,tidak,ya,ya,baik,tidak_ada"],
            "line 1: a quoted cell (column 10) of the header spans lines",
        ),
        (  # a short row lets a stray pair merge two rows into one of the header's width
            ["nip,keterangan,nama,jenis_jabatan,pendidikan,diklat_kepemimpinan,"
             "diklat_teknis_20jp,seminar,predikat_kinerja,hukuman_disiplin",
             '198001012005011001,"pindahan,A,struktural,S2,ya,ya,ya,baik,tidak_ada',
             '198001012005011002",B,pelaksana,S1,tidak,ya,ya,baik,ringan',
             "198001012005011003,,C,pelaksana,S1,tidak,ya,ya,baik,tidak_ada"],
            "line 2: a quoted cell (column 2)",
        ),
    ],
)  # fmt: skip
def test_stray_quotes_at_the_header_or_beside_a_short_row_refuse_the_file(
    lines: list[str], where: str, tmp_path: Path
) -> None:
    src = tmp_path / "q.csv"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(RecordsError, match=re.escape(where)) as caught:
        asnmerit.read_records(src, scheme=scheme("ip-asn"))
    assert caught.value.code == "records.csv-quote"


def test_a_mapping_key_that_is_a_header_names_that_header_only(tmp_path: Path) -> None:
    src, lines = _csv_of(tmp_path, 2)
    lines = ["NIP," + lines[0], *(f"x,{line}" for line in lines[1:])]
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    records = asnmerit.read_records(src, scheme=scheme("ip-asn"), columns={"NIP": None})
    assert records[0]["nip"].startswith("1960")


# -- what a fourth hostile review found: legitimate files refused -------------------------------


def test_notes_and_headers_that_span_lines_are_read(tmp_path: Path) -> None:
    """A header wrapped over two lines (Alt+Enter), an address with a comma over two lines,
    and a two-line value in a row with its trailing empty cells left off are all read: none
    holds nearly a row's worth of separators."""
    src, lines = _csv_of(tmp_path, 3)
    header = lines[0].replace("nama", '"nama\nlengkap"') + ",Keterangan,Catatan"
    rows = [
        lines[1] + ',"Jl. Merdeka 5,\nBandung",x',
        lines[2].replace("Pegawai 1", '"Pegawai\n1"'),  # two cells short
        lines[3] + ",,",
    ]
    src.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnreadColumnsWarning)
        records = asnmerit.read_records(
            src, scheme=scheme("ip-asn"), columns={"nama\nlengkap": "nama"}
        )
    assert len(records) == 3 and records[1]["nama"] == "Pegawai\n1"
    assert all(r.ok for r in asnmerit.evaluate_records(scheme("ip-asn"), records))


# -- what a fifth hostile review found: the Python calls -----------------------------------------


@pytest.mark.parametrize(
    "options",
    [
        {"values": {"jenis_jabatan": "JFT"}},
        {"values": {"jenis_jabatan": {1: "struktural"}}},
        {"columns": ["a"]},
        {"sheet": True},
        {"sheet": -1},
        {"header_row": 0},
        {"delimiter": ";;"},
        {"strict_columns": "yes"},
        {"name": 5},
    ],
)
def test_a_profile_made_by_hand_is_checked_as_a_file_is(options: dict[str, Any]) -> None:
    with pytest.raises(ColumnsError):
        ReadingProfile(**options)


def test_a_profile_made_by_hand_folds_its_spellings(tmp_path: Path) -> None:
    src = exports.excel_csv(tmp_path / "pegawai.csv")
    mine = ReadingProfile(values={"jenis_jabatan": {"JFT": "fungsional"}})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnreadColumnsWarning)
        records = asnmerit.read_records(src, scheme=scheme("ip-asn"), profile=mine)
    assert records[1]["jenis_jabatan"] == "fungsional"


def test_wrong_arguments_are_told_plainly(tmp_path: Path) -> None:
    src, _ = _csv_of(tmp_path, 1)
    ip = scheme("ip-asn")
    for profile in (123, "", ip):
        with pytest.raises(TypeError, match="profile: a ReadingProfile"):
            asnmerit.read_records(src, profile=profile)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="scheme: criteria"):
        asnmerit.read_records(src, scheme="ip-asn")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="records: an iterable of records"):
        asnmerit.evaluate_records(ip, pelaksana())
    with pytest.raises(TypeError, match="strict_columns: true or false"):
        asnmerit.evaluate_records(ip, [pelaksana()], strict_columns="yes")  # type: ignore[arg-type]
    frame = pd.DataFrame([{**pelaksana(), "nip": "197604212005112001"}])
    assert list(asnmerit.evaluate_frame(ip, frame, keep="nip").columns) == [
        "nip",
        "score",
        "band",
        "eligible",
        "error",
    ]


def test_options_a_file_cannot_have_are_refused(tmp_path: Path) -> None:
    src = tmp_path / "in.json"
    src.write_text(json.dumps([pelaksana()]), encoding="utf-8")
    with pytest.raises(ColumnsError, match="no sheets, header row, text encoding"):
        asnmerit.read_records(src, encoding="cp1252")
    csv_src, _ = _csv_of(tmp_path, 1)
    with pytest.raises(ColumnsError, match="decimal comma in a comma-separated file"):
        asnmerit.read_records(csv_src, decimal=",")


def test_a_named_pipe_read_twice_gives_what_was_written_each_time(tmp_path: Path) -> None:
    """A pipe's spool lives for one reading: the next reading of the same path reads the
    pipe again, not what it held before."""
    pipe = tmp_path / "pipe.csv"
    os.mkfifo(pipe)
    for n in (1, 3):
        src, _ = _csv_of(tmp_path, n, name=f"in{n}.csv")
        feeder = threading.Thread(target=lambda s=src: pipe.write_bytes(s.read_bytes()))
        feeder.start()
        assert len(asnmerit.read_records(pipe)) == n
        feeder.join(timeout=30)
