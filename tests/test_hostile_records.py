"""Record files that cannot be read at all: each refused with :class:`RecordsError` and a
message that says where and what, in bounded time; never a traceback of another kind."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

import asnmerit
from asnmerit.errors import RECORDS_CODES, RecordsError
from asnmerit.files.records import read_records

CASES: dict[str, tuple[str, bytes, str]] = {
    # name: (file name, bytes, a part of the message)
    "json-deeper-than-the-stack": (
        "in.json",
        b"[" * 200_000 + b"]" * 200_000,
        "JSON nested too deeply",
    ),
    "json-integer-of-100k-digits": ("in.json", b'[{"x": ' + b"9" * 100_000 + b"}]", "digits"),
    "json-not-utf8": (
        "in.json",
        '[{"a": "café '.encode() + b'\xff"}]',
        "line 1, column 14: byte 0xff",
    ),
    "json-empty": ("in.json", b"", "not valid JSON: Expecting value: line 1 column 1"),
    "json-object-not-list": ("in.json", b'{"a": 1}', "expected a list of records, got dict"),
    "json-list-of-numbers": ("in.json", b"[1, 2]", "row(s) 1, 2 are not records"),
    "json-duplicate-key": ("in.json", b'[{"a": 1, "a": 2}]', "duplicate key 'a'"),
    "csv-latin-1": ("in.csv", b"nama,pendidikan\nJos\xe9,S1\n", "line 2, column 4: byte 0xe9"),
    "csv-cell-over-128k": (
        "in.csv",
        b'nama,pendidikan\n"' + b"x" * 300_000 + b'",S1\n',
        "line 2: a field longer than 131072 characters",
    ),
    "csv-duplicate-column": ("in.csv", b"nama,nama\nA,B\n", "duplicate column(s) nama"),
    "yaml-deep": ("in.yaml", b"- " + b"[" * 10_000 + b"]" * 10_000 + b"\n", "yaml.too-deep"),
    "yaml-alias-bomb": (
        "in.yaml",
        b"a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        + b"".join(
            f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]\n".encode()
            for i in range(12)
        )
        + b"rows: []\n",
        "yaml.",
    ),
    "yaml-python-tag": ("in.yaml", b"- !!python/object/apply:os.system [ls]\n", "yaml.tag"),
    "unknown-extension": ("in.ods", b"PK\x03\x04", "unknown record format .ods (save it as .xlsx)"),
    "xlsx-not-a-zip": ("in.xlsx", b"PK\x03\x04", "not a readable Excel .xlsx file"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_unreadable_records_are_refused_clearly(case: str, tmp_path: Path) -> None:
    name, raw, expected = CASES[case]
    path = tmp_path / name
    path.write_bytes(raw)
    start = time.perf_counter()
    try:
        read_records(path)
    except RecordsError as err:
        message = str(err)
    except Exception as exc:  # anything else escaping is the bug this test is for
        pytest.fail(f"{type(exc).__name__} escaped instead of RecordsError: {exc!r}")
    else:
        pytest.fail(f"{case} was read without error")
    elapsed = time.perf_counter() - start
    assert str(path) in message and expected in message, message
    assert elapsed < 5, f"{case}: {elapsed:.2f} s"


def test_a_missing_file_is_refused_clearly(tmp_path: Path) -> None:
    with pytest.raises(RecordsError, match="No such file"):
        read_records(tmp_path / "absent.csv")


# -- the hostile records corpus: every case in a child process, under a memory cap ------------

CORPUS = Path(__file__).parent / "corpus" / "records"
CAP = 2 << 30  # the address space of the child: 2 GiB
LIMIT = 60  # seconds

RUN = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, ({cap}, {cap}))
for name in {block!r}:
    sys.modules[name] = None  # as if not installed
from asnmerit.cli import main
sys.exit(main(sys.argv[1:]))
"""


def _cases() -> dict[str, dict[str, Any]]:
    from asnmerit.spec.parse import parse_yaml

    doc, problems = parse_yaml((CORPUS / "cases.yaml").read_bytes(), "cases.yaml")
    assert doc is not None and not problems
    cases: dict[str, dict[str, Any]] = doc.data
    return cases


def _made(kind: str, folder: Path) -> Path:
    """The file of a generated case."""
    import openpyxl
    import pyarrow as pa
    import pyarrow.parquet as pq

    if kind == "cell":
        path = folder / "cell.csv"
        path.write_bytes(b'nama,pendidikan\n"' + b"x" * 300_000 + b'",S1\n')
    elif kind == "wide":
        path = folder / "wide.csv"
        path.write_text(",".join(f"k{i}" for i in range(100_000)) + "\n", encoding="utf-8")
    elif kind == "strings-bomb":
        path = folder / "bomb.xlsx"
        book = openpyxl.Workbook()
        book.active.append(["nama"])
        book.active.append(["x"])
        book.save(path)
        _bloat_shared_strings(path, 200 << 20)
    elif kind in ("workbook", "empty-workbook"):
        path = folder / "book.xlsx"
        book = openpyxl.Workbook()
        if kind == "workbook":
            book.active.append(["nip", "pendidikan"])
        book.save(path)
    elif kind in ("parquet-long-cell", "parquet-wide-texts"):
        path = folder / "bomb.parquet"
        text = "x" * (1_000_000 if kind == "parquet-long-cell" else 100_000)
        indices = pa.array([0] * 20_000, pa.int32())
        column = pa.DictionaryArray.from_arrays(indices, pa.array([text]))
        pq.write_table(pa.table({"nama": column}), path)
    elif kind == "alias-bomb":
        path = folder / "bomb.yaml"
        big = "x" * 100_000
        lines = [f"- {{nama: &a {big}}}\n", *["- {nama: *a}\n"] * 30_000]
        path.write_text("".join(lines), encoding="utf-8")
    elif kind == "sparse-yaml":
        path = folder / "big.yaml"
        with open(path, "wb") as fh:
            fh.truncate(3 << 30)  # sparse: no disk used
    elif kind == "long-name":
        path = folder / "long.csv"
        path.write_text(f"nip,nama\n197604212005112001,{'x' * 40_000}\n", encoding="utf-8")
    elif kind == "folder":
        path = folder / "folder.csv"
        path.mkdir()
    else:
        assert kind == "missing"
        path = folder / "nowhere.csv"
    return path


def _bloat_shared_strings(path: Path, size: int) -> None:
    """Rewrite the shared strings of a workbook as one text of ``size`` characters (a part
    that compresses a thousand times over)."""
    import zipfile

    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    body = b"x" * size
    parts["xl/sharedStrings.xml"] = (
        b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main" count="2" uniqueCount="2"><si><t>nama</t></si><si><t>'
        + body
        + b"</t></si></sst>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)


@pytest.mark.slow
@pytest.mark.parametrize("case", list(_cases()))
def test_every_hostile_records_file_is_refused_cleanly_under_a_memory_cap(
    case: str, tmp_path: Path
) -> None:
    spec = _cases()[case]
    path = CORPUS / spec["file"] if "file" in spec else _made(spec["made"], tmp_path)
    code = RUN.format(cap=CAP, block=list(spec.get("block", [])))
    output = tmp_path / spec.get("output", "o.csv")
    args = ["evaluate", "ip-asn", str(path), *spec.get("args", []), "-o", str(output)]
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=LIMIT
    )
    took = time.perf_counter() - start
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == spec.get("exit", 2), done.stderr
    assert f"[{spec['code']}]" in done.stderr, done.stderr
    assert not output.exists()
    assert took < LIMIT


def test_every_records_code_has_a_case_and_every_raised_code_is_known() -> None:
    cases = {spec["code"] for spec in _cases().values()}
    assert set(RECORDS_CODES) == cases
    src = Path(asnmerit.__file__).parent
    raised = {
        m.group(1)
        for f in src.rglob("*.py")
        for m in re.finditer(r'code="((?:records|output)\.[a-z-]+)"', f.read_text(encoding="utf-8"))
    }
    assert raised <= set(RECORDS_CODES), raised - set(RECORDS_CODES)
    documented = (src.parents[1] / "docs" / "errors.md").read_text(encoding="utf-8")
    assert [c for c in RECORDS_CODES if f"`{c}`" not in documented] == []
