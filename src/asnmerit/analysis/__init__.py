"""Working with results (evaluations, row results, and the tables ``evaluate_frame`` returns).

* :mod:`~asnmerit.analysis.ranking` -- :func:`~asnmerit.rank`: winners per group, ties, who
  is excluded and why; :mod:`~asnmerit.analysis.placings` -- what a ranking holds, and the
  placing of subjects under a tie policy;
* :mod:`~asnmerit.analysis.agencies` -- agencies ranked by their aggregated index within
  regional offices, provinces or any attribute; :mod:`~asnmerit.analysis.lookups` -- the
  lookup tables their attributes come from (the shipped BKN regional offices);
* :mod:`~asnmerit.analysis.selection` -- :func:`~asnmerit.select`: an award's stages;
* :mod:`~asnmerit.analysis.aggregation` -- :func:`~asnmerit.aggregate`: agency indices from
  employees;
* :mod:`~asnmerit.analysis.comparison` -- :func:`~asnmerit.compare`: one subject across periods;
* :mod:`~asnmerit.analysis.verification` -- :func:`~asnmerit.verify`: stored results recomputed;
* :mod:`~asnmerit.analysis.examples` -- the examples inside criteria files, run;
* :mod:`~asnmerit.analysis.grouping` -- the key a field's value groups subjects by;
* :mod:`~asnmerit.analysis.scored` -- result tables (pandas, polars, pyarrow) read a column
  at a time.
"""
