"""What the verbs of the command line share: exit codes, :class:`UsageError`, finding a
scheme or criteria files, reading records, printing JSON, and the arguments several verbs
take."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeAlias

from ..errors import RecordsError, SchemeNotFoundError, UsageError
from ..files.profile import ReadingProfile, read_column_map, read_value_map, shipped_profiles
from ..files.records import Loaded, reading
from ..files.records import load as load_records
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
        elif p.exists():  # a file, or a pipe (read once)
            out.append(p)
        else:
            raise UsageError(f"no such file or folder: {item}")
    return out


def unreadable(exc: RecordsError) -> UsageError:
    """A records error as the command line reports it: its message and its code."""
    return UsageError(f"{exc} [{exc.code}]")


def add_reading(p: argparse.ArgumentParser) -> None:
    """The options that say how a records file is read (each overrides ``--profile``)."""
    g = p.add_argument_group(
        "reading the records file",
        "found from the file where not given; a profile (YAML) holds them all for one HR system",
    )
    g.add_argument(
        "--profile",
        metavar="FILE|NAME",
        help="a reading profile file, or a shipped one: " + ", ".join(shipped_profiles()),
    )
    g.add_argument(
        "--columns",
        metavar="FILE",
        help="a YAML or JSON file {header in the file: field name, or null to leave it out}",
    )
    g.add_argument(
        "--values",
        metavar="FILE",
        help="a YAML or JSON file {field: {spelling in the file: value}}",
    )
    g.add_argument(
        "--sheet", metavar="NAME|N", help="the sheet of an .xlsx file (default: the first visible)"
    )
    g.add_argument(
        "--header-row", type=int, metavar="N", help="the row or line of the header (default: found)"
    )
    g.add_argument("--encoding", help="the text encoding of a CSV file (default: UTF-8)")
    g.add_argument(
        "--delimiter",
        choices=(",", ";", "tab", "|"),
        help="the separator of a CSV file (default: found)",
    )
    g.add_argument(
        "--decimal", choices=(".", ","), help="the decimal mark of numbers written as text"
    )
    g.add_argument(
        "--strict-columns",
        action="store_true",
        help="refuse a file with a column that is not a field of the scheme",
    )


def reading_of(args: argparse.Namespace) -> ReadingProfile:
    """The reading options of ``args``; a profile or map that cannot be used is a usage
    error."""
    sheet = args.sheet
    try:
        return reading(
            args.profile,
            columns=read_column_map(args.columns) if args.columns else None,
            values=read_value_map(args.values) if args.values else None,
            sheet=sheet,  # a name first, else a position (see files.sheets)
            header_row=args.header_row,
            encoding=args.encoding,
            delimiter="\t" if args.delimiter == "tab" else args.delimiter,
            decimal=args.decimal,
            strict_columns=args.strict_columns,
        )
    except RecordsError as exc:
        raise unreadable(exc) from None


def records(args: argparse.Namespace, criteria: Criteria) -> list[dict[str, Any]]:
    """The records of ``args.file`` (see :func:`loaded`)."""
    return loaded(args, criteria).records


def loaded(args: argparse.Namespace, criteria: Criteria) -> Loaded:
    """The records of ``args.file`` read as ``args`` say, matched to ``criteria``; how the
    file was read and the columns left out go to standard error; a file that cannot be read
    is a usage error."""
    try:
        got = load_records(args.file, criteria, reading_of(args))
    except RecordsError as exc:
        raise unreadable(exc) from None
    report_reading(args.file, got.how, got.unread, criteria)
    return got


def report_reading(path: str, how: str, unread: Sequence[str], criteria: Criteria) -> None:
    """Say on standard error how ``path`` was read and which of its columns were not."""
    if how:
        print(f"read {path}: {how}", file=sys.stderr)
    if unread:
        print(
            f"not read (not fields of {criteria.id} {criteria.version}): {', '.join(unread)}",
            file=sys.stderr,
        )


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
