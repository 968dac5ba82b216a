#!/usr/bin/env bash
# Builds the jar twice from clean build folders and checks both builds give the same bytes (what a release
# relies on: scripts/release.sh records the SHA-256 before the tag, the release workflow rebuilds and compares).
# The test suite checks the same thing across two checkouts (FirstUseIT: the action's build from a fresh copy
# against target/berth.jar).
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d "${TMPDIR:-/tmp}/berth-repro.XXXXXX")
trap 'rm -rf "$work"' EXIT
for n in 1 2; do
  mvn -B -ntp -q package -Dmaven.test.skip=true "-Dberth.buildDir=$work/build$n" "$@"
done
a=$(sha256sum "$work/build1/berth.jar" | cut -d' ' -f1)
b=$(sha256sum "$work/build2/berth.jar" | cut -d' ' -f1)
if [ "$a" != "$b" ]; then
  echo "not reproducible: $a vs $b" >&2
  exit 1
fi
echo "reproducible: berth.jar $a ($(wc -c < "$work/build1/berth.jar") bytes), twice"
