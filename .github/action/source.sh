#!/usr/bin/env bash
# Sourced by prepare.sh and entrypoint.sh: what the action's own checkout says about where the jar comes from.
#   action_release_version   the release resources/dev/berth/release.properties names, empty between releases
#   action_release_sha256    its SHA-256
#   source_hash              (after source_hash) a digest of what goes into the jar: pom.xml and src/main
action_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
action_release_file=$action_root/resources/dev/berth/release.properties

release_value() { # KEY
  [ -f "$action_release_file" ] || return 0
  awk -v k="$1" '{ sub(/\r$/, "") } $0 ~ "^" k "[ \t]*=" { sub(/^[^=]*=[ \t]*/, ""); sub(/[ \t]+$/, ""); print; exit }' \
    "$action_release_file"
}
# shellcheck disable=SC2034 # both are read by the scripts that source this file, not here
action_release_version=$(release_value version)
# shellcheck disable=SC2034 # read by the scripts that source this file
action_release_sha256=$(release_value sha256 | tr 'A-F' 'a-f')

sha256_of_stdin() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum | cut -d' ' -f1; else shasum -a 256 | cut -d' ' -f1; fi
}

source_hash() { # prints the first 20 hex digits of a digest over the paths and bytes of pom.xml and src/main
  (
    cd "$action_root" || exit
    find pom.xml src/main -type f -print0 | LC_ALL=C sort -z | while IFS= read -r -d '' f; do
      printf '%s %s\n' "$(sha256_of_stdin < "$f")" "$f"
    done | sha256_of_stdin | cut -c1-20
  )
}
