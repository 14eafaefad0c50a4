#!/usr/bin/env bash
# Install what the tests need (a Chromium or Chrome, Java for the HTML checker, the Python test packages,
# the npm tools) and run every test. System packages come from apt as root, or through sudo where it
# works without a password (GitHub's runners); otherwise this says what to install and stops.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/python-env.sh
need=()
"$PY" -m takedowns.browser >/dev/null 2>&1 || need+=(chromium)  # $CHROME_PATH, the PATH, or Playwright's browser
command -v java >/dev/null || need+=(default-jre-headless)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    sudo=()
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    sudo=(sudo)
  else
    echo "The tests need these system packages: ${need[*]}. Install them as root (apt-get install ${need[*]})," >&2
    echo "or point CHROME_PATH at a Chromium/Chrome executable and put java on the PATH; then run this again." >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq "${need[@]}" >/dev/null
fi
"${PIP[@]}" -r requirements-dev.txt
npm ci --no-audit --no-fund --loglevel=error
"$PY" -m pytest "$@"
