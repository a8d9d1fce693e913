#!/usr/bin/env bash
# Prepare everything oneoff's tests need on this machine: the command-line tools
# they drive (tmux, script), a Docker engine on /var/run/docker.sock, the local
# test images, a loopback registry on 127.0.0.1:5055 holding oneoff-test/pullme:v1,
# a private one (TLS, htpasswd) on 127.0.0.1:5056 holding oneoff-test/private:v1,
# the remote engines (TLS on 127.0.0.1:23760, ssh on 127.0.0.1:2222, Podman on
# /tmp/oneoff-podman.sock), the engine as a Swarm manager, and an engine that does not
# share this machine (its own namespaces and root filesystem: isolated-engine.sh), reached
# over TLS and ssh and joined to the swarm as a (drained) worker, and Node 20, 22 and 24
# (node-versions.sh). Idempotent.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# The isolated engine's root filesystem (debootstrap: about a minute of downloads and unpacking
# on a fresh machine) needs nothing the steps before the isolated engine make: it is made beside
# them. A step that fails still waits for it, so setup never leaves a debootstrap running.
bash "$here/isolated-engine.sh" rootfs &
rootfs=$!
trap 'wait "$rootfs" 2>/dev/null || true' EXIT
bash "$here/tools.sh"
bash "$here/engine.sh"
bash "$here/images.sh"
bash "$here/registry.sh"
bash "$here/registry-auth.sh"
bash "$here/swarm.sh"
bash "$here/remote-engines.sh"
wait "$rootfs" || { echo "setup: all.sh: making the isolated engine's root filesystem failed (above)" >&2; exit 1; }
bash "$here/isolated-engine.sh" >/dev/null
bash "$here/swarm-worker.sh"
bash "$here/node-versions.sh"
