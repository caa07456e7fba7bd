"""The SDK stays out of start-up: a process that serves requests but sends no e-mail never imports it."""

from tests.core.subprocess_env import run_python

PROBE = """
import sys, django
django.setup()
from django.test import Client
import app.urls, app.accounts.views, app.core.email, app.integrations.sendinblue
Client().get("/healthz")
print("sdk loaded:", "sib_api_v3_sdk" in sys.modules)
"""


def test_the_sdk_is_not_imported_at_start_up():
    result = run_python(["-c", PROBE], DEBUG="True", TESTING="True")
    assert result.returncode == 0, result.stderr
    assert "sdk loaded: False" in result.stdout
