"""The corpus of broken and hostile criteria files (tests/corpus/criteria).

Each corpus file opens with ``# expect: CODE LINE:COL`` lines (the first one is the first
problem the loader must report, the others must be among the reported problems) and a
``# why:`` line. Cases that cannot be committed as plain text (a file over the size
limit, bytes that are not UTF-8, a byte-order mark, control characters) are generated
here into ``tmp_path``. Every case must be refused with :class:`asnmerit.CriteriaError`
and nothing else, and the hostile ones in bounded time and memory.
"""

from __future__ import annotations

import itertools
import os
import re
import time
import tracemalloc
from pathlib import Path

import pytest

import asnmerit
from asnmerit import CriteriaError, Problem

pytestmark = pytest.mark.usefixtures("each_yaml_parser")

CORPUS = Path(__file__).parent / "corpus" / "criteria"
FILES = sorted(CORPUS.glob("*.yaml"))
NAME = re.compile(r"^[0-9]{2}-[a-z0-9]+(?:-[a-z0-9]+)*\.yaml$")
EXPECT = re.compile(r"^# expect: (?P<code>[a-z]+\.[a-z-]+) (?P<line>[0-9]+):(?P<col>[0-9]+)$")
WHY = re.compile(r"^# why: \S")

Triple = tuple[str, int, int]

# A tiny valid scheme: every corpus file is this with one defect (or a hostile addition).
BASE = b"""\
spec: 1
id: demo
version: "1"
title: {id: Demo}
subject: employee
valid_from: 2020-01-01
inputs:
  pendidikan:
    type: enum
    label: {id: Pendidikan}
    values:
      S1: {label: {id: Sarjana}}
      SLTA: {label: {id: SLTA}}
  seminar:
    type: boolean
    label: {id: Seminar}
score:
  id: total
  label: {id: Total}
  max: 10
  sum:
    of:
      - id: kualifikasi
        label: {id: Kualifikasi}
        lookup: {input: pendidikan, points: {S1: 5, SLTA: 2}}
      - id: seminar_pts
        label: {id: Seminar}
        lookup: {input: seminar, points: {true: 5, false: 0}}
bands:
  policy: upper_bounds
  table:
    - {code: rendah, label: {id: Rendah}, range: [null, 5]}
    - {code: tinggi, label: {id: Tinggi}, range: [6, 10]}
"""


def _bomb(levels: int) -> bytes:
    """Billion laughs: ``levels`` lists of ten aliases each to the previous one."""
    names = [f"l{i}" for i in range(levels + 1)]
    lines = [f"{names[0]}: &{names[0]} [" + ", ".join(["lol"] * 10) + "]"]
    for prev, cur in itertools.pairwise(names):
        lines.append(f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 10) + "]")
    return ("\n".join(lines) + "\n").encode()


def _replace(old: bytes, new: bytes) -> bytes:
    assert BASE.count(old) == 1
    return BASE.replace(old, new)


# id -> (the file's bytes, expected problems). Positions as in BASE (no header lines).
GENERATED: dict[str, tuple[bytes, list[Triple]]] = {
    # One byte over the 2 MiB limit; refused before any parsing.
    "too-large": (BASE + b"#" + b"x" * (2 * 1024 * 1024) + b"\n", [("yaml.too-large", 1, 1)]),
    "bom": (b"\xef\xbb\xbf" + BASE, [("yaml.bom", 1, 1)]),
    # Latin-1 text: 0xe9 (e acute) starts a 3-byte sequence that '}' does not continue.
    "latin-1": (_replace(b"{id: Demo}", b"{id: Caf\xe9}"), [("yaml.encoding", 4, 16)]),
    # Columns count characters: multi-byte UTF-8 before the bad byte must not shift them.
    "not-utf8-after-multibyte-line": (
        _replace(b"{id: Demo}", "{id: Café}".encode()).replace(b"Sarjana", b"Sarj\xe1na"),
        [("yaml.encoding", 12, 28)],
    ),
    "not-utf8-after-multibyte-same-line": (
        _replace(b"{id: Demo}", "{id: Café ".encode() + b"\xff}"),
        [("yaml.encoding", 4, 18)],
    ),
    "control-character": (_replace(b"{id: Demo}", b"{id: De\x07mo}"), [("yaml.syntax", 4, 15)]),
    "nul-byte": (_replace(b"{id: Demo}", b"{id: De\x00mo}"), [("yaml.syntax", 4, 15)]),
    # 100000 nested lists: the 64th bracket is the 65th level (the root mapping is the 1st).
    "deep-100k": (
        b"x: " + b"[" * 100_000 + b"]" * 100_000 + b"\n",
        [("yaml.too-deep", 1, 3 + 64)],
    ),
    # 20 levels: 10^21 values once expanded; l5 is the first list past 50000 values.
    "alias-bomb-10e21": (_bomb(20), [("yaml.too-many-nodes", 5, 25)]),
    # A plain list of 60000 numbers (180 kB): no alias, just more values than any scheme has.
    "flat-60k": (
        b"a: [" + b", ".join([b"1"] * 60_000) + b"]\n",
        [("yaml.too-many-nodes", 1, 149_999)],
    ),
}

# The hostile cases whose cost is measured: corpus files and generated ones.
HOSTILE = [
    "01-alias-bomb.yaml",
    "03-too-deep.yaml",
    "too-large",
    "deep-100k",
    "alias-bomb-10e21",
    "flat-60k",
]
MAX_SECONDS = 5.0
MAX_PEAK_BYTES = 50 * 1024 * 1024
# Measured on one AMD EPYC core, Python 3.11.7, PyYAML 6.0.3 (time without tracemalloc,
# peak with it), with libyaml's parser / with the pure-Python one:
#   01-alias-bomb.yaml   0.001 s / 0.007 s   peak 0.0 MB  (stops at the first *e, nothing expanded)
#   03-too-deep.yaml     0.001 s / 0.008 s   peak 0.1 MB
#   too-large            0.001 s / 0.002 s   peak 2.1 MB  (size taken from the file system;
#                                                          only 2 MiB + 1 bytes are read)
#   deep-100k            0.003 s / 0.27 s    peak 1.4 MB
#   alias-bomb-10e21     0.000 s / 0.002 s   peak 0.0 MB  (aliases are shared, never expanded)
#   flat-60k             0.43 s  / 1.1-1.6 s peak 12 MB   (stops at the 50001st value)


def expectations(path: Path) -> list[Triple]:
    """The ``# expect:`` lines of a corpus file's leading comment block."""
    found = []
    for line in path.read_text("utf-8").splitlines():
        if not line.startswith("#"):
            break
        m = EXPECT.match(line)
        if m:
            found.append((m["code"], int(m["line"]), int(m["col"])))
    return found


def rejection(path: Path) -> list[Problem]:
    """The problems ``asnmerit.load`` reports; fail if it loads or raises anything else."""
    try:
        asnmerit.load(path)
    except CriteriaError as err:
        return list(err.problems)
    except Exception as exc:  # anything but CriteriaError escaping is a bug of its own
        pytest.fail(f"{type(exc).__name__} escaped instead of CriteriaError: {exc!r}")
    pytest.fail(f"{path.name} loaded without error")


def assert_rejected(path: Path, expected: list[Triple]) -> list[Problem]:
    assert expected, "a case without expectations checks nothing"
    problems = rejection(path)
    got = [(p.code, p.line, p.column) for p in problems]
    shown = "\n".join(str(p) for p in problems)
    assert got[0] == expected[0], f"first problem is not {expected[0]}:\n{shown}"
    missing = [e for e in expected if e not in got]
    assert not missing, f"missing {missing} among:\n{shown}"
    code, line, col = expected[0]
    assert str(problems[0]).startswith(f"{os.fspath(path)}:{line}:{col} {code} ")
    assert all(p.source == os.fspath(path) and p.message for p in problems)
    return problems


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_corpus_file_is_rejected(path: Path) -> None:
    assert_rejected(path, expectations(path))


@pytest.mark.parametrize("case", list(GENERATED))
def test_generated_case_is_rejected(case: str, tmp_path: Path) -> None:
    raw, expected = GENERATED[case]
    path = tmp_path / f"{case}.yaml"
    path.write_bytes(raw)
    assert_rejected(path, expected)


def _path_of(case: str, tmp_path: Path) -> Path:
    if case in GENERATED:
        path = tmp_path / f"{case}.yaml"
        path.write_bytes(GENERATED[case][0])
        return path
    return CORPUS / case


@pytest.mark.parametrize("case", HOSTILE)
def test_hostile_case_is_bounded(case: str, tmp_path: Path) -> None:
    path = _path_of(case, tmp_path)
    start = time.perf_counter()
    problems = rejection(path)  # timed without tracemalloc, which slows Python down
    elapsed = time.perf_counter() - start
    was_tracing = tracemalloc.is_tracing()
    if was_tracing:
        tracemalloc.reset_peak()
    else:
        tracemalloc.start()
    try:
        again = rejection(path)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        if not was_tracing:
            tracemalloc.stop()
    assert [p.code for p in again] == [p.code for p in problems]
    assert problems[0].code.startswith("yaml.")
    assert elapsed < MAX_SECONDS, f"{case}: {elapsed:.3f} s"
    assert peak < MAX_PEAK_BYTES, f"{case}: peak {peak / 1e6:.1f} MB"


def test_base_scheme_is_valid(tmp_path: Path) -> None:
    """The corpus defects are the only defects: the scheme they start from loads."""
    path = tmp_path / "base.yaml"
    path.write_bytes(BASE)
    criteria = asnmerit.load(path)
    assert (criteria.score_min, criteria.score_max) == (2, 10)


def test_corpus_is_complete() -> None:
    assert len(FILES) >= 35
    numbers = [p.name[:2] for p in FILES]
    assert len(set(numbers)) == len(numbers), "two corpus files share a number"
    expected = {c for p in FILES for c, _l, _c in expectations(p)}
    expected |= {c for _raw, exp in GENERATED.values() for c, _l, _c in exp}
    required = {
        *("yaml.too-many-nodes", "yaml.alias", "yaml.too-deep", "yaml.too-large"),
        *("yaml.duplicate-key", "yaml.tag", "yaml.encoding", "yaml.bom", "yaml.syntax"),
        *("yaml.non-finite", "yaml.multiple-documents", "yaml.empty"),
        *("schema.type", "schema.unknown-key", "schema.required", "schema.form"),
        *("schema.enum", "bands.gap", "bands.overlap", "bands.coverage"),
        *("bands.duplicate-code", "weighted.weights-sum", "weighted.weight"),
        *("node.unknown-input", "node.unknown-code", "condition.unknown-code"),
        *("lookup.incomplete", "node.max-mismatch", "node.duplicate-id"),
        *("reference.unknown", "value.date", "header.dates", "condition.unordered"),
        *("example.unknown-input", "example.unknown-band"),
    }
    assert required <= expected, f"no case expects {sorted(required - expected)}"


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_corpus_file_states_its_expectations(path: Path) -> None:
    assert NAME.match(path.name), "name files NN-short-name.yaml"
    header = []
    for line in path.read_text("utf-8").splitlines():
        if not line.startswith("#"):
            break
        header.append(line)
    expect_lines = [line for line in header if line.startswith("# expect")]
    assert expect_lines, "a corpus file needs at least one '# expect: CODE LINE:COL' line"
    bad = [line for line in expect_lines if not EXPECT.match(line)]
    assert not bad, f"malformed expectation(s): {bad}"
    assert any(WHY.match(line) for line in header), "a corpus file says '# why: ...'"
