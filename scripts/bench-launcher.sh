#!/usr/bin/env bash
# The launcher's own cost (resources/dev/berth/berth.sh before it execs java), two launchers side by side:
#
#   scripts/bench-launcher.sh OLD [NEW]      OLD, NEW: a launcher file, or git:REV for the launcher at a commit
#                                            (NEW defaults to the working tree's)
#   BENCH_RUNS=31 scripts/bench-launcher.sh git:main~3
#
# java is a stand-in that does nothing (a copy of `true` in a JDK folder whose release file says 99, named by
# JAVA_HOME, so that the search still looks at every JDK of the machine and picks it), so what is timed is the
# launcher alone plus the exec of a tiny program. Five cases: BERTH_JAR with --version and with a step (ecs-scale,
# its start-up cache already decided); a launcher with a release.properties beside it (the jar cached), as the
# Jenkins library and the GitHub Action run it, with the same two; and --version in an environment of a GitHub
# runner's size (runner-env-version: 100 more variables and three JAVA_HOME_<N>_X64, set through env). For each:
# the wall time (median of BENCH_RUNS runs, OLD and NEW alternating), the CPU time (user + system of the launcher
# and all it starts, per run, from batches of 40 runs each, alternating) and, when strace is installed, the
# programs started before java. The floor row is `sh -c 'exec java'`: what any launcher costs.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
RUNS=${BENCH_RUNS:-21}
BATCH=40
WORK=$(mktemp -d /tmp/berth-bench-launcher.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

launcher() { # SPEC NAME: copies the launcher SPEC names into WORK/NAME/berth.sh and WORK/NAME-release/berth.sh
  local spec=$1 name=$2
  mkdir -p "$WORK/$name" "$WORK/$name-release"
  case $spec in
    git:*) git show "${spec#git:}:resources/dev/berth/berth.sh" >"$WORK/$name/berth.sh" ;;
    *) cp "$spec" "$WORK/$name/berth.sh" ;;
  esac
  cp "$WORK/$name/berth.sh" "$WORK/$name-release/berth.sh"
  printf 'version=0.0.1\nurl=https://github.com/berth-bench/berth/releases/download/v0.0.1/berth-0.0.1.jar\nsha256=%s\n' \
    "$SHA" >"$WORK/$name-release/release.properties"
}

[ $# -ge 1 ] || { sed -n '2,7p' "$0" >&2; exit 2; }
mkdir -p "$WORK/jdk/bin" "$WORK/cache"
cp "$(type -P true)" "$WORK/jdk/bin/java"
printf 'JAVA_VERSION="99"\n' >"$WORK/jdk/release"
printf 'PK not a jar: the stand-in java does not read it\n' >"$WORK/berth.jar"
SHA=$(sha256sum "$WORK/berth.jar" | cut -d' ' -f1)
mkdir -p "$WORK/cache/0.0.1-${SHA:0:12}"
cp "$WORK/berth.jar" "$WORK/cache/0.0.1-${SHA:0:12}/berth-0.0.1.jar"
launcher "$1" old
launcher "${2:-$ROOT/resources/dev/berth/berth.sh}" new
cat >"$WORK/floor.sh" <<'SH'
exec "$JAVA_HOME/bin/java" "$@"
SH

export JAVA_HOME=$WORK/jdk BERTH_CACHE_DIR=$WORK/cache
PRE=() # a command the launches run under (strace, for the programs)
# an environment the size of a GitHub-hosted runner's (~100 variables, 14 kB), with its JAVA_HOME_<N>_X64
RUNNER_ENV=(JAVA_HOME_11_X64=/opt/hostedtoolcache/Java_Temurin-Hotspot_jdk/11/x64
  JAVA_HOME_17_X64=/opt/hostedtoolcache/Java_Temurin-Hotspot_jdk/17/x64
  JAVA_HOME_21_X64=/opt/hostedtoolcache/Java_Temurin-Hotspot_jdk/21/x64)
for ((i = 0; i < 100; i++)); do RUNNER_ENV+=("RUNNER_LIKE_$i=$(printf '%0100d' "$i")"); done
run() { # CASE WHICH: one launch
  local script=$WORK/$2/berth.sh
  case $1 in release*) script=$WORK/$2-release/berth.sh ;; esac
  if [ "$1" = floor ]; then script=$WORK/floor.sh; set -- jar-version floor; fi
  case $1 in
    jar-version) BERTH_JAR=$WORK/berth.jar "${PRE[@]}" sh "$script" --version ;;
    jar-step) BERTH_JAR=$WORK/berth.jar "${PRE[@]}" sh "$script" ecs-scale --cluster c --service s ;;
    release-version) "${PRE[@]}" sh "$script" --version ;;
    release-step) "${PRE[@]}" sh "$script" ecs-scale --cluster c --service s ;;
    runner-env-version) env "${RUNNER_ENV[@]}" BERTH_JAR="$WORK/berth.jar" "${PRE[@]}" sh "$script" --version ;;
  esac
}
children_ticks() { local f; read -ra f </proc/$$/stat; echo $((f[15] + f[16])); }
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { printf "%.1f", (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) / 1000 }'; }
programs() { # CASE WHICH: the programs the launcher starts before java
  command -v strace >/dev/null || { echo "(no strace) "; return; }
  PRE=(strace -f -qq -e trace=execve -e signal=none -o "$WORK/trace")
  run "$1" "$2" >/dev/null 2>&1 || true
  PRE=()
  # the first execve is the launcher's shell, the last java
  grep -o 'execve("[^"]*' "$WORK/trace" | sed 's/.*\///' | sed '1d;$d' | tr '\n' ' ' || true
}

TCK=$(getconf CLK_TCK)
echo "| case | old: wall / CPU per launch | new: wall / CPU per launch | programs before java: old / new |"
echo "|---|---|---|---|"
for c in jar-version jar-step release-version release-step runner-env-version floor; do
  for w in old new; do run "$c" "$w" >/dev/null 2>&1 || true; done # caches decided, jar in place
  declare -a wall_old=() wall_new=()
  for ((i = 0; i < RUNS; i++)); do
    for w in old new; do
      [ "$c" = floor ] && [ "$w" = new ] && continue
      t0=$EPOCHREALTIME; run "$c" "$w" >/dev/null 2>&1 || true; t1=$EPOCHREALTIME
      d=$((${t1/./} - ${t0/./}))
      if [ "$w" = old ]; then wall_old+=("$d"); else wall_new+=("$d"); fi
    done
  done
  cpu_old=0 cpu_new=0
  for ((round = 0; round < 3; round++)); do
    for w in old new; do
      [ "$c" = floor ] && [ "$w" = new ] && continue
      t0=$(children_ticks)
      for ((i = 0; i < BATCH; i++)); do run "$c" "$w" >/dev/null 2>&1 || true; done
      t1=$(children_ticks)
      if [ "$w" = old ]; then cpu_old=$((cpu_old + t1 - t0)); else cpu_new=$((cpu_new + t1 - t0)); fi
    done
  done
  per() { awk -v t="$1" -v n=$((3 * BATCH)) -v k="$TCK" 'BEGIN { printf "%.1f", t * 1000 / k / n }'; }
  if [ "$c" = floor ]; then
    echo "| floor: sh -c 'exec java' | $(median "${wall_old[@]}") ms / $(per $cpu_old) ms | | |"
  else
    echo "| $c | $(median "${wall_old[@]}") ms / $(per $cpu_old) ms | $(median "${wall_new[@]}") ms / $(per $cpu_new) ms" \
      "| $(programs "$c" old)/ $(programs "$c" new)|"
  fi
done
echo
echo "median of $RUNS runs (wall), CPU from $((3 * BATCH)) runs each; load $(cut -d' ' -f1-3 /proc/loadavg); $(date -u '+%F %H:%M UTC')"
