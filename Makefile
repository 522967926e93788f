# Two commands for a fresh machine: `make report` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
LOCK := requirements.lock
# The stamp is named by the content of the lock and pyproject.toml: a changed lock (or package metadata)
# reinstalls; a file merely touched (a checkout, `make lock` with nothing new) does not.
STAMP := $(VENV)/.installed-$(shell cat $(LOCK) pyproject.toml | sha1sum | cut -c1-12)
OUT ?= reports/default
# Never download another Go toolchain behind our back.
export GOTOOLCHAIN := local

.PHONY: setup lock report report-full measure test test-fast lab serve doctor bench clean i18n

setup: $(STAMP)

# Exact versions from the lock, then the handbook itself without resolving anything again;
# `pip check` fails here if pyproject.toml needs a package the lock lacks (run `make lock`).
$(STAMP): | $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r $(LOCK)
	$(BIN)/pip install --quiet --no-deps -e .
	$(BIN)/pip check
	rm -f $(VENV)/.installed-*
	touch $@
	$(BIN)/gohandbook doctor || true

# The one command that updates the lock (after changing dependencies in pyproject.toml):
# every package pinned, for Python 3.11+ on every platform; then `make setup` installs it.
lock:
	[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet uv
	$(BIN)/uv pip compile --quiet --universal --python-version 3.11 --extra test \
	  --custom-compile-command "make lock" pyproject.toml -o $(LOCK)

# `make report LANG=zh` (or en) picks the report's language. LANG is also the locale variable (LANG=C.UTF-8,
# en_US.UTF-8 from the environment), so only a LANG given on make's command line counts, and only zh or en.
REPORT_LANG := $(if $(filter command line,$(origin LANG)),$(filter zh en,$(LANG)),)
report: setup
	$(if $(REPORT_LANG),LANG=C.UTF-8 ,)$(BIN)/gohandbook report --out $(OUT)$(if $(REPORT_LANG), --lang $(REPORT_LANG),)

report-full: setup
	$(BIN)/gohandbook report --full --out reports/full

measure: setup
	$(BIN)/gohandbook measure

doctor: setup
	$(BIN)/gohandbook doctor

# The whole suite: quick measurements into the cache (reused when current), engine and Go
# tests, notebooks executed headlessly (papermill and nbval; nbval collects notebooks/zh/ too, so both
# languages run), report and browser checks.
test: setup
	$(BIN)/gohandbook measure
	$(BIN)/python -m pytest tests --durations=15
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

# Translations (docs/DEVELOPING.md): extract every marked string into the template, merge it into each
# language's catalog (new messages arrive untranslated: tests/test_i18n.py fails until they are translated).
# Catalogs compile in memory at run time; no .mo file is needed.
I18N_KEYWORDS := -k _ -k N_ -k ngettext:1,2 -k Chapter:3 -k Criterion:3
i18n: setup
	$(BIN)/pybabel extract -F babel.cfg $(I18N_KEYWORDS) --no-location --sort-output --project gohandbook \
	  --copyright-holder "Go Decision Handbook" --msgid-bugs-address "" -o gohandbook/locale/gohandbook.pot .
	$(BIN)/pybabel update -i gohandbook/locale/gohandbook.pot -d gohandbook/locale -D gohandbook -l zh \
	  --no-fuzzy-matching --ignore-obsolete

clean:
	rm -rf reports .cache .pytest_cache
