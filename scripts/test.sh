#!/usr/bin/env bash
# The whole test run (what `make test` and CI execute), from a fresh clone.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
RASA=.venv/bin/rasa
export RASA_TELEMETRY_ENABLED=false
started=$(date +%s)
last=$started
# Each phase says how long the one before it took: CI's budget is 30 minutes.
phase() {
  local now; now=$(date +%s)
  [ "$now" = "$started" ] || echo "   ($(( now - last )) s; $(( now - started )) s depuis le début)"
  last=$now
  echo "== $*"
}

phase "Lint et types (ruff, mypy strict sur le cœur du répertoire)"
$PY -m ruff check .
$PY -m mypy

phase "Données Rasa (rasa data validate)"
$RASA data validate --fail-on-warnings --quiet

phase "Entraînement du modèle (sauté si les données n'ont pas changé)"
t0=$(date +%s)
$RASA train --quiet --fixed-model-name phare --out models
echo "   entraînement : $(( $(date +%s) - t0 )) s"

phase "Évaluations du modèle (histoires de test, français, anglais, crises), le modèle chargé une fois"
# French held-out set (1,351 messages since 8 Dec 2026, 37-42 per conversation or need class):
# floors about a point under the level measured with the committed seed (42) after round 7
# (92.8 %, F1 0.939, needs 94.3 %, weakest class complain_not_useful 0.74 = 29 of 39; two
# messages of slack there), so that a regression fails while a retraining's small drift (a few
# messages from one machine to another) does not. The issue's target is 0.93 / 0.93 / 0.85.
# English held-out set: measured 96.4 % (target 0.90); floor a point under it.
# Crisis set: recall 100 % and the right level are enforced; false crises through the
# model at most 1 % (the issue's target; measured 0.4 %, 2 of 509, on 8 Dec 2026, since
# CrisisOverride keeps only DIET's sure crisis guesses and never on a known idiom).
$PY scripts/evaluate_model.py --model models/phare.tar.gz --stories tests/test_stories.yml \
  --fr "--min-accuracy ${PHARE_MIN_ACCURACY:-0.915} --min-f1 ${PHARE_MIN_F1:-0.93} --min-need ${PHARE_MIN_NEED:-0.935} --min-class ${PHARE_MIN_CLASS:-0.69}" \
  --en "--min-accuracy ${PHARE_MIN_ACCURACY_EN:-0.95} --min-f1 0.0" \
  --crisis "--max-false ${PHARE_MAX_FALSE_CRISIS:-0.01}"

phase "Outils des tests (Chromium de Debian, axe-core, liste de mots wfrench)"
bash scripts/ensure_test_tools.sh

phase "Tests (pytest), configuration embarquée : SQLite"
$PY -m pytest -q --durations=25

phase "Les mêmes tests, configuration de production : PostgreSQL + Redis (sauf navigateur)"
if reason=$($PY tests/servers.py); then
  PHARE_TEST_DATABASE=postgresql $PY -m pytest -q -m "not browser" --durations=25
elif [ -n "${CI:-}" ]; then
  echo "   $reason : la CI doit tester PostgreSQL + Redis." >&2
  exit 1
else
  echo "   SAUTÉ — $reason"
fi

phase "Durée totale : $(( $(date +%s) - started )) s"
