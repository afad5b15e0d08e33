#!/usr/bin/env bash
# The main job on a fresh clone: build coopgraph, ingest the seed articles into the
# default database (./coopgraph.db, or $COOPGRAPH_DB), and answer the analyst questions
# of examples/questions.cql.
set -euo pipefail
cd "$(dirname "$0")/.."
# Say what is happening before cargo's first line: a fresh build is quiet for a while.
echo "building coopgraph (first run takes a few minutes)…" >&2
cargo build --release
CG=target/release/coopgraph
$CG ingest seeds/ --meta examples/seeds-meta.jsonl
$CG stats
if [ -f examples/questions.cql ] && $CG run --help >/dev/null 2>&1; then
    $CG run examples/questions.cql --format table
else
    # Until the query engine lands: show why the graph holds what it holds.
    $CG explain "Lương Tam Quang"
fi
