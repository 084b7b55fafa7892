#!/usr/bin/env bash
# Starts the whole stack natively: Redis (unless REDIS_URL points elsewhere), the MediaMTX emulator
# with demo streams (unless MEDIAMTX_API_URL or MEDIAMTX_NODES is set), collector, sysmon,
# snapshotter, alerter (ALERT_RULES_FILE, else the built-in rules) and api. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f .env ] && set -a && . ./.env && set +a

RUN_DIR=${RUN_DIR:-.run}
mkdir -p "$RUN_DIR"
pids=()
stopping=
stop() {
  trap - INT TERM EXIT
  stopping=1
  echo "stopping…"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  echo "stopped"
}
trap stop INT TERM EXIT
start() { # name command…
  local name=$1; shift
  "$@" > >(tee -a "$RUN_DIR/$name.log" | sed -u "s/^/[$name] /") 2>&1 &
  pids+=($!)
}

if [ -z "${REDIS_URL:-}" ]; then
  port=${REDIS_PORT:-6379}
  if redis-cli -p "$port" ping >/dev/null 2>&1; then
    echo "using the Redis already running on port $port"
  else
    start redis redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$RUN_DIR"
  fi
  export REDIS_URL="redis://127.0.0.1:$port/0"
fi

if [ -z "${MEDIAMTX_API_URL:-}" ] && [ -z "${MEDIAMTX_NODES:-}" ]; then
  echo "no MEDIAMTX_API_URL set: starting the MediaMTX emulator with demo streams"
  export EMULATOR_PORT=${EMULATOR_PORT:-9997}
  start emulator node mediamtx-test/dist/main.js
  export MEDIAMTX_API_URL="http://127.0.0.1:$EMULATOR_PORT"
  if command -v ffmpeg >/dev/null 2>&1 && [ -z "${SNAPSHOT_SOURCE_URL:-}" ]; then
    # Demo thumbnails: one SRT test pattern, served to every stream name.
    demo_port=${DEMO_SRT_PORT:-9710}
    # The loop restarts the listener after each reader; on TERM it ends its ffmpeg too. A reader
    # leaving ends ffmpeg with I/O errors, as expected: only fatal messages are shown (a source that
    # cannot be read shows in the snapshotter's log).
    start testpattern bash -c "trap 'kill \$ff 2>/dev/null; exit 0' TERM INT
      while true; do
        ffmpeg -hide_banner -loglevel fatal -nostdin -re -f lavfi -i testsrc2=size=640x360:rate=25 \
          -c:v libx264 -preset ultrafast -tune zerolatency -g 25 -f mpegts 'srt://127.0.0.1:$demo_port?mode=listener' & ff=\$!
        wait \$ff; sleep 0.2
      done"
    export SNAPSHOT_SOURCE_URL="srt://127.0.0.1:$demo_port?streamid=read:{name}"
    # the listener serves one reader at a time
    export SNAPSHOT_CONCURRENCY=${SNAPSHOT_CONCURRENCY:-1}
  fi
fi

# Notifications link to this dashboard unless told otherwise.
export ALERT_DASHBOARD_URL=${ALERT_DASHBOARD_URL:-http://localhost:${API_PORT:-8080}/}
for svc in collector sysmon snapshotter alerter api; do
  start "$svc" node "services/$svc/dist/main.js"
done
# Who may look (the api applies it; see README "Access control"): without users it listens on
# 127.0.0.1 only unless API_HOST says otherwise.
if [ -n "${AUTH_PROXY_HEADER:-}" ]; then
  access="single sign-on: the user named in $AUTH_PROXY_HEADER, from ${AUTH_TRUSTED_PROXIES:-?} only; listening on ${API_HOST:-0.0.0.0}"
elif [ -n "${MONITOR_USERS_FILE:-}" ]; then
  access="login required (users in $MONITOR_USERS_FILE); listening on ${API_HOST:-0.0.0.0}"
elif [ -n "${API_HOST:-}" ]; then
  access="NO LOGIN, listening on $API_HOST as API_HOST says: whoever reaches it sees every stream and viewer address"
else
  access="no login, so listening on 127.0.0.1 only (this machine); to open it, create users first (MONITOR_USERS_FILE, see README)"
fi
echo
echo "MediaMTX Monitor: dashboard on http://localhost:${API_PORT:-8080}  (Ctrl-C stops everything; logs in $RUN_DIR/)"
echo "access: $access"
wait -n "${pids[@]}" || true
[ -n "$stopping" ] || echo "a process ended; shutting the stack down"
