#!/usr/bin/env bash
# Smoke test of oneoff's own image (the Dockerfile), offline but for npm's registry:
# builds it FROM oneoff-test/node:24 (node-image.sh) as oneoff:test, then
#   docker run --rm oneoff:test --version
#   docker run --rm -v /var/run/docker.sock:... oneoff:test run --release oneoff-test/busybox:latest -- echo ...
# and checks their output and exit codes, and that the one-off's container is gone after.
# Starts one one-off container: run it after the test suite, never beside it (the suite
# fails when it sees one-offs it did not start). Needs the engine (engine.sh), the busybox
# test image (images.sh) and root.
set -Eeuo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

readonly IMAGE=oneoff:test
readonly RELEASE=oneoff-test/busybox:latest
readonly WORDS=from-the-oneoff-image
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

require_engine
docker image inspect "$RELEASE" >/dev/null 2>&1 || die "image $RELEASE is missing (run images.sh first)"
bash "$here/node-image.sh"

build_log=$(mktemp /tmp/oneoff-image-build.XXXXXX)
trap 'rm -f "$build_log"' EXIT
# Build TAG (with more docker build arguments), and drop the image TAG named before if
# nothing else names it: rebuilds on a long-lived machine leave nothing dangling.
build() {
  local tag=$1 old_id new_id; shift
  old_id=$(docker image inspect -f '{{.Id}}' "$tag" 2>/dev/null || true)
  docker build --force-rm --build-arg NODE_IMAGE=oneoff-test/node:24 -t "$tag" "$@" "$repo" >"$build_log" 2>&1 \
    || die "docker build failed: $(grep -v '^ ---> \|^Removing\|^Step\|npm notice' "$build_log" | tail -n 5)"
  new_id=$(docker image inspect -f '{{.Id}}' "$tag")
  if [[ -n $old_id && $old_id != "$new_id" && -z $(docker image inspect -f '{{join .RepoTags " "}}' "$old_id" 2>/dev/null || true) ]]; then
    docker rmi "$old_id" >/dev/null 2>&1 || true
  fi
}
# The build stage gets a tag of its own, so it stays as the cache of the next build (its
# npm ci layer above all) and the one it replaces can be removed.
build "$IMAGE-build" --target build
build "$IMAGE"

version=$(docker run --rm "$IMAGE" --version) || die "oneoff --version in $IMAGE exited $?"
want=$(node -p "require('$repo/package.json').version")
[[ $version == "$want" ]] || die "oneoff --version in $IMAGE printed \"$version\", not $want"

# A label of this run's own, to find its one-off afterwards.
smoke=smoke-$$-$RANDOM
status=0
out=$(docker run --rm -v /var/run/docker.sock:/var/run/docker.sock "$IMAGE" \
  run -q --label "oneoff.test.smoke=$smoke" --release "$RELEASE" -- echo "$WORDS") || status=$?
(( status == 0 )) || die "oneoff run in $IMAGE exited $status (output: $out)"
[[ $out == "$WORDS" ]] || die "oneoff run in $IMAGE printed \"$out\", not \"$WORDS\""
left=$(docker ps -aq --filter "label=oneoff.test.smoke=$smoke")
[[ -z $left ]] || die "the one-off container $left was left behind"

log "$IMAGE ($(docker image inspect -f '{{.Size}}' "$IMAGE" | awk '{ printf "%.0f MB", $1 / 1e6 }')): --version and a one-off through the engine's socket work"
