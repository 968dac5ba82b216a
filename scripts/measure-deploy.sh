#!/usr/bin/env bash
# Usage: scripts/measure-deploy.sh   (after mvn package; needs moto_server and python3 boto3, both on these machines)
# Measures ecs-deploy-service against a fresh moto_server: wall time and AWS calls of the first deploy, a rerun, an update.
set -euo pipefail
PORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
MOTO_ECS_SERVICE_RUNNING=2 moto_server -H 127.0.0.1 -p "$PORT" >/tmp/moto-measure.log 2>&1 &
MPID=$!
trap 'kill $MPID' EXIT
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$PORT/moto-api/" && break; sleep 0.2; done
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-2 AWS_DEFAULT_REGION=us-east-2 AWS_ENDPOINT_URL=http://127.0.0.1:$PORT AWS_EC2_METADATA_DISABLED=true
read -r VPC S1 S2 < <(python3 - <<PY
import boto3
ec2=boto3.client("ec2"); ecs=boto3.client("ecs")
vpc=ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
a=ec2.create_subnet(VpcId=vpc,CidrBlock="10.0.1.0/24",AvailabilityZone="us-east-2a")["Subnet"]["SubnetId"]
b=ec2.create_subnet(VpcId=vpc,CidrBlock="10.0.2.0/24",AvailabilityZone="us-east-2b")["Subnet"]["SubnetId"]
ecs.register_task_definition(family="gantt-exporter-ecs-task",networkMode="awsvpc",requiresCompatibilities=["FARGATE"],cpu="1024",memory="2048",containerDefinitions=[{"name":"gantt-exporter-container","image":"node","memory":2048,"portMappings":[{"containerPort":80}]}])
print(vpc,a,b)
PY
)
ARGS=(ecs-deploy-service --cluster shop --service gantt-exporter --task-definition gantt-exporter-ecs-task --subnets "$S1,$S2" --create-load-balancer --vpc-id "$VPC" --desired-count 2 --health-check-grace-period 60 --autoscaling-min 1 --autoscaling-max 4 --cpu-target 60)
run() {
  LOG=$(mktemp); start=$(date +%s.%N)
  BERTH_API_LOG=$LOG java -jar target/berth.jar "${ARGS[@]}" >/tmp/out.json 2>/tmp/err.txt || true
  end=$(date +%s.%N)
  printf '%-28s wall %.2fs  calls %2d  mutating %2d  verdict %s\n' "$1" "$(echo "$end - $start" | bc)" "$(wc -l <"$LOG")" \
    "$(grep -cvE ':(Describe|List|Get)' "$LOG" || true)" "$(python3 -c 'import json;print(json.load(open("/tmp/out.json")).get("verdict"))')"
}
run "first deploy (creates all)"
run "rerun (nothing changes)"
python3 -c 'import boto3;boto3.client("ecs").register_task_definition(family="gantt-exporter-ecs-task",networkMode="awsvpc",requiresCompatibilities=["FARGATE"],cpu="1024",memory="2048",containerDefinitions=[{"name":"gantt-exporter-container","image":"node:22","memory":2048,"portMappings":[{"containerPort":80}]}])' >/dev/null
run "update to revision 2"
run "rerun (nothing changes)"


