#!/usr/bin/env bash
# Browser tests need Debian's Chromium (driven by Playwright through executable_path)
# and axe-core from npm; install them when missing. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null 2>&1; then
  echo "Installation de Chromium (paquet Debian)…"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
if [ ! -f tests/e2e/browser/node_modules/axe-core/axe.min.js ]; then
  echo "Installation d'axe-core (npm)…"
  (cd tests/e2e/browser && npm install --no-audit --no-fund --silent >/dev/null)
fi
