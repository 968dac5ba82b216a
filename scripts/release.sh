#!/usr/bin/env bash
# Releases berth. The jar is reproducible (pom.xml: project.build.outputTimestamp), so its SHA-256 is known
# before the tag exists: the release commit records it in resources/dev/berth/release.properties, which the
# launcher (Jenkins library) and the action read to download, verify and cache exactly that jar.
#
#   scripts/release.sh prepare VERSION OWNER/REPO
#       On a clean main: the release commit (pom version VERSION, outputTimestamp = now, release.properties
#       filled in with the asset URL https://github.com/OWNER/REPO/releases/download/vVERSION/berth-VERSION.jar
#       and the SHA-256 of the jar built here), the annotated tag vVERSION on it, then the commit that opens the
#       next version (NEXT-SNAPSHOT, release.properties emptied). Pushing is left to you (it prints the command);
#       the release workflow (.github/workflows/release.yml) does the rest on the tag.
#   scripts/release.sh check TAG
#       The release workflow's first check: TAG's commit is a release commit of that version.
#   scripts/release.sh verify-jar JAR
#       JAR (built by the workflow from the tag) has the SHA-256 the release commit recorded.
#
# Build with Java 17 (what the workflow uses): javac's output may differ between JDK majors.
set -euo pipefail
cd "$(dirname "$0")/.."
release_file=resources/dev/berth/release.properties

die() { echo "release.sh: $*" >&2; exit 1; }
value() { awk -v k="$1" '{ sub(/\r$/, "") } $0 ~ "^" k "=" { sub(/^[^=]*=/, ""); print; exit }' "$release_file"; }
pom_version() { awk '/<artifactId>berth<\/artifactId>/ { f = 1; next } f && /<version>/ { gsub(/.*<version>|<\/version>.*/, ""); print; exit }' pom.xml; }
sha256() { if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1" | cut -d' ' -f1; else shasum -a 256 "$1" | cut -d' ' -f1; fi; }

set_pom_version() { # VERSION: the project's own <version> (the first one after <artifactId>berth</artifactId>)
  awk -v v="$1" '!done && /<artifactId>berth<\/artifactId>/ { f = 1 }
    !done && f && /<version>/ { sub(/<version>[^<]*<\/version>/, "<version>" v "</version>"); done = 1 } { print }' \
    pom.xml > pom.xml.tmp && mv pom.xml.tmp pom.xml
  [ "$(pom_version)" = "$1" ] || die "could not set the version in pom.xml"
}

write_release() { # VERSION URL SHA256 (all empty between releases)
  local header
  header=$(awk '/^#/' "$release_file")
  printf '%s\nversion=%s\nurl=%s\nsha256=%s\n' "$header" "$1" "$2" "$3" > "$release_file"
}

prepare() {
  local version=$1 repo=$2
  [[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "VERSION must be MAJOR.MINOR.PATCH, got '$version'"
  [[ $repo =~ ^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$ ]] || die "OWNER/REPO expected, got '$repo'"
  [ -z "$(git status --porcelain)" ] || die "the working tree is not clean"
  git rev-parse -q --verify "refs/tags/v$version" >/dev/null && die "tag v$version exists"
  local stamp url jar sha next
  stamp=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  set_pom_version "$version"
  sed -i.bak "s|<project.build.outputTimestamp>[^<]*</project.build.outputTimestamp>|<project.build.outputTimestamp>$stamp</project.build.outputTimestamp>|" pom.xml
  rm -f pom.xml.bak
  echo "building berth $version (tests are the workflow's job)" >&2
  mvn -B -ntp -q clean package -Dmaven.test.skip=true
  jar=target/berth.jar
  sha=$(sha256 "$jar")
  url=https://github.com/$repo/releases/download/v$version/berth-$version.jar
  write_release "$version" "$url" "$sha"
  git add pom.xml "$release_file"
  git commit -q -m "release $version" -m "berth-$version.jar SHA-256 $sha"
  git tag -a "v$version" -m "berth $version"
  IFS=. read -r major minor patch <<< "$version"
  next=$major.$minor.$((patch + 1))-SNAPSHOT
  set_pom_version "$next"
  write_release "" "" ""
  git add pom.xml "$release_file"
  git commit -q -m "open $next"
  echo "release commit $(git rev-parse "v$version^{commit}") tagged v$version; jar $sha" >&2
  echo "publish it: git push origin HEAD v$version" >&2
}

check() {
  local tag=$1 version
  version=${tag#v}
  [[ $tag =~ ^v[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "tag $tag is not vMAJOR.MINOR.PATCH"
  [ "$(pom_version)" = "$version" ] || die "pom.xml says $(pom_version), the tag $tag"
  [ "$(value version)" = "$version" ] || die "$release_file names '$(value version)', the tag $tag"
  [[ $(value sha256) =~ ^[0-9a-f]{64}$ ]] || die "$release_file has no SHA-256"
  case $(value url) in
    https://github.com/*/releases/download/$tag/berth-$version.jar) ;;
    *) die "$release_file url '$(value url)' is not this release's asset" ;;
  esac
  echo "$tag is a release commit (berth $version, SHA-256 $(value sha256))"
}

verify_jar() {
  local actual expected
  actual=$(sha256 "$1")
  expected=$(value sha256)
  [ "$actual" = "$expected" ] || die "$1 has SHA-256 $actual, the release commit recorded $expected: the build is not reproducible (another JDK major? a changed plugin?) and nothing is published"
  echo "$1 is the recorded jar ($actual)"
}

case ${1:-} in
  prepare) [ $# = 3 ] || die "usage: scripts/release.sh prepare VERSION OWNER/REPO"; prepare "$2" "$3" ;;
  check) [ $# = 2 ] || die "usage: scripts/release.sh check TAG"; check "$2" ;;
  verify-jar) [ $# = 2 ] || die "usage: scripts/release.sh verify-jar JAR"; verify_jar "$2" ;;
  *) die "usage: scripts/release.sh prepare VERSION OWNER/REPO | check TAG | verify-jar JAR" ;;
esac
