#!/usr/bin/env bash
# The README's test command: installs what the tests need, starts PostgreSQL and Redis on
# 127.0.0.1, runs the whole suite on SQLite, the database tests again on PostgreSQL, and
# stops the servers. Extra arguments go to the first pytest run (e.g. -k audit).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-system-packages.sh
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then "$PYTHON" -m venv .venv; fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test]'

servers=$(mktemp -d /tmp/docflow-test-servers.XXXXXX)
chmod 755 "$servers"
trap 'bash scripts/test-servers.sh stop "$servers"; rm -rf "$servers"' EXIT
# Assigned first so that a server that fails to start stops the run (set -e).
server_env=$(bash scripts/test-servers.sh start "$servers")
eval "$server_env"
export DOCFLOW_TEST_REQUIRE_SERVERS=1

echo "== whole suite (SQLite, local storage, inline jobs; real servers where a test needs one)"
.venv/bin/python -m pytest -q "$@"
echo "== database tests again on PostgreSQL"
DOCFLOW_TEST_DB=postgres .venv/bin/python -m pytest -q tests/docflow
