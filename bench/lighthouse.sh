#!/usr/bin/env bash
# Lighthouse (mobile profile) on the built site's index and disclosure pages, in English and the other languages, served on loopback.
# Usage: bash bench/lighthouse.sh [site-folder]   (needs `npm ci` and a Chromium or Chrome: see takedowns/browser.py)
set -euo pipefail
cd "$(dirname "$0")/.."
site="${1:-site}"
port=8791
python3 bench/serve_gzip.py "$site" "$port" >/dev/null 2>&1 &  # gzip, as GitHub Pages serves
server=$!
trap 'kill $server' EXIT
sleep 1
CHROME_PATH="$(${PYTHON:-python3} -m takedowns.browser)"  # $CHROME_PATH if set, else found as the tests find it
export CHROME_PATH
for page in "" "disclosures/ira-2018-10/" "es/" "ar/" "ar/disclosures/ira-2018-10/" "ru/disclosures/meta-2026-h1-china/"; do
  out="bench/out/lighthouse-$(echo "${page:-index}" | tr '/' '_').json"
  mkdir -p bench/out
  npx --no-install lighthouse "http://127.0.0.1:$port/$page" --quiet --output=json --output-path="$out" \
    --chrome-flags="--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --no-first-run" >/dev/null 2>&1 || true
  python3 - "$out" "${page:-index}" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
scores = {k: round(v["score"] * 100) for k, v in report["categories"].items()}
audits = report["audits"]
print(f"{sys.argv[2]:28} performance {scores['performance']:3}  accessibility {scores['accessibility']:3}  "
      f"best-practices {scores['best-practices']:3}  seo {scores['seo']:3}  "
      f"(LCP {audits['largest-contentful-paint']['displayValue']}, CLS {audits['cumulative-layout-shift']['displayValue']}, "
      f"TBT {audits['total-blocking-time']['displayValue']})")
for k, v in report["categories"].items():
    if v["score"] < 1:
        for ref in v["auditRefs"]:
            a = audits[ref["id"]]
            if a.get("score") is not None and a["score"] < 1 and ref.get("weight", 0) > 0:
                print(f"    {k}: {ref['id']}: {a.get('displayValue', '')} {a['title']}")
PY
done
