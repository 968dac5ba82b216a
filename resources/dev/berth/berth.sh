#!/bin/sh
# berth.sh — runs the berth step runner (a Java 17 jar) on a CI agent; needs Java 17+ (25+ is faster) and a POSIX shell.
#
#   sh berth.sh ecr-push --repository NAME --tag TAG ...     runs `java -jar berth.jar ARGS...`
#   sh berth.sh --print-jar                                  resolves the jar and prints its path only
#   sh berth.sh --print-java                                 prints the java it would run and its major version
#
# Used by the Jenkins shared library (vars/berth.groovy) and by the GitHub Action. Stable environment contract:
#
#   BERTH_JAR          path of a berth jar to run as is; when set, nothing is downloaded.
#   (default)          the release this copy of the launcher belongs to: release.properties beside this script
#                      (filled in by the release commit: version, asset URL, SHA-256) names the jar; it is
#                      downloaded once, verified against that SHA-256 and cached. Between releases the file is
#                      empty and one of the variables here must say where the jar comes from.
#   BERTH_RELEASE_URL  where to download the release's jar instead of the URL release.properties names (a mirror
#                      or an in-house copy of the release asset); the release's SHA-256 is still verified.
#   BERTH_VERSION      download this version from a Maven repository instead of the release (see BERTH_MAVEN_REPO).
#   BERTH_MAVEN_REPO   base URL of the Maven repository to download from; an in-house mirror works. The file is
#                      MAVEN_REPO/dev/berth/berth/VERSION/berth-VERSION.jar. When only BERTH_VERSION is set,
#                      Maven itself (mvn on PATH) fetches dev.berth:berth:VERSION with strict checksums from the
#                      repositories its settings name: Maven Central unless ~/.m2/settings.xml names a mirror.
#                      URLs (here and in BERTH_RELEASE_URL) are parsed: https only, plain http only to a loopback
#                      host (localhost, 127.x.x.x, [::1]); a user name or password in the URL is refused: curl
#                      reads ~/.netrc for a mirror that needs a login.
#   BERTH_CACHE_DIR    where downloaded jars are kept (default: ${XDG_CACHE_HOME:-$HOME/.cache}/berth); a jar is
#                      downloaded once per version, verified, then moved into place atomically.
#   BERTH_SHA256       optional, with BERTH_VERSION: the expected SHA-256 of the jar (pins it; the repository's
#                      checksum is not used).
#                      It is checked when the jar is downloaded; a jar already in the cache is used as is.
#                      Without it the repository's published .sha256 is used, else its .sha1 (with a warning).
#                      A mismatch is refused: nothing is cached and nothing runs (exit 4).
#   BERTH_JAVA         java executable, used as it is (default: the newest Java 17+ among $JAVA_HOME/bin/java, java
#                      on PATH, GitHub runners' JAVA_HOME_<N>_X64/ARM64, and the JDKs in /usr/lib/jvm, /usr/java,
#                      /opt/java, /opt/hostedtoolcache and /Library/Java/JavaVirtualMachines, read from their
#                      release files; Java 25+ starts faster, see BERTH_CDS).
#   BERTH_JAVA_OPTS    extra JVM options, split on spaces (default: -XX:+UseSerialGC, plus -XX:TieredStopAtLevel=1
#                      -Xms16m -Xmn7m -Xmx256m for the ecs-* steps, which are short, small and wait on AWS;
#                      -XX:TieredStopAtLevel=1 for an ecr-push that copies (--image, --oci-layout: the registry
#                      digests the bytes); an ecr-push that builds keeps the full JIT for its digests and
#                      compression; ecr-push keeps the default heap). Setting it replaces the default, and turns
#                      BERTH_CDS=auto off.
#   BERTH_CDS          auto (default), on or off: a start-up cache per step. The first run of a step with a given
#                      jar and java records it (kept only when the step exits 0) in BERTH_CACHE_DIR/cds/STEP-KEY.*;
#                      later runs of that step start from it. On Java 25+ it is an ahead-of-time cache (.aot, JEP 483/
#                      514/515: classes loaded and linked, method profiles; the first run trains, then the cache is
#                      assembled, 5-20 s once); on 17-24 a class-data archive (.jsa, -XX:ArchiveClassesAtExit, a few
#                      seconds once: parsed and verified classes). 30-70 MB per step; about half the start-up.
#                      auto: on unless BERTH_JAVA_OPTS is set; on: with BERTH_JAVA_OPTS too.
#                      Recording a step's cache for a new jar or java at the same paths removes the older one;
#                      caches unused for 7 days are pruned.
#   BERTH_ARGC, BERTH_ARG_1 .. BERTH_ARG_<BERTH_ARGC>
#                      arguments appended after the command line's, one per variable, taken verbatim (no
#                      quoting, no word splitting). Callers that must not build shell text (the Jenkins vars)
#                      pass every argument this way; the variables are unset before java starts.
#
# Exit codes: berth's own (0 ok, 1 failed, 2 usage, 3 invalid input, 4 access, 5 timed out); the launcher itself
# exits 4 when it cannot get a verified jar (download failed, checksum mismatch) and 2 on a bad environment (no
# release and nothing set, a refused URL), with one line that says what to set.
set -eu

say() { printf 'berth.sh: %s\n' "$*" >&2; }
die() { code=$1; shift; say "$*"; exit "$code"; }

# --- arguments passed through the environment -------------------------------------------------------------------
if [ -n "${BERTH_ARGC:-}" ]; then
  case $BERTH_ARGC in *[!0-9]*) die 2 "BERTH_ARGC must be a number, got '$BERTH_ARGC'" ;; esac
  berth_i=1
  while [ "$berth_i" -le "$BERTH_ARGC" ]; do
    eval "[ \"\${BERTH_ARG_$berth_i+set}\" = set ]" || die 2 "BERTH_ARG_$berth_i is not set (BERTH_ARGC=$BERTH_ARGC)"
    eval "set -- \"\$@\" \"\$BERTH_ARG_$berth_i\""
    unset "BERTH_ARG_$berth_i"
    berth_i=$((berth_i + 1))
  done
  unset BERTH_ARGC berth_i
fi

# --- java: BERTH_JAVA, else the newest one found ------------------------------------------------------------------
# This runs before every step, so it starts no program in the usual cases: each JDK's version comes from the
# release file beside its bin/java (read with the shell's own read), PATH is searched by the shell, and PATH's
# java when it is a symlink (/usr/bin/java -> /etc/alternatives/java -> a JDK) is matched (test -ef: the same
# file) against the JDKs found in the folders; only a symlink that is none of them is resolved with readlink -f.
java_release_major() { # FILE: sets jm_v to JAVA_VERSION of a JDK's release file, as it is written there
  jm_v=
  while IFS= read -r jm_line || [ -n "$jm_line" ]; do
    case $jm_line in JAVA_VERSION=*) jm_v=${jm_line#JAVA_VERSION=}; jm_v=${jm_v#\"}; jm_v=${jm_v%%\"*}; break ;; esac
  done <"$1"
}
java_version_of() { # PATH: sets jm_v to the major version (17, 25) of the java at PATH, from the release file of its
  # JDK (no JVM started; through its real path when PATH itself is a symlink), else from -version; empty when
  # neither says.
  jm_v=
  jm_home=${1%/bin/java}
  if [ "$jm_home" != "$1" ] && [ ! -h "$1" ] && [ -f "$jm_home/release" ]; then
    java_release_major "$jm_home/release"
  else
    jm_real=$(readlink -f "$1" 2>/dev/null) || jm_real=$1
    jm_home=${jm_real%/bin/java}
    if [ "$jm_home" != "$jm_real" ] && [ -f "$jm_home/release" ]; then
      java_release_major "$jm_home/release"
    else
      jm_v=$("$1" -version 2>&1 | awk -F'"' '/version "/ { print $2; exit }') || jm_v=
    fi
  fi
  case $jm_v in 1.*) jm_v=${jm_v#1.} ;; esac
  jm_v=${jm_v%%[!0-9]*}
}

java_on_path() { # sets fj_pj to the first executable java on PATH (what command -v finds), empty when none
  fj_pj='' fj_rest=${PATH-}:
  while [ -n "$fj_rest" ]; do
    fj_dir=${fj_rest%%:*} fj_rest=${fj_rest#*:}
    if [ -f "${fj_dir:-.}/java" ] && [ -x "${fj_dir:-.}/java" ]; then fj_pj=${fj_dir:-.}/java; return 0; fi
  done
}

fj_consider() { # JAVA: 0 and its version in jm_v when it is an executable file; it names PATH's java's version
  # when it is the same file as PATH's java (a symlink waiting for its version)
  if [ ! -f "$1" ] || [ ! -x "$1" ]; then return 1; fi
  java_version_of "$1"
  # -ef (the same file): dash, bash, ksh, zsh, busybox and POSIX.1-2024 have it; a shell without it only resolves
  # the symlink with readlink below
  # shellcheck disable=SC3013
  if [ -n "$fj_pj_wait" ] && [ "$1" -ef "$fj_pj" ] 2>/dev/null; then fj_pj_v=${jm_v:-0} fj_pj_wait=; fi
}

fj_pick() { # JAVA VERSION: kept when it is the first or newer than the one kept (the first of the newest wins)
  if [ -z "$java_bin" ] || [ "$2" -gt "$java_version" ]; then java_bin=$1 java_version=$2; fi
}

runner_java_homes() { # sets fj_homes to the values of JAVA_HOME_<N>_<ARCH> (GitHub runners), one a line
  # the exported variables' names, from the shell's own listing (a subshell, no program): `export NAME=...` in
  # dash and in bash's POSIX mode, `declare -x NAME=...` in bash. Split into lines, not searched with ${x#*...}:
  # dash matches such a pattern in time quadratic in the text, and a runner's environment is 10-20 kB
  fj_homes=''
  fj_env=$(export -p)
  case $fj_env in *JAVA_HOME_*) ;; *) return 0 ;; esac
  fj_ifs=$IFS
  IFS='
'
  set -f
  for fj_line in $fj_env; do
    case $fj_line in
      'export JAVA_HOME_'*) fj_name=${fj_line#export JAVA_HOME_} ;;
      'declare -x JAVA_HOME_'*) fj_name=${fj_line#declare -x JAVA_HOME_} ;;
      *) continue ;;
    esac
    case $fj_name in *=*) ;; *) continue ;; esac             # NAME=: a variable with a value
    fj_name=${fj_name%%=*}
    case ${fj_name%%_*} in ''|*[!0-9]*) continue ;; esac     # <N>: digits
    case ${fj_name#*_} in ''|*[!A-Z0-9]*) continue ;; esac   # <ARCH>: X64, ARM64
    fj_val=''
    eval "fj_val=\${JAVA_HOME_$fj_name-}"
    fj_homes="$fj_homes$fj_val
"
  done
  set +f
  IFS=$fj_ifs
}

find_java() { # sets java_bin and java_version: the newest java among JAVA_HOME, PATH and the usual JDK folders
  java_bin='' java_version=''
  # PATH's java: its version now when its JDK's release file is beside it, else when a JDK below is the same file
  fj_pj_v='' fj_pj_wait=''
  java_on_path
  if [ -n "$fj_pj" ]; then
    if [ -h "$fj_pj" ]; then fj_pj_wait=1; else java_version_of "$fj_pj"; fj_pj_v=${jm_v:-0}; fi
  fi
  fj_home='' fj_home_v=''
  if [ -n "${JAVA_HOME:-}" ] && fj_consider "$JAVA_HOME/bin/java"; then fj_home=$JAVA_HOME/bin/java fj_home_v=${jm_v:-0}; fi
  # the others: the first of the newest
  fj_other='' fj_other_v=''
  runner_java_homes
  fj_ifs=$IFS
  IFS='
'
  set -f
  for fj in $fj_homes; do
    if fj_consider "$fj/bin/java"; then
      if [ -z "$fj_other" ] || [ "${jm_v:-0}" -gt "$fj_other_v" ]; then fj_other=$fj/bin/java fj_other_v=${jm_v:-0}; fi
    fi
  done
  set +f
  IFS=$fj_ifs
  for fj in /usr/lib/jvm/*/bin/java /usr/java/*/bin/java /opt/java/*/bin/java /opt/hostedtoolcache/Java_*/*/*/bin/java \
      /Library/Java/JavaVirtualMachines/*/Contents/Home/bin/java; do
    if fj_consider "$fj"; then
      if [ -z "$fj_other" ] || [ "${jm_v:-0}" -gt "$fj_other_v" ]; then fj_other=$fj fj_other_v=${jm_v:-0}; fi
    fi
  done
  if [ -n "$fj_pj_wait" ]; then java_version_of "$fj_pj"; fj_pj_v=${jm_v:-0}; fi
  # the first of the newest in this order: JAVA_HOME, PATH, the runners' variables, the folders
  if [ -n "$fj_home" ]; then fj_pick "$fj_home" "$fj_home_v"; fi
  if [ -n "$fj_pj" ]; then fj_pick "$fj_pj" "$fj_pj_v"; fi
  if [ -n "$fj_other" ]; then fj_pick "$fj_other" "$fj_other_v"; fi
}

if [ -n "${BERTH_JAVA:-}" ]; then
  java_bin=$BERTH_JAVA
  command -v "$java_bin" >/dev/null 2>&1 || die 2 "BERTH_JAVA=$java_bin is not an executable java"
  java_version=
else
  find_java
  [ -n "$java_bin" ] || die 2 "no java found: berth needs Java 17+ on the agent (Java 25+ starts faster; set JAVA_HOME or BERTH_JAVA)"
  [ "$java_version" = 0 ] && java_version=
  if [ -n "$java_version" ] && [ "$java_version" -lt 17 ]; then
    die 2 "the newest java found ($java_bin) is Java $java_version: berth needs Java 17+ (set JAVA_HOME or BERTH_JAVA)"
  fi
fi
if [ "${1:-}" = --print-java ]; then
  java_path=$(command -v "$java_bin")
  if [ -z "$java_version" ]; then java_version_of "$java_path"; java_version=$jm_v; fi
  printf '%s %s\n' "$java_path" "${java_version:-unknown}"
  exit 0
fi

# --- helpers: download and hash with what the agent has (curl, wget, or Java itself) --------------------------
helper_dir=
cleanup() { [ -z "$helper_dir" ] || rm -rf "$helper_dir"; [ -z "${partial:-}" ] || rm -f "$partial"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

java_helper() {
  # A single-file Java program (needs a JDK) for agents without curl/wget or without sha tools.
  if [ -z "$helper_dir" ]; then
    helper_dir=$(mktemp -d "${TMPDIR:-/tmp}/berth-sh.XXXXXX")
    cat > "$helper_dir/BerthFetch.java" <<'JAVA'
import java.io.*;
import java.net.*;
import java.nio.file.*;
import java.security.MessageDigest;
public class BerthFetch {
  public static void main(String[] a) throws Exception {
    if (a[0].equals("get")) {
      HttpURLConnection c = (HttpURLConnection) new URL(a[1]).openConnection();
      c.setConnectTimeout(20000); c.setReadTimeout(60000); c.setInstanceFollowRedirects(true);
      int code = c.getResponseCode();
      if (code != 200) { System.err.println("HTTP " + code + " for " + a[1]); System.exit(22); }
      try (InputStream in = c.getInputStream()) { Files.copy(in, Paths.get(a[2]), StandardCopyOption.REPLACE_EXISTING); }
    } else {
      MessageDigest md = MessageDigest.getInstance(a[0].equals("sha1") ? "SHA-1" : "SHA-256");
      try (InputStream in = Files.newInputStream(Paths.get(a[1]))) {
        byte[] b = new byte[65536]; int n; while ((n = in.read(b)) > 0) md.update(b, 0, n);
      }
      StringBuilder s = new StringBuilder(); for (byte x : md.digest()) s.append(String.format("%02x", x));
      System.out.println(s);
    }
  }
}
JAVA
  fi
  "$java_bin" "$helper_dir/BerthFetch.java" "$@"
}

fetch() { # URL DEST: 0 on success. Bounded (a jar is well under 200 MB); redirects stay on https, except
  # between loopback addresses when the URL itself is plain http to loopback (check_url decided that).
  if command -v curl >/dev/null 2>&1; then
    curl -fsSL --netrc-optional --retry 3 --connect-timeout 20 --max-filesize 209715200 \
      --proto '=https,http' --proto-redir "$(redirect_protocols "$1")" -o "$2" "$1"
  elif command -v wget >/dev/null 2>&1; then
    wget -q -T 60 -t 3 --max-redirect=5 -O "$2" "$1"
  else
    java_helper get "$1" "$2"
  fi
}

redirect_protocols() { # URL: =https, or =https,http for a plain http URL to loopback
  case $1 in [Hh][Tt][Tt][Pp]://*) printf '=https,http' ;; *) printf '=https' ;; esac
}

digest() { # sha256|sha1 FILE: prints the lowercase hex digest
  if [ "$1" = sha256 ] && command -v sha256sum >/dev/null 2>&1; then sha256sum "$2" | cut -d' ' -f1
  elif [ "$1" = sha1 ] && command -v sha1sum >/dev/null 2>&1; then sha1sum "$2" | cut -d' ' -f1
  elif command -v shasum >/dev/null 2>&1; then shasum -a "${1#sha}" "$2" | cut -d' ' -f1
  elif command -v openssl >/dev/null 2>&1; then openssl dgst "-$1" "$2" | sed 's/^.*= *//'
  else java_helper "$1" "$2"
  fi
}

first_word_lower() { # FILE: the checksum in a .sha256/.sha1 file ("HEX" or "HEX  name")
  tr -d '\r' < "$1" | tr 'A-F' 'a-f' | awk 'NF { print $1; exit }'
}

# --- URLs: parsed, never pattern-matched as text ------------------------------------------------------------------
# (with the shell's own patterns, no program: the release's URL is checked before every step; the letters are
# spelled out, since a range such as a-z may take in other letters in some shells' locales)
is_loopback_host() { # HOST: 0 for localhost, [::1] and a dotted-quad 127.0.0.0/8 address (letters in any case)
  case $1 in
    [Ll][Oo][Cc][Aa][Ll][Hh][Oo][Ss][Tt]|'[::1]') return 0 ;;
    127.*) ;;
    *) return 1 ;;
  esac
  # exactly four decimal parts of 0-255: 127.attacker.example or 127.1 are names (or short forms), not loopback
  lh_rest=$1. lh_n=0
  while [ -n "$lh_rest" ]; do
    lh_part=${lh_rest%%.*} lh_rest=${lh_rest#*.}
    case $lh_part in ''|*[!0123456789]*|????*) return 1 ;; esac
    [ "$lh_part" -le 255 ] || return 1
    lh_n=$((lh_n + 1))
  done
  [ "$lh_n" -eq 4 ]
}

check_url() { # WHAT URL: exit 2 unless URL is https, or plain http to a loopback host, with no userinfo
  cu_what=$1 cu_url=$2
  # only the characters a URL may hold: no blanks, quotes, backslashes, control or non-ASCII characters
  case $cu_url in
    *[!ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._~:/?#@!\$\&\(\)\*+,\;=%\[\]-]*)
      die 2 "$cu_what is not a plain URL (blanks, quotes, backslashes or control characters): '$cu_url'" ;;
  esac
  case $cu_url in
    *://*) ;;
    *) die 2 "$cu_what must be an https URL, got '$cu_url'" ;;
  esac
  cu_scheme=${cu_url%%://*}
  cu_rest=${cu_url#*://}
  cu_authority=${cu_rest%%[/?#]*}
  case $cu_authority in
    *@*) die 2 "$cu_what must not carry a user name or password (the part before '@'); put a mirror's login in ~/.netrc" ;;
  esac
  case $cu_authority in
    \[*\]) cu_host=$cu_authority cu_port= ;;
    \[*\]:*) cu_host=${cu_authority%%]*}] cu_port=${cu_authority##*]:} ;;
    *:*) cu_host=${cu_authority%%:*} cu_port=${cu_authority#*:} ;;
    *) cu_host=$cu_authority cu_port= ;;
  esac
  case $cu_host in
    '') die 2 "$cu_what has no host: '$cu_url'" ;;
    \[*\]) case ${cu_host#[} in *[!0123456789abcdefABCDEF:.]*\]) die 2 "$cu_what has an invalid host: '$cu_url'" ;; esac ;;
    *[!ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-]*|.*|*..*) die 2 "$cu_what has an invalid host: '$cu_url'" ;;
  esac
  case $cu_port in
    *[!0123456789]*) die 2 "$cu_what has an invalid port: '$cu_url'" ;;
  esac
  case $cu_scheme in
    [Hh][Tt][Tt][Pp][Ss]) ;;
    [Hh][Tt][Tt][Pp]) is_loopback_host "$cu_host" \
      || die 2 "$cu_what must be an https URL (plain http only to a loopback host), got '$cu_url'" ;;
    *) die 2 "$cu_what must be an https URL, got '$cu_url'" ;;
  esac
}

# --- the release this launcher belongs to ---------------------------------------------------------------------------
read_release() { # sets release_version, release_url, release_sha256 (all empty between releases) from
  # release.properties beside this script: the first KEY=VALUE line of each key, blanks around the value and a
  # line's final carriage return dropped (read by the shell itself: this runs before every step)
  case $0 in */*) release_file=${0%/*}/release.properties ;; *) release_file=./release.properties ;; esac
  release_version='' release_url='' release_sha256='' rr_seen=' '
  if [ -f "$release_file" ]; then
    while IFS= read -r rr_line || [ -n "$rr_line" ]; do
      case $rr_line in
        *[[:cntrl:]]) [ -n "${rr_cr:-}" ] || rr_cr=$(printf '\r'); rr_line=${rr_line%"$rr_cr"} ;;
      esac
      case $rr_line in *=*) ;; *) continue ;; esac
      rr_key=${rr_line%%=*}
      rr_key=${rr_key%"${rr_key##*[!	 ]}"} # KEY, then blanks, then =
      case $rr_key in version|url|sha256) ;; *) continue ;; esac
      case $rr_seen in *" $rr_key "*) continue ;; esac
      rr_seen="$rr_seen$rr_key "
      rr_value=${rr_line#*=}
      rr_value=${rr_value#"${rr_value%%[!	 ]*}"}
      rr_value=${rr_value%"${rr_value##*[!	 ]}"}
      eval "release_$rr_key=\$rr_value"
    done <"$release_file"
  fi
  case $release_sha256 in *[ABCDEF]*) release_sha256=$(printf '%s' "$release_sha256" | tr 'A-F' 'a-f') ;; esac
  [ -n "$release_version$release_url$release_sha256" ] || return 0
  case $release_version in ''|*/*|*..*|*[!A-Za-z0-9._+-]*) die 2 "$release_file: version '$release_version' is not a version" ;; esac
  case $release_sha256 in
    *[!0-9a-f]*|'') die 2 "$release_file: sha256 is not a SHA-256" ;;
  esac
  [ ${#release_sha256} -eq 64 ] || die 2 "$release_file: sha256 is not a SHA-256"
  [ -n "$release_url" ] || die 2 "$release_file: no url"
}

resolve_release() { # the jar of the release: downloaded once, verified against the release's SHA-256, cached
  version=$release_version
  url=${BERTH_RELEASE_URL:-$release_url}
  if [ -n "${BERTH_RELEASE_URL:-}" ]; then check_url BERTH_RELEASE_URL "$url"; else check_url "release.properties url" "$url"; fi
  cache=${BERTH_CACHE_DIR:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/berth}
  # the folder is keyed by the checksum as well: another release file (or a changed one) never reuses this jar
  dir=$cache/$version-${release_sha256%"${release_sha256#????????????}"}
  jar=$dir/berth-$version.jar
  [ -f "$jar" ] && return
  mkdir -p "$dir" || die 2 "cannot create the cache folder $dir (set BERTH_CACHE_DIR)"
  partial=$dir/.berth-$version.jar.$$
  say "downloading berth $version from $url"
  fetch "$url" "$partial" || die 4 "cannot download berth $version from $url: set BERTH_RELEASE_URL to a mirror of the release asset, or BERTH_JAR to a berth jar"
  actual=$(digest sha256 "$partial")
  if [ "$actual" != "$release_sha256" ]; then
    die 4 "refusing $url: checksum mismatch (release $version has $release_sha256, got $actual); the download is corrupt or was tampered with, nothing was cached"
  fi
  mv -f "$partial" "$jar" || die 2 "cannot move the jar into $dir"
  partial=
  say "verified (SHA-256 of release $version) and cached $jar"
}

# --- the jar -----------------------------------------------------------------------------------------------------
mvn_reason() { # LOG: Maven's first error line, short (its full log is twenty lines nobody needs)
  grep -m 1 '^\[ERROR\]' "$1" | sed 's/^\[ERROR\] *//' | cut -c1-200
}

resolve_with_maven() {
  # No repository URL given: Maven's own settings decide where dev.berth:berth comes from (Maven Central unless
  # settings.xml names a mirror); -C makes a checksum mismatch fatal.
  command -v mvn >/dev/null 2>&1 || die 2 "no Maven repository to download berth $version from: set BERTH_MAVEN_REPO to the base URL of Maven Central or of your mirror, or BERTH_JAR to a berth jar (with Maven on PATH, its own repository settings are used)"
  mkdir -p "$cache/$version" || die 2 "cannot create the cache folder $cache/$version (set BERTH_CACHE_DIR)"
  helper_dir=$(mktemp -d "${TMPDIR:-/tmp}/berth-sh.XXXXXX")
  say "fetching dev.berth:berth:$version with Maven (its repository settings; strict checksums)"
  mvn -B -q -C dependency:copy "-Dartifact=dev.berth:berth:$version:jar" "-DoutputDirectory=$helper_dir/out" \
    >"$helper_dir/mvn.log" 2>&1 || die 4 "Maven could not fetch dev.berth:berth:$version ($(mvn_reason "$helper_dir/mvn.log")): set BERTH_MAVEN_REPO to a mirror, or BERTH_JAR to a berth jar"
  partial=$helper_dir/out/berth-$version.jar
  [ -f "$partial" ] || die 4 "Maven reported success but left no berth-$version.jar"
  if [ -n "${BERTH_SHA256:-}" ]; then
    expected=$(printf '%s' "$BERTH_SHA256" | tr 'A-F' 'a-f')
    actual=$(digest sha256 "$partial")
    [ "$expected" = "$actual" ] || die 4 "refusing dev.berth:berth:$version: checksum mismatch (expected $expected from BERTH_SHA256, got $actual); nothing was cached"
  fi
  { mv -f "$partial" "$jar.$$" && mv -f "$jar.$$" "$jar"; } || die 2 "cannot move the jar into $cache/$version"
  partial=
  say "verified (Maven checksums${BERTH_SHA256:+, BERTH_SHA256}) and cached $jar"
}

resolve_jar() {
  if [ -n "${BERTH_JAR:-}" ]; then
    [ -f "$BERTH_JAR" ] || die 2 "BERTH_JAR=$BERTH_JAR does not exist"
    jar=$BERTH_JAR
    return
  fi
  read_release
  if [ -z "${BERTH_VERSION:-}" ] && [ -z "${BERTH_MAVEN_REPO:-}" ]; then
    [ -n "$release_version" ] || die 2 "no berth jar: this copy of berth names no release (a commit between releases). Set BERTH_JAR to a berth jar, BERTH_VERSION (and BERTH_MAVEN_REPO for a mirror) to a released version, or use a release tag (berth@vX.Y.Z)"
    resolve_release
    return
  fi
  version=${BERTH_VERSION:-$release_version}
  [ -n "$version" ] || die 2 "BERTH_MAVEN_REPO needs BERTH_VERSION: this copy of berth names no release"
  case $version in */*|*..*|*[!A-Za-z0-9._+-]*) die 2 "BERTH_VERSION '$version' is not a version" ;; esac
  cache=${BERTH_CACHE_DIR:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/berth}
  jar=$cache/$version/berth-$version.jar
  [ -f "$jar" ] && return
  repo=${BERTH_MAVEN_REPO:-}
  if [ -z "$repo" ]; then
    resolve_with_maven
    return
  fi
  repo=${repo%/}
  check_url BERTH_MAVEN_REPO "$repo"
  mkdir -p "$cache/$version" || die 2 "cannot create the cache folder $cache/$version (set BERTH_CACHE_DIR)"
  url=$repo/dev/berth/berth/$version/berth-$version.jar
  partial=$cache/$version/.berth-$version.jar.$$
  say "downloading berth $version from $url"
  fetch "$url" "$partial" || die 4 "cannot download $url (set BERTH_MAVEN_REPO for a mirror, or BERTH_JAR)"
  actual=$(digest sha256 "$partial")
  if [ -n "${BERTH_SHA256:-}" ]; then
    expected=$(printf '%s' "$BERTH_SHA256" | tr 'A-F' 'a-f')
    source="BERTH_SHA256"
  elif fetch "$url.sha256" "$partial.sum" 2>/dev/null; then
    expected=$(first_word_lower "$partial.sum")
    source="$url.sha256"
  elif fetch "$url.sha1" "$partial.sum"; then
    say "warning: $url.sha256 is not published; verifying with the weaker $url.sha1"
    expected=$(first_word_lower "$partial.sum")
    actual=$(digest sha1 "$partial")
    source="$url.sha1"
  else
    rm -f "$partial.sum"
    die 4 "refusing $url: no checksum published ($url.sha256 and .sha1 are missing)"
  fi
  rm -f "$partial.sum"
  if [ -z "$expected" ] || [ "$expected" != "$actual" ]; then
    die 4 "refusing $url: checksum mismatch (expected ${expected:-nothing} from $source, got $actual); the download is corrupt or was tampered with, nothing was cached"
  fi
  mv -f "$partial" "$jar" || die 2 "cannot move the jar into $cache/$version"
  partial=
  say "verified ($source) and cached $jar"
}

resolve_jar

if [ "${1:-}" = --print-jar ]; then
  printf '%s\n' "$jar"
  exit 0
fi

# --- JVM options, and the start-up cache: an ahead-of-time cache on Java 25+, a class-data archive before ----------
case ${1:-} in
  # -Xms16m -Xmn7m -Xmx256m: a small first heap is touched less (peak RSS of a deploy with an ALB: 143 -> 130 MB on
  # Java 25); a young generation of 6-8 MB rather than the default third of 16 MB (5.3) promotes less into the old
  # one, which then does not grow (130 -> 126 MB); the ecs-* steps hold a few MB of JSON at most
  ecs-*) default_opts="-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xms16m -Xmn7m -Xmx256m" ;;
  # a copy (--image, --oci-layout) only moves bytes, which the registry digests: C2's compilations would compete
  # for the CPU with the copy (a warm push 457 -> 328 ms); a build (--dockerfile, --tar, --docker-daemon) digests
  # and compresses in the JVM, where C2's SHA-256 is about 10x faster than C1's
  ecr-push)
    default_opts="-XX:+UseSerialGC"
    for arg in "$@"; do
      case $arg in
        --image|--image=*|--oci-layout|--oci-layout=*) default_opts="-XX:+UseSerialGC -XX:TieredStopAtLevel=1"; break ;;
      esac
    done ;;
  # --version, --help: a fraction of a second, where C2's compilations only compete for the CPU
  *) default_opts="-XX:+UseSerialGC -XX:TieredStopAtLevel=1" ;;
esac
java_opts=${BERTH_JAVA_OPTS-$default_opts}
cds_mode=${BERTH_CDS:-auto}
case $cds_mode in
  auto) [ -z "${BERTH_JAVA_OPTS+set}" ] || cds_mode=off ;;
  on|off) ;;
  *) die 2 "BERTH_CDS must be auto, on or off, got '$cds_mode'" ;;
esac
case ${1:-} in
  ecr-push|ecs-*) ;;
  *) cds_mode=off ;; # --help, --version, --print-jar: nothing worth caching
esac
cds_opts='' cds_dump='' cds_file='' cds_kind=''
hash_chars=' !"#'"\$"'%&'"'"'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\]^_'"\`"'abcdefghijklmnopqrstuvwxyz{|}~'
text_hash() { # TEXT: sets th_v to a number below 2^31 that TEXT decides (djb2 over the printable ASCII characters'
  # places; any other character counts alike): it names cache files, it guards nothing. The shell's own
  # arithmetic, no program: this runs before every step.
  th_s=$1 th_v=5381
  while [ -n "$th_s" ]; do
    th_r=${th_s#?}
    th_t=${hash_chars%%"${th_s%"$th_r"}"*}
    th_v=$(((th_v * 33 + ${#th_t}) % 2147483647))
    th_s=$th_r
  done
}
if [ "$cds_mode" != off ]; then
  case $java_bin in /*) java_path=$java_bin ;; *) java_path=$(command -v "$java_bin") ;; esac
  if [ -z "$java_version" ]; then # BERTH_JAVA: its version, from its JDK's release file
    java_version_of "$java_path"
    java_version=$jm_v
  fi
  # Java 25+ (JEP 483, 514, 515): an ahead-of-time cache holds the step's classes loaded and linked, and the
  # method profiles of its run; before 25, a dynamic class-data archive holds the classes parsed and verified.
  # Both are recorded on the step's first successful run and used by every later one.
  if [ -n "$java_version" ] && [ "$java_version" -ge 25 ]; then cds_kind=aot; else cds_kind=jsa; fi
  # a cache fits one jar and one java exactly; a new jar or JDK gets a new cache (the JVM checks it too).
  # STEP-WHERE-WHAT.jsa|.aot: WHERE hashes the jar's and java's paths, WHAT their sizes and modification times
  # (one stat for both: the one program this part runs); recording a new cache removes the older ones of the
  # same WHERE (a rebuilt or upgraded jar at the same path)
  text_hash "$jar
$java_path"
  cds_where=$th_v
  cds_what=$(stat -L -c '%s %Y' "$jar" "$java_path" 2>/dev/null) \
    || cds_what=$(stat -L -f '%z %m' "$jar" "$java_path" 2>/dev/null) \
    || cds_what=$(ls -lLn "$jar" "$java_path" 2>/dev/null) || cds_what=
  text_hash "$cds_what"
  cds_what=$th_v
  cds_dir=${BERTH_CACHE_DIR:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/berth}/cds
  cds_key=$cds_where-$cds_what
  cds_file=$cds_dir/$1-$cds_key.$cds_kind
  # the JVM's own notes on the cache (a stale cache, classes it skips) go nowhere: stdout is the result's
  if [ "$cds_kind" = aot ]; then
    cds_quiet="-Xlog:disable -Xlog:all=warning,aot*=off,cds*=off:stderr"
  else
    cds_quiet="-Xlog:cds=off,cds+dynamic=off"
  fi
  if [ -s "$cds_file" ]; then
    if [ "$cds_kind" = aot ]; then
      cds_opts="-XX:AOTCache=$cds_file $cds_quiet"
    else
      cds_opts="-XX:SharedArchiveFile=$cds_file $cds_quiet"
    fi
  elif [ ! -e "$cds_file.none" ] && mkdir -p "$cds_dir" 2>/dev/null; then
    cds_dump=$cds_dir/.$1-$cds_key.$cds_kind.$$
    if [ "$cds_kind" = aot ]; then
      # the training run writes the configuration; the cache is assembled from it after a successful step
      # (the JVM says where it wrote it on its own output, hence DisplayVMOutputToStderr: stdout is the result's)
      cds_opts="-XX:AOTMode=record -XX:AOTConfiguration=$cds_dump.conf -XX:+DisplayVMOutputToStderr $cds_quiet"
    else
      cds_opts="-XX:ArchiveClassesAtExit=$cds_dump $cds_quiet"
    fi
  fi
fi

cleanup
trap - EXIT INT TERM
if [ -n "$cds_dump" ]; then
  # the recording run: not exec'd, so that the cache is kept only after a successful step
  trap 'rm -f "$cds_dump" "$cds_dump.conf"' EXIT
  trap 'exit 130' INT TERM
  set +e
  # shellcheck disable=SC2086 # the options are split on purpose
  "$java_bin" $java_opts $cds_opts -jar "$jar" "$@"
  code=$?
  set -e
  if [ "$code" -eq 0 ]; then
    if [ "$cds_kind" = aot ] && [ -s "$cds_dump.conf" ]; then
      say "writing the start-up cache of $1 for this jar and java (once; later runs start from it)"
      # shellcheck disable=SC2086
      "$java_bin" $java_opts -XX:AOTMode=create "-XX:AOTConfiguration=$cds_dump.conf" "-XX:AOTCache=$cds_dump" \
        $cds_quiet -jar "$jar" >/dev/null 2>&1 || rm -f "$cds_dump"
    fi
    if [ -s "$cds_dump" ]; then
      mv -f "$cds_dump" "$cds_file" 2>/dev/null || true
    else
      : >"$cds_file.none" 2>/dev/null || true # this java does not write caches: do not try again
    fi
    # older caches of this step: those for an earlier jar or java at the same paths, and any unused for a week
    # (and recordings a killed run left behind)
    find "$cds_dir" \( \( \( -name "$1-$cds_where-*" -o -name "$1-*" -mtime +7 \) \
      ! -name "$1-$cds_key.$cds_kind" ! -name "$1-$cds_key.$cds_kind.none" \) -o \( -name ".$1-*" -mmin +120 \) \) \
      -exec rm -f {} + 2>/dev/null || true
  fi
  exit "$code"
fi
# shellcheck disable=SC2086 # BERTH_JAVA_OPTS is split on purpose
exec "$java_bin" $java_opts $cds_opts -jar "$jar" "$@"
