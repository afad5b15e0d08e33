"""Timings of the Spark path for docs/performance.md (scripts/spark-bench.sh runs it):

- `extract`: spark/extract_job.py on ARTICLES with local[N] for each N of --cores, after
  a warm-up job of --tiny articles that gives Spark's fixed cost per job; prints the
  session start, the tiny job and the full job, in seconds, as JSON lines.
- `question`: a named statement of spark/questions.sql on a Parquet export, the first
  (cold) run and the median of --runs more.

    python scripts/spark_bench.py extract --coopgraph BIN --articles A.jsonl --cores 1 2
    python scripts/spark_bench.py question --parquet DIR --name bench_Q2 --cores 2
"""

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "spark"))
sys.path.insert(0, os.path.join(ROOT, "scripts"))

import extract_job  # noqa: E402
import questions  # noqa: E402
from spark_check import session  # noqa: E402


def bench_extract(a):
    work = tempfile.mkdtemp(prefix="spark-bench-", dir=a.work)
    tiny = os.path.join(work, "tiny.jsonl")
    with open(a.articles, encoding="utf-8") as src, open(tiny, "w", encoding="utf-8") as out:
        for _, line in zip(range(a.tiny), src):
            out.write(line)
    for cores in a.cores:
        t = time.perf_counter()
        spark = session(f"local[{cores}]")
        started = time.perf_counter() - t
        parallelism = spark.sparkContext.defaultParallelism
        try:
            t = time.perf_counter()
            extract_job.run(spark, tiny, os.path.join(work, f"tiny-{cores}"), a.coopgraph, partitions=cores)
            tiny_s = time.perf_counter() - t
            out = os.path.join(work, f"x-{cores}")
            t = time.perf_counter()
            extract_job.run(spark, a.articles, out, None, partitions=a.partitions)
            full_s = time.perf_counter() - t
        finally:
            spark.stop()
        lines = sum(
            sum(1 for _ in open(os.path.join(out, f), encoding="utf-8"))
            for f in os.listdir(out)
            if f.startswith("part-")
        )
        print(json.dumps({
            "cores": cores, "session_s": round(started, 2), "tiny_job_s": round(tiny_s, 2),
            "tiny_articles": a.tiny, "job_s": round(full_s, 2), "lines": lines,
            "articles_per_s": round(lines / full_s, 1), "partitions": a.partitions,
            "parallelism": parallelism, "loadavg_1min_after": os.getloadavg()[0],
        }), flush=True)
    shutil.rmtree(work)


def bench_question(a):
    spark = session(f"local[{a.cores[0]}]")
    try:
        questions.register(spark, a.parquet)
        sql = questions.statements()[a.name]
        params = {"country": a.country}
        rows, cold = questions.answer(spark, sql, params)
        warm = [questions.answer(spark, sql, params)[1] for _ in range(a.runs)]
    finally:
        spark.stop()
    print(json.dumps({
        "name": a.name, "cores": a.cores[0], "rows": len(rows), "answer": rows,
        "cold_s": round(cold, 2), "median_s": round(statistics.median(warm), 2),
        "min_s": round(min(warm), 2), "runs": a.runs,
    }, ensure_ascii=False), flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=["extract", "question"])
    ap.add_argument("--coopgraph")
    ap.add_argument("--articles")
    ap.add_argument("--cores", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--partitions", type=int, default=8)
    ap.add_argument("--tiny", type=int, default=10)
    ap.add_argument("--work", default=None)
    ap.add_argument("--parquet")
    ap.add_argument("--name", default="bench_Q2")
    ap.add_argument("--country", default="Vietnam")
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()
    bench_extract(a) if a.what == "extract" else bench_question(a)


if __name__ == "__main__":
    main()
