#!/usr/bin/env bash
# Create .venv with requirements-dev.txt (what `make venv`, `make run` and `make test` need).
#
# uv (from PyPI, pinned in requirements-dev.txt) installs in parallel from its cache and is several
# times faster than pip; when uv is not on PATH it is bootstrapped into build/uv with pip. If uv
# cannot be had, pip does everything. The Lambda build (deploy.sh) always uses pip.
#   VENV=DIR          the venv to create (default .venv)
#   MAKE_VENV_PIP=1   use pip only
set -euo pipefail
cd "$(dirname "$0")/.."

VENV="${VENV:-.venv}"
PYTHON="$(scripts/find_python.sh)"
UV_PIN="$(grep -E '^uv==' requirements-dev.txt | head -1)"

find_uv() {
  [ "${MAKE_VENV_PIP:-0}" = "1" ] && return 1
  if command -v uv >/dev/null; then command -v uv; return 0; fi
  if [ ! -x build/uv/bin/uv ] && [ -n "$UV_PIN" ]; then
    rm -rf build/uv
    if ! { "$PYTHON" -m venv build/uv >/dev/null \
      && build/uv/bin/python -m pip install --quiet --disable-pip-version-check "$UV_PIN" >/dev/null 2>&1; }; then
      rm -rf build/uv
      return 1
    fi
  fi
  [ -x build/uv/bin/uv ] && echo build/uv/bin/uv
}

if UV="$(find_uv)"; then
  echo "venv: $VENV with uv ($("$UV" --version))"
  if [ ! -x "$VENV/bin/python" ]; then
    "$UV" venv --quiet --seed --python "$PYTHON" "$VENV" # --seed: pip too, for `.venv/bin/pip install`
  fi
  if "$UV" pip install --quiet --python "$VENV/bin/python" -r requirements-dev.txt; then
    exit 0
  fi
  echo "venv: uv failed, falling back to pip" >&2
fi
echo "venv: $VENV with pip"
[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
