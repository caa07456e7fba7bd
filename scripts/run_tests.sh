#!/usr/bin/env bash
# The test suite as `make test` runs it (after the quick linters), with mypy beside it.
#
# - pytest on every core (-n auto), xdist groups kept together (--dist loadgroup);
# - mypy, the one slow linter (about 15 s of one core), runs at the same time instead of before:
#   its report is printed after pytest's, and the run fails if either fails;
# - the run starts a hundred Python processes (xdist workers, servers, manage.py, packaged
#   handlers): bytecode is written (__pycache__, git-ignored) whatever PYTHONDONTWRITEBYTECODE
#   says, so that each module is compiled once, not once per process (`make venv` compiles the
#   venv's own; the packaged-handler tests run with -B, as on Lambda);
# - the temporary files go to tmpfs when there is room (scripts/test_tmpdir.sh).
# Extra arguments go to pytest.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
BIN="${VENV:-.venv}/bin"

types_log="$(mktemp)"
trap 'rm -f "$types_log"' EXIT
DEBUG=True "$BIN/mypy" app >"$types_log" 2>&1 &
types_pid=$!

tmp="$(scripts/test_tmpdir.sh)"
TMPDIR="${tmp:-${TMPDIR:-/tmp}}" env -u PYTHONDONTWRITEBYTECODE "$BIN/pytest" -n auto --dist loadgroup "$@"
tests_status=$?

wait "$types_pid"
types_status=$?
echo "== mypy app (DEBUG=True)"
cat "$types_log"

if [ "$types_status" -ne 0 ]; then
  echo "FAILED: mypy found errors (above)" >&2
  exit "$types_status"
fi
exit "$tests_status"
