#!/usr/bin/env bash
# Print the path of a working Python interpreter of version $1 (e.g. 3.10), or explain
# what to install and exit 1. Looks on PATH, under pyenv, then asks uv.
set -u
want="$1"
works() { "$1" -c "import sys; sys.exit(0 if sys.version_info[:2] == tuple(map(int, '$want'.split('.'))) else 1)" >/dev/null 2>&1; }
candidates=()
command -v "python$want" >/dev/null 2>&1 && candidates+=("$(command -v "python$want")")
pyenv_root="${PYENV_ROOT:-}"
[ -z "$pyenv_root" ] && command -v pyenv >/dev/null 2>&1 && pyenv_root="$(pyenv root 2>/dev/null)"
[ -z "$pyenv_root" ] && pyenv_root="$HOME/.pyenv"
for dir in $(ls -d "$pyenv_root/versions/$want".* 2>/dev/null | sort -V -r); do
  candidates+=("$dir/bin/python$want")
done
for py in /usr/bin/python$want /usr/local/bin/python$want; do candidates+=("$py"); done
if [ -n "${UV:-}" ]; then
  found="$("$UV" python find "$want" 2>/dev/null)" && candidates+=("$found")
fi
for py in "${candidates[@]}"; do
  if [ -x "$py" ] && works "$py"; then echo "$py"; exit 0; fi
done
cat >&2 <<MSG
Python $want was not found (looked on PATH, in $pyenv_root/versions and with uv).
Rasa 3.6 needs exactly Python 3.10 and the API needs 3.11 or newer. Install it with one of:
  pyenv install $want
  uv python install $want
  apt-get install python$want python$want-venv
MSG
exit 1
