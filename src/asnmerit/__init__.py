"""asnmerit: Indonesia's civil-service (ASN) management instruments as cited, validated
data, and an exact, explainable scoring engine.

>>> import asnmerit
>>> ip = asnmerit.get("ip-asn")
>>> ev = asnmerit.evaluate(ip, {"jenis_jabatan": "pelaksana", "pendidikan": "SLTA",
...     "diklat_teknis_20jp": True, "seminar": True, "predikat_kinerja": "baik",
...     "hukuman_disiplin": "tidak_ada"})
>>> ev.score, ev.band.code
(Decimal('75.0'), 'sedang')

The names here are the stable surface; the rest lives under namespaces:
:mod:`asnmerit.whatif` (partial records, the next band, scenarios), :mod:`asnmerit.conformance`
(the corpus for other implementations), :mod:`asnmerit.plot`, :mod:`asnmerit.spec` (the
criteria language: parsing, dumping, limits) and :mod:`asnmerit.errors`. The architecture
page of the documentation shows where every part lives.
"""

import importlib as _importlib
from typing import Any as _Any

from . import _compat
from ._version import __version__
from .analysis.aggregation import Aggregate, GroupResult, aggregate
from .analysis.comparison import Comparison, compare
from .analysis.ranking import Exclusion, Placing, RankGroup, Ranking, rank
from .analysis.selection import Candidate, Selection, select
from .analysis.verification import Verification, verify
from .columnar import evaluate_frame
from .engine.batch import evaluate_records
from .engine.evaluator import evaluate
from .errors import (
    AsnmeritError,
    ColumnsError,
    CriteriaError,
    EvaluationError,
    InputError,
    InputIssue,
    Problem,
    RecordsError,
    ResultsError,
    SchemeNotFoundError,
    ScoreOutOfRangeError,
    UnreadColumnsWarning,
)
from .files.profile import ReadingProfile, load_profile
from .files.records import read_records
from .model import Band, Criteria, Rounding
from .results import Component, Evaluation, Ineligibility, RowResult, ScoreWarning, to_json
from .spec.loader import load, loads
from .spec.schema import criteria_schema, result_schema
from .spec.versions import SchemeInfo, catalog, get

_NAMESPACES = frozenset({"conformance", "plot", "spec", "whatif"})


def __getattr__(name: str) -> _Any:
    # The namespaces are imported on first use: ``asnmerit.whatif.sweep`` after ``import asnmerit``.
    if name in _NAMESPACES:
        return _importlib.import_module(f"{__name__}.{name}")
    return _compat.moved_name(name)


__all__ = [
    "Aggregate",
    "AsnmeritError",
    "Band",
    "Candidate",
    "ColumnsError",
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
    "Placing",
    "Problem",
    "RankGroup",
    "Ranking",
    "ReadingProfile",
    "RecordsError",
    "ResultsError",
    "Rounding",
    "RowResult",
    "SchemeInfo",
    "SchemeNotFoundError",
    "ScoreOutOfRangeError",
    "ScoreWarning",
    "Selection",
    "UnreadColumnsWarning",
    "Verification",
    "__version__",
    "aggregate",
    "catalog",
    "compare",
    "criteria_schema",
    "evaluate",
    "evaluate_frame",
    "evaluate_records",
    "get",
    "load",
    "load_profile",
    "loads",
    "rank",
    "read_records",
    "result_schema",
    "select",
    "to_json",
    "verify",
]
