#!/usr/bin/env bash
# The whole test run (what `make test` and CI execute), from a fresh clone.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
RASA=.venv/bin/rasa
export RASA_TELEMETRY_ENABLED=false
started=$(date +%s)

echo "== Données Rasa (rasa data validate)"
$RASA data validate --fail-on-warnings --quiet

echo "== Entraînement du modèle (sauté si les données n'ont pas changé)"
t0=$(date +%s)
$RASA train --quiet --fixed-model-name phare --out models
echo "   entraînement : $(( $(date +%s) - t0 )) s"

echo "== Tests de dialogue (rasa test core)"
$RASA test core --model models/phare.tar.gz --stories tests/test_stories.yml \
  --fail-on-prediction-errors --no-plot --out var/results/core >/dev/null
echo "   tests/test_stories.yml : toutes les histoires passent"

echo "== Évaluation NLU sur le jeu réservé (tests/nlu/heldout.yml)"
$PY scripts/eval_nlu.py --model models/phare.tar.gz --min-accuracy "${PHARE_MIN_ACCURACY:-0.93}" \
  --min-f1 "${PHARE_MIN_F1:-0.90}" --min-need "${PHARE_MIN_NEED:-0.93}" --min-class "${PHARE_MIN_CLASS:-0.85}"

echo "== Évaluation NLU en anglais (tests/nlu/heldout_en.yml)"
$PY scripts/eval_nlu.py --model models/phare.tar.gz --heldout tests/nlu/heldout_en.yml --min-accuracy 0.90 --min-f1 0.0

echo "== Crise : jeu réservé (tests/nlu/crisis_eval.yml), rappel 100 %, fausses crises ≤ 1 %"
$PY scripts/eval_crisis.py --model models/phare.tar.gz

echo "== Outils des tests (Chromium de Debian, axe-core, liste de mots wfrench)"
bash scripts/ensure_test_tools.sh

echo "== Tests (pytest), configuration embarquée : SQLite"
$PY -m pytest -q

echo "== Les mêmes tests, configuration de production : PostgreSQL + Redis (sauf navigateur)"
if reason=$($PY tests/servers.py); then
  PHARE_TEST_DATABASE=postgresql $PY -m pytest -q -m "not browser"
elif [ -n "${CI:-}" ]; then
  echo "   $reason : la CI doit tester PostgreSQL + Redis." >&2
  exit 1
else
  echo "   SAUTÉ — $reason"
fi

echo "== Durée totale : $(( $(date +%s) - started )) s"
