# shellcheck shell=bash
# Shared by the test/setup/*.sh steps; each sources it right after
# `set -Eeuo pipefail`:  source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# Sets up the step's environment (umask, no stdin, ERR trap, local engine) and
# defines the helpers. Not meant to be run on its own.

umask 022

readonly SOCK=/var/run/docker.sock
readonly APT_LOG=/tmp/oneoff-setup-apt.log

me=$(basename "$0")
log() { echo "setup: $*" >&2; }
die() { echo "setup: $me: $*" >&2; exit 1; }
# Name the failing line. A failure inside one of the helpers below gets "lib.sh"
# before its line number, since $LINENO then counts lines of this file.
on_err() {
  local where="line $1"
  [[ $2 == "${BASH_SOURCE[0]}" ]] && where="lib.sh line $1"
  echo "setup: $me: failed ($where): $3" >&2
}
trap 'on_err "$LINENO" "${BASH_SOURCE[0]}" "$BASH_COMMAND"' ERR
exec </dev/null

# Always talk to the local engine's socket, whatever the caller's environment says.
unset DOCKER_CONTEXT DOCKER_TLS_VERIFY DOCKER_CERT_PATH
export DOCKER_HOST="unix://$SOCK"
# dockerd lives in /usr/sbin, which a minimal or non-root PATH may lack.
export PATH="$PATH:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

# Serialise concurrent runs of one step: hold an exclusive lock on file $1 (on
# fd 9) until the script exits.
take_lock() {
  exec 9>"$1"
  flock -w 120 9 || die "timed out waiting for lock $1"
}

apt_install() {
  log "installing $* (apt-get)"
  # Steps may run side by side (all.sh makes the isolated engine's root filesystem beside the
  # others): one apt-get at a time, each waiting for the other's end.
  (
    flock -w 600 8 || die "waited 600 s for another setup step's apt-get"
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
  ) 8>/tmp/oneoff-setup-apt.lock
}

# Arguments are CMD:PACKAGE pairs. missing_packages prints the PACKAGE of each
# CMD not on PATH; ensure_commands installs those and checks every CMD is there.
missing_packages() {
  local t
  for t; do command -v "${t%%:*}" >/dev/null || echo "${t#*:}"; done
  return 0
}
ensure_commands() {
  local t pkgs
  mapfile -t pkgs < <(missing_packages "$@")
  (( ${#pkgs[@]} == 0 )) || apt_install "${pkgs[@]}"
  for t; do
    command -v "${t%%:*}" >/dev/null || die "${t%%:*} not found after installing it"
  done
}

engine_answers() { timeout 5 docker info >/dev/null 2>&1; }

# For the steps after engine.sh: they need the docker client and a live engine.
require_engine() {
  command -v docker >/dev/null || die "no docker client on PATH (run engine.sh first)"
  engine_answers || die "no engine answers on $SOCK (run engine.sh first)"
}

# True if PID exists and is not a zombie.
alive() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [[ ${stat:0:1} != Z ]]
}

# Run "$@" detached: new session, SIGHUP ignored, stdin /dev/null, stdout+stderr
# appended to $1, and no other inherited file descriptors (so the caller's pipes
# and our lock are not held open by the daemon). Prints the daemon's PID.
spawn_detached() {
  local out=$1; shift
  (
    for fd in "/proc/$BASHPID/fd/"*; do
      fd=${fd##*/}
      if [[ $fd =~ ^[0-9]+$ ]] && (( fd > 2 )); then eval "exec $fd>&-" 2>/dev/null || true; fi
    done
    exec setsid nohup "$@" </dev/null >>"$out" 2>&1
  ) &
  echo $!
}

# Waits until the probe "$@" (after the first four arguments) succeeds, while the daemon
# $1 (pid), logging to $2 and called $3 in messages, is alive; at most $4 seconds. Dies
# with the daemon's last log line when it exits, or when it never answers.
await_daemon() {
  local pid=$1 daemon_log=$2 what=$3 secs=$4 start=$SECONDS
  shift 4
  until "$@"; do
    alive "$pid" || die "$what exited: $(last_log_line "$daemon_log") (see $daemon_log)"
    (( SECONDS - start < secs )) || die "$what did not answer within ${secs}s (see $daemon_log)"
    sleep 0.2
  done
}

# A daemon's log is shared by every start: each start appends a "=== DATE oneoff
# WHAT" marker line ($1 = log, $2 = WHAT), and last_log_line skips those markers
# to show the daemon's own last word (at most 300 characters) when it dies.
mark_log() { printf '=== %s oneoff %s\n' "$(date -Is)" "$2" >>"$1"; }
last_log_line() { { grep -v '^===' "$1" || true; } | tail -n 1 | cut -c1-300; }

# Certificates for the test engines (EC P-256). new_key OUT; sign_cert CADIR OUT-PREFIX SUBJECT
# EXTENSIONS: a key OUT-PREFIX-key.pem and certificate OUT-PREFIX-cert.pem signed by CADIR's
# ca.pem and ca-key.pem, with the given extensions (subjectAltName, extendedKeyUsage...).
new_key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
sign_cert() {
  new_key "$2-key.pem"
  openssl req -new -key "$2-key.pem" -subj "/CN=$3" -out "$2.csr" 2>/dev/null
  printf '%s\n' "$4" >"$2.ext"
  openssl x509 -req -in "$2.csr" -CA "$1/ca.pem" -CAkey "$1/ca-key.pem" -CAcreateserial -days 3650 -extfile "$2.ext" -out "$2-cert.pem" 2>/dev/null
  rm -f "$2.csr" "$2.ext"
}
