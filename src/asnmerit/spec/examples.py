"""The ``examples`` section read and checked: unique ids, one form each, and bands,
components, inputs, subjects, categories and stages that the criteria declare."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._values import describe
from ..engine.intake import duplicates, split_subject
from ..errors import Problem
from ..model import Criteria, Example, Expectation
from .context import Context, dec, opt_dec
from .parse import Path


class ExampleChecks(Context):
    """Builds the examples of built criteria, reporting what a schema cannot see."""

    problems: list[Problem]  # what this part of the build reports (see Context.report)

    def examples(self, criteria: Criteria, items: list[Any]) -> tuple[Example, ...]:
        out = []
        seen: set[str] = set()
        band_codes = {b.code for b in criteria.bands.table}
        for i, e in enumerate(items):
            path: Path = ("examples", i)
            self.unique("example.duplicate-id", e["id"], seen, path)
            self.expectation(e, band_codes, path)
            if "inputs" in e:
                self.example_inputs(criteria, e["inputs"], (*path, "inputs"))
            subjects = self.example_subjects(criteria, e, path) if "subjects" in e else None
            source = self.cite(e["source"], (*path, "source")) if "source" in e else None
            expect = e["expect"]
            out.append(
                Example(
                    id=e["id"],
                    provenance=e["provenance"],
                    expect=Expectation(
                        score=opt_dec(expect.get("score")),
                        band=expect.get("band"),
                        eligible=expect.get("eligible"),
                        components={k: dec(v) for k, v in expect.get("components", {}).items()},
                        ranks={k: opt_dec(v) for k, v in expect.get("ranks", {}).items()},
                        reached=dict(expect.get("reached", {})),
                    ),
                    inputs=e.get("inputs"),
                    score=opt_dec(e.get("score")),
                    band_policy=(e.get("options") or {}).get("band_policy"),
                    description=e.get("description"),
                    source=source,
                    subjects=subjects,
                    category=e.get("category"),
                )
            )
        return tuple(out)

    def expectation(self, e: Mapping[str, Any], band_codes: set[str], path: Path) -> None:
        """What an example expects: declared bands and nodes, in a form that fits it."""
        expect = e["expect"]
        if expect.get("band") is not None and expect["band"] not in band_codes:
            self.report(
                "example.unknown-band",
                f"no band {expect['band']!r} ({', '.join(sorted(band_codes))})",
                (*path, "expect", "band"),
            )
        for comp in expect.get("components", {}):
            if comp not in self.tree.node_ids:
                self.report(
                    "example.unknown-component",
                    f"no score node {comp!r}",
                    (*path, "expect", "components", comp),
                    key=True,
                )
        if "score" in e and ({"components", "eligible", "ranks", "reached"} & set(expect)):
            self.report(
                "example.form",
                "an example that classifies a score can only expect score and band",
                (*path, "expect"),
            )
        if "inputs" in e and ({"ranks", "reached"} & set(expect)):
            self.report(
                "example.form",
                "ranks and stages reached need several subjects (subjects, not inputs)",
                (*path, "expect"),
            )

    def example_subjects(
        self, criteria: Criteria, e: Mapping[str, Any], path: Path
    ) -> dict[str, dict[str, Any]]:
        """The records of a ranking or selection example (``common`` merged in), checked."""
        common = e.get("common") or {}
        subjects = {name: {**common, **rec} for name, rec in e["subjects"].items()}
        if not ({"score", "band", "eligible", "components"} & set(e["expect"])):
            self.subject_records(criteria, subjects, path)
        else:
            self.report(
                "example.form",
                "an example with several subjects can only expect ranks and stages reached",
                (*path, "expect"),
            )
        self.ranking_names(criteria, e, subjects, path)
        return subjects

    def subject_records(
        self, criteria: Criteria, subjects: dict[str, dict[str, Any]], path: Path
    ) -> None:
        """Each record valid, and no unique field shared by two subjects."""
        for name, record in subjects.items():
            self.example_inputs(criteria, record, (*path, "subjects", name))
        names = list(subjects)
        for pos, shared in duplicates(criteria, subjects.values()).items():
            for field, others in shared:
                also = ", ".join(names[i] for i in others if i != pos)
                self.report(
                    "example.bad-input",
                    f"{field}: expected a value used by one subject only, got "
                    f"{describe(subjects[names[pos]][field])} (also in {also})",
                    (*path, "subjects", names[pos], field),
                )

    def ranking_names(
        self,
        criteria: Criteria,
        e: Mapping[str, Any],
        subjects: Mapping[str, Any],
        path: Path,
    ) -> None:
        """The category, subjects and stages a ranking example names must exist."""
        award = criteria.award
        cats = [c.id for c in award.categories] if award else []
        stages = [s.id for s in award.stages] if award else []
        category = e.get("category")
        if category is not None and category not in cats:
            self.report(
                "example.unknown-category",
                f"no award category {category!r} ({', '.join(cats) or 'none declared'})",
                (*path, "category"),
            )
        expect = e["expect"]
        for what in ("ranks", "reached"):
            for name in expect.get(what, {}):
                if name not in subjects:
                    self.report(
                        "example.unknown-subject",
                        f"no subject {name!r} in this example ({', '.join(subjects)})",
                        (*path, "expect", what, name),
                        key=True,
                    )
        for name, stage in expect.get("reached", {}).items():
            if stage is not None and stage not in stages:
                self.report(
                    "example.unknown-stage",
                    f"no stage {stage!r} ({', '.join(stages) or 'none declared'})",
                    (*path, "expect", "reached", name),
                )

    def example_inputs(self, criteria: Criteria, inputs: Mapping[str, Any], path: Path) -> None:
        for issue in split_subject(criteria, inputs)[2]:
            unknown = issue.field not in criteria.inputs and issue.field not in criteria.identifiers
            self.report(
                "example.unknown-input" if unknown else "example.bad-input",
                f"{issue.field}: expected {issue.expected}, got {issue.got}",
                (*path, issue.field),
                key=unknown,
            )
