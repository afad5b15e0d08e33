#!/usr/bin/env bash
# Kills `coopgraph import` with SIGKILL at random points, KILLS times (default 200),
# half into an empty database (bulk snapshot path) and half into a populated one
# (logged batch path), and checks after each kill that the database opens, passes
# `coopgraph check`, and holds all or none of the batch.
#   scripts/crash-test.sh [KILLS]        COOPGRAPH_CRASH_SEED=N replays a run
set -euo pipefail
cd "$(dirname "$0")/.."
KILLS=${1:-200}
COOPGRAPH_CRASH_KILLS=$KILLS cargo test --release --test crash -- --nocapture
