"""A deployed stage must start safe or not at all."""

import secrets

from tests.core.subprocess_env import run_python


def test_debug_is_off_by_default():
    result = run_python(
        ["-c", "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"],
        SECRET_KEY="x" * 60,
    )
    assert result.stdout.strip() == "False"


def test_missing_secret_key_with_debug_off_stops_with_one_clear_line():
    result = run_python(["manage.py", "check"], DEBUG="False", SECRET_KEY="")
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "SECRET_KEY" in lines[0]
    assert "Traceback" not in result.stderr


def test_check_deploy_is_clean_in_a_production_like_environment():
    result = run_python(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        DEBUG="False",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="api.example.com",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_https_is_trusted_from_api_gateway_forwarded_proto():
    script = (
        "import django; django.setup();"
        "from django.test import Client; c = Client();"
        "print(c.get('/api/schema/', HTTP_HOST='api.example.com').status_code,"
        " c.get('/api/schema/', HTTP_HOST='api.example.com', HTTP_X_FORWARDED_PROTO='https').status_code)"
    )
    result = run_python(["-c", script], DEBUG="False", SECRET_KEY="k" * 60, ALLOWED_HOSTS="api.example.com")
    assert result.stdout.split()[-2:] == ["301", "200"], result.stdout + result.stderr
