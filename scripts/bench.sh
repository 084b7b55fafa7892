#!/usr/bin/env bash
# Benchmarks (figures go into the README):
#  1. API: GET /api/streams/latest for 100 streams (real collector output) against nginx serving
#     the same bytes as a static file, one worker each, side by side with wrk.
#  2. Collector: 10,000 paths with two readers each: CPU per cycle and RSS, and the floor (the
#     steps every cycle takes at that size whatever the design, each measured alone).
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
chmod 755 "$work" # nginx workers run as an unprivileged user
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
wait_port() { for _ in $(seq 200); do (echo >/dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0; sleep 0.05; done; echo "port $1 never opened" >&2; return 1; }

redis_port=$(port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no >/dev/null &
pids+=($!)
wait_port "$redis_port"
export REDIS_URL="redis://127.0.0.1:$redis_port/0" LOG_LEVEL=warn

echo "== API: /api/streams/latest (100 streams) vs nginx static, 1 worker each, wrk -t1 -c32 -d10s"
emu_port=$(port)
EMULATOR_PORT=$emu_port EMULATOR_SCENARIO=bench EMULATOR_BENCH_PATHS=100 EMULATOR_BENCH_READERS=2 node mediamtx-test/dist/main.js >/dev/null &
pids+=($!)
wait_port "$emu_port"
MEDIAMTX_API_URL="http://127.0.0.1:$emu_port" BENCH_CYCLES=3 node scripts/bench/collector.js >/dev/null 2>&1
mkdir -p "$work/html/api/streams"
redis-cli -p "$redis_port" --raw GET mediamtx:streams:latest | head -c -1 > "$work/html/api/streams/latest"
echo "   body: $(wc -c < "$work/html/api/streams/latest") bytes"

api_port=$(port)
API_PORT=$api_port API_HOST=127.0.0.1 node services/api/dist/main.js >/dev/null &
pids+=($!)
wait_port "$api_port"
nginx_port=$(port)
mkdir -p "$work/nginx"
cat > "$work/nginx/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off; sendfile on; tcp_nopush on; # as Debian ships it
  client_body_temp_path $work/nginx; proxy_temp_path $work/nginx; fastcgi_temp_path $work/nginx;
  uwsgi_temp_path $work/nginx; scgi_temp_path $work/nginx;
  server { listen 127.0.0.1:$nginx_port; root $work/html; default_type application/json; }
}
CONF
nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" &
pids+=($!)
wait_port "$nginx_port"
rps() { wrk -t1 -c32 -d10s "$1" | awk '/Non-2xx/ {print "non-2xx answers" > "/dev/stderr"; exit 1} /Requests\/sec/ {print $2}'; }
for url in "http://127.0.0.1:$api_port/api/streams/latest" "http://127.0.0.1:$nginx_port/api/streams/latest"; do
  curl -sf "$url" > "$work/answer"; cmp "$work/answer" "$work/html/api/streams/latest" || { echo "$url does not answer the same bytes" >&2; ls -la "$work/answer" "$work/html/api/streams/latest" >&2; exit 1; }
done
rps "http://127.0.0.1:$api_port/api/streams/latest" >/dev/null # warm-up
api_rps=$(rps "http://127.0.0.1:$api_port/api/streams/latest")
nginx_rps=$(rps "http://127.0.0.1:$nginx_port/api/streams/latest")
echo "   api:   $api_rps req/s"
echo "   nginx: $nginx_rps req/s"
echo "   ratio: $(node -e "console.log(($api_rps/$nginx_rps).toFixed(2))") (target >= 0.50)"

echo "== Collector: ${BENCH_PATHS:-10000} paths x ${BENCH_READERS:-2} readers"
emu_port=$(port)
EMULATOR_PORT=$emu_port EMULATOR_SCENARIO=bench EMULATOR_BENCH_PATHS=${BENCH_PATHS:-10000} EMULATOR_BENCH_READERS=${BENCH_READERS:-2} \
  node mediamtx-test/dist/main.js >/dev/null &
pids+=($!)
wait_port "$emu_port"
MEDIAMTX_API_URL="http://127.0.0.1:$emu_port" node scripts/bench/collector.js
echo "== API fan-out: ${BENCH_FANOUT_CLIENTS:-500} WebSocket clients (permessage-deflate) on ${BENCH_FANOUT_STREAMS:-1000} streams, one update a second (target <= 1 core)" && node scripts/bench/fanout.js
echo "== Dashboard in Chromium: 1,000 streams at 1 Hz (main thread, WebSocket payload, first paint, DOM), then 10,000 over 10 nodes" && node scripts/bench/browser.js
node scripts/bench/history.js # history (issue #12): Redis memory after a simulated month of 100 streams + host, a 30-day query at the api, writing 1,000 streams
