#!/usr/bin/env bash
# Print the path of a Python 3.12 interpreter (the Lambda runtime's version), or fail with a hint.
# pyenv shims are tried last and only if they really run 3.12.
set -euo pipefail

candidates=(
  "${PYTHON:-}"
  python3.12
  /usr/local/bin/python3.12
  /usr/bin/python3.12
)
for dir in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.12*/bin; do
  candidates+=("$dir/python3.12")
done
candidates+=(python3 python)

for candidate in "${candidates[@]}"; do
  [ -n "$candidate" ] || continue
  if "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 12))' >/dev/null 2>&1; then
    command -v "$candidate"
    exit 0
  fi
done
echo "Python 3.12 was not found. Install it (e.g. 'pyenv install 3.12') or set PYTHON=/path/to/python3.12." >&2
exit 1
