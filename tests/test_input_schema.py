"""The generated JSON Schema of a subject record agrees with the evaluator."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
from hypothesis import given

import asnmerit
from asnmerit.model import Criteria

from .helpers import data_criteria, pelaksana
from .strategies import subjects

SINK = data_criteria("kitchen-sink.yaml")


def validator(criteria: Criteria) -> jsonschema.Draft202012Validator:
    schema = criteria.input_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def test_ip_asn_schema_shape(ip: Criteria) -> None:
    schema = ip.input_schema()
    assert schema["required"] == [
        "jenis_jabatan",
        "pendidikan",
        "diklat_teknis_20jp",
        "seminar",
        "predikat_kinerja",
        "hukuman_disiplin",
    ]
    assert schema["additionalProperties"] is False
    assert "S-1" in schema["properties"]["pendidikan"]["enum"]
    assert {"nip", "nama", "instansi", "unit_kerja", "status"} <= set(schema["properties"])
    rules = {
        r["if"]["properties"]["jenis_jabatan"]["enum"][0]: r["then"]["required"]
        for r in schema["allOf"]
    }
    assert rules == {"struktural": ["diklat_kepemimpinan"], "fungsional": ["diklat_fungsional"]}


def test_every_example_is_valid_under_the_schema(ip: Criteria, sink: Criteria) -> None:
    for criteria in (ip, sink):
        check = validator(criteria)
        for example in criteria.examples:
            if example.inputs is not None:
                check.validate(as_json(dict(example.inputs)))


@pytest.mark.parametrize(
    "record",
    [
        pelaksana(jenis_jabatan="struktural"),
        pelaksana(pendidikan="S4"),
        pelaksana(unknown=1),
        {k: v for k, v in pelaksana().items() if k != "seminar"},
    ],
    ids=["struktural-without-pim", "bad-code", "unknown-field", "missing-field"],
)
def test_schema_and_evaluator_reject_the_same_records(ip: Criteria, record: dict[str, Any]) -> None:
    assert list(validator(ip).iter_errors(record))
    with pytest.raises(asnmerit.InputError):
        asnmerit.evaluate(ip, record)


def test_numbers_dates_and_defaults(sink: Criteria) -> None:
    props = sink.input_schema()["properties"]
    assert props["nilai"] == {
        "title": "Mark",
        "description": "Nilai",
        "type": "number",
        "minimum": 0,
        "maximum": 100,
        "multipleOf": 0.5,
        "x-asnmerit-step": {"step": "0.5", "from": "0"},
    }
    assert props["tanggal"]["formatMinimum"] == "2020-01-01"
    assert props["tanggal"]["format"] == "date"
    assert props["unit"]["default"] == "pusat"
    assert "unit" not in sink.input_schema()["required"]


def as_json(record: dict[str, Any]) -> Any:
    """A record as it would arrive in JSON (numbers as floats, dates as text)."""
    return json.loads(
        json.dumps(record, default=lambda v: v.isoformat() if hasattr(v, "isoformat") else float(v))
    )


@given(subjects(SINK, canonical=True))
def test_random_valid_subjects_pass_the_schema(subject: dict[str, Any]) -> None:
    validator(SINK).validate(as_json(subject))
    assert asnmerit.evaluate(SINK, as_json(subject)).score == asnmerit.evaluate(SINK, subject).score


def test_an_identifier_with_a_format_gives_its_shape(ip: Criteria) -> None:
    props = ip.input_schema()["properties"]
    assert props["nip"]["x-asnmerit-format"] == "nip" and props["nip"]["x-asnmerit-unique"]
    assert "pattern" not in props["nama"] and "x-asnmerit-unique" not in props["nama"]
    check = validator(ip)
    for good in ("198609262015051001", "19860926 201505 1 001", 198609262015051001):
        check.validate(pelaksana(nip=good))
        asnmerit.evaluate(ip, pelaksana(nip=good))
    for bad in ("1986092620150510", "19860926/201505/1/001", 1.5):
        assert list(check.iter_errors(pelaksana(nip=bad)))
        with pytest.raises(asnmerit.InputError):
            asnmerit.evaluate(ip, pelaksana(nip=bad))
