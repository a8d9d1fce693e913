#!/usr/bin/env bash
# A second Docker engine, joined to the test swarm as a worker, for
# test/integration/swarm-worker.test.ts: a job placed on another node than the engine oneoff
# talks to. Runs after swarm.sh, which makes network namespace oneoff-w2 and the veth pair to
# it (10.231.7.1 here, 10.231.7.2 there) and the manager advertising 10.231.7.1.
# - dockerd (same binary) inside that namespace and its own UTS namespace (hostname oneoff-w2),
#   with its own data root, exec root (its own containerd), pidfile and socket
#   unix:///run/oneoff-w2/docker.sock; detached, log /tmp/oneoff-w2-dockerd.log;
# - the test image oneoff-test/busybox:latest loaded into it (no registry to pull from);
# - joined as a worker, node label oneoff-test=worker, availability "drain": no task lands on
#   it unless a test makes it active (swarm-worker.test.ts does, for its own run), so the
#   single-node suites keep every task on the manager.
# Idempotent: a worker already joined is left; one from another swarm (the manager made anew)
# leaves and joins again; nodes of earlier workers (left "down") are removed.
set -Eeuo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

readonly LOCK=/tmp/oneoff-setup-swarm.lock
readonly NETNS=oneoff-w2 NAME=oneoff-w2
readonly HOST_ADDR=10.231.7.1
readonly W_ROOT=/var/lib/oneoff-w2 W_EXEC=/run/oneoff-w2
readonly W_SOCK=/run/oneoff-w2/docker.sock W_PIDFILE=/run/oneoff-w2/docker.pid
readonly W_LOG=/tmp/oneoff-w2-dockerd.log
# dockerd run under another name (a symlink), so that what looks for the main engine's process
# by name (engine.sh; `pkill -x dockerd` in the fault tests) does not take this one for it.
readonly W_BIN=/run/oneoff-w2/bin/dockerd-oneoff W_COMM=dockerd-oneoff
readonly LABEL=oneoff-test=worker
readonly IMAGES=(oneoff-test/busybox:latest)
readonly WAIT_SECS=60

require_engine
[[ $(id -u) -eq 0 ]] || die "starting a second engine needs root"
ensure_commands ip:iproute2 nsenter:util-linux unshare:util-linux
take_lock "$LOCK"
started=$SECONDS

[[ -e /run/netns/$NETNS ]] || die "no network namespace $NETNS (run swarm.sh first)"
[[ $(docker info --format '{{.Swarm.ControlAvailable}} {{.Swarm.NodeAddr}}') == "true $HOST_ADDR" ]] \
  || die "the engine is not a swarm manager advertising $HOST_ADDR (run swarm.sh first)"

wdocker() { DOCKER_HOST="unix://$W_SOCK" docker "$@"; }
worker_answers() { timeout 5 env DOCKER_HOST="unix://$W_SOCK" docker info >/dev/null 2>&1; }
worker_pid() {
  local pid
  pid=$(cat "$W_PIDFILE" 2>/dev/null) || return 1
  [[ $pid =~ ^[0-9]+$ ]] && alive "$pid" && [[ $(cat "/proc/$pid/comm" 2>/dev/null) == "$W_COMM" ]] && echo "$pid"
}

# A worker engine left in another network namespace (the namespace was removed and made anew)
# cannot be reached over the veth: stop it (by its pidfile) and start it again.
if pid=$(worker_pid) && [[ $(stat -Lc %i "/proc/$pid/ns/net") != $(stat -Lc %i "/run/netns/$NETNS") ]]; then
  log "the worker engine (pid $pid) is not in namespace $NETNS any more: stopping it"
  kill "$pid"
  for _ in $(seq 1 60); do alive "$pid" || break; sleep 0.5; done
  alive "$pid" && die "the worker engine (pid $pid) did not stop (see $W_LOG)"
fi

if ! worker_answers; then
  if ! pid=$(worker_pid); then
    rm -f "$W_PIDFILE"
    mkdir -p "$W_ROOT" "$W_EXEC" "${W_BIN%/*}"
    ln -sfn "$(command -v dockerd)" "$W_BIN"
    # Its own daemon.json: whatever /etc/docker/daemon.json says is for the main engine.
    [[ -e $W_EXEC/daemon.json ]] || echo '{}' >"$W_EXEC/daemon.json"
    log "starting the worker engine in namespace $NETNS (log $W_LOG)"
    mark_log "$W_LOG" "swarm-worker.sh starting dockerd"
    # shellcheck disable=SC2016 # $1 and $@ are for the inner sh
    pid=$(spawn_detached "$W_LOG" nsenter "--net=/run/netns/$NETNS" unshare --uts \
      sh -c 'hostname "$1" && shift && exec "$@"' sh "$NAME" \
      "$W_BIN" --data-root "$W_ROOT" --exec-root "$W_EXEC" --pidfile "$W_PIDFILE" \
      --config-file "$W_EXEC/daemon.json" -H "unix://$W_SOCK")
  fi
  wait_start=$SECONDS
  await_daemon "$pid" "$W_LOG" "the worker engine on $W_SOCK" "$WAIT_SECS" worker_answers
  log "worker engine up after $(( SECONDS - wait_start ))s"
fi

for image in "${IMAGES[@]}"; do
  want=$(docker image inspect -f '{{.Id}}' "$image") || die "no image $image on the main engine (run images.sh first)"
  if [[ $(wdocker image inspect -f '{{.Id}}' "$image" 2>/dev/null || true) != "$want" ]]; then
    log "loading $image into the worker engine"
    docker save "$image" | wdocker load >/dev/null
  fi
done

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
  if [[ $hostname == "$NAME" && $id != "$wnode" ]]; then
    log "removing stale node $id ($hostname)"
    docker node rm --force "$id" >/dev/null
  fi
done < <(docker node ls --format '{{.ID}} {{.Hostname}}')

docker node update --label-add "$LABEL" --availability drain "$wnode" >/dev/null
wait_start=$SECONDS
until [[ $(docker node inspect -f '{{.Status.State}}' "$wnode") == ready ]]; do
  (( SECONDS - wait_start < WAIT_SECS )) || die "worker node $wnode is not ready after ${WAIT_SECS}s: $(docker node inspect -f '{{.Status.State}} {{.Status.Message}}' "$wnode") (see $W_LOG)"
  sleep 0.5
done
log "worker node $wnode ($NAME, label $LABEL, drained) ready; setup took $(( SECONDS - started ))s"
