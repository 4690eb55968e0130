"""Record files that cannot be read at all: each refused with :class:`RecordsError` and a
message that says where and what, in bounded time; never a traceback of another kind."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from asnmerit.errors import RecordsError
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
        "line 2: field larger than field limit",
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
