"""The trace format ``asnmerit.result/1`` and its shipped JSON Schema: every result the
bundled examples give (and the award categories, derived inputs and extended schemes among
them) fits it, and the schema refuses what is not a trace."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

import asnmerit
from asnmerit.cli import main
from asnmerit.spec.bundled import criteria_files

from .helpers import DATA


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = asnmerit.result_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def traces() -> list[tuple[str, dict[str, object]]]:
    out = []
    for path in [*criteria_files(), DATA / "award.yaml", DATA / "kitchen-sink.yaml"]:
        criteria = asnmerit.load(path)
        for example in criteria.examples:
            records = (
                [example.inputs]
                if example.inputs is not None
                else list((example.subjects or {}).values())
            )
            for record in records:
                ev = asnmerit.evaluate(criteria, record)
                out.append((f"{criteria.id}/{example.id}", json.loads(json.dumps(ev.to_dict()))))
    return out


def test_every_bundled_result_fits_the_schema(validator: jsonschema.Draft202012Validator) -> None:
    found = traces()
    assert len(found) > 200
    for name, trace in found:
        errors = [e.message for e in validator.iter_errors(trace)]
        assert errors == [], name
    kinds = {
        "categories": any(t["categories"] for _, t in found),
        "unassessed": any(None in t["categories"].values() for _, t in found),  # type: ignore[attr-defined]
        "derived": any(t["derived"] for _, t in found),
        "extends": any(t["extends"] for _, t in found),
    }
    assert kinds == dict.fromkeys(kinds, True)


def test_the_schema_refuses_what_is_not_a_trace(validator: jsonschema.Draft202012Validator) -> None:
    trace = traces()[0][1]
    assert validator.is_valid(trace)
    for broken in (
        {**trace, "score": 75.0},  # a float, not exact text
        {**trace, "format": "asnmerit.result/2"},
        {**trace, "digest": "md5:abc"},
        {k: v for k, v in trace.items() if k != "components"},
        {**trace, "surprise": 1},
    ):
        assert not validator.is_valid(broken)


def test_cli_prints_the_result_schema(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["schema", "result"]) == 0
    assert json.loads(capsys.readouterr().out)["$id"] == "urn:asnmerit:schema:result:1"
