#!/usr/bin/env bash
# Fill build/wheelhouse with a wheel of every runtime requirement (requirements.txt), so that the
# deploy tests build their Lambda venv with no network: pip install --no-index --find-links.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"
WHEELHOUSE="${WHEELHOUSE:-build/wheelhouse}"
mkdir -p "$WHEELHOUSE"
"$VENV/bin/python" -m pip wheel --quiet --disable-pip-version-check -r requirements.txt -w "$WHEELHOUSE"
echo "wheelhouse: $(find "$WHEELHOUSE" -name '*.whl' | wc -l) wheels in $WHEELHOUSE"
