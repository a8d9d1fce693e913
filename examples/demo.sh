#!/usr/bin/env bash
# The oneoff demo (`npm run demo`): build the example shop app, start its long-running web
# process, then run admin processes against it with oneoff: one-off containers from the same
# release image and config, removed when they end.
#
#   bash examples/demo.sh           run it all, then remove the web container, network and volume
#   KEEP=1 bash examples/demo.sh    leave the web process running afterwards, to try things by hand
#
# Needs a built oneoff (npm run build) and a Docker engine; on a fresh machine, as root, the
# test setup scripts start one and make the local base image, so no registry is needed.
# Re-runnable: each run starts from an empty database. Exits non-zero if any step misbehaves.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
APP=$ROOT/examples/shop
BASE=oneoff-test/busybox:latest
IMAGE=oneoff-example/shop
RELEASE=v1
NETWORK=shop-net
WEB=shop-web
VOLUME=shop-data

# The release and config come from oneoff.yaml; keep the caller's environment out of them.
export SHOP_RELEASE=$RELEASE
unset ONEOFF_RELEASE

TMP=$(mktemp -d "${TMPDIR:-/tmp}/oneoff-demo.XXXXXX")
if [[ -t 1 ]]; then BOLD=$'\e[1m' DIM=$'\e[2m' RED=$'\e[31m' OFF=$'\e[0m'; else BOLD= DIM= RED= OFF=; fi

step() { printf '\n%s==> %s%s\n' "$BOLD" "$*" "$OFF"; }
note() { printf '%s%s%s\n' "$DIM" "$*" "$OFF"; }
die() {
  printf '%sdemo: FAILED: %s%s\n' "$RED" "$*" "$OFF" >&2
  exit 1
}

cleanup() {
  local rc=$?
  rm -rf "$TMP"
  if [[ ${KEEP:-} == 1 ]]; then
    step "KEEP=1: the web process is still running"
    note "page:     docker exec $WEB http GET http://127.0.0.1:8080/"
    note "one-offs: cd examples/shop && node ../../bin/oneoff.js run report"
    note "clean up: docker rm -f $WEB && docker network rm $NETWORK && docker volume rm $VOLUME"
  else
    docker rm -f "$WEB" >/dev/null 2>&1 || true
    docker network rm "$NETWORK" >/dev/null 2>&1 || note "(could not remove network $NETWORK: still in use?)"
    docker volume rm "$VOLUME" >/dev/null 2>&1 || true
  fi
  if ((rc == 0)); then printf '\n%sdemo: all steps behaved as expected%s\n' "$BOLD" "$OFF"; fi
  exit "$rc"
}
trap cleanup EXIT

# oneoff from this checkout, as the installed `oneoff` would run; a hung step fails the demo instead of hanging it.
oneoff() {
  if command -v timeout >/dev/null; then
    timeout 300 node "$ROOT/bin/oneoff.js" "$@"
  else
    node "$ROOT/bin/oneoff.js" "$@"
  fi
}

# show CMD...: the command as one would type it.
show() {
  local arg out=
  for arg in "$@"; do
    if [[ $arg =~ ^[A-Za-z0-9_./:=@%+,-]+$ ]]; then out+=" $arg"; else out+=" '${arg//\'/\'\\\'\'}'"; fi
  done
  printf '%s$%s%s\n' "$BOLD" "$out" "$OFF"
}

# try WANT_RC CMD...: print the command, run it, print its stdout and then its stderr, and
# fail the demo unless it exited with WANT_RC. Leaves the output in $TMP/out and $TMP/err.
try() {
  local want=$1 rc=0
  shift
  show "$@"
  "$@" >"$TMP/out" 2>"$TMP/err" || rc=$?
  cat "$TMP/out" "$TMP/err"
  ((rc == want)) || die "\`$*\` exited with $rc, expected $want"
  if ((rc != 0)); then note "(exit status $rc, as expected)"; fi
}

# expect FILE TEXT: fail the demo unless FILE holds TEXT.
expect() {
  grep -qF -- "$2" "$TMP/$1" || die "expected \"$2\" in the $1 of the last command"
}

# web GET PATH: ask the web process, from inside its own container (no port is published).
web() { docker exec "$WEB" http GET "http://127.0.0.1:8080$1"; }

# ---------------------------------------------------------------------------------------
step "Preparing: Docker engine, base image, release image $IMAGE:$RELEASE"
[[ -f $ROOT/dist/cli/main.js ]] || die "oneoff is not built: run npm install && npm run build (or npm run demo)"
bash "$ROOT/test/setup/engine.sh"
if [[ $(id -u) -eq 0 ]]; then
  bash "$ROOT/test/setup/images.sh"
elif ! docker image inspect "$BASE" >/dev/null 2>&1; then
  die "no image $BASE: run test/setup/images.sh as root to make it"
fi
# Offline: FROM a local image, never pulled (the legacy builder needs no buildx component).
DOCKER_BUILDKIT=0 docker build -q -t "$IMAGE:$RELEASE" \
  --build-arg BASE="$BASE" --build-arg SHOP_RELEASE="$RELEASE" "$APP" >"$TMP/build" 2>&1 \
  || { cat "$TMP/build" >&2; die "docker build failed"; }
note "built $IMAGE:$RELEASE ($(docker image inspect -f '{{.Id}}' "$IMAGE:$RELEASE" | cut -c1-19), $(docker image inspect -f '{{.Size}}' "$IMAGE:$RELEASE" | awk '{ printf "%.1f MB", $1 / 1e6 }'))"

step "Starting the long-running web process ($WEB) from the same image and config"
docker network inspect "$NETWORK" >/dev/null 2>&1 || docker network create "$NETWORK" >/dev/null
# A fresh start: no web container and an empty database volume.
docker rm -f "$WEB" >/dev/null 2>&1 || true
docker volume rm "$VOLUME" >/dev/null 2>&1 || true
# What the platform runs for `web`; oneoff.yaml describes the same config for one-offs.
web_run=(docker run -d --name "$WEB" --network "$NETWORK" --network-alias web
  --env-file "$APP/shop.env" -e SHOP_ENV=production -e SHOP_LOG_LEVEL
  --user app --workdir /app --memory 128m --cpus 0.5
  --label com.example.app=shop --label com.example.team=payments --label com.example.process=web
  -v "$VOLUME:/data" "$IMAGE:$RELEASE")
show "${web_run[@]/#$ROOT\//}"
"${web_run[@]}" >/dev/null
for ((i = 0; ; i++)); do
  web / >"$TMP/page" 2>&1 && break
  ((i < 50)) || { docker logs "$WEB" >&2 || true; die "the web process did not answer within 10s"; }
  sleep 0.2
done
cat "$TMP/page"
grep -q 'no migrations applied yet' "$TMP/page" || die "expected a new, empty database"

cd "$APP"
note "(from here on: cd examples/shop; oneoff = node bin/oneoff.js, which finds oneoff.yaml here)"

step "What would a one-off get? --dry-run prints the create request and runs nothing"
printf '%s$ oneoff run --dry-run migrate%s   %s(abbreviated)%s\n' "$BOLD" "$OFF" "$DIM" "$OFF"
oneoff run --dry-run migrate >"$TMP/dry.json" || die "oneoff run --dry-run migrate failed"
node - "$TMP/dry.json" >"$TMP/dry" <<'JS' || die "unexpected --dry-run output"
const doc = JSON.parse(require("node:fs").readFileSync(process.argv[2], "utf8"));
const b = doc.request.body;
const line = (k, v) => console.log(`  ${k.padEnd(10)} ${v}`);
line("name", doc.name);
// Asked of the engine read-only: the image ID a run pins (or why it cannot be told yet).
const image = doc.image ?? {};
line("image", image.imageId ? `${image.reference} = ${image.imageId.slice(7, 19)}  (the image ID a run pins)` : `${b.Image}  (${image.unresolved ?? image.how ?? "resolved when run"})`);
line("command", JSON.stringify(b.Cmd));
line("env", b.Env.join(" "));
line("user", `${b.User}   workdir ${b.WorkingDir}   network ${b.HostConfig.NetworkMode}`);
line("limits", `memory ${b.HostConfig.Memory / 2 ** 20}m   cpus ${b.HostConfig.NanoCpus / 1e9}`);
line("labels", Object.keys(b.Labels).filter((k) => k.startsWith("io.oneoff.")).join(" "));
// The equivalent docker run line, without oneoff's own labels (listed above).
const run = doc.dockerRun.replace(/ --label (?:'io\.oneoff\.[^']*'|io\.oneoff\.\S*)/g, "");
line("docker run", `${run.replace(/^docker run /, "")}  (+ the io.oneoff.* labels)`);
JS
cat "$TMP/dry"
grep -q 'SHOP_SECRET_KEY=<redacted>' "$TMP/dry" || die "the dry run did not redact SHOP_SECRET_KEY"
grep -q 'network shop-net' "$TMP/dry" || die "the dry run has no network shop-net"

step "Run the migrate task: a new container of release $RELEASE applies the migrations over the network"
try 0 oneoff run migrate
expect out "applying 0001_create_products ... ok"
expect out "done: 3 applied"
note "the web process now serves the migrated database:"
web / | tee "$TMP/page"
grep -q '3 migrations applied' "$TMP/page" || die "the web page does not show the migrations"

step "Run it again: migrations are idempotent, nothing to apply"
try 0 oneoff run migrate
expect out "nothing to apply"

step "The one-off has the web process's release, user, workdir, limits and config"
try 0 oneoff run report
expect out "same release, user, workdir, limits and config as the web process"

step "stdin is passed with -i and closed at EOF (the console task takes piped commands too)"
message="twelve-factor admin processes"
echo "$message" | try 0 oneoff run -i -- sh -c 'wc -c'
[[ $(tr -d ' \n' <"$TMP/out") == $((${#message} + 1)) ]] || die "wc -c counted $(cat "$TMP/out") bytes, expected $((${#message} + 1))"
printf 'id -un; pwd; ls migrations\n' | try 0 oneoff run -i console
expect out "0003_add_sprocket.sql"

step "Failures come back as exit statuses: the command's own..."
try 3 oneoff run -- sh -c 'exit 3'
step "...and a failing task's (here: migrate pointed at a database that is not there, with -e)"
try 1 oneoff run -e DATABASE_URL=http://db-typo:8080/cgi-bin/db migrate
expect err "migrate: cannot read the applied migrations"

step "No one-off containers are left behind"
try 0 docker ps -a --filter label=io.oneoff.managed --filter label=io.oneoff.app=shop
[[ $(wc -l <"$TMP/out") -eq 1 ]] || die "one-off containers are left behind"

if [[ ${KEEP:-} != 1 ]]; then
  step "Removing the web process, its network and its volume (KEEP=1 leaves them)"
fi
