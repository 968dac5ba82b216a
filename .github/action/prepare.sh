#!/usr/bin/env bash
# First step of the berth action (action.yml): finds the Java the runner already has, and where the berth jar
# and the launcher's start-up cache are kept, so the next steps set up Java and restore caches only when needed.
# Writes step outputs:
#   java        path of the java to run: BERTH_JAVA when it is 17+, else the newest Java 25+ of JAVA_HOME, PATH and
#               the runner's JAVA_HOME_<N>_X64/ARM64; empty when there is none (the action then sets up Temurin 25:
#               on 25+ the launcher starts each step from an ahead-of-time cache)
#   cache-dir   BERTH_CACHE_DIR for the launcher (resources/dev/berth/berth.sh)
#   cache-path  the folder actions/cache restores and saves; empty when nothing needs caching (a berth-jar
#               input, or the jar is already on this machine)
#   cache-key   the cache key: the release's version and SHA-256; or the digest of the source the jar is built
#               from (a commit with no release); or version, pinned checksum and Maven repository (berth-version)
#   startup-cache-path, startup-cache-key
#               on GitHub-hosted runners without berth-jar: the launcher's start-up caches (cache-dir/cds) and
#               the key prefix they are kept under in the Actions cache (per release, berth-version or source
#               digest); empty otherwise (self-hosted runners keep them on disk)
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
if [ -n "${BERTH_JAVA:-}" ] && [ -x "$BERTH_JAVA" ]; then
  major=$(java_major "$BERTH_JAVA")
  if [ -n "$major" ] && [ "$major" -ge 17 ]; then
    java=$BERTH_JAVA # the job's explicit choice
  fi
fi
if [ -z "$java" ]; then
  candidates=()
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME/bin/java")
  command -v java >/dev/null 2>&1 && candidates+=("$(command -v java)")
  for var in $(compgen -v); do
    [[ $var =~ ^JAVA_HOME_[0-9]+_(X64|ARM64)$ ]] && [ -n "${!var:-}" ] && candidates+=("${!var}/bin/java")
  done
  best=0
  for c in ${candidates[@]+"${candidates[@]}"}; do
    [ -x "$c" ] || continue
    major=$(java_major "$c")
    if [ -n "$major" ] && [ "$major" -gt "$best" ]; then
      best=$major
      found=$c
    fi
  done
  if [ "$best" -ge 25 ]; then
    java=$found
  fi
fi
if [ -n "$java" ]; then
  echo "berth: using Java $(java_major "$java") at $java" >&2
else
  echo "berth: no Java 25+ on this runner; setting up Temurin 25 (its ahead-of-time cache starts berth faster)" >&2
fi
echo "java=$java" >> "$out"

cache_dir=${BERTH_CACHE_DIR:-${RUNNER_TOOL_CACHE:-${HOME:-/tmp}/.cache}/berth}
echo "cache-dir=$cache_dir" >> "$out"
if [ "${RUNNER_ENVIRONMENT:-}" = github-hosted ] && [ -z "${INPUT_BERTH_JAR:-}" ] && [ -z "${BERTH_JAR:-}" ] \
    && [ "${BERTH_CDS:-auto}" != off ]; then
  # the launcher's start-up caches, one per step, jar and java (it checks them itself); a new entry is saved when
  # a step recorded one, under this prefix plus the cache folder's listing (actions/cache keys are immutable)
  startup_version=${INPUT_BERTH_VERSION:-${BERTH_VERSION:-$action_release_version}}
  [ -n "$startup_version" ] || startup_version=source-$(source_hash)
  case $startup_version in */*|*..*|*[!A-Za-z0-9._+-]*) startup_version=invalid ;; esac
  echo "startup-cache-path=$cache_dir/cds" >> "$out"
  echo "startup-cache-key=berth-startup-$startup_version-${RUNNER_OS:-os}-${RUNNER_ARCH:-arch}" >> "$out"
fi
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
