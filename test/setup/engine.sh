#!/usr/bin/env bash
# Make sure a Docker engine answers on /var/run/docker.sock.
# - If `docker info` answers: nothing to do.
# - Else: install Debian's docker.io when dockerd is missing, start dockerd
#   detached (own session, stdio to /tmp/oneoff-dockerd.log, so it outlives this
#   script and any test runner), and wait up to 60 s for it to answer.
# Idempotent; safe with CI=true and no stdin/terminal. Needs root to install/start.
set -Eeuo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

readonly PIDFILE=/var/run/docker.pid
readonly LOG=/tmp/oneoff-dockerd.log
readonly LOCK=/tmp/oneoff-setup-engine.lock
readonly WAIT_SECS=60

# PIDs of live dockerd processes (no procps dependency).
dockerd_pids() {
  local f p
  for f in /proc/[0-9]*/comm; do
    p=${f#/proc/}; p=${p%/comm}
    [[ $(cat "$f" 2>/dev/null) == dockerd ]] && alive "$p" && echo "$p"
  done
  return 0
}

if engine_answers; then
  exit 0
fi

[[ $(id -u) -eq 0 ]] || die "no engine answers on $SOCK and starting one needs root"

# Serialise concurrent runs (two setups must not start two daemons).
take_lock "$LOCK"
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
  log "dockerd already running (pid ${pids//$'\n'/ }); waiting for it to answer"
  pid=${pids%%$'\n'*}
else
  if [[ -e $PIDFILE ]]; then
    log "removing stale $PIDFILE"
    rm -f "$PIDFILE"
  fi
  log "starting dockerd (log $LOG)"
  mark_log "$LOG" "engine.sh starting dockerd"
  pid=$(spawn_detached "$LOG" dockerd)
fi

start=$SECONDS
until engine_answers; do
  if ! alive "$pid" && [[ -z $(dockerd_pids) ]]; then
    die "dockerd exited: $(last_log_line "$LOG") (see $LOG)"
  fi
  if (( SECONDS - start >= WAIT_SECS )); then
    die "dockerd did not answer on $SOCK within ${WAIT_SECS}s (see $LOG)"
  fi
  sleep 0.5
done
log "engine up after $(( SECONDS - start ))s ($(docker version -f '{{.Server.Version}}' 2>/dev/null || echo '?'))"
