#!/usr/bin/env bash
# Image-copy benchmark (not a test): `berth ecr-push --image` against `skopeo copy`, between local registries on
# loopback, in one run on this machine, JVM start-up included.
#
#   scripts/bench-copy.sh            # 150 MB 3-layer image and 20-layer image: cold, warm, incremental; 1 GB RSS
#   RUNS=5 scripts/bench-copy.sh     # median of 5 instead of 3
#   BIG_MB=0 scripts/bench-copy.sh   # skip the 1 GB peak-memory measurement
#   CDS=0 scripts/bench-copy.sh      # skip the "berth + AppCDS" column
#
# Columns: skopeo; berth = plain `java -jar target/berth.jar`; berth+CDS = the same jar started with an AppCDS
# archive (`java -XX:SharedArchiveFile=berth.jsa -jar ...`, archive made by one training run of this script,
# as a launcher would ship it); launcher = `berth.sh ecr-push` as the Jenkins library and the GitHub Action run it
# (the newest java found, its start-up cache recorded by one untimed run first); script = what a user writes
# instead of ecr-push: `aws ecr describe-repositories || aws ecr create-repository`, `aws ecr
# get-login-password | skopeo login --password-stdin`, `skopeo copy`.
#   LAUNCHER=0 scripts/bench-copy.sh # skip the launcher and script columns
#   IMAGES=three JAR_COLUMN=0 scripts/bench-copy.sh   # the 150 MB image only; no plain java -jar column
# Besides the table, one machine-readable line per case for scripts/bench.sh:
#   ROW IMAGE CASE skopeo=MS berth=MS [berthcds=MS] [launcher=MS script=MS]
#
# Setup: one source registry holding the images, one destination registry per tool (docker-registry, no auth),
# moto_server for berth's ECR API calls (AWS_ENDPOINT_URL); berth's blobs go to its registry through
# --registry-endpoint. Cases, each the median of RUNS runs:
#   cold         destination registry wiped before each run (skopeo's blob-info cache removed too)
#   warm         the same copy again: every blob and the tag already there
#   incremental  destination wiped, v1 copied (untimed), then v2, whose last layer differs, is timed (new tag)
# Peak RSS: /usr/bin/time -v of a cold copy of a BIG_MB image (default 1024 MB in 4 layers).
set -euo pipefail
# shellcheck source=lib/bench-common.sh
source "$(dirname "$0")/lib/bench-common.sh"
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
BIG_MB=${BIG_MB:-1024}
CDS=${CDS:-1}
LAUNCHER=${LAUNCHER:-1}
JAR_COLUMN=${JAR_COLUMN:-1}   # 0: skip plain java -jar (the berth column then repeats nothing and is not printed)
read -r -a IMAGES <<<"${IMAGES:-three twenty}"
JAR=${BERTH_JAR:-target/berth.jar}
for tool in java skopeo docker-registry moto_server python3 /usr/bin/time; do
  command -v "$tool" >/dev/null 2>&1 || { echo "missing: $tool (scripts/prereqs.sh installs it)" >&2; exit 1; }
done
[ -f "$JAR" ] || mvn -o -q -B package -DskipTests
WORK=$(mktemp -d /tmp/berth-bench.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT


declare -A REG_PORT REG_PID
start_registry() { # NAME [PORT]
  local name=$1 port=${2:-$(free_port)} dir=$WORK/reg-$1
  mkdir -p "$dir"
  REG_PORT[$name]=$port
  serve_registry "$dir" "$port"
  REG_PID[$name]=$REGISTRY_PID
  PIDS+=("$REGISTRY_PID")
}
wipe_registry() { # NAME: restart on the same port with empty storage
  local name=$1
  kill "${REG_PID[$name]}" 2>/dev/null || true
  wait "${REG_PID[$name]}" 2>/dev/null || true
  rm -rf "$WORK/reg-$name/data"
  start_registry "$name" "${REG_PORT[$name]}"
}

echo "setting up (moto_server, 3 registries, test images)..." >&2
MOTO_PORT=$(free_port)
moto_server -H 127.0.0.1 -p "$MOTO_PORT" >"$WORK/moto.log" 2>&1 &
PIDS+=($!)
start_registry src
start_registry skopeo
start_registry berth
start_registry berthcds
start_registry launcher
start_registry script
wait_http "http://127.0.0.1:$MOTO_PORT/moto-api/"
SRC=127.0.0.1:${REG_PORT[src]}
export AWS_ENDPOINT_URL=http://127.0.0.1:$MOTO_PORT AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing \
  AWS_REGION=us-east-2 AWS_EC2_METADATA_DISABLED=true

# OCI layouts of random gzip layers, written by hand, pushed to the source registry with skopeo.
make_image() { # NAME LAYERS MB_PER_LAYER: tags v1 and v2 (v2: the last layer differs)
  python3 - "$WORK/layout-$1" "$2" "$3" <<'PY'
import hashlib, json, os, sys, zlib
out, layers, mb = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
blobs = os.path.join(out, "blobs", "sha256"); os.makedirs(blobs, exist_ok=True)
def put(data):
    d = hashlib.sha256(data).hexdigest()
    with open(os.path.join(blobs, d), "wb") as f: f.write(data)
    return "sha256:" + d, len(data)
def layer():
    c = zlib.compressobj(1, zlib.DEFLATED, 31)
    raw = os.urandom(int(mb * 1024 * 1024))
    gz = c.compress(raw) + c.flush()
    return put(gz), "sha256:" + hashlib.sha256(raw).hexdigest()
ls = [layer() for _ in range(layers)]
index = []
for tag in ("v1", "v2"):
    if tag == "v2":
        ls[-1] = layer()
    cfg = json.dumps({"architecture": "amd64", "os": "linux", "config": {"Env": ["TAG=" + tag]},
                      "rootfs": {"type": "layers", "diff_ids": [d for _, d in ls]}}).encode()
    cd, cs = put(cfg)
    m = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                    "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": cs},
                    "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": d, "size": s}
                               for (d, s), _ in ls]}, indent=3).encode()
    md, ms = put(m)
    index.append({"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": md, "size": ms,
                  "annotations": {"org.opencontainers.image.ref.name": tag}})
with open(os.path.join(out, "oci-layout"), "w") as f: json.dump({"imageLayoutVersion": "1.0.0"}, f)
with open(os.path.join(out, "index.json"), "w") as f: json.dump({"schemaVersion": 2, "manifests": index}, f)
PY
  for tag in v1 v2; do
    skopeo copy -q --dest-tls-verify=false "oci:$WORK/layout-$1:$tag" "docker://$SRC/bench/$1:$tag" >/dev/null
  done
  rm -rf "$WORK/layout-$1"
}
make_image three 3 48
make_image twenty 20 2.5 # (also the launcher's training image)

run_skopeo() { # IMAGE TAG DEST_REPO
  skopeo copy -q --src-tls-verify=false --dest-tls-verify=false \
    "docker://$SRC/bench/$1:$2" "docker://127.0.0.1:${REG_PORT[skopeo]}/$3:$2" >/dev/null 2>"$WORK/err" \
    || { cat "$WORK/err" >&2; exit 1; }
}
berth_push() { # REGISTRY IMAGE TAG DEST_REPO JAVA_OPTIONS...
  local reg=$1 img=$2 tag=$3 repo=$4; shift 4
  java "$@" -jar "$JAR" ecr-push -q --repository "$repo" --image "$SRC/bench/$img:$tag" --tag "$tag" \
    --registry-endpoint "http://127.0.0.1:${REG_PORT[$reg]}" >"$WORK/out" 2>"$WORK/err" \
    || { cat "$WORK/out" "$WORK/err" >&2; exit 1; }
}
run_berth() { berth_push berth "$1" "$2" "$3"; }
run_berthcds() { berth_push berthcds "$1" "$2" "$3" "-XX:SharedArchiveFile=$WORK/berth.jsa"; }
run_launcher() { # IMAGE TAG DEST_REPO: through the launcher, with its start-up cache in $WORK/launcher-cache
  BERTH_JAR=$JAR BERTH_CACHE_DIR=$WORK/launcher-cache sh resources/dev/berth/berth.sh ecr-push -q --repository "$3" \
    --image "$SRC/bench/$1:$2" --tag "$2" --registry-endpoint "http://127.0.0.1:${REG_PORT[launcher]}" \
    >"$WORK/out" 2>"$WORK/err" || { cat "$WORK/out" "$WORK/err" >&2; exit 1; }
}
run_script() { # IMAGE TAG DEST_REPO: the AWS CLI makes the repository and logs skopeo in, skopeo copies
  local dest=127.0.0.1:${REG_PORT[script]}
  {
    aws ecr describe-repositories --repository-names "$3" >/dev/null 2>&1 \
      || aws ecr create-repository --repository-name "$3" --image-tag-mutability IMMUTABLE >/dev/null
    aws ecr get-login-password | skopeo login -u AWS --password-stdin --tls-verify=false \
      --authfile "$WORK/script-auth.json" "$dest" >/dev/null
    skopeo copy -q --authfile "$WORK/script-auth.json" --src-tls-verify=false --dest-tls-verify=false \
      "docker://$SRC/bench/$1:$2" "docker://$dest/$3:$2" >/dev/null
  } 2>"$WORK/err" || { cat "$WORK/err" >&2; exit 1; }
}
timed() { local t0; t0=$(now_ms); "$@"; echo $(( $(now_ms) - t0 )); }
clear_skopeo_cache() { rm -f /var/lib/containers/cache/blob-info-cache-v1.* ~/.local/share/containers/cache/blob-info-cache-v1.* 2>/dev/null || true; }

declare -A RESULT
measure() { # TOOL IMAGE
  local tool=$1 img=$2 i cold=() warm=() inc=()
  for i in $(seq 1 "$RUNS"); do
    wipe_registry "$tool"; clear_skopeo_cache
    cold+=("$(timed "run_$tool" "$img" v1 "$img-cold-$i")")
  done
  for i in $(seq 1 "$RUNS"); do
    warm+=("$(timed "run_$tool" "$img" v1 "$img-cold-$RUNS")")
  done
  for i in $(seq 1 "$RUNS"); do
    # the changed layer must be nowhere in the destination (skopeo would mount it from an earlier run's repo)
    wipe_registry "$tool"; clear_skopeo_cache
    "run_$tool" "$img" v1 "$img-inc-$i"
    inc+=("$(timed "run_$tool" "$img" v2 "$img-inc-$i")")
  done
  RESULT[$tool,$img,cold]=$(median "${cold[@]}")
  RESULT[$tool,$img,warm]=$(median "${warm[@]}")
  RESULT[$tool,$img,incremental]=$(median "${inc[@]}")
  echo "$tool $img: cold ${cold[*]} / warm ${warm[*]} / incremental ${inc[*]} ms" >&2
}
TOOLS=(skopeo)
[ "$JAR_COLUMN" = 0 ] || TOOLS+=(berth)
if [ "$CDS" = 1 ]; then
  # training run: a cold copy (upload path) and a warm one, classes archived at exit
  berth_push berthcds twenty v1 train -XX:ArchiveClassesAtExit="$WORK/berth.jsa"
  berth_push berthcds twenty v1 train
  TOOLS+=(berthcds)
fi
if [ "$LAUNCHER" = 1 ]; then
  command -v aws >/dev/null 2>&1 || { echo "missing: aws (scripts/prereqs.sh installs it)" >&2; exit 1; }
  # the launcher's start-up cache: recorded by its first successful run, like an agent that has pushed before
  run_launcher twenty v1 train
  TOOLS+=(launcher script)
fi
for img in "${IMAGES[@]}"; do
  for tool in "${TOOLS[@]}"; do measure "$tool" "$img"; done
done

echo
echo "Image copy, median of $RUNS (ms, wall clock, JVM start-up included); ratio = berth / skopeo (< 1: berth faster)"
printf '%-18s %-12s %8s %8s %7s' image case skopeo berth ratio
[ "$CDS" = 1 ] && printf ' %10s %7s' berth+CDS ratio
echo
for img in "${IMAGES[@]}"; do
  [ "$JAR_COLUMN" = 0 ] && break
  label=$([ "$img" = three ] && echo "3 layers, 150 MB" || echo "20 layers, 50 MB")
  for c in cold warm incremental; do
    s=${RESULT[skopeo,$img,$c]} b=${RESULT[berth,$img,$c]}
    printf '%-18s %-12s %8s %8s %7s' "$label" "$c" "$s" "$b" "$(python3 -c "print(f'{$b/$s:.2f}')")"
    if [ "$CDS" = 1 ]; then
      d=${RESULT[berthcds,$img,$c]}
      printf ' %10s %7s' "$d" "$(python3 -c "print(f'{$d/$s:.2f}')")"
    fi
    echo
  done
done
echo "(load average during the run: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores)"
for img in "${IMAGES[@]}"; do
  for c in cold warm incremental; do
    line="ROW $img $c"
    for tool in "${TOOLS[@]}"; do line="$line $tool=${RESULT[$tool,$img,$c]}"; done
    echo "$line"
  done
done

if [ "$BIG_MB" -gt 0 ]; then
  echo "building a $BIG_MB MB image for the memory measurement..." >&2
  make_image big 4 "$(python3 -c "print($BIG_MB/4)")"
  rss() { /usr/bin/time -v "$@" 2>&1 >/dev/null | awk -F: '/Maximum resident set size/ {gsub(/ /,"",$2); print int($2/1024)}'; }
  wipe_registry berth; wipe_registry skopeo; clear_skopeo_cache
  b_rss=$(rss java -jar "$JAR" ecr-push -q --repository big --image "$SRC/bench/big:v1" --tag v1 \
    --registry-endpoint "http://127.0.0.1:${REG_PORT[berth]}")
  s_rss=$(rss skopeo copy -q --src-tls-verify=false --dest-tls-verify=false "docker://$SRC/bench/big:v1" \
    "docker://127.0.0.1:${REG_PORT[skopeo]}/big:v1")
  echo
  echo "Peak RSS copying a $BIG_MB MB image (cold): berth ${b_rss} MB, skopeo ${s_rss} MB (goal for berth: < 300 MB)"
  if [ "$LAUNCHER" = 1 ]; then
    wipe_registry launcher
    l_rss=$(rss env BERTH_JAR="$JAR" BERTH_CACHE_DIR="$WORK/launcher-cache" sh resources/dev/berth/berth.sh ecr-push -q \
      --repository big --image "$SRC/bench/big:v1" --tag v1 --registry-endpoint "http://127.0.0.1:${REG_PORT[launcher]}")
    echo "Peak RSS copying a $BIG_MB MB image (cold) through the launcher: berth ${l_rss} MB"
  fi
fi
if [ "$LAUNCHER" = 1 ]; then
  rss() { /usr/bin/time -v "$@" 2>&1 >/dev/null | awk -F: '/Maximum resident set size/ {gsub(/ /,"",$2); print int($2/1024)}'; }
  wipe_registry launcher
  l_rss=$(rss env BERTH_JAR="$JAR" BERTH_CACHE_DIR="$WORK/launcher-cache" sh resources/dev/berth/berth.sh ecr-push -q \
    --repository rss --image "$SRC/bench/three:v1" --tag v1 --registry-endpoint "http://127.0.0.1:${REG_PORT[launcher]}")
  echo "Peak RSS copying the 150 MB image (cold) through the launcher: berth ${l_rss} MB"
fi
