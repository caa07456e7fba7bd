"""deploy.sh against moto on 127.0.0.1: first deploy, update, and the two ways it must stop early."""

import http.server
import json
import subprocess
import threading
import zipfile

import pytest
from rehearse_deploy import Rehearsal


def test_both_deploys_passed_every_step_and_never_printed_a_secret(rehearsal):
    for proc in (rehearsal.initial, rehearsal.update):
        output = proc.stdout + proc.stderr
        for step in (
            "secrets",
            "venv",
            "collectstatic",
            "zappa package",
            "bytecode: compile what the package ships as source",
            "artifact smoke test",
            "zappa update with the tested artifact",
            "zappa manage migrate",
        ):
            assert f"] {step}" in output
        assert "smoke test passed" in output
        assert "no secret value is in the package" in output
        for value in rehearsal.secrets.values():
            assert value not in output
    assert "zappa deploy" in rehearsal.initial.stdout


def test_the_lambda_environment_equals_the_filled_settings(rehearsal):
    configuration = rehearsal.lambda_configuration()

    assert configuration["Environment"]["Variables"] == rehearsal.expected_environment()
    assert configuration["Runtime"] == "python3.12"


def test_each_deploy_leaves_the_function_running_the_artifact_it_tested(rehearsal):
    versions = rehearsal.client("lambda").list_versions_by_function(FunctionName=rehearsal.function_name)["Versions"]
    assert len([v for v in versions if v["Version"] != "$LATEST"]) >= 3  # deploy, its update, the update
    assert rehearsal.code_sha256_after_initial == rehearsal.initial_package_sha256
    assert rehearsal.lambda_configuration()["CodeSha256"] == rehearsal.update_package_sha256


def test_the_packages_in_s3_hold_no_secret_and_no_test_only_package(rehearsal):
    packages = rehearsal.s3_packages()

    assert packages, "the first deploy's upload is kept (delete_s3_zip: false in the rehearsal)"
    for key, data in packages.items():
        assert rehearsal.package_problems(data) == [], key


def test_zappa_settings_json_is_byte_identical_to_the_committed_one(rehearsal):
    def committed(commit):
        return subprocess.run(
            ["git", "show", f"{commit}:zappa_settings.json"], cwd=rehearsal.repo, capture_output=True, check=True
        ).stdout

    assert rehearsal.settings_after_initial == committed(rehearsal.initial_commit)
    assert (rehearsal.repo / "zappa_settings.json").read_bytes() == committed("HEAD")
    assert not (rehearsal.repo / "build" / "secrets" / "zappa_settings.dev.json").exists()
    assert not list(rehearsal.repo.glob("zappa_settings.json.*")) and not list(rehearsal.repo.glob(".zappa_settings*"))


class Recorder(http.server.BaseHTTPRequestHandler):
    """Stands in for AWS: records every request it receives."""

    requests = []

    def handle_one_request(self):
        self.raw_requestline = self.rfile.readline(65537)
        if self.raw_requestline:
            Recorder.requests.append(self.raw_requestline)
            self.wfile.write(b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        self.close_connection = True

    def log_message(self, *args):
        pass


@pytest.fixture
def recording_aws():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Recorder.requests = []
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_missing_secret_stops_the_deploy_before_any_aws_call(rehearsal, recording_aws):
    class Endpoint:
        url = recording_aws

    probe = Rehearsal(rehearsal.workdir / "missing-secret", Endpoint, venv=rehearsal.venv).prepare()
    env = probe.env(PAYSAFE_PASSWORD=None)
    committed = (probe.repo / "zappa_settings.json").read_bytes()

    proc = probe.deploy(env=env, timeout=120)

    assert proc.returncode != 0
    assert "PAYSAFE_PASSWORD" in proc.stderr
    assert Recorder.requests == []
    assert (probe.repo / "zappa_settings.json").read_bytes() == committed
    for value in probe.secrets.values():
        assert value not in proc.stdout + proc.stderr


def test_a_failing_smoke_test_stops_the_deploy_before_the_stage_changes(rehearsal, tmp_path):
    # A child of the live commit, so every check before the build passes.
    probe = rehearsal.worktree(tmp_path / "broken-smoke")
    before = rehearsal.lambda_configuration()
    # A host list that rejects API Gateway's host: every request would answer 400.
    probe.edit_settings(
        lambda config: config["dev"]["aws_environment_variables"].update(ALLOWED_HOSTS="nowhere.invalid"),
        "break ALLOWED_HOSTS",
    )

    proc = probe.deploy()

    assert proc.returncode == 1
    assert "FAILED: artifact smoke test" in proc.stderr
    assert "GET /healthz answered 400" in proc.stderr
    assert "zappa update" not in proc.stdout.split("artifact smoke test")[-1]
    assert "nothing was changed on AWS" in proc.stderr
    after = rehearsal.lambda_configuration()
    assert (after["CodeSha256"], after["Environment"]) == (before["CodeSha256"], before["Environment"])
    assert rehearsal.lock_item() is None  # released on the way out
    with zipfile.ZipFile(probe.repo / "build" / "dev-package.zip"):
        pass  # the failed artifact stays on disk for inspection


GIT_ENV = {
    "GIT_AUTHOR_NAME": "rehearsal",
    "GIT_AUTHOR_EMAIL": "rehearsal@localhost",
    "GIT_COMMITTER_NAME": "rehearsal",
    "GIT_COMMITTER_EMAIL": "rehearsal@localhost",
    "PATH": "/usr/bin:/bin:/usr/local/bin",
}


def test_the_role_may_touch_only_the_stages_own_resources(rehearsal):
    documents = rehearsal.role_policy()

    assert list(documents) == ["zappa-permissions"]
    assert rehearsal.policy_problems() == []
    actions = {action for statement in documents["zappa-permissions"]["Statement"] for action in statement["Action"]}
    assert "lambda:InvokeFunction" in actions  # e-mail tasks invoke the function itself
    assert not {action for action in actions if action.split(":")[0] in {"dynamodb", "sns", "route53"}}
    assert {action for action in actions if action.startswith("sqs:")} == {"sqs:SendMessage"}  # failed tasks


def test_the_policy_check_finds_zappas_default_policy_too_broad(rehearsal):
    # The check itself can fail: Zappa's own default policy (logs:*, s3:* on everything...) is refused.
    from zappa.core import ATTACH_POLICY

    class Default(type(rehearsal)):
        def role_policy(self):
            return {"zappa-permissions": json.loads(ATTACH_POLICY)}

    probe = Default.__new__(Default)
    probe.__dict__.update(rehearsal.__dict__)
    problems = probe.policy_problems()
    assert "zappa-permissions: wildcard action logs:*" in problems
    assert "zappa-permissions: wildcard action s3:*" in problems


def test_each_scheduled_function_has_a_rule_targeting_the_function(rehearsal):
    rules = {name.rsplit("-", 1)[-1]: expression for name, expression, _ in rehearsal.scheduled_rules()}

    assert rules["app.core.scheduled.reconcile_payments"] == "rate(15 minutes)"
    assert rules["app.core.scheduled.clear_expired_tokens"] == "rate(1 day)"


def test_a_bare_zappa_update_leaves_the_live_secrets(rehearsal):
    # What the seed and the old docs name, run by hand with the committed (secret-free) settings and
    # no secret in the environment: Zappa keeps the variables the settings do not name. It ships
    # the live artifact again, so the deploy tests after it still find the code deploy.sh recorded.
    lambda_client = rehearsal.client("lambda")
    versions_before = len(lambda_client.list_versions_by_function(FunctionName=rehearsal.function_name)["Versions"])
    before = rehearsal.lambda_configuration()["Environment"]["Variables"]
    env = {name: value for name, value in rehearsal.env().items() if name not in rehearsal.secrets}
    env["VIRTUAL_ENV"] = str(rehearsal.venv)

    proc = subprocess.run(
        [
            str(rehearsal.venv / "bin" / "python"),
            "scripts/zappa_on_moto.py",
            "update",
            "dev",
            "--zip",
            str(rehearsal.repo / "build" / "dev-package.zip"),
        ],
        cwd=rehearsal.repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    versions = lambda_client.list_versions_by_function(FunctionName=rehearsal.function_name)["Versions"]
    assert len(versions) == versions_before + 1  # the update did happen
    after = rehearsal.lambda_configuration()["Environment"]["Variables"]
    assert {name: after.get(name) for name in rehearsal.secrets} == rehearsal.secrets
    assert after == before


def test_a_variable_removed_from_the_settings_is_removed_from_the_function(rehearsal):
    assert rehearsal.environment_after_initial["RETIRED_CREDENTIAL"] == "old-value"
    assert "RETIRED_CREDENTIAL" not in rehearsal.lambda_configuration()["Environment"]["Variables"]
    assert "removed: RETIRED_CREDENTIAL" in rehearsal.update.stdout


def test_the_function_records_the_commit_and_code_it_runs(rehearsal):
    env = rehearsal.lambda_configuration()["Environment"]["Variables"]

    assert rehearsal.environment_after_initial["APP_COMMIT"] == rehearsal.initial_commit
    assert env["APP_COMMIT"] == rehearsal.head() != rehearsal.initial_commit
    assert env["APP_CODE_SHA256"] == rehearsal.update_package_sha256 == rehearsal.lambda_configuration()["CodeSha256"]
    assert f"deployed stage dev: commit {rehearsal.head()}" in rehearsal.update.stdout
