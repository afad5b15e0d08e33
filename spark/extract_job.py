"""Distributed extraction on Apache Spark: runs `coopgraph extract` over each partition
of a set of articles and writes the extraction lines (docs/extractions-format.md) as
text part files, in input order; `coopgraph ingest --format extractions OUTPUT` then
builds the graph from them (one ordered writer, as identity needs).

    spark-submit --files target/release/coopgraph spark/extract_job.py \
        --input articles.jsonl --output extractions/

or, in local mode, `python spark/extract_job.py --coopgraph target/release/coopgraph ...`.
Input: JSON lines (`text` plus optional `id`, `title`, `url`, `published`: the fields
`coopgraph ingest` reads) or Parquet with those columns (`--input-format parquet`).
Give every article an `id`: an article without one is named after its line in its
partition, which depends on the split.

The binary reaches the executors as a Spark file (`--files` or `--coopgraph`, which adds
it with SparkContext.addFile) and each task runs it on its partition's lines through a
pipe, as RDD.pipe does, but resolving the binary's path on the executor
(SparkFiles.get) and failing the task if it exits non-zero. An article that cannot be
extracted is an error line in the output, not a failed task.
"""

import argparse
import os
import subprocess
import sys
import threading

from pyspark import SparkFiles
from pyspark.sql import SparkSession

BINARY = "coopgraph"


def pipe_partition(lines):
    """Runs `coopgraph extract` on one partition's article lines; yields its lines."""
    binary = SparkFiles.get(BINARY)
    if not os.access(binary, os.X_OK):
        os.chmod(binary, 0o755)
    proc = subprocess.Popen(
        [binary, "extract", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    failure = []

    def feed():
        try:
            for line in lines:
                proc.stdin.write(line.encode("utf-8") + b"\n")
        except BaseException as e:  # reported after the output is read
            failure.append(e)
        finally:
            proc.stdin.close()

    errors = []
    drain = threading.Thread(target=lambda: errors.append(proc.stderr.read()))
    feeder = threading.Thread(target=feed)
    drain.start()
    feeder.start()
    for out in proc.stdout:
        yield out.decode("utf-8").rstrip("\n")
    feeder.join()
    drain.join()
    code = proc.wait()
    if failure:
        raise failure[0]
    if code != 0:
        raise RuntimeError(
            f"coopgraph extract exited with {code}: {errors[0].decode('utf-8', 'replace')}"
        )


def article_lines(spark, path, input_format, partitions):
    """The articles at `path` as an RDD of JSON lines, in input order."""
    if input_format == "parquet":
        df = spark.read.parquet(path)
        cols = [c for c in ("id", "title", "url", "published", "text") if c in df.columns]
        df = df.select(*cols)
        if partitions:
            # coalesce keeps the input order (repartition would shuffle it); it can
            # only lower the number of partitions.
            df = df.coalesce(partitions)
        return df.toJSON()
    rdd = spark.sparkContext.textFile(path, minPartitions=partitions or None)
    return rdd.filter(lambda l: l.strip() != "")


def run(spark, input_path, output, coopgraph=None, input_format="jsonl", partitions=None):
    """Extracts the articles at `input_path` into text part files under `output`."""
    if coopgraph:
        spark.sparkContext.addFile(os.path.abspath(coopgraph))
    if __name__ != "__main__":
        # Imported (as by scripts/spark_check.py): the executors import this module.
        spark.sparkContext.addPyFile(os.path.abspath(__file__))
    lines = article_lines(spark, input_path, input_format, partitions)
    lines.mapPartitions(pipe_partition).saveAsTextFile(output)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--input", required=True, help="articles: JSON lines or Parquet (file or directory)")
    ap.add_argument("--output", required=True, help="a new directory for the extraction part files")
    ap.add_argument("--input-format", choices=["jsonl", "parquet"], default="jsonl")
    ap.add_argument("--coopgraph", help="the coopgraph binary (else give it with spark-submit --files)")
    ap.add_argument("--partitions", type=int, help="at least this many partitions (tasks)")
    ap.add_argument("--master", help="Spark master when not run by spark-submit, e.g. local[2]")
    a = ap.parse_args(argv)
    b = SparkSession.builder.appName("coopgraph-extract")
    if a.master:
        b = b.master(a.master)
    spark = b.getOrCreate()
    try:
        run(spark, a.input, a.output, a.coopgraph, a.input_format, a.partitions)
    finally:
        spark.stop()


if __name__ == "__main__":
    sys.exit(main())
