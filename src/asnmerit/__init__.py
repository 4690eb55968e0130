"""asnmerit: Indonesia's civil-service (ASN) management instruments as cited, validated
data, and an exact, explainable scoring engine.

>>> import asnmerit
>>> ip = asnmerit.get("ip-asn")
>>> ev = asnmerit.evaluate(ip, {"jenis_jabatan": "pelaksana", "pendidikan": "SLTA",
...     "diklat_teknis_20jp": True, "seminar": True, "predikat_kinerja": "baik",
...     "hukuman_disiplin": "tidak_ada"})
>>> ev.score, ev.band.code
(Decimal('75.0'), 'sedang')
"""

from typing import TYPE_CHECKING, Any

from .aggregate import Aggregate, GroupResult, aggregate
from .bands import ScoreOutOfRangeError
from .catalog import SchemeInfo, catalog, criteria_dir, get
from .compare import Comparison, compare
from .conformance import ConformanceError
from .conformance import check as check_conformance
from .conformance import export as export_conformance
from .domains import WhatIfError
from .dump import DumpError, dump, dumps
from .errors import (
    AsnmeritError,
    CriteriaError,
    EvaluationError,
    InputError,
    InputIssue,
    Problem,
    SchemeNotFoundError,
)
from .evaluate import Component, Evaluation, Ineligibility, ScoreWarning, evaluate
from .load import criteria_schema, load, loads, result_schema
from .model import Band, Criteria, Rounding
from .nextband import Change, Option, Plan, next_band
from .parse import Limits
from .partial import Deciding, Outcome, Partial, evaluate_partial
from .rank import Exclusion, Placing, RankGroup, Ranking, rank
from .scenario import ScenarioError, Shift, Sweep, sensitivity, shift, steps, sweep, with_overrides
from .selection import Candidate, Selection, select
from .verify import Verification, verify

if TYPE_CHECKING:
    from .frame import evaluate_frame


def __getattr__(name: str) -> Any:
    # evaluate_frame needs numpy (an optional extra): imported on first use only.
    if name == "evaluate_frame":
        from .frame import evaluate_frame

        return evaluate_frame
    raise AttributeError(f"module 'asnmerit' has no attribute {name!r}")


__version__ = "0.1.0"

__all__ = [
    "Aggregate",
    "AsnmeritError",
    "Band",
    "Candidate",
    "Change",
    "Comparison",
    "Component",
    "ConformanceError",
    "Criteria",
    "CriteriaError",
    "Deciding",
    "DumpError",
    "Evaluation",
    "EvaluationError",
    "Exclusion",
    "GroupResult",
    "Ineligibility",
    "InputError",
    "InputIssue",
    "Limits",
    "Option",
    "Outcome",
    "Partial",
    "Placing",
    "Plan",
    "Problem",
    "RankGroup",
    "Ranking",
    "Rounding",
    "ScenarioError",
    "SchemeInfo",
    "SchemeNotFoundError",
    "ScoreOutOfRangeError",
    "ScoreWarning",
    "Selection",
    "Shift",
    "Sweep",
    "Verification",
    "WhatIfError",
    "__version__",
    "aggregate",
    "catalog",
    "check_conformance",
    "compare",
    "criteria_dir",
    "criteria_schema",
    "dump",
    "dumps",
    "evaluate",
    "evaluate_frame",
    "evaluate_partial",
    "export_conformance",
    "get",
    "load",
    "loads",
    "next_band",
    "rank",
    "result_schema",
    "select",
    "sensitivity",
    "shift",
    "steps",
    "sweep",
    "verify",
    "with_overrides",
]
