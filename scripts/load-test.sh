#!/usr/bin/env bash
# Load test of `coopgraph serve` on loopback (docs/performance.md): 32 Bolt and 8 HTTP
# clients running Q1-Q5 of ../shared/bench for 60 s on its SCALE graph, then the same
# while 1,000 synthetic articles are ingested through the server. Not run by CI.
#
#   scripts/load-test.sh [SCALE] [SECONDS]        # defaults: 1.0 60
#
# Generates /tmp/bench-data-SCALE as ../shared/bench does if it is missing, imports it
# once into $LOAD_WORK (default /tmp/coopgraph-load-SCALE), prints two JSON summaries.
set -euo pipefail
SCALE=${1:-1.0}
SECS=${2:-60}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH=$ROOT/../shared/bench
DATA=/tmp/bench-data-$SCALE
WORK=${LOAD_WORK:-/tmp/coopgraph-load-$SCALE}
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
BIN=$TARGET/release/coopgraph
cd "$ROOT"
cargo build --release --bin coopgraph --example load_server --example gen_articles
mkdir -p "$WORK"
if [ ! -f "$DATA/graph.json" ]; then
    python3 "$BENCH/gen_graph.py" "$SCALE" "$DATA"
fi
if [ ! -d "$WORK/db" ]; then
    "$BIN" --db "$WORK/db" import --format json "$DATA/graph.json"
fi
python3 - "$BENCH" "$DATA/meta.json" > "$WORK/queries.cql" <<'PY'
import json, sys
sys.path.insert(0, sys.argv[1])
from queries import QUERIES, text
params = json.load(open(sys.argv[2]))["params"]
for q in QUERIES:
    if not q.get("extra"):
        print(f"// {q['id']}: {q['title']}\n{text(q, 'coopgraph', params)};")
PY
"$TARGET/release/examples/gen_articles" --count 1000 --seed 14 > "$WORK/articles.jsonl"
LOAD=$TARGET/release/examples/load_server
echo "== $SECS s, 32 Bolt + 8 HTTP clients, SCALE $SCALE" >&2
"$LOAD" --bin "$BIN" --db "$WORK/db" --queries "$WORK/queries.cql" --seconds "$SECS" --bolt 32 --http 8
echo "== the same while 1,000 articles are ingested through the server" >&2
rm -rf "$WORK/db-ingest"
cp -a "$WORK/db" "$WORK/db-ingest"
"$LOAD" --bin "$BIN" --db "$WORK/db-ingest" --queries "$WORK/queries.cql" --seconds "$SECS" \
    --bolt 32 --http 8 --ingest "$WORK/articles.jsonl"
rm -rf "$WORK/db-ingest"
