"""The verbs about one subject: ``explain`` and ``what-if``."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from ..engine.evaluator import evaluate
from ..errors import UsageError, WhatIfError
from ..model import Criteria
from ..whatif.nextband import Plan, next_band
from ..whatif.partial import Partial, evaluate_partial
from .shared import (
    OK,
    Verbs,
    add_policy,
    add_reading,
    add_scheme,
    add_verb,
    fields,
    print_json,
    records,
    resolve,
)


def _add_subject(p: argparse.ArgumentParser) -> None:
    """``--set``, ``--file`` and ``--row``: where the subject's record comes from."""
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="an input value (repeatable)",
    )
    p.add_argument("--file", help="take the subject from this records file")
    p.add_argument("--row", type=int, default=1, help="which record of --file (from 1; default 1)")
    add_reading(p)


def _parse_sets(pairs: Sequence[str]) -> dict[str, str]:
    subject = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--set takes key=value, got {pair!r}")
        subject[key.strip()] = value
    return subject


def _subject(args: argparse.Namespace, criteria: Criteria) -> dict[str, Any]:
    """The record of ``--file``/``--row``, with the ``--set`` values on top."""
    if args.file:
        found = records(args, criteria)
        if not 1 <= args.row <= len(found):
            raise UsageError(f"--row must be from 1 to {len(found)}, got {args.row}")
        subject: dict[str, Any] = dict(found[args.row - 1])
    else:
        subject = {}
    subject.update(_parse_sets(args.set))
    return subject


def _add_explain(verbs: Verbs) -> None:
    p = add_verb(verbs, "explain", "explain the score of one subject")
    add_scheme(p)
    _add_subject(p)
    add_policy(p)
    p.set_defaults(func=cmd_explain)


def cmd_explain(args: argparse.Namespace) -> int:
    criteria = resolve(args.scheme, args.as_of)
    subject = _subject(args, criteria)
    if not subject:
        raise UsageError("give the subject with --set key=value ... or --file FILE [--row N]")
    ev = evaluate(criteria, subject, band_policy=args.band_policy)
    if args.json:
        print_json(ev.to_dict())
    else:
        print(ev.explain(args.lang))
    return OK


def _add_what_if(verbs: Verbs) -> None:
    p = add_verb(
        verbs,
        "what-if",
        "for a record with missing inputs: the score it can still reach, the bands still "
        "possible and what decides; for a complete one: the smallest changes that lift it "
        "into the next band",
    )
    add_scheme(p)
    _add_subject(p)
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
    add_policy(p)
    p.set_defaults(func=cmd_what_if)


def cmd_what_if(args: argparse.Namespace) -> int:
    criteria = resolve(args.scheme, args.as_of)
    subject = _subject(args, criteria)
    try:
        partial = evaluate_partial(criteria, subject, band_policy=args.band_policy)
        if partial.complete:
            result: Partial | Plan = next_band(
                partial.lowest,
                target=args.target,
                allow=fields(args.allow),
                max_changes=args.max_changes,
            )
        else:
            result = partial
    except WhatIfError as exc:
        raise UsageError(str(exc)) from None
    if args.json:
        print_json(result.to_dict())
    else:
        print(result.render(args.lang))
    return OK
