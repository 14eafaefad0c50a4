#!/usr/bin/env bash
# Install what building the site needs: Python packages and the chart libraries.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore -r requirements.txt
npm ci --omit=dev --no-audit --no-fund --loglevel=error
