"""The safe YAML reader: core-schema resolution, exact numbers, positions, limits."""

from __future__ import annotations

from decimal import Decimal

import pytest

from asnmerit.spec.parse import Limits, format_path, parse_yaml

pytestmark = pytest.mark.usefixtures("each_yaml_parser")


def data(text: str) -> object:
    doc, problems = parse_yaml(text)
    assert problems == [] and doc is not None
    return doc.data


def codes(text: str | bytes, limits: Limits | None = None) -> list[str]:
    _doc, problems = parse_yaml(text, "x.yaml", limits)
    return [p.code for p in problems]


def test_yaml_1_1_surprises_stay_strings() -> None:
    parsed = data("a: no\nb: yes\nc: on\nd: off\ne: 2019-05-15\nf: 0x1F\ng: 1_000\nh: Y\n")
    assert parsed == {
        "a": "no",
        "b": "yes",
        "c": "on",
        "d": "off",
        "e": "2019-05-15",
        "f": "0x1F",
        "g": "1_000",
        "h": "Y",
    }


def test_core_scalars() -> None:
    parsed = data(
        "a: true\nb: False\nc: ~\nd:\ne: 12\nf: -3\ng: 22.5\nh: 1e3\ni: '12'\nj: \"true\"\nk: 007\n"
    )
    assert parsed == {
        "a": True,
        "b": False,
        "c": None,
        "d": None,
        "e": 12,
        "f": -3,
        "g": Decimal("22.5"),
        "h": Decimal("1E+3"),
        "i": "12",
        "j": "true",
        "k": 7,
    }


def test_decimals_are_exact() -> None:
    parsed = data("x: 0.1\ny: 0.2\n")
    assert isinstance(parsed, dict)
    assert parsed["x"] + parsed["y"] == Decimal("0.3")


def test_explicit_core_tags() -> None:
    assert data("a: !!str 12\nb: !!int '5'\nc: !!float 2\n") == {"a": "12", "b": 5, "c": Decimal(2)}
    assert codes("a: !!int x\n") == ["yaml.tag"]


def test_keys_are_raw_text() -> None:
    assert data("true: 1\n12: 2\nno: 3\n") == {"true": 1, "12": 2, "no": 3}


def test_anchors_and_aliases_are_shared_not_copied() -> None:
    parsed = data("a: &x {k: 1}\nb: *x\n")
    assert isinstance(parsed, dict)
    assert parsed["a"] == parsed["b"] == {"k": 1}
    assert parsed["a"] is parsed["b"]


def test_positions_of_values_and_keys() -> None:
    doc, _ = parse_yaml("top:\n  list:\n    - a\n    - {k: v}\n")
    assert doc is not None
    assert doc.position(("top", "list", 1, "k")) == (4, 11)
    assert doc.position(("top", "list", 1, "k"), key=True) == (4, 8)
    assert doc.position(("top", "list", 0)) == (3, 7)
    # An unknown path falls back to its nearest known ancestor.
    assert doc.position(("top", "list", 1, "missing", 3)) == (4, 7)


def test_format_path() -> None:
    assert format_path(("score", "sum", "of", 0, "lookup")) == "score.sum.of[0].lookup"
    assert format_path(()) == ""


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("a: .inf\n", "yaml.non-finite"),
        ("a: -.Inf\n", "yaml.non-finite"),
        ("a: .NaN\n", "yaml.non-finite"),
        ("a: !!python/object:os.system x\n", "yaml.tag"),
        ("a: !!binary aGVsbG8=\n", "yaml.tag"),
        ("a: !!timestamp 2019-01-01\n", "yaml.tag"),
        ("a: !custom x\n", "yaml.tag"),
        ("!!set {a, b}\n", "yaml.tag"),
        ("? [a, b]\n: 1\n", "yaml.key"),
        ("a: *nowhere\n", "yaml.alias"),
        ("a: 1\n---\nb: 2\n", "yaml.multiple-documents"),
        ("", "yaml.empty"),
        ("# only a comment\n", "yaml.empty"),
        ("a: [1, 2\n", "yaml.syntax"),
        ("a: b: c\n", "yaml.syntax"),
        ("a: \x07\n", "yaml.syntax"),
    ],
)
def test_refused(text: str, code: str) -> None:
    assert codes(text)[-1] == code


def test_duplicate_keys_reported_and_first_kept() -> None:
    doc, problems = parse_yaml("a: 1\nb:\n  c: 1\n  c: 2\na: 3\n", "d.yaml")
    assert doc is not None and doc.data == {"a": 1, "b": {"c": 1}}
    assert [(p.code, p.line, p.column) for p in problems] == [
        ("yaml.duplicate-key", 4, 3),
        ("yaml.duplicate-key", 5, 1),
    ]
    assert "first at line 3" in problems[0].message


def test_encoding_and_bom() -> None:
    assert codes(b"a: \xff\xfe\n") == ["yaml.encoding"]
    assert codes(b"\xef\xbb\xbfa: 1\n") == ["yaml.bom"]
    assert codes("\ufeffa: 1\n") == ["yaml.bom"]
    doc, problems = parse_yaml(b"a: 1\nb: caf\xc3\xa9\nc: \xc3(\n", "e.yaml")
    assert doc is None and (problems[0].line, problems[0].column) == (3, 4)


def test_limits() -> None:
    small = Limits(max_bytes=10, max_depth=3, max_nodes=5)
    assert codes("a: 123456789\n", small) == ["yaml.too-large"]
    assert codes("a: [[[1]]]\n", Limits(max_depth=3)) == ["yaml.too-deep"]
    assert codes("[1, 2, 3, 4, 5, 6]", Limits(max_nodes=5)) == ["yaml.too-many-nodes"]


def test_alias_bomb_is_stopped_by_counting_not_by_memory() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 10)]
    assert codes("\n".join(lines) + "\n") == ["yaml.too-many-nodes"]


def test_json_surrogate_pairs_are_joined_and_lone_ones_refused() -> None:
    assert data('{"a": "\\ud83d\\ude00", "\\ud83d\\ude01": 1}') == {
        "a": "\U0001f600",
        "\U0001f601": 1,
    }
    assert codes('{"a": "\\ud83d x"}') == ["yaml.encoding"]


@pytest.mark.parametrize(
    "text", ["a: 1" + "0" * 40, "a: 1e16", "a: 0.0000000000000001", "a: -1e99999"]
)
def test_numbers_must_be_bounded(text: str) -> None:
    assert codes(text + "\n") == ["value.number"]


SAMPLES = [
    "a: 1\nb: [x, {c: 2.5}]\n",
    '{"a": "\\ud83d\\ude00", "b": [1, 2.50, null, true]}',
    "a: &x {k: v}\nb: *x\nc: no\nd: 2019-05-15\n",
    "a: [1, 2\n",
    "a:\n\tb: 1\n",
    "a: 1\na: 2\n",
]


@pytest.mark.parametrize("text", SAMPLES)
def test_fast_parser_agrees_with_the_pure_one(text: str) -> None:
    fast, fast_problems = parse_yaml(text, "x.yaml")
    pure, pure_problems = parse_yaml(text, "x.yaml", fast=False)
    assert fast_problems == pure_problems
    if pure is None:
        assert fast is None
    else:
        assert fast is not None
        assert (fast.data, fast.positions, fast.key_positions) == (
            pure.data,
            pure.positions,
            pure.key_positions,
        )
