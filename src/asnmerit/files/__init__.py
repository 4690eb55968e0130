"""Files: reading subject records, writing result tables, scoring a file of any length.

* :mod:`~asnmerit.files.profile` -- reading profiles: how to read one HR system's files
  (sheet, header row, encoding, separator, decimal mark, columns, value spellings);
* :mod:`~asnmerit.files.columns` -- headers matched to fields by meaning, the columns not
  read, the value maps (below the columnar engine, which uses them too);
* :mod:`~asnmerit.files.records` -- :func:`~asnmerit.read_records` and the tables opened
  for reading, over the readers of
* :mod:`~asnmerit.files.delimited` (CSV, strictly), :mod:`~asnmerit.files.sheets` (Excel and
  Parquet), with :mod:`~asnmerit.files.rows` (chunks of rows, a row as a record) and
  :mod:`~asnmerit.files.spool` (records through a pipe, read once);
* :mod:`~asnmerit.files.tables` -- writers of CSV, JSON, Parquet and Excel, a row at a time;
* :mod:`~asnmerit.files.stream` -- :func:`~asnmerit.files.stream.evaluate_file`: read, score
  and write a chunk at a time;
* :mod:`~asnmerit.files.atomic` -- files replaced whole or not at all.
"""
