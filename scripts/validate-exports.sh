#!/usr/bin/env bash
# Validates coopgraph's export formats with the programs that consume them:
#   NetworkX reads the GraphML and the GEXF; Graphviz renders the DOT; rdflib parses the
#   N-Triples and the Turtle and answers SPARQL counts; headless Chromium opens the HTML
#   page offline; Kuzu loads the CSV and answers a question as coopgraph does.
# Two graphs are exported: the seed articles, and tests/fixtures/evil.json, whose names
# and sentences try to break out of every format.
#
# Python packages go into a venv ($COOPGRAPH_VENV, default /tmp/coopgraph-venv).
# Graphviz and Chromium are installed with apt-get when missing and running as root;
# Chromium is skipped with a message if it cannot be installed.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
VENV=${COOPGRAPH_VENV:-/tmp/coopgraph-venv}

cargo build --quiet
BIN=$CARGO_TARGET_DIR/debug/coopgraph

apt_install() {
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "validate-exports: installing $* with apt-get" >&2
        (apt-get install -y "$@" >/dev/null 2>&1 || { apt-get update >/dev/null 2>&1 && apt-get install -y "$@" >/dev/null 2>&1; }) || true
    fi
}

if ! command -v dot >/dev/null; then apt_install graphviz; fi
command -v dot >/dev/null || { echo "validate-exports: Graphviz's dot is missing and could not be installed" >&2; exit 1; }

CHROMIUM=""
for c in chromium chromium-browser google-chrome; do
    if command -v "$c" >/dev/null; then CHROMIUM=$(command -v "$c"); break; fi
done
if [ -z "$CHROMIUM" ]; then
    apt_install chromium
    CHROMIUM=$(command -v chromium || true)
fi
if [ -z "$CHROMIUM" ]; then
    echo "validate-exports: SKIPPING the html checks: Chromium is not installed and could not be installed (apt-get install chromium, as root)" >&2
fi

if [ ! -x "$VENV/bin/python" ]; then python3 -m venv "$VENV"; fi
if ! "$VENV/bin/python" -c "import networkx, rdflib, kuzu; assert kuzu.__version__ == '0.11.3'" 2>/dev/null; then
    "$VENV/bin/pip" install --quiet networkx rdflib kuzu==0.11.3
fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

export_all() { # db dir
    local db=$1 out=$2
    mkdir -p "$out"
    for f in json jsonl cypher graphml gexf dot svg html ntriples turtle; do
        "$BIN" --db "$db" export --format "$f" -o "$out/graph.$f" 2>/dev/null
    done
    # The csv layout is for bulk loaders (Kuzu below): exact cells, as docs/reliability.md says.
    "$BIN" --db "$db" export --format csv --csv-raw -o "$out/csv" 2>/dev/null
}

"$BIN" --db "$WORK/seeds.db" ingest seeds/ >/dev/null 2>&1
export_all "$WORK/seeds.db" "$WORK/seeds"
"$BIN" --db "$WORK/evil.db" import tests/fixtures/evil.json 2>/dev/null
export_all "$WORK/evil.db" "$WORK/evil"

CHROMIUM="$CHROMIUM" "$VENV/bin/python" scripts/validate_exports.py "$WORK/seeds" "$WORK/evil"
