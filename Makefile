# anskaf – one command to run it, one to test it.
#   make run    create .venv (Python 3.11), install, migrate, load demo data, serve on PORT
#               with a background worker beside the web server (Ctrl+C stops both)
#   make test   create .venv, install with test extras, ruff + lint-imports + mypy + pytest on SQLite
#               and PostgreSQL (the browser, fuzz and deployment suites in the PostgreSQL pass)
#   make test-quick  the same checks, pytest on SQLite only, without those slow suites
#   make lock   regenerate the lock files requirements/*.txt from pyproject.toml (uv)
#   make lint   ruff check, lint-imports (the layers), mypy (the types)   make format   ruff format
#   make clean  remove build output, caches and test results (keeps .venv and var/*.sqlite3)

PYTHON ?= python3.11
VENV ?= .venv
PORT ?= 8000
BIN := $(VENV)/bin
STAMP_RUN := $(VENV)/.anskaf-installed-run
STAMP_TEST := $(VENV)/.anskaf-installed-test

.DEFAULT_GOAL := help
.PHONY: help run serve test test-quick lock lint format format-check demo install install-test \
	clean distclean

help:
	@echo "make run          serve the demo on http://127.0.0.1:$(PORT) (PORT=... to change)"
	@echo "make test         ruff, lint-imports, mypy, all tests on SQLite (and PostgreSQL when it answers)"
	@echo "make test-quick   the same on SQLite only, without the browser, fuzz and deployment tests"
	@echo "make lock         regenerate requirements/*.txt (exact versions) from pyproject.toml"
	@echo "make lint         ruff check, lint-imports (the layers) and mypy (the types; pyproject.toml)"
	@echo "make format       ruff format"
	@echo "make clean        remove caches, build output and test results"

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { \
		echo "error: $(PYTHON) not found. anskaf needs Python 3.11 (set PYTHON=/path/to/python3.11)." >&2; \
		exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check --upgrade pip

# Installs come from the lock files (exact versions with hashes, ADR 0025), anskaf itself then
# without dependencies. make run: SQLite and the SQLite task queue need no extra
# (requirements/run.txt); make test uses PostgreSQL, Redis, S3 (moto) and Sentry
# (requirements/test.txt). `pip check` catches a lock that pyproject.toml has outgrown.
LOCK_RUN := requirements/run.txt
LOCK_TEST := requirements/test.txt
PIP := $(BIN)/python -m pip --disable-pip-version-check
STALE_LOCK := echo "error: pyproject.toml asks for packages requirements/*.txt lacks: run 'make lock'" >&2; exit 1

$(STAMP_RUN): $(BIN)/python pyproject.toml $(LOCK_RUN)
	$(PIP) install --require-hashes -r $(LOCK_RUN)
	$(PIP) install --no-deps -e .
	@$(PIP) check >/dev/null || { $(PIP) check; $(STALE_LOCK); }
	@touch $@

$(STAMP_TEST): $(BIN)/python pyproject.toml $(LOCK_TEST)
	$(PIP) install --require-hashes -r $(LOCK_TEST)
	$(PIP) install --no-deps -e .
	@$(PIP) check >/dev/null || { $(PIP) check; $(STALE_LOCK); }
	@touch $@ $(STAMP_RUN)

# The lock files, regenerated from pyproject.toml (after adding or changing a dependency) with
# uv from PyPI: one resolution for every platform (--universal), hashes for every file. The
# three files agree on every version: run and production are constrained by test. Pins already
# in the files stay unless pyproject.toml rules them out; UPGRADE=1 moves every package to its
# newest allowed version.
UV_VERSION ?= 0.13.9
UV_COMPILE = $(BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 \
	--generate-hashes --quiet --custom-compile-command "make lock" $(if $(UPGRADE),--upgrade,)
lock: $(BIN)/python
	$(PIP) install --quiet 'uv==$(UV_VERSION)'
	@mkdir -p requirements
	$(UV_COMPILE) --extra test -o $(LOCK_TEST)
	$(UV_COMPILE) -c $(LOCK_TEST) -o $(LOCK_RUN)
	$(UV_COMPILE) -c $(LOCK_TEST) --extra postgres --extra redis --extra s3 --extra sentry \
		-o requirements/production.txt
	@echo "Lock files written: requirements/{test,run,production}.txt"

install: $(STAMP_RUN)
install-test: $(STAMP_TEST)

run: $(STAMP_RUN)
	ANSKAF_DEMO=1 PORT=$(PORT) $(BIN)/anskaf serve --worker

serve: $(STAMP_RUN)
	PORT=$(PORT) $(BIN)/anskaf serve

demo: $(STAMP_RUN)
	$(BIN)/anskaf demo

test: $(STAMP_TEST)
	VENV=$(VENV) scripts/test.sh $(PYTEST_ARGS)

test-quick: $(STAMP_TEST)
	VENV=$(VENV) TEST_QUICK=1 scripts/test.sh $(PYTEST_ARGS)

lint: $(STAMP_TEST)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy

format: $(STAMP_TEST)
	$(BIN)/ruff format .

format-check: $(STAMP_TEST)
	$(BIN)/ruff format --check .

clean:
	rm -rf build dist *.egg-info var/test-results var/static .pytest_cache .ruff_cache test-results \
		.grimp_cache .import_linter_cache .mypy_cache
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)

# --- benchmarks (issue 8): see bench/README.md ------------------------------------------------
#   make bench-data SCALE=municipality|national [RESET=1]   bulk-load synthetic data (PostgreSQL)
#   make bench                                              serve with gunicorn, load with locust
#   make bench-mixed                                        the mixed workload only (BENCH_MIX=only)
SCALE ?= municipality
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/anskaf_bench
STAMP_BENCH := $(VENV)/.anskaf-installed-bench
.PHONY: bench-data bench bench-mixed

$(STAMP_BENCH): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --disable-pip-version-check -e '.[bench,postgres,redis]'
	@touch $@ $(STAMP_RUN)

bench-data: $(STAMP_BENCH)
	DATABASE_URL=$${DATABASE_URL:-$(BENCH_DATABASE_URL)} SECRET_KEY=$${SECRET_KEY:-bench-not-secret} \
		$(BIN)/python bench/generate.py --scale $(SCALE) $(if $(RESET),--reset,)

bench: $(STAMP_BENCH)
	DATABASE_URL=$${DATABASE_URL:-$(BENCH_DATABASE_URL)} SECRET_KEY=$${SECRET_KEY:-bench-not-secret} \
		$(BIN)/python bench/run.py

bench-mixed: $(STAMP_BENCH)
	DATABASE_URL=$${DATABASE_URL:-$(BENCH_DATABASE_URL)} SECRET_KEY=$${SECRET_KEY:-bench-not-secret} \
		BENCH_MIX=only $(BIN)/python bench/run.py
