#!/usr/bin/env bash
# The engines oneoff's remote-engine tests reach, all on loopback, all fronting the local engine
# (or beside it), under /tmp/oneoff-remote-engines ($DIR):
# - TLS: stunnel on 127.0.0.1:23760 in front of /var/run/docker.sock, requiring a client
#   certificate from its own CA. $DIR/client holds ca.pem, cert.pem, key.pem (a
#   DOCKER_CERT_PATH); $DIR/rogue the same CA but a client certificate from another CA.
# - SSH: sshd on 127.0.0.1:2222 (its own config, host key and authorized_keys under $DIR/ssh;
#   nothing in /etc/ssh or ~/.ssh is touched). $DIR/ssh/bin/ssh runs ssh with $DIR/ssh/config:
#   put it first on PATH. Host names there: 127.0.0.1 (the good key), oneoff-no-docker (a key
#   whose forced command finds no docker), oneoff-stranger (a key sshd does not know). BatchMode
#   and a pinned known_hosts: nothing can prompt. It also names oneoff-isolated, the engine
#   isolated-engine.sh runs (its sshd, the id_engine key, the host key it pins).
# - Podman: `podman system service` on unix:///tmp/oneoff-podman.sock, with the test image.
# Needs a running engine (engine.sh) and the test image (images.sh). Idempotent: what answers
# is left alone. Prints nothing on stdout.
set -Eeuo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

readonly DIR=/tmp/oneoff-remote-engines
readonly TLS_ADDR=127.0.0.1:23760
readonly SSH_PORT=2222
readonly PODMAN_SOCK=/tmp/oneoff-podman.sock
readonly IMAGE=oneoff-test/busybox:latest
readonly LOCK=/tmp/oneoff-setup-remote-engines.lock
readonly WAIT_SECS=20

require_engine
docker image inspect "$IMAGE" >/dev/null 2>&1 || die "image $IMAGE is missing (run images.sh first)"
[[ $(id -u) -eq 0 ]] || die "the remote engines need root (sshd, stunnel, podman)"
take_lock "$LOCK"
ensure_commands curl:curl openssl:openssl stunnel4:stunnel4 sshd:openssh-server ssh:openssh-client podman:podman
mkdir -p "$DIR"
chmod 700 "$DIR"

# Waits until "$2..." succeeds, or dies with the daemon's ($1: pid) last log line ($LOG).
wait_until() {
  local pid=$1; shift
  await_daemon "$pid" "$LOG" "${LOG##*/} daemon" "$WAIT_SECS" "$@"
}

# Ends the daemon whose pid file is $1, if it still runs (a stale one from an earlier setup).
stop_pidfile() {
  local pid
  pid=$(cat "$1" 2>/dev/null) || return 0
  if [[ $pid =~ ^[0-9]+$ ]] && alive "$pid"; then kill "$pid"; fi
  rm -f "$1"
}

# --- certificates: a CA, the engine's certificate (127.0.0.1), a client; a rogue CA and client
new_ca() { # dir name
  new_key "$1/ca-key.pem"
  openssl req -x509 -new -key "$1/ca-key.pem" -out "$1/ca.pem" -days 3650 -subj "/CN=$2" 2>/dev/null
}
if [[ ! -s $DIR/client/key.pem || ! -s $DIR/rogue/key.pem ]]; then
  log "making a CA, engine and client certificates in $DIR"
  rm -rf "$DIR/ca" "$DIR/rogue-ca" "$DIR/client" "$DIR/rogue"
  mkdir -p "$DIR/ca" "$DIR/rogue-ca" "$DIR/client" "$DIR/rogue"
  new_ca "$DIR/ca" oneoff-test-engine-ca
  new_ca "$DIR/rogue-ca" oneoff-test-rogue-ca
  sign_cert "$DIR/ca" "$DIR/ca/server" oneoff-test-engine $'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth'
  sign_cert "$DIR/ca" "$DIR/ca/client" oneoff-test-client 'extendedKeyUsage=clientAuth'
  sign_cert "$DIR/rogue-ca" "$DIR/rogue-ca/client" oneoff-test-rogue 'extendedKeyUsage=clientAuth'
  for who in client rogue; do
    src=$DIR/ca/client
    [[ $who == rogue ]] && src=$DIR/rogue-ca/client
    # Both trust the engine's CA: the rogue one differs only by whose client certificate it shows.
    cp "$DIR/ca/ca.pem" "$DIR/$who/ca.pem"
    cp "$src-cert.pem" "$DIR/$who/cert.pem"
    cp "$src-key.pem" "$DIR/$who/key.pem"
  done
  stop_pidfile "$DIR/stunnel.pid"
fi

# --- TLS engine: stunnel in front of the local socket
tls_answers() {
  DOCKER_HOST=tcp://$TLS_ADDR DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH=$DIR/client timeout 5 docker version >/dev/null 2>&1
}
if ! tls_answers; then
  stop_pidfile "$DIR/stunnel.pid"
  cat >"$DIR/stunnel.conf" <<CONF
foreground = yes
pid = $DIR/stunnel.pid
[docker]
accept = $TLS_ADDR
connect = $SOCK
cert = $DIR/ca/server-cert.pem
key = $DIR/ca/server-key.pem
CAfile = $DIR/ca/ca.pem
verifyChain = yes
requireCert = yes
CONF
  LOG=$DIR/stunnel.log
  log "starting stunnel on $TLS_ADDR (log $LOG)"
  mark_log "$LOG" "remote-engines.sh starting stunnel"
  pid=$(cd / && spawn_detached "$LOG" stunnel4 "$DIR/stunnel.conf")
  wait_until "$pid" tls_answers
fi

# --- SSH engine: sshd with its own everything
S=$DIR/ssh
# (The config names the isolated engine too, whose sshd isolated-engine.sh starts with the key
# id_engine; a config from before it named that host is made again.)
if [[ ! -s $S/known_hosts ]] || ! grep -q '^Host oneoff-isolated$' "$S/config" 2>/dev/null; then
  log "making ssh keys and config in $S"
  rm -rf "$S"
  mkdir -p "$S/bin"
  chmod 700 "$S"
  for key in host id_engine id_no_docker id_stranger; do ssh-keygen -q -t ed25519 -N '' -C "oneoff-test-$key" -f "$S/$key"; done
  {
    cat "$S/id_engine.pub"
    # A far side without docker on its PATH, as a host without the docker CLI would be.
    echo "command=\"PATH=/nonexistent docker system dial-stdio\" $(cat "$S/id_no_docker.pub")"
  } >"$S/authorized_keys"
  cat >"$S/sshd_config" <<CONF
Port $SSH_PORT
ListenAddress 127.0.0.1
HostKey $S/host
AuthorizedKeysFile $S/authorized_keys
PidFile $S/sshd.pid
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
MaxStartups 100
LogLevel VERBOSE
CONF
  echo "oneoff-test-engine $(cut -d' ' -f1-2 "$S/host.pub")" >"$S/known_hosts"
  cat >"$S/config" <<CONF
Host 127.0.0.1 oneoff-no-docker oneoff-stranger
  HostName 127.0.0.1
  Port $SSH_PORT
  User root
  HostKeyAlias oneoff-test-engine
  UserKnownHostsFile $S/known_hosts
  StrictHostKeyChecking yes
  BatchMode yes
  IdentitiesOnly yes
  ConnectTimeout 10
Host 127.0.0.1
  IdentityFile $S/id_engine
Host oneoff-no-docker
  IdentityFile $S/id_no_docker
Host oneoff-stranger
  IdentityFile $S/id_stranger
Host oneoff-isolated
  HostName 10.231.7.2
  Port 22
  User root
  HostKeyAlias oneoff-isolated-engine
  UserKnownHostsFile $S/known_hosts_isolated
  StrictHostKeyChecking yes
  BatchMode yes
  IdentitiesOnly yes
  IdentityFile $S/id_engine
  ConnectTimeout 10
CONF
  printf '#!/bin/sh\n# ssh with the test engines'"'"' config, so nothing in ~/.ssh is needed or touched.\nexec /usr/bin/ssh -F %s "$@"\n' "$S/config" >"$S/bin/ssh"
  chmod 755 "$S/bin/ssh"
  stop_pidfile "$S/sshd.pid"
fi
ssh_answers() { timeout 10 "$S/bin/ssh" -p "$SSH_PORT" root@127.0.0.1 docker version >/dev/null 2>&1; }
if ! ssh_answers; then
  stop_pidfile "$S/sshd.pid"
  mkdir -p /run/sshd
  LOG=$S/sshd.log
  log "starting sshd on 127.0.0.1:$SSH_PORT (log $LOG)"
  mark_log "$LOG" "remote-engines.sh starting sshd"
  pid=$(cd / && spawn_detached "$LOG" /usr/sbin/sshd -D -e -f "$S/sshd_config")
  wait_until "$pid" ssh_answers
fi

# --- Podman's Docker API, with the test image
P=$DIR/podman
# conmon needs the service's working directory to exist: a service started from a CI clone
# that was deleted since cannot start containers ("Failed to get working directory").
podman_answers() {
  local pid
  pid=$(cat "$P/service.pid" 2>/dev/null) || pid=""
  [[ -z $pid || $(readlink "/proc/$pid/cwd" 2>/dev/null) == / ]] &&
    curl -fsS --max-time 3 --unix-socket "$PODMAN_SOCK" -o /dev/null http://podman/_ping 2>/dev/null
}
if ! podman_answers; then
  mkdir -p "$P"
  # Here Podman's default ulimits cannot be applied ("error setting rlimit type 7"); this config
  # is given to the service alone (CONTAINERS_CONF), not written to /etc/containers.
  printf '[containers]\ndefault_ulimits = []\n' >"$P/containers.conf"
  stop_pidfile "$P/service.pid"
  rm -f "$PODMAN_SOCK"
  LOG=$P/log
  log "starting podman system service on unix://$PODMAN_SOCK (log $LOG)"
  mark_log "$LOG" "remote-engines.sh starting podman"
  pid=$(cd / && spawn_detached "$LOG" env "CONTAINERS_CONF=$P/containers.conf" podman system service --time=0 "unix://$PODMAN_SOCK")
  echo "$pid" >"$P/service.pid"
  wait_until "$pid" podman_answers
fi
want=$(docker image inspect -f '{{.Id}}' "$IMAGE")
have=$(podman image inspect -f '{{.Id}}' "localhost/$IMAGE" 2>/dev/null || true)
if [[ sha256:$have != "$want" && $have != "$want" ]]; then
  log "loading $IMAGE into podman"
  docker save "$IMAGE" | podman load -q >/dev/null
fi
