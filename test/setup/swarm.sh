#!/usr/bin/env bash
# Make the test engine a single-node Docker Swarm (a manager), for the Swarm engine's tests
# (test/integration/swarm.test.ts). Idempotent: an engine already in a swarm is left as it is.
# Advertises 127.0.0.1, so nothing leaves this machine.
set -Eeuo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

readonly LOCK=/tmp/oneoff-setup-swarm.lock

require_engine
take_lock "$LOCK"

state=$(docker info --format '{{.Swarm.LocalNodeState}}')
case $state in
  active) ;;
  inactive)
    log "making the engine a single-node swarm (docker swarm init)"
    docker swarm init --advertise-addr 127.0.0.1 >/dev/null
    ;;
  *) die "the engine's swarm state is \"$state\" (expected active or inactive); see docker info" ;;
esac
[[ $(docker info --format '{{.Swarm.ControlAvailable}}') == true ]] || die "the engine is in a swarm but not a manager"
