#!/usr/bin/env bash
# A Docker engine that does not share this machine, for trying oneoff against an engine that
# is truly elsewhere (a bind of a client-only path gets an empty directory, the engine's
# hostname and processes are its own). See /work/shared/TEST-ENGINES.md, "An engine that does
# not share this machine".
# - Root filesystem: Debian bookworm made once by debootstrap (minbase + docker.io, iptables,
#   ca-certificates) and kept in /var/lib/oneoff-isolated/rootfs ($ROOTFS); the engine's data
#   root is $ROOTFS/var/lib/docker, so its images survive a stop.
# - Network namespace oneoff-iso, joined to this machine by a veth pair (10.231.0.1 here,
#   10.231.0.2 there) and nothing else: no default route, no NAT, so nothing leaves this
#   machine and the engine cannot reach any registry.
# - dockerd from the rootfs (under its tini as PID 1), in that network namespace and its own
#   mount, PID and UTS namespaces (hostname oneoff-isolated), with $ROOTFS as its root
#   (pivot_root: it keeps no copy of this machine's mounts, the main engine's containers'
#   included), cgroups under /oneoff-isolated (the main engine's are under /docker). It runs as
#   "dockerd-iso", so what looks for the main engine by name (engine.sh, `pkill -x dockerd` in
#   the fault tests) does not take it for that one. Socket $ROOTFS/run/docker.sock; log
#   /tmp/oneoff-isolated-dockerd.log; the OUTER pid of the `unshare` started (whose child is
#   the namespace's tini, whose child is dockerd) in /run/oneoff-isolated.pid. Stopping signals
#   that child as seen from here; when it exits, the kernel kills the rest of the namespace.
# - The test image oneoff-test/busybox:latest loaded into it from the main engine (docker save,
#   read-only there).
# Usage: isolated-engine.sh [start]   start it (idempotent: an engine that answers is left)
#        isolated-engine.sh stop      stop it, remove the namespace and veth; keep the rootfs
# Prints how to use the engine on stdout; progress goes to stderr. Needs root.
# Traps (TEST-ENGINES.md): $ROOTFS/var/run is an absolute symlink to /run, which from outside
# is THIS machine's /run: nothing here goes through it. Pid files the engine writes inside hold
# PIDs of its own PID namespace: nothing here reads them.
set -Eeuo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

readonly NAME=oneoff-isolated
readonly NETNS=oneoff-iso HOST_IF=oneoff-isoh NETNS_IF=oneoff-ison
readonly HOST_ADDR=10.231.0.1 NETNS_ADDR=10.231.0.2 PREFIX=30 NET=10.231.0.0/30
readonly CACHE=/var/lib/oneoff-isolated
readonly ROOTFS=$CACHE/rootfs
readonly ISO_SOCK=$ROOTFS/run/docker.sock
readonly PIDFILE=/run/oneoff-isolated.pid
readonly ISO_LOG=/tmp/oneoff-isolated-dockerd.log
readonly BOOTSTRAP_LOG=/tmp/oneoff-isolated-debootstrap.log
readonly LOCK=/tmp/oneoff-setup-isolated.lock
# dockerd under another name (a symlink inside the rootfs); comm is at most 15 characters.
readonly INNER_BIN=/usr/local/sbin/dockerd-iso INNER_COMM=dockerd-iso
readonly INNER_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
readonly IMAGES=(oneoff-test/busybox:latest)
readonly WAIT_SECS=120 STOP_SECS=40 MAIN_WAIT_SECS=90

mode=${1:-start}
[[ $mode == start || $mode == stop ]] || die "usage: $me [start|stop]"
(( $# <= 1 )) || die "usage: $me [start|stop]"
[[ $(id -u) -eq 0 ]] || die "the isolated engine needs root (namespaces, mounts)"
ensure_commands ip:iproute2 nsenter:util-linux unshare:util-linux pivot_root:util-linux \
  findmnt:util-linux hostname:hostname
take_lock "$LOCK"

idocker() { DOCKER_HOST="unix://$ISO_SOCK" docker "$@"; }
# Answers, and is the isolated engine (its hostname), not some other engine behind the path.
iso_answers() {
  [[ -S $ISO_SOCK ]] || return 1
  [[ $(DOCKER_HOST="unix://$ISO_SOCK" timeout 5 docker info --format '{{.Name}}' 2>/dev/null) == "$NAME" ]]
}
cmdline() { tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null; }
# The outer PID recorded at start, if that process still runs and is our `unshare`.
outer_pid() {
  local pid
  pid=$(cat "$PIDFILE" 2>/dev/null) || return 1
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  alive "$pid" || return 1
  [[ $(cat "/proc/$pid/comm" 2>/dev/null) == unshare && $(cmdline "$pid") == *" $ROOTFS "* ]] || return 1
  echo "$pid"
}
# Live children of PID $1, as PIDs of this machine (its PID namespace).
children_of() {
  local f stat
  for f in /proc/[0-9]*/stat; do
    stat=$(cat "$f" 2>/dev/null) || continue
    stat=${stat##*) }
    read -r _ ppid _ <<<"$stat"
    if [[ $ppid == "$1" ]]; then
      f=${f#/proc/}
      alive "${f%/stat}" && echo "${f%/stat}"
    fi
  done
  return 0
}
# Engines of ours running without (or with another) pid file, seen by name.
stray_engines() {
  local f p
  for f in /proc/[0-9]*/comm; do
    p=${f#/proc/}; p=${p%/comm}
    [[ $(cat "$f" 2>/dev/null) == "$INNER_COMM" ]] && alive "$p" && echo "$p"
  done
  return 0
}
# Waits at most $2 seconds for PID $1 to exit; false if it still runs.
await_exit() {
  local start=$SECONDS
  while alive "$1"; do
    (( SECONDS - start < $2 )) || return 1
    sleep 0.2
  done
}
# Signals PID $1 (the engine, as seen from here): SIGTERM, then SIGKILL after $STOP_SECS.
# When the first process of its PID namespace exits, the kernel kills the rest of it.
end_process() {
  log "stopping $2 (pid $1 here): SIGTERM"
  kill -TERM "$1" 2>/dev/null || true
  if ! await_exit "$1" "$STOP_SECS"; then
    log "$2 (pid $1) still runs after ${STOP_SECS}s: SIGKILL"
    kill -KILL "$1" 2>/dev/null || true
    await_exit "$1" 10 || die "$2 (pid $1) did not exit after SIGKILL"
  fi
}
remove_network() {
  if ip link show "$HOST_IF" >/dev/null 2>&1; then
    log "removing veth $HOST_IF"
    ip link del "$HOST_IF"
  fi
  if [[ -e /run/netns/$NETNS ]]; then
    log "removing network namespace $NETNS"
    ip netns del "$NETNS"
  fi
}
usage_text() {
  cat <<TEXT
isolated engine: unix://$ISO_SOCK (hostname $NAME, namespace $NETNS at $NETNS_ADDR, outer pid $(cat "$PIDFILE" 2>/dev/null || echo '?'), log $ISO_LOG)
use it:  export DOCKER_HOST=unix://$ISO_SOCK     (or: docker -H unix://$ISO_SOCK ...)
stop it: $0 stop
TEXT
}

# ---------------------------------------------------------------- stop
if [[ $mode == stop ]]; then
  if pid=$(outer_pid); then
    mapfile -t kids < <(children_of "$pid")
    for kid in "${kids[@]}"; do
      end_process "$kid" "the isolated engine ($(cat "/proc/$kid/comm" 2>/dev/null || echo gone))"
    done
    if ! await_exit "$pid" 10; then
      log "unshare (pid $pid) still runs without its child: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      await_exit "$pid" 10 || die "unshare (pid $pid) did not exit"
    fi
  else
    log "no running engine recorded in $PIDFILE"
  fi
  # One started by hand, or whose pid file was lost: the name is ours alone.
  for p in $(stray_engines); do
    end_process "$p" "a stray isolated engine ($INNER_COMM)"
  done
  rm -f "$PIDFILE"
  remove_network
  log "isolated engine stopped; rootfs kept in $ROOTFS"
  exit 0
fi

# ---------------------------------------------------------------- start
if iso_answers; then
  missing=()
  for image in "${IMAGES[@]}"; do
    idocker image inspect "$image" >/dev/null 2>&1 || missing+=("$image")
  done
  if (( ${#missing[@]} == 0 )); then
    log "the isolated engine already answers on $ISO_SOCK"
    usage_text
    exit 0
  fi
  log "the isolated engine answers on $ISO_SOCK but lacks ${missing[*]}"
fi
started=$SECONDS

# The root filesystem, made once. debootstrap runs in a mount namespace of its own, so that a
# failed run leaves no mount of /proc or /sys behind in this one; a half-made tree is removed
# (on its own file system only) and made again.
if [[ ! -x $ROOTFS/usr/sbin/dockerd ]]; then
  [[ ! -e $ROOTFS ]] || die "$ROOTFS exists but has no usr/sbin/dockerd: look at it, remove it by hand (mind ROOTFS/var/run -> /run) and run again"
  ensure_commands debootstrap:debootstrap
  new=$CACHE/rootfs.new
  mkdir -p "$CACHE"
  if [[ -e $new ]]; then
    [[ -z $(findmnt -rno TARGET | grep -F "$new" || true) ]] || die "mounts left under $new: unmount them first"
    log "removing a half-made rootfs $new"
    rm -rf --one-file-system "$new"
  fi
  log "making the rootfs with debootstrap (bookworm, minbase + docker.io; log $BOOTSTRAP_LOG)"
  mark_log "$BOOTSTRAP_LOG" "isolated-engine.sh debootstrap"
  unshare --mount --propagation private \
    debootstrap --variant=minbase --include=docker.io,iptables,ca-certificates bookworm "$new" \
    >>"$BOOTSTRAP_LOG" 2>&1 </dev/null \
    || die "debootstrap failed: $(last_log_line "$BOOTSTRAP_LOG") (see $BOOTSTRAP_LOG)"
  [[ -x $new/usr/sbin/dockerd ]] || die "debootstrap made no usr/sbin/dockerd (see $BOOTSTRAP_LOG)"
  mv "$new" "$ROOTFS"
  log "rootfs made in $(( SECONDS - started ))s"
fi
# The socket must be on the rootfs itself: were ROOTFS/run a link to /run, ISO_SOCK would be
# the main engine's socket.
[[ -d $ROOTFS/run && ! -L $ROOTFS/run ]] || die "$ROOTFS/run is not a directory of the rootfs"
[[ -x $ROOTFS/usr/bin/tini ]] || die "$ROOTFS has no usr/bin/tini (package tini, a dependency of docker.io)"
ln -sfn /usr/sbin/dockerd "$ROOTFS$INNER_BIN"
mkdir -p "$ROOTFS/.oldroot"

if ! iso_answers; then
  if ! pid=$(outer_pid); then
    strays=$(stray_engines)
    [[ -z $strays ]] || die "an isolated engine runs (pid ${strays//$'\n'/ }) but not as recorded in $PIDFILE: run '$0 stop' first"
    rm -f "$PIDFILE"

    # A fresh network namespace and veth pair (nothing runs in an old one).
    remove_network
    used=$(ip -4 -o addr show to "$NET" || true)
    [[ -z $used ]] || die "addresses in $NET are in use here already: $used"
    log "making network namespace $NETNS, veth $HOST_IF ($HOST_ADDR) <-> $NETNS_IF ($NETNS_ADDR)"
    ip netns add "$NETNS"
    ip link add "$HOST_IF" type veth peer name "$NETNS_IF" netns "$NETNS"
    ip addr add "$HOST_ADDR/$PREFIX" dev "$HOST_IF"
    ip link set "$HOST_IF" up
    ip -n "$NETNS" addr add "$NETNS_ADDR/$PREFIX" dev "$NETNS_IF"
    ip -n "$NETNS" link set "$NETNS_IF" up
    ip -n "$NETNS" link set lo up

    # Runs as PID 1 of the new PID namespace, in the new mount and UTS namespaces (mounts made
    # private by unshare). The rootfs bound onto itself becomes / (pivot_root; the old root,
    # with every mount of this machine, is detached). Inside, /run is the rootfs's own: the
    # engine's stale runtime state from an earlier run (pid file, exec root) is cleared there.
    # PID 1 is then the rootfs's tini, which reaps the orphans (exited containerd-shims would
    # stay zombies under a dockerd as PID 1) and passes signals on to dockerd.
    # shellcheck disable=SC2016 # expanded by the inner shells
    inner='set -eu
      dir=$1 name=$2 path=$3; shift 3
      mount --bind "$dir" "$dir"
      mount -t proc proc "$dir/proc"
      mount --rbind /sys "$dir/sys"
      mount --rbind /dev "$dir/dev"
      hostname "$name"
      cd "$dir"
      pivot_root . .oldroot
      exec /usr/bin/env -i PATH="$path" HOME=/root /bin/sh -c "set -e
        umount -l /.oldroot
        rm -f /run/docker.pid
        rm -rf /run/docker
        exec \"\$@\"" sh "$@"'
    log "starting the isolated engine (log $ISO_LOG)"
    mark_log "$ISO_LOG" "isolated-engine.sh starting dockerd"
    pid=$(cd / && spawn_detached "$ISO_LOG" \
      nsenter "--net=/run/netns/$NETNS" \
      unshare --mount --pid --uts --fork --kill-child --propagation private \
      bash -c "$inner" inner "$ROOTFS" "$NAME" "$INNER_PATH" \
      /usr/bin/tini -- "$INNER_BIN" -H unix:///run/docker.sock --data-root /var/lib/docker \
      --exec-root /run/docker --pidfile /run/docker.pid --cgroup-parent /"$NAME")
    echo "$pid" >"$PIDFILE"
  else
    log "the isolated engine (outer pid $pid) runs but does not answer yet: waiting"
  fi
  wait_start=$SECONDS
  await_daemon "$pid" "$ISO_LOG" "the isolated engine on $ISO_SOCK" "$WAIT_SECS" iso_answers
  log "isolated engine up after $(( SECONDS - wait_start ))s"
fi

# The test images, from the main engine (read-only there). The fault tests restart the main
# engine: wait a while for it rather than fail.
main_start=$SECONDS
until engine_answers; do
  (( SECONDS - main_start < MAIN_WAIT_SECS )) || die "the main engine ($SOCK) does not answer: cannot load ${IMAGES[*]}"
  sleep 1
done
for image in "${IMAGES[@]}"; do
  want=$(docker image inspect -f '{{.Id}}' "$image") || die "no image $image on the main engine (run images.sh first)"
  if [[ $(idocker image inspect -f '{{.Id}}' "$image" 2>/dev/null || true) != "$want" ]]; then
    log "loading $image into the isolated engine"
    docker save "$image" | idocker load >/dev/null
  fi
done
log "isolated engine ready; took $(( SECONDS - started ))s"
usage_text
