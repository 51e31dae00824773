#!/usr/bin/env bash
# The whole test suite: ruff, the import layers (lint-imports), the types (mypy),
# makemigrations --check, check --deploy with production-like settings, then pytest on SQLite,
# then on PostgreSQL when it answers.
# Called by `make test`; extra arguments go to pytest (e.g. scripts/test.sh -x -k audit).
#
# The slow suites (pytest markers browser, fuzz, deployment; pyproject.toml) run once, in the
# PostgreSQL pass. When PostgreSQL does not answer (and REQUIRE_POSTGRES is unset), the SQLite
# pass runs the browser and fuzz suites instead, so a laptop without PostgreSQL still runs
# them; the deployment suite needs PostgreSQL and is then not run (ADR 0025).
#
#   TEST_QUICK=1        `make test-quick`: the SQLite pass only, without the slow suites
#   REQUIRE_POSTGRES=1  a PostgreSQL that does not answer is a failure, not a skip
#   REQUIRE_BROWSER=1   skipped browser tests are a failure (see conftest.py)
#   REQUIRE_OIDC=1      skipped SSO tests (no node / tests/oidc/node_modules) are a failure
#   REQUIRE_DEPLOYMENT=1  a skipped deployment test (tests/deployment/: nginx, two app servers;
#                       PostgreSQL pass only) is a failure (see scripts/test_summary.py)
#   TEST_DATABASE_URL   PostgreSQL for the second run
#                       (default postgres://postgres@127.0.0.1:5432/anskaf)
#   VENV                the virtual environment (default .venv)
#   TEST_RESULTS_DIR    where the JUnit XML files go (default var/test-results)
set -uo pipefail

cd "$(dirname "$0")/.." || exit 2
BIN="${VENV:-.venv}/bin"
RESULTS="${TEST_RESULTS_DIR:-var/test-results}"
export ANSKAF_TEST_RESULTS="$RESULTS"  # where the fuzzing suite leaves its line (fuzz.line)
PG_HOST=127.0.0.1
PG_PORT=5432
PG_URL="${TEST_DATABASE_URL:-postgres://postgres@${PG_HOST}:${PG_PORT}/anskaf}"

if [[ ! -x "$BIN/pytest" ]]; then
    echo "error: $BIN/pytest not found; run 'make test' (it installs the test extras)" >&2
    exit 2
fi

rm -rf "$RESULTS"
mkdir -p "$RESULTS"
export ANSKAF_TESTING=1
export DJANGO_ALLOW_ASYNC_UNSAFE=true
# The plugin that writes each test's markers into the JUnit XML lives in scripts/.
export PYTHONPATH="$PWD/scripts${PYTHONPATH:+:$PYTHONPATH}"
status=0
started=$SECONDS
SLOW_SUITES="browser or fuzz or deployment"

banner() { printf '\n=== %s ===\n' "$*"; }
# took NAME T0: how long a part took, for the summary (scripts/test_summary.py)
took() { echo "$((SECONDS - $2))" > "$RESULTS/$1.seconds"; }

# The SSO tests start a real OpenID Connect provider (npm's oauth2-mock-server, pinned in
# tests/oidc/package-lock.json). Installed with `npm ci` when node is there and the lock file
# changed since the last install; without node those tests are skipped (REQUIRE_OIDC=1: failed).
oidc_provider_install() {
    local dir=tests/oidc stamp=tests/oidc/node_modules/.anskaf-lock.sha256 want
    want=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
    if [[ -f $stamp && $(cat "$stamp") == "$want" ]]; then
        return 0
    fi
    banner "npm ci --prefix $dir (OpenID Connect provider for the SSO tests)"
    npm ci --prefix "$dir" --no-audit --no-fund && echo "$want" > "$stamp"
}
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
    if ! oidc_provider_install; then
        echo "npm ci in tests/oidc failed: the SSO tests will be skipped" >&2
        [[ "${REQUIRE_OIDC:-}" == "1" ]] && status=1
    fi
else
    echo "node/npm not found: the SSO tests (OpenID Connect provider) will be skipped"
fi

banner "ruff check"
t0=$SECONDS
"$BIN/ruff" check .
lint=$?
took lint "$t0"
echo "$lint" > "$RESULTS/lint.exit"
[[ $lint -eq 0 ]] || status=1

# The layers and the absence of import cycles: the contracts in pyproject.toml (issue 15).
banner "lint-imports"
t0=$SECONDS
"$BIN/lint-imports"
imports=$?
took imports "$t0"
echo "$imports" > "$RESULTS/imports.exit"
[[ $imports -eq 0 ]] || status=1

# The types: mypy with django-stubs on the files [tool.mypy] lists in pyproject.toml (ADR 0036).
# Its cache (.mypy_cache) makes a run after a small change a few seconds.
banner "mypy"
t0=$SECONDS
"$BIN/mypy"
types=$?
took types "$t0"
echo "$types" > "$RESULTS/types.exit"
[[ $types -eq 0 ]] || status=1

# Django's own checks: no model change without its migration, and the deployment checklist
# with production-like settings (a real key, no debug, HTTPS cookies behind a proxy).
banner "makemigrations --check"
t0=$SECONDS
"$BIN/anskaf" manage makemigrations --check --dry-run
migrations=$?
took migrations "$t0"
echo "$migrations" > "$RESULTS/migrations.exit"
[[ $migrations -eq 0 ]] || status=1

banner "check --deploy (production settings)"
t0=$SECONDS
deploy_var=$(mktemp -d)
env -u ANSKAF_TESTING -u ANSKAF_DEMO -u DEBUG -u DATABASE_URL -u DJANGO_ALLOW_ASYNC_UNSAFE \
    SECRET_KEY="$("$BIN/python" -c 'import secrets; print(secrets.token_urlsafe(50))')" \
    ALLOWED_HOSTS=anskaf.kommune.example CSRF_TRUSTED_ORIGINS=https://anskaf.kommune.example \
    BEHIND_PROXY=true SECURE_COOKIES=true ANSKAF_VAR_DIR="$deploy_var" \
    "$BIN/anskaf" manage check --deploy --fail-level WARNING
deploy=$?
rm -rf "$deploy_var"
took deploy "$t0"
echo "$deploy" > "$RESULTS/deploy.exit"
[[ $deploy -eq 0 ]] || status=1

run_pytest() {  # name label [env assignments...] -- pytest args
    local name=$1 label=$2
    shift 2
    local envs=()
    while [[ $# -gt 0 && $1 != "--" ]]; do envs+=("$1"); shift; done
    shift
    banner "pytest on $label"
    local t0=$SECONDS
    env "${envs[@]}" "$BIN/pytest" -p junit_markers -o junit_suite_name="$name" \
        --junitxml="$RESULTS/$name.xml" -rfEs "$@"
    local rc=$?
    if [[ $rc -eq 5 && -f "$RESULTS/$name.deselected" ]]; then
        rc=0  # every test asked for is one of the slow suites, which run in the other pass
    fi
    echo "$rc" > "$RESULTS/$name.exit"
    took "$name" "$t0"
    echo "pytest on $label finished with exit code $rc in $((SECONDS - t0)) s"
    [[ $rc -eq 0 ]] || status=1
}

pg_answers() {
    if command -v pg_isready >/dev/null 2>&1; then
        pg_isready -q -h "$PG_HOST" -p "$PG_PORT"
    else
        (exec 3<>"/dev/tcp/$PG_HOST/$PG_PORT") 2>/dev/null
    fi
}

# A later -m in the arguments (scripts/test.sh -m browser) replaces these selections.
if [[ "${TEST_QUICK:-}" == "1" ]]; then
    echo "not ($SLOW_SUITES)" > "$RESULTS/sqlite.deselected"
    run_pytest sqlite SQLite -u DATABASE_URL -- -m "not ($SLOW_SUITES)" "$@"
    echo "make test-quick (SQLite only, without the browser, fuzz and deployment suites)" \
        > "$RESULTS/postgresql.skipped"
elif pg_answers; then
    # The two passes run side by side (one core each): one after the other they took most of
    # an hour on two slow cores. The SQLite pass gets its own var directory (its database,
    # documents, queue) and its own Redis database, so neither pass empties the other's
    # cache; its output follows the PostgreSQL pass's, from $RESULTS/sqlite.log.
    echo "not ($SLOW_SUITES)" > "$RESULTS/sqlite.deselected"
    sqlite_var="$PWD/var/test-sqlite"
    mkdir -p "$sqlite_var"
    banner "pytest on SQLite starts beside the PostgreSQL pass (output: $RESULTS/sqlite.log)"
    run_pytest sqlite SQLite -u DATABASE_URL ANSKAF_VAR_DIR="$sqlite_var" \
        ANSKAF_TEST_REDIS_URL="${ANSKAF_TEST_REDIS_URL_SQLITE:-redis://127.0.0.1:6379/12}" \
        -- -m "not ($SLOW_SUITES)" "$@" > "$RESULTS/sqlite.log" 2>&1 &
    sqlite_pid=$!
    run_pytest postgresql PostgreSQL DATABASE_URL="$PG_URL" -- "$@"
    wait "$sqlite_pid"
    cat "$RESULTS/sqlite.log"
    # run_pytest ran in a background subshell: its status is in the file it wrote
    [[ "$(cat "$RESULTS/sqlite.exit" 2>/dev/null)" == "0" ]] || status=1
else
    # No PostgreSQL: the browser and fuzz suites run on SQLite; deployment needs PostgreSQL.
    echo "not deployment" > "$RESULTS/sqlite.deselected"
    run_pytest sqlite SQLite -u DATABASE_URL -- -m "not deployment" "$@"
    reason="PostgreSQL not reachable on $PG_HOST:$PG_PORT"
    if [[ "${REQUIRE_POSTGRES:-}" == "1" ]]; then
        banner "$reason: REQUIRE_POSTGRES=1, so this is a failure"
        echo "$reason (REQUIRE_POSTGRES=1: failure)" > "$RESULTS/postgresql.skipped"
        status=1
    else
        banner "$reason: skipped"
        echo "$reason" > "$RESULTS/postgresql.skipped"
    fi
fi

banner "summary"
"$BIN/python" scripts/test_summary.py "$RESULTS" || status=1
echo "make test took $((SECONDS - started)) s"
exit "$status"
