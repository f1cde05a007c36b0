# Two commands: `make run` and `make test`. Everything they need is installed from here.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NPM_STAMP := node_modules/.installed
NPM_DEV_STAMP := node_modules/.dev-installed
DATA_DIR ?= ./data
HOST ?= 127.0.0.1
PORT ?= 8000
APT_GET := $(shell [ "$$(id -u)" = 0 ] && echo apt-get || echo sudo apt-get)

.PHONY: install run test lint typecheck pytest bench openapi deploy clean system-deps

install: $(STAMP) $(NPM_STAMP) ## set up what the app needs (idempotent); tests add system-deps

$(STAMP): requirements.lock pyproject.toml
	[ -x $(BIN)/python ] || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e . || $(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

# The app needs only Chart.js (`dependencies`); the linters, axe-core and DynamoDB Local are
# devDependencies, installed for lint and tests only. npm ci empties node_modules, so each
# recipe leaves the stamps true for what it installed.
$(NPM_STAMP): package.json package-lock.json
	npm ci --omit=dev --no-audit --no-fund --loglevel=error
	$(BIN)/python scripts/copy_web_vendor.py 2>/dev/null || $(PY) scripts/copy_web_vendor.py
	touch $(NPM_STAMP)

$(NPM_DEV_STAMP): $(NPM_STAMP)
	npm ci --no-audit --no-fund --loglevel=error
	$(BIN)/python scripts/copy_web_vendor.py 2>/dev/null || $(PY) scripts/copy_web_vendor.py
	touch $(NPM_STAMP) $(NPM_DEV_STAMP)

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

lint: install $(NPM_DEV_STAMP) ## Python (ruff) and the pages' JavaScript (ESLint, and tsc over the JSDoc types)
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts
	node_modules/.bin/eslint --max-warnings 0 .
	node_modules/.bin/tsc -p tsconfig.json

typecheck: install
	$(BIN)/mypy src tests benchmarks scripts

pytest: install $(NPM_DEV_STAMP) system-deps
	$(BIN)/pytest -n 2 --dist loadgroup

test: lint typecheck pytest ## lint, type-check and run the whole suite

openapi: install ## regenerate openapi.yaml from the app
	$(BIN)/expense-tracker openapi --out openapi.yaml

bench: install $(NPM_DEV_STAMP) system-deps ## measure, and write BENCHMARKS.md
	$(BIN)/python -m benchmarks.run

deploy: install ## build and deploy the AWS stack with the SAM CLI (see docs/deploy.md)
	$(MAKE) -C infra deploy

clean:
	rm -rf $(VENV) node_modules .mypy_cache .ruff_cache .pytest_cache
