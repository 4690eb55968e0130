"""Files: reading subject records, writing result tables, scoring a file of any length.

* :mod:`~asnmerit.files.records` -- :func:`~asnmerit.read_records` and the chunked readers of
  CSV, Parquet, Excel, JSON and YAML;
* :mod:`~asnmerit.files.tables` -- writers of CSV, JSON, Parquet and Excel, a row at a time;
* :mod:`~asnmerit.files.stream` -- :func:`~asnmerit.files.stream.evaluate_file`: read, score
  and write a chunk at a time;
* :mod:`~asnmerit.files.atomic` -- files replaced whole or not at all.
"""
