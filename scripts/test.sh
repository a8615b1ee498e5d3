#!/usr/bin/env bash
# The README's test command (npm test): set up what is missing, then type-check,
# lint (including the layer import rules) and run every test, unit and integration.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "[test] typecheck (tests included)" >&2
npx --no-install tsc -p tsconfig.json --noEmit
echo "[test] lint" >&2
npx --no-install eslint .
mkdir -p .test-output
echo "[test] vitest" >&2
status=0
SWITCHBOARD_TEST_SKIP_BUILD=1 npx --no-install vitest run --reporter=default --reporter=json --outputFile.json=.test-output/vitest.json "$@" || status=$?
node scripts/test-summary.mjs .test-output/vitest.json || true
exit "$status"
