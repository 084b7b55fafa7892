#!/usr/bin/env bash
# The end-to-end suite against the native stack (e2e/native.e2e.ts starts and stops it): builds what
# it runs, then runs the suite; logs of every process in .run/e2e-native/. Exits non-zero on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
npx tsc -b services/collector services/sysmon services/snapshotter services/alerter services/api mediamtx-test
npm run --silent build -w @mmon/web
npx jest -c e2e/jest.config.js --ci e2e/native.e2e.ts
echo "e2e-native: passed in $(( $(date +%s) - start )) s"
