#!/usr/bin/env bash
# Installs the system programs a purpose needs, idempotently, from Debian's packages.
#   scripts/system-deps.sh run    redis-server; ffmpeg for thumbnails if it can (the stack runs without it)
#   scripts/system-deps.sh test   everything the test suite starts for real
#   scripts/system-deps.sh bench  the benchmark's load generator and nginx
set -euo pipefail
purpose=${1:-test}

# program:package pairs; the optional ones are installed when possible, never required
optional=""
case "$purpose" in
  run)   wanted="redis-server:redis-server" optional="ffmpeg:ffmpeg" ;;
  test)  wanted="redis-server:redis-server redis-sentinel:redis-sentinel ffmpeg:ffmpeg nginx:nginx-light chromium:chromium podman:podman runc:runc busybox:busybox-static promtool:prometheus prometheus:prometheus" ;;
  bench) wanted="redis-server:redis-server nginx:nginx-light wrk:wrk chromium:chromium" ;;
  *) echo "usage: $0 run|test|bench" >&2; exit 2 ;;
esac

absent() { # the packages of the pairs whose program is not installed
  for pair in "$@"; do
    prog=${pair%%:*}
    if ! command -v "$prog" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$prog" ]; then echo "${pair#*:}"; fi
  done
}
# shellcheck disable=SC2086 # the lists are word lists
mapfile -t required < <(absent $wanted)
# shellcheck disable=SC2086
mapfile -t extra < <(absent $optional)
missing=("${required[@]}" "${extra[@]}")
[ ${#missing[@]} -eq 0 ] && exit 0

cannot() { # why nothing can be installed here
  if [ ${#required[@]} -eq 0 ]; then
    echo "Optional: ${extra[*]} ($1; without it there are no thumbnails)" >&2
    exit 0
  fi
  echo "Missing system packages: ${missing[*]} ($1)" >&2
  echo "Install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
}
if [ "$(id -u)" -eq 0 ]; then sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo=(sudo -n)
else cannot "not root and no passwordless sudo"
fi
command -v apt-get >/dev/null 2>&1 || cannot "no apt-get here: install them with your package manager"
echo "Installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
