#!/usr/bin/env bash
# The sample flow on this machine: the five berth steps in the order and with the values of the sample
# Jenkinsfile (the gantt-exporter story), against moto_server (the AWS APIs) and Debian's docker-registry (the
# image registry), both started here on free loopback ports and stopped on exit. Prints each step's result.
#
#   scripts/demo.sh            builds target/berth.jar when missing or stale, installs missing prerequisites
#
# The steps run through resources/dev/berth/berth.sh, the launcher the Jenkins library and the GitHub Action use,
# with BERTH_JAR pointing at the build.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

scripts/prereqs.sh
for tool in python3 aws; do
  command -v "$tool" >/dev/null 2>&1 || { echo "demo: missing $tool (it comes with the machine's Python)" >&2; exit 1; }
done

# --- build --------------------------------------------------------------------------------------------------
if [ ! -f target/berth.jar ] || [ -n "$(find pom.xml src/main -newer target/berth.jar -print -quit)" ]; then
  echo "demo: building target/berth.jar" >&2
  mvn -B -q -ntp -Dstyle.color=never package -DskipTests >&2 # stdout carries the results only
fi

# --- servers ------------------------------------------------------------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/berth-demo.XXXXXX")
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

await_http() { # URL NAME PID
  for _ in $(seq 1 300); do
    if python3 -c 'import sys, urllib.request, urllib.error
try:
    urllib.request.urlopen(sys.argv[1], timeout=1)
except urllib.error.HTTPError:
    pass' "$1" 2>/dev/null; then
      return 0
    fi
    kill -0 "$3" 2>/dev/null || { echo "demo: $2 exited; its log:" >&2; cat "$work/$2.log" >&2; exit 1; }
    sleep 0.2
  done
  echo "demo: $2 did not answer at $1" >&2
  exit 1
}

moto_port=$(free_port)
MOTO_ECS_SERVICE_RUNNING=2 MOTO_IAM_LOAD_MANAGED_POLICIES=true moto_server -H 127.0.0.1 -p "$moto_port" >"$work/moto.log" 2>&1 &
pids+=($!)
moto=http://127.0.0.1:$moto_port
await_http "$moto/moto-api/" moto "${pids[-1]}"

registry_port=$(free_port)
cat >"$work/registry.yml" <<EOF
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $work/registry
http:
  addr: 127.0.0.1:$registry_port
EOF
docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
pids+=($!)
registry=127.0.0.1:$registry_port
await_http "http://$registry/v2/" registry "${pids[-1]}"
echo "demo: moto_server at $moto, docker-registry at http://$registry" >&2

# --- the story's account, network and source image --------------------------------------------------------------
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-2 AWS_DEFAULT_REGION=us-east-2
export AWS_EC2_METADATA_DISABLED=true
export AWS_ENDPOINT_URL=$moto                        # every AWS call goes to moto
export BERTH_REGISTRY_ENDPOINT=http://$registry      # image traffic for ECR repositories goes to the registry
export DOCKER_CONFIG=$work/docker                    # no local docker credentials
export BERTH_JAR=$root/target/berth.jar
unset BERTH_ARGC

awsv1() { aws --endpoint-url "$moto" --output text "$@"; }
vpc=$(awsv1 ec2 create-vpc --cidr-block 10.0.0.0/16 --query Vpc.VpcId)
subnet_a=$(awsv1 ec2 create-subnet --vpc-id "$vpc" --cidr-block 10.0.1.0/24 --availability-zone us-east-2a --query Subnet.SubnetId)
subnet_b=$(awsv1 ec2 create-subnet --vpc-id "$vpc" --cidr-block 10.0.2.0/24 --availability-zone us-east-2b --query Subnet.SubnetId)
# public subnets, as an internet-facing ALB needs: a route to the VPC's internet gateway
igw=$(awsv1 ec2 create-internet-gateway --query InternetGateway.InternetGatewayId)
awsv1 ec2 attach-internet-gateway --internet-gateway-id "$igw" --vpc-id "$vpc" >/dev/null
routes=$(awsv1 ec2 create-route-table --vpc-id "$vpc" --query RouteTable.RouteTableId)
awsv1 ec2 create-route --route-table-id "$routes" --destination-cidr-block 0.0.0.0/0 --gateway-id "$igw" >/dev/null
awsv1 ec2 associate-route-table --route-table-id "$routes" --subnet-id "$subnet_a" >/dev/null
awsv1 ec2 associate-route-table --route-table-id "$routes" --subnet-id "$subnet_b" >/dev/null
echo "demo: VPC $vpc with public subnets $subnet_a (us-east-2a) and $subnet_b (us-east-2b)" >&2

# The story's "docker pull node": a small node:20 image (one layer with the app, a config) pushed to the local
# registry with the registry API, since no public registry is reachable here.
python3 - "$registry" <<'PY'
import gzip, hashlib, io, json, sys, tarfile, urllib.request
registry = sys.argv[1]
def blob(data):
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    start = urllib.request.Request(f"http://{registry}/v2/library/node/blobs/uploads/", method="POST")
    location = urllib.request.urlopen(start).headers["Location"]
    if location.startswith("/"):
        location = f"http://{registry}{location}"
    sep = "&" if "?" in location else "?"
    put = urllib.request.Request(f"{location}{sep}digest={digest}", data=data, method="PUT",
                                 headers={"Content-Type": "application/octet-stream"})
    urllib.request.urlopen(put)
    return digest
app = b"require('http').createServer((q, r) => r.end('gantt exporter\\n')).listen(80);\n"
tar_bytes = io.BytesIO()
with tarfile.open(fileobj=tar_bytes, mode="w", format=tarfile.PAX_FORMAT) as t:
    info = tarfile.TarInfo("app/server.js"); info.size = len(app); info.mtime = 0; info.mode = 0o644
    t.addfile(info, io.BytesIO(app))
layer_raw = tar_bytes.getvalue()
layer = gzip.compress(layer_raw, mtime=0)
config = json.dumps({"architecture": "amd64", "os": "linux",
                     "config": {"Cmd": ["node", "/app/server.js"], "ExposedPorts": {"80/tcp": {}}},
                     "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(layer_raw).hexdigest()]}},
                    sort_keys=True).encode()
manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
    "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": len(config), "digest": blob(config)},
    "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": len(layer), "digest": blob(layer)}]},
    indent=3).encode()
put = urllib.request.Request(f"http://{registry}/v2/library/node/manifests/20", data=manifest, method="PUT",
                             headers={"Content-Type": "application/vnd.docker.distribution.manifest.v2+json"})
urllib.request.urlopen(put)
print(f"demo: pushed {registry}/library/node:20 (sha256:{hashlib.sha256(manifest).hexdigest()})", file=sys.stderr)
PY

# --- the five steps, as in the Jenkinsfile ---------------------------------------------------------------------
build=1
step() { # NAME ARGS...: runs berth NAME through the launcher, prints its result, keeps it in $work/NAME.json
  local name=$1
  echo >&2
  echo "=== berth $*" >&2
  local status=0
  sh resources/dev/berth/berth.sh "$@" --region us-east-2 --result-file "$work/$name.json" >/dev/null \
    2>"$work/$name.log" || status=$?
  emulator_notes <"$work/$name.log" >&2
  if [ "$status" != 0 ]; then
    echo "demo: berth $name failed:" >&2
    python3 -m json.tool "$work/$name.json" >&2 || true
    exit 1
  fi
  python3 -m json.tool "$work/$name.json"
}
# berth's progress, with a note under each warning that only the emulator causes (AWS does not give it).
emulator_notes() {
  while IFS= read -r line; do
    printf '%s\n' "$line"
    case "$line" in
      *"WARNING: the ECS endpoint did not keep"*"on CreateService"*)
        echo "  (demo: moto only. moto drops these CreateService fields, which AWS keeps; berth sets them again.)" ;;
    esac
  done
}
field() { # NAME KEY: a field of a step's result
  python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$work/$1.json" "$2"
}

step ecr-push --repository opensourceapirepo --tag "my-node-container-$build" --image "$registry/library/node:20"
image=$(field ecr-push image)

step ecs-register-task --family gantt-exporter-ecs-task --container-name gantt-exporter-container --image "$image" \
  --cpu 1024 --memory 2048 --container-memory 2048 --port 80/tcp --volume export-service \
  --mount export-service:/sites/export-service
task_definition=$(field ecs-register-task taskDefinitionArn)

step ecs-deploy-service --cluster gantt --service gantt-exporter --task-definition "$task_definition" \
  --subnets "$subnet_a,$subnet_b" --desired-count 2 --container-name gantt-exporter-container --container-port 80 \
  --create-load-balancer --vpc-id "$vpc" --health-check-grace-period 120 \
  --autoscaling-min 1 --autoscaling-max 4 --cpu-target 60
dns=$(field ecs-deploy-service loadBalancerDnsName)

step ecs-force-redeploy --cluster gantt --service gantt-exporter

step ecs-scale --cluster gantt --service gantt-exporter --desired-count 3

echo >&2
echo "gantt-exporter is served at http://$dns/ (on moto: the name only, nothing listens)"
