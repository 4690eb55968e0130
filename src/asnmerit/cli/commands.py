"""The ``asnmerit`` command line. Exit codes: 0 ok, 1 findings or failures, 2 usage error."""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from .. import _decimal as D
from ..analysis.aggregation import aggregate
from ..analysis.examples import run_examples
from ..analysis.ranking import rank
from ..analysis.verification import read_results, results_versions, verify
from ..conformance.corpus import PER_SCHEME, cases_schema, check, export, index_schema
from ..engine.batch import evaluate_records
from ..engine.evaluator import evaluate
from ..errors import (
    AsnmeritError,
    ConformanceError,
    CriteriaError,
    InputError,
    RecordsError,
    ResultsError,
    SchemeNotFoundError,
    WhatIfError,
)
from ..files.atomic import atomic_binary_writer, atomic_writer, write_atomic
from ..files.records import read_records
from ..files.stream import evaluate_file, read_column_map
from ..files.tables import BINARY, FORMATS, format_of, to_csv
from ..model import BAND_POLICIES, TIE_POLICIES, Criteria
from ..present.show import describe_criteria, render_criteria
from ..results import RowResult
from ..spec.bundled import criteria_files
from ..spec.catalog import catalog, get
from ..spec.load import load
from ..spec.schema import criteria_schema, result_schema
from ..whatif.nextband import Plan, next_band
from ..whatif.partial import Partial, evaluate_partial

OK, FINDINGS, USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad arguments: exit code 2."""


def _print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def resolve(scheme: str, as_of: str | None = None) -> Criteria:
    """A scheme id of the bundled criteria, or the path of a criteria file."""
    path = Path(scheme)
    if _is_file(scheme):
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


def _paths(items: Sequence[str]) -> list[Path]:
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


# -- commands ---------------------------------------------------------------------------------


def cmd_list(args: argparse.Namespace) -> int:
    rows = catalog()
    if args.json:
        _print_json(
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


def cmd_show(args: argparse.Namespace) -> int:
    criteria = resolve(args.scheme, args.as_of)
    if args.json:
        _print_json(describe_criteria(criteria, args.lang))
    else:
        print(render_criteria(criteria, args.lang))
    return OK


def cmd_validate(args: argparse.Namespace) -> int:
    report = []
    for path in _paths(args.paths):
        try:
            c = load(path)
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
        _print_json(report)
    else:
        print(f"{len(report) - bad} valid, {bad} invalid")
    return FINDINGS if bad or not report else OK


def cmd_test(args: argparse.Namespace) -> int:
    passed = failed = 0
    out: list[dict[str, Any]] = []
    for path in _paths(args.paths):
        try:
            criteria = load(path)
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
        _print_json(out)
    else:
        for r in out:
            if not r["passed"]:
                name = f"{r['file']}::{r['example']}" if r["example"] else r["file"]
                print(f"FAIL {name}")
                for f in r["failures"]:
                    print(f"     {f}")
        print(f"examples: {passed} passed, {failed} failed")
    return FINDINGS if failed or not out else OK


def cmd_evaluate(args: argparse.Namespace) -> int:
    criteria = resolve(args.scheme, args.as_of)
    fmt = args.format or format_of(args.output)
    if fmt in BINARY and not args.output:
        raise UsageError(f"--format {fmt} writes a binary file: give it with --output FILE")
    errors_fmt = format_of(args.errors)
    errors_fmt = errors_fmt if errors_fmt in BINARY else "csv"  # a table: CSV but by extension
    # What is loaded stays for the whole run: the collector need not look at it again each
    # time a chunk of rows is made (a third of the time of a large file otherwise); rows
    # and results make no cycles, so it looks at new objects less often too.
    gc.freeze()
    threshold = gc.get_threshold()
    gc.set_threshold(100_000, *threshold[1:])
    try:
        columns = read_column_map(args.columns) if args.columns else None
        with contextlib.ExitStack() as stack:
            out = _atomic(stack, args.output, fmt in BINARY) if args.output else sys.stdout
            errors = _atomic(stack, args.errors, errors_fmt in BINARY) if args.errors else None
            counts = evaluate_file(
                criteria,
                args.file,
                out,
                format=fmt,
                lang=args.lang,
                errors=errors,
                errors_format=errors_fmt,
                columns=columns,
                band_policy=args.band_policy,
                progress=None if args.quiet or not sys.stderr.isatty() else sys.stderr,
            )
    except RecordsError as exc:
        raise UsageError(str(exc)) from None
    except OSError as exc:
        raise UsageError(f"cannot write {exc.filename or ''}: {exc.strerror or exc}") from None
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()
    return _counted(counts.rows, counts.errors)


def _atomic(stack: contextlib.ExitStack[Any], path: str, binary: bool = False) -> IO[Any]:
    """A file that replaces ``path`` when ``stack`` closes without an error."""
    opener = atomic_binary_writer if binary else atomic_writer
    try:
        fh: IO[Any] = stack.enter_context(opener(path))
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
    return fh


def _scored(args: argparse.Namespace) -> tuple[Criteria, list[RowResult]]:
    """The scheme of ``args`` and every row of its records file, scored."""
    criteria = resolve(args.scheme, args.as_of)
    return criteria, evaluate_records(criteria, _records(args.file), band_policy=args.band_policy)


def _records(path: str) -> list[dict[str, Any]]:
    try:
        return read_records(path)
    except RecordsError as exc:
        raise UsageError(str(exc)) from None


def _emit(text: str, output: str | None, results: list[RowResult]) -> int:
    """Write ``text`` (atomically to ``output``, else to standard output), count the rows
    on standard error, and give the exit code: 1 when any row failed."""
    if output:
        try:
            write_atomic(output, text)
        except OSError as exc:
            raise UsageError(f"cannot write {output}: {exc.strerror or exc}") from None
    else:
        sys.stdout.write(text)
    return _counted(len(results), sum(not r.ok for r in results))


def _counted(rows: int, failed: int) -> int:
    """Count the rows on standard error; 1 when any row failed."""
    print(f"rows: {rows}, scored: {rows - failed}, errors: {failed}", file=sys.stderr)
    return FINDINGS if failed else OK


def cmd_aggregate(args: argparse.Namespace) -> int:
    criteria, results = _scored(args)
    by = _fields(args.by)
    try:
        agg = aggregate(results, by, criteria=criteria)
    except AsnmeritError as exc:
        raise UsageError(str(exc)) from None
    if args.json:
        text = json.dumps(agg.to_dict(), ensure_ascii=False, indent=2) + "\n"
    else:
        rows = agg.rows(args.lang)
        text = to_csv(rows, list(rows[0]) if rows else [*by, "count"])
    return _emit(text, args.output, results)


def _fields(items: Sequence[str]) -> list[str]:
    return [f.strip() for item in items for f in item.split(",") if f.strip()]


def cmd_rank(args: argparse.Namespace) -> int:
    criteria, results = _scored(args)
    try:
        ranking = rank(
            results,
            args.by,
            group_by=_fields(args.group_by) if args.group_by else None,
            ties=args.ties,
            top=args.top,
            min_band=args.min_band,
            criteria=criteria,
        )
    except AsnmeritError as exc:
        raise UsageError(str(exc)) from None
    if args.format == "json":
        text = json.dumps(ranking.to_dict(), ensure_ascii=False, indent=2) + "\n"
    elif args.format == "csv":
        rows = ranking.rows(args.lang)
        columns = list(dict.fromkeys(k for row in rows for k in row))  # every identifier seen
        text = to_csv(rows, columns or [*ranking.group_by, "rank"])
    else:
        text = ranking.render(args.lang) + "\n"
    return _emit(text, args.output, results)


def cmd_report(args: argparse.Namespace) -> int:
    from ..present.reports import report

    criteria, results = _scored(args)
    try:
        text = report(
            results,
            criteria,
            lang=args.lang,
            group_by=_fields(args.group_by) if args.group_by else None,
            title=args.title,
        )
    except AsnmeritError as exc:
        raise UsageError(str(exc)) from None
    return _emit(text, args.output, results)


def _parse_sets(pairs: Sequence[str]) -> dict[str, str]:
    subject = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--set takes key=value, got {pair!r}")
        subject[key.strip()] = value
    return subject


def _subject(args: argparse.Namespace) -> dict[str, Any]:
    """The record of ``--file``/``--row``, with the ``--set`` values on top."""
    if args.file:
        records = _records(args.file)
        if not 1 <= args.row <= len(records):
            raise UsageError(f"--row must be from 1 to {len(records)}, got {args.row}")
        subject: dict[str, Any] = dict(records[args.row - 1])
    else:
        subject = {}
    subject.update(_parse_sets(args.set))
    return subject


def cmd_explain(args: argparse.Namespace) -> int:
    criteria = resolve(args.scheme, args.as_of)
    subject = _subject(args)
    if not subject:
        raise UsageError("give the subject with --set key=value ... or --file FILE [--row N]")
    ev = evaluate(criteria, subject, band_policy=args.band_policy)
    if args.json:
        _print_json(ev.to_dict())
    else:
        print(ev.explain(args.lang))
    return OK


def cmd_what_if(args: argparse.Namespace) -> int:
    criteria = resolve(args.scheme, args.as_of)
    subject = _subject(args)
    try:
        partial = evaluate_partial(criteria, subject, band_policy=args.band_policy)
        if partial.complete:
            result: Partial | Plan = next_band(
                partial.lowest,
                target=args.target,
                allow=_fields(args.allow),
                max_changes=args.max_changes,
            )
        else:
            result = partial
    except WhatIfError as exc:
        raise UsageError(str(exc)) from None
    if args.json:
        _print_json(result.to_dict())
    else:
        print(result.render(args.lang))
    return OK


def cmd_schema(args: argparse.Namespace) -> int:
    if args.what == "criteria":
        _print_json(criteria_schema())
        return OK
    if args.what == "result":
        _print_json(result_schema())
        return OK
    if args.what.startswith("conformance-"):
        _print_json(index_schema() if args.what == "conformance-index" else cases_schema())
        return OK
    if not args.scheme:
        raise UsageError(
            "asnmerit schema input needs a scheme id or file, e.g. asnmerit schema input ip-asn"
        )
    _print_json(resolve(args.scheme, args.as_of).input_schema())
    return OK


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
        _print_json(report.to_dict())
    else:
        print(report.render())
    return OK if report.ok else FINDINGS


def cmd_verify(args: argparse.Namespace) -> int:
    try:
        items = read_results(args.results)
    except ResultsError as exc:
        raise UsageError(str(exc)) from None
    criteria = None
    if args.as_of is None and not _is_file(args.criteria):
        # A bundled id: the version the results name, when they name one that is bundled.
        named = {v for s, v in results_versions(items) if s == args.criteria}
        paths = [i.path for i in catalog() if i.id == args.criteria and i.version in named]
        if len(named) == 1 and paths:
            criteria = load(paths[0])
    checked = verify(items, criteria or resolve(args.criteria, args.as_of))
    if args.json:
        _print_json(checked.to_dict())
    else:
        print(checked.render())
    return OK if checked.ok else FINDINGS


def _is_file(scheme: str) -> bool:
    path = Path(scheme)
    return path.suffix.lower() in (".yaml", ".yml", ".json") or path.is_file()


def cmd_demo(args: argparse.Namespace) -> int:
    from .demo import render, sample_path, summarize

    criteria = get("ip-asn")
    path = sample_path()
    results = evaluate_records(criteria, read_records(path))
    summary = summarize(criteria, results)
    if args.json:
        _print_json(
            {
                "scheme": criteria.id,
                "version": criteria.version,
                "rows": summary.rows,
                "scored": summary.scored,
                "errors": summary.failed,
                "bands": summary.bands,
                "mean": D.plain(summary.mean) if summary.mean is not None else None,
                "dimension_means": {k: D.plain(v) for k, v in summary.dimension_means.items()},
            }
        )
    else:
        print(render(criteria, summary, args.lang))
        print(f"\n{'Sample' if args.lang == 'en' else 'Data contoh'}: {path}")
        print(
            "asnmerit evaluate ip-asn <file.csv>  |  asnmerit explain ip-asn --file <file.csv> --row 1"
        )
    return FINDINGS if summary.failed else OK


# -- parser -----------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="asnmerit",
        description="Indonesian civil-service (ASN) instruments as cited data, scored exactly.",
    )
    parser.add_argument("--version", action="version", version=f"asnmerit {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def add(
        name: str, help: str, *, json: bool = True, lang: bool = True
    ) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=help)
        if json:
            p.add_argument("--json", action="store_true", help="machine-readable output")
        if lang:
            p.add_argument(
                "--lang", choices=("id", "en"), default="id", help="language of labels (default id)"
            )
        return p

    def scheme(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "scheme", help="a bundled scheme id (see 'asnmerit list') or a criteria file"
        )
        p.add_argument("--as-of", metavar="DATE", help="the version in force on DATE (YYYY-MM-DD)")

    def subject(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--set",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help="an input value (repeatable)",
        )
        p.add_argument("--file", help="take the subject from this records file")
        p.add_argument(
            "--row", type=int, default=1, help="which record of --file (from 1; default 1)"
        )

    def policy(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--band-policy", choices=BAND_POLICIES, help="override the file's band boundary policy"
        )

    p = add("list", "list the bundled schemes and their versions")
    p.set_defaults(func=cmd_list)
    p = add("show", "show a scheme: inputs, score tree with maxima, basis, confidence, bands")
    scheme(p)
    p.set_defaults(func=cmd_show)
    p = add(
        "validate", "check criteria files (folders are searched for criteria files)", lang=False
    )
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.set_defaults(func=cmd_validate)
    p = add("test", "run the examples inside criteria files", lang=False)
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.set_defaults(func=cmd_test)

    def records_in_out(p: argparse.ArgumentParser) -> None:
        scheme(p)
        p.add_argument(
            "file",
            help="records: .csv, .parquet or .xlsx (header row), .json or .yaml (a list of records)",
        )
        p.add_argument(
            "-o",
            "--output",
            metavar="FILE",
            help="write here (atomically) instead of standard output",
        )
        policy(p)

    p = add(
        "evaluate",
        "score every record of a CSV / Parquet / Excel (.xlsx) / JSON / YAML file",
        json=False,
    )
    records_in_out(p)
    p.add_argument(
        "--format",
        choices=FORMATS,
        help="output format (default: from the --output extension, else csv); "
        "parquet and xlsx need --output",
    )
    p.add_argument(
        "--errors",
        metavar="FILE",
        help="also write each issue of every refused row here, atomically "
        "(.parquet or .xlsx by its extension, else CSV)",
    )
    p.add_argument(
        "--columns",
        metavar="MAPPING",
        help="a YAML or JSON file {header in the file: field name} renaming the columns "
        "of a CSV, Parquet or Excel file",
    )
    p.add_argument(
        "-q", "--quiet", action="store_true", help="no progress line (the final counts stay)"
    )
    p.set_defaults(func=cmd_evaluate)
    p = add("aggregate", "score every record of a file and give per-group counts and means")
    records_in_out(p)
    p.add_argument(
        "--by",
        action="append",
        default=[],
        metavar="FIELD",
        help="group by this field (repeatable, or comma-separated); none: one group",
    )
    p.set_defaults(func=cmd_aggregate)
    p = add("rank", "score every record of a file and rank the subjects per group", json=False)
    records_in_out(p)
    p.add_argument(
        "--by",
        metavar="CATEGORY",
        help="rank by this award category or score node (default: the total)",
    )
    p.add_argument(
        "--group-by",
        action="append",
        metavar="FIELD",
        help="rank within groups of this field (repeatable, or comma-separated; "
        "default: the award's groups)",
    )
    p.add_argument("--top", type=int, metavar="N", help="winners per group (default: the award's)")
    p.add_argument(
        "--ties", choices=TIE_POLICIES, help="how equal scores share a rank (default: the award's)"
    )
    p.add_argument("--min-band", metavar="CODE", help="leave out subjects below this band")
    p.add_argument(
        "--format",
        choices=("text", "csv", "json"),
        default="text",
        help="output format (default text)",
    )
    p.set_defaults(func=cmd_rank)
    p = add(
        "report",
        "score every record of a file and write one self-contained HTML report",
        json=False,
    )
    records_in_out(p)
    p.add_argument(
        "--group-by",
        action="append",
        metavar="FIELD",
        help="compare groups of this field (repeatable, or comma-separated; default: the "
        "award's groups, else instansi)",
    )
    p.add_argument("--title", help="the report's title (default: the scheme's title)")
    p.set_defaults(func=cmd_report)
    p = add("explain", "explain the score of one subject")
    scheme(p)
    subject(p)
    policy(p)
    p.set_defaults(func=cmd_explain)
    p = add(
        "what-if",
        "for a record with missing inputs: the score it can still reach, the bands still "
        "possible and what decides; for a complete one: the smallest changes that lift it "
        "into the next band",
    )
    scheme(p)
    subject(p)
    p.add_argument("--target", metavar="BAND", help="the band to reach (default: the next)")
    p.add_argument(
        "--allow",
        action="append",
        default=[],
        metavar="INPUT",
        help="also change this input, though the criteria say the subject cannot (repeatable)",
    )
    p.add_argument(
        "--max-changes", type=int, default=2, help="inputs changed together, at most (default 2)"
    )
    policy(p)
    p.set_defaults(func=cmd_what_if)
    p = add(
        "schema",
        "print a JSON Schema: of criteria files, of one scheme's subject record, of a result, "
        "or of a conformance corpus's index or cases files",
        json=False,
        lang=False,
    )
    p.add_argument(
        "what", choices=("criteria", "input", "result", "conformance-index", "conformance-cases")
    )
    p.add_argument("scheme", nargs="?", help="for 'input': the scheme id or file")
    p.add_argument("--as-of", metavar="DATE", help="the version in force on DATE (YYYY-MM-DD)")
    p.set_defaults(func=cmd_schema)
    p = add(
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
    p = add(
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
    p = add("demo", "score the bundled synthetic agency with IP ASN and summarise it")
    p.set_defaults(func=cmd_demo)
    return parser


def _version() -> str:
    from .. import __version__

    return __version__


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
