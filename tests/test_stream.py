"""`asnmerit evaluate` streams: same bytes as scoring the whole list, bounded memory,
an errors file, column mappings, a progress line on a terminal only."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import itertools
import json
import os
import pty
import random
import re
import select
import signal
import subprocess
import sys
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import asnmerit
from asnmerit import _decimal as D
from asnmerit._values import identifier_key, json_value
from asnmerit.cli import main
from asnmerit.cli.demo import COLUMNS, sample_path, synthetic_agency
from asnmerit.engine.batch import evaluate_records, score_records
from asnmerit.engine.intake import duplicates
from asnmerit.errors import RecordsError
from asnmerit.files.atomic import atomic_binary_writer
from asnmerit.files.records import header, iter_chunks, iter_records, read_records, reading
from asnmerit.files.stream import error_issues, evaluate_file
from asnmerit.files.tables import ParquetRows, table_writer, to_csv

from .helpers import pelaksana, scheme

IP = scheme("ip-asn")


def _write(path: Path, rows: list[dict[str, str]], columns: list[str] = COLUMNS) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def _bad_rows(n: int = 60) -> list[dict[str, str]]:
    """Synthetic rows with refused values and NIPs shared by rows far apart."""
    rows = synthetic_agency(n=n, seed=7)
    rows[3]["nip"] = rows[10]["nip"] = rows[n - 1]["nip"]  # three rows, one NIP
    rows[5]["pendidikan"] = "S9"
    rows[7]["seminar"] = "maybe"
    rows[30]["nip"] = "123"  # not an NIP: refused, and no duplicate of anything
    rows[40]["nip"] = ""
    rows[41]["nip"] = ""  # blanks are no duplicates of each other
    return rows


def _whole_file(path: Path, fmt: str, lang: str = "id") -> bytes:
    """What `asnmerit evaluate` wrote before it streamed: every row scored at once."""
    records = read_records(path)
    results = evaluate_records(IP, records)
    if fmt == "json":
        data = [
            {"row": r.row, "result": r.evaluation.to_dict()}
            if r.evaluation is not None
            else {"row": r.row, **json_value(r.identifiers), "error": error_issues(r.error)}
            for r in results
        ]
        return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode()
    ids = [n for n in IP.identifiers if any(n in rec for rec in records)]
    parts = [c.id for c in IP.score.children]
    columns = ["row", *ids, "score", "band", "band_label", "eligible", *parts, "warnings", "error"]
    rows = []
    for r in results:
        row: dict[str, Any] = {"row": r.row, **r.identifiers}
        if r.evaluation is not None:
            ev = r.evaluation
            row.update(
                score=D.plain(ev.score),
                band=ev.band.code,
                band_label=ev.band.label.get(lang),
                eligible=str(ev.eligible).lower(),
                warnings="; ".join(sorted({w.code for w in ev.warnings})),
            )
            row.update({c.id: D.plain(c.points) for c in ev.components.children})
        else:
            row["error"] = asnmerit.engine.batch.brief(r.error)
        rows.append(row)
    return to_csv(rows, columns).encode()


@pytest.mark.parametrize("fmt", ["csv", "json"])
@pytest.mark.parametrize("which", ["demo", "bad", "bad-json-input", "header-only"])
def test_streamed_output_is_the_whole_file_output(
    which: str, fmt: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if which == "demo":
        src = sample_path()
    elif which == "bad":
        src = _write(tmp_path / "in.csv", _bad_rows())
    elif which == "bad-json-input":
        src = tmp_path / "in.json"
        src.write_text(json.dumps(_bad_rows()), encoding="utf-8")
    else:
        src = _write(tmp_path / "in.csv", [])
    expected = _whole_file(src, fmt)
    out = tmp_path / f"out.{fmt}"
    code = main(["evaluate", "ip-asn", str(src), "--format", fmt, "-o", str(out)])
    assert out.read_bytes() == expected
    assert code == (0 if which in ("demo", "header-only") else 1)
    # standard output streams the same bytes
    capsys.readouterr()
    assert main(["evaluate", "ip-asn", str(src), "--format", fmt]) == code
    assert capsys.readouterr().out.encode() == expected


def test_the_refused_rows_and_the_counts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = _write(tmp_path / "in.csv", _bad_rows())
    out, errors = tmp_path / "out.csv", tmp_path / "errors.csv"
    code = main(["evaluate", "ip-asn", str(src), "-o", str(out), "--errors", str(errors)])
    assert code == 1
    assert capsys.readouterr().err == "rows: 60, scored: 54, errors: 6\n"
    table = list(csv.DictReader(io.StringIO(out.read_text())))
    assert len(table) == 60  # the main output keeps every row
    issues = list(csv.DictReader(io.StringIO(errors.read_text())))
    ids = ["nip", "nama", "instansi", "unit_kerja", "status"]
    assert list(issues[0]) == ["row", *ids, "field", "expected", "got"]
    assert [(i["row"], i["field"]) for i in issues] == [
        ("4", "nip"),
        ("6", "pendidikan"),
        ("8", "seminar"),
        ("11", "nip"),
        ("31", "nip"),
        ("60", "nip"),
    ]
    shared = _bad_rows()[3]["nip"]
    assert issues[0]["nip"] == shared and issues[0]["nama"] == "Pegawai Sintetis 004"
    assert issues[0]["got"] == f"text '{shared}' (also in rows 11, 60)"
    assert issues[3]["got"] == f"text '{shared}' (also in rows 4, 60)"
    assert issues[1]["expected"].startswith("one of S3") and issues[1]["got"] == "text 'S9'"
    # each refused row of the main output is in the errors file, with its identifiers
    refused = {r["row"]: r["nip"] for r in table if r["error"]}
    assert refused == {i["row"]: i["nip"] for i in issues}


def test_duplicates_far_apart_are_all_refused(tmp_path: Path) -> None:
    rows = synthetic_agency(n=25_000, seed=5)
    rows[24_999]["nip"] = rows[0]["nip"]
    src = _write(tmp_path / "in.csv", rows)
    out = tmp_path / "out.csv"
    assert main(["evaluate", "ip-asn", str(src), "-o", str(out), "--quiet"]) == 1
    table = list(csv.DictReader(io.StringIO(out.read_text())))
    refused = [(r["row"], r["error"]) for r in table if r["error"]]
    nip = rows[0]["nip"]
    assert refused == [
        (
            "1",
            f"nip: expected a value used by one record only, got text '{nip}' (also in row 25000)",
        ),
        (
            "25000",
            f"nip: expected a value used by one record only, got text '{nip}' (also in row 1)",
        ),
    ]


def test_one_pass_finds_the_duplicates_of_the_whole_list() -> None:
    rng = random.Random(11)
    jpt = asnmerit.get("jpt")  # its unique identifier is the agency
    for _ in range(50):
        records: list[Any] = [
            {
                "nip": rng.choice(["198001012005011001", " 198001012005011001", "x", "", "1"]),
                "instansi": rng.choice(["A", "B", "A ", "C", None]),
            }
            for _ in range(rng.randint(0, 12))
        ]
        records.insert(rng.randint(0, len(records)), "not a record")
        for criteria in (IP, jpt):
            assert _shared(duplicates(criteria, iter(records))) == _brute(criteria, records)


def _shared(found: dict[int, list[tuple[str, list[int]]]]) -> set[tuple[int, str, tuple[int, ...]]]:
    return {
        (pos, name, tuple(p for p in rows if p != pos))
        for pos, pairs in found.items()
        for name, rows in pairs
    }


def _brute(criteria: Any, records: list[Any]) -> set[tuple[int, str, tuple[int, ...]]]:
    """Every pair of records that share a unique identifier's key, the slow way."""
    out = set()
    for ident in (i for i in criteria.identifiers.values() if i.unique):
        keys = [
            identifier_key(ident, r.get(ident.name)) if isinstance(r, dict) else None
            for r in records
        ]
        for pos, key in enumerate(keys):
            others = tuple(p for p, k in enumerate(keys) if k is not None and k == key and p != pos)
            if key is not None and others:
                out.add((pos, ident.name, others))
    return out


# -- column mappings ---------------------------------------------------------------------------

INDONESIAN = {
    "nip": "NIP BARU",
    "nama": "NAMA LENGKAP",
    "jenis_jabatan": "JENIS JABATAN",
    "pendidikan": "PENDIDIKAN TERAKHIR",
    "predikat_kinerja": "PREDIKAT KINERJA",
}


def _export(tmp_path: Path) -> Path:
    """The demo file with headers as a real export might spell them."""
    rows = [{INDONESIAN.get(k, k): v for k, v in r.items()} for r in read_records(sample_path())]
    return _write(tmp_path / "export.csv", rows, [INDONESIAN.get(c, c) for c in COLUMNS])


def _mapping(tmp_path: Path) -> Path:
    """A column mapping file from the Indonesian headers of :func:`_export` to fields."""
    mapping = tmp_path / "columns.yaml"
    mapping.write_text("".join(f"{v}: {k}\n" for k, v in INDONESIAN.items()), encoding="utf-8")
    return mapping


def test_a_column_mapping_gives_the_same_results(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = _export(tmp_path)
    mapping = _mapping(tmp_path)
    out = tmp_path / "out.csv"
    assert main(["evaluate", "ip-asn", str(src), "--columns", str(mapping), "-o", str(out)]) == 0
    assert out.read_bytes() == _whole_file(sample_path(), "csv")
    as_json = tmp_path / "columns.json"
    as_json.write_text(json.dumps({v: k for k, v in INDONESIAN.items()}), encoding="utf-8")
    capsys.readouterr()
    assert main(["evaluate", "ip-asn", str(src), "--columns", str(as_json)]) == 0
    assert capsys.readouterr().out.encode() == out.read_bytes()
    # without the mapping, every row is refused for its unknown fields
    assert main(["evaluate", "ip-asn", str(src), "-o", str(out)]) == 1
    assert "rows: 320, scored: 0, errors: 320" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        (
            {"NIP BARU": "nip", "PENDIDIKAN TERAKHIR": "education", "X": "nip_lama"},
            "not a field of ip-asn 2019: education, nip_lama (fields: ",
        ),
        (
            {"NIP": "nip", "PENDIDIKAN": "pendidikan"},
            "mapped column(s) not in the file: NIP, PENDIDIKAN",
        ),
        (
            {"NIP BARU": "nip", "NAMA LENGKAP": "nama"},
            # the other headers (JENIS JABATAN, ...) are those fields by meaning
            "no column for required input(s) pendidikan of ip-asn 2019; map a header to each",
        ),
        (
            {"NIP BARU": "nama", "NAMA LENGKAP": "nama"},
            "columns 'NIP BARU' and 'NAMA LENGKAP' both give nama",
        ),
    ],
)
def test_a_bad_column_mapping_is_a_usage_error(
    mapping: dict[str, str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = _export(tmp_path)
    path = tmp_path / "columns.json"
    path.write_text(json.dumps(mapping), encoding="utf-8")
    out = tmp_path / "out.csv"
    out.write_text("old")
    assert main(["evaluate", "ip-asn", str(src), "--columns", str(path), "-o", str(out)]) == 2
    assert message in capsys.readouterr().err
    assert out.read_text() == "old" and sorted(p.name for p in tmp_path.iterdir()) == [
        "columns.json",
        "export.csv",
        "out.csv",
    ]


def test_a_column_mapping_must_be_a_mapping_and_names_keys_of_json_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "columns.yaml"
    path.write_text("- nip\n", encoding="utf-8")
    assert main(["evaluate", "ip-asn", str(sample_path()), "--columns", str(path)]) == 2
    assert "expected a mapping of column headers to field names" in capsys.readouterr().err
    path.write_text("NIP: nip\n", encoding="utf-8")
    src = tmp_path / "in.json"
    src.write_text("[]", encoding="utf-8")
    assert main(["evaluate", "ip-asn", str(src), "--columns", str(path)]) == 2
    assert f"{src}: mapped column(s) not in the file: NIP" in capsys.readouterr().err
    record = {"NIP": "197604212005112001", **pelaksana(), "Predikat": "baik"}
    del record["predikat_kinerja"]
    src.write_text(json.dumps([record]), encoding="utf-8")
    path.write_text("NIP: nip\nPredikat: predikat_kinerja\n", encoding="utf-8")
    assert main(["evaluate", "ip-asn", str(src), "--columns", str(path), "--format", "json"]) == 0
    assert '"nip": "197604212005112001"' in capsys.readouterr().out


# -- reading as a stream -----------------------------------------------------------------------


def test_a_bad_byte_late_in_the_file_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "in.csv"
    text = sample_path().read_bytes()
    src.write_bytes(text + b"1980,Ab\xffc\n")
    out, errors = tmp_path / "out.csv", tmp_path / "errors.csv"
    out.write_text("old")
    args = ["evaluate", "ip-asn", str(src), "-o", str(out), "--errors", str(errors)]
    assert main(args) == 2
    assert capsys.readouterr() == (
        "",
        f"asnmerit: error: {src}: line 322, column 8: byte 0xff is not UTF-8; the file "
        "reads as cp1252: name it (--encoding cp1252) [records.encoding]\n",
    )
    assert out.read_text() == "old" and not errors.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv", "out.csv"]
    assert main(["evaluate", "ip-asn", str(src)]) == 2
    assert capsys.readouterr().out == ""  # standard output too: the file is checked first


def test_a_bad_byte_late_in_the_file_cuts_a_file_back_to_where_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(asnmerit.files.stream, "CHUNK_ROWS", 16)  # chunks written before the byte
    src = tmp_path / "in.csv"
    src.write_bytes(sample_path().read_bytes() + b"1980,Ab\xffc\n")
    with (
        open(tmp_path / "out.csv", "w+", encoding="utf-8", newline="") as out,
        open(tmp_path / "errors.csv", "w+b") as errors,
    ):
        out.write("kept\n")
        with pytest.raises(RecordsError, match="byte 0xff is not UTF-8"):
            evaluate_file(IP, src, out, errors=errors, errors_format="parquet")
        out.write("then\n")
    assert (tmp_path / "out.csv").read_text(encoding="utf-8") == "kept\nthen\n"
    assert (tmp_path / "errors.csv").read_bytes() == b""


def test_an_identifier_column_no_row_reaches_is_not_written(tmp_path: Path) -> None:
    # read as it is scored, the output first has a column for the NIP of the header; no
    # row has a cell there, so it is written again without one
    names = [c for c in COLUMNS if c != "nip"]
    src = tmp_path / "in.csv"
    with open(src, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow([*names, "nip"])
        writer.writerows([r[c] for c in names] for r in synthetic_agency(n=40, seed=3))
    out = tmp_path / "out.csv"
    assert main(["evaluate", "ip-asn", str(src), "-o", str(out), "-q"]) == 0
    assert out.read_bytes() == _whole_file(src, "csv")
    assert out.read_text(encoding="utf-8").startswith("row,nama,instansi,unit_kerja,status,score,")


def test_records_stream_one_at_a_time(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("\ufeffa, B ,\n1,2,\n\n3,4,5,6\n", encoding="utf-8")
    assert header(src) == ["a", "B", "(column 3)"]
    records = iter_records(src, profile=reading(columns={"B": "b"}))
    assert next(records) == {"a": "1", "b": "2"}
    assert next(records) == {"a": "3", "b": "4", "(column 3)": "5", "(extra cells)": ["6"]}
    assert next(records, None) is None
    assert list(iter_records(src)) == read_records(src)


# -- memory and progress -----------------------------------------------------------------------

MEASURE = """
import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=False)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)
"""


def _peak_mib(*args: str) -> int:
    """The peak resident memory (MiB) of ``asnmerit`` run with ``args`` in a child."""
    cmd = [sys.executable, "-c", MEASURE, sys.executable, "-m", "asnmerit", *args]
    return int(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)


@pytest.mark.slow
def test_memory_does_not_grow_with_the_rows(tmp_path: Path) -> None:
    # Peak resident memory measured when this test was written (Python 3.11, 2 cores):
    # 2,000 rows: streamed 33 MiB, scored whole (before streaming) 43 MiB;
    # 200,000 rows (30 MB): streamed 62 MiB (the NIPs kept for the duplicate check are the
    # difference), scored whole 1,075 MiB. The bound leaves room and stays far below that.
    src = _write(tmp_path / "in.csv", synthetic_agency(n=200_000, seed=1))
    out = tmp_path / "out.csv"
    big = _peak_mib("evaluate", "ip-asn", str(src), "-o", str(out), "--quiet")
    with open(out, encoding="utf-8") as fh:
        assert sum(1 for _ in fh) == 200_001
    assert big < 200, big


def _spawn_on_a_terminal(*args: str) -> tuple[subprocess.Popen[bytes], int]:
    """``asnmerit *args`` with its standard error on a new terminal, and that terminal."""
    parent, child = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "asnmerit", *args],
        stdout=subprocess.DEVNULL,
        stderr=child,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    os.close(child)
    return proc, parent


def _on_a_terminal(*args: str) -> str:
    """What ``asnmerit`` writes to standard error when that is a terminal."""
    proc, parent = _spawn_on_a_terminal(*args)
    chunks = []
    while True:
        ready, _, _ = select.select([parent], [], [], 60)
        if not ready:
            break
        try:
            data = os.read(parent, 4096)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=60)
    os.close(parent)
    return b"".join(chunks).decode()


@pytest.mark.slow
def test_progress_on_a_terminal_only(tmp_path: Path) -> None:
    src = _write(tmp_path / "in.csv", synthetic_agency(n=60_000, seed=2))
    shown = _on_a_terminal("evaluate", "ip-asn", str(src), "-o", str(tmp_path / "a.csv"))
    assert re.match(r"\rrows: \d+ \(\d+%\) scored: \d+ errors: 0\r", shown), shown
    assert shown.endswith("\r\x1b[K" + "rows: 60000, scored: 60000, errors: 0\r\n")
    quiet = _on_a_terminal("evaluate", "ip-asn", str(src), "-o", str(tmp_path / "b.csv"), "-q")
    assert quiet == "rows: 60000, scored: 60000, errors: 0\r\n"
    # not a terminal: the counts only
    piped = subprocess.run(
        [sys.executable, "-m", "asnmerit", "evaluate", "ip-asn", str(src)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert piped.returncode == 0 and piped.stderr == "rows: 60000, scored: 60000, errors: 0\n"


# -- Parquet and Excel -------------------------------------------------------------------------

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")
openpyxl = pytest.importorskip("openpyxl")


def _typed(records: list[dict[str, Any]], columns: list[str]) -> dict[str, list[Any]]:
    """The columns of CSV records as a typed table would hold them: a column of true,
    false and blanks as booleans, the others as text; a blank cell as a null."""
    out = {}
    for c in columns:
        values = [r.get(c, "") for r in records]
        if values and all(v in ("true", "false", "") for v in values):
            out[c] = [None if v == "" else v == "true" for v in values]
        else:
            out[c] = [None if v == "" else v for v in values]
    return out


def _as_parquet(src: Path, dest: Path, row_group_size: int | None = None) -> Path:
    records, columns = read_records(src), header(src)
    arrays = [
        pa.array(
            v,
            pa.bool_()
            if v and isinstance(next((x for x in v if x is not None), ""), bool)
            else pa.string(),
        )
        for v in _typed(records, columns).values()
    ]
    pq.write_table(pa.Table.from_arrays(arrays, names=columns), dest, row_group_size=row_group_size)
    return dest


def _as_xlsx(src: Path, dest: Path) -> Path:
    records, columns = read_records(src), header(src)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(columns)
    for row in zip(*_typed(records, columns).values(), strict=True):
        sheet.append(row)
    sheet.append([None] * len(columns))  # fully empty rows at the end are no records
    sheet.cell(row=len(records) + 5, column=2).number_format = "0.00"
    book.save(dest)
    return dest


CONVERT = {"parquet": _as_parquet, "xlsx": _as_xlsx}


@pytest.mark.parametrize("fmt", ["csv", "json"])
@pytest.mark.parametrize("kind", ["parquet", "xlsx"])
@pytest.mark.parametrize("which", ["demo", "bad", "header-only"])
def test_parquet_and_excel_input_give_the_csv_output(
    which: str, kind: str, fmt: str, tmp_path: Path
) -> None:
    if which == "demo":
        src = sample_path()
    else:
        src = _write(tmp_path / "in.csv", _bad_rows() if which == "bad" else [])
    table = CONVERT[kind](src, tmp_path / f"in.{kind}")
    if which == "header-only":
        assert read_records(table) == []
    else:
        typed = read_records(table)
        assert any(isinstance(v, bool) for r in typed for v in r.values())  # not all text
    expected = _whole_file(src, fmt)
    out = tmp_path / f"out.{fmt}"
    code = main(["evaluate", "ip-asn", str(table), "--format", fmt, "-o", str(out)])
    assert code == (1 if which == "bad" else 0)
    assert out.read_bytes() == expected


def _read_back(path: Path) -> list[dict[str, str]]:
    """The rows of a CSV, Parquet or Excel output, every cell as the CSV text."""
    if path.suffix == ".csv":
        return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    if path.suffix == ".parquet":
        table = pq.read_table(path)
        assert table.schema.field("row").type == pa.int64()
        assert {table.schema.field(n).type for n in table.column_names if n != "row"} == {
            pa.string()
        }
        rows = table.to_pylist()
    else:
        book = openpyxl.load_workbook(path, read_only=True)
        cells = list(book.worksheets[0].iter_rows(values_only=True))
        book.close()
        width = len(cells[0])  # a row read as a stream ends at its last cell with a value
        rows = [
            dict(zip(cells[0], (*row, *[None] * (width - len(row))), strict=True))
            for row in cells[1:]
        ]
    assert all(isinstance(r["row"], int) for r in rows)
    return [{k: "" if v is None else str(v) for k, v in r.items()} for r in rows]


def test_each_output_format_reads_back_as_the_csv_output(tmp_path: Path) -> None:
    src = _write(tmp_path / "in.csv", _bad_rows())
    for fmt in ("csv", "parquet", "xlsx"):  # the format follows the extension
        args = ["-o", str(tmp_path / f"out.{fmt}"), "--errors", str(tmp_path / f"err.{fmt}")]
        assert main(["evaluate", "ip-asn", str(src), *args]) == 1
    expected = _read_back(tmp_path / "out.csv")
    assert len(expected) == 60 and sum(bool(r["error"]) for r in expected) == 6
    errors = _read_back(tmp_path / "err.csv")
    assert len(errors) == 6
    for fmt in ("parquet", "xlsx"):
        assert _read_back(tmp_path / f"out.{fmt}") == expected
        assert _read_back(tmp_path / f"err.{fmt}") == errors
        # and as records again: the same rows as the CSV output gives
        again = read_records(tmp_path / f"out.{fmt}")
        assert [{k: str(v) for k, v in r.items()} for r in again] == expected
    # --format wins over the extension; an errors file of another extension is CSV
    out, errors_file = tmp_path / "out.bin", tmp_path / "err.txt"
    args = ["--format", "parquet", "-o", str(out), "--errors", str(errors_file)]
    assert main(["evaluate", "ip-asn", str(src), *args]) == 1
    assert pq.read_table(out).num_rows == 60
    assert errors_file.read_bytes() == (tmp_path / "err.csv").read_bytes()


@pytest.mark.parametrize("fmt", ["parquet", "xlsx"])
def test_binary_output_needs_a_file(fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate", "ip-asn", str(sample_path()), "--format", fmt]) == 2
    assert capsys.readouterr() == (
        "",
        f"asnmerit: error: --format {fmt} writes a binary file: give it with --output FILE\n",
    )


def test_excel_output_is_text_never_a_formula(tmp_path: Path) -> None:
    rows = synthetic_agency(n=3, seed=3)
    rows[0]["nama"] = '=HYPERLINK("http://example.invalid","klik")'
    rows[1]["nama"] = "#N/A"
    rows[2]["nama"] = "tab\there, bell\x07"
    out = tmp_path / "out.xlsx"
    assert main(["evaluate", "ip-asn", str(_write(tmp_path / "in.csv", rows)), "-o", str(out)]) == 0
    sheet = openpyxl.load_workbook(out).worksheets[0]
    names = [sheet.cell(row=i, column=3) for i in (2, 3, 4)]
    assert [c.value for c in names] == [rows[0]["nama"], "#N/A", "tab\there, bell\ufffd"]
    assert [c.data_type for c in names] == ["s", "s", "s"]


def test_a_column_mapping_works_for_parquet_and_excel(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = _export(tmp_path)
    mapping = _mapping(tmp_path)
    expected = _whole_file(sample_path(), "csv")
    for kind, convert in CONVERT.items():
        table = convert(export, tmp_path / f"export.{kind}")
        out = tmp_path / "out.csv"
        args = ["evaluate", "ip-asn", str(table), "--columns", str(mapping), "-o", str(out)]
        assert main(args) == 0
        assert out.read_bytes() == expected
        first = next(iter_records(table, profile=reading(columns={"NIP BARU": "nip"})))
        assert first["nip"] == "197604212005112001"
        bad = tmp_path / "bad.json"
        bad.write_text(json.dumps({"NIP": "nip", "NAMA LENGKAP": "nip"}), encoding="utf-8")
        assert main(["evaluate", "ip-asn", str(table), "--columns", str(bad)]) == 2
        assert "mapped column(s) not in the file: NIP" in capsys.readouterr().err
        bad.write_text(json.dumps({"NIP BARU": "nama", "NAMA LENGKAP": "nama"}), encoding="utf-8")
        assert main(["evaluate", "ip-asn", str(table), "--columns", str(bad)]) == 2
        assert (
            f"{table}: columns 'NIP BARU' and 'NAMA LENGKAP' both give nama"
            in capsys.readouterr().err
        )


def test_a_parquet_file_of_many_row_groups_streams_in_chunks(tmp_path: Path) -> None:
    src = _write(tmp_path / "in.csv", _bad_rows(n=5_000))
    table = _as_parquet(src, tmp_path / "in.parquet", row_group_size=700)
    assert pq.ParquetFile(table).metadata.num_row_groups == 8
    sizes = [len(chunk) for chunk in iter_chunks(table, size=1_000)]
    assert max(sizes) <= 1_000 and sum(sizes) == 5_000 and len(sizes) >= 5
    out = tmp_path / "out.csv"
    assert main(["evaluate", "ip-asn", str(table), "-o", str(out), "-q"]) == 1
    assert out.read_bytes() == _whole_file(src, "csv")


def test_parquet_output_is_written_in_row_groups(tmp_path: Path) -> None:
    columns = ["row", "a", "b"]
    with atomic_binary_writer(tmp_path / "out.parquet") as fh:
        writer = ParquetRows(fh, columns, row_group=5_000)
        writer.writerows({"row": i, "a": f"x{i}", "b": "" if i % 2 else i} for i in range(12_345))
        writer.close()
    meta = pq.ParquetFile(tmp_path / "out.parquet").metadata
    assert [meta.row_group(i).num_rows for i in range(meta.num_row_groups)] == [5_000] * 2 + [2_345]
    back = pq.read_table(tmp_path / "out.parquet").to_pylist()
    assert back[:2] == [{"row": 0, "a": "x0", "b": "0"}, {"row": 1, "a": "x1", "b": None}]


def test_unreadable_parquet_and_excel_files_are_usage_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def refused(path: Path) -> str:
        out = tmp_path / "out.csv"
        assert main(["evaluate", "ip-asn", str(path), "-o", str(out)]) == 2
        assert not out.exists()
        err = capsys.readouterr().err
        assert err.startswith(f"asnmerit: error: {path}: "), err
        return err

    assert "No such file or directory" in refused(tmp_path / "absent.parquet")
    assert "No such file or directory" in refused(tmp_path / "absent.xlsx")
    (tmp_path / "junk.parquet").write_bytes(b"not parquet at all")
    assert "not a readable Parquet file: Parquet magic bytes not found" in refused(
        tmp_path / "junk.parquet"
    )
    whole = _as_parquet(sample_path(), tmp_path / "whole.parquet").read_bytes()
    (tmp_path / "cut.parquet").write_bytes(whole[: len(whole) // 2] + whole[-64:])
    assert "not a readable Parquet file" in refused(tmp_path / "cut.parquet")
    (tmp_path / "junk.xlsx").write_bytes(b"PK\x03\x04 not a workbook")
    assert "not a readable Excel .xlsx file" in refused(tmp_path / "junk.xlsx")
    openpyxl.Workbook().save(tmp_path / "empty.xlsx")
    assert "the sheet 'Sheet' is empty (expected a header row)" in refused(tmp_path / "empty.xlsx")
    twice = pa.Table.from_arrays([pa.array(["1"]), pa.array(["2"])], names=["nip", " nip"])
    pq.write_table(twice, tmp_path / "twice.parquet")
    assert "duplicate column(s) nip" in refused(tmp_path / "twice.parquet")
    book = openpyxl.Workbook()
    book.active.append(["nama", "NAMA"])
    book.active.append(["a", "b"])
    book.active["A1"] = "NAMA"
    book.save(tmp_path / "twice.xlsx")
    assert "duplicate column(s) NAMA" in refused(tmp_path / "twice.xlsx")
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    assert "unknown record format .xls (save it as .xlsx)" in refused(tmp_path / "old.xls")


def test_excel_cells_read_as_records(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([None])  # a blank first row: the header is the first row with a name
    sheet.append(["tanggal", "angka", None, "teks", "waktu"])
    sheet.append([dt.date(2024, 5, 1), 2.5, None, "  ", dt.datetime(2024, 5, 1, 8, 30)])
    sheet.append([None, None, None, None, None])  # an empty row is no record
    sheet.append([None, 7, "catatan", True, None, "lebih"])
    sheet.append(["=1+1"])  # a formula never computed by Excel has no value
    book.save(tmp_path / "in.xlsx")
    assert header(tmp_path / "in.xlsx") == ["tanggal", "angka", "(column 3)", "teks", "waktu"]
    assert read_records(tmp_path / "in.xlsx") == [
        {
            "tanggal": dt.date(2024, 5, 1),
            "angka": 2.5,
            "teks": "  ",
            "waktu": dt.datetime(2024, 5, 1, 8, 30),
        },
        {
            "tanggal": "",
            "angka": 7,
            "(column 3)": "catatan",
            "teks": True,
            "waktu": "",
            "(extra cells)": ["lebih"],
        },
        {  # a formula never computed is not a blank: the row is refused with a note
            "tanggal": "",
            "angka": "",
            "(read problems)": [
                (
                    "tanggal",
                    "a value: cell A6 holds a formula that was never computed (open the file "
                    "in a spreadsheet program and save it)",
                    "a formula without a value",
                )
            ],
            "teks": "",
            "waktu": "",
        },
    ]


def test_parquet_values_read_as_given(tmp_path: Path) -> None:
    table = pa.table(
        {
            "n": pa.array([1, None], pa.int64()),
            "d": pa.array([Decimal("22.50"), None], pa.decimal128(5, 2)),
            "t": pa.array([dt.date(2024, 5, 1), None], pa.date32()),
            "b": pa.array([False, None]),
            "s": pa.array(["x", None]),
        }
    )
    path = tmp_path / "in.parquet"
    pq.write_table(table, path)
    assert read_records(path) == [
        {"n": 1, "d": Decimal("22.50"), "t": dt.date(2024, 5, 1), "b": False, "s": "x"},
        {"n": "", "d": "", "t": "", "b": "", "s": ""},
    ]
    # an unnamed index that pandas stores as a column is no field of the records; a named
    # one (set_index("nip")) is data, as the column it was
    pd = pytest.importorskip("pandas")
    pd.DataFrame({"nip": ["1", "2", "3"]}).iloc[1:].to_parquet(path)
    assert header(path) == ["nip"] and read_records(path) == [{"nip": "2"}, {"nip": "3"}]
    pd.DataFrame({"nip": ["1", "2"], "x": ["a", "b"]}).set_index("nip").to_parquet(path)
    assert read_records(path) == [{"x": "a", "nip": "1"}, {"x": "b", "nip": "2"}]


BLOCKED = """
import sys
sys.modules[sys.argv[1]] = None
from asnmerit.cli.commands import main
sys.exit(main(sys.argv[2:]))
"""


@pytest.mark.parametrize(
    ("blocked", "kind", "direction", "message"),
    [
        ("pyarrow", "parquet", "in", "reading a Parquet file needs pyarrow"),
        ("pyarrow", "parquet", "out", "writing a Parquet file needs pyarrow"),
        ("openpyxl", "xlsx", "in", "reading an Excel file needs openpyxl"),
        ("openpyxl", "xlsx", "out", "writing an Excel file needs openpyxl"),
    ],
)
def test_a_missing_optional_dependency_says_what_to_install(
    blocked: str, kind: str, direction: str, message: str, tmp_path: Path
) -> None:
    src = (
        CONVERT[kind](sample_path(), tmp_path / f"in.{kind}")
        if direction == "in"
        else sample_path()
    )
    out = tmp_path / ("out.csv" if direction == "in" else f"out.{kind}")
    args = [blocked, "evaluate", "ip-asn", str(src), "-o", str(out)]
    done = subprocess.run(
        [sys.executable, "-c", BLOCKED, *args], capture_output=True, text=True, check=False
    )
    extra = {"pyarrow": "parquet", "openpyxl": "excel"}[blocked]
    assert done.returncode == 2, done.stderr
    assert message in done.stderr
    assert f"which is not installed: pip install 'asnmerit[{extra}]'" in done.stderr
    assert not out.exists() and not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_importing_asnmerit_imports_no_optional_dependency() -> None:
    code = (
        "import sys, asnmerit, asnmerit.cli.commands, asnmerit.files.stream, asnmerit.files.tables\n"
        "print(sorted(m for m in ('pyarrow', 'openpyxl') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout == "[]\n"


def _csv_bytes(rows: list[dict[str, str]], columns: list[str] = COLUMNS) -> bytes:
    text = io.StringIO()
    writer = csv.DictWriter(text, columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return text.getvalue().encode()


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["csv", "json", "parquet", "xlsx"])
def test_an_interrupted_write_leaves_no_file(
    fmt: str, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The input is a pipe that the test holds open, so the run is interrupted while it is
    provably still reading: for a table output once the first chunk of rows is written
    (the progress line shows), for JSON (written only once the input was read) during the
    read. Either way the output stays as it was and no other file is left."""
    src = tmp_path_factory.mktemp("pipe") / "in.csv"
    os.mkfifo(src)
    out, errors = tmp_path / f"out.{fmt}", tmp_path / "errors.xlsx"
    out.write_bytes(b"old")
    args = ["evaluate", "ip-asn", str(src), "-o", str(out), "--errors", str(errors)]
    proc, parent = _spawn_on_a_terminal(*args)
    shown = b""
    try:
        feed = os.open(src, os.O_WRONLY)  # returns once the run opened the pipe to read it
        try:
            # Two chunks of rows: all but what the pipe buffers (far less than a chunk) are
            # read once the writes return, so the first chunk is scored and written.
            data = memoryview(_csv_bytes(synthetic_agency(n=2 * 8192, seed=4)))
            while data:
                data = data[os.write(feed, data) :]
            while fmt != "json" and b"\rrows: " not in shown:  # a chunk written, more to read
                ready, _, _ = select.select([parent], [], [], 60)
                assert ready, shown
                shown += os.read(parent, 4096)
            proc.send_signal(signal.SIGINT)  # the pipe is still open: the run is reading
            assert proc.wait(timeout=60) != 0
            while select.select([parent], [], [], 0)[0]:  # what it wrote before it stopped
                try:
                    more = os.read(parent, 4096)
                except OSError:  # the terminal closed with the run
                    break
                if not more:
                    break
                shown += more
        finally:
            os.close(feed)
    finally:
        proc.kill()
        proc.wait(timeout=60)
        os.close(parent)
    assert (b"scored:" in shown) == (fmt != "json") and b", scored: " not in shown  # unfinished
    assert out.read_bytes() == b"old" and sorted(p.name for p in tmp_path.iterdir()) == [
        f"out.{fmt}"
    ]


def test_reused_results_equal_rows_scored_one_by_one() -> None:
    """Rows that repeat a profile take its result: the same as scoring each row itself,
    row numbers, identifiers, duplicates and refused NIPs included."""
    rows = [dict(r) for r in synthetic_agency(n=400, seed=9)]
    for k in range(0, 400, 9):
        rows[k]["predikat_kinerja"] = "bagus"
    for k in range(5, 400, 31):
        rows[k]["nip"] = "12345"
    rows[7]["nip"] = rows[8]["nip"]
    once = list(score_records(IP, rows, duplicates(IP, rows), reuse=0))
    reused = list(score_records(IP, rows, duplicates(IP, rows), reuse=16))
    assert len(once) == len(reused) == 400
    for a, b in zip(once, reused, strict=True):
        assert (a.row, a.identifiers, a.ok) == (b.row, b.identifiers, b.ok)
        if a.ok:
            assert a.evaluation.to_dict() == b.evaluation.to_dict()
        else:
            assert str(a.error) == str(b.error)


# -- the table path against the whole list ------------------------------------------------------

_GOOD = synthetic_agency(n=6, seed=3)
_NIPS = [r["nip"] for r in _GOOD[:5]]
_POOL: dict[str, list[Any]] = {
    **{c: [*sorted({r[c] for r in _GOOD}), ""] for c in COLUMNS},
    "nip": [
        *_NIPS[:3],
        *(f"{n[:8]} {n[8:14]} {n[14]} {n[15:]}" for n in (_NIPS[0], _NIPS[3], _NIPS[4])),
        "123",
        "",
    ],
    "pendidikan": ["S1", "S2", "SD", "S9", " s-1 ", ""],
    "catatan": ["", "x", "x\x1f"],  # the separator of joined profiles
    "": ["", "y", "\x1fy"],  # a column without a name
}


@st.composite
def _tables(draw: st.DrawFn) -> tuple[list[str], list[list[str]]]:
    """A header (columns of the scheme, an unknown one, one without a name) and rows made
    from a few profiles: the rows of one profile differ in their identifiers (NIPs shared,
    refused, printed or blank) and now and then in one cell; a row may be too short, too
    long or blank."""
    names = draw(st.permutations([*COLUMNS, "catatan", ""]))
    names = names[: draw(st.integers(len(names) - 3, len(names)))]
    ids = [k for k, n in enumerate(names) if n in IP.identifiers]
    bases = draw(
        st.lists(st.tuples(*(st.sampled_from(_POOL[n]) for n in names)), min_size=1, max_size=3)
    )
    rows = []
    for _ in range(draw(st.integers(0, 30))):
        row = list(draw(st.sampled_from(bases)))
        for k in ids:
            row[k] = draw(st.sampled_from(_POOL[names[k]]))
        if draw(st.booleans()):
            others = [k for k in range(len(names)) if k not in ids]
            k = draw(st.sampled_from([*others[:2], *others]))  # the first more often
            row[k] = draw(st.sampled_from(_POOL[names[k]]))
        shape = draw(st.sampled_from(["whole"] * 8 + ["short", "long", "blank"]))
        if shape == "short":
            row = row[: draw(st.integers(1, len(row)))]
        elif shape == "long":
            row = [*row, draw(st.sampled_from(["", "z"]))]
        elif shape == "blank":
            row = []
        rows.append(row)
    return names, rows


def _errors_oracle(path: Path) -> list[list[str]]:
    records = read_records(path)
    ids = [n for n in IP.identifiers if any(n in rec for rec in records)]
    out = [["row", *ids, "field", "expected", "got"]]
    for r in evaluate_records(IP, records):
        if not r.ok:
            cells = [str(r.row), *(asnmerit._values.cell(r.identifiers.get(n)) for n in ids)]
            out += [[*cells, i["field"], i["expected"], i["got"]] for i in error_issues(r.error)]
    return out


@pytest.mark.slow
@settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(table=_tables(), kind=st.sampled_from(["csv", "parquet"]), once=st.booleans())
def test_a_table_is_scored_as_the_whole_list_is(
    table: tuple[list[str], list[list[str]]],
    kind: str,
    once: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Profiles reused across chunks (of 4 rows, 3 profiles kept), identifiers checked a
    column at a time, rows read again for their duplicates, and (``once``) scored as they
    are read into files cut back when NIPs turn out shared, or else scored in a second
    pass: the bytes of scoring each record of the whole list (the patches hold for every
    example alike)."""
    monkeypatch.setattr(asnmerit.files.stream, "CHUNK_ROWS", 4)
    monkeypatch.setattr(asnmerit.files.stream, "_PROFILES", 3)
    names, rows = table
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.csv"
        with open(src, "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(names)
            writer.writerows(rows)
        if kind == "parquet":  # typed cells: NIPs as whole numbers if they can be, nulls
            if any(len(r) != len(names) for r in rows) or "" in names:
                return  # a Parquet file has neither ragged rows nor nameless columns
            columns = {n: [r[k] or None for r in rows] for k, n in enumerate(names)}
            if all(v is None or v.isdigit() for v in columns.get("nip", ["x"])):
                columns["nip"] = [v and int(v) for v in columns["nip"]]
            pq.write_table(
                pa.table(columns or {"x": pa.array([], pa.string())}), src.with_suffix(".parquet")
            )
            src_table = src.with_suffix(".parquet")
        else:
            src_table = src
        out, errors = Path(tmp) / "out.csv", Path(tmp) / "errors.csv"
        if once:
            args = ["evaluate", "ip-asn", str(src_table), "-o", str(out), "--errors", str(errors)]
            with contextlib.redirect_stderr(io.StringIO()):
                main([*args, "--quiet"])
        else:
            with (
                open(out, "w", encoding="utf-8", newline="") as o,
                open(errors, "w", encoding="utf-8", newline="") as e,
            ):
                evaluate_file(IP, src_table, _Pipe(o), errors=_Pipe(e))
        assert out.read_bytes() == _whole_file(src_table, "csv")
        with open(errors, encoding="utf-8", newline="") as fh:
            assert list(csv.reader(fh)) == _errors_oracle(src_table)


_CELLS = st.one_of(
    st.text(st.sampled_from('ab ,"\r\n\x00\u00e9=+-@\t1.'), max_size=4),
    st.sampled_from([0, 17, -1.5, None, Decimal("2.50"), Decimal("-2"), True, "-1.5", "-3"]),
)


def _neutral(cell: Any) -> Any:
    """A text a spreadsheet may take for a formula, with a ``'`` in front (numbers, and
    texts that are plain decimal numbers, as they are)."""
    formula = isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@", "\t", "\r")
    if formula and not re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", cell):
        return "'" + cell
    return cell


@given(
    chunks=st.lists(st.lists(st.lists(_CELLS, max_size=4), max_size=6), max_size=4),
    header=st.lists(st.text(max_size=3), max_size=3),
    safe=st.booleans(),
)
@example(chunks=[[["a,", "b"], ['"', "c"], ["d", "e"]]], header=[], safe=False)  # each row
@example(chunks=[[["a", "-1,"], ["-1", "-1.5"], ["=", "b"]]], header=["+"], safe=True)
@settings(max_examples=300)
def test_the_csv_writer_writes_what_the_csv_module_writes(
    chunks: list[list[list[Any]]], header: list[str], safe: bool
) -> None:
    """The bytes of the ``csv`` module of Python 3.13, which quotes a carriage return
    (``safe``: of the cells through :func:`_neutral`)."""
    ours = io.StringIO()
    writer = table_writer(ours, "csv", header, safe=safe)
    cells = _neutral if safe else (lambda cell: cell)
    theirs = [_module_row(list(map(cells, header)))]
    for chunk in chunks:
        writer.writecells(chunk)
        theirs.extend(_module_row(list(map(cells, row))) for row in chunk)
    writer.close()
    assert ours.getvalue() == "".join(theirs)
    if sys.version_info >= (3, 13):
        module = io.StringIO()
        csv.writer(module, lineterminator="\n").writerows(
            [list(map(cells, row)) for row in [header, *itertools.chain(*chunks)]]
        )
        assert ours.getvalue() == module.getvalue()


def _module_row(row: list[Any]) -> str:
    """A row as the ``csv`` module writes it with ``\\n`` line ends, a cell holding a
    carriage return quoted (as Python 3.13 does, not 3.11)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(row)
    return out.getvalue()[:-2] + "\n"


class _Pipe(io.TextIOBase):
    """A text file written as a pipe is: it cannot seek back."""

    def __init__(self, target: IO[str]) -> None:
        self.target = target

    def write(self, text: str) -> int:
        return self.target.write(text)

    def seekable(self) -> bool:
        return False


def test_profiles_whose_cells_hold_the_separator_stay_apart() -> None:
    profile = asnmerit.files.stream._profile_key([0, 1], typed=False)
    plain = [("a", "b"), ("a", "c"), ("a", "b")]
    keys, _ = asnmerit.files.stream._lookup(profile, plain, {}, set(), texts=2)
    assert keys == ["a\x1fb", "a\x1fc", "a\x1fb"]  # joined
    odd = [("a\x1f", "b"), ("a", "\x1fb"), ("a\x1f", "b")]  # joined, the first two alike
    keys, _ = asnmerit.files.stream._lookup(profile, odd, {}, set(), texts=2)
    assert keys == odd


def test_typed_cells_of_one_value_and_another_type_are_other_profiles() -> None:
    key = asnmerit.files.stream._profile_key([0, 1], typed=True)
    cells = [True, 1, 1.0, Decimal("1"), Decimal("1.0"), "1", -0.0, 0.0]
    assert len({key([c, "x"]) for c in cells}) == len(cells)
    assert key([1, "x"]) == key([1, "x"]) and key([1, "x"]) != key([1, "y"])


def test_many_rows_sharing_one_nip_cost_memory_in_proportion(tmp_path: Path) -> None:
    """40,000 rows of one NIP: every row is refused naming ten others and how many more,
    in memory that grows with the rows (it grew with their square: a MemoryError)."""
    record = {**pelaksana(), "nip": "197604212005112001"}
    rows = [record] * 40_000
    results = evaluate_records(IP, rows)
    assert not any(r.ok for r in results)
    assert "(also in rows 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 and 39,989 more)" in str(results[0].error)
    assert "(also in rows 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 and 39,989 more)" in str(results[-1].error)
    found = duplicates(IP, rows)
    assert len({id(rows) for pairs in found.values() for _, rows in pairs}) == 1
