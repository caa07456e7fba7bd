"""Test mode always uses sqlite and local mail, whatever the environment says."""

import pytest
from django.conf import settings
from django.db import connection

from tests.core.subprocess_env import UNREACHABLE_POSTGRES, run_python


def test_this_run_uses_sqlite_and_local_mail():
    assert connection.vendor == "sqlite"
    assert settings.EMAIL_BACKEND == "django.core.mail.backends.locmem.EmailBackend"
    assert settings.PASSWORD_HASHERS == ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.mark.slow
def test_pytest_ignores_an_unreachable_postgres_database_url():
    result = run_python(
        ["-m", "pytest", "tests/core/test_health.py", "-k", "test_healthz_reports_ok", "-p", "no:cacheprovider"],
        DATABASE_URL=UNREACHABLE_POSTGRES,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout


@pytest.mark.slow
def test_manage_py_test_ignores_an_unreachable_postgres_database_url():
    result = run_python(
        ["manage.py", "test", "tests.core.probe_manage_test", "--noinput"],
        DATABASE_URL=UNREACHABLE_POSTGRES,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout  # `manage.py test` runs the same pytest suite


@pytest.mark.filterwarnings("ignore:A test tried to use socket")
def test_outbound_sockets_are_blocked_in_tests():
    import socket

    from pytest_socket import SocketConnectBlockedError

    with pytest.raises(SocketConnectBlockedError):
        socket.create_connection(("192.0.2.1", 443), timeout=1)
