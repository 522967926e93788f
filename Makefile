# Two commands for a fresh machine: `make report` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)
OUT ?= reports/default
# Never download another Go toolchain behind our back.
export GOTOOLCHAIN := local

.PHONY: setup report report-full measure test test-fast lab serve doctor bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $@
	$(BIN)/gohandbook doctor || true

report: setup
	$(BIN)/gohandbook report --out $(OUT)

report-full: setup
	$(BIN)/gohandbook report --full --out reports/full

measure: setup
	$(BIN)/gohandbook measure

doctor: setup
	$(BIN)/gohandbook doctor

# The whole suite: quick measurements into the cache (reused when current), engine and Go
# tests, notebooks executed headlessly (papermill and nbval), report and browser checks.
test: setup
	$(BIN)/gohandbook measure
	$(BIN)/python -m pytest tests
	$(BIN)/python -m pytest --nbval-lax -p no:cacheprovider notebooks

test-fast: setup
	$(BIN)/python -m pytest tests -m "not slow and not notebook"

lab: setup
	$(BIN)/jupyter lab --ServerApp.ip=127.0.0.1 --notebook-dir=notebooks $$( [ "$$(id -u)" = 0 ] && echo --allow-root )

serve: setup
	$(BIN)/gohandbook serve $(if $(PORT),--port $(PORT),)

bench: setup
	$(BIN)/python benchmarks/loadgen_vs_wrk.py
	$(BIN)/python benchmarks/voila_latency.py

clean:
	rm -rf reports .cache .pytest_cache
