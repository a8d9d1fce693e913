#!/usr/bin/env bash
# Start a private loopback registry (Debian's docker-registry) on 127.0.0.1:5056 with TLS
# (a CA of its own, made here with openssl) and htpasswd auth, detached so it outlives this
# script. Files in /tmp/oneoff-registry-auth: ca.crt (also installed as
# /etc/docker/certs.d/127.0.0.1:5056/ca.crt, which the engine reads per pull, no restart),
# credentials (USER:PASSWORD, mode 600, read by the tests), config.yml, log, data/.
# Then make sure the registry holds 127.0.0.1:5056/oneoff-test/private:v1, an image of its
# own (oneoff-test/busybox plus /private-release), and that the engine does NOT have it
# locally, so tests exercise a real authenticated pull. Pushing logs in with a temporary
# DOCKER_CONFIG: the user's ~/.docker/config.json is never written.
# Needs a running engine (engine.sh), the test image (images.sh) and root. Prints nothing on stdout.
set -Eeuo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

readonly ADDR=127.0.0.1:5056
readonly DIR=/tmp/oneoff-registry-auth
readonly CONFIG=$DIR/config.yml
readonly LOG=$DIR/log
readonly CREDENTIALS=$DIR/credentials
readonly ENGINE_CA=/etc/docker/certs.d/$ADDR/ca.crt
readonly SRC=oneoff-test/busybox:latest
readonly DEST=$ADDR/oneoff-test/private:v1
readonly LOCK=/tmp/oneoff-setup-registry-auth.lock
readonly WAIT_SECS=20
readonly USER_NAME=oneoff-ci

[[ $(id -u) -eq 0 ]] || die "must run as root (writes $ENGINE_CA)"
require_engine
docker image inspect "$SRC" >/dev/null 2>&1 || die "image $SRC is missing (run images.sh first)"

take_lock "$LOCK"

ensure_commands curl:curl openssl:openssl htpasswd:apache2-utils docker-registry:docker-registry

mkdir -p "$DIR/data"
chmod 0700 "$DIR"

# The CA and the server certificate (Go wants the address in subjectAltName, not only in CN).
if [[ ! -s $DIR/ca.crt || ! -s $DIR/server.crt || ! -s $DIR/server.key ]]; then
  log "making a CA and a server certificate for $ADDR"
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=oneoff test registry CA" \
    -keyout "$DIR/ca.key" -out "$DIR/ca.crt" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
    -keyout "$DIR/server.key" -out "$DIR/server.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >"$DIR/server.ext"
  openssl x509 -req -in "$DIR/server.csr" -CA "$DIR/ca.crt" -CAkey "$DIR/ca.key" -CAcreateserial \
    -days 3650 -extfile "$DIR/server.ext" -out "$DIR/server.crt" 2>/dev/null
fi
if ! cmp -s "$DIR/ca.crt" "$ENGINE_CA"; then
  install -D -m 0644 "$DIR/ca.crt" "$ENGINE_CA"
fi

# One generated password per machine, kept for the tests (they check it never leaks).
if [[ ! -s $CREDENTIALS ]]; then
  (umask 077; printf '%s:%s\n' "$USER_NAME" "$(openssl rand -hex 16)" >"$CREDENTIALS")
fi
password=$(cut -d: -f2- "$CREDENTIALS")
user=$(cut -d: -f1 "$CREDENTIALS")
if [[ ! -s $DIR/htpasswd ]] || ! htpasswd -vb "$DIR/htpasswd" "$user" "$password" >/dev/null 2>&1; then
  htpasswd -Bbn "$user" "$password" >"$DIR/htpasswd.tmp"
  mv -f "$DIR/htpasswd.tmp" "$DIR/htpasswd"
fi

registry_answers() {
  curl -fsS --noproxy '*' --max-time 3 --cacert "$DIR/ca.crt" -u "$user:$password" -o /dev/null "https://$ADDR/v2/" 2>/dev/null
}

if ! registry_answers; then
  cat >"$CONFIG.tmp" <<YAML
version: 0.1
log:
  level: info
  accesslog:
    disabled: true
  fields:
    service: oneoff-test-registry-auth
storage:
  filesystem:
    rootdirectory: $DIR/data
  delete:
    enabled: true
  cache:
    blobdescriptor: inmemory
auth:
  htpasswd:
    realm: oneoff-test
    path: $DIR/htpasswd
http:
  addr: $ADDR
  tls:
    certificate: $DIR/server.crt
    key: $DIR/server.key
  headers:
    X-Content-Type-Options: [nosniff]
YAML
  mv -f "$CONFIG.tmp" "$CONFIG"
  log "starting docker-registry with TLS and htpasswd on $ADDR (log $LOG)"
  mark_log "$LOG" "registry-auth.sh starting docker-registry"
  pid=$(spawn_detached "$LOG" docker-registry serve "$CONFIG")
  await_daemon "$pid" "$LOG" "docker-registry on https://$ADDR" "$WAIT_SECS" registry_answers
fi

has_release() {
  curl -fsS --noproxy '*' --max-time 5 --cacert "$DIR/ca.crt" -u "$user:$password" -o /dev/null \
    -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
    "https://$ADDR/v2/oneoff-test/private/manifests/v1" 2>/dev/null
}

if ! has_release; then
  log "building and pushing $DEST"
  work=$(mktemp -d /tmp/oneoff-private.XXXXXX)
  login=$(mktemp -d /tmp/oneoff-docker-config.XXXXXX)
  cid=
  trap 'rm -rf "$work" "$login"; [[ -z $cid ]] || docker rm -f "$cid" >/dev/null 2>&1 || true' EXIT
  printf 'private release\n' >"$work/private-release"
  chmod 0644 "$work/private-release"
  # An image of its own (a layer more than the busybox image), so a test can tell it was pulled.
  cid=$(docker create "$SRC" true)
  tar -C "$work" -c private-release | docker cp - "$cid:/"
  docker commit -c 'LABEL oneoff.test.private=1' "$cid" "$DEST" >/dev/null
  docker rm -f "$cid" >/dev/null
  cid=
  out=$(DOCKER_CONFIG=$login docker login "$ADDR" -u "$user" --password-stdin <<<"$password" 2>&1) \
    || die "docker login $ADDR failed: $(tail -n 1 <<<"$out")"
  out=$(DOCKER_CONFIG=$login docker push "$DEST" 2>&1) || die "docker push $DEST failed: $(tail -n 1 <<<"$out")"
fi

# Leave nothing of it locally: the image has only this tag, so removing the tag removes it.
if docker image inspect "$DEST" >/dev/null 2>&1; then
  docker rmi "$DEST" >/dev/null || die "could not remove local image $DEST"
fi
