"""Score posts on Spark and write Parquet partitioned by label.

    spark-submit examples/spark_job.py INPUT OUTPUT [--text-column text] [--id-column id] [--model DIR]

INPUT is a Parquet folder/file or a JSONL file (by extension). Run it locally
with ``python examples/spark_job.py examples/posts.parquet /tmp/scored`` (Spark
in local mode), or with spark-submit on a cluster where adclassify is
installed on every executor (``pip install "adclassify[spark]"``).
"""

from __future__ import annotations

import argparse

from pyspark.sql import SparkSession

from adclassify.spark import score_dataframe


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("input")
    parser.add_argument("output")
    parser.add_argument("--text-column", default="text")
    parser.add_argument("--id-column", default=None)
    parser.add_argument("--model", default="default")
    parser.add_argument("--master", default=None, help="e.g. local[2]; spark-submit sets it otherwise")
    args = parser.parse_args(argv)

    builder = SparkSession.builder.appName("adclassify-score")
    if args.master:
        builder = builder.master(args.master)
    spark = builder.getOrCreate()
    reader = spark.read.json if args.input.endswith((".jsonl", ".json")) else spark.read.parquet
    scored = score_dataframe(reader(args.input), args.text_column, args.id_column, model=args.model)
    scored.write.mode("overwrite").partitionBy("label").parquet(args.output)
    counts = spark.read.parquet(args.output).groupBy("label", "flagged").count().orderBy("label", "flagged")
    for row in counts.collect():
        print(f"{row['label']}\t{row['flagged'] or '-'}\t{row['count']}")
    spark.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
