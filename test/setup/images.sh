#!/usr/bin/env bash
# Build the local test images without any registry:
#   oneoff-test/busybox:latest  - Debian busybox-static in /bin (one link per applet),
#                                 /etc/passwd with root and app (1000:1000, /home/app),
#                                 /tmp (1777), /home/app, /work; ENV PATH=/bin, CMD /bin/sh
#   oneoff-test/busybox:v1      - the same image ID (for tag -> image ID resolution tests)
# The image carries LABEL oneoff.test.recipe=HASH (this script + the busybox binary);
# the build is skipped when the existing image carries the current HASH.
# Needs a running engine (engine.sh) and root.
set -Eeuo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

readonly IMAGE=oneoff-test/busybox
readonly LABEL=oneoff.test.recipe
readonly LOCK=/tmp/oneoff-setup-images.lock

[[ $(id -u) -eq 0 ]] || die "must run as root (needs to chown image files to 1000:1000)"
require_engine

take_lock "$LOCK"

# Debian's busybox-static (the plain `busybox` package is dynamically linked and
# would not run in an empty image). Its file list says /bin/busybox; with merged
# /usr that is also /usr/bin/busybox.
if [[ $(dpkg-query -W -f='${Status}' busybox-static 2>/dev/null || true) != "install ok installed" ]]; then
  apt_install busybox-static
fi
busybox=
for f in $(dpkg-query -L busybox-static 2>/dev/null | grep -E '/s?bin/busybox$' || true) /bin/busybox /usr/bin/busybox; do
  if [[ -f $f && -x $f ]]; then busybox=$f; break; fi
done
[[ -n $busybox ]] || die "busybox-static is installed but its busybox binary was not found"
"$busybox" true || die "$busybox does not run"

script_path=$(readlink -f "${BASH_SOURCE[0]}")
recipe=$( { sha256sum <"$script_path"; sha256sum <"$busybox"; } | sha256sum | cut -c1-64)

have=$(docker image inspect -f "{{ index .Config.Labels \"$LABEL\" }}" "$IMAGE:latest" 2>/dev/null || true)
if [[ $have == "$recipe" ]]; then
  docker tag "$IMAGE:latest" "$IMAGE:v1"
  exit 0
fi

old_id=$(docker image inspect -f '{{.Id}}' "$IMAGE:latest" 2>/dev/null || true)
log "building $IMAGE:latest from $busybox"

work=$(mktemp -d /tmp/oneoff-busybox.XXXXXX)
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root"/{bin,etc,home/app,root,tmp,work,proc,sys,dev}
chmod 0755 "$root" "$root"/{bin,etc,home,home/app,work,proc,sys,dev}
chmod 0700 "$root/root"
chmod 1777 "$root/tmp"

cp "$busybox" "$root/bin/busybox"
chmod 0755 "$root/bin/busybox"
n=0
while IFS= read -r applet; do
  # Skip the applet named busybox (a link named busybox would replace the binary
  # with a link to itself); ignore anything that is not a plain file name.
  [[ -z $applet || $applet == busybox || $applet == */* || $applet == . || $applet == .. ]] && continue
  ln -s busybox "$root/bin/$applet"
  n=$((n + 1))
done < <("$busybox" --list)
(( n > 100 )) || die "busybox --list gave only $n applets"
[[ -f $root/bin/busybox && ! -L $root/bin/busybox ]] || die "bin/busybox is not a regular file"

cat >"$root/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
app:x:1000:1000:app:/home/app:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
cat >"$root/etc/group" <<'GROUP'
root:x:0:
app:x:1000:
nogroup:x:65534:
GROUP
chmod 0644 "$root/etc/passwd" "$root/etc/group"
chown 1000:1000 "$root/home/app"

# Import (tags :latest), then point :v1 at the same image ID.
tar -C "$root" --numeric-owner -c . \
  | docker import \
      -c 'ENV PATH=/bin' \
      -c 'CMD ["/bin/sh"]' \
      -c "LABEL $LABEL=$recipe" \
      - "$IMAGE:latest" >/dev/null \
  || die "docker import of $IMAGE:latest failed"
docker tag "$IMAGE:latest" "$IMAGE:v1"

new_id=$(docker image inspect -f '{{.Id}}' "$IMAGE:latest")
# Drop the previous build if nothing else refers to it any more.
if [[ -n $old_id && $old_id != "$new_id" ]]; then
  if [[ -z $(docker image inspect -f '{{join .RepoTags " "}}' "$old_id" 2>/dev/null || true) ]]; then
    docker rmi "$old_id" >/dev/null 2>&1 || true
  fi
fi
log "built $IMAGE:latest and :v1 (${new_id:7:12}, $n applets)"
