#!/usr/bin/env bash
# berth's benchmark suite. Every figure is a ratio against the tool a user would pick instead, measured in the same
# run on this machine (absolute times on a shared machine are noise); each time is the median of BENCH_RUNS runs.
# Prints one Markdown table (docs/performance.md and README show the latest one).
#
#   scripts/bench.sh            everything: start-up, the flow against moto vs the AWS CLI, JVM levers, API economy,
#                               image copy, build
#   scripts/bench.sh quick      start-up, flow and API economy only (no image copy, no build)
#   scripts/bench.sh levers     quick, plus the flow once per JVM lever (plain, SerialGC, C1 only, CDS, all)
#   BENCH_RUNS=7 scripts/bench.sh quick       runs per median (default 5; the copy and build scripts get it too)
#
# berth runs two ways: `java -jar target/berth.jar` (what the jar alone gives: JVM flags cannot go in a manifest)
# and through the launcher resources/dev/berth/berth.sh (what the Jenkins library and the GitHub Action run:
# SerialGC, C1 only for ecs-* steps, a class-data archive per step recorded on the step's first run; the archives
# are recorded in one untimed warm-up flow, as on an agent that has run berth before).
# Image copy and build figures come from scripts/bench-copy.sh and scripts/bench-build.sh (owned by the image
# work), whose printed tables are parsed into this one.
# Needs target/berth.jar (built when missing), moto_server, aws (CLI v1); for copy/build also docker-registry, skopeo.
set -euo pipefail
source "$(dirname "$0")/lib/bench-common.sh"
cd "$(dirname "$0")/.."
ROOT=$PWD
JAR=$ROOT/target/berth.jar
LAUNCHER=$ROOT/resources/dev/berth/berth.sh
MODE=${1:-all}
[ -f "$JAR" ] || mvn -o -B -q package -DskipTests
RUNS=${BENCH_RUNS:-5}
WORK=$(mktemp -d /tmp/berth-bench.XXXXXX)
MOTO_PID=
cleanup() { [ -z "$MOTO_PID" ] || kill "$MOTO_PID" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
log() { printf '%s\n' "$*" >&2; }

# median wall time in ms of RUNS runs of a command (output discarded)
median_ms() {
  local times=() i s
  for ((i = 0; i < RUNS; i++)); do
    s=$(now_ms); "$@" >/dev/null 2>&1 || { log "command failed: $*"; return 1; }
    times+=($(($(now_ms) - s)))
  done
  median "${times[@]}"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
met() { awk -v r="$1" -v g="$2" 'BEGIN { print (r <= g ? "yes" : "**no**") }'; }
ROWS=()
# row MEASURE BERTH REFERENCE RATIO GOAL MET
row() { ROWS+=("| $1 | $2 | $3 | $4 | $5 | $6 |"); }
# timed_row MEASURE BERTH_MS REF_MS GOAL_RATIO (goal: ratio <= GOAL_RATIO)
timed_row() {
  local r; r=$(ratio "$2" "$3")
  row "$1" "$2 ms" "$3 ms" "$r" "<= $4" "$(met "$r" "$4")"
}

log "load before: $(uptime)"

# ---- start-up -------------------------------------------------------------------------------------------------
log "start-up..."
export BERTH_JAR=$JAR BERTH_CACHE_DIR=$WORK/cache
b=$(median_ms java -jar "$JAR" --version)
l=$(median_ms sh "$LAUNCHER" --version)
a=$(median_ms aws --version)
timed_row "start-up: \`java -jar berth.jar --version\` vs \`aws --version\`" "$b" "$a" 0.50
timed_row "start-up: \`berth.sh --version\` (launcher) vs \`aws --version\`" "$l" "$a" 0.50

# ---- the flow against moto ------------------------------------------------------------------------------------
port=$(free_port)
MOTO_ECS_SERVICE_RUNNING=2 moto_server -H 127.0.0.1 -p "$port" >"$WORK/moto.log" 2>&1 &
MOTO_PID=$!
MOTO=http://127.0.0.1:$port
for _ in $(seq 1 200); do curl -fs "$MOTO/moto-api/" >/dev/null 2>&1 && break; sleep 0.1; done
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-2 AWS_DEFAULT_REGION=us-east-2
export AWS_EC2_METADATA_DISABLED=true
unset AWS_ENDPOINT_URL AWS_PROFILE BERTH_JAVA_OPTS BERTH_CDS BERTH_API_LOG
AWS=(aws --endpoint-url "$MOTO" --output json)
AWST=(aws --endpoint-url "$MOTO" --output text)
# one network for every run; each run deploys its own family, cluster and service, so every run is a first run
VPC=$("${AWST[@]}" ec2 create-vpc --cidr-block 10.0.0.0/16 --query Vpc.VpcId)
SUB1=$("${AWST[@]}" ec2 create-subnet --vpc-id "$VPC" --cidr-block 10.0.1.0/24 --availability-zone us-east-2a --query Subnet.SubnetId)
SUB2=$("${AWST[@]}" ec2 create-subnet --vpc-id "$VPC" --cidr-block 10.0.2.0/24 --availability-zone us-east-2b --query Subnet.SubnetId)
SG=$("${AWST[@]}" ec2 create-security-group --group-name tasks --description tasks --vpc-id "$VPC" --query GroupId)
IMAGE=123456789012.dkr.ecr.us-east-2.amazonaws.com/opensourceapirepo@sha256:$(printf 'a%.0s' $(seq 1 64))
taskdef() { # NAME -> the story's task definition as a file, family NAME
  cat >"$WORK/td-$1.json" <<JSON
{"family":"$1","networkMode":"awsvpc","requiresCompatibilities":["FARGATE"],"cpu":"1024","memory":"2048",
 "executionRoleArn":"arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
 "containerDefinitions":[{"name":"gantt-exporter-container","image":"$IMAGE","memory":2048,"essential":true,
 "portMappings":[{"containerPort":80,"protocol":"tcp"}],"mountPoints":[{"sourceVolume":"export","containerPath":"/sites/export-service"}]}],
 "volumes":[{"name":"export"}]}
JSON
  echo "$WORK/td-$1.json"
}
cat >"$WORK/policy.json" <<JSON
{"TargetValue":60.0,"PredefinedMetricSpecification":{"PredefinedMetricType":"ECSServiceAverageCPUUtilization"}}
JSON

# the AWS CLI commands each step replaces; STEP NAME
cli_step() {
  local n=$2
  case $1 in
    register) "${AWS[@]}" ecs register-task-definition --cli-input-json "file://$(taskdef "$n")" ;;
    deploy)
      "${AWS[@]}" ecs create-cluster --cluster-name "$n"
      "${AWS[@]}" ecs create-service --cluster "$n" --service-name "$n" --task-definition "$n" \
        --desired-count 2 --launch-type FARGATE \
        --network-configuration "awsvpcConfiguration={subnets=[$SUB1,$SUB2],securityGroups=[$SG]}"
      "${AWS[@]}" application-autoscaling register-scalable-target --service-namespace ecs \
        --resource-id "service/$n/$n" --scalable-dimension ecs:service:DesiredCount --min-capacity 1 --max-capacity 4
      "${AWS[@]}" application-autoscaling put-scaling-policy --service-namespace ecs --resource-id "service/$n/$n" \
        --scalable-dimension ecs:service:DesiredCount --policy-name cpu60 --policy-type TargetTrackingScaling \
        --target-tracking-scaling-policy-configuration "file://$WORK/policy.json" ;;
    redeploy) "${AWS[@]}" ecs update-service --cluster "$n" --service "$n" --force-new-deployment ;;
  esac
}
# berth's step; BERTH_CMD holds how berth runs (java -jar, or the launcher); STEP NAME
berth_step() {
  local n=$2
  case $1 in
    register) "${BERTH_CMD[@]}" ecs-register-task --file "$(taskdef "$n")" --no-logs --endpoint-url "$MOTO" -q ;;
    deploy) "${BERTH_CMD[@]}" ecs-deploy-service --cluster "$n" --service "$n" --task-definition "$n" \
      --desired-count 2 --subnets "$SUB1,$SUB2" --security-groups "$SG" \
      --autoscaling-min 1 --autoscaling-max 4 --cpu-target 60 --endpoint-url "$MOTO" -q ;;
    redeploy) "${BERTH_CMD[@]}" ecs-force-redeploy --cluster "$n" --service "$n" --endpoint-url "$MOTO" -q ;;
  esac
}
STEPS=(register deploy redeploy)
declare -A MED TIMES BERTH_HOW
RUN_ID=0
# one flow of LABEL (KIND cli or berth; a berth label runs the way BERTH_HOW[LABEL] says), each step timed
flow_once() {
  local label=$1 kind=$2 st s n=run$((RUN_ID += 1)) total=0
  if [ "$kind" = berth ]; then read -r -a BERTH_CMD <<<"${BERTH_HOW[$label]}"; fi
  for st in "${STEPS[@]}"; do
    s=$(now_ms)
    "${kind}_step" "$st" "$n" >"$WORK/out" 2>"$WORK/err" || { cat "$WORK/out" "$WORK/err" >&2; log "$label $st failed"; exit 1; }
    s=$(($(now_ms) - s)); TIMES[$label,$st]+="$s "; total=$((total + s))
  done
  TIMES[$label,total]+="$total "
}
# flows LABEL:KIND...: RUNS rounds, each round one flow of every label in turn (so that a change of load on the
# shared machine hits every label alike); MED[LABEL,step] and MED[LABEL,total] are the medians
flows() {
  local i spec label st
  for ((i = 0; i < RUNS; i++)); do
    for spec in "$@"; do flow_once "${spec%%:*}" "${spec##*:}"; done
  done
  for spec in "$@"; do
    label=${spec%%:*}
    for st in "${STEPS[@]}" total; do
      # shellcheck disable=SC2086
      MED[$label,$st]=$(median ${TIMES[$label,$st]})
    done
    log "$label: register ${TIMES[$label,register]}| deploy ${TIMES[$label,deploy]}| redeploy ${TIMES[$label,redeploy]}| total ${TIMES[$label,total]}"
  done
}
# records the launcher's class-data archives (one untimed flow), with the environment in force
warm_launcher() {
  local st
  BERTH_CMD=(sh "$LAUNCHER")
  RUN_ID=$((RUN_ID + 1)); for st in "${STEPS[@]}"; do berth_step "$st" "warm$RUN_ID" >/dev/null 2>&1; done
}

BERTH_HOW[jar]="java -jar $JAR"
BERTH_HOW[launcher]="sh $LAUNCHER"
log "flow: recording the launcher's class-data archives in one untimed flow..."
warm_launcher
log "flow: AWS CLI, java -jar and the launcher, in turn..."
flows cli:cli jar:berth launcher:berth
declare -A WHAT=([register]="ecs-register-task vs register-task-definition"
  [deploy]="ecs-deploy-service (create, autoscaling 1-4 on CPU 60%, rollout watched) vs create-cluster + create-service + register-scalable-target + put-scaling-policy"
  [redeploy]="ecs-force-redeploy (rollout watched) vs update-service --force-new-deployment"
  [total]="whole flow: register + deploy + force redeploy vs the 6 AWS CLI commands")
for how in jar launcher; do
  label=$([ $how = jar ] && echo "java -jar" || echo "launcher")
  for st in "${STEPS[@]}" total; do
    goal=$([ "$st" = total ] && echo 0.50 || echo "-")
    if [ "$goal" = - ]; then
      row "flow ($label), ${WHAT[$st]}" "${MED[$how,$st]} ms" "${MED[cli,$st]} ms" "$(ratio "${MED[$how,$st]}" "${MED[cli,$st]}")" "" ""
    else
      timed_row "flow ($label), ${WHAT[$st]}" "${MED[$how,$st]}" "${MED[cli,$st]}" "$goal"
    fi
  done
done

# ---- JVM levers, each alone (through the launcher, which takes BERTH_JAVA_OPTS and BERTH_CDS) ------------------
if [ "$MODE" = levers ] || [ "$MODE" = all ]; then
  # each lever is a label whose launcher environment sets BERTH_JAVA_OPTS and BERTH_CDS; archives in their own cache
  # KEY|BERTH_JAVA_OPTS (one word; "-": unset, i.e. the launcher's default -XX:+UseSerialGC -XX:TieredStopAtLevel=1)|BERTH_CDS|label
  LEVERS=("none||off|no JVM option" "serial|-XX:+UseSerialGC|off|-XX:+UseSerialGC" \
    "c1|-XX:TieredStopAtLevel=1|off|-XX:TieredStopAtLevel=1" "cds||on|class-data archive per step" \
    "all|-|on|all three (the launcher's default)")
  specs=()
  for lv in "${LEVERS[@]}"; do
    IFS='|' read -r key opts cds _ <<<"$lv"
    if [ "$opts" = - ]; then opts="-u BERTH_JAVA_OPTS"; else opts="BERTH_JAVA_OPTS=$opts"; fi
    BERTH_HOW[$key]="env $opts BERTH_CDS=$cds BERTH_CACHE_DIR=$WORK/cache-levers sh $LAUNCHER"
    specs+=("$key:berth")
  done
  log "levers: recording archives..."
  (export BERTH_JAVA_OPTS= BERTH_CDS=on BERTH_CACHE_DIR=$WORK/cache-levers; warm_launcher)
  log "levers: the CLI and each lever, in turn..."
  flows cli2:cli "${specs[@]}"
  for lv in "${LEVERS[@]}"; do
    IFS='|' read -r key _ _ what <<<"$lv"
    row "lever: $what, whole flow" "${MED[$key,total]} ms" "${MED[cli2,total]} ms" \
      "$(ratio "${MED[$key,total]}" "${MED[cli2,total]}")" "" ""
  done
fi

# ---- API economy: calls per step on a first run and on a rerun that changes nothing ---------------------------
log "API economy..."
BERTH_CMD=(java -jar "$JAR")
MUTATING='^[a-z-]+:(Create|Register|Put|Update|Delete|Deregister|Modify|Authorize|Revoke|Tag|Untag|Set|Add|Remove|Attach|Detach|Run|Start|Stop)'
declare -A CALLS
for pass in first rerun; do
  for st in register deploy; do
    export BERTH_API_LOG=$WORK/api-$pass-$st.log
    : >"$BERTH_API_LOG"
    berth_step "$st" economy >/dev/null 2>&1
    CALLS[$pass,$st]=$(wc -l <"$BERTH_API_LOG")
    CALLS[$pass,$st,mut]=$(grep -cE "$MUTATING" "$BERTH_API_LOG" || true)
  done
done
export BERTH_API_LOG=$WORK/api-redeploy.log
: >"$BERTH_API_LOG"
berth_step redeploy economy >/dev/null 2>&1
unset BERTH_API_LOG
rerun_mut=$((CALLS[rerun,register,mut] + CALLS[rerun,deploy,mut]))
for st in register deploy; do
  row "API calls, ecs-$([ $st = register ] && echo register-task || echo deploy-service): first run / no-op rerun (mutating)" \
    "${CALLS[first,$st]} (${CALLS[first,$st,mut]}) / ${CALLS[rerun,$st]} (${CALLS[rerun,$st,mut]})" \
    "$([ $st = register ] && echo "1 (1)" || echo "4 (4)") / same again" "" "" ""
done
row "API calls, ecs-force-redeploy (mutating)" "$(wc -l <"$WORK/api-redeploy.log") ($(grep -cE "$MUTATING" "$WORK/api-redeploy.log" || true))" "1 (1)" "" "" ""
row "mutating calls on the no-op rerun of register + deploy" "$rerun_mut" "" "" "0" "$([ "$rerun_mut" -eq 0 ] && echo yes || echo '**no**')"

# ---- image copy and build (scripts owned by the image work; their printed tables are parsed) -------------------
if [ "$MODE" = all ]; then
  if [ -x scripts/bench-copy.sh ]; then
    log "image copy (scripts/bench-copy.sh)..."
    env -u BERTH_CACHE_DIR RUNS=$RUNS BERTH_JAR=$JAR scripts/bench-copy.sh >"$WORK/copy.txt" || { log "bench-copy.sh failed"; cat "$WORK/copy.txt" >&2; }
    # rows "LABEL CASE SKOPEO_MS BERTH_MS RATIO [BERTH_CDS_MS RATIO]", CASE one of cold, warm, incremental
    while IFS='|' read -r what s b r d dr; do
      row "image copy, $what: \`berth ecr-push --image\` (java -jar) vs \`skopeo copy\`" "$b ms" "$s ms" "$r" "<= 1.00" "$(met "$r" 1.00)"
      [ -z "$d" ] || row "image copy, $what: the same with a class-data archive" "$d ms" "$s ms" "$dr" "<= 1.00" "$(met "$dr" 1.00)"
    done < <(awk '{ for (i = 2; i <= NF - 3; i++) if ($i ~ /^(cold|warm|incremental)$/ && $(i+1) ~ /^[0-9]+$/) {
        label = $1; for (j = 2; j < i; j++) label = label " " $j
        print label " " $i "|" $(i+1) "|" $(i+2) "|" $(i+3) "|" (NF >= i+5 ? $(i+4) "|" $(i+5) : "|"); break } }' "$WORK/copy.txt")
    rss=$(sed -n 's/^Peak RSS copying a \([0-9]*\) MB image (cold): berth \([0-9]*\) MB, skopeo \([0-9]*\) MB.*/\1 \2 \3/p' "$WORK/copy.txt")
    if [ -n "$rss" ]; then
      set -- $rss
      row "peak RSS copying a $1 MB image" "$2 MB" "$3 MB (skopeo)" "" "< 300 MB" "$([ "$2" -lt 300 ] && echo yes || echo '**no**')"
    fi
    grep -q 'cold' "$WORK/copy.txt" || log "no image-copy rows found in bench-copy.sh's output"
  fi
  if [ -x scripts/bench-build.sh ]; then
    log "daemonless build (scripts/bench-build.sh)..."
    env -u BERTH_CACHE_DIR RUNS=$RUNS BERTH_JAR=$JAR scripts/bench-build.sh >"$WORK/build.txt" || { log "bench-build.sh failed"; cat "$WORK/build.txt" >&2; }
    # rows "CASE MS BLOBS SIZE UNIT PCT%", CASE "cold build + push", "rebuild + push (...)", "rerun, same inputs (...)"
    cold=$(awk '/^cold build/ && $NF ~ /%$/ {print $(NF-4)}' "$WORK/build.txt")
    while IFS='|' read -r what ms blobs size; do
      r=$(ratio "$ms" "$cold")
      goal=$([ "${what%% *}" = rebuild ] && echo 0.25 || echo "")
      row "build, $what ($blobs blobs, $size uploaded)" "$ms ms" "$cold ms (cold build)" "$r" \
        "${goal:+<= $goal}" "$([ -n "$goal" ] && met "$r" "$goal" || echo "")"
    done < <(awk '/^(rebuild|rerun)/ && $NF ~ /%$/ && NF >= 6 && $(NF-4) ~ /^[0-9]+$/ {
      label = $1; for (i = 2; i <= NF - 5; i++) label = label " " $i
      print label "|" $(NF-4) "|" $(NF-3) "|" $(NF-2) " " $(NF-1) }' "$WORK/build.txt")
    [ -n "$cold" ] || log "no build rows found in bench-build.sh's output"
  fi
fi

echo
echo "berth benchmark, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)," \
  "median of $RUNS; $(java -version 2>&1 | head -1 | tr -d '"'); $(aws --version 2>&1 | cut -d' ' -f1)"
echo
echo "| measure | berth | reference | ratio | goal | met |"
echo "|---|---|---|---|---|---|"
printf '%s\n' "${ROWS[@]}"
log "load after: $(uptime)"
