#!/usr/bin/env bash
# Daemonless build benchmark (not a test; issue 9 "Daemonless build"): `berth ecr-push --dockerfile` of an app with
# a ~100 MB dependency layer (random, incompressible files under deps/) and a small application layer, pushed to a
# local registry (moto_server answers the ECR API calls), JVM start-up included.
#
#   scripts/bench-build.sh            # median of 3
#   RUNS=5 DEPS_MB=200 scripts/bench-build.sh
#
# Each run: an empty registry and an empty layer cache, then
#   cold      build + push of v1 (every layer compressed and uploaded)
#   rebuild   only app.js changed: build + push of v2 (the dependency layer comes from the cache and is already
#             in the registry: only the app layer and the config are uploaded)
#   rerun     v2 again, the same inputs: the same digest, nothing pushed ("pushed": false)
# Goal: rebuild <= 25% of cold, and only the changed layer uploaded.
set -euo pipefail
# shellcheck source=lib/bench-common.sh
source "$(dirname "$0")/lib/bench-common.sh"
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
DEPS_MB=${DEPS_MB:-100}
JAR=${BERTH_JAR:-target/berth.jar}
for tool in java docker-registry moto_server python3; do
  command -v "$tool" >/dev/null 2>&1 || { echo "missing: $tool (scripts/prereqs.sh installs it)" >&2; exit 1; }
done
[ -f "$JAR" ] || mvn -o -q -B package -DskipTests
WORK=$(mktemp -d /tmp/berth-bench-build.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

REG_PORT=$(free_port)
REG_PID=
start_registry() { # empty storage, same port
  local dir=$WORK/registry
  [ -n "$REG_PID" ] && { kill "$REG_PID" 2>/dev/null || true; wait "$REG_PID" 2>/dev/null || true; }
  rm -rf "$dir"; mkdir -p "$dir"
  serve_registry "$dir" "$REG_PORT"
  REG_PID=$REGISTRY_PID
  PIDS+=("$REGISTRY_PID")
}

echo "setting up (moto_server, docker-registry, a ${DEPS_MB} MB app)..." >&2
MOTO_PORT=$(free_port)
moto_server -H 127.0.0.1 -p "$MOTO_PORT" >"$WORK/moto.log" 2>&1 &
PIDS+=($!)
wait_http "http://127.0.0.1:$MOTO_PORT/moto-api/"
export AWS_ENDPOINT_URL=http://127.0.0.1:$MOTO_PORT AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing \
  AWS_REGION=us-east-2 AWS_EC2_METADATA_DISABLED=true

APP=$WORK/app
mkdir -p "$APP/deps"
files=$(( (DEPS_MB + 3) / 4 ))
for i in $(seq 1 "$files"); do head -c $((4 * 1024 * 1024)) /dev/urandom >"$APP/deps/module-$i.bin"; done
cat >"$APP/Dockerfile" <<'DF'
FROM scratch
WORKDIR /app
COPY deps/ deps/
COPY app.js .
ENV NODE_ENV=production
CMD ["node", "app.js"]
DF
printf 'node_modules/.cache\n*.log\n' >"$APP/.dockerignore"

push() { # TAG -> prints "ms blobsUploaded bytesUploaded pushed digest"
  local t0 t1
  t0=$(now_ms)
  BERTH_CACHE_DIR=$WORK/cache java -jar "$JAR" ecr-push -q --repository bench/app --tag "$1" \
    --dockerfile "$APP/Dockerfile" --registry-endpoint "http://127.0.0.1:$REG_PORT" >"$WORK/out" 2>"$WORK/err" \
    || { cat "$WORK/out" "$WORK/err" >&2; exit 1; }
  t1=$(now_ms)
  python3 - "$(( t1 - t0 ))" "$WORK/out" <<'PY'
import json, sys
r = json.loads(open(sys.argv[2]).read().strip().splitlines()[-1])
print(sys.argv[1], r.get("blobsUploaded", 0), r.get("bytesUploaded", 0), str(r["pushed"]).lower(), r["digest"])
PY
}

cold=() rebuild=() rerun=()
for i in $(seq 1 "$RUNS"); do
  start_registry
  curl -s -X POST "http://127.0.0.1:$MOTO_PORT/moto-api/reset" >/dev/null
  rm -rf "$WORK/cache"
  echo "console.log('v1 run $i');" >"$APP/app.js"
  read -r ms_c up_c bytes_c _ digest_c < <(push "v1-$i")
  echo "console.log('v2 run $i');" >"$APP/app.js"
  read -r ms_r up_r bytes_r _ digest_r < <(push "v2-$i")
  read -r ms_n up_n bytes_n pushed_n digest_n < <(push "v2-$i")
  if [ "$digest_n" != "$digest_r" ] || [ "$pushed_n" != false ]; then echo "rerun: not reproducible" >&2; exit 1; fi
  [ "$digest_r" != "$digest_c" ] || { echo "rebuild: digest did not change" >&2; exit 1; }
  echo "run $i: cold ${ms_c} ms (${up_c} blobs, ${bytes_c} B) / rebuild ${ms_r} ms (${up_r} blobs, ${bytes_r} B)" \
    "/ rerun ${ms_n} ms (pushed ${pushed_n})" >&2
  cold+=("$ms_c"); rebuild+=("$ms_r"); rerun+=("$ms_n")
  C_UP=$up_c C_BYTES=$bytes_c R_UP=$up_r R_BYTES=$bytes_r N_UP=$up_n N_BYTES=$bytes_n
done
mc=$(median "${cold[@]}") mr=$(median "${rebuild[@]}") mn=$(median "${rerun[@]}")
pct() { python3 -c "print(f'{100*$1/$2:.0f}%')"; }
size() { python3 -c "b=$1; print(f'{b/1048576:.1f} MB' if b >= 1048576 else f'{b/1024:.1f} kB')"; }
ratios=$(python3 -c "c=[$(IFS=,; echo "${cold[*]}")]; r=[$(IFS=,; echo "${rebuild[*]}")]; p=sorted(100*x/y for x, y in zip(r, c)); print(f'{p[0]:.0f}-{p[-1]:.0f}%')")
echo
echo "Daemonless build of a ${DEPS_MB} MB-dependency app, median of $RUNS (ms, wall clock, JVM start-up included)"
printf '%-34s %9s %14s %12s %9s\n' case ms "blobs uploaded" "uploaded" "% of cold"
printf '%-34s %9s %14s %12s %9s\n' "cold build + push" "$mc" "$C_UP" "$(size "$C_BYTES")" "100%"
printf '%-34s %9s %14s %12s %9s\n' "rebuild + push (app.js changed)" "$mr" "$R_UP" "$(size "$R_BYTES")" "$(pct "$mr" "$mc")"
printf '%-34s %9s %14s %12s %9s\n' "rerun, same inputs (no push)" "$mn" "$N_UP" "$(size "$N_BYTES")" "$(pct "$mn" "$mc")"
echo "rebuild / cold per run: $ratios"
echo "goal: rebuild <= 25% of cold, uploading only the changed layer (+ config)"
