#!/usr/bin/env bash
# Start a plain-HTTP loopback registry (Debian's docker-registry) on 127.0.0.1:5055,
# storage /tmp/oneoff-registry/data, config /tmp/oneoff-registry/config.yml, log
# /tmp/oneoff-registry/log, detached so it outlives this script. Then make sure it
# holds oneoff-test/busybox:latest as 127.0.0.1:5055/oneoff-test/pullme:v1 and that
# the engine does NOT have that tag locally (so tests exercise a real pull).
# Needs a running engine (engine.sh) and the test image (images.sh). Prints nothing on stdout.
set -Eeuo pipefail
umask 022

readonly ADDR=127.0.0.1:5055
readonly DIR=/tmp/oneoff-registry
readonly CONFIG=$DIR/config.yml
readonly LOG=$DIR/log
readonly SRC=oneoff-test/busybox:latest
readonly DEST=$ADDR/oneoff-test/pullme:v1
readonly LOCK=/tmp/oneoff-setup-registry.lock
readonly APT_LOG=/tmp/oneoff-setup-apt.log
readonly WAIT_SECS=20

me=$(basename "$0")
log() { echo "setup: $*" >&2; }
die() { echo "setup: $me: $*" >&2; exit 1; }
trap 'echo "setup: $me: failed (line $LINENO): $BASH_COMMAND" >&2' ERR
exec </dev/null

unset DOCKER_CONTEXT DOCKER_TLS_VERIFY DOCKER_CERT_PATH
export DOCKER_HOST=unix:///var/run/docker.sock
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

# True if PID exists and is not a zombie.
alive() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [[ ${stat:0:1} != Z ]]
}

# Run "$@" detached: new session, SIGHUP ignored, stdin /dev/null, stdout+stderr
# appended to $1, no other inherited file descriptors. Prints the PID.
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

registry_answers() { curl -fsS --noproxy '*' --max-time 3 -o /dev/null "http://$ADDR/v2/" 2>/dev/null; }

command -v docker >/dev/null || die "no docker client on PATH (run engine.sh first)"
timeout 5 docker info >/dev/null 2>&1 || die "no engine answers on /var/run/docker.sock (run engine.sh first)"
docker image inspect "$SRC" >/dev/null 2>&1 || die "image $SRC is missing (run images.sh first)"

exec 9>"$LOCK"
flock -w 120 9 || die "timed out waiting for lock $LOCK"

missing=()
command -v curl >/dev/null || missing+=(curl)
command -v docker-registry >/dev/null || missing+=(docker-registry)
(( ${#missing[@]} == 0 )) || apt_install "${missing[@]}"
command -v curl >/dev/null || die "curl not found after installing it"
command -v docker-registry >/dev/null || die "docker-registry not found after installing it"

if ! registry_answers; then
  [[ $(id -u) -eq 0 ]] || die "starting the registry needs root"
  mkdir -p "$DIR/data"
  cat >"$CONFIG.tmp" <<YAML
version: 0.1
log:
  level: info
  accesslog:
    disabled: true
  fields:
    service: oneoff-test-registry
storage:
  filesystem:
    rootdirectory: $DIR/data
  delete:
    enabled: true
  cache:
    blobdescriptor: inmemory
http:
  addr: $ADDR
  headers:
    X-Content-Type-Options: [nosniff]
YAML
  mv -f "$CONFIG.tmp" "$CONFIG"
  log "starting docker-registry on $ADDR (log $LOG)"
  printf '=== %s oneoff registry.sh starting docker-registry\n' "$(date -Is)" >>"$LOG"
  pid=$(spawn_detached "$LOG" docker-registry serve "$CONFIG")
  start=$SECONDS
  until registry_answers; do
    alive "$pid" || die "docker-registry exited: $(grep -v '^===' "$LOG" | tail -n 1 | cut -c1-300) (see $LOG)"
    (( SECONDS - start < WAIT_SECS )) || die "registry did not answer on http://$ADDR/v2/ within ${WAIT_SECS}s (see $LOG)"
    sleep 0.2
  done
fi

# Push unless the registry already holds exactly this image (its manifest's config
# digest is the local image ID).
want=$(docker image inspect -f '{{.Id}}' "$SRC")
have=$(curl -fsS --noproxy '*' --max-time 5 \
         -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
         "http://$ADDR/v2/oneoff-test/pullme/manifests/v1" 2>/dev/null \
       | tr -d ' \n\t' | grep -o '"config":{[^}]*}' | grep -o 'sha256:[0-9a-f]\{64\}' || true)
if [[ $have != "$want" ]]; then
  log "pushing $SRC as $DEST"
  docker tag "$SRC" "$DEST"
  out=$(docker push "$DEST" 2>&1) || die "docker push $DEST failed: $(tail -n 1 <<<"$out")"
fi

# Leave no local tag for it: remove only that tag (the image keeps its other tags).
if docker image inspect "$DEST" >/dev/null 2>&1; then
  docker rmi "$DEST" >/dev/null || die "could not remove local tag $DEST"
fi
