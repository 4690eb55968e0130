"""What the verbs of the command line share: exit codes, :class:`UsageError`, finding a
scheme or criteria files, reading records, printing JSON, and the arguments several verbs
take."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeAlias

from ..errors import RecordsError, SchemeNotFoundError, UsageError
from ..files.records import read_records
from ..model import BAND_POLICIES, Criteria
from ..spec.bundled import criteria_files
from ..spec.loader import load
from ..spec.versions import get

OK, FINDINGS, USAGE = 0, 1, 2

Verbs: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
"""The sub-parsers of ``asnmerit``, one per verb."""


def print_json(data: Any) -> None:
    """Print ``data`` as indented JSON."""
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def resolve(scheme: str, as_of: str | None = None) -> Criteria:
    """A scheme id of the bundled criteria, or the path of a criteria file."""
    path = Path(scheme)
    if is_file(scheme):
        if not path.is_file():
            raise UsageError(f"no such criteria file: {scheme}")
        if as_of is not None:
            raise UsageError("--as-of chooses among bundled versions; it does not apply to a file")
        return load(path)
    try:
        return get(scheme, as_of)
    except SchemeNotFoundError as exc:
        raise UsageError(str(exc)) from None
    except ValueError:
        raise UsageError(f"--as-of must be a date YYYY-MM-DD, got {as_of!r}") from None


def is_file(scheme: str) -> bool:
    """Whether ``scheme`` names a criteria file rather than a bundled scheme id."""
    path = Path(scheme)
    return path.suffix.lower() in (".yaml", ".yml", ".json") or path.is_file()


def criteria_paths(items: Sequence[str]) -> list[Path]:
    """The criteria files named, folders searched for them."""
    out: list[Path] = []
    for item in items:
        p = Path(item)
        if p.is_dir():
            out.extend(criteria_files(p))
        elif p.is_file():
            out.append(p)
        else:
            raise UsageError(f"no such file or folder: {item}")
    return out


def records(path: str) -> list[dict[str, Any]]:
    """The records of a file; a file that cannot be read is a usage error."""
    try:
        return read_records(path)
    except RecordsError as exc:
        raise UsageError(str(exc)) from None


def fields(items: Sequence[str]) -> list[str]:
    """Field names given repeatedly or comma-separated."""
    return [f.strip() for item in items for f in item.split(",") if f.strip()]


# -- arguments several verbs take -------------------------------------------------------------


def add_verb(
    verbs: Verbs, name: str, help: str, *, json: bool = True, lang: bool = True
) -> argparse.ArgumentParser:
    """A verb's parser, with ``--json`` and ``--lang`` unless told not to."""
    p = verbs.add_parser(name, help=help, description=help)
    if json:
        p.add_argument("--json", action="store_true", help="machine-readable output")
    if lang:
        p.add_argument(
            "--lang", choices=("id", "en"), default="id", help="language of labels (default id)"
        )
    return p


def add_scheme(p: argparse.ArgumentParser) -> None:
    """The scheme argument and ``--as-of``."""
    p.add_argument("scheme", help="a bundled scheme id (see 'asnmerit list') or a criteria file")
    p.add_argument("--as-of", metavar="DATE", help="the version in force on DATE (YYYY-MM-DD)")


def add_policy(p: argparse.ArgumentParser) -> None:
    """``--band-policy``."""
    p.add_argument(
        "--band-policy", choices=BAND_POLICIES, help="override the file's band boundary policy"
    )
