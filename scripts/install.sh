#!/usr/bin/env bash
# Install what building the site needs: Python packages and the chart libraries.
# Works as root or as any user (see scripts/python-env.sh for where the Python packages go).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/python-env.sh
"${PIP[@]}" -r requirements.txt
npm ci --omit=dev --no-audit --no-fund --loglevel=error
