#!/usr/bin/env bash
# First step of the berth action (action.yml): finds a Java 17+ the runner already has, and where the berth jar
# is cached, so the next steps set up Java and restore the cache only when needed. Writes step outputs:
#   java        path of a java 17+ executable, empty when none was found (the action then runs setup-java)
#   cache-dir   BERTH_CACHE_DIR for the launcher (resources/dev/berth/berth.sh)
#   cache-path  the folder actions/cache restores and saves; empty when nothing needs caching (a berth-jar
#               input, or the jar is already on this machine)
#   cache-key   the cache key: the release's version and SHA-256; or the digest of the source the jar is built
#               from (a commit with no release); or version, pinned checksum and Maven repository (berth-version)
set -euo pipefail
out=${GITHUB_OUTPUT:-/dev/null}
# shellcheck source=source.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/source.sh"

java_major() { # JAVA: prints its major version, or nothing
  local v
  v=$("$1" -version 2>&1 | awk -F'"' '/version/ { print $2; exit }') || return 0
  case $v in
    1.*) v=${v#1.} ;;
  esac
  printf '%s' "${v%%[!0-9]*}"
}

java=
candidates=()
[ -n "${BERTH_JAVA:-}" ] && candidates+=("$BERTH_JAVA")
[ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME/bin/java")
command -v java >/dev/null 2>&1 && candidates+=("$(command -v java)")
for var in JAVA_HOME_17_X64 JAVA_HOME_17_ARM64 JAVA_HOME_21_X64 JAVA_HOME_21_ARM64 JAVA_HOME_25_X64 JAVA_HOME_25_ARM64; do
  [ -n "${!var:-}" ] && candidates+=("${!var}/bin/java")
done
for c in ${candidates[@]+"${candidates[@]}"}; do
  [ -x "$c" ] || continue
  major=$(java_major "$c")
  if [ -n "$major" ] && [ "$major" -ge 17 ]; then
    java=$c
    break
  fi
done
if [ -n "$java" ]; then
  echo "berth: using Java $(java_major "$java") at $java" >&2
else
  echo "berth: no Java 17+ on this runner; setting up Temurin 17" >&2
fi
echo "java=$java" >> "$out"

cache_dir=${BERTH_CACHE_DIR:-${RUNNER_TOOL_CACHE:-${HOME:-/tmp}/.cache}/berth}
echo "cache-dir=$cache_dir" >> "$out"
if [ -n "${INPUT_BERTH_JAR:-}" ] || [ -n "${BERTH_JAR:-}" ]; then
  exit 0 # an explicit jar: nothing to download or cache
fi
version=${INPUT_BERTH_VERSION:-${BERTH_VERSION:-}}
if [ -z "$version" ] && [ -z "${INPUT_MAVEN_REPOSITORY:-${BERTH_MAVEN_REPO:-}}" ]; then
  if [ -n "$action_release_version" ]; then
    # a release: the launcher keeps its jar in CACHE/VERSION-SHA12/
    [ -f "$cache_dir/$action_release_version-${action_release_sha256:0:12}/berth-$action_release_version.jar" ] && exit 0
    echo "cache-path=$cache_dir/$action_release_version-${action_release_sha256:0:12}" >> "$out"
    echo "cache-key=berth-jar-$action_release_version-${action_release_sha256:0:16}" >> "$out"
  else
    # a commit with no release: built from this source once (build-jar.sh), keyed by what goes into the jar
    hash=$(source_hash)
    [ -f "$cache_dir/source-$hash/berth.jar" ] && exit 0 # built here already (an earlier step of this job)
    echo "cache-path=$cache_dir/source-$hash" >> "$out"
    echo "cache-key=berth-source-$hash" >> "$out"
  fi
  exit 0
fi
version=${version:-$action_release_version}
case $version in
  */*|*..*|*[!A-Za-z0-9._+-]*) printf '::error title=berth action::berth-version %s is not a version\n' "${version//%/%25}" >&2; exit 2 ;;
esac
if [ -f "$cache_dir/$version/berth-$version.jar" ]; then
  exit 0 # already on this machine (an earlier step of this job, or a self-hosted runner)
fi
repo=${INPUT_MAVEN_REPOSITORY:-${BERTH_MAVEN_REPO:-maven-settings}}
pin=${INPUT_BERTH_SHA256:-${BERTH_SHA256:-published}}
if command -v sha256sum >/dev/null 2>&1; then
  repo_hash=$(printf '%s' "$repo" | sha256sum | cut -c1-12)
else
  repo_hash=$(printf '%s' "$repo" | shasum -a 256 | cut -c1-12)
fi
echo "cache-path=$cache_dir/$version" >> "$out"
echo "cache-key=berth-jar-$version-${pin:0:16}-$repo_hash" >> "$out"
