"""Faces for people: the HTML report of a batch, its SVG charts, a scheme at a glance, and
the reference pages of the documentation.

* :mod:`~asnmerit.present.reports` -- one self-contained HTML report, Indonesian or English;
* :mod:`~asnmerit.present.svg` -- small deterministic inline charts;
* :mod:`~asnmerit.present.show` -- a scheme's inputs, score tree and bands;
* :mod:`~asnmerit.present.docgen` -- Markdown reference pages from the criteria and schemas.

Plots for notebooks are :mod:`asnmerit.plot`; the text and HTML of single results are
:mod:`asnmerit._render`.
"""
