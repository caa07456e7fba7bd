#!/usr/bin/env bash
# Build, test and ship one Zappa stage.
#
#   ./deploy.sh STAGE [--initial | --allow-older]   # deploy the checked-out commit
#   ./deploy.sh STAGE --package-only                # build and smoke-test the package, deploy nothing (no secret needed)
#   ./deploy.sh STAGE --unlock                      # break the stage's deploy lock (a deploy that died)
#
# Steps: checks (only committed code; the secrets' copy, each secret's shape) -> a fresh venv with
# requirements.txt only -> the stage's lock (one deploy per stage at a time) -> the live commit
# (never an older or unrelated commit over a newer one without --allow-older) -> a snapshot of what
# runs now -> collectstatic, bytecode, catalogs, zappa package, committed-files check, artifact
# smoke test -> the artifact kept in S3 -> zappa update with it (-s: the filled copy of the
# settings) -> the function's environment made exactly the stage's -> zappa manage migrate ->
# GET <stage URL>/healthz (the commit must be the one shipped). A failure after the update puts
# the snapshot back (code and configuration) and says whether that worked.
# Every step says, when it fails or is interrupted, what state the stage is in and the one
# command that finishes or undoes it (docs/DEPLOYING.md has a runbook for each). Exit status:
# 0 deployed; 1 refused or failed with the stage as it was (or rolled back); 2 usage; 3 the stage
# is in a mixed state (rollback failed); 130/143 interrupted.
#
# Where a Docker engine is available (and we are not already inside it) the script re-runs itself
# in the Lambda build image. docs/DEPLOYING.md documents every variable below.
#   DEPLOY_IN_DOCKER=0          run on this machine, never in Docker
#   DEPLOY_BUILD_IMAGE=IMAGE    default public.ecr.aws/sam/build-python3.12
#   DEPLOY_VENV=DIR             where the build venv lives (default build/.lambda-venv: hidden, see below)
#   DEPLOY_REUSE_VENV=1         keep an existing DEPLOY_VENV instead of recreating it (rehearsals); one this
#                               script already built for the same requirements.txt is not installed or compiled again
#   DEPLOY_ZAPPA=CMD            the zappa executable (default: the venv's); the rehearsal wraps it
#   DEPLOY_SKIP_HEALTHCHECK=1   skip the HTTP check (set automatically when AWS_ENDPOINT_URL is set)
#   SECRETS_SOURCE=ssm          take the secrets from SSM Parameter Store (/<project_name>/<stage>/NAME)
#                               instead of the environment (write_secure_env.py; needs boto3 on the host Python)
#   DEPLOY_HOST_PYTHON=PYTHON   the Python that runs write_secure_env.py (default: python3 on PATH)
#   DEPLOY_LOCK_MINUTES=N       how long the stage's lock holds if this deploy dies (default 45)

# Signals first: from here on an interrupt says where the deploy stood, and the exit handler
# deletes the secrets' copy and releases the lock.
INTERRUPTED=""
on_signal() {
  INTERRUPTED="$1"
  trap '' INT TERM HUP # the exit handler runs once, undisturbed
  if [ "$1" = "INT" ]; then exit 130; fi
  exit 143
}
trap 'on_signal INT' INT
trap 'on_signal TERM' TERM
trap 'on_signal HUP' HUP
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"
STAGE="${1:-}"
STEP_NAME=""
STATE="nothing was changed on AWS"
NEXT=""
FINAL_SAID=0
FILLED=""
LOCK_OWNER=""
WORK=""
VENV_PYTHON=""

say_state() {
  local how="$1"
  printf '\n==== %s at step "%s" (stage %s): %s\n' "$how" "${STEP_NAME:-start}" "${STAGE:-?}" "$STATE" >&2
  if [ -n "$NEXT" ]; then printf '==== next: %s\n' "$NEXT" >&2; fi
}

on_exit() {
  local status=$?
  trap '' INT TERM HUP
  if [ -n "$FILLED" ] && [ -e "$FILLED" ]; then
    rm -f "$FILLED"
    echo "deploy: the filled settings copy was deleted"
  fi
  if [ -n "$LOCK_OWNER" ]; then
    "$VENV_PYTHON" scripts/deploy_state.py unlock "$STAGE" --owner "$LOCK_OWNER" || echo "deploy: the lock could not be released: it expires by itself, or: ./deploy.sh $STAGE --unlock" >&2
  fi
  if [ -n "$WORK" ]; then rm -rf "$WORK"; fi
  if [ -n "$INTERRUPTED" ]; then
    say_state "INTERRUPTED (SIG$INTERRUPTED)"
  elif [ "$status" -ne 0 ] && [ "$FINAL_SAID" = "0" ]; then
    say_state "FAILED (exit $status)"
  fi
  exit "$status"
}
trap on_exit EXIT

usage() {
  echo "usage: $0 STAGE [--initial | --allow-older | --package-only | --unlock]" >&2
  NEXT="./deploy.sh ${STAGE:-dev} (the options are spelled --initial, --allow-older, --package-only, --unlock)"
  exit 2
}

[ -n "$STAGE" ] || usage
if ! [[ "$STAGE" =~ ^[a-z][a-z0-9_-]*$ ]]; then
  echo "deploy: bad stage name '$STAGE'" >&2
  rm -f "$ROOT"/build/secrets/zappa_settings.*.json # whichever stage was meant, its secrets go
  STAGE=""
  usage
fi
# The filled copy of this stage goes whatever happens next, even on a usage error (`--inital`).
FILLED="$ROOT/build/secrets/zappa_settings.$STAGE.json"
INITIAL=0
PACKAGE_ONLY=0
ALLOW_OLDER=0
UNLOCK=0
if [ $# -ge 2 ]; then
  [ $# -eq 2 ] || usage
  case "$2" in
    --initial) INITIAL=1 ;;
    --allow-older) ALLOW_OLDER=1 ;;
    --package-only) PACKAGE_ONLY=1 ;;
    --unlock) UNLOCK=1 ;;
    *) echo "deploy: unknown option '$2'" >&2; usage ;;
  esac
fi

SETTINGS="$ROOT/zappa_settings.json"
BUILD_IMAGE="${DEPLOY_BUILD_IMAGE:-public.ecr.aws/sam/build-python3.12}"
HOST_PYTHON="${DEPLOY_HOST_PYTHON:-$(command -v python3 || command -v python)}"
DEPLOY_START=$SECONDS
STEP_START=$SECONDS

# Callers set NEXT (and STATE) before announcing a step: a signal that comes the moment the banner
# shows finds them already saying what to do.
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
}

fail() {
  say_state "FAILED: $1"
  FINAL_SAID=1
  printf '==== FAILED: %s (stage %s) after %ss\n' "$1" "$STAGE" "$((SECONDS - DEPLOY_START))" >&2
  exit 1
}

# --- checks: only committed code ships; the secrets are present and well formed -----------------
if [ "$UNLOCK" = "0" ]; then
  NEXT="commit (or stash) the changes, then: ./deploy.sh $STAGE"
  step "checks: only committed code ships"
  if ! HEAD_COMMIT="$(git -C "$ROOT" rev-parse --verify -q HEAD 2>/dev/null)"; then
    [ "$PACKAGE_ONLY" = "1" ] || fail "not a git checkout with a commit: only committed code ships"
    HEAD_COMMIT="(not a git checkout)"
  fi
  DIRTY="$(git -C "$ROOT" status --porcelain --untracked-files=all 2>/dev/null || true)"
  if [ -n "$DIRTY" ] && [ "$PACKAGE_ONLY" = "0" ]; then
    echo "deploy: modified or untracked files would be packaged:" >&2
    printf '%s\n' "$DIRTY" | head -20 >&2
    fail "the working tree is not clean; only committed code ships"
  fi
  echo "commit $HEAD_COMMIT, working tree clean"
fi

if [ "$PACKAGE_ONLY" = "0" ] && [ "$UNLOCK" = "0" ]; then
  NEXT="fix what is named above, then: python3 write_secure_env.py $STAGE && ./deploy.sh $STAGE"
  step "secrets: the filled settings copy, each secret's shape"
  if [ ! -e "$FILLED" ]; then
    "$HOST_PYTHON" write_secure_env.py "$STAGE" || fail "a secret is missing or malformed"
  fi
  "$HOST_PYTHON" write_secure_env.py --verify "$STAGE" || fail "the filled settings copy"
fi

# --- re-run inside the Lambda build image when Docker is there ----------------------------------
if [ "${DEPLOY_IN_DOCKER:-auto}" != "0" ] && [ -z "${DEPLOY_INSIDE_BUILD_IMAGE:-}" ] \
  && command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
  step "docker: re-running in $BUILD_IMAGE"
  pass=(-e DEPLOY_INSIDE_BUILD_IMAGE=1 -e HOME=/tmp)
  for name in AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_REGION AWS_DEFAULT_REGION \
    AWS_ENDPOINT_URL DEPLOY_VENV DEPLOY_REUSE_VENV DEPLOY_ZAPPA DEPLOY_SKIP_HEALTHCHECK DEPLOY_LOCK_MINUTES; do
    # `-e NAME` copies the value from this environment: it never appears on a command line.
    if [ -n "${!name:-}" ]; then pass+=(-e "$name"); fi
  done
  FINAL_SAID=1 # the deploy inside says where it stopped
  docker run --rm --user "$(id -u):$(id -g)" -v "$ROOT:$ROOT" -w "$ROOT" "${pass[@]}" \
    "$BUILD_IMAGE" ./deploy.sh "$@"
  exit 0
fi

# --- build ----------------------------------------------------------------------------------------
PYTHON="$(scripts/find_python.sh)"
# Hidden: Zappa 0.63 walks the project for a module importing zappa.websocket and skips only dot-directories
# (and a few names); in build/lambda-venv it found its own zappa/handler.py and made the app a WebSocket app.
# The smoke test below fails if that ever comes back (docs/DEPLOYING.md).
VENV="${DEPLOY_VENV:-$ROOT/build/.lambda-venv}"
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

NEXT="./deploy.sh $STAGE (once the cause above is fixed)"
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
VENV_PYTHON="$VENV/bin/python"
state() { "$VENV_PYTHON" scripts/deploy_state.py "$@"; }

if [ "$UNLOCK" = "1" ]; then
  step "unlock: break the deploy lock of stage $STAGE"
  state unlock "$STAGE"
  exit 0
fi

if [ "$PACKAGE_ONLY" = "0" ]; then
  NEXT="./deploy.sh $STAGE once the other deploy has ended"
  step "lock: one deploy of stage $STAGE at a time"
  owner="$(date -u +%Y%m%dT%H%M%S)-$$-$RANDOM"
  state lock "$STAGE" --owner "$owner" --commit "$HEAD_COMMIT" --minutes "${DEPLOY_LOCK_MINUTES:-45}" \
    || fail "the stage is locked by another deploy"
  LOCK_OWNER="$owner"

  NEXT="./deploy.sh $STAGE from a commit that descends from the live one"
  step "live commit: never an older or unrelated commit over a newer one"
  live_args=()
  if [ "$INITIAL" = "1" ]; then live_args+=(--initial); fi
  if [ "$ALLOW_OLDER" = "1" ]; then live_args+=(--allow-older); fi
  state check "$STAGE" --head "$HEAD_COMMIT" "${live_args[@]}" || fail "refused before changing anything"

  NEXT="./deploy.sh $STAGE"
  step "snapshot: what the stage runs now (to roll back to)"
  WORK="$(mktemp -d)"
  SNAPSHOT="$WORK/snapshot.json"
  state snapshot "$STAGE" --out "$SNAPSHOT"
fi

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

if [ "$PACKAGE_ONLY" = "0" ]; then
  NEXT="commit the files named above, or exclude them in zappa_settings.json; then: ./deploy.sh $STAGE"
  step "committed: every project file in the package is committed"
  "$VENV/bin/python" scripts/package_is_committed.py "$PACKAGE" || fail "uncommitted files in the package"
fi

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

# --- preflight: what would make the deploy fail halfway ---------------------------------------------
step "preflight: vpc_config and the account's concurrency quota (stage_resources.py)"
quota=()
if [ -n "${AWS_ENDPOINT_URL:-}" ]; then
  quota=(--no-quota) # moto has no GetAccountSettings
fi
"$VENV/bin/python" scripts/stage_resources.py preflight "$STAGE" "${quota[@]}" || fail "preflight; nothing was deployed"

# --- ship -----------------------------------------------------------------------------------------
step "release: keep the tested artifact in S3"
state stamp "$STAGE" --filled "$FILLED" --package "$PACKAGE" --commit "$HEAD_COMMIT"
if [ "$INITIAL" = "0" ]; then
  state release "$STAGE" --package "$PACKAGE" --commit "$HEAD_COMMIT"
fi

# From here the stage changes; a failure puts the snapshot back and says whether that worked.
rollback() {
  local what="$1"
  printf '\n==== %s failed after the update: rolling back stage %s\n' "$what" "$STAGE" >&2
  FINAL_SAID=1
  if [ "$INITIAL" = "1" ]; then
    say_state "FAILED: $what"
    printf '==== FAILED: %s; the first deploy of stage %s is left as it is (nothing older to go back to)\n' "$what" "$STAGE" >&2
    exit 1
  fi
  STEP_NAME="rollback"
  if state restore "$STAGE" --snapshot "$SNAPSHOT"; then
    printf '==== FAILED: %s; ROLLED BACK: stage %s runs what it ran before this deploy (code and configuration; the database keeps any migration applied)\n' "$what" "$STAGE" >&2
    exit 1
  fi
  STATE="ROLLBACK FAILED: the stage may run commit $HEAD_COMMIT's code with either configuration"
  NEXT="./deploy.sh $STAGE (finishes this deploy), or from the previous commit: ./deploy.sh $STAGE --allow-older"
  say_state "ROLLBACK FAILED"
  printf '==== ROLLBACK FAILED after %s: stage %s is in a mixed state; act by hand (docs/DEPLOYING.md)\n' "$what" "$STAGE" >&2
  exit 3
}

if [ "$INITIAL" = "1" ]; then
  STATE="the first deploy may have created part of the stage (role, bucket, function, API)"
  step "zappa deploy (first deploy: IAM role, bucket, function, API)"
  NEXT="zappa status $STAGE; then either ./deploy.sh $STAGE --initial again once 'zappa undeploy $STAGE' has cleaned up (a NEW stage only), or ./deploy.sh $STAGE if the function exists"
  "$ZAPPA" deploy "$STAGE" -s "$FILLED" || fail "zappa deploy"
  # `zappa deploy --zip` would skip creating the IAM role, so the first deploy ships Zappa's own
  # build; replace it at once with the artifact that passed the smoke test (and carries bytecode).
  state release "$STAGE" --package "$PACKAGE" --commit "$HEAD_COMMIT"
  STATE="the new stage runs Zappa's own build of commit $HEAD_COMMIT"
  step "zappa update with the tested artifact"
  NEXT="./deploy.sh $STAGE"
  "$ZAPPA" update "$STAGE" -s "$FILLED" --zip "$PACKAGE" || fail "zappa update after the first deploy"
else
  STATE="the stage may run the new code (commit $HEAD_COMMIT) with the old or the new configuration; migrate has not run"
  step "zappa update with the tested artifact"
  NEXT="./deploy.sh $STAGE (finishes this deploy), or from the previous commit: ./deploy.sh $STAGE --allow-older"
  "$ZAPPA" update "$STAGE" -s "$FILLED" --zip "$PACKAGE" || rollback "zappa update"
fi

STATE="the stage runs commit $HEAD_COMMIT; variables dropped from the settings may still be set; migrate has not run"
step "configuration: the function's environment is exactly the stage's"
NEXT="./deploy.sh $STAGE (finishes this deploy)"
state apply-env "$STAGE" --filled "$FILLED" || rollback "the environment update"

step "stage resources: role policy, media bucket, log retention, failed tasks, alarms"
# `zappa update --zip` never touches the role: the stage's attach_policy is applied here when its digest
# changed. A failure here is not the code's: the new version stays, the deploy stops for a person to look.
STATE="the stage runs commit $HEAD_COMMIT with its configuration; its role policy, media bucket, log retention, failed-task destination or alarms may be incomplete; migrate has not run"
NEXT="fix what stage_resources.py says, then ./deploy.sh $STAGE (finishes this deploy)"
"$VENV/bin/python" scripts/stage_resources.py ensure "$STAGE" || fail "stage resources"

STATE="the stage runs commit $HEAD_COMMIT with its configuration; migrate may be partly applied (every migration is backward compatible: the CI check)"
step "zappa manage migrate"
NEXT="zappa manage $STAGE migrate"
"$ZAPPA" manage "$STAGE" migrate || rollback "migrate"

STATE="the stage runs commit $HEAD_COMMIT, migrated; the health check did not finish"
step "health check"
NEXT="curl <stage URL>/healthz (zappa status $STAGE gives the URL); ./deploy.sh $STAGE --allow-older from the previous commit undoes the deploy"
if [ -n "${AWS_ENDPOINT_URL:-}" ] || [ "${DEPLOY_SKIP_HEALTHCHECK:-0}" = "1" ]; then
  echo "skipped: the stage URL is not reachable (AWS_ENDPOINT_URL or DEPLOY_SKIP_HEALTHCHECK is set)"
else
  url="$("$ZAPPA" status "$STAGE" --json | python -c 'import json, sys; print(json.load(sys.stdin).get("API Gateway URL", ""))')"
  [ -n "$url" ] || rollback "health check (no stage URL in zappa status)"
  echo "GET $url/healthz"
  health="$(curl --fail --silent --show-error --max-time 20 --retry 5 --retry-delay 3 --retry-all-errors "$url/healthz")" \
    || rollback "health check"
  echo "$health"
  HEALTH="$health" python -c 'import json, os, sys; sys.exit(json.loads(os.environ["HEALTH"]).get("commit") != sys.argv[1])' \
    "$HEAD_COMMIT" || rollback "health check (/healthz does not report commit $HEAD_COMMIT)"
fi

finish_step
STEP_NAME=""
printf '\n==== deployed stage %s: commit %s in %ss\n' "$STAGE" "$HEAD_COMMIT" "$((SECONDS - DEPLOY_START))"
