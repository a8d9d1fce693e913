# Shell functions shared by bin/report (in a one-off) and /cgi-bin/info (in the web process):
# the facts that say whether two processes run the same release with the same config.

# facts WORKDIR: KEY=VALUE lines.
facts() {
  echo "host=$(hostname)"
  echo "release=${SHOP_RELEASE:-unknown}"
  echo "user=$(id -un) (uid $(id -u), gid $(id -g))"
  echo "workdir=$1"
  echo "memory=$(memory_limit)"
  echo "cpus=$(cpu_limit)"
  echo "SHOP_ENV=${SHOP_ENV:-}"
  echo "config=$(config_fingerprint)"
}

# The app's config: every SHOP_* and DATABASE_* variable.
config_vars() {
  env | grep -E '^(SHOP|DATABASE)_[A-Za-z0-9_]*=' | sort
}

# A digest of the config, secrets included, that reveals none of it.
config_fingerprint() {
  printf '%s vars, sha256 %s' "$(config_vars | wc -l)" "$(config_vars | sha256sum | cut -c1-12)"
}

# The config with secret values hidden.
config_redacted() {
  config_vars | while IFS= read -r entry; do
    name=${entry%%=*}
    case $name in
      *SECRET*|*PASSWORD*|*TOKEN*|*_KEY) echo "$name=<redacted>" ;;
      *) echo "$entry" ;;
    esac
  done
}

memory_limit() {
  for f in /sys/fs/cgroup/memory.max /sys/fs/cgroup/memory/memory.limit_in_bytes; do
    [ -r "$f" ] || continue
    bytes=$(cat "$f")
    # cgroup v2 says "max", v1 a number near 2^63 (busybox awk may lack math: use sh's).
    if [ "$bytes" = max ] || [ "$((bytes > 1152921504606846976))" = 1 ]; then
      echo none
    elif [ "$((bytes % 1048576))" = 0 ]; then
      echo "$((bytes / 1048576))m"
    else
      echo "$bytes"
    fi
    return
  done
  echo unknown
}

cpu_limit() {
  if [ -r /sys/fs/cgroup/cpu.max ]; then                     # cgroup v2: "QUOTA PERIOD"
    set -- $(cat /sys/fs/cgroup/cpu.max)
  elif [ -r /sys/fs/cgroup/cpu/cpu.cfs_quota_us ]; then      # cgroup v1
    set -- "$(cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us)" "$(cat /sys/fs/cgroup/cpu/cpu.cfs_period_us)"
  else
    echo unknown; return
  fi
  case $1 in max|-1) echo none ;; *) awk -v q="$1" -v p="$2" 'BEGIN { printf "%g\n", q / p }' ;; esac
}
