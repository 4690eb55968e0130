from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

import asnmerit
from asnmerit.model import Criteria

DATA = Path(__file__).parent / "data"

# Hypothesis profiles, chosen with HYPOTHESIS_PROFILE (see tests/README.md): "ci", the
# default, is the short run of every `make test`; "fuzz" is the long run of `make fuzz`.
# Both stay random (a failure prints the blob that replays it) and have no deadline: a
# first load of the JSON Schema validator takes longer than any later call.
_SLOW = [HealthCheck.too_slow, HealthCheck.data_too_large]
settings.register_profile("ci", deadline=None, print_blob=True, suppress_health_check=_SLOW)
settings.register_profile(
    "fuzz", max_examples=2_000, deadline=None, print_blob=True, suppress_health_check=_SLOW
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(params=["libyaml", "pure-python"])
def each_yaml_parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run a test with PyYAML's libyaml parser (when built with it) and its pure-Python one."""
    import yaml

    from asnmerit.spec import parse

    if request.param == "libyaml":
        if not yaml.__with_libyaml__:
            pytest.skip("PyYAML was built without libyaml")
        monkeypatch.setattr(parse, "_FAST", yaml.CSafeLoader)
    else:
        monkeypatch.setattr(parse, "_FAST", yaml.SafeLoader)


@pytest.fixture(scope="session")
def ip() -> Criteria:
    return asnmerit.get("ip-asn")


@pytest.fixture(scope="session")
def sink() -> Criteria:
    return asnmerit.load(DATA / "kitchen-sink.yaml")


def pelaksana(**changes: Any) -> dict[str, Any]:
    """A complete IP ASN record of a pelaksana (5 + 40 + 25 + 5 = 75), with changes."""
    record: dict[str, Any] = {
        "jenis_jabatan": "pelaksana",
        "pendidikan": "SLTA",
        "diklat_teknis_20jp": True,
        "seminar": True,
        "predikat_kinerja": "baik",
        "hukuman_disiplin": "tidak_ada",
    }
    record.update(changes)
    return record
