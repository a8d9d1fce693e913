#!/usr/bin/env bash
# Make sure a Docker engine answers on /var/run/docker.sock.
# - If `docker info` answers: nothing to do.
# - Else: install Debian's docker.io when dockerd is missing, start dockerd
#   detached (own session, stdio to /tmp/oneoff-dockerd.log, so it outlives this
#   script and any test runner), and wait up to 60 s for it to answer.
# Idempotent; safe with CI=true and no stdin/terminal. Needs root to install/start.
set -Eeuo pipefail
umask 022

readonly SOCK=/var/run/docker.sock
readonly PIDFILE=/var/run/docker.pid
readonly LOG=/tmp/oneoff-dockerd.log
readonly LOCK=/tmp/oneoff-setup-engine.lock
readonly APT_LOG=/tmp/oneoff-setup-apt.log
readonly WAIT_SECS=60

me=$(basename "$0")
log() { echo "setup: $*" >&2; }
die() { echo "setup: $me: $*" >&2; exit 1; }
trap 'echo "setup: $me: failed (line $LINENO): $BASH_COMMAND" >&2' ERR
exec </dev/null

# Always talk to the local engine's socket, whatever the caller's environment says.
unset DOCKER_CONTEXT DOCKER_TLS_VERIFY DOCKER_CERT_PATH
export DOCKER_HOST="unix://$SOCK"
export PATH="$PATH:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

apt_install() {
  log "installing $* (apt-get)"
  local apt=(apt-get install -y -qq -o DPkg::Lock::Timeout=300 "$@")
  if ! compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null; then
    apt-get update -qq -o DPkg::Lock::Timeout=300 >>"$APT_LOG" 2>&1 \
      || die "apt-get update failed (see $APT_LOG)"
  fi
  if ! DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1 "${apt[@]}" >>"$APT_LOG" 2>&1; then
    apt-get update -qq -o DPkg::Lock::Timeout=300 >>"$APT_LOG" 2>&1 \
      || die "apt-get update failed (see $APT_LOG)"
    DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1 "${apt[@]}" >>"$APT_LOG" 2>&1 \
      || die "apt-get install $* failed (see $APT_LOG)"
  fi
}

engine_answers() { timeout 5 docker info >/dev/null 2>&1; }

# True if PID exists and is not a zombie.
alive() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [[ ${stat:0:1} != Z ]]
}

# PIDs of live dockerd processes (no procps dependency).
dockerd_pids() {
  local f p
  for f in /proc/[0-9]*/comm; do
    p=${f#/proc/}; p=${p%/comm}
    [[ $(cat "$f" 2>/dev/null) == dockerd ]] && alive "$p" && echo "$p"
  done
  return 0
}

# Run "$@" detached: new session, SIGHUP ignored, stdin /dev/null, stdout+stderr
# appended to $1, and no other inherited file descriptors (so the caller's pipes
# and our lock are not held open by the daemon). Prints the daemon's PID.
spawn_detached() {
  local out=$1; shift
  (
    for fd in /proc/$BASHPID/fd/*; do
      fd=${fd##*/}
      if [[ $fd =~ ^[0-9]+$ ]] && (( fd > 2 )); then eval "exec $fd>&-" 2>/dev/null || true; fi
    done
    exec setsid nohup "$@" </dev/null >>"$out" 2>&1
  ) &
  echo $!
}

if engine_answers; then
  exit 0
fi

[[ $(id -u) -eq 0 ]] || die "no engine answers on $SOCK and starting one needs root"

# Serialise concurrent runs (two setups must not start two daemons).
exec 9>"$LOCK"
flock -w 120 9 || die "timed out waiting for lock $LOCK"
if engine_answers; then
  exit 0
fi

if ! command -v dockerd >/dev/null || ! command -v docker >/dev/null; then
  apt_install docker.io
  command -v dockerd >/dev/null || die "docker.io installed but dockerd not found on PATH"
  command -v docker >/dev/null || die "docker.io installed but no docker client on PATH"
fi

pids=$(dockerd_pids)
if [[ -n $pids ]]; then
  log "dockerd already running (pid $(echo $pids)); waiting for it to answer"
  pid=${pids%%$'\n'*}
else
  if [[ -e $PIDFILE ]]; then
    log "removing stale $PIDFILE"
    rm -f "$PIDFILE"
  fi
  log "starting dockerd (log $LOG)"
  printf '=== %s oneoff engine.sh starting dockerd\n' "$(date -Is)" >>"$LOG"
  pid=$(spawn_detached "$LOG" dockerd)
fi

start=$SECONDS
until engine_answers; do
  if ! alive "$pid" && [[ -z $(dockerd_pids) ]]; then
    die "dockerd exited: $(grep -v '^===' "$LOG" | tail -n 1 | cut -c1-300) (see $LOG)"
  fi
  if (( SECONDS - start >= WAIT_SECS )); then
    die "dockerd did not answer on $SOCK within ${WAIT_SECS}s (see $LOG)"
  fi
  sleep 0.5
done
log "engine up after $(( SECONDS - start ))s ($(docker version -f '{{.Server.Version}}' 2>/dev/null || echo '?'))"
