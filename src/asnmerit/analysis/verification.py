"""Checking stored results against criteria: recompute each one and report what differs.

A stored result (format ``asnmerit.result/1``, as :meth:`Evaluation.to_dict` gives it and
``asnmerit evaluate --format json`` writes it) names its scheme, version and the digest
of the criteria content that produced it, and keeps the inputs it used. :func:`verify`
takes such results and the criteria they claim, and for each result:

* when its digest is not the criteria's, reports the scheme, version and digest that
  differ: it was computed with other criteria content, and is not recomputed;
* otherwise recomputes it from its inputs (less the ones the scheme derived) and its
  identifiers, under its band policy, and compares the whole trace, field by field.

Differences are named by their path in the trace; score nodes by their ids
(``components.kualifikasi.points``). Rows of ``asnmerit evaluate`` that hold an error
instead of a result are counted, not compared.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import attrs

from .. import _decimal as D
from ..engine.evaluator import evaluate
from ..errors import InputError, ResultsError
from ..files.records import not_utf8
from ..model import Criteria, freeze
from ..results import RESULT_FORMAT, Evaluation
from ..spec.schema import validator

ABSENT: Any = attrs.make_class("Absent", (), repr=False)()
"""Stands for a value one side of a :class:`Difference` does not have."""


@attrs.frozen
class Difference:
    """One value that differs: ``expected`` (what the criteria give) and ``got`` (what
    the stored result holds), either :data:`ABSENT`, at ``path``."""

    path: str
    expected: Any = attrs.field(converter=freeze)
    got: Any = attrs.field(converter=freeze)

    def __str__(self) -> str:
        return f"{self.path or '(the whole)'}: expected {show(self.expected)}, got {show(self.got)}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``path``, and ``expected`` / ``got`` unless absent."""
        out: dict[str, Any] = {"path": self.path}
        for key in ("expected", "got"):
            value = getattr(self, key)
            if value is not ABSENT:
                out[key] = value
        return out


def show(value: Any) -> str:
    """A value of a trace as short text: texts bare, other values as JSON."""
    if value is ABSENT:
        return "(absent)"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def differences(expected: Any, got: Any, path: str = "") -> list[Difference]:
    """Every difference between two JSON values, by path. Mappings are compared key by
    key, lists item by item; a list whose items all have distinct ``id`` keys (score
    nodes, under ``children``) is matched by id, and a node is named by its id alone."""
    if isinstance(expected, Mapping) and isinstance(got, Mapping):
        out: list[Difference] = []
        for key in [*expected, *(k for k in got if k not in expected)]:
            a, b = expected.get(key, ABSENT), got.get(key, ABSENT)
            if key == "children" and _by_id(a) is not None and _by_id(b) is not None:
                out += _children(_by_id(a) or {}, _by_id(b) or {}, path)
            else:
                out += differences(a, b, _join(path, str(key)))
        return out
    if isinstance(expected, list) and isinstance(got, list):
        ids_a, ids_b = _by_id(expected), _by_id(got)
        if ids_a is not None and ids_b is not None:
            return _children(ids_a, ids_b, path)
        if len(expected) == len(got):
            return [
                d
                for i, (a, b) in enumerate(zip(expected, got, strict=True))
                for d in differences(a, b, f"{path}[{i}]")
            ]
    if type(expected) is type(got) and expected == got:
        return []
    return [Difference(path, expected, got)]


def _children(a: Mapping[str, Any], b: Mapping[str, Any], path: str) -> list[Difference]:
    out: list[Difference] = []
    for key in [*a, *(k for k in b if k not in a)]:
        out += differences(a.get(key, ABSENT), b.get(key, ABSENT), _join(path, key))
    return out


def _by_id(items: Any) -> dict[str, Any] | None:
    """``items`` keyed by their ``id``, when they are all mappings with distinct text ids."""
    if not isinstance(items, list) or not items:
        return None
    if not all(isinstance(i, Mapping) and isinstance(i.get("id"), str) for i in items):
        return None
    keyed = {i["id"]: i for i in items}
    return keyed if len(keyed) == len(items) else None


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


# -- verifying results -------------------------------------------------------------------


@attrs.frozen
class Mismatch:
    """A stored result that does not match the criteria, or an item that is no result."""

    item: int
    """Its position among the results, from 1."""
    row: int | None
    """Its row, for a row of ``asnmerit evaluate --format json``."""
    kind: str
    """``differs`` (recomputed, and something differs), ``other-criteria`` (computed with
    other criteria content: not recomputed), ``refused`` (its inputs are not accepted) or
    ``malformed`` (not a result)."""
    differences: tuple[Difference, ...] = ()
    message: str = ""

    def render(self) -> str:
        """The mismatch in a few lines: what, then each difference."""
        where = f"result {self.item}" + (f" (row {self.row})" if self.row is not None else "")
        words = {
            "differs": "does not match its recomputation",
            "other-criteria": "computed with other criteria content (not recomputed)",
            "refused": "its inputs are not accepted",
            "malformed": "is not a result",
        }
        lines = [f"{where}: {words.get(self.kind, self.kind)}"]
        if self.message:
            lines += [f"  {line}" for line in self.message.splitlines()]
        lines += [f"  {d}" for d in self.differences]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "item": self.item,
            "row": self.row,
            "kind": self.kind,
            "message": self.message,
            "differences": [d.to_dict() for d in self.differences],
        }


@attrs.frozen
class Verification:
    """The outcome of :func:`verify`: how many results matched, and every mismatch."""

    scheme: str
    version: str
    digest: str
    results: int
    """Items that were results (or claimed to be), compared or not."""
    matched: int
    not_results: int
    """Rows that hold an error instead of a result (not compared, not a mismatch)."""
    mismatches: tuple[Mismatch, ...]

    @property
    def ok(self) -> bool:
        """Whether every result matched."""
        return not self.mismatches

    def render(self) -> str:
        """Every mismatch, then a summary line."""
        lines = [m.render() for m in self.mismatches]
        lines.append(
            f"{self.scheme} {self.version}: results: {self.results}, matched: {self.matched}, "
            f"mismatched: {len(self.mismatches)}, error rows (not results): {self.not_results}"
        )
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.render()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (format ``asnmerit.verification/1``)."""
        return {
            "format": "asnmerit.verification/1",
            "scheme": self.scheme,
            "version": self.version,
            "digest": self.digest,
            "ok": self.ok,
            "results": self.results,
            "matched": self.matched,
            "not_results": self.not_results,
            "mismatches": [m.to_dict() for m in self.mismatches],
        }


Item = Mapping[str, Any] | Evaluation


@D.own_context
def verify(results: Item | Iterable[Item], criteria: Criteria) -> Verification:
    """Recompute stored results with ``criteria`` and report every one that differs.

    ``results`` is one result (an :class:`Evaluation`, or its ``to_dict()`` form), or a
    sequence of results and rows of ``asnmerit evaluate --format json``
    (``{"row": n, "result": {...}}`` or ``{"row": n, ..., "error": [...]}``), as
    :func:`read_results` gives them.
    """
    items: list[Any] = [results] if isinstance(results, Mapping | Evaluation) else list(results)
    matched = not_results = count = 0
    mismatches: list[Mismatch] = []
    for position, item in enumerate(items, start=1):
        row = item.get("row") if isinstance(item, Mapping) else None
        row = row if isinstance(row, int) and not isinstance(row, bool) else None
        if isinstance(item, Mapping) and "error" in item and "result" not in item:
            not_results += 1
            continue
        count += 1
        found = _check(_result_of(item), criteria)
        if found is None:
            matched += 1
        else:
            kind, diffs, message = found
            mismatches.append(Mismatch(position, row, kind, tuple(diffs), message))
    return Verification(
        criteria.id,
        criteria.version,
        criteria.digest,
        count,
        matched,
        not_results,
        tuple(mismatches),
    )


def _result_of(item: Any) -> Any:
    """The result an item holds: itself, its ``result``, or an Evaluation's trace."""
    if isinstance(item, Evaluation):
        return json.loads(json.dumps(item.to_dict()))
    if isinstance(item, Mapping) and "result" in item and "format" not in item:
        return item["result"]
    return item


def _check(result: Any, criteria: Criteria) -> tuple[str, list[Difference], str] | None:
    """``None`` when ``result`` matches its recomputation, else what is wrong with it."""
    try:  # the common case first: a trace equal to a fresh one is well formed, too
        if result["digest"] == criteria.digest and any(
            trace == result for trace in _traces(result, criteria)
        ):
            return None
    except (InputError, LookupError, TypeError, AttributeError):
        pass  # told apart below, once the result is known to be well formed
    problems = _malformed(result)
    if problems:
        return "malformed", [], "\n".join(problems)
    identity = ("scheme", "version", "digest")
    if result["digest"] != criteria.digest:
        want = {"scheme": criteria.id, "version": criteria.version, "digest": criteria.digest}
        diffs = [d for k in identity for d in differences(want[k], result[k], k)]
        return "other-criteria", diffs, ""
    first: list[Difference] | None = None
    try:
        for trace in _traces(result, criteria):
            diffs = differences(trace, result)
            if not diffs:
                return None
            first = diffs if first is None else first
    except InputError as err:
        return "refused", [], "\n".join(str(i) for i in err.issues)
    return "differs", first or [], ""


def _traces(result: Mapping[str, Any], criteria: Criteria) -> Iterator[dict[str, Any]]:
    """Fresh traces of the subject of ``result``: its inputs (less the derived ones) and
    identifiers, under its band policy; the trace does not say whether that policy was the
    file's own or given, so both ways when it is the file's own. Raises InputError."""
    derived = set(result["derived"])
    subject = {k: v for k, v in result["inputs"].items() if k not in derived}
    subject.update(result["identifiers"])
    policy = result["band_policy"]
    for attempt in [None, policy] if policy == criteria.bands.policy else [policy]:
        ev = evaluate(criteria, subject, band_policy=attempt)
        yield json.loads(json.dumps(ev.to_dict()))


def _malformed(result: Any) -> list[str]:
    """Why ``result`` is not a trace of format ``asnmerit.result/1`` (empty: it is)."""
    if not isinstance(result, Mapping):
        return ["expected a result (a JSON object), got " + type(result).__name__]
    if result.get("format") != RESULT_FORMAT:
        return [f"format: expected {RESULT_FORMAT}, got {show(result.get('format', ABSENT))}"]
    errors = sorted(validator("result-1.json").iter_errors(result), key=lambda e: list(e.path))
    return [f"{'.'.join(map(str, e.absolute_path)) or '(the whole)'}: {e.message}" for e in errors]


# -- reading results ----------------------------------------------------------------------


def read_results(path: str | os.PathLike[str]) -> list[Any]:
    """The items of a results file: a JSON list (as ``asnmerit evaluate --format json``
    writes it), one JSON result, or JSON Lines (one result or row per line). Raises
    :class:`ResultsError` when the file cannot be read or is none of these."""
    name = os.fspath(path)
    try:
        with open(name, "rb") as fh:
            raw = fh.read()
    except OSError as exc:
        raise ResultsError(f"{name}: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ResultsError(f"{name}: {not_utf8(raw, exc)}") from None
    try:
        data: Any = json.loads(text)
    except ValueError as whole:
        lines = [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
        if len(lines) < 2:
            raise ResultsError(f"{name}: not JSON: {whole}") from None
        items = []
        for n, line in lines:
            try:
                items.append(json.loads(line))
            except ValueError as exc:
                raise ResultsError(f"{name}: not JSON (nor JSON Lines): line {n}: {exc}") from None
        return items
    if isinstance(data, list):
        return data
    if isinstance(data, Mapping) and (
        data.get("format") == RESULT_FORMAT or ("format" not in data and "row" in data)
    ):
        return [data]
    found = f" {data['format']!r}" if isinstance(data, Mapping) and "format" in data else ""
    raise ResultsError(
        f"{name}: unknown format{found}: expected a result ({RESULT_FORMAT}), a list of "
        "results, or the rows of 'asnmerit evaluate --format json'"
    )


def results_versions(items: Sequence[Any]) -> set[tuple[str, str]]:
    """The (scheme, version) pairs the results name."""
    found = set()
    for item in items:
        result = _result_of(item)
        if isinstance(result, Mapping):
            scheme, version = result.get("scheme"), result.get("version")
            if isinstance(scheme, str) and isinstance(version, str):
                found.add((scheme, version))
    return found
