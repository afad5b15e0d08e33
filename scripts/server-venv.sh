#!/usr/bin/env bash
# Makes the Python venv that tests/server.rs drives `coopgraph serve` with: the official
# neo4j driver, and Neo4j Labs' neo4j-cli (a Go Bolt client shipped on PyPI), pinned. Idempotent and quiet when the venv is ready; prints the path of
# its python. The venv lives under the cargo target directory (target/py-venv).
set -euo pipefail
cd "$(dirname "$0")/.."
NEO4J_VERSION=5.28.1
NEO4J_CLI_VERSION=1.18.1
VENV=${COOPGRAPH_SERVER_VENV:-${CARGO_TARGET_DIR:-$PWD/target}/py-venv}
if ! "$VENV/bin/python" -c "import neo4j, sys; sys.exit(neo4j.__version__ != '$NEO4J_VERSION')" 2>/dev/null \
    || ! "$VENV/bin/pip" show neo4j-cli 2>/dev/null | grep -qx "Version: $NEO4J_CLI_VERSION"; then
    python3 -m venv "$VENV" >&2
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "neo4j==$NEO4J_VERSION" \
        "neo4j-cli==$NEO4J_CLI_VERSION" >&2
fi
echo "$VENV/bin/python"
