# Two commands: `make run` and `make test`. Everything they need is installed from here:
# `make run` only the app's local profile, `make test` adds the rest.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
NPM_DEV_STAMP := node_modules/.installed-dev
DATA_DIR ?= ./data
HOST ?= 127.0.0.1
PORT ?= 8000
APT_GET := $(shell [ "$$(id -u)" = 0 ] && echo apt-get || echo sudo apt-get)

# The locker, pinned, in its own folder (not the app's .venv): `make lock` and every install.
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
export UV_PYTHON_DOWNLOADS := never
# Install profiles, each locked with hashes in requirements/ (scripts/lock.py).
LOCAL_STAMP := $(VENV)/.installed-local
DEV_STAMP := $(VENV)/.installed-dev
UV_PIP = $(UV) pip install --quiet --python $(BIN)/python

.PHONY: install install-dev lock run test lint typecheck pytest bench openapi deploy clean system-deps ocr-engine

install: $(LOCAL_STAMP) ocr-engine ## what the app needs to run locally (idempotent)

install-dev: install $(DEV_STAMP) $(NPM_DEV_STAMP) ## plus what the tests and tools need (and the aws group)

# A folder, not a venv: uv is one static binary (no ensurepip, which costs seconds).
$(UV):
	$(PY) -m pip install --quiet --target $(TOOLS) uv==$(UV_VERSION)

$(LOCAL_STAMP): requirements/local.txt pyproject.toml | $(UV)
	[ -x $(BIN)/python ] || $(UV) venv --quiet --python $(PY) $(VENV)
	$(UV_PIP) --require-hashes -r requirements/local.txt
	$(UV_PIP) --no-deps -e .
	touch $@

$(DEV_STAMP): requirements/dev.txt $(LOCAL_STAMP)
	$(UV_PIP) --require-hashes -r requirements/dev.txt
	touch $@

lock: | $(UV) ## re-resolve requirements/*.txt after a change to pyproject.toml's dependencies
	$(PY) scripts/lock.py --uv $(UV)

# The pages need no npm package (the charts are drawn by web/js/bar-chart.js), so `make run`
# runs no npm at all; the linters, axe-core, Lighthouse and DynamoDB Local are devDependencies,
# for lint, tests and benchmarks.
$(NPM_DEV_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NPM_DEV_STAMP)

# The receipt scanner's OCR engine and its English model, from Debian (outside .venv: the
# Python side is only pytesseract). Skipped when already there. Where apt-get cannot run, the
# app still starts: its scans then answer that the engine is missing (and the OCR tests fail).
ocr-engine:
	@if ! command -v tesseract >/dev/null || ! tesseract --list-langs 2>/dev/null | grep -qx eng; then \
	  echo "Installing Debian packages: tesseract-ocr tesseract-ocr-eng"; \
	  { $(APT_GET) update -qq && DEBIAN_FRONTEND=noninteractive $(APT_GET) install -y -qq tesseract-ocr tesseract-ocr-eng; } \
	    || echo "WARNING: could not install tesseract-ocr; receipt scans will not read photos" >&2; \
	fi

system-deps: ## Debian packages the tests use (Chromium for the browser tests, Java for DynamoDB Local, wrk for make bench)
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v java >/dev/null || missing="$$missing default-jre-headless"; \
	command -v wrk >/dev/null || missing="$$missing wrk"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  $(APT_GET) update -qq && DEBIAN_FRONTEND=noninteractive $(APT_GET) install -y -qq $$missing; \
	fi

run: install ## start the app on http://$(HOST):$(PORT) with data in $(DATA_DIR)
	$(BIN)/expense-tracker serve --host $(HOST) --port $(PORT) --data-dir $(DATA_DIR)

lint: install-dev ## the lock, Python (ruff) and the pages' JavaScript (ESLint, and tsc over the JSDoc types)
	$(BIN)/python scripts/lock.py --check
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts
	node_modules/.bin/eslint --max-warnings 0 .
	node_modules/.bin/tsc -p tsconfig.json

typecheck: install-dev
	$(BIN)/mypy src tests benchmarks scripts

pytest: install-dev system-deps
	$(BIN)/pytest -n 2 --dist loadgroup

test: lint typecheck pytest ## lint, type-check and run the whole suite

openapi: install ## regenerate openapi.yaml from the app
	$(BIN)/expense-tracker openapi --out openapi.yaml

bench: install-dev system-deps ## measure, and write BENCHMARKS.md
	$(BIN)/python -m benchmarks.run

deploy: install-dev ## build and deploy the AWS stack with the SAM CLI (see docs/deploy.md)
	$(MAKE) -C infra deploy

clean:
	rm -rf $(VENV) $(TOOLS) node_modules .mypy_cache .ruff_cache .pytest_cache
