#!/usr/bin/env bash
# Installs the system programs a purpose needs, idempotently, from Debian's packages.
#   scripts/system-deps.sh run    redis-server (ffmpeg for thumbnails, if it can)
#   scripts/system-deps.sh test   everything the test suite starts for real
#   scripts/system-deps.sh bench  the benchmark's load generator and nginx
set -euo pipefail
purpose=${1:-test}

# program:package pairs
case "$purpose" in
  run)   wanted="redis-server:redis-server ffmpeg:ffmpeg" ;;
  test)  wanted="redis-server:redis-server ffmpeg:ffmpeg nginx:nginx-light chromium:chromium podman:podman runc:runc busybox:busybox-static promtool:prometheus" ;;
  bench) wanted="redis-server:redis-server nginx:nginx-light wrk:wrk" ;;
  *) echo "usage: $0 run|test|bench" >&2; exit 2 ;;
esac

missing=()
for pair in $wanted; do
  prog=${pair%%:*} pkg=${pair#*:}
  if ! command -v "$prog" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$prog" ]; then missing+=("$pkg"); fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo=(sudo -n)
else
  echo "Missing system packages: ${missing[*]}" >&2
  echo "Install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "Missing programs from packages: ${missing[*]} (no apt-get here: install them with your package manager)" >&2
  exit 1
fi
echo "Installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
