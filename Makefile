# Two commands for a new user: `make run` and `make test`. See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help
API_PY := .venv-api/bin/python
BOT := .venv-bot/bin
export PYTHONPATH := $(CURDIR)/api

.PHONY: help setup run test test-api test-bot test-e2e test-browser browser-vendor lint validate sync content-report \
        catalogs translations-check responses train bench clean \
        knowledge-po-export knowledge-po-import audit widget-vendor

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

setup:  ## create/update both virtual environments from the lock files
	@bash scripts/setup.sh

responses: setup  ## build the bot's texts (bot/domain/responses.yml, bot/channels/texts.built.yml) from locales/
	@$(BOT)/python -m catalogs.build

train: responses  ## train the Rasa model if its inputs changed
	@bash scripts/train.sh

db: setup  ## migrate the database and sync knowledge/ into it
	@cd api && ../$(API_PY) -m alembic upgrade head 2>&1 | grep -v '^INFO' || true
	@$(API_PY) -m app.cli sync

run: train db  ## install what is missing, train if needed, sync knowledge, start everything
	@$(API_PY) scripts/run.py

validate: setup  ## check every knowledge file
	@$(API_PY) -m app.cli validate

sync: db  ## alias of db

content-report: setup  ## coverage per topic and language, drafts, stale snippets
	@$(API_PY) -m app.cli report

# Languages of the knowledge PO files, e.g. `make knowledge-po-import PO_LANGS=kk`.
PO_LANGS ?= kk ru

knowledge-po-export: setup  ## snippet titles/texts to locales/knowledge/<lang>.po for translators
	@for lang in $(PO_LANGS); do $(API_PY) -m app.cli export-po --lang $$lang || exit 1; done

knowledge-po-import: setup  ## translated locales/knowledge/<lang>.po back into knowledge/
	@for lang in $(PO_LANGS); do \
	  $(API_PY) -m app.cli import-po --lang $$lang locales/knowledge/$$lang.po || exit 1; done

catalogs: setup  ## extract strings into locales/messages.pot and update the .po files
	@$(API_PY) -m babel.messages.frontend -q extract -F locales/babel.cfg -o locales/messages.pot \
	  --add-comments=Translators --project=ana-komek --sort-by-file .
	@$(API_PY) -m babel.messages.frontend -q update -i locales/messages.pot -d locales \
	  --no-fuzzy-matching --ignore-obsolete

translations-check: setup  ## fail on a stale template or a missing translation
	@$(API_PY) -m catalogs.check

lint: setup  ## ruff and mypy
	@.venv-api/bin/ruff check api bot packages scripts tests
	@.venv-api/bin/ruff format --check api bot packages scripts tests
	@.venv-api/bin/mypy

audit: setup  ## pip-audit both lock files (live data, else requirements/advisories); see docs/security.md
	@$(API_PY) scripts/audit.py $(AUDIT_FLAGS)

test: train db  ## the whole test suite
	@$(MAKE) --no-print-directory translations-check validate
	@$(API_PY) scripts/validate_bot.py
	@PYTHONPATH=bot $(BOT)/python -m pytest -q packages/textfold/tests tests/bot
	@$(API_PY) -m pytest -q packages tests/api tests/e2e
	@$(API_PY) -m pytest -q tests/browser

test-browser: train db  ## the console and widget in Chromium (UPDATE_SCREENSHOTS=1 rewrites docs/screenshots)
	@$(API_PY) -m pytest -q tests/browser

bench: train db  ## measure accuracy, latency, memory (see README)
	@$(API_PY) -m pytest -q -s tests/bench --benchmarks

clean:  ## remove environments, models and local data
	rm -rf .venv-api .venv-bot .venv-tools bot/models data bot/domain/responses.yml

widget-vendor:  ## refresh the widget's vendored socket.io client from npm (package-lock.json)
	@cd api/app/widget && npm ci --no-audit --no-fund && npm run vendor

browser-vendor:  ## refresh axe-core for the browser tests from npm (package-lock.json)
	@cd tests/browser/vendor && npm ci --no-audit --no-fund && npm run vendor
