#!/usr/bin/env bash
# Kills `coopgraph import`, a multi-batch `coopgraph ingest` (group commit, automatic
# compactions) and `coopgraph compact` with SIGKILL at random points, KILLS times each
# (default 200), half into an empty database and half into a populated one, and checks
# after each kill that the database opens, passes `coopgraph check`, and holds all or
# none of each batch (every document whole or absent, nothing committed before lost).
#   scripts/crash-test.sh [KILLS]        COOPGRAPH_CRASH_SEED=N replays a run
set -euo pipefail
cd "$(dirname "$0")/.."
KILLS=${1:-200}
COOPGRAPH_CRASH_KILLS=$KILLS cargo test --release --test crash -- --nocapture
