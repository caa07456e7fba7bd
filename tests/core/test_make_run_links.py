"""`make run PORT=N`: the links in the e-mails it prints lead to port N, where it serves."""

import shlex
import shutil
import subprocess

import pytest

from tests.core.subprocess_env import ROOT, clean_env, run_python

LINKS = ("ACTIVATION_URL", "FORGOT_PASSWORD_URL", "EMAIL_CHANGE_URL")


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_run_on_another_port_links_to_that_port():
    env = {k: v for k, v in clean_env().items() if k not in LINKS}
    # -n: print the commands without running them (no server is started).
    dry = subprocess.run(["make", "-n", "run", "PORT=8400"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert dry.returncode == 0, dry.stderr
    [serve] = [line for line in dry.stdout.splitlines() if "runserver 127.0.0.1:8400" in line]
    assignments = dict(
        word.split("=", 1) for word in shlex.split(serve) if "=" in word and word.split("=")[0].isupper()
    )
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "from app.accounts.services import link_with_token as link; "
        f"print(' '.join(link(getattr(settings, name), 'abc') for name in {LINKS!r}))"
    )
    printed = run_python(["-c", code], **assignments)
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout.split() == [
        "http://127.0.0.1:8400/activate?token=abc",
        "http://127.0.0.1:8400/reset-password?token=abc",
        "http://127.0.0.1:8400/confirm-email?token=abc",
    ]
