"""What asnmerit writes is safe to open: no CSV cell starts a spreadsheet formula (unless
asked), an Excel cell is never a formula nor cut short, an output never overwrites an
input or another output, and ``/dev/null`` is an output like any other."""

from __future__ import annotations

import contextlib
import csv
import io
import os
import re
import stat
import threading
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from asnmerit.cli import main
from asnmerit.cli.demo import COLUMNS, synthetic_agency
from asnmerit.errors import RecordsError, UsageError
from asnmerit.files.atomic import atomic_binary_writer, check_outputs, write_atomic
from asnmerit.files.tables import EXCEL_CELL, table_writer, to_csv

HOSTILE = [
    '=HYPERLINK("http://x")',
    "+cmd|'/c calc'!A0",
    "@SUM(1)",
    "-2+3",
    "\tx",
    "\rx",
]
"""Identifier cells a spreadsheet would take for a formula (or a formula's start)."""

HEADER = '=1+HYPERLINK("http://x")'


def _write(path: Path, rows: list[list[str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:  # "\r" quoted, as in any Python
        csv.writer(fh, lineterminator="\n", quoting=csv.QUOTE_ALL).writerows(rows)
    return path


def _read(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def _hostile_input(path: Path, extra: bool = False) -> Path:
    """Six agency rows, one hostile name each, the last with a refused value; ``extra``:
    a column headed by a formula (every row refused for it)."""
    records = synthetic_agency(n=len(HOSTILE), seed=5)
    for record, name in zip(records, HOSTILE, strict=True):
        record["nama"] = name
    records[-1]["pendidikan"] = "S9"
    head = [*COLUMNS, HEADER] if extra else COLUMNS
    return _write(path, [head, *([r[c] for c in COLUMNS] + ["v"] * extra for r in records)])


# -- CSV: formulas neutralised -----------------------------------------------------------------


def test_identifiers_that_start_a_formula_are_text_in_csv_output(tmp_path: Path) -> None:
    src = _hostile_input(tmp_path / "in.csv")
    out, errors = tmp_path / "out.csv", tmp_path / "errors.csv"
    with contextlib.redirect_stderr(io.StringIO()):
        assert main(["evaluate", "ip-asn", str(src), "-o", str(out), "--errors", str(errors)]) == 1
    rows = _read(out)
    nama = rows[0].index("nama")
    assert [r[nama] for r in rows[1:]] == ["'" + name for name in HOSTILE]
    problems = _read(errors)
    assert [r[problems[0].index("nama")] for r in problems[1:]] == ["'" + HOSTILE[-1]]


def test_no_output_cell_starts_a_formula_whatever_the_header(tmp_path: Path) -> None:
    """A column headed by a formula (which an error cell may quote at its start)."""
    src = _hostile_input(tmp_path / "in.csv", extra=True)
    out, errors = tmp_path / "out.csv", tmp_path / "errors.csv"
    with contextlib.redirect_stderr(io.StringIO()):
        assert main(["evaluate", "ip-asn", str(src), "-o", str(out), "--errors", str(errors)]) == 1
    cells = [c for row in [*_read(out), *_read(errors)] for c in row]
    formulas = [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert not [c for c in formulas if not re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", c)]
    assert {"'" + name for name in HOSTILE} <= set(cells)


@pytest.mark.parametrize(
    "cell",
    [0, -1, Decimal("-1.5"), -2.5, "-1.5", "-0", "-3", "1.50", "", None, "a=b", "'=x", " =x"],
)
def test_numbers_and_other_cells_are_written_as_they_are(cell: Any) -> None:
    written = to_csv([{"x": cell, "y": "z"}], ["x", "y"])
    assert written == to_csv([{"x": cell, "y": "z"}], ["x", "y"], safe=False)


@pytest.mark.parametrize(
    "cell",
    ["-1.5e3", "-", "--1", "-1.", "-.5", "- 1", "+1", "=1", "@a", "\t1", "\r1", "-1,5", "-\u0661"],
)
def test_text_that_starts_a_formula_gets_a_quote(cell: str) -> None:
    for safe, first in ((True, "'" + cell), (False, cell)):
        for written in (
            to_csv([{"x": cell, "y": "z"}], ["x", "y"], safe=safe),
            _cells([["1", "a"], [cell, "z"]], ["x", "y"], safe=safe),  # a chunk of texts
            _cells([[cell, 1]], ["x", "y"], safe=safe),  # a row that is not all text
        ):
            assert list(csv.reader(io.StringIO(written)))[-1][0] == first


def _cells(rows: list[list[Any]], columns: list[str], safe: bool) -> str:
    out = io.StringIO()
    writer = table_writer(out, "csv", columns, safe=safe)
    writer.writecells(rows)
    writer.close()
    return out.getvalue()


def test_the_header_is_neutralised_too() -> None:
    assert to_csv([], ["row", "=x", "-1"]) == "row,'=x,-1\n"
    assert _cells([], ["row", "+x"], safe=True) == "row,'+x\n"
    assert _cells([], ["row", "+x"], safe=False) == "row,+x\n"


def test_raw_output_keeps_every_cell() -> None:
    rows = [[str(n), name, "-1.5"] for n, name in enumerate(HOSTILE)]
    raw = _cells(rows, ["row", "nama", "score"], safe=False)
    assert list(csv.reader(io.StringIO(raw)))[1:] == rows


# -- Excel -------------------------------------------------------------------------------------


def test_a_formula_in_an_identifier_is_a_string_cell_in_excel(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    src = _hostile_input(tmp_path / "in.csv")
    out, errors = tmp_path / "out.xlsx", tmp_path / "errors.xlsx"
    with contextlib.redirect_stderr(io.StringIO()):
        assert main(["evaluate", "ip-asn", str(src), "-o", str(out), "--errors", str(errors)]) == 1
    for path, rows in ((out, len(HOSTILE)), (errors, 1)):
        sheet = openpyxl.load_workbook(path, data_only=False).active
        nama = [c.value for c in sheet[1]].index("nama") + 1
        cells = [sheet.cell(row=r, column=nama) for r in range(2, rows + 2)]
        # as they are, no quote (but XML reads a carriage return as a line feed)
        assert [c.value for c in cells] == [n.replace("\r", "\n") for n in HOSTILE[-rows:]]
        assert all(c.data_type == "s" for c in cells)


@pytest.mark.parametrize("cell", ["x" * (EXCEL_CELL + 1), "\U0001f600" * (EXCEL_CELL // 2 + 1)])
def test_an_excel_cell_is_never_cut_short(cell: str, tmp_path: Path) -> None:
    """Over 32,767 characters (UTF-16 units, as Excel counts them): refused, naming the
    row and the column, and nothing written."""
    pytest.importorskip("openpyxl")
    out = io.BytesIO()
    writer = table_writer(out, "xlsx", ["row", "nama"])
    writer.writecells([["1", "ok"]])
    with pytest.raises(RecordsError, match=r"row 2.*nama.*32,767"):
        writer.writecells([["2", cell]])
    writer.close()
    assert out.getvalue() == b""


def test_the_command_line_refuses_a_cell_excel_would_cut(tmp_path: Path) -> None:
    pytest.importorskip("openpyxl")
    records = synthetic_agency(n=3, seed=5)
    records[1]["nama"] = "x" * (EXCEL_CELL + 1)
    src = _write(tmp_path / "in.csv", [COLUMNS, *([r[c] for c in COLUMNS] for r in records)])
    out = tmp_path / "out.xlsx"
    out.write_bytes(b"old")
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        assert main(["evaluate", "ip-asn", str(src), "-o", str(out)]) == 2
    assert "row 2" in err.getvalue() and "nama" in err.getvalue()
    assert out.read_bytes() == b"old"


def test_a_cell_of_the_excel_limit_is_written_whole(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    cell = "x" * EXCEL_CELL
    path = tmp_path / "out.xlsx"
    with open(path, "wb") as fh:
        writer = table_writer(fh, "xlsx", ["row", "nama"])
        writer.writecells([["1", cell]])
        writer.close()
    assert openpyxl.load_workbook(path).active.cell(row=2, column=2).value == cell


# -- outputs: not an input, not each other, devices welcome -----------------------------------


def test_an_output_may_not_be_an_input(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("x\n")
    (tmp_path / "sub").mkdir()
    link = tmp_path / "link.csv"
    link.symlink_to(src)
    hard = tmp_path / "hard.csv"
    os.link(src, hard)
    for out in (src, tmp_path / "sub" / ".." / "in.csv", link, hard):
        with pytest.raises(UsageError, match="input"):
            check_outputs([src], [tmp_path / "out.csv", out])
    check_outputs([src, None], [tmp_path / "out.csv", None, "/dev/null"])


def test_two_outputs_may_not_be_one_file(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("x\n")
    out = tmp_path / "out.csv"
    with pytest.raises(UsageError, match="one file"):
        check_outputs([src], [out, tmp_path / "." / "out.csv"])  # neither exists yet
    out.write_text("old")
    with pytest.raises(UsageError, match="one file"):
        check_outputs([src], [out, out])
    check_outputs([src], ["/dev/null", "/dev/null"])  # a device is no file of its own
    check_outputs([src], [out, tmp_path / "errors.csv"])


@pytest.mark.skipif(not os.path.exists("/dev/null"), reason="no /dev/null")
def test_the_atomic_writers_write_to_a_device() -> None:
    write_atomic("/dev/null", "x")
    with atomic_binary_writer("/dev/null") as fh:
        fh.write(b"x")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes")
def test_the_atomic_writers_write_to_a_pipe(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    write_atomic(fifo, "through the pipe")
    reader.join(timeout=10)
    assert got == [b"through the pipe"] and stat.S_ISFIFO(fifo.stat().st_mode)


@pytest.mark.skipif(not os.path.exists("/dev/null"), reason="no /dev/null")
def test_evaluate_writes_to_dev_null(tmp_path: Path) -> None:
    src = _hostile_input(tmp_path / "in.csv")
    for fmt in ("csv", "xlsx", "json"):
        args = ["evaluate", "ip-asn", str(src), "-o", "/dev/null", "--errors", "/dev/null"]
        with contextlib.redirect_stderr(io.StringIO()):
            assert main([*args, "--format", fmt]) == 1


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
def test_a_device_that_fails_is_named() -> None:
    with pytest.raises(OSError, match="No space") as info:
        write_atomic("/dev/full", "x")
    assert info.value.filename == "/dev/full"


def test_a_failure_to_finish_names_the_file_not_a_temporary_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    target = tmp_path / "out.csv"
    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OSError, match="No space") as info:
        write_atomic(target, "x")
    assert info.value.filename == str(target) and info.value.errno == 28
    assert os.listdir(tmp_path) == []


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
def test_the_command_line_names_the_output_that_cannot_be_written(tmp_path: Path) -> None:
    src = _write(
        tmp_path / "in.csv",
        [COLUMNS, *([r[c] for c in COLUMNS] for r in synthetic_agency(n=400, seed=5))],
    )
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        assert main(["evaluate", "ip-asn", str(src), "-o", "/dev/full"]) == 2
    assert "cannot write /dev/full" in err.getvalue()
