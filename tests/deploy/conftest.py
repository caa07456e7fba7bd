"""Session fixtures of the deploy tests: one runtime venv, one moto server, one rehearsed deploy.

The runtime-only venv is built once per session from build/wheelhouse (filled by `make venv`),
with no network; rehearsing `deploy.sh dev --initial` then `deploy.sh dev` also happens once, and
every test below reads the result. Under pytest-xdist every test that uses them runs on one
worker (group "deploy", given in tests/conftest.py), so they are built once while the other worker
runs the rest.
"""

import base64
import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

from rehearse_deploy import MotoServer, Rehearsal  # noqa: E402


@pytest.fixture(scope="session")
def python312():
    return subprocess.run(
        [str(ROOT / "scripts" / "find_python.sh")], capture_output=True, text=True, check=True
    ).stdout.strip()


WHEELHOUSE = ROOT / "build" / "wheelhouse"


def install_offline(venv):
    """requirements.txt into `venv` from the wheelhouse only: uv when the dev venv has it, else pip."""
    assert (WHEELHOUSE / ".filled").exists(), "run `make venv` first: it fills build/wheelhouse"
    uv = Path(sys.executable).parent / "uv"
    offline = ["--no-index", "--find-links", str(WHEELHOUSE), "-r", "requirements.txt"]
    if uv.exists():
        command = [str(uv), "pip", "install", "--quiet", "--offline", "--python", str(venv / "bin" / "python")]
    else:
        command = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    return subprocess.run([*command, *offline], cwd=ROOT, capture_output=True, text=True)


@pytest.fixture(scope="session")
def runtime_venv(tmp_path_factory, python312):
    """A venv with requirements.txt only, from the wheelhouse: what deploy.sh packages."""
    venv = tmp_path_factory.mktemp("runtime") / "lambda-venv"
    subprocess.run([python312, "-m", "venv", str(venv)], check=True)  # with pip: deploy.sh calls it
    installed = install_offline(venv)
    assert installed.returncode == 0, f"could not build the runtime venv: {installed.stderr[-2000:]}"
    return venv


@pytest.fixture(scope="session")
def moto_server(tmp_path_factory):
    # Every request is recorded: tests/deploy/test_deploy_role.py reads the rehearsal's calls back.
    recording = tmp_path_factory.mktemp("moto") / "requests.jsonl"
    server = MotoServer(executable=str(Path(sys.executable).parent / "moto_server"), record_to=recording).start()
    yield server
    server.stop()


def code_sha256(path):
    return base64.b64encode(hashlib.sha256(path.read_bytes()).digest()).decode()


@pytest.fixture(scope="session")
def rehearsal(tmp_path_factory, moto_server, runtime_venv):
    """`deploy.sh dev --initial` then `deploy.sh dev` against moto, in a copy of the project.

    The first deploy ships a commit whose settings hold one more variable (a credential about to be
    retired); the update ships the next commit, which removes it. The first deploy takes its secrets
    from the environment; before the update they move to SSM Parameter Store with new values
    (`SECRETS_SOURCE=ssm`, none left in the environment) and the stage's attach_policy gains a
    statement (committed). The requests moto served for both deploys are kept as `recorded`
    (test_deploy_role.py). The tested artifact of the first run is kept as `initial_package` for the
    packaging tests.
    """
    rehearsal = Rehearsal(
        tmp_path_factory.mktemp("rehearsal"), moto_server, venv=runtime_venv, wheelhouse=WHEELHOUSE
    ).prepare()
    rehearsal.edit_settings(
        lambda config: config["dev"]["aws_environment_variables"].update(RETIRED_CREDENTIAL="old-value"),
        "a variable to retire",
    )
    rehearsal.initial_commit = rehearsal.head()
    first_request = moto_server.recorded_count()
    rehearsal.initial = rehearsal.deploy("--initial")
    assert rehearsal.initial.returncode == 0, rehearsal.initial.stdout[-3000:] + rehearsal.initial.stderr[-3000:]
    rehearsal.initial_package = rehearsal.workdir / "initial-package.zip"
    shutil.copy(rehearsal.repo / "build" / "dev-package.zip", rehearsal.initial_package)
    rehearsal.settings_after_initial = (rehearsal.repo / "zappa_settings.json").read_bytes()
    rehearsal.code_sha256_after_initial = rehearsal.lambda_configuration()["CodeSha256"]
    initial_requests = moto_server.recorded(first_request)
    rehearsal.environment_after_initial = rehearsal.lambda_configuration()["Environment"]["Variables"]
    rehearsal.edit_settings(
        lambda config: config["dev"]["aws_environment_variables"].pop("RETIRED_CREDENTIAL"), "retire the variable"
    )
    rehearsal.move_secrets_to_parameter_store()
    rehearsal.edited_policy = rehearsal.edit_attach_policy()
    first_request = moto_server.recorded_count()
    rehearsal.update = rehearsal.deploy()
    rehearsal.recorded = initial_requests + moto_server.recorded(first_request)  # the deploys' own requests
    assert rehearsal.update.returncode == 0, rehearsal.update.stdout[-3000:] + rehearsal.update.stderr[-3000:]
    # Lambda's CodeSha256 of each tested artifact (base64 of the zip's SHA-256).
    rehearsal.initial_package_sha256 = code_sha256(rehearsal.initial_package)
    rehearsal.update_package_sha256 = code_sha256(rehearsal.repo / "build" / "dev-package.zip")
    return rehearsal
