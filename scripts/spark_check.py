"""The Spark test (scripts/spark-test.sh runs it): in one local Spark session,
extracts the articles with spark/extract_job.py (from JSON lines and from Parquet),
ingests the extractions with `coopgraph ingest --format extractions` and checks that
the JSON export equals the one of a plain `coopgraph ingest` of the same articles byte
for byte; then runs spark/questions.sql on the Parquet export and checks the answers
against `coopgraph query --format json` of the same questions of examples/questions.cql.

    python scripts/spark_check.py --coopgraph BIN --work DIR --plain-db DB ARTICLES.jsonl
"""

import argparse
import json
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "spark"))

import extract_job  # noqa: E402
import questions  # noqa: E402


def session(master="local[2]"):
    """A quiet local Spark session without its web UI."""
    from pyspark.sql import SparkSession

    log4j = os.path.join(ROOT, "spark", "log4j2.properties")
    return (
        SparkSession.builder.master(master)
        .appName("coopgraph-spark-test")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.driver.extraJavaOptions", f"-Dlog4j2.configurationFile=file:{log4j}")
        .getOrCreate()
    )


def cg(binary, db, *args, stdin=None):
    """Runs coopgraph; returns its standard output (fails the check if it fails)."""
    p = subprocess.run([binary, "--db", db, *args], capture_output=True, input=stdin)
    if p.returncode != 0:
        sys.exit(f"coopgraph {' '.join(args)} failed ({p.returncode}): {p.stderr.decode()}")
    return p.stdout


def cypher_questions(path):
    """The statements of examples/questions.cql by name (Q1, Q3b, …): the lines after a
    `// Qn.` comment, up to the one ending with `;`."""
    out, name, lines = {}, None, []
    for line in open(path, encoding="utf-8"):
        m = re.match(r"// (Q\w+)\.", line)
        if m:
            name, lines = m.group(1), []
        elif name and not line.lstrip().startswith("//"):
            lines.append(line)
            if line.rstrip().endswith(";"):
                out[name] = "".join(lines).strip().rstrip(";")
                name = None
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--coopgraph", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--plain-db", required=True, help="a database made by plain `coopgraph ingest` of the articles")
    ap.add_argument("articles", help="the same articles as JSON lines")
    a = ap.parse_args()
    binary, work = os.path.abspath(a.coopgraph), os.path.abspath(a.work)
    t0 = time.perf_counter()
    spark = session()
    started = time.perf_counter() - t0
    failures = []
    try:
        plain = cg(binary, a.plain_db, "export", "--format", "json")
        # Extraction on Spark, from JSON lines (3 partitions) and from Parquet.
        jsonl_out = os.path.join(work, "x-jsonl")
        t = time.perf_counter()
        extract_job.run(spark, a.articles, jsonl_out, binary, "jsonl", partitions=3)
        took_jsonl = time.perf_counter() - t
        pq_in = os.path.join(work, "articles-parquet")
        spark.read.json(a.articles).coalesce(1).write.parquet(pq_in)
        pq_out = os.path.join(work, "x-parquet")
        extract_job.run(spark, pq_in, pq_out, None, "parquet")
        parts = [f for f in os.listdir(jsonl_out) if f.startswith("part-")]
        for name, out in [("jsonl", jsonl_out), ("parquet", pq_out)]:
            db = os.path.join(work, f"db-{name}")
            cg(binary, db, "ingest", "--format", "extractions", out)
            via = cg(binary, db, "export", "--format", "json")
            ok = via == plain
            print(f"spark extraction from {name}: export {'identical' if ok else 'DIFFERS'} ({len(via)} bytes)")
            if not ok:
                failures.append(f"extraction from {name}")
        print(f"  ({len(parts)} part files; Spark session {started:.1f} s, JSONL extraction job {took_jsonl:.1f} s)")

        # The questions on the Parquet export.
        pq = os.path.join(work, "export-parquet")
        cg(binary, a.plain_db, "export", "--format", "parquet", "-o", pq)
        cypher = cypher_questions(os.path.join(ROOT, "examples", "questions.cql"))
        asked = [n for n in questions.statements() if n in cypher]
        if len(asked) < 4:
            failures.append(f"only {asked} of spark/questions.sql are in examples/questions.cql")
        for name, (rows, secs) in questions.run(spark, pq, "Vietnam", asked).items():
            want = json.loads(cg(binary, a.plain_db, "query", "--format", "json", cypher[name]))
            ok = rows == want
            print(f"{name}: {len(rows)} rows, {'equal' if ok else 'DIFFER'} ({secs:.2f} s in Spark SQL)")
            if not ok:
                failures.append(name)
                print(f"  spark:     {json.dumps(rows, ensure_ascii=False)}")
                print(f"  coopgraph: {json.dumps(want, ensure_ascii=False)}")
            if not rows:
                failures.append(f"{name} has no rows: the check would prove nothing")
    finally:
        spark.stop()
    if failures:
        sys.exit("spark test failed: " + ", ".join(failures))
    print(f"spark test passed in {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
