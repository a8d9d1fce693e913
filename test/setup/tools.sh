#!/usr/bin/env bash
# Make sure the command-line tools the tests drive are on PATH: tmux (Debian
# package tmux), script (package bsdutils, normally present), docker-compose
# (Debian's compose v1, the reference the compose tests compare oneoff with), and zsh
# and fish (packages zsh, fish: the completion tests run their scripts in them). Installs only
# what is missing. Idempotent; safe with CI=true and no stdin/terminal. Needs
# root only when something has to be installed.
set -Eeuo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

readonly LOCK=/tmp/oneoff-setup-tools.lock
readonly TOOLS=(tmux:tmux script:bsdutils docker-compose:docker-compose zsh:zsh fish:fish)

missing=$(missing_packages "${TOOLS[@]}")
[[ -n $missing ]] || exit 0
[[ $(id -u) -eq 0 ]] || die "${missing//$'\n'/ } missing and installing needs root"

# Two setups at once would otherwise both run apt-get for the same packages.
take_lock "$LOCK"
ensure_commands "${TOOLS[@]}"
