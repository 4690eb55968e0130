from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

from asnmerit.model import Criteria

from .helpers import data_criteria, scheme

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


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "slow: a test that takes long (large files, a terminal, a browser, a notebook, "
        'every scheme with every table library); `pytest -m "not slow"` leaves them out',
    )


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
    return scheme("ip-asn")


@pytest.fixture(scope="session")
def sink() -> Criteria:
    return data_criteria("kitchen-sink.yaml")
