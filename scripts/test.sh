#!/usr/bin/env bash
# The whole test suite: set up, then lint, type-check, check the architecture contracts, run pytest on SQLite
# and, when PostgreSQL answers at 127.0.0.1:5432 (database `test`), again on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --with-browser
export PATH="$PWD/.venv/bin:$PATH"

echo "== ruff"; ruff check src tests benchmarks
echo "== mypy"; mypy
echo "== import-linter"; lint-imports
echo "== pytest (SQLite)"
# exit code 5 (no tests collected) is a failure here, as is any other non-zero code
pytest "$@"
PG_URL=${COMMONWEAL_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/test}
if ! pytest -q --collect-only -m db "$@" >/dev/null 2>&1; then
  echo "== no database tests collected: nothing to run on PostgreSQL"
elif python -c "import psycopg,sys; psycopg.connect(sys.argv[1], connect_timeout=3).close()" "$PG_URL" 2>/dev/null; then
  echo "== pytest (PostgreSQL)"
  DATABASE_URL="$PG_URL" pytest -m "db" "$@"
elif [[ "${CI:-}" == "true" ]]; then
  echo "PostgreSQL is not reachable at $PG_URL, and CI must run the suite on it" >&2
  exit 1
else
  echo "== PostgreSQL not reachable at $PG_URL: database tests ran on SQLite only"
fi
