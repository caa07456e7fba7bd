#!/usr/bin/env python3
"""Run a Zappa package's handler locally, as Lambda would, before it is deployed.

The zip is unpacked into a temporary directory and its `handler.lambda_handler` is called in a
fresh, isolated Python 3.12 process with the stage's `aws_environment_variables` (they are not in
the zip) and a temporary sqlite database. Four events are sent:

1. `{"manage": "migrate --noinput"}` (what `zappa manage STAGE migrate` sends): the tables must exist afterwards;
2. an API Gateway REST (v1) proxy event for `GET /healthz`: it must answer 200 with status "ok";
3. `POST /api/auth/token/` with wrong credentials and `Accept-Language: fr`: the refusal must be the
   project's French sentence, which proves the compiled catalog (.mo) is in the package and loads;
4. `{"manage": "check"}`: Django's system checks must pass.

Nothing may be logged at ERROR level or above while they run (the cold start included), and the
package's `zappa_settings.py` may not name a WEBSOCKET_HANDLER_MODULE: the app has no WebSocket
routes, and Zappa 0.63 writes one when it finds any module importing `zappa.websocket` in the project
tree, such as its own handler.py in a venv that is not in a hidden directory (docs/DEPLOYING.md).

boto3/botocore/s3transfer are not in the package (the Lambda runtime provides them), so they are
taken from `--runtime-libs` and put after the package on `sys.path`, as in the runtime.
Secrets are never printed: the stage's secrets (`deploy.secrets`) get placeholders (the real ones are not
needed here) and the report names variables, not values.

Exit status 0 when every check passed, 1 otherwise.
"""

import argparse
import ast
import json
import os
import secrets
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from write_secure_env import secret_names, stage_environment

# What the python3.12 Lambda runtime ships besides the standard library.
RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "six.py", "urllib3")

CHILD = r"""
import json, sys
package, libs, out = sys.argv[1:4]
sys.path.insert(0, package)
sys.path.append(libs)
events = json.loads(sys.stdin.read())

class Context:
    function_name = "smoke-test"
    aws_request_id = "00000000-0000-0000-0000-000000000000"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:000000000000:function:smoke-test"
    def get_remaining_time_in_millis(self):
        return 30000

# Every record a logger emits at ERROR or above, whatever handlers the app's logging config installs.
import logging
errors = []
make_record = logging.getLogRecordFactory()
def recording_factory(*args, **kwargs):
    record = make_record(*args, **kwargs)
    if record.levelno >= logging.ERROR:
        errors.append(f"{record.levelname} {record.name}: {record.getMessage()}"[:500])
    return record
logging.setLogRecordFactory(recording_factory)

results = []
try:
    import handler
    for name, event in events:
        try:
            results.append([name, "ok", handler.lambda_handler(event, Context())])
        except BaseException as exc:  # a failing command must be reported, not crash the runner
            results.append([name, "raised", type(exc).__name__ + ": " + str(exc)[:300]])
except BaseException as exc:
    results.append(["import handler", "raised", type(exc).__name__ + ": " + str(exc)[:300]])
import sqlite3, os
db = os.environ["SMOKE_SQLITE_PATH"]
tables = []
if os.path.exists(db):
    tables = [r[0] for r in sqlite3.connect(db).execute("select name from sqlite_master where type='table'")]
with open(out, "w") as fh:
    json.dump({"results": results, "tables": tables, "errors": errors}, fh, default=str)
"""


# The project's own French for a refused login (app/locale/fr): found only if the .mo shipped.
FRENCH_LOGIN_REFUSAL = "Impossible de se connecter avec ce courriel et ce mot de passe"


def api_gateway_event(path, stage, region, method="GET", body=None, extra_headers=None):
    """A REST API (v1) proxy event as API Gateway sends it, TLS terminated at the gateway."""
    host = f"smoke0test.execute-api.{region}.amazonaws.com"
    headers = {
        **(extra_headers or {}),
        "Accept": "application/json",
        "Host": host,
        "User-Agent": "deploy-smoke-test",
        "X-Forwarded-For": "203.0.113.10",
        "X-Forwarded-Port": "443",
        "X-Forwarded-Proto": "https",
    }
    return {
        "resource": "/{proxy+}",
        "path": path,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": {"proxy": path.lstrip("/")},
        "stageVariables": None,
        "requestContext": {
            "resourcePath": "/{proxy+}",
            "httpMethod": method,
            "path": f"/{stage}{path}",
            "stage": stage,
            "requestId": "smoke-test-request",
            "identity": {"sourceIp": "203.0.113.10", "userAgent": "deploy-smoke-test"},
        },
        "body": body,
        "isBase64Encoded": False,
    }


def runtime_libs_dir(site_packages, into):
    """A directory holding only what the Lambda runtime provides, linked from `site_packages`."""
    into.mkdir()
    for entry in Path(site_packages).iterdir():
        name = entry.name
        base = name.split("-")[0] if name.endswith(".dist-info") else name
        if base in RUNTIME_PROVIDED or (base == "python_dateutil" and "dateutil" in RUNTIME_PROVIDED):
            (into / name).symlink_to(entry)
    return into


def default_site_packages():
    import boto3  # the runtime's own copy, wherever this script's interpreter finds it

    return str(Path(boto3.__file__).resolve().parent.parent)


def secrets_in_package(package, committed, filled, stage):
    """Names of the secrets (named in `committed`, set in `filled`) whose value is found in the zip."""
    names = secret_names(json.loads(Path(committed).read_text()), stage)
    values = stage_environment(json.loads(Path(filled).read_text()), stage)
    needles = {name: values.get(name, "").encode() for name in names}
    needles = {name: needle for name, needle in needles.items() if len(needle) >= 4}
    found = set()
    with zipfile.ZipFile(package) as archive:
        for info in archive.infolist():
            data = archive.read(info)
            found.update(name for name, needle in needles.items() if needle in data)
    return sorted(found)


def websocket_handler_module(package):
    """The WEBSOCKET_HANDLER_MODULE that Zappa wrote into the package's zappa_settings.py, or None."""
    with zipfile.ZipFile(package) as archive:
        try:
            source = archive.read("zappa_settings.py").decode()
        except KeyError:
            return None
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "WEBSOCKET_HANDLER_MODULE" for target in node.targets
        ):
            return ast.literal_eval(node.value) or None
    return None


def module_file(dotted, root):
    """The file under `root` that Zappa named `dotted` (its directories may hold dots: `python3.12`)."""

    def find(base, parts):
        for size in range(len(parts), 0, -1):
            name = ".".join(parts[:size])
            if size == len(parts):
                for candidate in (base / f"{name}.py", base / name / "__init__.py"):
                    if candidate.is_file():
                        return candidate
            elif (base / name).is_dir():
                found = find(base / name, parts[size:])
                if found:
                    return found
        return None

    found = find(Path(root), dotted.split("."))
    return found.relative_to(root) if found else None


def websocket_failure(package, project):
    """Why the package must not ship if Zappa made it a WebSocket app, or None."""
    module = websocket_handler_module(package)
    if not module:
        return None
    found = module_file(module, project)
    where = str(project / found) if found else f"the project's module {module}"
    return (
        f"the package's zappa_settings.py sets WEBSOCKET_HANDLER_MODULE={module!r}: Zappa found "
        f"`zappa.websocket` imported in {where} and would make this app a WebSocket "
        "app (a WebSocket API, its permissions, a failed import logged at every cold start), but the "
        "app has no WebSocket routes. Move that directory out of the project or into a hidden one "
        "(Zappa skips dot-directories: deploy.sh's venv is build/.lambda-venv), then package again."
    )


def smoke_test(package, settings, stage, python, site_packages, work):
    config = json.loads(Path(settings).read_text())
    region = config[stage].get("aws_region") or config.get(config[stage].get("extends", ""), {}).get("aws_region")
    region = region or "us-east-1"
    env_vars = {**stage_environment(config, stage), **dict.fromkeys(secret_names(config, stage), "")}

    pkg_dir = work / "package"
    with zipfile.ZipFile(package) as archive:
        archive.extractall(pkg_dir)
    libs = runtime_libs_dir(site_packages, work / "runtime-libs")
    db_path = work / "smoke.sqlite3"

    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", "HOME": str(work)}
    placeholders = sorted(name for name, value in env_vars.items() if value == "")
    for name, value in env_vars.items():
        # A long random placeholder: Django's deploy checks reject short or patterned keys.
        env[name] = value or f"smoke-{secrets.token_urlsafe(40)}"
    env.update(
        DATABASE_URL=f"sqlite:///{db_path}",
        SMOKE_SQLITE_PATH=str(db_path),
        AWS_REGION=region,
        AWS_DEFAULT_REGION=region,
        AWS_LAMBDA_FUNCTION_NAME="smoke-test",
        LAMBDA_TASK_ROOT=str(pkg_dir),
    )
    events = [
        ["migrate", {"manage": "migrate --noinput"}],
        ["GET /healthz", api_gateway_event("/healthz", stage, region)],
        [
            "French refusal",
            api_gateway_event(
                "/api/auth/token/",
                stage,
                region,
                method="POST",
                body=json.dumps({"email": "nobody@example.com", "password": "not-the-password"}),
                extra_headers={"Content-Type": "application/json", "Accept-Language": "fr"},
            ),
        ],
        ["check", {"manage": "check"}],
    ]
    out = work / "results.json"
    proc = subprocess.run(
        [python, "-I", "-c", CHILD, str(pkg_dir), str(libs), str(out)],
        cwd=pkg_dir,
        env=env,
        input=json.dumps(events),
        capture_output=True,
        text=True,
        timeout=300,
    )
    failures = []
    if not out.exists():
        tail = (proc.stderr or proc.stdout)[-2000:]
        return [f"the handler process died (exit {proc.returncode}): {tail}"], placeholders
    report = json.loads(out.read_text())
    by_name = {name: (state, value) for name, state, value in report["results"]}
    for name, (state, value) in by_name.items():
        if state != "ok":
            failures.append(f"{name}: {value}")
    failures += [f"logged at ERROR level: {line}" for line in report["errors"]]
    if "import handler" in by_name:
        return failures, placeholders
    if "accounts_user" not in report["tables"] or "django_migrations" not in report["tables"]:
        failures.append("migrate: the tables were not created in the temporary database")
    state, response = by_name.get("GET /healthz", ("missing", None))
    if state == "ok":
        status = response.get("statusCode") if isinstance(response, dict) else None
        body = response.get("body", "") if isinstance(response, dict) else ""
        if status != 200 or '"ok"' not in body:
            failures.append(f"GET /healthz answered {status}: {body[:300]}")
    state, response = by_name.get("French refusal", ("missing", None))
    if state == "ok":
        status = response.get("statusCode") if isinstance(response, dict) else None
        body = json.loads(response.get("body") or "{}") if isinstance(response, dict) else {}
        if status != 400 or FRENCH_LOGIN_REFUSAL not in json.dumps(body, ensure_ascii=False):
            failures.append(f"POST /api/auth/token/ in French answered {status}: {str(body)[:300]}")
    if proc.returncode != 0:
        failures.append(f"the handler process exited with {proc.returncode}: {proc.stderr[-1000:]}")
    return failures, placeholders


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("package", help="the zip made by `zappa package`")
    parser.add_argument("--stage", default="dev")
    parser.add_argument("--settings", default="zappa_settings.json")
    parser.add_argument("--python", default="python3.12", help="the Lambda runtime's Python (3.12)")
    parser.add_argument("--filled-settings", help="settings with the secrets filled: none may be in the zip")
    parser.add_argument("--runtime-libs", help="site-packages holding boto3/botocore (default: this interpreter's)")
    args = parser.parse_args(argv)

    if args.filled_settings:
        leaked = secrets_in_package(args.package, args.settings, args.filled_settings, args.stage)
        if leaked:
            print(f"smoke test FAILED: the package contains the value of {', '.join(leaked)}", file=sys.stderr)
            return 1
        print("smoke test: no secret value is in the package")
    websocket = websocket_failure(args.package, Path(args.settings).resolve().parent)
    if websocket:
        print(f"smoke test FAILED: {websocket}", file=sys.stderr)
        return 1
    site_packages = args.runtime_libs or default_site_packages()
    with tempfile.TemporaryDirectory(prefix="smoke-test-") as tmp:
        failures, placeholders = smoke_test(
            args.package, args.settings, args.stage, args.python, site_packages, Path(tmp)
        )
    if placeholders:
        print(f"smoke test: placeholders used for the secrets {', '.join(placeholders)}.")
    if failures:
        print("smoke test FAILED:", file=sys.stderr)
        for failure in failures:
            print(f"  - {failure}", file=sys.stderr)
        return 1
    print(
        "smoke test passed: migrate created the tables, GET /healthz answered 200, "
        "a refused login answered in French, manage check passed, nothing logged at ERROR level"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
