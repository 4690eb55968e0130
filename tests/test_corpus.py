"""The corpus of broken and hostile criteria files (tests/corpus/criteria).

Each corpus file opens with ``# expect: CODE LINE:COL`` lines (the first one is the first
problem the loader must report, the others must be among the reported problems) and a
``# why:`` line. A problem located in another file (a base the case ``extends``, kept in
``criteria/bases/``, which holds no cases itself) is expected as ``CODE LINE:COL in
bases/NAME.yaml``; a problem without position (a file that cannot be read) leaves
``LINE:COL`` out. Cases that cannot be committed as plain text (a file over the size
limit, bytes that are not UTF-8, a byte-order mark, control characters, a path that is
no readable file) are generated here into ``tmp_path``. Every case must be refused with
:class:`asnmerit.CriteriaError` and nothing else, and the hostile ones in bounded time
and memory. Every problem code the loader can report is expected by at least one case.
"""

from __future__ import annotations

import ast
import itertools
import multiprocessing
import os
import re
import time
import tracemalloc
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from pathlib import Path
from typing import NamedTuple

import pytest

import asnmerit
from asnmerit import CriteriaError, Problem

pytestmark = pytest.mark.usefixtures("each_yaml_parser")

CORPUS = Path(__file__).parent / "corpus" / "criteria"
BASES = CORPUS / "bases"  # files that cases extend; not cases themselves
NAME = re.compile(r"^[0-9]{2,3}-[a-z0-9]+(?:-[a-z0-9]+)*\.yaml$")
FILES = sorted(CORPUS.glob("*.yaml"), key=lambda p: (len(p.name.split("-")[0]), p.name))
EXPECT = re.compile(
    r"^# expect: (?P<code>[a-z]+\.[a-z-]+)(?: (?P<line>[0-9]+):(?P<col>[0-9]+))?"
    r"(?: in (?P<file>bases/[a-z0-9-]+\.yaml))?$"
)
WHY = re.compile(r"^# why: \S")
SRC = Path(asnmerit.__file__).parent
CODE = re.compile(r"[a-z]+\.[a-z]+(?:-[a-z]+)*")


class Expected(NamedTuple):
    """A problem a case must report: its code and position (``None``: no position), in the
    case's own file or in ``file`` (relative to the case's folder)."""

    code: str
    line: int | None
    column: int | None
    file: str | None = None


Triple = tuple[str, int | None, int | None]

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


def _no_read_permission(path: Path) -> None:
    path.write_bytes(BASE)
    path.chmod(0)
    if os.access(path, os.R_OK):
        pytest.skip("file permissions do not stop this user (root) from reading")


# id -> (the file's bytes, or what makes the path; expected problems). Positions as in BASE.
GENERATED: dict[str, tuple[bytes | Callable[[Path], None], list[Triple]]] = {
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
    # A path that is no readable file: no position, the OS's reason as the message.
    "missing-file": (lambda path: None, [("file.unreadable", None, None)]),
    "directory": (lambda path: path.mkdir(), [("file.unreadable", None, None)]),
    "no-read-permission": (_no_read_permission, [("file.unreadable", None, None)]),
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


def expectations(path: Path) -> list[Expected]:
    """The ``# expect:`` lines of a corpus file's leading comment block."""
    found = []
    for line in path.read_text("utf-8").splitlines():
        if not line.startswith("#"):
            break
        m = EXPECT.match(line)
        if m:
            line_no, col = (int(m["line"]), int(m["col"])) if m["line"] else (None, None)
            found.append(Expected(m["code"], line_no, col, m["file"]))
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


def assert_rejected(
    path: Path, expected: Sequence[Expected], problems: list[Problem] | None = None
) -> list[Problem]:
    """Check the problems loading ``path`` reports (or ``problems``, when given)."""
    assert expected, "a case without expectations checks nothing"
    if problems is None:
        problems = rejection(path)

    def source(e: Expected) -> str:
        return os.fspath(path) if e.file is None else os.path.normpath(path.parent / e.file)

    got = [(p.code, p.line, p.column, p.source) for p in problems]
    want = [(e.code, e.line, e.column, source(e)) for e in expected]
    shown = "\n".join(str(p) for p in problems)
    assert got[0] == want[0], f"first problem is not {expected[0]}:\n{shown}"
    missing = [e for e, w in zip(expected, want, strict=True) if w not in got]
    assert not missing, f"missing {missing} among:\n{shown}"
    code, line, col, where = want[0]
    if line is not None:
        where += f":{line}:{col}"
    assert str(problems[0]).startswith(f"{where} {code} ")
    sources = {os.fspath(path), *(w[3] for w in want)}
    assert all(p.source in sources and p.message for p in problems)
    return problems


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_corpus_file_is_rejected(path: Path) -> None:
    assert_rejected(path, expectations(path))


@pytest.mark.parametrize("case", list(GENERATED))
def test_generated_case_is_rejected(case: str, tmp_path: Path) -> None:
    path = _path_of(case, tmp_path)
    assert_rejected(path, [Expected(*e) for e in GENERATED[case][1]])


def _path_of(case: str, tmp_path: Path) -> Path:
    if case in GENERATED:
        path = tmp_path / f"{case}.yaml"
        content = GENERATED[case][0]
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            content(path)
        return path
    return CORPUS / case


@pytest.mark.slow
@pytest.mark.parametrize("case", HOSTILE)
def test_hostile_case_is_bounded(case: str, tmp_path: Path) -> None:
    path = _path_of(case, tmp_path)
    start = time.process_time()  # CPU time: other tests on every core do not count
    problems = rejection(path)  # timed without tracemalloc, which slows Python down
    elapsed = time.process_time() - start
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


def _derive_ring(n: int) -> bytes:
    """BASE with ``n`` more inputs, each derived from the next and the last from the first."""
    ring = "".join(
        f"  d{i}: {{type: boolean, label: {{id: D}}, derive: {{when: "
        f"[{{if: {{input: d{(i + 1) % n}, is: true}}, value: true}}], otherwise: false}}}}\n"
        for i in range(n)
    )
    return _replace(b"  seminar:\n", ring.encode() + b"  seminar:\n")


def _fifo_base(path: Path) -> None:
    """A file whose base is a named pipe that no one writes to."""
    os.mkfifo(path.parent / "base.yaml")
    path.write_bytes(b"spec: 1\nextends: {path: base.yaml}\n")


# Hostile cases that could stall the loader, loaded in a child process stopped after
# MAX_SECONDS. id -> (the file's bytes or what makes it, expected problems, the BUG that
# still stalls it (the case is then an expected failure) or None once it is mended).
STALLING: dict[str, tuple[bytes | Callable[[Path], None], list[Expected], str | None]] = {
    # 2000 derived inputs in one cycle (240 kB, 25000 values): one derive.cycle at d0.
    # The cycle search once copied the chain at every step from every input, O(n^3): 40-45 s;
    # now it is linear (strongly connected components), and the load takes about 2 s.
    "derive-ring-2000": (_derive_ring(2000), [Expected("derive.cycle", 14, 39)], None),
    # A base that never ends: open() would wait for a writer forever. Bases must be
    # regular files, and that is checked before anything is opened.
    "fifo-base": (_fifo_base, [Expected("extends.path", 2, 17)], None),
}


def _send_problems(path: Path, send: Connection) -> None:
    try:
        asnmerit.load(path)
    except CriteriaError as err:
        send.send(list(err.problems))
    except Exception as exc:
        send.send(f"{type(exc).__name__} escaped instead of CriteriaError: {exc!r}")
    else:
        send.send(f"{path.name} loaded without error")


@pytest.mark.slow
@pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="needs fork to stop a load"
)
@pytest.mark.parametrize(
    "case",
    [
        pytest.param(c, marks=pytest.mark.xfail(strict=True, reason=f"BUG: {bug}")) if bug else c
        for c, (_m, _e, bug) in STALLING.items()
    ],
)
def test_stalling_case_is_refused_in_time(case: str, tmp_path: Path) -> None:
    content, expected, _bug = STALLING[case]
    path = tmp_path / f"{case}.yaml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        content(path)
    fork = multiprocessing.get_context("fork")  # the child keeps this test's YAML parser
    receive, send = fork.Pipe(duplex=False)
    child = fork.Process(target=_send_problems, args=(path, send), daemon=True)
    child.start()
    send.close()
    try:
        result = _answer_within(receive, child.pid, MAX_SECONDS)
    finally:
        child.kill()
        child.join()
    assert result is not None, f"{case}: not refused within {MAX_SECONDS} s of CPU time"
    assert isinstance(result, list), result
    assert_rejected(path, expected, result)


def _answer_within(receive: Connection, pid: int, seconds: float) -> object:
    """What the child at ``pid`` sends, or ``None`` when it has used ``seconds`` of CPU
    time without answering (wall-clock time where the system does not tell CPU time, and
    ten times ``seconds`` of wall-clock time at most): a loaded machine, other tests on
    every core, does not make a quick refusal look slow."""
    start = time.monotonic()
    while True:
        if receive.poll(0.05):
            return receive.recv()
        used = _cpu_seconds(pid)
        waited = time.monotonic() - start
        if (used if used is not None else waited) > seconds or waited > 10 * seconds:
            return None


def _cpu_seconds(pid: int) -> float | None:
    """The CPU time process ``pid`` has used (Linux's /proc), or ``None``."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_base_scheme_is_valid(tmp_path: Path) -> None:
    """The corpus defects are the only defects: the scheme they start from loads."""
    path = tmp_path / "base.yaml"
    path.write_bytes(BASE)
    criteria = asnmerit.load(path)
    assert (criteria.score_min, criteria.score_max) == (2, 10)


def test_corpus_is_complete() -> None:
    assert len(FILES) >= 35
    numbers = [p.name.split("-")[0] for p in FILES]
    assert len(set(numbers)) == len(numbers), "two corpus files share a number"
    expected = expected_codes()
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
        *("file.unreadable", "value.number", "schema.duplicate", "schema.pattern"),
        *("schema.range", "schema.invalid", "derive.cycle", "derive.default", "derive.value"),
        *("input.default", "input.field-alias", "name.reserved", "condition.form"),
        *("condition.alias", "mean.rounding", "mean.drop", "ref.scope", "ref.unknown-node"),
        *("node.rounding-stage", "weighted.normalize", "bands.step", "award.unknown-band"),
        *("award.unknown-field", "award.unknown-tie-breaker", "category.node-id"),
        *("stage.unknown-category", "aggregate.unknown-field", "example.form"),
        *("example.unknown-category", "example.unknown-component", "example.unknown-stage"),
        *("example.unknown-subject", "extends.base", "extends.cycle", "extends.depth"),
        *("extends.unknown", "extends.unknown-node"),
    }
    assert required <= expected, f"no case expects {sorted(required - expected)}"
    assert not any(p.is_relative_to(BASES) for p in FILES), "bases are not cases"


def test_every_base_is_extended_by_a_case() -> None:
    """Files in bases/ exist for the cases that extend them (directly or in a chain)."""
    texts = [p.read_text("utf-8") for p in [*FILES, *BASES.glob("*.yaml")]]
    named = {m for t in texts for m in re.findall(r"extends: \{path: (?:bases/)?([^}]+)\}", t)}
    assert {p.name for p in BASES.glob("*.yaml")} <= named


def expected_codes() -> set[str]:
    """Every code a corpus file or a generated case expects."""
    codes = {e.code for p in FILES for e in expectations(p)}
    return codes | {c for _raw, exp in GENERATED.values() for c, _l, _c in exp}


def loader_codes() -> set[str]:
    """Every problem code in the source of the modules that report problems (those that
    import ``Problem``): string constants shaped like a code, and f-strings such as
    ``f"{what}.unused"`` with ``what`` filled in from each call of their function."""
    codes: set[str] = set()
    for module in sorted(SRC.rglob("*.py")):
        tree = ast.parse(module.read_text("utf-8"))
        if not any(
            isinstance(n, ast.ImportFrom) and any(a.name == "Problem" for a in n.names)
            for n in ast.walk(tree)
        ):
            continue
        calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
        templates = [n for n in ast.walk(tree) if _template(n)]
        found = 0
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if CODE.fullmatch(node.value):
                    codes.add(node.value)
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                own = [n for n in _own_nodes(node) if _template(n)]
                found += len(own)
                codes |= {c for t in own for c in _expand(t, node, calls, module.name)}
        assert found == len(templates), f"{module.name}: a code f-string outside a function"
    return codes


def _template(node: ast.AST) -> ast.Name | None:
    """The variable of an f-string ``f"{variable}.suffix"`` shaped like a code."""
    if not (isinstance(node, ast.JoinedStr) and len(node.values) == 2):
        return None
    head, tail = node.values
    if (
        isinstance(head, ast.FormattedValue)
        and head.conversion == -1
        and isinstance(head.value, ast.Name)
        and isinstance(tail, ast.Constant)
        and isinstance(tail.value, str)
        and CODE.fullmatch(f"x{tail.value}")
    ):
        return head.value
    return None


def _own_nodes(func: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.AST]:
    """The nodes of ``func``'s body, without those of functions defined inside it."""
    out: list[ast.AST] = []
    todo: list[ast.AST] = list(func.body)
    while todo:
        node = todo.pop()
        out.append(node)
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            todo.extend(ast.iter_child_nodes(node))
    return out


def _expand(
    template: ast.AST,
    func: ast.FunctionDef | ast.AsyncFunctionDef,
    calls: list[ast.Call],
    module: str,
) -> set[str]:
    """The codes ``f"{param}.suffix"`` in ``func`` makes: one per literal ``param`` its
    callers pass. Anything but a literal fails the test: then list those codes by hand."""
    assert isinstance(template, ast.JoinedStr)
    variable, suffix = _template(template), template.values[1]
    assert variable is not None and isinstance(suffix, ast.Constant)
    assert isinstance(suffix.value, str)
    params = [a.arg for a in func.args.args]
    name = variable.id
    assert name in params, f"{module}: {func.name}() makes a code from {name}, not a parameter"
    index = params.index(name) - (1 if params[0] in ("self", "cls") else 0)
    families = []
    for call in calls:
        called = call.func.attr if isinstance(call.func, ast.Attribute) else None
        if isinstance(call.func, ast.Name):
            called = call.func.id
        if called != func.name:
            continue
        keywords = {k.arg: k.value for k in call.keywords}
        arg = call.args[index] if 0 <= index < len(call.args) else keywords.get(name)
        assert isinstance(arg, ast.Constant) and isinstance(arg.value, str), (
            f"{module}:{call.lineno}: {func.name}() gets a {name} that is not a literal text"
        )
        families.append(arg.value)
    assert families, f"{module}: {func.name}() makes codes but is never called"
    return {f"{family}{suffix.value}" for family in families}


# Codes the loader has but no file can trigger, each with the reason. None so far: keep
# this empty unless a code is provably unreachable from a file's content.
UNTRIGGERABLE: dict[str, str] = {}


def test_every_code_has_a_case() -> None:
    codes = loader_codes()
    # The scan finds the codes at all (the main families, and those made by f-strings).
    assert {"yaml.syntax", "schema.type", "extends.cycle", "file.unreadable"} <= codes
    assert {"lookup.incomplete", "switch.incomplete", "input.unused"} <= codes
    assert {"gate.duplicate-id", "example.duplicate-id", "reference.unused"} <= codes
    assert set(UNTRIGGERABLE) <= codes, "an exemption names no code of the loader"
    expected = expected_codes()
    assert not (set(UNTRIGGERABLE) & expected), "an exempted code has a case after all"
    assert expected <= codes, f"cases expect codes the loader lacks: {sorted(expected - codes)}"
    missing = codes - expected - set(UNTRIGGERABLE)
    assert not missing, f"no corpus file or generated case expects {sorted(missing)}"


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_corpus_file_states_its_expectations(path: Path) -> None:
    assert NAME.match(path.name), "name files NN-short-name.yaml (or NNN-)"
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
