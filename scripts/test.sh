#!/usr/bin/env bash
# Runs the whole jest suite and ends with one plain summary line: "tests: N passed, N failed"
# (and how many test files could not run at all, when any).
set -uo pipefail
cd "$(dirname "$0")/.."
results=$(mktemp)
npx jest --ci --json --outputFile="$results" "$@"
rc=$?
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const skipped = r.numPendingTests + r.numTodoTests;
  const broken = r.numRuntimeErrorTestSuites;
  console.log(
    `tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed` +
      (skipped ? `, ${skipped} skipped` : "") +
      (broken ? `, ${broken} test files could not run` : ""),
  );
  if (r.numTotalTests === 0) { console.error("no test ran"); process.exit(1); }
' "$results" || rc=1
rm -f "$results"
exit $rc
