#!/usr/bin/env bash
# The whole test suite: unit, integration (real etcd + apiserver) and end-to-end (real processes,
# Docker, kubectl, curl), the dashboard in a browser, and multi-host (network namespaces). Needs etcd, a Docker engine and busybox (see .ci/run for a fresh machine).
# Ends with one line: `jest: N passed, M failed`.
set -uo pipefail
cd "$(dirname "$0")/.."

npm run build || { echo "jest: 0 passed, 1 failed"; exit 1; }
bash deploy/images/build.sh || { echo "jest: 0 passed, 1 failed"; exit 1; }

results="$(mktemp)"
status=0
# Lint (typescript-eslint, Prettier) first: a lint failure counts as a failed test.
lint_failed=0
npm run --silent lint || { lint_failed=1; status=1; }
# Unit and integration tests run in parallel workers; end-to-end tests share one cluster, one at a time.
npx jest --config test/jest.config.js --selectProjects unit integration --json --outputFile="$results.a" "$@" || status=1
npx jest --config test/jest.config.js --selectProjects e2e --runInBand --json --outputFile="$results.b" "$@" || status=1
# The dashboard in headless Chromium, against a cluster of its own (after the e2e one is gone).
npx jest --config test/jest.config.js --selectProjects browser --runInBand --json --outputFile="$results.e" "$@" || status=1
# Three machines as network namespaces, each worker with its own Docker engine (after the e2e cluster is gone).
npx jest --config test/jest.config.js --selectProjects multihost --runInBand --json --outputFile="$results.c" "$@" || status=1
# The README's laptop path: deploy/airgap/prepare.sh, docker-compose up -d, down -v.
npx jest --config test/jest.config.js --selectProjects compose --runInBand --json --outputFile="$results.d" "$@" || status=1

node -e '
  const fs = require("fs");
  let passed = 0, failed = Number(process.argv[1]);
  for (const f of process.argv.slice(2)) {
    if (!fs.existsSync(f)) { failed++; continue; }
    const r = JSON.parse(fs.readFileSync(f, "utf8"));
    passed += r.numPassedTests;
    failed += r.numFailedTests + (r.numRuntimeErrorTestSuites || 0);
  }
  console.log(`jest: ${passed} passed, ${failed} failed`);
  process.exit(failed > 0 ? 1 : 0);
' "$lint_failed" "$results.a" "$results.b" "$results.e" "$results.c" "$results.d" || status=1
rm -f "$results" "$results.a" "$results.b" "$results.c" "$results.d" "$results.e"
exit "$status"
