#!/usr/bin/env bash
# Build, test and ship one Zappa stage.
#
#   ./deploy.sh STAGE [--initial]
#   ./deploy.sh STAGE --package-only   # build and smoke-test the package, deploy nothing (no secret needed)
#
# Steps: fill the stage's secrets (write_secure_env.py) -> a fresh venv with requirements.txt only
# -> collectstatic -> bytecode -> translation catalogs (.mo, Babel) -> zappa package -> bytecode
# for the remaining sources -> artifact smoke test (the packaged handler run locally: migrate,
# GET /healthz, a French API error, manage check) -> zappa update STAGE with that very artifact (with --initial, `zappa deploy STAGE` first creates the role, the
# function and the API) -> zappa manage STAGE migrate -> GET <stage URL>/healthz. A failure after
# the update rolls the function back one version (zappa rollback STAGE -n 1) and exits non-zero.
# Whatever happens, zappa_settings.json is restored to its committed state on exit.
#
# Where a Docker engine is available (and we are not already inside it) the script re-runs itself
# in the Lambda build image, passing only the variables the stage needs (the names come from
# zappa_settings.json). docs/DEPLOYING.md documents every variable below.
#   DEPLOY_IN_DOCKER=0          run on this machine, never in Docker
#   DEPLOY_BUILD_IMAGE=IMAGE    default public.ecr.aws/sam/build-python3.12
#   DEPLOY_VENV=DIR             where the build venv lives (default build/lambda-venv)
#   DEPLOY_REUSE_VENV=1         keep an existing DEPLOY_VENV instead of recreating it (rehearsals); one this
#                               script already built for the same requirements.txt is not installed or compiled again
#   DEPLOY_ZAPPA=CMD            the zappa executable (default: the venv's); the rehearsal wraps it
#   DEPLOY_SKIP_HEALTHCHECK=1   skip the HTTP check (set automatically when AWS_ENDPOINT_URL is set)
set -euo pipefail

usage() {
  echo "usage: $0 STAGE [--initial | --package-only]" >&2
  exit 2
}

STAGE="${1:-}"
[ -n "$STAGE" ] || usage
[[ "$STAGE" =~ ^[a-z][a-z0-9_-]*$ ]] || { echo "deploy: bad stage name '$STAGE'" >&2; exit 2; }
INITIAL=0
PACKAGE_ONLY=0
if [ $# -ge 2 ]; then
  [ $# -eq 2 ] || usage
  case "$2" in
    --initial) INITIAL=1 ;;
    --package-only) PACKAGE_ONLY=1 ;;
    *) usage ;;
  esac
fi

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"
SETTINGS="$ROOT/zappa_settings.json"
BUILD_IMAGE="${DEPLOY_BUILD_IMAGE:-public.ecr.aws/sam/build-python3.12}"
HOST_PYTHON="$(command -v python3 || command -v python)"
DEPLOY_START=$SECONDS
STEP_NAME=""
STEP_START=$SECONDS

step() {
  finish_step
  STEP_NAME="$1"
  STEP_START=$SECONDS
  printf '\n==== [%s] %s (stage %s)\n' "$(date -u +%H:%M:%S)" "$STEP_NAME" "$STAGE"
}

finish_step() {
  if [ -n "$STEP_NAME" ]; then
    printf '==== done: %s in %ss\n' "$STEP_NAME" "$((SECONDS - STEP_START))"
  fi
  STEP_NAME=""
}

fail() {
  printf '\n==== FAILED: %s (stage %s) after %ss\n' "$1" "$STAGE" "$((SECONDS - DEPLOY_START))" >&2
  exit 1
}

# --- the secrets: a filled copy of the settings, deleted whatever happens --------------------------
# The tracked zappa_settings.json names the secrets but holds none (a bare `zappa update` keeps the
# live ones); write_secure_env.py writes the stage's values into an owner-only copy under
# build/secrets/, which Zappa reads with -s. The copy goes when this script ends.
FILLED="$("$HOST_PYTHON" write_secure_env.py --path "$STAGE")"
remove_filled_copy() {
  if [ -e "$FILLED" ]; then
    rm -f "$FILLED"
    echo "deploy: the filled settings copy $FILLED was deleted"
  fi
}
trap remove_filled_copy EXIT

if ! git -C "$ROOT" diff --quiet HEAD -- zappa_settings.json 2>/dev/null; then
  fail "zappa_settings.json differs from the committed one; commit the change first"
fi

if [ "$PACKAGE_ONLY" = "0" ]; then
  step "secrets: the filled settings copy, checked"
  if [ ! -e "$FILLED" ]; then
    "$HOST_PYTHON" write_secure_env.py "$STAGE" || fail "a secret is missing or malformed; nothing was sent to AWS"
  fi
  "$HOST_PYTHON" write_secure_env.py --verify "$STAGE" || fail "the filled settings copy; nothing was sent to AWS"
fi

# --- re-run inside the Lambda build image when Docker is there ----------------------------------
if [ "${DEPLOY_IN_DOCKER:-auto}" != "0" ] && [ -z "${DEPLOY_INSIDE_BUILD_IMAGE:-}" ] \
  && command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
  step "docker: re-running in $BUILD_IMAGE"
  pass=(-e DEPLOY_INSIDE_BUILD_IMAGE=1 -e HOME=/tmp)
  for name in AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_REGION \
    AWS_DEFAULT_REGION AWS_ENDPOINT_URL DEPLOY_VENV DEPLOY_REUSE_VENV DEPLOY_ZAPPA DEPLOY_SKIP_HEALTHCHECK; do
    # `-e NAME` copies the value from this environment: it never appears on a command line.
    if [ -n "${!name:-}" ]; then pass+=(-e "$name"); fi
  done
  finish_step
  docker run --rm --user "$(id -u):$(id -g)" -v "$ROOT:$ROOT" -w "$ROOT" "${pass[@]}" \
    "$BUILD_IMAGE" ./deploy.sh "$@" || fail "the deploy inside $BUILD_IMAGE"
  exit 0
fi

# --- build ----------------------------------------------------------------------------------------
PYTHON="$(scripts/find_python.sh)"
VENV="${DEPLOY_VENV:-$ROOT/build/lambda-venv}"
PACKAGE="$ROOT/build/$STAGE-package.zip"
mkdir -p "$ROOT/build"

# What Zappa leaves out of the package (the stage's plain `exclude` and `exclude_glob` names: boto3,
# troposphere, setuptools...; and pip) is not compiled: about half of the venv's modules.
NOT_SHIPPED="$("$HOST_PYTHON" - "$SETTINGS" "$STAGE" <<'PY'
import json, re, sys
config, stage = json.load(open(sys.argv[1])), sys.argv[2]
names = ["pip"]
for key in ("exclude", "exclude_glob"):
    current = stage
    while key not in config[current] and config[current].get("extends"):
        current = config[current]["extends"]
    names += [name for name in config[current].get(key, []) if re.fullmatch(r"[A-Za-z0-9_./-]+", name)]
print("|".join(re.escape(name) for name in names))
PY
)"
# A reused venv (DEPLOY_REUSE_VENV=1) that this script already installed and compiled for the same
# requirements.txt and exclusions skips both: the stamp holds their hash.
BUILT_STAMP="$VENV/.deploy-built"
BUILT_FOR="$({ cat requirements.txt; echo "$NOT_SHIPPED"; } | sha256sum | cut -d' ' -f1)"
already_built() { [ "${DEPLOY_REUSE_VENV:-0}" = "1" ] && [ "$(cat "$BUILT_STAMP" 2>/dev/null)" = "$BUILT_FOR" ]; }

step "venv: requirements.txt only, in $VENV"
if [ "${DEPLOY_REUSE_VENV:-0}" = "1" ] && [ -x "$VENV/bin/python" ]; then
  echo "reusing $VENV (DEPLOY_REUSE_VENV=1)"
else
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV"
fi
if already_built; then
  echo "already installed and compiled for this requirements.txt and stage"
else
  rm -f "$BUILT_STAMP"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements.txt
fi
# shellcheck source=/dev/null
source "$VENV/bin/activate" # zappa packages the active virtualenv
ZAPPA="${DEPLOY_ZAPPA:-$VENV/bin/zappa}"

step "collectstatic into staticfiles/"
env -u TESTING -u DATABASE_URL DEBUG=False SECRET_KEY="collectstatic-only-$RANDOM$RANDOM$RANDOM-not-a-secret" \
  python manage.py collectstatic --noinput --clear --verbosity 0

step "bytecode: compile the dependencies once, so no cold start compiles them"
# Zappa zips every file dated 1980-01-01, which invalidates ordinary (timestamp) .pyc files, and
# /var/task is read-only: without this, every cold start compiles Django and DRF again (~2 s).
# Unchecked-hash .pyc files beside their sources are valid whatever the dates; the sources they
# replace are removed so that only the bytecode is zipped (Zappa copies files with new dates, so
# its own "skip the .py when a newer .pyc exists" rule cannot be relied on). Kept as source:
# migrations, Zappa itself (it copies its handler.py into the package) and every __init__.py
# (Zappa writes an empty one into any package folder that lacks it); scripts/compile_package.py
# adds bytecode for those and for the project's own modules once the package is built.
SITE_PACKAGES="$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
if already_built; then
  echo "already compiled"
else
  "$VENV/bin/python" -m compileall -q -f -b -j 0 --invalidation-mode unchecked-hash -x "/site-packages/($NOT_SHIPPED)/" \
    "$SITE_PACKAGES" >/dev/null
  find "$SITE_PACKAGES" -name '*.py' -not -name __init__.py -not -path '*/migrations/*' -not -path "$SITE_PACKAGES/zappa/*" \
    -exec sh -c 'for source; do if [ -f "${source}c" ]; then rm -f "$source"; fi; done' sh {} +
  find "$SITE_PACKAGES" -name __pycache__ -type d -prune -exec rm -rf {} +
  echo "$BUILT_FOR" >"$BUILT_STAMP"
fi

step "catalogs: compile the translations (.po -> .mo) with Babel"
# The .mo files are built, never committed, and the Lambda build image has no GNU gettext: Babel
# (pure Python, the version pinned in requirements-dev.txt) compiles them. It is installed beside
# the build, never into the venv that Zappa packages.
I18N_TOOLS="$ROOT/build/i18n-tools"
BABEL_PIN="$(grep -E '^babel==' requirements-dev.txt | cut -d' ' -f1)"
[ -n "$BABEL_PIN" ] || fail "no babel==VERSION pin in requirements-dev.txt"
if ! PYTHONPATH="$I18N_TOOLS" "$VENV/bin/python" -c 'import babel' 2>/dev/null; then
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --target "$I18N_TOOLS" "$BABEL_PIN" \
    || fail "install $BABEL_PIN to compile the catalogs"
fi
PYTHONPATH="$I18N_TOOLS" "$VENV/bin/python" scripts/compile_messages.py || fail "compile the translation catalogs"

step "zappa package"
rm -f "$PACKAGE"
"$ZAPPA" package "$STAGE" -o "$PACKAGE"

step "bytecode: compile what the package ships as source (project, __init__.py, migrations, handler)"
"$VENV/bin/python" scripts/compile_package.py "$PACKAGE" || fail "compile the package's sources"

step "artifact smoke test (the packaged handler, run locally as Lambda would)"
# It runs with the committed settings (no secret needed) and fails if the value of any secret
# filled into zappa_settings.json is found anywhere in the package.
filled_args=()
if [ -e "$FILLED" ]; then filled_args=(--filled-settings "$FILLED"); fi
python scripts/smoke_test_package.py "$PACKAGE" --stage "$STAGE" --settings "$SETTINGS" \
  "${filled_args[@]}" --python "$PYTHON" --runtime-libs "$SITE_PACKAGES" \
  || fail "artifact smoke test; nothing was deployed"

if [ "$PACKAGE_ONLY" = "1" ]; then
  finish_step
  printf '\n==== package built and smoke-tested: %s (%ss)\n' "$PACKAGE" "$((SECONDS - DEPLOY_START))"
  exit 0
fi

# --- ship -----------------------------------------------------------------------------------------
if [ "$INITIAL" = "1" ]; then
  step "zappa deploy (first deploy: IAM role, bucket, function, API)"
  "$ZAPPA" deploy "$STAGE" -s "$FILLED" || fail "zappa deploy; run 'zappa status $STAGE' and 'zappa undeploy $STAGE' to clean up"
  # `zappa deploy --zip` would skip creating the IAM role, so the first deploy ships Zappa's own
  # build; replace it at once with the artifact that passed the smoke test (and carries bytecode).
  step "zappa update with the tested artifact"
  "$ZAPPA" update "$STAGE" -s "$FILLED" --zip "$PACKAGE" \
    || fail "zappa update after the first deploy; the stage runs Zappa's own build of the same code"
else
  step "zappa update with the tested artifact"
  "$ZAPPA" update "$STAGE" -s "$FILLED" --zip "$PACKAGE" \
    || fail "zappa update; check 'zappa status $STAGE' and roll back with 'zappa rollback $STAGE -n 1' if needed"
fi

rollback() {
  printf '\n==== %s failed after the update: rolling back\n' "$1" >&2
  if [ "$INITIAL" = "1" ]; then
    echo "deploy: first deploy, no previous version to roll back to" >&2
  else
    "$ZAPPA" rollback "$STAGE" -n 1 || echo "deploy: ROLLBACK FAILED, act by hand" >&2
  fi
  fail "$1 (rolled back)"
}

step "zappa manage migrate"
"$ZAPPA" manage "$STAGE" migrate || rollback "migrate"

step "health check"
if [ -n "${AWS_ENDPOINT_URL:-}" ] || [ "${DEPLOY_SKIP_HEALTHCHECK:-0}" = "1" ]; then
  echo "skipped: the stage URL is not reachable (AWS_ENDPOINT_URL or DEPLOY_SKIP_HEALTHCHECK is set)"
else
  url="$("$ZAPPA" status "$STAGE" --json | python -c 'import json, sys; print(json.load(sys.stdin).get("API Gateway URL", ""))')"
  [ -n "$url" ] || rollback "health check (no stage URL in zappa status)"
  echo "GET $url/healthz"
  curl --fail --silent --show-error --max-time 20 --retry 5 --retry-delay 3 --retry-all-errors "$url/healthz" \
    || rollback "health check"
  echo
fi

finish_step
printf '\n==== deployed stage %s in %ss\n' "$STAGE" "$((SECONDS - DEPLOY_START))"
