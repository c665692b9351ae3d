#!/usr/bin/env bash
# The system packages the test suite needs (Debian names): PostgreSQL (the API's tests and
# the production-shaped stack), Redis (the lock store and the shared rate limits), Chromium
# and a font with Kazakh letters (the browser tests), Caddy (the proxy's tests). `make setup`
# runs this first: as root it installs what is missing with apt; otherwise it prints the one
# command to run and stops, before any environment is built or any test runs.
set -euo pipefail
packages=(postgresql postgresql-contrib redis-server chromium fonts-noto-core caddy)
say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

if ! command -v dpkg >/dev/null 2>&1; then
  say "not a Debian-like system: install ${packages[*]} (or your system's names for them)"
  say "then run this again; nothing else was done"
  exit 1
fi
missing=()
for package in "${packages[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

command="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  say "missing system packages: ${missing[*]}"
  say "run this, then run make again:  sudo sh -c '$command'"
  exit 1
fi
say "installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
