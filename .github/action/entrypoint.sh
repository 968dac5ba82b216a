#!/usr/bin/env bash
# The berth action's entry point (action.yml): turns the action's inputs (INPUT_* variables) into berth's
# command line and runs the step through the shared launcher resources/dev/berth/berth.sh (which downloads,
# verifies and caches the pinned jar unless BERTH_JAR/berth-jar names one).
#
# How inputs become arguments is read from inputs.tsv (generated from the CLI's option model with action.yml):
#   value  one value                  -> --opt=VALUE
#   list   one value per line         -> --opt=LINE for each non-blank line
#   map    K=V per line               -> --opt=K=V for each non-blank line
#   flag   true | false               -> --opt, or the negated form (--no-opt) for false when there is one
#   count  true | false | N           -> --opt once, not at all, or N times
# An empty input is "not given". Values are passed as single arguments (no eval, no word splitting), and no
# input carries a secret: credentials come from the environment (aws-actions/configure-aws-credentials).
# The step itself writes the outputs, annotations and step summary (GITHUB_ACTIONS=true); when berth cannot
# start (bad inputs, no jar), this script writes the annotation and the ok/exit-code/error/result outputs.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
table=$here/inputs.tsv
# shellcheck source=source.sh
. "$here/source.sh"

count_files() { # GLOB-EXPANSION...: how many of the arguments are files (an unmatched glob stays a pattern: 0)
  local n=0 f
  for f in "$@"; do [ -f "$f" ] && n=$((n + 1)); done
  echo "$n"
}

json_string() { # TEXT: TEXT as a JSON string
  local s=$1
  s=${s//\\/\\\\}
  s=${s//\"/\\\"}
  s=${s//$'\n'/\\n}
  s=${s//$'\r'/\\r}
  s=${s//$'\t'/\\t}
  printf '"%s"' "$(printf '%s' "$s" | tr -d '\000-\010\013\014\016-\037')"
}

fail_with() { # CODE OUTCOME MESSAGE: an error annotation and the failure outputs, then exit CODE
  local code=$1 outcome=$2 m=$3 a
  a=${m//%/%25}
  a=${a//$'\r'/%0D}
  a=${a//$'\n'/%0A}
  printf '::error title=berth action::%s\n' "$a" >&2
  if [ -n "${GITHUB_OUTPUT:-}" ]; then
    local one=${m//$'\n'/ }
    {
      echo "ok=false"
      echo "exit-code=$code"
      echo "outcome=$outcome"
      echo "error=${one//$'\r'/ }"
      echo "result={\"ok\":false,\"exitCode\":$code,\"outcome\":\"$outcome\",\"error\":$(json_string "$m")}"
    } >> "$GITHUB_OUTPUT"
  fi
  exit "$code"
}

fail() { # MESSAGE: usage error (exit 2)
  fail_with 2 USAGE "$1"
}

no_jar() { # CODE MESSAGE-FILE: berth could not be had: the launcher's or the build's last line says why
  local reason
  reason=$(grep -v '^::' "$2" | tail -n 1 | sed 's/^berth\(\.sh\)*: //')
  fail_with "$1" "$([ "$1" = 2 ] && echo USAGE || echo ACCESS)" "no berth jar: ${reason:-see the log}"
}

trim() { # sets $trimmed to $1 without leading and trailing blanks and line breaks
  trimmed=$1
  trimmed=${trimmed#"${trimmed%%[![:space:]]*}"}
  trimmed=${trimmed%"${trimmed##*[![:space:]]}"}
}

trim "${INPUT_STEP:-}"
step=$trimmed
steps=" $(awk -F'\t' '!/^#/ { print $1 }' "$table" | uniq | tr '\n' ' ')"
case $step in
  '') fail "the step input is required: one of$steps" ;;
  *[!a-z-]*) fail "unknown step '$step': use one of$steps" ;;
esac
case $steps in
  *" $step "*) ;;
  *) fail "unknown step '$step': use one of$steps" ;;
esac

args=("$step")
accepted=" "
ignored=""
while IFS=$'\t' read -r row_step input kind option negated variable; do
  case $row_step in '#'*|'') continue ;; esac
  raw=${!variable:-}
  trim "$raw"
  value=$trimmed
  if [ "$row_step" != "$step" ]; then
    continue
  fi
  accepted="$accepted$input "
  [ -z "$value" ] && continue
  case $kind in
    value)
      case $value in
        *$'\n'*) fail "input $input takes one value, got several lines" ;;
      esac
      args+=("$option=$value")
      ;;
    list|map)
      while IFS= read -r line || [ -n "$line" ]; do
        trim "$line"
        [ -z "$trimmed" ] && continue
        if [ "$kind" = map ]; then
          case $trimmed in
            *=*) ;;
            *) fail "input $input takes KEY=VALUE lines, got '$trimmed'" ;;
          esac
        fi
        args+=("$option=$trimmed")
      done <<< "$value"
      ;;
    flag)
      case $value in
        true|True|TRUE) args+=("$option") ;;
        false|False|FALSE) [ "$negated" != - ] && args+=("$negated") ;;
        *) fail "input $input takes true or false, got '$value'" ;;
      esac
      ;;
    count)
      case $value in
        true|True|TRUE) args+=("$option") ;;
        false|False|FALSE) ;;
        *[!0-9]*) fail "input $input takes true, false or a number, got '$value'" ;;
        *) n=$value; while [ "$n" -gt 0 ]; do args+=("$option"); n=$((n - 1)); done ;;
      esac
      ;;
    *) fail "inputs.tsv: unknown kind '$kind' for $input" ;;
  esac
done < "$table"

# Inputs given that this step does not take: refuse them, naming the steps that do.
while IFS=$'\t' read -r row_step input kind option negated variable; do
  case $row_step in '#'*|'') continue ;; esac
  case $accepted in *" $input "*) continue ;; esac
  raw=${!variable:-}
  trim "$raw"
  [ -z "$trimmed" ] && continue
  case " $ignored " in *" $input "*) continue ;; esac
  ignored="${ignored:+$ignored }$input"
done < "$table"
if [ -n "$ignored" ]; then
  details=""
  for input in $ignored; do
    takers=$(awk -F'\t' -v i="$input" '!/^#/ && $2 == i { print $1 }' "$table" | tr '\n' ' ')
    details="$details $input (taken by: ${takers% }),"
  done
  fail "step $step does not take these inputs:${details%,}"
fi

# The launcher's environment: explicit inputs win over the job's environment.
[ -n "${INPUT_BERTH_JAR:-}" ] && export BERTH_JAR=$INPUT_BERTH_JAR
[ -n "${INPUT_BERTH_VERSION:-}" ] && export BERTH_VERSION=$INPUT_BERTH_VERSION
[ -n "${INPUT_BERTH_SHA256:-}" ] && export BERTH_SHA256=$INPUT_BERTH_SHA256
[ -n "${INPUT_MAVEN_REPOSITORY:-}" ] && export BERTH_MAVEN_REPO=$INPUT_MAVEN_REPOSITORY
[ -n "${BERTH_ACTION_CACHE_DIR:-}" ] && export BERTH_CACHE_DIR=$BERTH_ACTION_CACHE_DIR
# GitHub-hosted runners start empty: a start-up cache would be recorded (seconds) in every job and never used
# again, so it is off there unless the action keeps it in the Actions cache (a released jar: prepare.sh's
# startup-cache-path) or the job asks for it; self-hosted runners keep the launcher's default.
if [ -z "${BERTH_CDS:-}" ] && [ "${RUNNER_ENVIRONMENT:-}" = github-hosted ] && [ -z "${BERTH_ACTION_STARTUP_CACHE:-}" ]; then
  export BERTH_CDS=off
fi
if [ -n "${BERTH_ACTION_JAVA:-}" ] && [ -x "$BERTH_ACTION_JAVA" ]; then
  export BERTH_JAVA=$BERTH_ACTION_JAVA
fi
launcher=$root/resources/dev/berth/berth.sh

if [ -z "${BERTH_JAR:-}" ]; then
  cache=${BERTH_CACHE_DIR:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/berth}
  errors=$(mktemp "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/berth-jar.XXXXXX")
  trap 'rm -f "$errors"' EXIT
  if [ -z "${BERTH_VERSION:-}" ] && [ -z "${BERTH_MAVEN_REPO:-}" ] && [ -z "$action_release_version" ]; then
    # A commit that names no release (a branch, a SHA): berth from the action's own source, built once.
    before=$(count_files "$cache"/source-*/berth.jar)
    code=0
    jar=$(bash "$here/build-jar.sh" "$cache" 2>"$errors") || code=$?
    cat "$errors" >&2
    [ "$code" = 0 ] || no_jar "$code" "$errors"
    after=$(count_files "$cache"/source-*/berth.jar)
  else
    # Resolve (download, verify, cache) the release's or berth-version's jar first, so the cache can be saved
    # even when the step fails.
    before=$(count_files "$cache"/*/berth-*.jar)
    code=0
    jar=$(sh "$launcher" --print-jar 2>"$errors") || code=$?
    cat "$errors" >&2
    [ "$code" = 0 ] || no_jar "$code" "$errors"
    after=$(count_files "$cache"/*/berth-*.jar)
  fi
  if [ "$after" != "$before" ] && [ -n "${GITHUB_OUTPUT:-}" ]; then
    echo "berth-jar-downloaded=true" >> "$GITHUB_OUTPUT"
  fi
  if [ -n "${BERTH_SHA256:-}" ] && [ -n "${BERTH_VERSION:-}${BERTH_MAVEN_REPO:-}" ]; then
    # a cached jar (restored from the Actions cache) is checked against the pin too
    if command -v sha256sum >/dev/null 2>&1; then
      actual=$(sha256sum "$jar" | cut -d' ' -f1)
    else
      actual=$(shasum -a 256 "$jar" | cut -d' ' -f1)
    fi
    expected=$(printf '%s' "$BERTH_SHA256" | tr 'A-F' 'a-f')
    if [ "$actual" != "$expected" ]; then
      rm -f "$jar"
      fail_with 4 ACCESS "cached $jar does not match berth-sha256 (got $actual); removed it, rerun to download again"
    fi
  fi
  rm -f "$errors"
  trap - EXIT
  export BERTH_JAR=$jar
fi

exec sh "$launcher" "${args[@]}"
