#!/usr/bin/env bash
# berth's benchmark suite. Every figure is a ratio against the tool a user would pick instead, measured in the same
# run on this machine (absolute times on a shared machine are noise); each time is the median of BENCH_RUNS runs.
# Prints one Markdown table (docs/performance.md and README show the latest one).
#
#   scripts/bench.sh            everything: start-up, the flow against moto vs the AWS CLI, JVM levers, API economy,
#                               image copy, build
#   scripts/bench.sh quick      start-up, flow, promotion path, RSS and API economy only (no image copy, no build)
#   scripts/bench.sh goals      every row of the performance goals: start-up, the flow and the promotion path
#                               (AWS CLI vs launcher), RSS, API economy, the 150 MB image copy through the
#                               launcher vs the AWS CLI + skopeo script and vs skopeo (no java -jar, levers, build)
#   scripts/bench.sh levers     quick, plus the flow once per JVM lever (plain, SerialGC, C1 only, CDS, all)
#   BENCH_RUNS=7 scripts/bench.sh quick       runs per median (default 5; the copy and build scripts get it too)
#
# berth runs two ways: `java -jar target/berth.jar` (what the jar alone gives: JVM flags cannot go in a manifest)
# and through the launcher resources/dev/berth/berth.sh (what the Jenkins library and the GitHub Action run:
# the newest java it finds, SerialGC, C1 only for ecs-* steps, a start-up cache per step recorded on the step's
# first run -- an ahead-of-time cache on Java 25+, a class-data archive on 17-24; the caches are recorded in one
# untimed warm-up flow, as on an agent that has run berth before). BENCH_JAVA17 (default: the first JDK 17 in
# /usr/lib/jvm) adds the launcher on Java 17 to the promotion path, for comparison.
# The rows of the performance goals: promotion path (register an unchanged revision, scale, force a new
# deployment without waiting: 3 single-call steps) vs the 3 AWS CLI commands; the whole flow (register, deploy
# with an ALB and autoscaling, force redeploy) vs the AWS CLI script; ecr-push vs the AWS CLI + skopeo script
# and vs skopeo copy alone; --version vs aws --version; the peak RSS of every step.
# Image copy and build figures come from scripts/bench-copy.sh and scripts/bench-build.sh (owned by the image
# work), whose printed tables are parsed into this one.
# Needs target/berth.jar (built when missing), moto_server, aws (CLI v1); for copy/build also docker-registry, skopeo.
set -euo pipefail
# shellcheck source=lib/bench-common.sh
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
LOADS=("$(cut -d' ' -f1 /proc/loadavg)")
read -r LAUNCHER_JAVA LAUNCHER_JAVA_MAJOR < <(BERTH_JAR=$JAR sh "$LAUNCHER" --print-java)
JAVA17=${BENCH_JAVA17-$(for j in /usr/lib/jvm/*-17-*/bin/java /usr/lib/jvm/*17*/bin/java; do if [ -x "$j" ]; then echo "$j"; break; fi; done)}
log "launcher's java: $LAUNCHER_JAVA (Java $LAUNCHER_JAVA_MAJOR); Java 17 for comparison: ${JAVA17:-none}"

# ---- start-up -------------------------------------------------------------------------------------------------
log "start-up..."
export BERTH_JAR=$JAR BERTH_CACHE_DIR=$WORK/cache
b=$(median_ms java -jar "$JAR" --version)
l=$(median_ms sh "$LAUNCHER" --version)
a=$(median_ms aws --version)
timed_row "start-up: \`java -jar berth.jar --version\` vs \`aws --version\`" "$b" "$a" 0.20
timed_row "start-up: \`berth.sh --version\` (launcher) vs \`aws --version\`" "$l" "$a" 0.20

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
      # what ecs-deploy-service --create-load-balancer makes: two security groups, the ALB, its target group and
      # listener, then the cluster, the service behind them, and autoscaling
      local albsg tasksg lb tg
      albsg=$("${AWST[@]}" ec2 create-security-group --group-name "$n-alb" --description alb --vpc-id "$VPC" --query GroupId)
      "${AWS[@]}" ec2 authorize-security-group-ingress --group-id "$albsg" --protocol tcp --port 80 --cidr 0.0.0.0/0
      tasksg=$("${AWST[@]}" ec2 create-security-group --group-name "$n-tasks" --description tasks --vpc-id "$VPC" --query GroupId)
      "${AWS[@]}" ec2 authorize-security-group-ingress --group-id "$tasksg" --protocol tcp --port 80 --source-group "$albsg"
      lb=$("${AWST[@]}" elbv2 create-load-balancer --name "$n" --subnets "$SUB1" "$SUB2" --security-groups "$albsg" \
        --query 'LoadBalancers[0].LoadBalancerArn')
      tg=$("${AWST[@]}" elbv2 create-target-group --name "$n" --protocol HTTP --port 80 --vpc-id "$VPC" --target-type ip \
        --health-check-path / --query 'TargetGroups[0].TargetGroupArn')
      "${AWS[@]}" elbv2 create-listener --load-balancer-arn "$lb" --protocol HTTP --port 80 \
        --default-actions "Type=forward,TargetGroupArn=$tg"
      "${AWS[@]}" ecs create-cluster --cluster-name "$n"
      "${AWS[@]}" ecs create-service --cluster "$n" --service-name "$n" --task-definition "$n" \
        --desired-count 2 --launch-type FARGATE --health-check-grace-period-seconds 60 \
        --load-balancers "targetGroupArn=$tg,containerName=gantt-exporter-container,containerPort=80" \
        --network-configuration "awsvpcConfiguration={subnets=[$SUB1,$SUB2],securityGroups=[$tasksg],assignPublicIp=ENABLED}"
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
      --desired-count 2 --subnets "$SUB1,$SUB2" --vpc-id "$VPC" --create-load-balancer --assign-public-ip \
      --health-check-grace-period 60 --autoscaling-min 1 --autoscaling-max 4 --cpu-target 60 --endpoint-url "$MOTO" -q ;;
    redeploy) "${BERTH_CMD[@]}" ecs-force-redeploy --cluster "$n" --service "$n" --endpoint-url "$MOTO" -q ;;
  esac
}
STEPS=(register deploy redeploy)
declare -A MED TIMES BERTH_HOW PM
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
if [ "$MODE" = goals ]; then
  log "flow: AWS CLI and the launcher, in turn..."
  flows cli:cli launcher:berth
  FLOW_HOWS=(launcher)
else
  log "flow: AWS CLI, java -jar and the launcher, in turn..."
  flows cli:cli jar:berth launcher:berth
  FLOW_HOWS=(jar launcher)
fi
declare -A WHAT=([register]="ecs-register-task vs register-task-definition"
  [deploy]="ecs-deploy-service (create behind a new ALB, autoscaling 1-4 on CPU 60%, rollout watched) vs 2 create-security-group + 2 authorize-security-group-ingress + create-load-balancer + create-target-group + create-listener + create-cluster + create-service + register-scalable-target + put-scaling-policy"
  [redeploy]="ecs-force-redeploy (rollout watched) vs update-service --force-new-deployment"
  [total]="whole flow: register + deploy with ALB and autoscaling + force redeploy vs the AWS CLI script (13 commands)")
for how in "${FLOW_HOWS[@]}"; do
  label=$([ "$how" = jar ] && echo "java -jar" || echo "launcher")
  for st in "${STEPS[@]}" total; do
    goal=$([ "$st" = total ] && [ "$how" = launcher ] && echo 0.35 || echo "-")
    if [ "$goal" = - ]; then
      row "flow ($label), ${WHAT[$st]}" "${MED[$how,$st]} ms" "${MED[cli,$st]} ms" "$(ratio "${MED[$how,$st]}" "${MED[cli,$st]}")" "" ""
    else
      timed_row "flow ($label), ${WHAT[$st]}" "${MED[$how,$st]}" "${MED[cli,$st]}" "$goal"
    fi
  done
done

# ---- promotion path: 3 single-call steps on an existing service --------------------------------------------------
# register an unchanged revision, scale, force a new deployment without waiting -- against the 3 AWS CLI commands a
# promotion job runs instead (register-task-definition, update-service --desired-count, update-service
# --force-new-deployment). Each label has its own service, made once (untimed); the counts alternate 2/3 per round.
LOADS+=("$(cut -d' ' -f1 /proc/loadavg)")
log "promotion path: setting up..."
BERTH_CMD=(sh "$LAUNCHER")
PROMO=(cli launcher)
BERTH_HOW[launcher17]="env BERTH_JAVA=$JAVA17 sh $LAUNCHER"
[ -z "$JAVA17" ] || [ "$LAUNCHER_JAVA_MAJOR" = 17 ] || PROMO+=(launcher17)
for label in "${PROMO[@]}"; do
  n=promo-$label
  berth_step register "$n" >/dev/null 2>&1
  berth_step deploy "$n" >/dev/null 2>&1 || { log "promotion setup failed"; exit 1; }
done
promo_step() { # LABEL STEP ROUND
  local label=$1 n=promo-$1 count=$((2 + $3 % 2))
  if [ "$label" = cli ]; then
    case $2 in
      register) "${AWS[@]}" ecs register-task-definition --cli-input-json "file://$(taskdef "$n")" ;;
      scale) "${AWS[@]}" ecs update-service --cluster "$n" --service "$n" --desired-count "$count" ;;
      redeploy) "${AWS[@]}" ecs update-service --cluster "$n" --service "$n" --force-new-deployment ;;
    esac
  else
    read -r -a BERTH_CMD <<<"${BERTH_HOW[$label]}"
    case $2 in
      register) "${BERTH_CMD[@]}" ecs-register-task --file "$(taskdef "$n")" --endpoint-url "$MOTO" -q ;;
      scale) "${BERTH_CMD[@]}" ecs-scale --cluster "$n" --service "$n" --desired-count "$count" --no-wait \
        --endpoint-url "$MOTO" -q ;;
      redeploy) "${BERTH_CMD[@]}" ecs-force-redeploy --cluster "$n" --service "$n" --no-wait --endpoint-url "$MOTO" -q ;;
    esac
  fi
}
# records each launcher label's start-up caches of the three steps (untimed), as on an agent that ran them before;
# the service is set to 3 tasks first so that the recording ecs-scale (round 0: 2 tasks) changes the count, as every
# timed round does (a recording run that changes nothing would leave UpdateService out of the cache)
for label in "${PROMO[@]}"; do
  [ "$label" = cli ] && continue
  "${AWS[@]}" ecs update-service --cluster "promo-$label" --service "promo-$label" --desired-count 3 >/dev/null
  for st in register scale redeploy; do promo_step "$label" "$st" 0 >/dev/null 2>&1; done
done
log "promotion path: the AWS CLI and the launcher, in turn..."
declare -A PT
for ((i = 1; i <= RUNS; i++)); do
  for label in "${PROMO[@]}"; do
    total=0
    for st in register scale redeploy; do
      s=$(now_ms)
      promo_step "$label" "$st" "$i" >"$WORK/out" 2>"$WORK/err" || { cat "$WORK/out" "$WORK/err" >&2; log "$label $st failed"; exit 1; }
      s=$(($(now_ms) - s)); PT[$label,$st]+="$s "; total=$((total + s))
    done
    PT[$label,total]+="$total "
  done
done
declare -A PWHAT=([register]="ecs-register-task (unchanged: no new revision) vs register-task-definition"
  [scale]="ecs-scale --no-wait vs update-service --desired-count"
  [redeploy]="ecs-force-redeploy --no-wait vs update-service --force-new-deployment"
  [total]="promotion path: 3 single-call steps vs the 3 AWS CLI commands")
for label in "${PROMO[@]}"; do
  for st in register scale redeploy total; do
    # shellcheck disable=SC2086
    PM[$label,$st]=$(median ${PT[$label,$st]})
  done
  log "promotion $label: register ${PT[$label,register]}| scale ${PT[$label,scale]}| redeploy ${PT[$label,redeploy]}| total ${PT[$label,total]}"
done
for label in "${PROMO[@]:1}"; do
  how=$([ "$label" = launcher ] && echo "launcher, Java $LAUNCHER_JAVA_MAJOR" || echo "launcher, Java 17")
  for st in register scale redeploy total; do
    if [ "$st" = total ] && [ "$label" = launcher ]; then
      timed_row "promotion ($how), ${PWHAT[$st]}" "${PM[$label,$st]}" "${PM[cli,$st]}" 0.50
    else
      row "promotion ($how), ${PWHAT[$st]}" "${PM[$label,$st]} ms" "${PM[cli,$st]} ms" \
        "$(ratio "${PM[$label,$st]}" "${PM[cli,$st]}")" "" ""
    fi
  done
done

# ---- peak RSS of every step through the launcher (one more round, each step under /usr/bin/time) -------------
LOADS+=("$(cut -d' ' -f1 /proc/loadavg)")
log "peak RSS per step..."
declare -A RSS
# BERTH_CMD runs the launcher under /usr/bin/time; the launcher execs java, so the figure is the JVM's
BERTH_CMD=(/usr/bin/time -f '%M' -o "$WORK/rss" sh "$LAUNCHER")
n=rss$((RUN_ID += 1))
rss_mb() { echo $(($(tail -n 1 "$WORK/rss") / 1024)); }
berth_step register "$n" >/dev/null 2>&1 && RSS[ecs-register-task]=$(rss_mb)
berth_step deploy "$n" >/dev/null 2>&1 && RSS[ecs-deploy-service]=$(rss_mb)
berth_step redeploy "$n" >/dev/null 2>&1 && RSS[ecs-force-redeploy]=$(rss_mb)
"${BERTH_CMD[@]}" ecs-scale --cluster promo-launcher --service promo-launcher --desired-count 2 --no-wait \
  --endpoint-url "$MOTO" -q >/dev/null 2>&1 && RSS[ecs-scale]=$(rss_mb)

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
  (export BERTH_JAVA_OPTS='' BERTH_CDS=on BERTH_CACHE_DIR=$WORK/cache-levers; warm_launcher)
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
    "$([ $st = register ] && echo "1 (1)" || echo "11 (11)") / same again" "" "" ""
done
row "API calls, ecs-force-redeploy (mutating)" "$(wc -l <"$WORK/api-redeploy.log") ($(grep -cE "$MUTATING" "$WORK/api-redeploy.log" || true))" "1 (1)" "" "" ""
row "mutating calls on the no-op rerun of register + deploy" "$rerun_mut" "" "" "0" "$([ "$rerun_mut" -eq 0 ] && echo yes || echo '**no**')"

# ---- image copy and build (scripts owned by the image work; their printed tables are parsed) -------------------
if [ "$MODE" = all ] || [ "$MODE" = goals ]; then
  if [ -x scripts/bench-copy.sh ]; then
    LOADS+=("$(cut -d' ' -f1 /proc/loadavg)")
    log "image copy (scripts/bench-copy.sh)..."
    # goals: the 150 MB image through the launcher and its references only
    copy_env=("RUNS=$RUNS" "BERTH_JAR=$JAR" CDS=0)
    [ "$MODE" = goals ] && copy_env+=(IMAGES=three JAR_COLUMN=0 BIG_MB=0)
    env -u BERTH_CACHE_DIR "${copy_env[@]}" scripts/bench-copy.sh >"$WORK/copy.txt" || { log "bench-copy.sh failed"; cat "$WORK/copy.txt" >&2; }
    # lines "ROW IMAGE CASE skopeo=MS berth=MS launcher=MS script=MS", CASE cold, warm or incremental
    declare -A CP
    while read -r _ img c rest; do
      for kv in $rest; do CP[$img,$c,${kv%%=*}]=${kv#*=}; done
    done < <(grep '^ROW ' "$WORK/copy.txt")
    declare -A CASE=([cold]="cold (empty registry)" [warm]="warm (all there)" [incremental]="new tag (one layer changed)")
    declare -A IMG=([three]="3 layers, 150 MB" [twenty]="20 layers, 50 MB")
    for img in three twenty; do
      for c in cold warm incremental; do
        l=${CP[$img,$c,launcher]:-} sc=${CP[$img,$c,script]:-} sk=${CP[$img,$c,skopeo]:-}
        if [ -z "$l" ] || [ -z "$sc" ]; then continue; fi
        goal=$([ "$img" = three ] && echo 0.50 || echo -)
        if [ "$goal" = - ]; then
          row "ecr-push (launcher) vs aws CLI + skopeo script, ${IMG[$img]}, ${CASE[$c]}" "$l ms" "$sc ms" "$(ratio "$l" "$sc")" "" ""
        else
          timed_row "ecr-push (launcher) vs aws CLI + skopeo script, ${IMG[$img]}, ${CASE[$c]}" "$l" "$sc" "$goal"
        fi
      done
    done
    for img in three twenty; do
      for c in cold warm incremental; do
        l=${CP[$img,$c,launcher]:-} sk=${CP[$img,$c,skopeo]:-}
        if [ -z "$l" ] || [ -z "$sk" ]; then continue; fi
        goal=-
        [ "$img" = three ] && [ "$c" = cold ] && goal=1.30
        [ "$img" = three ] && [ "$c" = warm ] && goal=4.00
        if [ "$goal" = - ]; then
          row "ecr-push (launcher) vs \`skopeo copy\` alone, ${IMG[$img]}, ${CASE[$c]}" "$l ms" "$sk ms" "$(ratio "$l" "$sk")" "" ""
        else
          timed_row "ecr-push (launcher) vs \`skopeo copy\` alone, ${IMG[$img]}, ${CASE[$c]}" "$l" "$sk" "$goal"
        fi
      done
    done
    for c in cold warm incremental; do
      b=${CP[three,$c,berth]:-} sk=${CP[three,$c,skopeo]:-}
      if [ -z "$b" ] || [ -z "$sk" ]; then continue; fi
      row "ecr-push (java -jar) vs \`skopeo copy\` alone, ${IMG[three]}, ${CASE[$c]}" "$b ms" "$sk ms" "$(ratio "$b" "$sk")" "" ""
    done
    RSS[ecr-push 150 MB]=$(sed -n 's/^Peak RSS copying the 150 MB image (cold) through the launcher: berth \([0-9]*\) MB.*/\1/p' "$WORK/copy.txt")
    RSS[ecr-push 1 GB]=$(sed -n 's/^Peak RSS copying a [0-9]* MB image (cold) through the launcher: berth \([0-9]*\) MB.*/\1/p' "$WORK/copy.txt")
    read -r copy_mb copy_berth copy_skopeo < <(sed -n 's/^Peak RSS copying a \([0-9]*\) MB image (cold): berth \([0-9]*\) MB, skopeo \([0-9]*\) MB.*/\1 \2 \3/p' "$WORK/copy.txt") || true
    if [ -n "${copy_mb:-}" ]; then
      row "peak RSS copying a $copy_mb MB image (java -jar)" "$copy_berth MB" "$copy_skopeo MB (skopeo)" "" "" ""
    fi
    grep -q '^ROW ' "$WORK/copy.txt" || log "no image-copy rows found in bench-copy.sh's output"
  fi
  if [ -x scripts/bench-build.sh ] && [ "$MODE" = all ]; then
    log "daemonless build (scripts/bench-build.sh)..."
    env -u BERTH_CACHE_DIR "RUNS=$RUNS" "BERTH_JAR=$JAR" scripts/bench-build.sh >"$WORK/build.txt" || { log "bench-build.sh failed"; cat "$WORK/build.txt" >&2; }
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

# ---- peak RSS of any step -------------------------------------------------------------------------------------
worst=0 detail=
for k in ecs-register-task ecs-deploy-service ecs-force-redeploy ecs-scale "ecr-push 150 MB" "ecr-push 1 GB"; do
  v=${RSS[$k]:-}
  [ -n "$v" ] || continue
  detail="$detail, $k $v"
  [ "$v" -le "$worst" ] || worst=$v
done
row "peak RSS of any step (launcher):${detail#,}" "$worst MB" "" "" "<= 128 MB" "$([ "$worst" -le 128 ] && echo yes || echo '**no**')"

LOADS+=("$(cut -d' ' -f1 /proc/loadavg)")
echo
echo "berth benchmark, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load (1-minute average) at each section:" \
  "${LOADS[*]}; median of $RUNS; launcher: $("$LAUNCHER_JAVA" -version 2>&1 | head -1 | tr -d '"');" \
  "$(aws --version 2>&1 | cut -d' ' -f1)"
echo
echo "| measure | berth | reference | ratio | goal | met |"
echo "|---|---|---|---|---|---|"
printf '%s\n' "${ROWS[@]}"
log "load after: $(uptime)"
