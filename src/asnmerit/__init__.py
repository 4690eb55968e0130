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

from .aggregate import Aggregate, GroupResult, aggregate
from .bands import ScoreOutOfRangeError
from .catalog import SchemeInfo, catalog, criteria_dir, get
from .compare import Comparison, compare
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
from .parse import Limits
from .rank import Exclusion, Placing, RankGroup, Ranking, rank
from .selection import Candidate, Selection, select

__version__ = "0.1.0"

__all__ = [
    "Aggregate",
    "AsnmeritError",
    "Band",
    "Candidate",
    "Comparison",
    "Component",
    "Criteria",
    "CriteriaError",
    "Evaluation",
    "EvaluationError",
    "Exclusion",
    "GroupResult",
    "Ineligibility",
    "InputError",
    "InputIssue",
    "Limits",
    "Placing",
    "Problem",
    "RankGroup",
    "Ranking",
    "Rounding",
    "SchemeInfo",
    "SchemeNotFoundError",
    "ScoreOutOfRangeError",
    "ScoreWarning",
    "Selection",
    "__version__",
    "aggregate",
    "catalog",
    "compare",
    "criteria_dir",
    "criteria_schema",
    "evaluate",
    "get",
    "load",
    "loads",
    "rank",
    "result_schema",
    "select",
]
