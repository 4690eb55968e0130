"""Fuzzing: generated criteria, hostile subject records, mutated criteria files, and the
dump round trip (``loads(dumps(c)) == c``).

Whatever a criteria file or a subject record holds, asnmerit answers with a result or
with one of its own errors (:class:`asnmerit.AsnmeritError`), never with another
exception. The number of examples follows the Hypothesis profile (``ci`` by default,
``fuzz`` for a long run: see tests/README.md).
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import json
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import jsonschema
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import asnmerit
from asnmerit import AsnmeritError, CriteriaError, InputError, ScoreOutOfRangeError
from asnmerit._values import identifier_key
from asnmerit.errors import DumpError
from asnmerit.model import Criteria
from asnmerit.spec import parse
from asnmerit.spec.bundled import criteria_files
from asnmerit.spec.dumper import dump, dumps, to_yaml
from asnmerit.spec.parse import parse_yaml
from asnmerit.spec.source import digest

from .helpers import DATA, criteria_file
from .strategies import (
    CODES,
    POLICIES,
    TEXTS,
    criteria_cases,
    criteria_data,
    identifier_values,
    junk,
    nips,
    subjects,
)

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = criteria_files()
FILES = [
    *BUNDLED,
    *sorted(DATA.glob("*.yaml")),
    *sorted((ROOT / "docs" / "examples").glob("*.yaml")),
]
IDS = [str(p.relative_to(ROOT)) for p in FILES]
PATHS = {str(p.relative_to(ROOT)): p for p in FILES}
SCHEMES = [str(p.relative_to(ROOT)) for p in BUNDLED]
TEXT = {str(p.relative_to(ROOT)): p.read_bytes() for p in FILES}
SOURCES = {str(ROOT / name): raw for name, raw in TEXT.items()}
PARSERS = {"libyaml": getattr(yaml, "CSafeLoader", yaml.SafeLoader), "pure-python": yaml.SafeLoader}
CODE = re.compile(r"^[a-z]+\.[a-z]+(?:-[a-z]+)*$")
RESULT = jsonschema.Draft202012Validator(asnmerit.result_schema())


def loaded(name: str) -> Criteria:
    """The criteria of ``FILES`` named ``name`` (relative to the repository), loaded once."""
    return criteria_file(PATHS[name])


SLOW = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]


def examples(share: float) -> settings:
    """``share`` of the profile's examples (at least 10), for tests that cost more."""
    return settings(
        max_examples=max(10, int(settings.default.max_examples * share)),
        suppress_health_check=SLOW,
    )


def generated(data: dict[str, Any]) -> Criteria:
    """Load generated criteria data through its YAML text: any problem is a generator bug
    (or a loader bug), reported with the text."""
    text = to_yaml(data)
    try:
        return asnmerit.loads(text)
    except CriteriaError as err:
        pytest.fail(f"generated criteria do not load:\n{err}\n{text}")


def assert_round_trip(c: Criteria) -> None:
    """``dumps`` gives a file that reads back equal, with the same digest, and dumps to
    the same text again."""
    text = dumps(c)
    back = asnmerit.loads(text)
    assert back.digest == c.digest
    assert back == attrs.evolve(c, extends=None)
    assert dumps(back) == text


# -- generated criteria ------------------------------------------------------------------


@pytest.mark.slow
@examples(0.5)
@given(criteria_cases())
def test_generated_criteria_load_with_the_range_they_were_built_for(case: Any) -> None:
    c = generated(case.data)
    assert (c.score_min, c.score_max) == case.score_range
    assert c.digest == digest(case.data)  # the YAML text held exactly the data


@pytest.mark.slow
@examples(0.5)
@given(data=st.data())
def test_generated_criteria_score_valid_subjects(data: st.DataObject) -> None:
    c = generated(data.draw(criteria_data(), label="criteria"))
    for _ in range(3):
        subject = data.draw(subjects(c), label="subject")
        policy = data.draw(st.sampled_from([None, *POLICIES]), label="band policy")
        ev = asnmerit.evaluate(c, subject, band_policy=policy)
        assert c.score_min <= ev.score <= c.score_max
        assert ev.band in c.bands.table
        assert ev.band == c.band_for(ev.score, policy)
        for comp in ev.components.children:
            node = c.node(comp.id)
            assert node.bounds[0] <= comp.points <= node.bounds[1]
        for category, comp in ev.categories.items():
            if comp is not None:
                node = c.award.category(category).score if c.award else None
                assert node is not None and node.bounds[0] <= comp.points <= node.bounds[1]
        RESULT.validate(json.loads(json.dumps(ev.to_dict())))
        assert ev.explain("en")


@pytest.mark.slow
@examples(0.5)
@given(criteria_data())
def test_generated_criteria_round_trip(data: dict[str, Any]) -> None:
    assert_round_trip(generated(data))


# -- hostile subject records --------------------------------------------------------------

HASHABLE_JUNK = st.one_of(
    st.text(max_size=8),
    st.integers(),
    st.none(),
    st.booleans(),
    st.binary(max_size=4),
    st.just(Decimal("NaN")),
    st.floats(),
    st.tuples(st.integers()),
    st.frozensets(st.integers(), max_size=2),
)


def junk_records(c: Criteria) -> st.SearchStrategy[Any]:
    """Records that are not mappings, and valid records with junk values, unknown fields
    (of any hashable type) and fields left out."""
    fields = sorted({*c.fields, *c.identifiers})

    def mix(
        record: dict[Any, Any], bad: dict[Any, Any], extra: dict[Any, Any], drop: set[Any]
    ) -> dict[Any, Any]:
        return {k: v for k, v in {**record, **bad, **extra}.items() if k not in drop}

    return junk() | st.builds(
        mix,
        subjects(c),
        st.dictionaries(st.sampled_from(fields), junk(), max_size=3),
        st.dictionaries(HASHABLE_JUNK, junk(), max_size=2),
        st.sets(st.sampled_from(fields), max_size=2),
    )


def assert_only_own_errors(c: Criteria, record: Any) -> None:
    """Evaluating ``record`` gives a result, or an InputError that says what is wrong
    (any other exception fails the test with its traceback)."""
    try:
        ev = asnmerit.evaluate(c, record)
    except InputError as err:
        error = err
    else:
        assert c.score_min <= ev.score <= c.score_max
        ev.to_dict()
        ev.explain()
        return
    assert error.issues and str(error)
    assert all(isinstance(i.field, str) and i.expected and i.got for i in error.issues)


@pytest.mark.slow
@pytest.mark.parametrize("name", list(SCHEMES))
@examples(0.3)
@given(data=st.data())
def test_junk_records_raise_only_input_errors(name: str, data: st.DataObject) -> None:
    c = loaded(name)
    assert_only_own_errors(c, data.draw(junk_records(c)))


@pytest.mark.slow
@examples(0.5)
@given(data=st.data())
def test_junk_records_for_generated_criteria(data: st.DataObject) -> None:
    c = generated(data.draw(criteria_data(), label="criteria"))
    for _ in range(3):
        assert_only_own_errors(c, data.draw(junk_records(c), label="record"))


@examples(0.5)
@given(value=junk(), policy=st.sampled_from([None, *POLICIES]))
def test_band_for_junk_raises_score_out_of_range(value: Any, policy: str | None) -> None:
    c = loaded("tests/data/kitchen-sink.yaml")
    try:
        band = c.band_for(value, policy)  # type: ignore[arg-type]
    except ScoreOutOfRangeError:
        return
    assert band in c.bands.table


# -- the round trip -------------------------------------------------------------------------


@pytest.mark.parametrize("name", IDS)
def test_criteria_files_round_trip(name: str) -> None:
    assert_round_trip(loaded(name))


def test_dump_writes_the_file(tmp_path: Path) -> None:
    c = loaded("tests/data/kitchen-sink.yaml")
    path = tmp_path / "sink.yaml"
    dump(c, path)
    assert asnmerit.load(path) == c
    head = path.read_text("utf-8").splitlines()[0]
    assert head == f"# kitchen-sink 1, written by asnmerit {asnmerit.__version__} ({c.digest})"


def test_an_extending_file_is_written_whole() -> None:
    # Found by test_criteria_files_round_trip: the digest of a file with extends counted
    # the inputs and references of the base that it dropped, so no file could give it.
    c = loaded("docs/examples/sistem-merit-questions.yaml")
    base = asnmerit.load(ROOT / "criteria/sistem-merit/2019.yaml")
    assert "pengembangan_karier" in base.inputs and "pengembangan_karier" not in c.inputs
    assert c.extends is not None
    back = asnmerit.loads(dumps(c))
    assert back.extends is None
    assert back.inputs == c.inputs and back.digest == c.digest
    assert back.document is not None and "extends" not in back.document.data


def test_criteria_built_by_hand_cannot_be_dumped() -> None:
    c = attrs.evolve(loaded("tests/data/falling.yaml"), document=None)
    with pytest.raises(DumpError, match="not loaded from a document"):
        dumps(c)
    assert issubclass(DumpError, AsnmeritError)


@pytest.mark.parametrize("name", list(SCHEMES))
def test_scenarios_round_trip(name: str) -> None:
    # Found failing for ip-asn, sistem-merit 2019 and bkn-award 2022: a scenario drops the
    # examples, and the references only they cited, but its digest still counted those.
    c = loaded(name)
    policy = "lower_bounds" if c.bands.policy != "lower_bounds" else "upper_bounds"
    scenario = asnmerit.whatif.with_overrides(c, {"bands.policy": policy})
    assert_round_trip(scenario)


def test_a_scenario_of_the_kitchen_sink_round_trips() -> None:
    c = loaded("tests/data/kitchen-sink.yaml")
    scenario = asnmerit.whatif.with_overrides(
        c, {"a.weighted.scale": 90, "a.max": 90, "total.max": 115}
    )
    assert scenario.score_max == 115
    assert_round_trip(scenario)


# -- the YAML the dump writes (regressions found while fuzzing) ------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "2",
        "01",
        "1.0",
        "1e3",
        "1E-2",
        ".5",
        "+1",
        "true",
        "True",
        "yes",
        "No",
        "on",
        "null",
        "~",
        "",
        ".inf",
        "-.Inf",
        ".nan",
        "0x1F",
        "1_000",
        "2019-05-15",
        "a: b",
        "- x",
        "#",
        "line\nline",
        "trailing \n",
        "\t",
        "\x85",
        "\u2028",
        "😀",
    ],
)
def test_texts_stay_texts(value: str) -> None:
    # "\x85" (next line) was found by test_generated_criteria_load_with_the_range_...:
    # PyYAML wrote it raw inside quotes and read it back as a space.
    data = {"key": value, value or "k": [value], "flow": {"a": value}}
    doc, problems = parse_yaml(to_yaml(data))
    assert not problems and doc is not None
    assert doc.data == data
    assert all(type(v) is str for v in (doc.data["key"], *doc.data[value or "k"]))


@pytest.mark.parametrize(
    "value", ["22.50", "1E+2", "0.000000000000001", "-0", "123456789012345.5", "1e-15", "5"]
)
def test_decimals_stay_exact_decimals(value: str) -> None:
    number = Decimal(value)
    text = to_yaml({"n": number})
    assert "e" not in text.lower().split(":", 1)[1]
    doc, problems = parse_yaml(text)
    assert not problems and doc is not None
    assert isinstance(doc.data["n"], Decimal) and doc.data["n"] == number


def test_dates_and_boolean_keys_are_written_plain() -> None:
    text = to_yaml(
        {"valid_from": dt.date(2020, 1, 2), "t": "2020-01-03", "points": {"true": 1, "false": 0}}
    )
    assert text == "valid_from: 2020-01-02\nt: 2020-01-03\npoints: {true: 1, false: 0}\n"


def test_a_version_with_a_line_break_stays_in_the_comment() -> None:
    base = loaded("tests/data/falling.yaml")
    c = asnmerit.whatif.with_overrides(base, {"version": "1\nspec: 2\u2028x"})
    text = dumps(c)
    head = text.split("\n", 1)[0]
    assert head.startswith(f"# {base.id} 1\\u000aspec: 2\\u2028x, written by"), head
    assert asnmerit.loads(text).version == "1\nspec: 2\u2028x"


def _plain_containers(kids: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.lists(kids, max_size=3) | st.dictionaries(st.text(), kids, max_size=3)


PLAIN_DATA = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**14), 10**14)
    | st.decimals(min_value=-(10**10), max_value=10**10, places=5, allow_nan=False)
    | st.text()
    | st.text(st.sampled_from(" a\n\t-:#'\"\\\x85\u2028\x00é"), max_size=200)
    | st.dates().map(dt.date.isoformat),
    _plain_containers,
    max_leaves=10,
)


@examples(1)
@given(st.dictionaries(st.text(), PLAIN_DATA, min_size=1))
def test_any_data_survives_the_yaml(data: dict[str, Any]) -> None:
    doc, problems = parse_yaml(to_yaml(data))
    assert not problems and doc is not None
    assert doc.data == data and digest(doc.data) == digest(data)


def test_a_key_spelt_like_the_readers_duplicate_marker_is_kept() -> None:
    # Found by test_any_data_survives_the_yaml: the reader marked the value of a duplicate
    # key by the key "\x00dup", so a real key "\x00dup" was silently dropped.
    doc, problems = parse_yaml('"\\0dup": 1\nb: 2\n')
    assert not problems and doc is not None and doc.data == {"\x00dup": 1, "b": 2}
    doc, problems = parse_yaml("a: 1\nb: [x]\na: {c: 2}\n")
    assert [(p.code, p.line) for p in problems] == [("yaml.duplicate-key", 3)]
    assert doc is not None and doc.data == {"a": 1, "b": ["x"]}
    assert doc.position(("a",)) == (1, 4) and doc.position(("b", 0)) == (2, 5)


def test_an_empty_value_at_the_end_is_placed_inside_the_text() -> None:
    # Found by test_yaml_shaped_text_raises_criteria_errors: "---" put its empty document
    # on line 2 of a one-line text.
    with pytest.raises(CriteriaError) as err:
        asnmerit.loads("---")
    assert [(p.code, p.line, p.column) for p in err.value.problems] == [("schema.type", 1, 4)]


REF_ROOT = """\
spec: 1
id: t
version: "1"
title: {id: T}
subject: employee
valid_from: 2020-01-01
inputs:
  x: {type: boolean, label: {id: X}}
rounding: {places: 0}
score:
  id: total
  label: {id: Total}
  lookup: {input: x, points: {true: 0, false: 0.5}}
bands:
  policy: lower_bounds
  table: [{code: a, label: {id: A}, range: [null, null]}]
award:
  id: a
  label: {id: A}
  categories:
    - {id: kat, label: {id: K}, score: {id: k, label: {id: K}, ref: total}}
"""


def test_a_ref_to_the_rounded_root_stays_within_its_max() -> None:
    # Found by test_generated_criteria_score_valid_subjects (a category's points were above
    # the bounds of its node: the root's unrounded bounds, 0 to 0.5).
    c = asnmerit.loads(REF_ROOT)
    ev = asnmerit.evaluate(c, {"x": False})
    comp = ev.categories["kat"]
    assert comp is not None and ev.score == 1
    assert comp.points <= comp.max and comp.max == c.award.category("kat").score.bounds[1]


# -- mutated criteria files ------------------------------------------------------------------

ODD_SCALARS = [
    "",
    "~",
    "null",
    "true",
    "no",
    "1e400",
    ".nan",
    "-.inf",
    "0x10",
    "1_000",
    "-1",
    "0",
    "9" * 40,
    "0.0000000000000001",
    "2019-02-30",
    "!!python/object:os.system",
    "!!binary aGk=",
    "!!str",
    "!!int x",
    "*x",
    "&a",
    "&a [1]",
    "[",
    "{",
    "]",
    "'",
    '"',
    "|",
    ">",
    "[1, 2]",
    "{a: 1}",
    "<<: *a",
    "? x",
    "- y",
    "%YAML 1.1",
    "---",
    "...",
    "\t",
    "\x00",
    "\ufeff",
    "é",
]


@st.composite
def mutated(draw: st.DrawFn, text: str) -> str:
    """``text`` after 1 to 4 random edits of its lines and characters."""
    lines = text.split("\n")
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(
            st.sampled_from(
                ["delete", "duplicate", "swap", "scalar", "insert", "indent", "truncate"]
            )
        )
        if op == "delete" and len(lines) > 1:
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "scalar":
            new = draw(st.sampled_from(ODD_SCALARS) | st.text(max_size=8) | CODES)
            head, sep, _old = lines[i].partition(": ")
            if not sep:
                head, sep, _old = lines[i].partition("- ")
            lines[i] = head + (sep or " ") + new
        elif op == "insert":
            at = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:at] + draw(st.text(min_size=1, max_size=4)) + lines[i][at:]
        elif op == "indent":
            lines[i] = draw(st.sampled_from(["", " ", "  ", "\t"])) + lines[i].lstrip(" ")
        else:
            joined = "\n".join(lines)
            lines = joined[: draw(st.integers(0, len(joined)))].split("\n")
    return "\n".join(lines)


def _yaml_lines(text: str) -> int:
    return 1 + sum(text.count(b) for b in ("\n", "\r", "\x85", "\u2028", "\u2029"))


def assert_loads_or_criteria_error(raw: str | bytes, source: str) -> None:
    """``asnmerit.loads`` gives criteria or a CriteriaError whose every problem has a
    code, a message, and a position inside the text when it has one."""
    try:
        asnmerit.loads(raw, source=source)
    except CriteriaError as err:
        problems = err.problems
    else:
        return
    assert problems
    for p in problems:
        assert CODE.match(p.code), p
        assert isinstance(p.message, str) and p.message.strip(), p
        if p.line is None:
            continue
        text = raw if p.source == source else SOURCES[p.source]  # a problem of a base file
        if isinstance(text, bytes):
            text = text.decode("utf-8", "replace")
        assert 1 <= p.line <= _yaml_lines(text), p
        assert p.column is not None and 1 <= p.column <= len(text) + 1, p


@pytest.mark.slow
@pytest.mark.parametrize("parser", list(PARSERS))
@examples(0.5)
@given(data=st.data())
def test_mutated_files_load_or_raise_criteria_errors(parser: str, data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(IDS), label="file")
    text = data.draw(mutated(TEXT[name].decode("utf-8")), label="text")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(parse, "_FAST", PARSERS[parser])
        assert_loads_or_criteria_error(text, str(ROOT / name))


@examples(0.5)
@given(data=st.data())
def test_files_with_random_bytes_inserted(data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(IDS), label="file")
    raw = TEXT[name]
    at = data.draw(st.integers(0, len(raw)))
    cut = data.draw(st.integers(at, min(len(raw), at + 8)))
    raw = raw[:at] + data.draw(st.binary(min_size=1, max_size=6)) + raw[cut:]
    assert_loads_or_criteria_error(raw, str(ROOT / name))


@examples(1)
@given(st.binary(max_size=200) | st.text(max_size=200))
def test_random_bytes_and_text_raise_criteria_errors(raw: bytes | str) -> None:
    assert_loads_or_criteria_error(raw, "<fuzz>")


YAMLISH = st.lists(
    st.sampled_from(
        [
            "spec: 1",
            "id: x",
            "inputs:",
            "  a:",
            "    type: enum",
            "score:",
            "- ",
            "  - {",
            "}",
            "[",
            "]",
            ": ",
            "&a",
            "*a",
            "!!str",
            "? ",
            "---",
            "\t",
            "#",
        ]
    )
    | st.text(max_size=6),
    max_size=12,
).map("\n".join)


@examples(1)
@given(YAMLISH)
def test_yaml_shaped_text_raises_criteria_errors(text: str) -> None:
    assert_loads_or_criteria_error(text, "<fuzz>")


# -- criteria data mutated ---------------------------------------------------------------------

Path_ = tuple[str | int, ...]


def _paths(data: Any, path: Path_ = ()) -> Iterator[Path_]:
    yield path
    if isinstance(data, dict):
        for k, v in data.items():
            yield from _paths(v, (*path, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _paths(v, (*path, i))


def _at(data: Any, path: Path_) -> Any:
    for part in path:
        data = data[part]
    return data


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.decimals(min_value=-(10**6), max_value=10**6, places=3, allow_nan=False),
    TEXTS,
    CODES,
    st.sampled_from(["2020-02-30", "2020-01-01", "enum", "sum", "lookup", "high_to_low", "x"]),
)


def _value_containers(kids: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.lists(kids, max_size=2) | st.dictionaries(TEXTS | CODES, kids, max_size=2)


VALUES = st.recursive(
    SCALARS,
    _value_containers,
    max_leaves=4,
)


def _band_ends(data: dict[str, Any]) -> list[tuple[list[Any], int]]:
    """The ends of the band ranges that are still a number or null: (range, index)."""
    bands = data.get("bands")
    table = bands.get("table") if isinstance(bands, dict) else None
    ranges = [r.get("range") for r in table or () if isinstance(r, dict)]
    return [
        (bounds, end)
        for bounds in ranges
        if isinstance(bounds, list)
        for end, v in enumerate(bounds)
        if v is None or (isinstance(v, int | Decimal) and not isinstance(v, bool))
    ]


@st.composite
def mutated_data(draw: st.DrawFn, data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with 1 to 3 changes: a value of another type, a key dropped, an unknown
    key, a band range moved."""
    data = copy.deepcopy(data)
    for _ in range(draw(st.integers(1, 3))):
        paths = list(_paths(data))
        op = draw(st.sampled_from(["replace", "drop", "add", "band"]))
        ends = _band_ends(data)
        if op == "band" and ends:
            bounds, end = draw(st.sampled_from(ends))
            old = bounds[end]
            bounds[end] = (
                draw(st.sampled_from([None, Decimal("0.5"), Decimal(-1), Decimal(1000)]))
                if old is None
                else old + draw(st.sampled_from([Decimal(1), Decimal("-0.01"), Decimal(-5)]))
            )
            continue
        path = draw(st.sampled_from(paths))
        target = _at(data, path)
        if op == "replace" and path:
            parent = _at(data, path[:-1])
            parent[path[-1]] = draw(VALUES)
        elif op == "drop" and isinstance(target, dict) and target:
            del target[draw(st.sampled_from(list(target)))]
        elif op == "add" and isinstance(target, dict):
            target[draw(TEXTS | CODES)] = draw(VALUES)
        elif isinstance(target, list) and target:
            del target[draw(st.integers(0, len(target) - 1))]
    return data


@functools.cache
def plain() -> dict[str, Any]:
    """The data of each file of ``FILES`` that extends none."""
    found = {n: loaded(n) for n in PATHS}
    return {n: c.document.data for n, c in found.items() if c.document and c.extends is None}


@pytest.mark.slow
@examples(0.5)
@given(data=st.data())
def test_mutated_data_loads_or_raises_criteria_errors(data: st.DataObject) -> None:
    if data.draw(st.booleans(), label="bundled"):
        source = plain()[data.draw(st.sampled_from(sorted(plain())), label="file")]
    else:
        source = data.draw(criteria_data(), label="generated")
    broken = data.draw(mutated_data(source), label="mutated")
    assert_loads_or_criteria_error(to_yaml(broken), "<mutated>")


@pytest.mark.slow
@examples(0.5)
@given(data=st.data())
def test_generated_batches_with_identifiers_lose_no_row_and_refuse_shared_values(
    data: st.DataObject,
) -> None:
    """Identifiers with a format and ``unique`` ones, in batches whose rows share values:
    every row comes out, in order; a row holding a unique value another row holds is
    refused; every other row gets what scoring it alone gives."""
    c = generated(data.draw(criteria_data(), label="criteria"))
    pools = {n: data.draw(st.lists(nips(), min_size=1, max_size=3)) for n in c.identifiers}
    records = []
    for _ in range(data.draw(st.integers(1, 12), label="rows")):
        record = data.draw(subjects(c), label="subject")
        for name, ident in c.identifiers.items():
            value = data.draw(identifier_values(ident, pools[name]), label=name)
            if value is not None:
                record[name] = value
        records.append(record)
    results = asnmerit.evaluate_records(c, records)
    assert [r.row for r in results] == list(range(1, len(records) + 1))
    for r, record in zip(results, records, strict=True):
        shared = any(
            ident.unique
            and identifier_key(ident, record.get(name)) is not None
            and sum(
                identifier_key(ident, o.get(name)) == identifier_key(ident, record.get(name))
                for o in records
            )
            > 1
            for name, ident in c.identifiers.items()
        )
        if shared:
            assert not r.ok and "a value used by one record only" in str(r.error)
            continue
        alone = _alone(c, record)
        if isinstance(alone, InputError):
            issues = {attrs.evolve(i, row=None) for i in r.error.issues}  # type: ignore[union-attr]
            assert not r.ok and set(alone.issues) <= issues
        else:
            assert r.ok and r.evaluation is not None and r.evaluation.score == alone.score


def _alone(c: Criteria, record: dict[str, Any]) -> Any:
    """The evaluation of ``record`` by itself, or the input error it raises."""
    try:
        return asnmerit.evaluate(c, record)
    except InputError as err:
        return err
