#!/usr/bin/env bash
# Start a plain-HTTP loopback registry (Debian's docker-registry) on 127.0.0.1:5055,
# storage /tmp/oneoff-registry/data, config /tmp/oneoff-registry/config.yml, log
# /tmp/oneoff-registry/log, detached so it outlives this script. Then make sure it
# holds oneoff-test/busybox:latest as 127.0.0.1:5055/oneoff-test/pullme:v1 and that
# the engine does NOT have that tag locally (so tests exercise a real pull).
# Needs a running engine (engine.sh) and the test image (images.sh). Prints nothing on stdout.
set -Eeuo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

readonly ADDR=127.0.0.1:5055
readonly DIR=/tmp/oneoff-registry
readonly CONFIG=$DIR/config.yml
readonly LOG=$DIR/log
readonly SRC=oneoff-test/busybox:latest
readonly DEST=$ADDR/oneoff-test/pullme:v1
readonly LOCK=/tmp/oneoff-setup-registry.lock
readonly WAIT_SECS=20

registry_answers() { curl -fsS --noproxy '*' --max-time 3 -o /dev/null "http://$ADDR/v2/" 2>/dev/null; }

require_engine
docker image inspect "$SRC" >/dev/null 2>&1 || die "image $SRC is missing (run images.sh first)"

take_lock "$LOCK"

ensure_commands curl:curl docker-registry:docker-registry

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
  mark_log "$LOG" "registry.sh starting docker-registry"
  pid=$(spawn_detached "$LOG" docker-registry serve "$CONFIG")
  await_daemon "$pid" "$LOG" "docker-registry on http://$ADDR" "$WAIT_SECS" registry_answers
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
