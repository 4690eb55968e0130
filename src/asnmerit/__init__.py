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

from .bands import ScoreOutOfRangeError
from .catalog import SchemeInfo, catalog, criteria_dir, get
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
from .load import criteria_schema, load, loads
from .model import Band, Criteria
from .parse import Limits

__version__ = "0.1.0"

__all__ = [
    "AsnmeritError",
    "Band",
    "Component",
    "Criteria",
    "CriteriaError",
    "Evaluation",
    "EvaluationError",
    "Ineligibility",
    "InputError",
    "InputIssue",
    "Limits",
    "Problem",
    "SchemeInfo",
    "SchemeNotFoundError",
    "ScoreOutOfRangeError",
    "ScoreWarning",
    "__version__",
    "catalog",
    "criteria_dir",
    "criteria_schema",
    "evaluate",
    "get",
    "load",
    "loads",
]
