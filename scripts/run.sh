#!/usr/bin/env bash
# Set up, then run the portal on the embedded default: SQLite, migrations applied,
# reference data loaded, boundaries loaded from TYM_BOUNDARIES_SOURCE (default: the
# Statistics Finland WFS; offline, point it at a local file, see README).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export TYM_DATABASE_URL=${TYM_DATABASE_URL:-sqlite:///$PWD/instance/tym.sqlite3}
# Plain HTTP on the loopback address: the session cookie cannot be HTTPS-only here.
export TYM_COOKIE_SECURE=${TYM_COOKIE_SECURE:-false}
# Readable log lines on a developer's terminal (production logs JSON, see deploy/).
export TYM_LOG_FORMAT=${TYM_LOG_FORMAT:-text}
tym=.venv/bin/tym
$tym db upgrade
$tym load reference
if ! $tym load boundaries; then
  cat >&2 <<'MSG'
run: boundaries could not be loaded from TYM_BOUNDARIES_SOURCE; the portal starts without a map.
     Offline? Use the local copy:
       TYM_BOUNDARIES_SOURCE=../shared/geodata/statfi_2025/kunta4500k_2025.geojson make run
MSG
fi
exec $tym serve --host "${TYM_HOST:-127.0.0.1}" --port "${TYM_PORT:-5000}"
