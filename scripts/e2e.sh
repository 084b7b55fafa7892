#!/usr/bin/env bash
# The end-to-end suite against the Compose stack, on a Docker host: builds and starts compose.yaml
# with the bundled MediaMTX and its SRT test pattern (project mmon-e2e, the dashboard on a free
# loopback port, no .env read), waits until every service is healthy, runs e2e/compose.e2e.ts
# against nginx, and tears everything down. Exits non-zero on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v docker >/dev/null 2>&1 || { echo "make e2e needs Docker with the compose plugin (make e2e-native runs the same suite without it)" >&2; exit 2; }
start=$(date +%s)
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
empty_env=$(mktemp)
export WEB_BIND=127.0.0.1 WEB_PORT=$port SYSMON_COMPOSE_PROJECT=mmon-e2e
compose=(docker compose --env-file "$empty_env" -p mmon-e2e -f compose.yaml)
down() {
  rc=$?
  if [ $rc -ne 0 ]; then "${compose[@]}" ps -a || true; "${compose[@]}" logs --tail 40 || true; fi
  "${compose[@]}" down --volumes --remove-orphans --timeout 20 || true
  rm -f "$empty_env"
  exit $rc
}
trap down EXIT
"${compose[@]}" up --detach --build --wait --wait-timeout 300
echo "stack healthy after $(( $(date +%s) - start )) s; running the suite against http://127.0.0.1:$port"
E2E_BASE_URL="http://127.0.0.1:$port" npx jest -c e2e/jest.config.js --ci e2e/compose.e2e.ts
echo "e2e: passed in $(( $(date +%s) - start )) s"
