# shellcheck shell=bash
# Shared by scripts/bench.sh, bench-copy.sh and bench-build.sh (sourced, not run).
# free_port: a free loopback port. wait_http URL: until URL answers any HTTP status (20 s). now_ms: wall clock
# in ms. median N...: the median of the numbers. serve_registry DIR PORT: Debian's docker-registry in the background
# on 127.0.0.1:PORT, storing in DIR/data (deletes allowed), config and log in DIR; sets REGISTRY_PID; returns
# when it answers.

free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1]);s.close()'; }

wait_http() {
  for _ in $(seq 1 200); do
    python3 - "$1" <<'PY' 2>/dev/null && return 0
import sys, urllib.request, urllib.error
try:
    urllib.request.urlopen(sys.argv[1], timeout=1)
except urllib.error.HTTPError:
    pass
PY
    sleep 0.1
  done
  echo "no answer from $1" >&2; exit 1
}

serve_registry() {
  cat >"$1/config.yml" <<CFG
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $1/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$2
CFG
  docker-registry serve "$1/config.yml" >"$1/log" 2>&1 &
  # shellcheck disable=SC2034 # read by the scripts that source this file
  REGISTRY_PID=$!
  wait_http "http://127.0.0.1:$2/v2/"
}

now_ms() { date +%s%3N; }

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
