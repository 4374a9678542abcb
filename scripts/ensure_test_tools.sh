#!/usr/bin/env bash
# What the tests need beyond Python, installed when missing (idempotent):
# Debian's Chromium (driven by Playwright through executable_path) and axe-core
# from npm for the browser tests; Debian's French word list (wfrench), against
# which the gazetteer's list of near-miss words is checked.
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
[ -f /usr/share/dict/french ] || missing+=(wfrench)
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installation (paquets Debian) : ${missing[*]}…"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if [ ! -f tests/e2e/browser/node_modules/axe-core/axe.min.js ]; then
  echo "Installation d'axe-core (npm)…"
  (cd tests/e2e/browser && npm install --no-audit --no-fund --silent >/dev/null)
fi
