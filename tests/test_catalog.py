"""Bundled criteria: catalog, choosing a version by date, shipping inside the wheel."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import asnmerit
from asnmerit import SchemeNotFoundError
from asnmerit.spec.bundled import criteria_files

REPO = Path(__file__).resolve().parents[1]


def test_catalog_lists_every_bundled_file() -> None:
    entries = asnmerit.catalog()
    assert len(entries) == len(criteria_files()) >= 1
    ip = next(e for e in entries if e.id == "ip-asn")
    assert (ip.version, ip.valid_from, ip.valid_to) == ("2019", dt.date(2019, 5, 15), None)


def test_get_by_date() -> None:
    assert asnmerit.get("ip-asn").version == "2019"
    assert asnmerit.get("ip-asn", as_of="2019-05-15").version == "2019"
    assert asnmerit.get("ip-asn", as_of=dt.date(2026, 1, 1)).version == "2019"
    with pytest.raises(SchemeNotFoundError, match="in force on 2019-05-14"):
        asnmerit.get("ip-asn", as_of=dt.date(2019, 5, 14))
    with pytest.raises(
        SchemeNotFoundError, match=r"no bundled scheme 'ipasn'; bundled: (.*, )?ip-asn, "
    ):
        asnmerit.get("ipasn")


def test_each_bundled_file_is_in_a_folder_its_id_names() -> None:
    # get() loads only the files of those folders: a file elsewhere would not be found
    for entry in asnmerit.catalog():
        folder = Path(entry.path).parent.name
        assert entry.id == folder or entry.id.startswith(folder + "-"), entry.path
        found = asnmerit.get(entry.id, as_of=entry.valid_from)
        assert (found.id, found.valid_from) == (entry.id, entry.valid_from)


def test_get_returns_the_same_loaded_object() -> None:
    assert asnmerit.get("ip-asn") is asnmerit.get("ip-asn")


def test_every_bundled_file_validates_and_its_examples_pass() -> None:
    from asnmerit.analysis.examples import run_examples

    for path in criteria_files():
        criteria = asnmerit.load(path)
        assert criteria.examples, f"{path} ships no examples"
        assert all(r.passed for r in run_examples(criteria))


def test_bundled_files_cite_their_sources() -> None:
    for path in criteria_files():
        c = asnmerit.load(path)
        assert c.basis, f"{path} has no top-level basis"
        for node in (c.score, *c.score.children):
            assert node.provenance.basis, f"{path}: node {node.id} cites no basis"
        for ref in c.references.values():
            assert ref.title and (
                ref.url or ref.kind in ("regulation", "implementation", "official", "news")
            )


def test_wheel_ships_criteria_schema_and_sample(tmp_path: Path) -> None:
    """Build the real wheel, unpack it away from the checkout, and use it from there."""
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(REPO),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = tmp_path.glob("asnmerit-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        zf.extractall(tmp_path / "site")
    for needed in (
        "asnmerit/criteria/ip-asn/2019.yaml",
        "asnmerit/schemas/criteria-1.json",
        "asnmerit/data/demo-agency.csv",
        "asnmerit/py.typed",
    ):
        assert needed in names
    code = "import asnmerit; c = asnmerit.get('ip-asn'); print(c.source); print(asnmerit.criteria_schema()['$id'])"
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "site")}
    used = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        check=False,
    )
    assert used.returncode == 0, used.stderr
    source, schema_id = used.stdout.split()
    assert Path(source).is_relative_to(tmp_path / "site")
    assert schema_id == "urn:asnmerit:schema:criteria:1"
