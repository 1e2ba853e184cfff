# bakeprint — the two commands: `make demo` and `make test`.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed-dev
RSTAMP  := $(VENV)/.installed
HOST    ?= 127.0.0.1
PORT    ?= 8000
export BAKEPRINT_DATABASE_URL ?= sqlite:///./bakeprint.db

.PHONY: demo test install dev lint fmt typecheck services chromium bench soak soak-slow clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(RSTAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	touch $@ $(RSTAMP)

install: $(RSTAMP)
dev: $(STAMP)

## make demo: install, migrate ./bakeprint.db, load 时光印记, serve on :8000
demo: $(RSTAMP)
	$(BIN)/bakeprint db upgrade
	$(BIN)/bakeprint demo load --reset
	$(BIN)/bakeprint serve --host $(HOST) --port $(PORT)

## make test: dev install, start services if down, run the whole suite
test: $(STAMP) services chromium
	$(BIN)/ruff check src tests $(wildcard bench)
	$(BIN)/ruff format --check src tests $(wildcard bench)
	$(BIN)/mypy
	$(BIN)/pytest -n 2 --dist loadgroup -q

services:
	@bash scripts/services.sh

chromium:
	@{ command -v /usr/bin/chromium >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; } || { \
	  echo "installing Debian chromium and CJK fonts for the browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    chromium fonts-noto-cjk) >/dev/null; }

lint: $(STAMP)
	$(BIN)/ruff check src tests $(wildcard bench)
	$(BIN)/ruff format --check src tests $(wildcard bench)

fmt: $(STAMP)
	$(BIN)/ruff format src tests $(wildcard bench)
	$(BIN)/ruff check --fix src tests $(wildcard bench)

typecheck: $(STAMP)
	$(BIN)/mypy

bench: $(STAMP) services
	$(BIN)/python bench/run.py

## make soak: PostgreSQL restarted for real under load (not in make test:
## it would break the PostgreSQL tests running beside it)
soak: $(STAMP) services
	$(BIN)/python bench/soak.py

## make soak-slow: 120 public reports 6 at a time, then 20 clients trickling
## their bodies while another bakery writes (a few minutes; SOAK_ARGS=--db
## postgresql, or --against /path/to/src to measure another tree)
soak-slow: $(STAMP) services
	$(BIN)/python bench/soak_slow.py $(SOAK_ARGS)

clean:
	rm -rf $(VENV) bakeprint.db bakeprint.db-* bakeprint-files .pytest_cache .mypy_cache
