#!/usr/bin/env bash
# Fill build/wheelhouse with a wheel of every runtime requirement (requirements.txt), so that the
# deploy tests build their Lambda venv with no network: pip install --no-index --find-links.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"
WHEELHOUSE="${WHEELHOUSE:-build/wheelhouse}"
mkdir -p "$WHEELHOUSE"
pip_wheel() {
  "$VENV/bin/python" -m pip wheel --quiet --disable-pip-version-check -r requirements.txt -w "$WHEELHOUSE" "$@"
}
# Already complete (e.g. requirements.txt only touched): nothing to fetch, works offline.
pip_wheel --no-index --find-links "$WHEELHOUSE" 2>/dev/null || pip_wheel
echo "wheelhouse: $(find "$WHEELHOUSE" -name '*.whl' | wc -l) wheels in $WHEELHOUSE"
