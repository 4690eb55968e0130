"""Checking this implementation against a conformance corpus: :func:`check`, and the
:class:`Failure` and :class:`CheckReport` it gives."""

from __future__ import annotations

import decimal
import os
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs

from .. import _decimal as D
from ..analysis.verification import Difference, differences
from ..errors import ConformanceError, CriteriaError
from ..spec.loader import load
from .corpus import FORMAT, cases_schema, read_json, schema_errors
from .vectors import outcome


@attrs.frozen
class Failure:
    """A case (or a whole scheme, ``case`` ``None``) of a corpus this implementation does
    not reproduce."""

    scheme: str
    version: str
    case: str | None
    differences: tuple[Difference, ...] = ()
    message: str = ""

    def render(self) -> str:
        """The failure in a few lines."""
        head = f"{self.scheme} {self.version}" + (f" {self.case}" if self.case else "")
        lines = [f"{head}: {self.message}" if self.message else head]
        lines += [f"  {d}" for d in self.differences]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "scheme": self.scheme,
            "version": self.version,
            "case": self.case,
            "message": self.message,
            "differences": [d.to_dict() for d in self.differences],
        }


@attrs.frozen
class CheckReport:
    """The outcome of :func:`check`."""

    schemes: int
    cases: int
    """Cases run."""
    failures: tuple[Failure, ...]

    @property
    def ok(self) -> bool:
        """Whether every case gave what the corpus expects."""
        return not self.failures

    def render(self) -> str:
        """Every failure, then a summary line."""
        failed = sum(f.case is not None for f in self.failures)
        lines = [f.render() for f in self.failures]
        lines.append(f"schemes: {self.schemes}, cases: {self.cases}, failed: {failed}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "ok": self.ok,
            "schemes": self.schemes,
            "cases": self.cases,
            "failures": [f.to_dict() for f in self.failures],
        }


def check(directory: str | os.PathLike[str]) -> CheckReport:
    """Run this implementation against the corpus in ``directory`` and report every case
    whose outcome differs. A scheme whose criteria file no longer has the content the
    corpus was made from (its digest differs) is reported, and its cases are not run.
    Numbers compare as decimals (``75.0`` equals ``75``)."""
    root = Path(directory)
    if not (root / "index.json").is_file():
        raise ConformanceError(f"{root} holds no conformance corpus (no index.json)")
    index = read_json(root / "index.json")
    problems = schema_errors(index, "conformance-index-1.json")
    if problems:
        raise ConformanceError(
            f"{root / 'index.json'} is not a corpus index ({FORMAT}): " + "; ".join(problems)
        )
    failures: list[Failure] = []
    run = 0
    for entry in index["schemes"]:
        sid, version = entry["id"], entry["version"]
        try:
            # the corpus keeps the bundled folder's layout: a base sits beside, not below
            criteria = load(root / entry["criteria"], bases=[root / "criteria"])
            data = read_json(root / entry["cases"])
        except (CriteriaError, ConformanceError) as err:
            failures.append(Failure(sid, version, None, (), f"not usable: {err}"))
            continue
        problems = schema_errors(_header(data), "conformance-cases-1.json")
        if problems:
            failures.append(Failure(sid, version, None, (), "cases: " + "; ".join(problems)))
            continue
        want = {"scheme": sid, "version": version, "digest": entry["digest"]}
        have = {"scheme": criteria.id, "version": criteria.version, "digest": criteria.digest}
        diffs = differences(want, have) + differences(want, {k: data[k] for k in want})
        if diffs:
            message = "the criteria differ from those the cases were made from; cases not run"
            failures.append(Failure(sid, version, None, tuple(diffs), message))
            continue
        for i, case in enumerate(data["cases"], start=1):
            run += 1
            name = case.get("id") if isinstance(case, Mapping) else None
            try:
                got = outcome(criteria, case)
                diffs = differences(_canonical(case["expect"]), _canonical(got))
            except (ConformanceError, LookupError, TypeError, AttributeError) as exc:
                # A malformed case: say what the schema finds wrong with it.
                why = "; ".join(_case_problems(case)) or f"{type(exc).__name__}: {exc}"
                failures.append(Failure(sid, version, str(name or f"#{i}"), (), why))
                continue
            if diffs:
                failures.append(Failure(sid, version, str(name), tuple(diffs)))
    return CheckReport(len(index["schemes"]), run, tuple(failures))


def _header(data: Any) -> Any:
    """A cases file without its cases, but for checking that they are a list (validating
    each case against the schema costs more than running it)."""
    if not isinstance(data, Mapping) or not isinstance(data.get("cases"), list):
        return data
    return {**data, "cases": []}


def _case_problems(case: Any) -> list[str]:
    """What the schema finds wrong with one case, checked as the kind it looks like."""
    import jsonschema

    expect = case.get("expect") if isinstance(case, Mapping) else None
    if isinstance(case, Mapping) and "score" in case:
        kind = "classified"
    else:
        kind = "refused" if isinstance(expect, Mapping) and "error" in expect else "scored"
    schema = cases_schema()
    schema = {**schema, "$ref": f"#/$defs/{kind}", "required": [], "properties": {}}
    del schema["additionalProperties"]
    errors = jsonschema.Draft202012Validator(schema).iter_errors(case)
    found = [f"{'/'.join(map(str, e.absolute_path)) or kind}: {e.message}" for e in errors]
    return sorted(set(found))[:5]


def _number(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        number = Decimal(value)
    except decimal.InvalidOperation:
        return value
    return D.plain(D.tidy(number)) if number.is_finite() else value


def _canonical(expect: Mapping[str, Any]) -> dict[str, Any]:
    """``expect`` with its score and points as canonical decimal text."""
    out = dict(expect)
    if "score" in out:
        out["score"] = _number(out["score"])
    if isinstance(out.get("components"), Mapping):
        out["components"] = {k: _number(v) for k, v in out["components"].items()}
    if isinstance(out.get("categories"), Mapping):
        out["categories"] = {
            k: {n: _number(v) for n, v in c.items()} if isinstance(c, Mapping) else c
            for k, c in out["categories"].items()
        }
    return out
