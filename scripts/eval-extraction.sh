#!/usr/bin/env bash
# Scores extraction on the dev set of ../shared/eval: all articles, the tuning part and the
# held-back part (see docs/extraction.md), each ingested alone into a fresh database.
# The probe set (tests/fixtures/probe) is ten made-up articles in the styles of outlets and
# regions the dev set lacks, scored against its own gold: the figure closest to unseen text.
# usage: scripts/eval-extraction.sh [BIN] [--detail] [--only all|tune|held|noD23|probe]
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-target/release/coopgraph}; shift || true
SHARED=${SHARED:-../shared}
DETAIL=""; ONLY=""
while [ $# -gt 0 ]; do case $1 in --detail) DETAIL=--detail;; --only) ONLY=$2; shift;; esac; shift; done
HELD=d03,d06,d09,d12,d15,d18,d21,d24
ALL=$(ls "$SHARED"/eval/gold | sed 's/\.json$//' | paste -sd,)
TUNE=$(echo "$ALL" | tr , '\n' | grep -vxF -f <(echo "$HELD" | tr , '\n') | paste -sd,)
NOD23=$(echo "$ALL" | tr , '\n' | grep -vx d23 | paste -sd,)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
run() { # name ids
  python3 - "$SHARED/articles/articles.jsonl" "$2" > "$tmp/$1.jsonl" <<'PY'
import json, sys
ids = set(sys.argv[2].split(","))
for line in open(sys.argv[1]):
    if json.loads(line)["id"] in ids:
        sys.stdout.write(line)
PY
  "$BIN" --db "$tmp/$1.db" ingest "$tmp/$1.jsonl" >/dev/null 2>&1
  "$BIN" --db "$tmp/$1.db" export --format json -o "$tmp/$1.json" >/dev/null 2>&1
  echo "== $1"
  python3 "$SHARED/eval/score.py" "$tmp/$1.json" "$SHARED/eval/gold" --docs "$2" $DETAIL
}
probe() {
  "$BIN" --db "$tmp/probe.db" ingest tests/fixtures/probe/articles.jsonl >/dev/null 2>&1
  "$BIN" --db "$tmp/probe.db" export --format json -o "$tmp/probe.json" >/dev/null 2>&1
  echo "== probe"
  python3 "$SHARED/eval/score.py" "$tmp/probe.json" tests/fixtures/probe/gold $DETAIL
}
for s in all tune held noD23 probe; do
  [ -n "$ONLY" ] && [ "$ONLY" != "$s" ] && continue
  case $s in all) run all "$ALL";; tune) run tune "$TUNE";; held) run held "$HELD";; noD23) run noD23 "$NOD23";; probe) probe;; esac
done
