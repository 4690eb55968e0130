"""The ``asnmerit`` command line: :func:`build_parser` (each verb adds its own arguments,
beside its ``cmd_`` function in :mod:`.schemes`, :mod:`.scoring`, :mod:`.subjects` and
:mod:`.verifying`) and :func:`main`. Exit codes: 0 ok, 1 findings or failures, 2 usage
error."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .._version import __version__
from ..errors import AsnmeritError, InputError, UsageError
from . import schemes, scoring, subjects, verifying
from .shared import FINDINGS, OK, USAGE


def build_parser() -> argparse.ArgumentParser:
    """The parser of ``asnmerit`` and its verbs."""
    parser = argparse.ArgumentParser(
        prog="asnmerit",
        description="Indonesian civil-service (ASN) instruments as cited data, scored exactly.",
    )
    parser.add_argument("--version", action="version", version=f"asnmerit {__version__}")
    verbs = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    # the order of the verbs in --help
    schemes._add_list(verbs)
    schemes._add_show(verbs)
    schemes._add_validate(verbs)
    schemes._add_test(verbs)
    scoring._add_evaluate(verbs)
    scoring._add_aggregate(verbs)
    scoring._add_rank(verbs)
    scoring._add_report(verbs)
    subjects._add_explain(verbs)
    subjects._add_what_if(verbs)
    schemes._add_schema(verbs)
    verifying._add_verify(verbs)
    verifying._add_conformance(verbs)
    scoring._add_demo(verbs)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        code: int = args.func(args)
        return code
    except UsageError as exc:
        print(f"asnmerit: error: {exc}", file=sys.stderr)
        return USAGE
    except InputError as exc:
        print("asnmerit: bad input:", file=sys.stderr)
        for issue in exc.issues:
            print(f"  {issue}", file=sys.stderr)
        return FINDINGS
    except AsnmeritError as exc:
        print(f"asnmerit: {exc}", file=sys.stderr)
        return FINDINGS
    except BrokenPipeError:  # e.g. piped into head
        return OK
