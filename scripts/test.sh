#!/usr/bin/env bash
# The whole test suite: unit tests, then integration tests against moto_server and docker-registry started
# on loopback by the tests themselves. Installs missing prerequisites first.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/prereqs.sh
exec mvn -B -ntp verify "$@"
