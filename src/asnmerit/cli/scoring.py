"""The verbs that score a records file: ``evaluate``, ``aggregate``, ``rank``, ``report``,
and ``demo`` (the bundled sample agency)."""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import sys
from pathlib import Path
from typing import IO, Any

from .. import _decimal as D
from ..analysis.aggregation import aggregate
from ..analysis.ranking import rank
from ..engine.batch import evaluate_records
from ..errors import AsnmeritError, RecordsError, UsageError
from ..files.atomic import atomic_binary_writer, atomic_writer, check_outputs, write_atomic
from ..files.records import Loaded, read_records
from ..files.stream import evaluate_file
from ..files.tables import BINARY, FORMATS, format_of, to_csv
from ..model import TIE_POLICIES, Criteria
from ..results import RowResult
from ..spec.versions import get
from .progress import ProgressLine
from .shared import (
    FINDINGS,
    OK,
    Verbs,
    add_policy,
    add_reading,
    add_scheme,
    add_verb,
    fields,
    is_file,
    loaded,
    print_json,
    reading_of,
    report_reading,
    resolve,
    unreadable,
)


def _add_records_in_out(p: argparse.ArgumentParser) -> None:
    """The scheme, the records file, ``--output`` and ``--band-policy``."""
    add_scheme(p)
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
    add_policy(p)
    add_reading(p)


def _add_raw_csv(p: argparse.ArgumentParser) -> None:
    """``--raw-csv``: CSV cells as they are, for programs rather than spreadsheets."""
    p.add_argument(
        "--raw-csv",
        action="store_true",
        help="write CSV text cells as they are; by default a cell that starts with = + - @, "
        "a tab or CR gets a ' in front, so that a spreadsheet does not run it as a formula",
    )


def _check_paths(args: argparse.Namespace, *outputs: str | None) -> None:
    """Refuse outputs that name an input (the records, the scheme's file, a profile or
    map) or one another."""
    inputs = [args.file, args.profile, args.columns, args.values]
    if is_file(args.scheme):
        inputs.append(args.scheme)
    check_outputs([i for i in inputs if i and Path(i).exists()], outputs)


def _atomic(stack: contextlib.ExitStack[Any], path: str, binary: bool = False) -> IO[Any]:
    """A file that replaces ``path`` when ``stack`` closes without an error."""
    opener = atomic_binary_writer if binary else atomic_writer
    try:
        fh: IO[Any] = stack.enter_context(opener(path))
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
    return fh


def _scored(args: argparse.Namespace) -> tuple[Criteria, list[RowResult], Loaded]:
    """The scheme of ``args`` and every row of its records file, scored, and how the file
    was read."""
    criteria = resolve(args.scheme, args.as_of)
    _check_paths(args, args.output)
    got = loaded(args, criteria)
    return criteria, evaluate_records(criteria, got.records, band_policy=args.band_policy), got


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


def _add_evaluate(verbs: Verbs) -> None:
    p = add_verb(
        verbs,
        "evaluate",
        "score every record of a CSV / Parquet / Excel (.xlsx) / JSON / YAML file",
        json=False,
    )
    _add_records_in_out(p)
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
        "-q", "--quiet", action="store_true", help="no progress line (the final counts stay)"
    )
    _add_raw_csv(p)
    p.set_defaults(func=cmd_evaluate)


def cmd_evaluate(args: argparse.Namespace) -> int:
    criteria = resolve(args.scheme, args.as_of)
    fmt = args.format or format_of(args.output)
    if fmt in BINARY and not args.output:
        raise UsageError(f"--format {fmt} writes a binary file: give it with --output FILE")
    errors_fmt = format_of(args.errors)
    errors_fmt = errors_fmt if errors_fmt in BINARY else "csv"  # a table: CSV but by extension
    _check_paths(args, args.output, args.errors)
    # What is loaded stays for the whole run: the collector need not look at it again each
    # time a chunk of rows is made (a third of the time of a large file otherwise); rows
    # and results make no cycles, so it looks at new objects less often too.
    gc.freeze()
    threshold = gc.get_threshold()
    gc.set_threshold(100_000, *threshold[1:])
    try:
        profile = reading_of(args)
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
                profile=profile,
                band_policy=args.band_policy,
                safe=not args.raw_csv,
                progress=None
                if args.quiet or not sys.stderr.isatty()
                else ProgressLine(sys.stderr),
            )
    except RecordsError as exc:
        raise unreadable(exc) from None
    except OSError as exc:  # a write that failed mid-run names no file: the outputs do
        where = exc.filename or " / ".join(p for p in (args.output, args.errors) if p)
        raise UsageError(
            f"cannot write {where or 'standard output'}: {exc.strerror or exc}"
        ) from None
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()
    report_reading(args.file, counts.how, counts.unread, criteria)
    return _counted(counts.rows, counts.errors)


def _add_aggregate(verbs: Verbs) -> None:
    p = add_verb(
        verbs, "aggregate", "score every record of a file and give per-group counts and means"
    )
    _add_records_in_out(p)
    p.add_argument(
        "--by",
        action="append",
        default=[],
        metavar="FIELD",
        help="group by this field (repeatable, or comma-separated); none: one group",
    )
    _add_raw_csv(p)
    p.set_defaults(func=cmd_aggregate)


def cmd_aggregate(args: argparse.Namespace) -> int:
    criteria, results, _ = _scored(args)
    by = fields(args.by)
    try:
        agg = aggregate(results, by, criteria=criteria)
    except AsnmeritError as exc:
        raise UsageError(str(exc)) from None
    if args.json:
        text = json.dumps(agg.to_dict(), ensure_ascii=False, indent=2) + "\n"
    else:
        rows = agg.rows(args.lang)
        text = to_csv(rows, list(rows[0]) if rows else [*by, "count"], safe=not args.raw_csv)
    return _emit(text, args.output, results)


def _add_rank(verbs: Verbs) -> None:
    p = add_verb(
        verbs, "rank", "score every record of a file and rank the subjects per group", json=False
    )
    _add_records_in_out(p)
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
    _add_raw_csv(p)
    p.set_defaults(func=cmd_rank)


def cmd_rank(args: argparse.Namespace) -> int:
    criteria, results, _ = _scored(args)
    try:
        ranking = rank(
            results,
            args.by,
            group_by=fields(args.group_by) if args.group_by else None,
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
        text = to_csv(rows, columns or [*ranking.group_by, "rank"], safe=not args.raw_csv)
    else:
        text = ranking.render(args.lang) + "\n"
    return _emit(text, args.output, results)


def _add_report(verbs: Verbs) -> None:
    p = add_verb(
        verbs,
        "report",
        "score every record of a file and write one self-contained HTML report",
        json=False,
    )
    _add_records_in_out(p)
    p.add_argument(
        "--group-by",
        action="append",
        metavar="FIELD",
        help="compare groups of this field (repeatable, or comma-separated; default: the "
        "award's groups, else instansi)",
    )
    p.add_argument("--title", help="the report's title (default: the scheme's title)")
    p.set_defaults(func=cmd_report)


def cmd_report(args: argparse.Namespace) -> int:
    from ..present.reports import report

    criteria, results, got = _scored(args)
    try:
        text = report(
            results,
            criteria,
            lang=args.lang,
            group_by=fields(args.group_by) if args.group_by else None,
            title=args.title,
            source=(got.how, got.unread),
        )
    except AsnmeritError as exc:
        raise UsageError(str(exc)) from None
    return _emit(text, args.output, results)


def _add_demo(verbs: Verbs) -> None:
    p = add_verb(verbs, "demo", "score the bundled synthetic agency with IP ASN and summarise it")
    p.set_defaults(func=cmd_demo)


def cmd_demo(args: argparse.Namespace) -> int:
    from .demo import render, sample_path, summarize

    criteria = get("ip-asn")
    path = sample_path()
    results = evaluate_records(criteria, read_records(path))
    summary = summarize(criteria, results)
    if args.json:
        print_json(
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
