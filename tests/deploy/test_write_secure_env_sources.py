"""write_secure_env.py's sources: SSM Parameter Store (moto on 127.0.0.1) and stage-scoped environment names."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import boto3
import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "write_secure_env.py"
NAMES = ["SECRET_KEY", "DATABASE_URL", "PAYSAFE_ACCOUNT_NUMBER"]
PROD = {
    "SECRET_KEY": "production-key-" + "p4Q" * 20,
    "DATABASE_URL": "postgres://app:prod-pass@prod-db.internal:5432/app",
    "PAYSAFE_ACCOUNT_NUMBER": "2002345678",
}
DEV = {
    "SECRET_KEY": "development-key-" + "d7X" * 20,
    "DATABASE_URL": "postgres://app:dev-pass@dev-db.internal:5432/app",
    "PAYSAFE_ACCOUNT_NUMBER": "1001234567",
}


@pytest.fixture
def settings_file(request, tmp_path):
    project = re.sub(r"[^a-z0-9]", "-", request.node.name.lower())[:40]
    settings = {
        "dev": {
            "project_name": project,
            "deploy": {"secrets": NAMES},
            "aws_environment_variables": {"DEBUG": "False"},
        },
        "production": {"extends": "dev", "aws_environment_variables": {"DEBUG": "False"}},
    }
    path = tmp_path / "zappa_settings.json"
    path.write_text(json.dumps(settings, indent=2) + "\n")
    return SimpleNamespace(path=path, project=project)


def run(settings_file, *args, env=None):
    clean = {k: v for k, v in os.environ.items() if k not in NAMES and not k.startswith(("AWS_", "PRODUCTION_"))}
    output = settings_file.path.parent / "secrets" / "filled.json"
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--settings", str(settings_file.path), "--output", str(output), *args],
        env={**clean, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
    )
    proc.filled = json.loads(output.read_text()) if output.exists() else None
    return proc


def moto_env(moto_server):
    return {
        "AWS_ENDPOINT_URL": moto_server.url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": "ca-central-1",
    }


def put(moto_server, project, stage, values):
    ssm = boto3.client("ssm", endpoint_url=moto_server.url, region_name="ca-central-1", **FAKE)
    for name, value in values.items():
        ssm.put_parameter(Name=f"/{project}/{stage}/{name}", Value=value, Type="SecureString", Overwrite=True)


FAKE = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


def printed(proc):
    return proc.stdout + proc.stderr


def test_the_ssm_source_fills_the_copy_with_the_stages_parameters(settings_file, moto_server):
    put(moto_server, settings_file.project, "production", PROD)
    put(moto_server, settings_file.project, "dev", DEV)

    proc = run(settings_file, "--source", "ssm", "production", env=moto_env(moto_server))

    assert proc.returncode == 0, proc.stderr
    assert {name: proc.filled["production"]["aws_environment_variables"][name] for name in NAMES} == PROD
    for value in [*PROD.values(), *DEV.values()]:
        assert value not in printed(proc)


def test_secrets_source_ssm_in_the_environment_chooses_the_ssm_source(settings_file, moto_server):
    put(moto_server, settings_file.project, "dev", DEV)

    proc = run(settings_file, "dev", env={**moto_env(moto_server), "SECRETS_SOURCE": "ssm", **PROD})

    assert proc.returncode == 0, proc.stderr
    assert proc.filled["dev"]["aws_environment_variables"]["DATABASE_URL"] == DEV["DATABASE_URL"]  # not the env's


def test_a_missing_parameter_writes_nothing_and_names_it(settings_file, moto_server):
    put(moto_server, settings_file.project, "production", {"SECRET_KEY": PROD["SECRET_KEY"]})
    put(moto_server, settings_file.project, "dev", DEV)  # dev's values are never a fallback

    proc = run(settings_file, "--source", "ssm", "production", env=moto_env(moto_server))

    assert proc.returncode == 1
    assert "missing from the ssm source: DATABASE_URL, PAYSAFE_ACCOUNT_NUMBER" in proc.stderr
    assert proc.filled is None
    for value in [*PROD.values(), *DEV.values()]:
        assert value not in printed(proc)


def test_an_unreachable_parameter_store_is_a_clear_error(settings_file, moto_server):
    env = {**moto_env(moto_server), "AWS_ENDPOINT_URL": "http://127.0.0.1:9", "AWS_MAX_ATTEMPTS": "1"}

    proc = run(settings_file, "--source", "ssm", "dev", env=env)

    assert proc.returncode == 2
    assert "Parameter Store unreachable for /" in proc.stderr and proc.filled is None


def test_a_stage_scoped_name_wins_and_check_tells_the_stages_apart_by_digest(settings_file):
    env = {**DEV, **{f"PRODUCTION_{name}": value for name, value in PROD.items()}}

    production = run(settings_file, "--check", "production", env=env)
    dev = run(settings_file, "--check", "dev", env=env)
    shell_with_devs_exports = run(settings_file, "--check", "production", env=DEV)

    assert production.returncode == dev.returncode == shell_with_devs_exports.returncode == 0
    assert "DATABASE_URL: from PRODUCTION_DATABASE_URL, digest" in production.stdout
    assert "DATABASE_URL: from DATABASE_URL, digest" in dev.stdout

    def digests(proc):
        return dict(re.findall(r"(\w+): from \w+, digest ([0-9a-f]{6})", proc.stdout))

    assert set(digests(production)) == set(NAMES)
    assert all(digests(production)[name] != digests(dev)[name] for name in NAMES)
    assert digests(shell_with_devs_exports) == digests(dev)  # dev's values on their way to production: visible
    for proc in (production, dev, shell_with_devs_exports):
        assert proc.filled is None
        for value in [*PROD.values(), *DEV.values()]:
            assert value not in printed(proc)


def test_a_stage_scoped_value_reaches_the_copy(settings_file):
    env = {**DEV, "PRODUCTION_DATABASE_URL": PROD["DATABASE_URL"]}

    proc = run(settings_file, "production", env=env)

    assert proc.returncode == 0, proc.stderr
    variables = proc.filled["production"]["aws_environment_variables"]
    assert variables["DATABASE_URL"] == PROD["DATABASE_URL"]
    assert variables["SECRET_KEY"] == DEV["SECRET_KEY"]  # no PRODUCTION_SECRET_KEY: the plain name
    assert "PRODUCTION_DATABASE_URL" not in variables
