#!/usr/bin/env bash
# The berth jar of the action's own source, for a commit that names no release (a branch, a SHA): built with
# Maven once per source (keyed by a digest of pom.xml and src/main) into CACHE_DIR/source-HASH/berth.jar, which
# actions/cache carries between runs. Prints the jar's path. On failure prints one line saying why and what to
# set, and exits 4 (Maven failed) or 2 (no Maven).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=source.sh
. "$here/source.sh"
cache_dir=${1:?usage: build-jar.sh CACHE_DIR}
hash=$(source_hash)
dir=$cache_dir/source-$hash
jar=$dir/berth.jar
if [ -f "$jar" ]; then
  echo "berth: using berth built from this source earlier ($jar)" >&2
  printf '%s\n' "$jar"
  exit 0
fi
what="this action is used at a commit that names no release, so it builds berth from its source with Maven"
alternatives="use a release (uses: OWNER/berth@vX.Y.Z), or set berth-jar (a jar built earlier in the job) or berth-version with maven-repository (a mirror)"
command -v mvn >/dev/null 2>&1 || { echo "berth: $what, but mvn is not on this runner: $alternatives" >&2; exit 2; }
mkdir -p "$dir"
work=$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/berth-build.XXXXXX")
trap 'rm -rf "$work"' EXIT
echo "berth: building berth from the action's source (once for source $hash; Maven, tests skipped)" >&2
start=$(date +%s)
if ! mvn -B -ntp -q -f "$action_root/pom.xml" package -Dmaven.test.skip=true "-Dberth.buildDir=$work/target" \
    >"$work/mvn.log" 2>&1; then
  reason=$(grep -m 1 '^\[ERROR\]' "$work/mvn.log" | sed 's/^\[ERROR\] *//' | cut -c1-200 || true)
  if [ "${GITHUB_ACTIONS:-}" = true ]; then # the whole log, folded away
    echo "::group::Maven's log"
    cat "$work/mvn.log"
    echo "::endgroup::"
  fi >&2
  echo "berth: $what, and the build failed (${reason:-see the log above}): $alternatives" >&2
  exit 4
fi
mv -f "$work/target/berth.jar" "$jar.$$" && mv -f "$jar.$$" "$jar"
echo "berth: built $jar in $(( $(date +%s) - start ))s" >&2
printf '%s\n' "$jar"
