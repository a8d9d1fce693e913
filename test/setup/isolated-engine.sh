#!/usr/bin/env bash
# A Docker engine that does not share this machine: the "remote" engine of the tests (issue 20).
# A bug that assumes the engine sees this machine's files or processes (local bind paths, copy
# sources, owner liveness through /proc) shows against it. It is reached three ways, each as a
# real remote engine is: over TLS (its own listener, client certificates required), over ssh
# (sshd inside it, `docker system dial-stdio` with its own docker CLI), and as the Swarm worker
# (swarm-worker.sh joins it). See /work/shared/TEST-ENGINES.md, "An engine that does not share
# this machine".
# - Root filesystem: Debian bookworm made by debootstrap (minbase + $PACKAGES) and kept in
#   /var/lib/oneoff-isolated/rootfs ($ROOTFS), made again when the package list changes; the
#   engine's data root is $ROOTFS/var/lib/docker, so its images survive a stop.
# - Network: namespace oneoff-w2, which swarm.sh makes with a veth pair to this machine
#   (10.231.7.1 here, 10.231.7.2 there) and nothing else: no default route, no NAT, so nothing
#   leaves this machine and the engine cannot reach any registry.
# - dockerd from the rootfs (under its tini as PID 1), in that network namespace and its own
#   mount, PID and UTS namespaces (hostname oneoff-isolated), with $ROOTFS as its root
#   (pivot_root: it keeps no copy of this machine's mounts, the main engine's containers'
#   included), cgroups under /oneoff-isolated (the main engine's are under /docker). It runs as
#   "dockerd-iso", so what looks for the main engine by name (engine.sh, `pkill -x dockerd` in
#   the fault tests) does not take it for that one. Listens on $ROOTFS/run/docker.sock (as seen
#   from here) and on tcp://10.231.7.2:2376 with TLS: a server certificate signed by the test CA
#   of remote-engines.sh, the same client certificates (/tmp/oneoff-remote-engines/client).
#   Log /tmp/oneoff-isolated-dockerd.log; the OUTER pid of the `unshare` started (whose child is
#   the namespace's tini, whose child is dockerd) in /run/oneoff-isolated.pid. Stopping signals
#   that child as seen from here; when it exits, the kernel kills the rest of the namespace.
# - sshd of the rootfs on 10.231.7.2:22, started inside the engine's namespaces, root's key the
#   test key of remote-engines.sh; remote-engines.sh's ssh config names it oneoff-isolated, its
#   host key pinned in /tmp/oneoff-remote-engines/ssh/known_hosts_isolated. Log
#   /tmp/oneoff-isolated-sshd.log.
# - The test image oneoff-test/busybox:latest loaded into it from the main engine (docker save,
#   read-only there).
# Usage: isolated-engine.sh [start]   start it (idempotent: an engine that answers is left)
#        isolated-engine.sh rootfs    only make the root filesystem (all.sh runs this first, in the
#                                     background: it needs nothing the other steps make)
#        isolated-engine.sh stop      stop it (engine and sshd); keep the rootfs and the network
# Prints how to use the engine on stdout; progress goes to stderr. Needs root, and runs after
# swarm.sh (the network namespace) and remote-engines.sh (the CA and the ssh key).
# Traps (TEST-ENGINES.md): $ROOTFS/var/run is an absolute symlink to /run, which from outside
# is THIS machine's /run: nothing here goes through it. Pid files the engine writes inside hold
# PIDs of its own PID namespace: nothing here reads them.
set -Eeuo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

readonly NAME=oneoff-isolated
# The network namespace and address swarm.sh makes (the Swarm manager advertises 10.231.7.1).
readonly NETNS=oneoff-w2 NETNS_ADDR=10.231.7.2
readonly TLS_PORT=2376
readonly CACHE=/var/lib/oneoff-isolated
readonly ROOTFS=$CACHE/rootfs
readonly ISO_SOCK=$ROOTFS/run/docker.sock
readonly PIDFILE=/run/oneoff-isolated.pid
readonly ISO_LOG=/tmp/oneoff-isolated-dockerd.log
readonly SSHD_LOG=/tmp/oneoff-isolated-sshd.log
readonly BOOTSTRAP_LOG=/tmp/oneoff-isolated-debootstrap.log
# What the rootfs holds besides minbase; a rootfs made with another list is made again.
readonly PACKAGES=docker.io,iptables,ca-certificates,openssh-server
readonly ROOTFS_STAMP=$CACHE/rootfs.packages
# remote-engines.sh's test CA (signs the engine's TLS certificate) and ssh key and folder.
readonly REMOTE_DIR=/tmp/oneoff-remote-engines
readonly CA_DIR=$REMOTE_DIR/ca SSH_DIR=$REMOTE_DIR/ssh
# Inside the rootfs: the TLS files and sshd's config.
readonly TLS_IN=/etc/oneoff-tls SSHD_CONFIG_IN=/etc/ssh/sshd_oneoff_config
readonly LOCK=/tmp/oneoff-setup-isolated.lock
# dockerd under another name (a symlink inside the rootfs); comm is at most 15 characters.
readonly INNER_BIN=/usr/local/sbin/dockerd-iso INNER_COMM=dockerd-iso
readonly INNER_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
readonly IMAGES=(oneoff-test/busybox:latest)
readonly WAIT_SECS=120 STOP_SECS=40 MAIN_WAIT_SECS=90

mode=${1:-start}
[[ $mode == start || $mode == stop || $mode == rootfs ]] || die "usage: $me [start|rootfs|stop]"
(( $# <= 1 )) || die "usage: $me [start|rootfs|stop]"
[[ $(id -u) -eq 0 ]] || die "the isolated engine needs root (namespaces, mounts)"
ensure_commands ip:iproute2 nsenter:util-linux unshare:util-linux pivot_root:util-linux \
  findmnt:util-linux hostname:hostname openssl:openssl ssh-keygen:openssh-client
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
usage_text() {
  cat <<TEXT
isolated engine: unix://$ISO_SOCK (hostname $NAME, namespace $NETNS at $NETNS_ADDR, outer pid $(cat "$PIDFILE" 2>/dev/null || echo '?'), log $ISO_LOG)
use it:  export DOCKER_HOST=unix://$ISO_SOCK     (or: docker -H unix://$ISO_SOCK ...)
    or:  DOCKER_HOST=tcp://$NETNS_ADDR:$TLS_PORT DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH=$REMOTE_DIR/client docker ...
    or:  PATH=$SSH_DIR/bin:\$PATH docker -H ssh://oneoff-isolated ...
stop it: $0 stop
TEXT
}

# Stops the engine (and with it everything in its PID namespace: sshd, containers' shims).
stop_engine() {
  local pid kid p kids
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
}

# ---------------------------------------------------------------- stop
if [[ $mode == stop ]]; then
  stop_engine
  log "isolated engine stopped; rootfs kept in $ROOTFS"
  exit 0
fi

# ---------------------------------------------------------------- start
[[ -e /run/netns/$NETNS ]] || die "no network namespace $NETNS (run swarm.sh first)"
[[ -s $CA_DIR/ca.pem && -s $CA_DIR/ca-key.pem && -s $SSH_DIR/id_engine.pub && -x $SSH_DIR/bin/ssh ]] \
  || die "no test CA or ssh key in $REMOTE_DIR (run remote-engines.sh first)"
tls_answers() {
  DOCKER_HOST=tcp://$NETNS_ADDR:$TLS_PORT DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH=$REMOTE_DIR/client \
    timeout 5 docker info --format '{{.Name}}' 2>/dev/null | grep -qx "$NAME"
}
ssh_answers() { [[ $(timeout 10 "$SSH_DIR/bin/ssh" oneoff-isolated hostname 2>/dev/null) == "$NAME" ]]; }
images_loaded() {
  local image
  for image in "${IMAGES[@]}"; do
    [[ $(idocker image inspect -f '{{.Id}}' "$image" 2>/dev/null || true) == "$(docker image inspect -f '{{.Id}}' "$image" 2>/dev/null)" ]] || return 1
  done
}
rootfs_current() { [[ -x $ROOTFS/usr/sbin/dockerd && $(cat "$ROOTFS_STAMP" 2>/dev/null) == "$PACKAGES" ]]; }
[[ $mode == rootfs ]] && rootfs_current && exit 0
if rootfs_current && iso_answers && tls_answers && ssh_answers && images_loaded; then
  log "the isolated engine already answers on $ISO_SOCK, tcp://$NETNS_ADDR:$TLS_PORT and ssh"
  usage_text
  exit 0
fi
started=$SECONDS

# The root filesystem, made once per package list. debootstrap runs in a mount namespace of its
# own, so that a failed run leaves no mount of /proc or /sys behind in this one; a half-made
# tree is removed (on its own file system only) and made again. rm never follows the rootfs's
# links (var/run -> /run among them): it removes them.
if ! rootfs_current; then
  ensure_commands debootstrap:debootstrap
  if [[ -e $ROOTFS ]]; then
    stop_engine
    [[ -z $(findmnt -rno TARGET | grep -F "$ROOTFS" || true) ]] || die "mounts left under $ROOTFS: unmount them first"
    log "the rootfs was made with other packages (${PACKAGES} wanted): removing it to make it again"
    rm -rf --one-file-system "$ROOTFS"
  fi
  new=$CACHE/rootfs.new
  mkdir -p "$CACHE"
  if [[ -e $new ]]; then
    [[ -z $(findmnt -rno TARGET | grep -F "$new" || true) ]] || die "mounts left under $new: unmount them first"
    log "removing a half-made rootfs $new"
    rm -rf --one-file-system "$new"
  fi
  log "making the rootfs with debootstrap (bookworm, minbase + $PACKAGES; log $BOOTSTRAP_LOG)"
  mark_log "$BOOTSTRAP_LOG" "isolated-engine.sh debootstrap"
  unshare --mount --propagation private \
    debootstrap --variant=minbase "--include=$PACKAGES" bookworm "$new" \
    >>"$BOOTSTRAP_LOG" 2>&1 </dev/null \
    || die "debootstrap failed: $(last_log_line "$BOOTSTRAP_LOG") (see $BOOTSTRAP_LOG)"
  [[ -x $new/usr/sbin/dockerd && -x $new/usr/sbin/sshd ]] || die "debootstrap made no usr/sbin/dockerd or sshd (see $BOOTSTRAP_LOG)"
  mv "$new" "$ROOTFS"
  echo "$PACKAGES" >"$ROOTFS_STAMP"
  log "rootfs made in $(( SECONDS - started ))s"
fi
[[ $mode != rootfs ]] || exit 0
# The socket must be on the rootfs itself: were ROOTFS/run a link to /run, ISO_SOCK would be
# the main engine's socket.
[[ -d $ROOTFS/run && ! -L $ROOTFS/run ]] || die "$ROOTFS/run is not a directory of the rootfs"
[[ -x $ROOTFS/usr/bin/tini ]] || die "$ROOTFS has no usr/bin/tini (package tini, a dependency of docker.io)"
ln -sfn /usr/sbin/dockerd "$ROOTFS$INNER_BIN"
mkdir -p "$ROOTFS/.oldroot"

# The engine's TLS files: its certificate (for 10.231.7.2) signed by the test CA.
tls=$ROOTFS$TLS_IN
if ! openssl verify -CAfile "$CA_DIR/ca.pem" "$tls/server-cert.pem" >/dev/null 2>&1; then
  log "making the isolated engine's TLS certificate in $tls"
  mkdir -p "$tls"
  sign_cert "$CA_DIR" "$tls/server" oneoff-isolated-engine $'subjectAltName=IP:'"$NETNS_ADDR"$'\nextendedKeyUsage=serverAuth'
  cp "$CA_DIR/ca.pem" "$tls/ca.pem"
  chmod 600 "$tls/server-key.pem"
  # An engine running with the old files serves them until it restarts.
  iso_answers && stop_engine
fi

# sshd's files: its host key, its own config, root's key (the tests' id_engine), and the host
# key pinned for the client side.
mkdir -p "$ROOTFS/root/.ssh" "$ROOTFS/run/sshd"
install -m 600 "$SSH_DIR/id_engine.pub" "$ROOTFS/root/.ssh/authorized_keys"
[[ -s $ROOTFS/etc/ssh/oneoff_host_ed25519_key ]] \
  || ssh-keygen -q -t ed25519 -N '' -C oneoff-isolated-host -f "$ROOTFS/etc/ssh/oneoff_host_ed25519_key"
cat >"$ROOTFS$SSHD_CONFIG_IN" <<CONF
ListenAddress $NETNS_ADDR
Port 22
HostKey /etc/ssh/oneoff_host_ed25519_key
AuthorizedKeysFile /root/.ssh/authorized_keys
PidFile /run/sshd.pid
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
MaxStartups 100
LogLevel VERBOSE
CONF
echo "oneoff-isolated-engine $(cut -d' ' -f1-2 "$ROOTFS/etc/ssh/oneoff_host_ed25519_key.pub")" >"$SSH_DIR/known_hosts_isolated"

# An engine that answers on its socket but not with TLS was started another way: again.
if iso_answers && ! tls_answers; then
  log "the isolated engine answers on $ISO_SOCK but not on tcp://$NETNS_ADDR:$TLS_PORT: restarting it"
  stop_engine
fi
if ! iso_answers; then
  if ! pid=$(outer_pid); then
    strays=$(stray_engines)
    [[ -z $strays ]] || die "an isolated engine runs (pid ${strays//$'\n'/ }) but not as recorded in $PIDFILE: run '$0 stop' first"
    rm -f "$PIDFILE"

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
        rm -f /run/docker.pid /run/sshd.pid
        rm -rf /run/docker
        exec \"\$@\"" sh "$@"'
    log "starting the isolated engine (log $ISO_LOG)"
    mark_log "$ISO_LOG" "isolated-engine.sh starting dockerd"
    pid=$(cd / && spawn_detached "$ISO_LOG" \
      nsenter "--net=/run/netns/$NETNS" \
      unshare --mount --pid --uts --fork --kill-child --propagation private \
      bash -c "$inner" inner "$ROOTFS" "$NAME" "$INNER_PATH" \
      /usr/bin/tini -- "$INNER_BIN" -H unix:///run/docker.sock --data-root /var/lib/docker \
      --exec-root /run/docker --pidfile /run/docker.pid --cgroup-parent /"$NAME" \
      -H "tcp://$NETNS_ADDR:$TLS_PORT" --tlsverify --tlscacert "$TLS_IN/ca.pem" \
      --tlscert "$TLS_IN/server-cert.pem" --tlskey "$TLS_IN/server-key.pem")
    echo "$pid" >"$PIDFILE"
  else
    log "the isolated engine (outer pid $pid) runs but does not answer yet: waiting"
  fi
  wait_start=$SECONDS
  await_daemon "$pid" "$ISO_LOG" "the isolated engine on $ISO_SOCK" "$WAIT_SECS" iso_answers
  await_daemon "$pid" "$ISO_LOG" "the isolated engine on tcp://$NETNS_ADDR:$TLS_PORT" "$WAIT_SECS" tls_answers
  log "isolated engine up after $(( SECONDS - wait_start ))s"
fi

# sshd, inside the engine's namespaces (entered through its tini, the namespace's PID 1): it
# ends with them.
if ! ssh_answers; then
  pid=$(outer_pid) || die "the isolated engine answers but its process is not the one recorded in $PIDFILE: run '$0 stop' first"
  init=$(children_of "$pid" | head -n 1)
  [[ -n $init ]] || die "the isolated engine's unshare (pid $pid) has no child"
  log "starting sshd in the isolated engine on $NETNS_ADDR:22 (log $SSHD_LOG)"
  mark_log "$SSHD_LOG" "isolated-engine.sh starting sshd"
  sshd_pid=$(cd / && spawn_detached "$SSHD_LOG" \
    nsenter "--target=$init" --mount --uts --net --pid --root --wd \
    /usr/bin/env -i PATH="$INNER_PATH" /usr/sbin/sshd -D -e -f "$SSHD_CONFIG_IN")
  await_daemon "$sshd_pid" "$SSHD_LOG" "sshd in the isolated engine" "$WAIT_SECS" ssh_answers
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
