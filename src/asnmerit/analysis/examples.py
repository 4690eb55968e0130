"""Running the examples shipped inside a criteria file (``asnmerit test``)."""

from __future__ import annotations

from decimal import Decimal

import attrs

from .. import _decimal as D
from ..engine.evaluator import evaluate
from ..errors import AsnmeritError
from ..model import Criteria, Example


@attrs.frozen
class ExampleResult:
    """The outcome of one example: ``failures`` is empty when it passed."""

    scheme: str
    version: str
    example: str
    failures: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.failures


@D.own_context
def run_example(criteria: Criteria, example: Example) -> ExampleResult:
    """Evaluate (or classify) one example and compare with what it expects."""
    if example.subjects is not None:
        return _run_subjects(criteria, example)
    failures: list[str] = []
    expect = example.expect
    try:
        if example.inputs is not None:
            ev = evaluate(criteria, example.inputs, band_policy=example.band_policy)
            score, band, eligible = ev.score, ev.band.code, ev.eligible
            for node_id, want in expect.components.items():
                try:
                    got = ev.component(node_id).points
                except KeyError:
                    failures.append(
                        f"component {node_id}: not evaluated (its branch was not taken)"
                    )
                    continue
                if got != want:
                    failures.append(
                        f"component {node_id}: expected {D.plain(want)}, got {D.plain(got)}"
                    )
        else:
            assert example.score is not None  # the schema requires inputs or score
            score, eligible = example.score, None
            band = criteria.band_for(example.score, example.band_policy).code
    except AsnmeritError as exc:
        return ExampleResult(
            criteria.id, criteria.version, example.id, (f"raised {type(exc).__name__}: {exc}",)
        )
    if expect.score is not None and score != expect.score:
        failures.append(f"score: expected {D.plain(expect.score)}, got {D.plain(score)}")
    if expect.band is not None and band != expect.band:
        failures.append(f"band: expected {expect.band}, got {band}")
    if expect.eligible is not None and eligible != expect.eligible:
        failures.append(f"eligible: expected {expect.eligible}, got {eligible}")
    return ExampleResult(criteria.id, criteria.version, example.id, tuple(failures))


def _run_subjects(criteria: Criteria, example: Example) -> ExampleResult:
    """A ranking or selection example: score every subject, then rank or select."""
    from .ranking import rank
    from .selection import select

    assert example.subjects is not None
    expect = example.expect
    failures: list[str] = []
    try:
        names = list(example.subjects)
        evs = [evaluate(criteria, rec) for rec in example.subjects.values()]
        name_of = {id(ev): name for name, ev in zip(names, evs, strict=True)}
        if expect.ranks:
            got: dict[str, Decimal | None] = dict.fromkeys(names)
            for group in rank(evs, example.category, criteria=criteria).groups:
                for p in group.placings:
                    got[name_of[id(p.evaluation)]] = p.rank
            for name, want in expect.ranks.items():
                if got[name] != want:
                    failures.append(
                        f"rank of {name}: expected {_show(want)}, got {_show(got[name])}"
                    )
        if expect.reached:
            sel = select(evs, criteria=criteria)
            reached = {name: c.reached for name, c in zip(names, sel.candidates, strict=True)}
            for name, stage in expect.reached.items():
                if reached[name] != stage:
                    failures.append(
                        f"{name} reached: expected {stage or 'no stage'}, got {reached[name] or 'no stage'}"
                    )
    except AsnmeritError as exc:
        failures.append(f"raised {type(exc).__name__}: {exc}")
    return ExampleResult(criteria.id, criteria.version, example.id, tuple(failures))


def _show(rank: Decimal | None) -> str:
    return "not ranked" if rank is None else D.plain(rank)


@D.own_context
def run_examples(criteria: Criteria) -> list[ExampleResult]:
    """Every example of ``criteria``, in file order."""
    return [run_example(criteria, e) for e in criteria.examples]
