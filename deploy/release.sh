#!/usr/bin/env bash
# Release the checked-out code: install it, migrate the database, restart the services.
#
#   cd /srv/tym && git fetch && git checkout v1.2.3 && sudo deploy/release.sh
#
# 1. installs dependencies, front-end assets and translations (scripts/setup.sh) as the
#    service user;
# 2. `tym db upgrade` with the services' environment (/etc/tym/env): migrations are
#    written to run while the previous release still serves;
# 3. `systemctl reload tym-web` (gunicorn starts workers on the new code and retires the
#    old ones: no request is dropped) and `systemctl restart tym-scheduler` (it finishes
#    its running job first);
# 4. waits until /readyz says the database and the migrations are ready.
# On a multi-host installation run it on one host, then `deploy/release.sh --no-migrate`
# on the others.
#
# Environment: TYM_ENV_FILE (/etc/tym/env), TYM_USER (tym), SYSTEMCTL (systemctl),
# GUNICORN_BIND (from the env file, default 127.0.0.1:8000), SKIP_SETUP=1 to skip step 1,
# RELEASE_WAIT_SECONDS (60; 0: do not wait).
set -euo pipefail
cd "$(dirname "$0")/.."

ENV_FILE=${TYM_ENV_FILE:-/etc/tym/env}
RUN_AS=${TYM_USER:-tym}
SYSTEMCTL=${SYSTEMCTL:-systemctl}
migrate=1
[ "${1:-}" = "--no-migrate" ] && migrate=0

as_user() {
  if [ "$(id -u)" = 0 ] && id "$RUN_AS" >/dev/null 2>&1; then
    runuser -u "$RUN_AS" -- "$@"
  else
    "$@"
  fi
}

if [ ! -r "$ENV_FILE" ]; then
  echo "release: cannot read $ENV_FILE (see deploy/tym.env.example)" >&2
  exit 1
fi
set -a
# shellcheck disable=SC1090
. "$ENV_FILE"
set +a

if [ "${SKIP_SETUP:-}" != 1 ]; then
  echo "== install"
  as_user scripts/setup.sh
fi

if [ "$migrate" = 1 ]; then
  echo "== migrate"
  as_user env TYM_LOG_FORMAT=text .venv/bin/tym db upgrade
fi
as_user .venv/bin/tym db check

echo "== restart"
$SYSTEMCTL reload tym-web
if $SYSTEMCTL cat tym-scheduler >/dev/null 2>&1; then
  $SYSTEMCTL restart tym-scheduler
fi

wait_seconds=${RELEASE_WAIT_SECONDS:-60}
[ "$wait_seconds" = 0 ] && exit 0
echo "== wait until ready"
url="http://${GUNICORN_BIND:-127.0.0.1:8000}/readyz?skip=jobs"
for _ in $(seq 1 "$wait_seconds"); do
  if .venv/bin/python -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=3)" "$url" 2>/dev/null; then
    echo "release: ready"
    exit 0
  fi
  sleep 1
done
echo "release: $url did not answer ready within $wait_seconds s; see journalctl -u tym-web" >&2
exit 1
