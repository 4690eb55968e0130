"""The criteria language: from a criteria file to frozen models, and back.

Reading goes down this list, each module using only those after it:

* :mod:`~asnmerit.spec.versions` -- the bundled schemes, loaded: :func:`catalog`, :func:`get`;
* :mod:`~asnmerit.spec.loader` -- :func:`load`, :func:`loads`: parse, check, extend, build;
* :mod:`~asnmerit.spec.bundled` -- where the bundled files are, and the base an ``extends``
  names;
* :mod:`~asnmerit.spec.extend` -- files that build on another (``extends``, ``replace``);
* :mod:`~asnmerit.spec.build` -- schema-valid data to models, with the semantic checks;
  each section read by its own module (:mod:`~asnmerit.spec.inputs`,
  :mod:`~asnmerit.spec.conditions`, :mod:`~asnmerit.spec.nodes`, :mod:`~asnmerit.spec.bands`,
  :mod:`~asnmerit.spec.award`, :mod:`~asnmerit.spec.examples`,
  :mod:`~asnmerit.spec.crosscheck`) on the shared state of :mod:`~asnmerit.spec.context`,
  with :mod:`~asnmerit.spec.ranges` (score ranges) and :mod:`~asnmerit.spec.graph`
  (derivation cycles);
* :mod:`~asnmerit.spec.source` -- a file's bytes, its schema-valid document, its digest;
* :mod:`~asnmerit.spec.schema` -- the shipped JSON Schemas and their errors in plain words;
* :mod:`~asnmerit.spec.parse` -- safe, bounded YAML that remembers every value's position.

:mod:`~asnmerit.spec.dumper` writes loaded criteria back as a criteria file.
"""

from ..errors import DumpError
from .bundled import criteria_dir, criteria_files
from .dumper import dump, dumps
from .parse import Limits
from .schema import criteria_schema, result_schema

__all__ = [
    "DumpError",
    "Limits",
    "criteria_dir",
    "criteria_files",
    "criteria_schema",
    "dump",
    "dumps",
    "result_schema",
]
