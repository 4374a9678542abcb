#!/usr/bin/env bash
# The whole test run (what `make test` and CI execute), from a fresh clone.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export RASA_TELEMETRY_ENABLED=false

echo "== Tests unitaires et d'intégration"
$PY -m pytest -q
