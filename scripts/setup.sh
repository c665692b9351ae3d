#!/usr/bin/env bash
# Install the system packages the tests need (scripts/system_packages.sh), then create or
# update the three virtual environments from their lock files; skip any that is already
# current. .venv-tools: uv. .venv-api: Python 3.11+ (API, tests, tooling). .venv-bot:
# Python 3.10 (Rasa 3.6 and its action server). Both get the repository's own packages
# (packages/: the folding table, the catalogs), editable.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }
digest() { sha256sum "$@" | sha256sum | cut -c1-16; }

bash scripts/system_packages.sh

if [ ! -x .venv-tools/bin/uv ]; then
  say "installing uv into .venv-tools"
  base_py="$(command -v python3)"
  "$base_py" -m venv .venv-tools
  .venv-tools/bin/pip install --quiet "uv==0.13.8"
fi
export UV=$PWD/.venv-tools/bin/uv

make_env() {  # name python-version lock
  local venv=$1 version=$2 lock=$3 stamp want py
  stamp="$venv/.lock-digest"
  want="$(digest "$lock" packages/*/pyproject.toml)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    say "$venv is current"
    return
  fi
  if [ ! -x "$venv/bin/python" ]; then
    py="$(bash scripts/find_python.sh "$version")"
    say "creating $venv with $py"
    "$UV" venv --quiet --python "$py" "$venv"
  fi
  say "installing $lock into $venv (first time: a few minutes)"
  "$UV" pip sync --quiet --python "$venv/bin/python" "$lock"
  # sync removes what the lock does not name: the repository's packages go in after it.
  "$UV" pip install --quiet --no-deps --python "$venv/bin/python" \
    -e packages/textfold -e packages/catalogs
  echo "$want" > "$stamp"
}

make_env .venv-api 3.11 requirements/api.lock
make_env .venv-bot 3.10 requirements/bot.lock

if [ ! -f .env ]; then
  say "writing .env from .env.example with a fresh SERVICE_API_KEY"
  key="$(.venv-api/bin/python -c 'import secrets; print(secrets.token_urlsafe(32))')"
  sed "s|^SERVICE_API_KEY=.*|SERVICE_API_KEY=$key|" .env.example > .env
fi
