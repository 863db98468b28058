#!/usr/bin/env bash
# One command: install what the dashboard needs and serve it on the embedded demo database.
# The first start creates data/service_pulse.duckdb and fills it with demo data (about 10 s).
set -euo pipefail
cd "$(dirname "$0")"
PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv 2>/dev/null || {
    [ "$(id -u)" = 0 ] && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv
    "$PY" -m venv .venv
  }
fi
.venv/bin/pip install -q --disable-pip-version-check -r requirements.txt
exec .venv/bin/streamlit run app.py "$@"
