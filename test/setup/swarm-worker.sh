#!/usr/bin/env bash
# The Swarm worker of test/integration/swarm-worker.test.ts (a job placed on another node than
# the engine oneoff talks to): the isolated engine (isolated-engine.sh: its own namespaces and
# root filesystem, in network namespace oneoff-w2 at 10.231.7.2), joined to the test swarm whose
# manager (swarm.sh) advertises 10.231.7.1 on the other end of that veth.
# - joined as a worker, node label oneoff-test=worker, availability "drain": no task lands on
#   it unless a test makes it active (swarm-worker.test.ts does, for its own run), so the
#   single-node suites keep every task on the manager.
# Idempotent: a worker already joined is left; one from another swarm (the manager made anew)
# leaves and joins again; nodes of earlier workers (left "down"), and the worker engine of
# earlier versions of this step (a dockerd sharing this machine's files), are removed.
set -Eeuo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

readonly LOCK=/tmp/oneoff-setup-swarm.lock
readonly NAME=oneoff-isolated OLD_NAME=oneoff-w2
readonly HOST_ADDR=10.231.7.1
readonly W_SOCK=/var/lib/oneoff-isolated/rootfs/run/docker.sock
# The worker engine of earlier versions: stopped if it still runs.
readonly OLD_PIDFILE=/run/oneoff-w2/docker.pid OLD_COMM=dockerd-oneoff
readonly LABEL=oneoff-test=worker
readonly WAIT_SECS=60

require_engine
[[ $(id -u) -eq 0 ]] || die "joining the worker needs root"
take_lock "$LOCK"
started=$SECONDS

[[ $(docker info --format '{{.Swarm.ControlAvailable}} {{.Swarm.NodeAddr}}') == "true $HOST_ADDR" ]] \
  || die "the engine is not a swarm manager advertising $HOST_ADDR (run swarm.sh first)"

wdocker() { DOCKER_HOST="unix://$W_SOCK" docker "$@"; }
[[ $(timeout 5 env DOCKER_HOST="unix://$W_SOCK" docker info --format '{{.Name}}' 2>/dev/null) == "$NAME" ]] \
  || die "the isolated engine does not answer on $W_SOCK (run isolated-engine.sh first)"

if pid=$(cat "$OLD_PIDFILE" 2>/dev/null) && [[ $pid =~ ^[0-9]+$ ]] && alive "$pid" \
  && [[ $(cat "/proc/$pid/comm" 2>/dev/null) == "$OLD_COMM" ]]; then
  log "stopping the worker engine of an earlier setup (pid $pid, $OLD_COMM)"
  kill "$pid"
  for _ in $(seq 1 60); do alive "$pid" || break; sleep 0.5; done
  alive "$pid" && die "the old worker engine (pid $pid) did not stop"
fi

# Is the worker a node of this swarm? Its node ID must be one the manager knows.
wstate=$(wdocker info --format '{{.Swarm.LocalNodeState}}')
wnode=$(wdocker info --format '{{.Swarm.NodeID}}')
member=false
if [[ $wstate == active && -n $wnode ]] && docker node inspect "$wnode" >/dev/null 2>&1; then
  member=true
fi
if [[ $member != true ]]; then
  if [[ $wstate != inactive ]]; then
    log "the worker engine is in another swarm (state $wstate): leaving it"
    wdocker swarm leave --force >/dev/null
  fi
  log "joining the worker engine to the swarm at $HOST_ADDR:2377"
  wdocker swarm join --token "$(docker swarm join-token -q worker)" "$HOST_ADDR:2377" >/dev/null
  wnode=$(wdocker info --format '{{.Swarm.NodeID}}')
fi

# Nodes of earlier workers (this name, another ID: a data root removed, a swarm left).
while read -r id hostname; do
  if [[ ( $hostname == "$NAME" || $hostname == "$OLD_NAME" ) && $id != "$wnode" ]]; then
    log "removing stale node $id ($hostname)"
    docker node rm --force "$id" >/dev/null
  fi
done < <(docker node ls --format '{{.ID}} {{.Hostname}}')

docker node update --label-add "$LABEL" --availability drain "$wnode" >/dev/null
wait_start=$SECONDS
until [[ $(docker node inspect -f '{{.Status.State}}' "$wnode") == ready ]]; do
  (( SECONDS - wait_start < WAIT_SECS )) || die "worker node $wnode is not ready after ${WAIT_SECS}s: $(docker node inspect -f '{{.Status.State}} {{.Status.Message}}' "$wnode") (see the isolated engine's log)"
  sleep 0.5
done
log "worker node $wnode ($NAME, label $LABEL, drained) ready; setup took $(( SECONDS - started ))s"
