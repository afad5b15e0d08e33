#!/usr/bin/env bash
# The Spark test (.ci/run runs it): extraction of ../shared/articles (articles.jsonl)
# and ../shared/seeds on Spark in local[2] mode (spark/extract_job.py), ingest of its
# output, and a byte-identical JSON export compared with a plain `coopgraph ingest` of
# the same articles; then the four questions of spark/questions.sql on the Parquet
# export, equal to `coopgraph query`'s answers. Makes its venv with
# scripts/spark-venv.sh. Uses the debug binary (cargo build) unless COOPGRAPH_BIN.
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET=${CARGO_TARGET_DIR:-$PWD/target}
PY=$(scripts/spark-venv.sh)
if [ -z "${COOPGRAPH_BIN:-}" ]; then
    cargo build --quiet
    COOPGRAPH_BIN=$TARGET/debug/coopgraph
fi
SHARED=../shared
WORK=$TARGET/spark-test
rm -rf "$WORK"
mkdir -p "$WORK"
# The seeds are .txt files: as JSON lines, id the file name (what ingest names them).
"$PY" - "$SHARED/seeds" "$SHARED/articles/articles.jsonl" > "$WORK/articles.jsonl" <<'PYEOF'
import json, os, sys
seeds, articles = sys.argv[1], sys.argv[2]
for f in sorted(os.listdir(seeds)):
    if f.endswith(".txt"):
        text = open(os.path.join(seeds, f), encoding="utf-8").read()
        print(json.dumps({"id": f[:-4], "text": text}, ensure_ascii=False))
sys.stdout.write(open(articles, encoding="utf-8").read())
PYEOF
# The reference: a plain ingest of the original files.
"$COOPGRAPH_BIN" --db "$WORK/db-plain" ingest "$SHARED/seeds" "$SHARED/articles/articles.jsonl" 2>/dev/null
export PYSPARK_PYTHON=$PY
"$PY" scripts/spark_check.py --coopgraph "$COOPGRAPH_BIN" --work "$WORK" \
    --plain-db "$WORK/db-plain" "$WORK/articles.jsonl"
