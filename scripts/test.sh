#!/usr/bin/env bash
# Install what the tests need (Python test packages, Chromium, Java for the HTML checker,
# the npm tools) and run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null || ! command -v java >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium default-jre-headless >/dev/null
fi
python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore -r requirements-dev.txt
npm ci --no-audit --no-fund --loglevel=error
python3 -m pytest "$@"
