#!/usr/bin/env bash
# The README's run command: a virtual environment, the project, a demo province on the
# embedded defaults (SQLite, local storage folder, inline jobs), served on 127.0.0.1:5000.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then "$PYTHON" -m venv .venv; fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e .
exec .venv/bin/docflow demo "$@"
