# Phare — two commands do everything: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Python 3.10 (Rasa 3.6 supports no newer Python): the first that answers.
PYTHON ?= $(shell for p in python3.10 $$HOME/.pyenv/versions/3.10*/bin/python3.10 /usr/local/bin/python3.10 /usr/bin/python3.10; do \
	if $$p -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' >/dev/null 2>&1; then echo $$p; break; fi; done)
VENV := .venv
PY := $(VENV)/bin/python
RASA := $(VENV)/bin/rasa
STAMP := $(VENV)/.installed-stamp
export RASA_TELEMETRY_ENABLED := false
export PHARE_PROJECT_ROOT := $(CURDIR)
export SQLALCHEMY_SILENCE_UBER_WARNING := 1

.PHONY: help install seed train run test test-unit lint bench bench-directory bench-load clean sms

help:
	@echo "make run    — installe, charge le répertoire, entraîne le modèle au besoin et démarre Phare"
	@echo "make test   — installe et lance tous les tests"

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.10 introuvable : installez python3.10." >&2; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	$(PY) -m pip check
	@touch $@

install: $(STAMP)

seed: install
	$(PY) -m directory seed

# `rasa train` itself skips training when the data's fingerprint is unchanged.
train: install
	$(RASA) train --quiet --fixed-model-name phare --out models

run: seed train
	@if [ -z "$$TWILIO_AUTH_TOKEN" ]; then \
	  echo "ATTENTION : TWILIO_AUTH_TOKEN absent — signatures SMS NON vérifiées (développement seulement, pour make sms)."; \
	  export PHARE_SMS_VALIDATE=false; \
	fi; $(PY) -m bot run

test: install
	bash scripts/test.sh

lint: install
	$(PY) -m ruff check .
	$(PY) -m mypy

test-unit: install
	$(PY) -m pytest -q -m "not e2e and not browser"

bench-directory: install
	$(PY) scripts/bench_directory.py

# Latency through the REST channel (1 and 20 conversations), start-up, RSS; then the SMS path.
bench: install train
	$(PY) scripts/bench_directory.py --rounds 1000
	$(PY) scripts/bench_load.py --web 1 --turns 40 --duration 60
	$(PY) scripts/bench_load.py --web 20 --duration 30
	$(PY) scripts/bench_sms.py

# Mixed web + SMS residents against one, then two Rasa instances (PostgreSQL + Redis).
bench-load: install train
	$(PY) scripts/bench_load.py --web 10 --sms 10 --duration 60
	$(PY) scripts/bench_load.py --web 10 --sms 10 --duration 60 --instances 2 --postgres

# Text Phare like a phone (signed Twilio webhooks) while `make run` is running.
sms: install
	$(PY) scripts/sms_simulator.py

clean:
	rm -rf $(VENV) models var .rasa
