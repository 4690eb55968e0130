"""The verbs that check computations: ``verify`` (stored results against the criteria)
and ``conformance`` (export a corpus, or check this implementation against one)."""

from __future__ import annotations

import argparse

from ..analysis.verification import read_results, results_versions, verify
from ..conformance.checking import check
from ..conformance.corpus import export
from ..conformance.vectors import PER_SCHEME
from ..errors import ConformanceError, ResultsError, UsageError
from ..spec.loader import load
from ..spec.versions import catalog
from .shared import FINDINGS, OK, Verbs, add_verb, is_file, print_json, resolve


def _add_verify(verbs: Verbs) -> None:
    p = add_verb(
        verbs,
        "verify",
        "recompute stored results (of 'asnmerit evaluate --format json', or result objects) "
        "with the criteria and report every one that differs",
        lang=False,
    )
    p.add_argument(
        "results",
        metavar="RESULTS",
        help="a JSON file: a list of rows or results, one result, or JSON Lines",
    )
    p.add_argument(
        "criteria",
        metavar="CRITERIA",
        help="a criteria file, or a bundled scheme id (default: the version the results name)",
    )
    p.add_argument("--as-of", metavar="DATE", help="the version in force on DATE (YYYY-MM-DD)")
    p.set_defaults(func=cmd_verify)


def cmd_verify(args: argparse.Namespace) -> int:
    try:
        items = read_results(args.results)
    except ResultsError as exc:
        raise UsageError(str(exc)) from None
    criteria = None
    if args.as_of is None and not is_file(args.criteria):
        # A bundled id: the version the results name, when they name one that is bundled.
        named = {v for s, v in results_versions(items) if s == args.criteria}
        paths = [i.path for i in catalog() if i.id == args.criteria and i.version in named]
        if len(named) == 1 and paths:
            criteria = load(paths[0])
    checked = verify(items, criteria or resolve(args.criteria, args.as_of))
    if args.json:
        print_json(checked.to_dict())
    else:
        print(checked.render())
    return OK if checked.ok else FINDINGS


def _add_conformance(verbs: Verbs) -> None:
    p = add_verb(
        verbs,
        "conformance",
        "export a conformance corpus of the bundled schemes (inputs and expected outputs as "
        "JSON), or check this implementation against one",
        json=False,
        lang=False,
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    text = "write every bundled scheme version with its cases into DIR"
    e = actions.add_parser("export", help=text, description=text)
    e.add_argument("directory", metavar="DIR", help="a new or empty folder, or an earlier corpus")
    e.add_argument(
        "--scheme",
        action="append",
        metavar="ID[@VERSION]",
        help="only this scheme (every version, or one) (repeatable; default: all)",
    )
    e.add_argument(
        "--random",
        type=int,
        default=PER_SCHEME,
        metavar="N",
        help=f"pseudo-random cases per scheme version (default {PER_SCHEME})",
    )
    e.add_argument(
        "--force", action="store_true", help="write into a folder that holds other files"
    )
    e.set_defaults(func=cmd_conformance_export)
    text = "run this implementation against the corpus in DIR and report every case that differs"
    k = actions.add_parser("check", help=text, description=text)
    k.add_argument("directory", metavar="DIR")
    k.add_argument("--json", action="store_true", help="machine-readable output")
    k.set_defaults(func=cmd_conformance_check)


def cmd_conformance_export(args: argparse.Namespace) -> int:
    if args.random < 0:
        raise UsageError(f"--random must be 0 or more, got {args.random}")
    try:
        index = export(args.directory, args.scheme, per_scheme=args.random, force=args.force)
    except ConformanceError as exc:
        raise UsageError(str(exc)) from None
    total = sum(n for s in index["schemes"] for n in s["counts"].values())
    print(f"{args.directory}: {len(index['schemes'])} scheme versions, {total} cases")
    return OK


def cmd_conformance_check(args: argparse.Namespace) -> int:
    try:
        report = check(args.directory)
    except ConformanceError as exc:
        raise UsageError(str(exc)) from None
    if args.json:
        print_json(report.to_dict())
    else:
        print(report.render())
    return OK if report.ok else FINDINGS
