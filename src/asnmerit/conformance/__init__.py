"""The conformance corpus: every bundled scheme with input vectors and the outputs they must
give, as plain JSON, so that another implementation (in any language) can prove it computes
the same.

:func:`export` writes the corpus into a folder, :func:`check` runs this implementation
against one, :func:`cases` gives the cases of one scheme version; :func:`index_schema` and
:func:`cases_schema` are the shipped JSON Schemas of its files.
"""

from ..errors import ConformanceError
from .checking import CheckReport, Failure, check
from .corpus import cases_schema, export, index_schema
from .vectors import cases

__all__ = [
    "CheckReport",
    "ConformanceError",
    "Failure",
    "cases",
    "cases_schema",
    "check",
    "export",
    "index_schema",
]
