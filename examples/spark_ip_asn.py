"""Score IP ASN employees with Spark: ``mapInArrow`` and ``asnmerit.evaluate_frame``.

Run (pyspark, pyarrow and Java installed; asnmerit importable by the workers' Python)::

    python examples/spark_ip_asn.py [CSV] [--out DIR] [--batch ROWS]

CSV defaults to asnmerit's synthetic demo agency. Spark reads every column as text and a
blank cell as null, which asnmerit takes as missing. Each Arrow record batch of a
partition is scored by one call of ``evaluate_frame``, which returns a record batch of the
same rows: the identifier columns, ``score`` (an exact decimal), ``band``, ``eligible`` and
``error`` (null for a scored row). The output schema is spelled out below; prints the
count per band and the refused rows, and with ``--out`` writes every scored row as Parquet.

Duplicate NIPs are found within a batch only: see ``shared_nips`` and the how-to
(docs/how-to/dask-spark.md).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from typing import Any

import asnmerit

SCHEME = "ip-asn"
IDENTIFIERS = ["nip", "nama", "instansi", "unit_kerja", "status"]


def output_schema() -> Any:
    """What ``score_batches`` yields, as Spark sees it: the identifiers the input has,
    then the result columns of ``evaluate_frame``."""
    from pyspark.sql.types import BooleanType, DecimalType, StringType, StructField, StructType

    return StructType(
        [
            *(StructField(name, StringType()) for name in IDENTIFIERS),
            # IP ASN scores run from 3.0 to 100.0, rounded to one place: decimal(4, 1).
            StructField("score", DecimalType(4, 1)),
            StructField("band", StringType()),
            StructField("eligible", BooleanType()),
            StructField("error", StringType()),
        ]
    )


def score_batches(batches: Iterator[Any]) -> Iterator[Any]:
    """The ``mapInArrow`` function: one scored record batch per input batch, row for row."""
    from pyspark.sql.pandas.types import to_arrow_schema

    criteria = asnmerit.get(SCHEME)  # loaded once per task, on the worker
    schema = to_arrow_schema(output_schema())
    for batch in batches:
        # evaluate_frame sizes its decimal column to the values of the batch: cast it to
        # the declared decimal(4, 1) so that every batch has the one schema Spark expects.
        yield asnmerit.evaluate_frame(criteria, batch, keep=IDENTIFIERS).cast(schema)


def score(employees: Any) -> Any:
    """A Spark DataFrame of employees (text columns) scored, row for row."""
    return employees.mapInArrow(score_batches, output_schema())


def shared_nips(employees: Any) -> Any:
    """The NIPs (without surrounding spaces) that more than one row holds, with their
    counts: a batch sees only its own rows, so check the whole table first."""
    from pyspark.sql import functions as F

    nip = F.trim(F.col("nip")).alias("nip")
    return employees.groupBy(nip).count().filter("count > 1")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", nargs="?", help="employees' CSV (default: the demo agency)")
    parser.add_argument("--out", help="write the scored rows as Parquet to this directory")
    parser.add_argument("--batch", type=int, default=10_000, help="rows per Arrow batch")
    args = parser.parse_args(argv)

    # Run the local workers on this interpreter, which has asnmerit (on a cluster, install
    # asnmerit on every worker instead).
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    from asnmerit.cli.demo import sample_path

    spark = (
        SparkSession.builder.master("local[2]")
        .appName("asnmerit-ip-asn")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", str(args.batch))
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )
    try:
        employees = spark.read.csv(args.csv or str(sample_path()), header=True)
        shared = shared_nips(employees).collect()
        if shared:
            print(f"{len(shared)} NIP(s) held by more than one row:", file=sys.stderr)
            for row in shared:
                print(f"  {row['nip']}: {row['count']} rows", file=sys.stderr)
        scored = score(employees)
        if args.out:
            scored.write.mode("overwrite").parquet(args.out)
            scored = spark.read.parquet(args.out)
        scored.groupBy("band").count().orderBy("band").show()
        scored.filter("error is not null").select("nip", "error").show(truncate=False)
    finally:
        spark.stop()
    return 1 if shared else 0


if __name__ == "__main__":
    sys.exit(main())
