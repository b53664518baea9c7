#!/usr/bin/env bash
# Set up everything the portal needs on a fresh machine: a virtualenv with the
# project and its dependencies (PyPI), front-end assets (npm registry; served by the
# portal, never loaded from a CDN) and compiled translations. Safe to run repeatedly.
#   scripts/setup.sh          runtime
#   scripts/setup.sh --dev    runtime + test tools (pytest, Playwright; Debian chromium)
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
extras=""
[ "${1:-}" = "--dev" ] && extras="[dev]"
# (this machine's pip configuration names optional local indexes; hide their warnings only)
.venv/bin/pip install --quiet --disable-pip-version-check -e ".${extras}" \
  2> >(grep -v "^WARNING: Location" >&2)

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi
.venv/bin/python scripts/vendor_assets.py
scripts/compile_translations.sh >/dev/null

if [ "${1:-}" = "--dev" ] && ! command -v chromium >/dev/null 2>&1; then
  # Browser tests drive Debian's chromium (browsers cannot be downloaded by Playwright here).
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "setup: install Debian's chromium package (sudo apt-get install chromium) for browser tests" >&2
    exit 1
  fi
fi

if [ "${1:-}" = "--dev" ] && { ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ] \
                                || ! command -v wrk >/dev/null 2>&1; }; then
  # The end-to-end tests run nginx from deploy/nginx; bench/bench_load.py drives wrk.
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light wrk >/dev/null
  else
    echo "setup: install nginx-light and wrk (sudo apt-get install nginx-light wrk) for the end-to-end tests" >&2
    exit 1
  fi
fi
