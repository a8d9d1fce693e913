#!/usr/bin/env bash
# Make the test engine a Docker Swarm manager, for the Swarm engine's tests
# (test/integration/swarm.test.ts, and swarm-worker.test.ts with the worker swarm-worker.sh adds).
# The manager advertises 10.231.7.1, the host side of a veth pair whose other side is in network
# namespace oneoff-w2 (where swarm-worker.sh runs a second engine): an address the worker can
# reach, and nothing leaves this machine. Idempotent: a swarm advertising another address (say
# 127.0.0.1, from an earlier version of this step) is left and made anew; nothing of value lives
# in the test swarm.
set -Eeuo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

readonly LOCK=/tmp/oneoff-setup-swarm.lock
# Held by every integration test run: the swarm is not remade under a running test.
readonly ENGINE_LOCK=/tmp/oneoff-integration-engine.lock
readonly NETNS=oneoff-w2
readonly HOST_IF=oneoff-w2h NETNS_IF=oneoff-w2n
readonly HOST_ADDR=10.231.7.1 NETNS_ADDR=10.231.7.2 PREFIX=30

require_engine
[[ $(id -u) -eq 0 ]] || die "making the worker's network namespace needs root"
ensure_commands ip:iproute2
take_lock "$LOCK"

# The worker's network namespace and the veth pair to it (gone after a reboot: made again).
if [[ ! -e /run/netns/$NETNS ]]; then
  log "making network namespace $NETNS"
  ip netns add "$NETNS"
fi
# A pair whose namespace end is not in this namespace (the namespace was removed and made
# anew, or a run was interrupted) is removed first.
if ip link show "$HOST_IF" >/dev/null 2>&1 && ! ip -n "$NETNS" link show "$NETNS_IF" >/dev/null 2>&1; then
  log "removing veth $HOST_IF: its peer is not in namespace $NETNS"
  ip link del "$HOST_IF"
fi
if ! ip link show "$HOST_IF" >/dev/null 2>&1; then
  ip -n "$NETNS" link del "$NETNS_IF" 2>/dev/null || true
  log "making veth $HOST_IF ($HOST_ADDR) <-> $NETNS:$NETNS_IF ($NETNS_ADDR)"
  ip link add "$HOST_IF" type veth peer name "$NETNS_IF" netns "$NETNS"
fi
ip addr replace "$HOST_ADDR/$PREFIX" dev "$HOST_IF"
ip link set "$HOST_IF" up
ip -n "$NETNS" addr replace "$NETNS_ADDR/$PREFIX" dev "$NETNS_IF"
ip -n "$NETNS" link set "$NETNS_IF" up
ip -n "$NETNS" link set lo up

state=$(docker info --format '{{.Swarm.LocalNodeState}}')
addr=$(docker info --format '{{.Swarm.NodeAddr}}')
control=$(docker info --format '{{.Swarm.ControlAvailable}}')
if [[ $state != active || $addr != "$HOST_ADDR" || $control != true ]]; then
  exec 8>"$ENGINE_LOCK"
  flock -w 900 8 || die "timed out waiting for $ENGINE_LOCK (an integration test run uses the engine)"
  if [[ $state != inactive ]]; then
    log "leaving the engine's swarm (state $state, advertising ${addr:-nothing}, manager: $control) to make it anew"
    docker swarm leave --force >/dev/null
  fi
  log "making the engine a swarm manager advertising $HOST_ADDR (docker swarm init)"
  docker swarm init --advertise-addr "$HOST_ADDR" >/dev/null
  exec 8>&-
fi
[[ $(docker info --format '{{.Swarm.ControlAvailable}}') == true ]] || die "the engine is in a swarm but not a manager"
