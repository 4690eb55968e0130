"""A staged selection: candidates go through the award's stages, best first.

Before the first stage, a candidate who could not be scored or is not eligible (the
administrative check) is stopped with its reasons. At each stage the candidates still
in are ranked by the stage's category, within the groups of its ``per`` fields, and
the best ``keep`` of each group go on (every candidate tied for the last place goes
on); a candidate without a score for the stage stops there, with that reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import attrs

from .. import _decimal as D
from .._render import Column, shown, text
from .._values import is_table, json_value
from ..engine.batch import unpack
from ..errors import AsnmeritError
from ..model import Criteria, Stage, Text, frozen
from ..results import Evaluation, Result, Tabular
from .contenders import Contender, from_results, from_table
from .grouping import Key, group_key
from .placings import Entry, place

SELECTION_FORMAT = "asnmerit.selection/1"


@attrs.frozen
class Step:
    """One candidate at one stage: its rank in its group, and whether it went on."""

    stage: str
    passed: bool
    rank: Decimal | None = None
    score: Decimal | None = None
    reason: Text | None = None
    """Why it could not compete at this stage (it was not scored for it)."""


@attrs.frozen
class Candidate:
    """One candidate's path through the stages."""

    identifiers: Mapping[str, Any] = attrs.field(converter=frozen)
    steps: tuple[Step, ...]
    evaluation: Evaluation | None = None
    row: int | None = None
    excluded: tuple[Text, ...] = ()
    """Why it did not enter the first stage (the administrative check)."""

    @property
    def reached(self) -> str | None:
        """The last stage it passed (``None``: none)."""
        passed = [s.stage for s in self.steps if s.passed]
        return passed[-1] if passed else None


@attrs.frozen(repr=False)
class Selection(Tabular):
    """Every candidate of one staged selection, in input order."""

    scheme: str
    version: str
    digest: str
    stages: tuple[Stage, ...]
    candidates: tuple[Candidate, ...]

    def finalists(self) -> list[Candidate]:
        """The candidates who passed the last stage."""
        last = self.stages[-1].id
        return [c for c in self.candidates if c.reached == last]

    def rows(self, lang: str = "id") -> list[dict[str, Any]]:
        """One row per candidate: the rank at each stage, and the last stage passed."""
        out = []
        for c in self.candidates:
            row: dict[str, Any] = {k: shown(v) for k, v in c.identifiers.items()}
            row["row"] = c.row if c.row is not None else ""
            steps = {s.stage: s for s in c.steps}
            for stage in self.stages:
                step = steps.get(stage.id)
                row[stage.id] = "" if step is None or step.rank is None else D.plain(step.rank)
            row["reached"] = c.reached or ""
            row["stopped"] = "; ".join(r.get(lang) for r in _reasons(c))
            out.append(row)
        return out

    def __repr__(self) -> str:
        return (
            f"<Selection {self.scheme} {self.version}: {len(self.candidates)} candidates, "
            f"{len(self.finalists())} finalists>"
        )

    def _columns(self, lang: str) -> list[Column]:
        ids = list(dict.fromkeys(k for c in self.candidates for k in c.identifiers))
        return [
            *(Column(i, "text") for i in ids),
            Column("row", "int"),
            *(Column(s.id, "rank") for s in self.stages),
            Column("reached", "text"),
            Column("stopped", "text"),
        ]

    def _records(self, lang: str) -> list[dict[str, Any]]:
        out = []
        for c in self.candidates:
            row: dict[str, Any] = {k: text(v) for k, v in c.identifiers.items()}
            row["row"] = c.row
            steps = {s.stage: s for s in c.steps}
            for stage in self.stages:
                step = steps.get(stage.id)
                row[stage.id] = None if step is None else step.rank
            row["reached"] = c.reached
            row["stopped"] = "; ".join(r.get(lang) for r in _reasons(c)) or None
            out.append(row)
        return out

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form (format ``asnmerit.selection/1``)."""
        return {
            "format": SELECTION_FORMAT,
            "scheme": self.scheme,
            "version": self.version,
            "digest": self.digest,
            "stages": [
                {
                    "id": s.id,
                    "label": attrs.asdict(s.label),
                    "by": s.by,
                    "keep": s.keep,
                    "per": list(s.per),
                }
                for s in self.stages
            ],
            "candidates": [
                {
                    "row": c.row,
                    "identifiers": json_value(c.identifiers),
                    "excluded": [attrs.asdict(r) for r in c.excluded],
                    "steps": [
                        {
                            "stage": s.stage,
                            "passed": s.passed,
                            "rank": None if s.rank is None else D.plain(s.rank),
                            "score": None if s.score is None else D.plain(s.score),
                            "reason": None if s.reason is None else attrs.asdict(s.reason),
                        }
                        for s in c.steps
                    ],
                    "reached": c.reached,
                }
                for c in self.candidates
            ],
        }


def _reasons(c: Candidate) -> list[Text]:
    return [*c.excluded, *(s.reason for s in c.steps if s.reason is not None)]


@D.own_context
def select(results: Iterable[Result] | Any, *, criteria: Criteria | None = None) -> Selection:
    """Run the staged selection the scheme's award declares over ``results``: evaluations,
    row results, or the table :func:`asnmerit.evaluate_frame` returns (``criteria=``; with
    the stages' category columns, ``components=[...]``, and the fields they group by,
    ``keep=[...]``), which gives the selection its row results give."""
    if is_table(results):
        from .scored import ScoredTable

        table = ScoredTable(results, criteria, "select")
        scheme = table.criteria

        def contenders(per: Sequence[str], by: str | None, ties: Any) -> list[Contender]:
            return list(from_table(table, per, by, None, ties))
    else:
        pairs, scheme = unpack(results, criteria, "select")

        def contenders(per: Sequence[str], by: str | None, ties: Any) -> list[Contender]:
            return list(from_results(pairs, per, by, None, ties))

    award = scheme.award
    if award is None or not award.stages:
        raise AsnmeritError(f"{scheme.id} {scheme.version} declares no stages of selection")
    first = contenders((), None, ())  # the administrative check: scored and eligible
    paths: list[list[Step]] = [[] for _ in first]
    excluded = [c.reasons if not c.scored or c.score is None else () for c in first]
    alive = [i for i, why in enumerate(excluded) if not why]
    for stage in award.stages:
        now = contenders(stage.per, stage.by, award.tie_breakers)
        groups: dict[tuple[Key, ...], list[Entry]] = {}
        for i in alive:
            c = now[i]
            if c.score is None:  # not scored for this stage, or no group
                paths[i].append(Step(stage.id, False, reason=c.reasons[0]))
                continue
            key = tuple(group_key(c.values.get(f)) for f in stage.per)
            groups.setdefault(key, []).append(Entry(i, c.evaluation, c.row, c.score, c.breakers))
        alive = []
        for members in groups.values():
            for e, p in place(members, award.tie_breakers, award.ties, stage.keep, True):
                paths[e.index].append(Step(stage.id, p.winner, p.rank, p.score))
                if p.winner:
                    alive.append(e.index)
        alive.sort()
    candidates = tuple(
        Candidate(dict(c.identifiers), tuple(paths[i]), c.evaluation, c.row, excluded[i])
        for i, c in enumerate(first)
    )
    return Selection(scheme.id, scheme.version, scheme.digest, award.stages, candidates)
