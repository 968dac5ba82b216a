#!/usr/bin/env bash
# berth's benchmark suite: every figure is a ratio against the reference tool measured in the same run on
# this machine. Prints one Markdown table (README shows the latest one).
#   scripts/bench.sh            start-up, the flow against moto vs the AWS CLI, API economy, image copy, build
#   scripts/bench.sh quick      start-up and flow only
# Needs target/berth.jar (built when missing), moto_server, docker-registry, skopeo, aws (CLI v1).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
JAR=$ROOT/target/berth.jar
[ -f "$JAR" ] || mvn -B -q -ntp package -DskipTests
RUNS=${BENCH_RUNS:-5}
WORK=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
now_ms() { date +%s%3N; }
# median wall time in ms of RUNS runs of a command (stdout/stderr discarded)
median_ms() {
  local times=() i s e
  for ((i = 0; i < RUNS; i++)); do
    s=$(now_ms); "$@" >/dev/null 2>&1 || { echo "command failed: $*" >&2; return 1; }; e=$(now_ms)
    times+=($((e - s)))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
ROWS=()
row() { ROWS+=("| $1 | $2 ms | $3 ms | $(ratio "$2" "$3") | $4 |"); }

start_moto() {
  local port; port=$(free_port)
  MOTO_ECS_SERVICE_RUNNING=2 moto_server -H 127.0.0.1 -p "$port" >"$WORK/moto.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/moto-api/" >/dev/null 2>&1 && break; sleep 0.1; done
  echo "http://127.0.0.1:$port"
}

# ---- start-up -------------------------------------------------------------------------------------------
b=$(median_ms java -jar "$JAR" --version)
a=$(median_ms aws --version)
row "start-up: \`java -jar berth.jar --version\` vs \`aws --version\`" "$b" "$a" "goal <= 0.50"

# ---- the flow against moto ------------------------------------------------------------------------------
MOTO=$(start_moto)
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-2 AWS_DEFAULT_REGION=us-east-2
export AWS_EC2_METADATA_DISABLED=true
AWS=(aws --endpoint-url "$MOTO" --output json)
reset_moto() { curl -fs -X POST "$MOTO/moto-api/reset" >/dev/null; }
setup_network() {
  VPC=$("${AWS[@]}" ec2 create-vpc --cidr-block 10.0.0.0/16 --query Vpc.VpcId --output text)
  SUB1=$("${AWS[@]}" ec2 create-subnet --vpc-id "$VPC" --cidr-block 10.0.1.0/24 --availability-zone us-east-2a --query Subnet.SubnetId --output text)
  SUB2=$("${AWS[@]}" ec2 create-subnet --vpc-id "$VPC" --cidr-block 10.0.2.0/24 --availability-zone us-east-2b --query Subnet.SubnetId --output text)
  SG=$("${AWS[@]}" ec2 create-security-group --group-name tasks --description tasks --vpc-id "$VPC" --query GroupId --output text)
}
IMAGE=123456789012.dkr.ecr.us-east-2.amazonaws.com/opensourceapirepo@sha256:$(printf 'a%.0s' $(seq 1 64))
cat >"$WORK/td.json" <<JSON
{"family":"gantt-exporter-ecs-task","networkMode":"awsvpc","requiresCompatibilities":["FARGATE"],"cpu":"1024","memory":"2048",
 "containerDefinitions":[{"name":"gantt-exporter-container","image":"$IMAGE","memory":2048,"essential":true,
 "portMappings":[{"containerPort":80,"protocol":"tcp"}],"mountPoints":[{"sourceVolume":"export","containerPath":"/sites/export-service"}]}],
 "volumes":[{"name":"export"}]}
JSON
cat >"$WORK/policy.json" <<JSON
{"TargetValue":60.0,"PredefinedMetricSpecification":{"PredefinedMetricType":"ECSServiceAverageCPUUtilization"}}
JSON
awscli_flow() {
  reset_moto; setup_network
  "${AWS[@]}" ecs register-task-definition --cli-input-json "file://$WORK/td.json" >/dev/null
  "${AWS[@]}" ecs create-cluster --cluster-name gantt >/dev/null
  "${AWS[@]}" ecs create-service --cluster gantt --service-name gantt-exporter --task-definition gantt-exporter-ecs-task \
    --desired-count 2 --launch-type FARGATE \
    --network-configuration "awsvpcConfiguration={subnets=[$SUB1,$SUB2],securityGroups=[$SG]}" >/dev/null
  "${AWS[@]}" application-autoscaling register-scalable-target --service-namespace ecs \
    --resource-id service/gantt/gantt-exporter --scalable-dimension ecs:service:DesiredCount --min-capacity 1 --max-capacity 4 >/dev/null
  "${AWS[@]}" application-autoscaling put-scaling-policy --service-namespace ecs --resource-id service/gantt/gantt-exporter \
    --scalable-dimension ecs:service:DesiredCount --policy-name cpu60 --policy-type TargetTrackingScaling \
    --target-tracking-scaling-policy-configuration "file://$WORK/policy.json" >/dev/null
  "${AWS[@]}" ecs update-service --cluster gantt --service gantt-exporter --force-new-deployment >/dev/null
}
BERTH=(java -jar "$JAR" --endpoint-url "$MOTO")
berth() { java -jar "$JAR" "$@" --endpoint-url "$MOTO" -q; }
berth_flow() {
  reset_moto; setup_network
  berth ecs-register-task --file "$WORK/td.json" >/dev/null
  berth ecs-deploy-service --cluster gantt --service gantt-exporter --task-definition gantt-exporter-ecs-task \
    --desired-count 2 --subnets "$SUB1,$SUB2" --security-groups "$SG" \
    --autoscaling-min 1 --autoscaling-max 4 --cpu-target 60 >/dev/null
  berth ecs-force-redeploy --cluster gantt --service gantt-exporter >/dev/null
}
# the network set-up is the same AWS CLI calls on both sides, so it is timed separately and subtracted
setup_only() { reset_moto; setup_network; }
s=$(median_ms setup_only)
f_aws=$(median_ms awscli_flow)
f_berth=$(median_ms berth_flow)
row "flow against moto: register + deploy (create, autoscaling 1-4 on CPU 60%) + force redeploy, vs the 6 AWS CLI commands" \
  "$((f_berth - s))" "$((f_aws - s))" "goal <= 0.50"

# ---- API economy ----------------------------------------------------------------------------------------
reset_moto; setup_network
export BERTH_API_LOG="$WORK/api-first.log"
berth ecs-register-task --file "$WORK/td.json" >/dev/null
berth ecs-deploy-service --cluster gantt --service gantt-exporter --task-definition gantt-exporter-ecs-task \
  --desired-count 2 --subnets "$SUB1,$SUB2" --security-groups "$SG" --autoscaling-min 1 --autoscaling-max 4 --cpu-target 60 >/dev/null
export BERTH_API_LOG="$WORK/api-rerun.log"
berth ecs-register-task --file "$WORK/td.json" >/dev/null
berth ecs-deploy-service --cluster gantt --service gantt-exporter --task-definition gantt-exporter-ecs-task \
  --desired-count 2 --subnets "$SUB1,$SUB2" --security-groups "$SG" --autoscaling-min 1 --autoscaling-max 4 --cpu-target 60 >/dev/null
unset BERTH_API_LOG
mutating='(Create|Register|Put|Update|Delete|Deregister|Modify|Authorize|Tag|Untag|Set|Add|Remove)'
first=$(wc -l <"$WORK/api-first.log"); rerun=$(wc -l <"$WORK/api-rerun.log")
first_mut=$(grep -cE ":$mutating" "$WORK/api-first.log" || true); rerun_mut=$(grep -cE ":$mutating" "$WORK/api-rerun.log" || true)

echo
echo "| measure | berth | reference | ratio | note |"
echo "|---|---|---|---|---|"
printf '%s\n' "${ROWS[@]}"
echo
echo "API economy (register + deploy): first run $first calls ($first_mut mutating); no-op rerun $rerun calls ($rerun_mut mutating)."

if [ "${1:-}" != quick ]; then
  [ -x scripts/bench-copy.sh ] && { echo; scripts/bench-copy.sh; }
  [ -x scripts/bench-build.sh ] && { echo; scripts/bench-build.sh; }
fi
