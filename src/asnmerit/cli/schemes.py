"""The verbs about schemes and criteria files: ``list``, ``show``, ``validate``, ``test``
and ``schema``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..analysis.examples import run_examples
from ..conformance.corpus import cases_schema, index_schema
from ..errors import CriteriaError, UsageError
from ..files.profile import profile_schema
from ..present.show import describe_criteria, render_criteria
from ..spec.loader import load
from ..spec.schema import criteria_schema, result_schema
from ..spec.versions import catalog
from .shared import FINDINGS, OK, Verbs, add_scheme, add_verb, criteria_paths, print_json, resolve


def _add_list(verbs: Verbs) -> None:
    p = add_verb(verbs, "list", "list the bundled schemes and their versions")
    p.set_defaults(func=cmd_list)


def cmd_list(args: argparse.Namespace) -> int:
    rows = catalog()
    if args.json:
        print_json(
            [
                {
                    "id": s.id,
                    "version": s.version,
                    "title": s.title.get(args.lang),
                    "valid_from": s.valid_from.isoformat(),
                    "valid_to": s.valid_to.isoformat() if s.valid_to else None,
                }
                for s in rows
            ]
        )
        return OK
    for s in rows:
        until = s.valid_to.isoformat() if s.valid_to else "..."
        print(f"{s.id:<16} {s.version:<8} {s.valid_from} .. {until:<10}  {s.title.get(args.lang)}")
    return OK


def _add_show(verbs: Verbs) -> None:
    p = add_verb(
        verbs, "show", "show a scheme: inputs, score tree with maxima, basis, confidence, bands"
    )
    add_scheme(p)
    p.set_defaults(func=cmd_show)


def cmd_show(args: argparse.Namespace) -> int:
    criteria = resolve(args.scheme, args.as_of)
    if args.json:
        print_json(describe_criteria(criteria, args.lang))
    else:
        print(render_criteria(criteria, args.lang))
    return OK


def _add_validate(verbs: Verbs) -> None:
    p = add_verb(
        verbs,
        "validate",
        "check criteria files (folders are searched for criteria files)",
        lang=False,
    )
    p.add_argument("paths", nargs="+", metavar="PATH")
    _add_allow_base(p)
    p.set_defaults(func=cmd_validate)


def _add_allow_base(p: argparse.ArgumentParser) -> None:
    """``--allow-base DIR``, repeatable: a folder whose files bases may come from, besides
    the folder of the file that names them (see ``bases=`` of :func:`~asnmerit.load`)."""
    p.add_argument(
        "--allow-base",
        action="append",
        default=[],
        metavar="DIR",
        help="also allow bases ('extends: {path: ...}') from the tree of DIR (repeatable)",
    )


def _bases(args: argparse.Namespace) -> list[str]:
    """The folders ``--allow-base`` names, and the folders named as paths (the files in a
    folder given to check may build on each other); one that is no folder is a usage
    error."""
    for folder in args.allow_base:
        if not Path(folder).is_dir():
            raise UsageError(f"--allow-base {folder}: no such folder")
    return [*args.allow_base, *(p for p in args.paths if Path(p).is_dir())]


def cmd_validate(args: argparse.Namespace) -> int:
    report = []
    bases = _bases(args)
    for path in criteria_paths(args.paths):
        try:
            c = load(path, bases=bases)
            report.append(
                {
                    "file": str(path),
                    "ok": True,
                    "scheme": c.id,
                    "version": c.version,
                    "problems": [],
                }
            )
        except CriteriaError as err:
            report.append(
                {
                    "file": str(path),
                    "ok": False,
                    "problems": [
                        {
                            "code": p.code,
                            "line": p.line,
                            "column": p.column,
                            "path": p.path,
                            "message": p.message,
                        }
                        for p in err.problems
                    ],
                }
            )
            if not args.json:
                for p in err.problems:
                    print(p)
    bad = sum(not r["ok"] for r in report)
    if args.json:
        print_json(report)
    else:
        print(f"{len(report) - bad} valid, {bad} invalid")
    return FINDINGS if bad or not report else OK


def _add_test(verbs: Verbs) -> None:
    p = add_verb(verbs, "test", "run the examples inside criteria files", lang=False)
    p.add_argument("paths", nargs="+", metavar="PATH")
    _add_allow_base(p)
    p.set_defaults(func=cmd_test)


def cmd_test(args: argparse.Namespace) -> int:
    passed = failed = 0
    out: list[dict[str, Any]] = []
    bases = _bases(args)
    for path in criteria_paths(args.paths):
        try:
            criteria = load(path, bases=bases)
        except CriteriaError as err:
            failed += 1
            out.append(
                {
                    "file": str(path),
                    "example": None,
                    "passed": False,
                    "failures": [str(p) for p in err.problems],
                }
            )
            continue
        for result in run_examples(criteria):
            passed += result.passed
            failed += not result.passed
            out.append(
                {
                    "file": str(path),
                    "example": result.example,
                    "passed": result.passed,
                    "failures": list(result.failures),
                }
            )
    if args.json:
        print_json(out)
    else:
        for r in out:
            if not r["passed"]:
                name = f"{r['file']}::{r['example']}" if r["example"] else r["file"]
                print(f"FAIL {name}")
                for f in r["failures"]:
                    print(f"     {f}")
        print(f"examples: {passed} passed, {failed} failed")
    return FINDINGS if failed or not out else OK


def _add_schema(verbs: Verbs) -> None:
    p = add_verb(
        verbs,
        "schema",
        "print a JSON Schema: of criteria files, of one scheme's subject record, of a result, "
        "of a reading profile, or of a conformance corpus's index or cases files",
        json=False,
        lang=False,
    )
    p.add_argument(
        "what",
        choices=(
            "criteria",
            "input",
            "result",
            "profile",
            "conformance-index",
            "conformance-cases",
        ),
    )
    p.add_argument("scheme", nargs="?", help="for 'input': the scheme id or file")
    p.add_argument("--as-of", metavar="DATE", help="the version in force on DATE (YYYY-MM-DD)")
    p.set_defaults(func=cmd_schema)


def cmd_schema(args: argparse.Namespace) -> int:
    if args.what == "criteria":
        print_json(criteria_schema())
        return OK
    if args.what == "result":
        print_json(result_schema())
        return OK
    if args.what == "profile":
        print_json(profile_schema())
        return OK
    if args.what.startswith("conformance-"):
        print_json(index_schema() if args.what == "conformance-index" else cases_schema())
        return OK
    if not args.scheme:
        raise UsageError(
            "asnmerit schema input needs a scheme id or file, e.g. asnmerit schema input ip-asn"
        )
    print_json(resolve(args.scheme, args.as_of).input_schema())
    return OK
