#!/usr/bin/env bash
# Makes the Python venv with PySpark (Apache Spark itself: its jars come in the PyPI
# package) that scripts/spark-test.sh and spark/*.py run with, pinned; installs Java 17
# from Debian when `java` is missing. Idempotent and quiet when the venv is ready;
# prints the path of its python. The venv lives under the cargo target directory
# (target/spark-venv).
set -euo pipefail
cd "$(dirname "$0")/.."
PYSPARK_VERSION=4.1.1
VENV=${COOPGRAPH_SPARK_VENV:-${CARGO_TARGET_DIR:-$PWD/target}/spark-venv}
if ! command -v java >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        apt-get install -y openjdk-17-jre-headless >/dev/null 2>&1 ||
            { apt-get update >/dev/null 2>&1 && apt-get install -y openjdk-17-jre-headless >/dev/null 2>&1; }
    fi
    command -v java >/dev/null || { echo "spark-venv.sh: Spark needs Java 17 (openjdk-17-jre-headless)" >&2; exit 1; }
fi
if ! "$VENV/bin/python" -c "import pyspark, sys; sys.exit(pyspark.__version__ != '$PYSPARK_VERSION')" 2>/dev/null; then
    python3 -m venv "$VENV" >&2
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "pyspark==$PYSPARK_VERSION" >&2
fi
echo "$VENV/bin/python"
