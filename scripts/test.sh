#!/usr/bin/env bash
# Set up and run the whole test suite: once on SQLite (with the browser tests), once
# on PostgreSQL (127.0.0.1:5432, database `test`, started here if it is installed but
# not running). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --dev

PG_URL=${TYM_TEST_POSTGRES_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}
pg_ready() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
if ! pg_ready && command -v pg_ctlcluster >/dev/null 2>&1; then
  for version in $(ls /etc/postgresql 2>/dev/null); do
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  done
  for _ in $(seq 1 30); do pg_ready && break; sleep 1; done
fi
if ! pg_ready; then
  echo "test: PostgreSQL is not reachable on 127.0.0.1:5432; the suite must run on it too" >&2
  exit 1
fi

echo "== tests on SQLite =="
TYM_TEST_DATABASE_URL=sqlite .venv/bin/python -m pytest "$@"
echo "== tests on PostgreSQL =="
TYM_TEST_DATABASE_URL=$PG_URL .venv/bin/python -m pytest -m "not browser" "$@"
