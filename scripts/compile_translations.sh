#!/usr/bin/env bash
# Compile portal/translations/*/LC_MESSAGES/messages.po into .mo files (gitignored).
# The .po catalogs are the source; after changing user-visible text run
#   .venv/bin/pybabel extract -F babel.cfg -o /tmp/messages.pot --no-location --sort-output .
#   .venv/bin/pybabel update -i /tmp/messages.pot -d portal/translations -w 100 -N
# translate the new entries, then this script. tests/test_i18n.py fails on any gap.
set -euo pipefail
cd "$(dirname "$0")/.."
PYBABEL=${PYBABEL:-.venv/bin/pybabel}
"$PYBABEL" compile --statistics -d portal/translations
