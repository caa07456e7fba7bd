"""The committed deploy files: settings without secrets, the right exclusions, valid CI files, clean shell."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SECRETS = {
    "SENDINBLUE_API_KEY",
    "SECRET_KEY",
    "DATABASE_URL",
    "PAYSAFE_ACCOUNT_NUMBER",
    "PAYSAFE_USER",
    "PAYSAFE_PASSWORD",
    "EMAIL_HOST_PASSWORD",
}
DEPLOY_ONLY = {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"}
TEXT = (ROOT / "zappa_settings.json").read_text()
SETTINGS = json.loads(TEXT)


def stage_env(stage):
    while "aws_environment_variables" not in SETTINGS[stage]:
        stage = SETTINGS[stage]["extends"]
    return SETTINGS[stage]["aws_environment_variables"]


@pytest.mark.parametrize("stage", ["dev", "production"])
def test_the_secrets_are_named_apart_and_never_in_the_committed_environment(stage):
    # Zappa keeps the variables a function has that the settings do not name: a bare `zappa update`
    # leaves the live secrets alone (the moto rehearsal shows it).
    env = stage_env(stage)

    assert set(SETTINGS["dev"]["deploy"]["secrets"]) == SECRETS
    assert not SECRETS & set(env)
    assert "" not in env.values()
    assert not DEPLOY_ONLY & set(env), "AWS keys are for the deploy, never the Lambda"
    assert env["DEBUG"] == "False"
    assert ".execute-api." in env["ALLOWED_HOSTS"]


@pytest.mark.parametrize("stage", ["dev", "production"])
def test_every_email_template_has_its_english_and_french_id_named(stage):
    env = stage_env(stage)
    templates = SETTINGS["dev"]["deploy"]["email_templates"]

    assert "RESERVATION_CONFIRMED" in templates
    for name in templates:
        assert env[name].isdigit() and env[f"{name}_FR"].isdigit()


def test_production_refuses_to_deploy_until_every_template_id_is_set():
    assert SETTINGS["production"]["deploy"] == {"require_email_templates": True}
    assert SETTINGS["dev"]["deploy"]["require_email_templates"] is False


def test_production_extends_dev_and_overrides_what_differs():
    production = SETTINGS["production"]
    assert production["extends"] == "dev"
    assert production["s3_bucket"] != SETTINGS["dev"]["s3_bucket"]
    assert production["domain"] != SETTINGS["dev"]["domain"]
    assert stage_env("production")["ALLOWED_HOSTS"] != stage_env("dev")["ALLOWED_HOSTS"]


def test_runtime_and_django_settings():
    dev = SETTINGS["dev"]
    assert dev["runtime"] == "python3.12"
    # Lambda enters app/wsgi.py, where the cold-start steps live; `zappa manage` and the handler's
    # {"manage": ...} events still need django_settings (Zappa 0.63's cli.py and handler.py).
    assert dev["app_function"] == "app.wsgi.application"
    assert dev["django_settings"] == "settings"
    assert dev["keep_warm"] is True
    assert dev["touch"] is False  # deploy.sh checks /healthz itself, and only on a reachable URL


def test_tests_docs_tools_caches_and_the_settings_file_never_enter_the_package():
    dev = SETTINGS["dev"]
    for pattern in ("zappa_settings.json", ".env", ".git", "__pycache__", ".mypy_cache", "boto3", "botocore"):
        assert pattern in dev["exclude"]
    for top_level in ("tests", "docs", "benchmarks", "scripts", "build"):
        assert top_level in dev["exclude_glob"]


def test_no_account_id_arn_or_key_is_committed():
    assert "arn:aws" not in TEXT
    assert "AKIA" not in TEXT
    assert "certificate_arn" not in TEXT and "role_arn" not in TEXT


def test_the_file_is_in_the_layout_write_secure_env_keeps():
    # write_secure_env.py rewrites with two-space indentation: a committed file in that layout
    # differs from the filled one only by the filled values.
    assert TEXT == json.dumps(SETTINGS, indent=2, ensure_ascii=False) + "\n"


def test_shellcheck_is_clean():
    scripts = ["deploy.sh", ".ci/run", *(str(p.relative_to(ROOT)) for p in (ROOT / "scripts").glob("*.sh"))]
    proc = subprocess.run([str(BIN / "shellcheck"), *scripts], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout


def test_deploy_sh_is_strict_bash():
    head = (ROOT / "deploy.sh").read_text().splitlines()
    assert head[0] == "#!/usr/bin/env bash"
    assert "set -euo pipefail" in head


@pytest.mark.parametrize(
    ("path", "schema"),
    [(".travis.yml", "vendor.travis"), (".github/workflows/ci.yml", "vendor.github-workflows")],
)
def test_ci_files_are_valid(path, schema):
    proc = subprocess.run(
        [str(BIN / "check-jsonschema"), "--builtin-schema", schema, path], cwd=ROOT, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_both_ci_files_deploy_dev_from_develop_with_the_same_scripts():
    import yaml

    travis = yaml.safe_load((ROOT / ".travis.yml").read_text())
    deploy = travis["deploy"][0]
    on = deploy.get("on", deploy.get(True))  # YAML 1.1 reads a bare `on` key as True
    assert deploy["provider"] == "script" and on["branch"] == "develop"
    assert "after_success" not in travis  # a failed deploy must fail the build
    assert deploy["script"] == "python3 write_secure_env.py dev && ./deploy.sh dev"

    workflow = yaml.safe_load((ROOT / ".github/workflows/ci.yml").read_text())
    job = workflow["jobs"]["deploy-dev"]
    assert job["permissions"]["id-token"] == "write"
    assert "refs/heads/develop" in job["if"]
    runs = [step.get("run") for step in job["steps"] if step.get("run")]
    assert runs == ["python3 write_secure_env.py dev", "./deploy.sh dev"]
    assert not DEPLOY_ONLY & set(job["env"]), "AWS credentials come from the OIDC role, not stored keys"
    assert SECRETS <= set(job["env"])


def travis_deploys(pipeline, branch="develop"):
    """Travis's deploy condition, read back from .travis.yml and run by bash as Travis does."""
    import yaml

    deploy = yaml.safe_load((ROOT / ".travis.yml").read_text())["deploy"][0]
    on = deploy.get("on", deploy.get(True))
    env = {"PATH": "/usr/bin:/bin", **({"DEPLOY_PIPELINE": pipeline} if pipeline is not None else {})}
    condition = subprocess.run(["bash", "-c", f"[[ ( {on['condition']} ) ]]"], env=env, check=False)
    return branch == on["branch"] and condition.returncode == 0


def github_deploys(pipeline, event="push", ref="refs/heads/develop"):
    """The deploy job's `if`, read back from the workflow: a conjunction of `name == 'literal'` clauses."""
    import yaml

    condition = yaml.safe_load((ROOT / ".github/workflows/ci.yml").read_text())["jobs"]["deploy-dev"]["if"]
    context = {"github.event_name": event, "github.ref": ref, "vars.DEPLOY_PIPELINE": pipeline or ""}
    clauses = [clause.strip().split(" == ") for clause in condition.split("&&")]
    assert all(len(clause) == 2 and clause[0] in context for clause in clauses), condition
    return all(context[name] == literal.strip("'") for name, literal in clauses)


@pytest.mark.parametrize("pipeline", ["travis", "github", None, "both"])
def test_exactly_the_pipeline_named_by_deploy_pipeline_deploys(pipeline):
    deployers = [
        name for name, deploys in (("travis", travis_deploys), ("github", github_deploys)) if deploys(pipeline)
    ]

    assert deployers == ([pipeline] if pipeline in ("travis", "github") else [])
    assert not travis_deploys("travis", branch="main") and not github_deploys("github", ref="refs/heads/main")
    assert not github_deploys("github", event="pull_request")


def test_both_pipelines_test_every_push_whatever_deploy_pipeline_says():
    import yaml

    travis = yaml.safe_load((ROOT / ".travis.yml").read_text())
    workflow = yaml.safe_load((ROOT / ".github/workflows/ci.yml").read_text())
    assert "if" not in workflow["jobs"]["test"] and "condition" not in json.dumps(travis["script"])
    assert travis["git"]["depth"] is False  # the history deploy.sh compares the live commit with
    checkout = workflow["jobs"]["deploy-dev"]["steps"][0]
    assert checkout["uses"].startswith("actions/checkout@") and checkout["with"]["fetch-depth"] == 0


def test_both_pipelines_provide_postgresql_and_pass_its_url_to_the_tests():
    import yaml

    # GitHub Actions: a postgres service, and the test job's environment names it and sets CI.
    workflow = yaml.safe_load((ROOT / ".github/workflows/ci.yml").read_text())
    job = workflow["jobs"]["test"]
    service = job["services"]["postgres"]
    assert service["image"].startswith("postgres:")
    user, password = service["env"]["POSTGRES_USER"], service["env"]["POSTGRES_PASSWORD"]
    assert job["env"]["POSTGRES_TEST_URL"].startswith(f"postgres://{user}:{password}@postgres:5432/")
    assert job["env"]["CI"] == "true"
    assert [step["run"] for step in job["steps"] if "run" in step] == [".ci/run"]

    # Travis: a postgres container on the host, the build container on the host's network, and
    # the URL and CI passed into it by name.
    travis = yaml.safe_load((ROOT / ".travis.yml").read_text())
    url = next(item.split("=", 1)[1] for item in travis["env"]["global"] if item.startswith("POSTGRES_TEST_URL="))
    started = " ".join(travis["before_script"])
    assert "postgres:15" in started and "-p 127.0.0.1:5432:5432" in started
    assert url.startswith("postgres://writing:writing@127.0.0.1:5432/")
    assert "POSTGRES_USER=writing" in started and "POSTGRES_PASSWORD=writing" in started
    build = " ".join(travis["script"])
    assert "--network host" in build and "-e POSTGRES_TEST_URL" in build and "-e CI=true" in build
    assert build.rstrip().endswith(".ci/run")

    # .ci/run keeps a given URL, and in CI fails rather than letting the concurrency tests skip.
    run = (ROOT / ".ci/run").read_text()
    assert 'pg_reachable "$POSTGRES_TEST_URL"' in run
    assert 'export POSTGRES_TEST_URL="$LOCAL_URL"' in run
    assert "pg_ctlcluster" in run and "postgresql15-server" in run and "initdb" in run
    assert '[ "${CI:-}" = "true" ]' in run and "exit 1" in run


def test_in_ci_the_postgresql_tests_fail_instead_of_skipping(monkeypatch):
    from tests import postgres

    for url in ("", "postgres://nobody:wrong@127.0.0.1:1/nowhere"):  # not set, then nothing listening
        monkeypatch.setattr(postgres, "POSTGRES_URL", url)
        monkeypatch.setattr(postgres, "IN_CI", True)
        with pytest.raises(pytest.fail.Exception, match="In CI the PostgreSQL tests must run"):
            with postgres.database("probe"):
                pass
        monkeypatch.setattr(postgres, "IN_CI", False)
        with pytest.raises(pytest.skip.Exception, match="POSTGRES_TEST_URL"):
            with postgres.database("probe"):
                pass
