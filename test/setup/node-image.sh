#!/usr/bin/env bash
# Build oneoff-test/node:24, a local stand-in for the public node:24-bookworm-slim that the
# Dockerfile starts from (no registry can be pulled from here): Node 24 (the current LTS) as
# node-versions.sh unpacks it from the npm registry, with this host's npm:
#   /usr/local/bin/node                   Node 24's binary (/var/cache/oneoff-node/v24)
#   /usr/local/lib/node_modules/npm       the host's npm; npm and npx linked in /usr/local/bin
#   the shared libraries `ldd node` lists, at the paths ldd gives
#   /bin                                  busybox-static with one link per applet (npm run needs sh)
#   /etc/passwd, /etc/group               root, and node (1000:1000, /home/node) as the
#                                         official image has
#   /etc/ssl/certs/ca-certificates.crt    the host's CA bundle, with NODE_EXTRA_CA_CERTS
#                                         naming it (npm in the image then trusts what the
#                                         host's node trusts, such as an egress proxy's CA)
# /etc/resolv.conf and /etc/hosts are left to the engine, which provides them to every
# container (build steps included). The image carries LABEL oneoff.test.recipe=HASH (this
# script, node, npm, busybox and the CA bundle); it is rebuilt only when HASH changes.
# Needs a running engine (engine.sh) and root.
set -Eeuo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

readonly IMAGE=oneoff-test/node:24
readonly LABEL=oneoff.test.recipe
readonly LOCK=/tmp/oneoff-setup-node-image.lock
readonly CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt

[[ $(id -u) -eq 0 ]] || die "must run as root (needs to chown /home/node to 1000:1000)"
require_engine
take_lock "$LOCK"

bash "$(dirname "${BASH_SOURCE[0]}")/node-versions.sh"
node=/var/cache/oneoff-node/v24/bin/node
[[ $("$node" --version) == v24.* ]] || die "$node is $("$node" --version), the image stands in for Node 24"
host_node=$(readlink -f "$(command -v node)") || die "node is not installed"
prefix=$(dirname "$(dirname "$host_node")")
npm_dir=$prefix/lib/node_modules/npm
[[ -f $npm_dir/bin/npm-cli.js ]] || die "npm not found at $npm_dir (the node installation's prefix is $prefix)"

if [[ $(dpkg-query -W -f='${Status}' busybox-static 2>/dev/null || true) != "install ok installed" ]]; then
  apt_install busybox-static
fi
busybox=
for f in /bin/busybox /usr/bin/busybox; do
  if [[ -f $f && -x $f ]]; then busybox=$f; break; fi
done
[[ -n $busybox ]] || die "busybox-static is installed but its busybox binary was not found"

# The libraries node loads: each "=> /path" of ldd, and the loader itself.
mapfile -t libraries < <(ldd "$node" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }')
(( ${#libraries[@]} > 0 )) || die "ldd $node listed no libraries"

script_path=$(readlink -f "${BASH_SOURCE[0]}")
recipe=$( {
  sha256sum <"$script_path"
  sha256sum <"$node"
  cat "$npm_dir/package.json"
  sha256sum <"$busybox"
  [[ -f $CA_BUNDLE ]] && sha256sum <"$CA_BUNDLE"
  printf '%s\n' "${libraries[@]}"
} | sha256sum | cut -c1-64)

have=$(docker image inspect -f "{{ index .Config.Labels \"$LABEL\" }}" "$IMAGE" 2>/dev/null || true)
[[ $have == "$recipe" ]] && exit 0

old_id=$(docker image inspect -f '{{.Id}}' "$IMAGE" 2>/dev/null || true)
log "building $IMAGE from $node ($("$node" --version)) and npm $("$node" "$npm_dir/bin/npm-cli.js" --version)"

work=$(mktemp -d /tmp/oneoff-node-image.XXXXXX)
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root"/{bin,etc,home/node,root,tmp,proc,sys,dev,usr/bin,usr/local/bin,usr/local/lib/node_modules}
chmod 1777 "$root/tmp"
chmod 0700 "$root/root"

cp "$node" "$root/usr/local/bin/node"
cp -a "$npm_dir" "$root/usr/local/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
for library in "${libraries[@]}"; do
  mkdir -p "$root$(dirname "$library")"
  cp -L "$library" "$root$library"
done

cp "$busybox" "$root/bin/busybox"
while IFS= read -r applet; do
  [[ -z $applet || $applet == busybox || $applet == */* ]] && continue
  ln -s busybox "$root/bin/$applet"
done < <("$busybox" --list)
# npm's and npx's "#!/usr/bin/env node".
ln -s ../../bin/busybox "$root/usr/bin/env"

cat >"$root/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
node:x:1000:1000::/home/node:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
cat >"$root/etc/group" <<'GROUP'
root:x:0:
node:x:1000:
nogroup:x:65534:
GROUP
chown 1000:1000 "$root/home/node"

changes=(-c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' -c "ENV NODE_VERSION=$("$node" --version | cut -c2-)")
if [[ -f $CA_BUNDLE ]]; then
  mkdir -p "$root$(dirname "$CA_BUNDLE")"
  cp "$CA_BUNDLE" "$root$CA_BUNDLE"
  changes+=(-c "ENV NODE_EXTRA_CA_CERTS=$CA_BUNDLE")
fi

# Imported untagged and tried first: a broken image must not carry the tag (and the
# recipe label that would make the next run skip the build).
new_id=$(tar -C "$root" --numeric-owner -c . \
  | docker import "${changes[@]}" -c 'CMD ["node"]' -c "LABEL $LABEL=$recipe" -) \
  || die "docker import of $IMAGE failed"
try() { docker run --rm --label oneoff.test.setup=node-image "$new_id" "$@"; }
try node -e 'require("node:crypto"); require("node:zlib")' || { docker rmi "$new_id" >/dev/null; die "node does not run in the image"; }
try npm --version >/dev/null || { docker rmi "$new_id" >/dev/null; die "npm does not run in the image"; }
docker tag "$new_id" "$IMAGE"
if [[ -n $old_id && $old_id != "$new_id" ]]; then
  docker rmi "$old_id" >/dev/null 2>&1 || true
fi
log "built $IMAGE (${new_id:7:12}, $(docker image inspect -f '{{.Size}}' "$IMAGE" | awk '{ printf "%d MB", $1 / 1e6 }'))"
