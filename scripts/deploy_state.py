#!/usr/bin/env python3
"""What deploy.sh asks AWS about a stage, and changes beside Zappa: the lock, the live commit, the function's
exact environment, the kept releases and the rollback. Run with the deploy venv's Python (it has boto3).

    deploy_state.py lock STAGE --owner ID --commit SHA [--minutes N]   # one deploy per stage at a time
    deploy_state.py unlock STAGE [--owner ID]                          # without --owner: break any lock
    deploy_state.py check STAGE --head SHA [--initial] [--allow-older] # may HEAD replace what is live?
    deploy_state.py snapshot STAGE --out FILE      # what runs now (code, environment), to roll back to
    deploy_state.py release STAGE --package ZIP --commit SHA   # keep the artifact in S3, to roll back to later
    deploy_state.py stamp STAGE --filled FILE --package ZIP --commit SHA   # record the commit in the copy
    deploy_state.py apply-env STAGE --filled FILE  # the function's environment = the stage's, exactly
    deploy_state.py restore STAGE --snapshot FILE  # put the snapshot's code and environment back, verified

The deployed commit lives on the function as APP_COMMIT, with APP_CODE_SHA256 the hash of the
code deploy.sh shipped with it: when Lambda's CodeSha256 differs, the code was changed by something
else (a bare `zappa update`, the console) and the commit on record no longer describes it.
The lock is a DynamoDB item (table `<project>-deploy-locks`, created on first use) written only if
absent or expired, in one conditional call. Messages name variables, never print their values.
"""

import argparse
import base64
import hashlib
import json
import os
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import boto3
from botocore.exceptions import ClientError

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from write_secure_env import RECORDED, stage_chain  # noqa: E402

REFUSED = 1
FAILED = 3


class Stage:
    def __init__(self, stage: str, settings: Path) -> None:
        self.name = stage
        self.config = json.loads(settings.read_text())
        self.chain = stage_chain(self.config, stage)

    def setting(self, key: str, default: object = None) -> object:
        for name in self.chain:
            if key in self.config[name]:
                return self.config[name][key]
        return default

    @property
    def function(self) -> str:
        return f"{self.setting('project_name')}-{self.name}"

    @property
    def region(self) -> str:
        return str(self.setting("aws_region", "us-east-1"))

    @property
    def bucket(self) -> str:
        return str(self.setting("s3_bucket"))

    @property
    def lock_table(self) -> str:
        return f"{self.setting('project_name')}-deploy-locks"

    def client(self, service: str):
        return boto3.client(service, region_name=self.region)


def say(message: str) -> None:
    print(f"deploy: {message}", flush=True)


def now() -> int:
    return int(time.time())


def when(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


# --- the lock ---------------------------------------------------------------------------------------
def ensure_lock_table(stage: Stage) -> None:
    dynamodb = stage.client("dynamodb")
    try:
        dynamodb.describe_table(TableName=stage.lock_table)
        return
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "ResourceNotFoundException":
            raise
    say(f"creating the lock table {stage.lock_table} (first deploy with a lock)")
    try:
        dynamodb.create_table(
            TableName=stage.lock_table,
            AttributeDefinitions=[{"AttributeName": "stage", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "stage", "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "ResourceInUseException":  # another deploy created it meanwhile
            raise
    dynamodb.get_waiter("table_exists").wait(TableName=stage.lock_table, WaiterConfig={"Delay": 1})


def lock(stage: Stage, owner: str, commit: str, minutes: int) -> int:
    ensure_lock_table(stage)
    dynamodb = stage.client("dynamodb")
    item = {
        "stage": {"S": stage.name},
        "owner": {"S": owner},
        "commit": {"S": commit},
        "host": {"S": os.uname().nodename},
        "started": {"N": str(now())},
        "expires": {"N": str(now() + minutes * 60)},
    }
    try:
        dynamodb.put_item(
            TableName=stage.lock_table,
            Item=item,
            ConditionExpression="attribute_not_exists(stage) OR expires < :now",
            ExpressionAttributeValues={":now": {"N": str(now())}},
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
            raise
        held = dynamodb.get_item(TableName=stage.lock_table, Key={"stage": {"S": stage.name}}).get("Item", {})
        field = {key: next(iter(value.values())) for key, value in held.items()}
        print(
            f"deploy: REFUSED: another deploy of stage {stage.name} holds the lock: commit "
            f"{field.get('commit', '?')} from {field.get('host', '?')}, started {when(int(field.get('started', 0)))}, "
            f"expires {when(int(field.get('expires', 0)))}.\n"
            f"deploy: wait for it; if that deploy is dead, break the lock with: ./deploy.sh {stage.name} --unlock",
            file=sys.stderr,
        )
        return REFUSED
    say(f"lock on stage {stage.name} taken (expires in {minutes} min)")
    return 0


def unlock(stage: Stage, owner: str | None) -> int:
    dynamodb = stage.client("dynamodb")
    key = {"stage": {"S": stage.name}}
    try:
        if owner:
            dynamodb.delete_item(
                TableName=stage.lock_table,
                Key=key,
                ConditionExpression="#o = :me",
                ExpressionAttributeNames={"#o": "owner"},
                ExpressionAttributeValues={":me": {"S": owner}},
            )
            say(f"lock on stage {stage.name} released")
        else:
            held = dynamodb.get_item(TableName=stage.lock_table, Key=key).get("Item")
            dynamodb.delete_item(TableName=stage.lock_table, Key=key)
            what = f"held by commit {held['commit']['S']} from {held['host']['S']}" if held else "no lock was held"
            say(f"lock on stage {stage.name} broken by hand ({what})")
    except ClientError as exc:
        if exc.response["Error"]["Code"] in ("ConditionalCheckFailedException", "ResourceNotFoundException"):
            say(f"lock on stage {stage.name}: not ours any more (expired and taken?), left alone")
            return 0
        raise
    return 0


# --- what is live ---------------------------------------------------------------------------------
def live_configuration(stage: Stage) -> dict | None:
    try:
        return stage.client("lambda").get_function_configuration(FunctionName=stage.function)
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ResourceNotFoundException":
            return None
        raise


def live_commit(configuration: dict) -> tuple[str, bool]:
    """(commit on record, True when the live code is the one shipped with it)."""
    env = configuration.get("Environment", {}).get("Variables", {})
    commit = env.get("APP_COMMIT", "")
    return commit, bool(commit) and env.get("APP_CODE_SHA256") == configuration.get("CodeSha256")


def git(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)


def check(stage: Stage, head: str, initial: bool, allow_older: bool) -> int:
    """May `head` replace what the stage runs? Refusals change nothing and name both commits."""
    configuration = live_configuration(stage)
    if configuration is None:
        if initial:
            say(f"stage {stage.name} does not exist yet: first deploy of {head}")
            return 0
        print(
            f"deploy: REFUSED: stage {stage.name} does not exist yet (no function {stage.function}).\n"
            f"deploy: first deploy: ./deploy.sh {stage.name} --initial",
            file=sys.stderr,
        )
        return REFUSED
    commit, truthful = live_commit(configuration)
    if initial:
        print(
            f"deploy: REFUSED: stage {stage.name} already exists (function {stage.function}, commit "
            f"{commit or 'unknown'}); --initial would fail half-way and its advice, `zappa undeploy`, deletes the "
            f"API and changes its URL.\ndeploy: to update the stage: ./deploy.sh {stage.name}",
            file=sys.stderr,
        )
        return REFUSED
    if not truthful and kept_release_sha(stage, head) == configuration["CodeSha256"]:
        say(f"stage {stage.name} runs the code of {head} (an interrupted deploy of it): deploying it again")
        return 0
    if not truthful:
        reason = "no commit is recorded on it" if not commit else f"its code is not the one commit {commit} shipped"
        verdict = (
            f"stage {stage.name} runs code deploy.sh did not record ({reason}: a bare `zappa update` or the console?)"
        )
    elif commit == head:
        say(f"stage {stage.name} runs {commit} already: deploying it again")
        return 0
    elif git("cat-file", "-e", f"{commit}^{{commit}}").returncode != 0:
        verdict = f"the live commit {commit} is not in this clone's history (a shallow clone? `git fetch --unshallow`)"
    elif git("merge-base", "--is-ancestor", commit, head).returncode == 0:
        say(f"stage {stage.name}: {head} descends from the live {commit}")
        return 0
    elif git("merge-base", "--is-ancestor", head, commit).returncode == 0:
        verdict = f"{head} is OLDER than the live {commit} (the live commit descends from it)"
    else:
        verdict = f"{head} and the live {commit} are unrelated (neither descends from the other)"
    if allow_older:
        say(f"DELIBERATE ROLLBACK (--allow-older) of stage {stage.name} to {head}: {verdict}")
        return 0
    print(
        f"deploy: REFUSED: {verdict}. Nothing was changed; stage {stage.name} still runs {commit or 'unknown code'}.\n"
        f"deploy: to replace it anyway (a deliberate rollback): ./deploy.sh {stage.name} --allow-older",
        file=sys.stderr,
    )
    return REFUSED


# --- releases, snapshot, environment, restore -------------------------------------------------------
def code_sha256(package: Path) -> str:
    return base64.b64encode(hashlib.sha256(package.read_bytes()).digest()).decode()


def release_key(stage: Stage, commit: str) -> str:
    return f"releases/{stage.name}/{commit}.zip"


def release(stage: Stage, package: Path, commit: str) -> int:
    key = release_key(stage, commit)
    stage.client("s3").upload_file(
        str(package), stage.bucket, key, ExtraArgs={"Metadata": {"code-sha256": code_sha256(package)}}
    )
    say(f"artifact kept as s3://{stage.bucket}/{key} (a later rollback restores it)")
    return 0


def kept_release_sha(stage: Stage, commit: str) -> str | None:
    """The code hash of the artifact kept for `commit`, if there is one."""
    try:
        head = stage.client("s3").head_object(Bucket=stage.bucket, Key=release_key(stage, commit))
    except ClientError:
        return None
    return head["Metadata"].get("code-sha256")


def snapshot(stage: Stage, out: Path) -> int:
    configuration = live_configuration(stage)
    state: dict = {"exists": configuration is not None}
    if configuration is not None:
        commit, truthful = live_commit(configuration)
        state.update(
            commit=commit,
            code_sha256=configuration["CodeSha256"],
            environment=configuration.get("Environment", {}).get("Variables", {}),
            release=None,
        )
        if truthful and kept_release_sha(stage, commit) == configuration["CodeSha256"]:
            state["release"] = release_key(stage, commit)
        if state["release"] is None:
            say(
                f"WARNING: no kept copy of the live code of stage {stage.name}: a failure after the update "
                "could restore its configuration only"
            )
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # holds the live secrets
    with os.fdopen(fd, "w") as fh:
        json.dump(state, fh)
    return 0


def wait_updated(stage: Stage) -> None:
    client = stage.client("lambda")
    for _ in range(120):
        status = client.get_function_configuration(FunctionName=stage.function).get("LastUpdateStatus", "Successful")
        if status != "InProgress":
            return
        time.sleep(1)


def stamp(filled: Path, stage: Stage, package: Path, commit: str) -> int:
    config = json.loads(filled.read_text())
    stage_config = config[stage.name]
    stage_config["aws_environment_variables"].update(APP_COMMIT=commit, APP_CODE_SHA256=code_sha256(package))
    filled.write_text(json.dumps(config, indent=2, ensure_ascii=False) + "\n")
    return 0


def apply_env(stage: Stage, filled: Path) -> int:
    """Make the function's environment exactly the stage's: Zappa keeps variables the settings dropped."""
    wanted = json.loads(filled.read_text())[stage.name]["aws_environment_variables"]
    missing = [name for name in RECORDED if name not in wanted]
    if missing:
        print(f"deploy: the filled copy lacks {', '.join(missing)}", file=sys.stderr)
        return FAILED
    client = stage.client("lambda")
    wait_updated(stage)
    live = client.get_function_configuration(FunctionName=stage.function).get("Environment", {}).get("Variables", {})
    removed = sorted(set(live) - set(wanted))
    if live != wanted:
        client.update_function_configuration(FunctionName=stage.function, Environment={"Variables": wanted})
        wait_updated(stage)
    say(f"the function's environment is the stage's exactly; removed: {', '.join(removed) or 'none'}")
    return 0


def restore(stage: Stage, snapshot_file: Path) -> int:
    state = json.loads(snapshot_file.read_text())
    if not state.get("exists"):
        print(f"deploy: stage {stage.name} did not exist before this deploy: nothing to restore", file=sys.stderr)
        return FAILED
    client = stage.client("lambda")
    problems = []
    try:
        if state.get("release"):
            wait_updated(stage)
            client.update_function_code(
                FunctionName=stage.function, S3Bucket=stage.bucket, S3Key=state["release"], Publish=True
            )
        wait_updated(stage)
        client.update_function_configuration(
            FunctionName=stage.function, Environment={"Variables": state["environment"]}
        )
        wait_updated(stage)
        configuration = client.get_function_configuration(FunctionName=stage.function)
    except ClientError as exc:
        print(f"deploy: restore of stage {stage.name}: {exc.response['Error']['Code']}", file=sys.stderr)
        return FAILED
    if configuration["CodeSha256"] != state["code_sha256"]:
        problems.append("code (no kept copy of it)" if not state.get("release") else "code")
    if configuration.get("Environment", {}).get("Variables", {}) != state["environment"]:
        problems.append("configuration")
    if problems:
        print(f"deploy: restore of stage {stage.name}: NOT restored: {', '.join(problems)}", file=sys.stderr)
        return FAILED
    say(f"stage {stage.name} runs commit {state.get('commit') or 'unknown'} again: code and configuration restored")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "action", choices=["lock", "unlock", "check", "snapshot", "release", "stamp", "apply-env", "restore"]
    )
    parser.add_argument("stage")
    parser.add_argument("--settings", type=Path, default=ROOT / "zappa_settings.json")
    parser.add_argument("--owner")
    parser.add_argument("--commit")
    parser.add_argument("--head")
    parser.add_argument("--minutes", type=int, default=45)
    parser.add_argument("--initial", action="store_true")
    parser.add_argument("--allow-older", action="store_true")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--snapshot", type=Path)
    parser.add_argument("--package", type=Path)
    parser.add_argument("--filled", type=Path)
    args = parser.parse_args(argv)
    stage = Stage(args.stage, args.settings)
    if args.action == "lock":
        return lock(stage, args.owner or uuid.uuid4().hex, args.commit, args.minutes)
    if args.action == "unlock":
        return unlock(stage, args.owner)
    if args.action == "check":
        return check(stage, args.head, args.initial, args.allow_older)
    if args.action == "snapshot":
        return snapshot(stage, args.out)
    if args.action == "release":
        return release(stage, args.package, args.commit)
    if args.action == "stamp":
        return stamp(args.filled, stage, args.package, args.commit)
    if args.action == "apply-env":
        return apply_env(stage, args.filled)
    return restore(stage, args.snapshot)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except ClientError as exc:  # the code and operation only: a message could quote a value
        print(f"deploy: AWS refused {exc.operation_name}: {exc.response['Error']['Code']}", file=sys.stderr)
        sys.exit(FAILED)
