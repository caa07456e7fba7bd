"""Zappa's WebSocket auto-detection must not find the venvs this project builds inside its own tree.

Zappa 0.63 (`ZappaCLI._detect_websocket_usage`, run by every `zappa package/deploy/update`) walks
the current directory for a module importing `zappa.websocket` and skips only dot-directories and a
few names. Zappa's own handler.py imports it: a venv at `build/lambda-venv` made every package a
WebSocket app (WEBSOCKET_HANDLER_MODULE, a WebSocket API, an import error at each cold start).
These tests run Zappa's real detection on a project tree holding such a venv, at the places
deploy.sh and benchmarks/cold_start.py build theirs (read from their text, so the tests follow them).
"""

import re
import shutil
from pathlib import Path

import pytest
import zappa.handler
from zappa.cli import ZappaCLI

ROOT = Path(__file__).resolve().parents[2]
SITE_PACKAGES = Path("lib") / "python3.12" / "site-packages"


def deploy_default_venv():
    """The venv deploy.sh builds when DEPLOY_VENV is unset, relative to the project root."""
    match = re.search(r'^VENV="\$\{DEPLOY_VENV:-\$ROOT/([^}]+)\}"$', (ROOT / "deploy.sh").read_text(), re.M)
    assert match, "deploy.sh no longer sets VENV from DEPLOY_VENV with a default under $ROOT"
    return match.group(1)


def benchmark_venv():
    """The venv benchmarks/cold_start.py builds, relative to the project root."""
    match = re.search(
        r"^RUNTIME_VENV = ROOT((?: / \"[^\"]+\")+)$", (ROOT / "benchmarks" / "cold_start.py").read_text(), re.M
    )
    assert match, "benchmarks/cold_start.py no longer sets RUNTIME_VENV = ROOT / ..."
    return "/".join(re.findall(r'"([^"]+)"', match.group(1)))


def project_with_venv_at(root, venv):
    """A small project (an app package, a settings module) and a venv holding Zappa's real handler.py."""
    (root / "app").mkdir()
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "wsgi.py").write_text("application = None\n")
    (root / "settings.py").write_text("DEBUG = False\n")
    zappa_dir = root / venv / SITE_PACKAGES / "zappa"
    zappa_dir.mkdir(parents=True)
    shutil.copy(zappa.handler.__file__, zappa_dir / "handler.py")  # it imports zappa.websocket


@pytest.mark.parametrize("venv", [deploy_default_venv(), benchmark_venv()], ids=["deploy.sh", "cold_start.py"])
def test_zappa_does_not_take_the_build_venvs_for_websocket_handlers(venv, tmp_path, monkeypatch):
    project_with_venv_at(tmp_path, venv)
    monkeypatch.chdir(tmp_path)

    assert ZappaCLI._detect_websocket_usage() is None


def test_a_venv_in_a_plain_build_directory_is_taken_for_a_websocket_handler(tmp_path, monkeypatch):
    # What the venv's old place did, and what the tests above would see if it came back.
    project_with_venv_at(tmp_path, "build/lambda-venv")
    monkeypatch.chdir(tmp_path)

    assert ZappaCLI._detect_websocket_usage() == "build.lambda-venv.lib.python3.12.site-packages.zappa.handler"
