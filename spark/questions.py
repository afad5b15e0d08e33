"""Runs spark/questions.sql with Spark SQL over a `coopgraph export --format parquet`
directory and prints each answer as JSON (`{"Q1": [row, …], …}`, rows as objects with
dates as "YYYY-MM-DD"), the shape of `coopgraph query --format json`.

    python spark/questions.py --parquet DIR [--country Vietnam] [--master local[2]]
"""

import argparse
import datetime
import glob
import json
import os
import re
import sys
import time

from pyspark.sql import SparkSession

SQL = os.path.join(os.path.dirname(os.path.abspath(__file__)), "questions.sql")


def statements(path=SQL):
    """The named statements of questions.sql, in order: {name: sql}."""
    text = open(path, encoding="utf-8").read()
    out = {}
    parts = re.split(r"^-- name: *(\S+) *$", text, flags=re.M)
    for name, body in zip(parts[1::2], parts[2::2]):
        out[name] = body.strip().rstrip(";").strip()
    return out


def register(spark, parquet_dir):
    """Registers every table of the export as a view named after its file."""
    files = sorted(glob.glob(os.path.join(parquet_dir, "*.parquet")))
    if not files:
        raise SystemExit(f"{parquet_dir}: no .parquet files (coopgraph export --format parquet -o DIR)")
    for f in files:
        name = os.path.basename(f)[: -len(".parquet")]
        spark.read.parquet(f).createOrReplaceTempView(name)


def plain(v):
    """A Spark value as coopgraph's JSON writes it."""
    if isinstance(v, (datetime.date, datetime.datetime)):
        return v.isoformat()[:10]
    if isinstance(v, list):
        return [plain(x) for x in v]
    return v


def answer(spark, sql, params):
    """Runs one statement; returns its rows as dicts, and the seconds it took."""
    t = time.perf_counter()
    used = {k: v for k, v in params.items() if ":" + k in sql}
    rows = spark.sql(sql, args=used).collect()
    took = time.perf_counter() - t
    return [{k: plain(v) for k, v in r.asDict().items()} for r in rows], took


def run(spark, parquet_dir, country="Vietnam", only=None):
    """The answers of the questions (all, or the names in `only`): {name: (rows, s)}."""
    register(spark, parquet_dir)
    out = {}
    for name, sql in statements().items():
        if only and name not in only:
            continue
        out[name] = answer(spark, sql, {"country": country})
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--parquet", required=True, help="the directory of the Parquet export")
    ap.add_argument("--country", default="Vietnam", help="the country of Q1's ministry")
    ap.add_argument("--only", nargs="*", help="question names (Q1 Q3 …)")
    ap.add_argument("--master", help="Spark master when not run by spark-submit, e.g. local[2]")
    ap.add_argument("--times", action="store_true", help="also print each question's seconds on stderr")
    a = ap.parse_args(argv)
    b = SparkSession.builder.appName("coopgraph-questions")
    if a.master:
        b = b.master(a.master)
    spark = b.getOrCreate()
    try:
        res = run(spark, a.parquet, a.country, a.only)
    finally:
        spark.stop()
    json.dump({k: rows for k, (rows, _) in res.items()}, sys.stdout, ensure_ascii=False)
    print()
    if a.times:
        for k, (_, s) in res.items():
            print(f"{k}: {s:.2f} s", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
