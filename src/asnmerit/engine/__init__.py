"""The scalar engine, the reference for every number: a pure function of criteria, a subject
record and options.

* :mod:`~asnmerit.engine.intake` -- a record taken in: fields split into inputs and
  identifiers, values coerced, every problem collected; rows that share an identifier;
* :mod:`~asnmerit.engine.evaluator` -- :func:`~asnmerit.evaluate`: one subject, its score tree,
  band, eligibility and warnings;
* :mod:`~asnmerit.engine.batch` -- :func:`~asnmerit.evaluate_records`: many records, each a
  result or an error, in input order;
* :mod:`~asnmerit.engine.bands` -- how many results fall in each band.

It imports the model and the results, never files, analysis or faces.
"""
