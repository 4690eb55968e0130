"""The bundled criteria files: where they are, and which scheme version each holds.

The ``criteria/`` folder of the repository is shipped inside the wheel as
``asnmerit/criteria``; in a source checkout (an editable install) the folder beside
``src/`` is used. :func:`find_base` finds the file of a bundled scheme version that an
extending file names (``extends: {scheme: ip-asn, version: "2019"}``) from the files' own
headers, without building them: it sits below :mod:`~asnmerit.spec.loader`, which passes it to
:func:`~asnmerit.spec.extend.resolve`. Listing and choosing loaded versions is
:mod:`~asnmerit.spec.versions`'s.
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path

from ..errors import SchemeNotFoundError
from .extend import resolve
from .parse import Limits
from .source import parse_document, read_bytes


def criteria_dir() -> Path:
    """The folder holding the bundled criteria files."""
    shipped = resources.files("asnmerit").joinpath("criteria")
    if shipped.is_dir():
        return Path(str(shipped))
    checkout = Path(__file__).resolve().parents[3] / "criteria"
    if checkout.is_dir():
        return checkout
    raise SchemeNotFoundError("the bundled criteria folder is missing from this installation")


def bundled_roots() -> tuple[Path, ...]:
    """The bundled folder, if this installation has it: any criteria may extend its files by
    path (they are public; one bundled file extends another across scheme folders)."""
    try:
        return (criteria_dir(),)
    except SchemeNotFoundError:
        return ()


SUFFIXES = (".yaml", ".yml", ".json")


def criteria_files(root: Path | None = None) -> list[Path]:
    """Every criteria file (``.yaml``, ``.yml``, ``.json``) under ``root`` (default: the
    bundled folder), sorted."""
    root = root or criteria_dir()
    return sorted(p for p in root.rglob("*") if p.suffix.lower() in SUFFIXES and p.is_file())


def find_base(scheme: str, version: str) -> str:
    """The path of bundled ``scheme`` ``version``; :class:`LookupError` naming what is
    bundled when there is no such file."""
    index = _index()
    for scheme_id, scheme_version, _, path in index:
        if scheme_id == scheme and scheme_version == version:
            return path
    known = ", ".join(f"{i} {v}" for i, v, _, _ in index)
    raise LookupError(f"no bundled scheme {scheme} version {version} (bundled: {known})")


@functools.cache
def _index() -> tuple[tuple[str, str, str, str], ...]:
    """(id, version, valid from, path) of every bundled file, by id then date. An extending
    file's header is read merged onto its base's (its id may be its base's)."""
    limits = Limits()
    found = []
    for path in criteria_files():
        source = str(path)
        doc = parse_document(read_bytes(source, limits), source, limits)
        if "extends" in doc.data:
            doc = resolve(doc, limits, _bundled_by_path, roots=bundled_roots()).doc
        data = doc.data
        found.append((data["id"], str(data["version"]), str(data["valid_from"]), source))
    return tuple(sorted(found, key=lambda entry: (entry[0], entry[2])))


def _bundled_by_path(scheme: str, version: str) -> str:
    raise LookupError(
        f"a bundled file names its base {scheme} {version} by scheme: name it by path"
    )
