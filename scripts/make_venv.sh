#!/usr/bin/env bash
# Create .venv and install REQUIREMENTS into it: requirements.txt for `make run` (the app only,
# the quickest first run), requirements-dev.txt for `make venv` and `make test` (adds the tools).
#
# uv (from PyPI, pinned in requirements-dev.txt) installs in parallel from its cache and is several
# times faster than pip; when uv is not on PATH it is bootstrapped into build/uv with pip. If uv
# cannot be had, pip does everything. The Lambda build (deploy.sh) always uses pip.
#   VENV=DIR          the venv to create (default .venv)
#   REQUIREMENTS=FILE what to install (default requirements-dev.txt)
#   MAKE_VENV_PIP=1   use pip only
set -euo pipefail
cd "$(dirname "$0")/.."

VENV="${VENV:-.venv}"
REQUIREMENTS="${REQUIREMENTS:-requirements-dev.txt}"
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
  # --compile-bytecode: as pip does, so that no process compiles Django again (PYTHONDONTWRITEBYTECODE
  # machines would otherwise compile it in every process, the test run's hundred included).
  if "$UV" pip install --quiet --compile-bytecode --python "$VENV/bin/python" -r "$REQUIREMENTS"; then
    exit 0
  fi
  echo "venv: uv failed, falling back to pip" >&2
fi
echo "venv: $VENV with pip"
[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQUIREMENTS"
