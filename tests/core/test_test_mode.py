"""Test mode is chosen explicitly (TESTING=True, set by pytest's configuration and `manage.py test`)
and uses sqlite and local mail whatever the environment says; TEST_DATABASE_URL alone opts the
whole suite into PostgreSQL."""

import os

import pytest
from django.conf import settings
from django.db import connection

from tests.core.subprocess_env import UNREACHABLE_POSTGRES, run_python

SHOW_DATABASE = "import settings; print(settings.TESTING, settings.DATABASES['default']['ENGINE'])"


def test_this_run_uses_sqlite_and_local_mail():
    assert settings.TESTING is True
    assert connection.vendor == ("postgresql" if os.environ.get("TEST_DATABASE_URL") else "sqlite")
    assert settings.EMAIL_BACKEND == "django.core.mail.backends.locmem.EmailBackend"
    assert settings.PASSWORD_HASHERS == ["django.contrib.auth.hashers.MD5PasswordHasher"]


# The test database of these runs is still created, on whatever database test mode chose (a
# PostgreSQL one would be unreachable), from the models rather than the migrations: about 7 s
# less each. Every other test runs on migrated databases.
NO_MIGRATIONS = "--nomigrations"


@pytest.mark.slow
def test_pytest_ignores_an_unreachable_postgres_database_url():
    result = run_python(
        ["-m", "pytest", "tests/core/test_health.py", "-k", "test_healthz_reports_ok", "-p", "no:cacheprovider"],
        DATABASE_URL=UNREACHABLE_POSTGRES,
        PYTEST_ADDOPTS=NO_MIGRATIONS,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout


@pytest.mark.slow
def test_manage_py_test_ignores_an_unreachable_postgres_database_url():
    result = run_python(
        ["manage.py", "test", "tests.core.probe_manage_test", "--noinput"],
        DATABASE_URL=UNREACHABLE_POSTGRES,
        PYTEST_ADDOPTS=NO_MIGRATIONS,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout  # `manage.py test` runs the same pytest suite


@pytest.mark.filterwarnings("ignore:A test tried to use socket")
def test_outbound_sockets_are_blocked_in_tests():
    import socket

    from pytest_socket import SocketConnectBlockedError

    with pytest.raises(SocketConnectBlockedError):
        socket.create_connection(("192.0.2.1", 443), timeout=1)


def test_importing_pytest_does_not_switch_test_mode_on():
    # A process that merely imports pytest (a helper script, a notebook) keeps the real settings.
    result = run_python(["-c", f"import pytest; {SHOW_DATABASE}"], DEBUG="True", DATABASE_URL=UNREACHABLE_POSTGRES)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "app.core.postgres_backoff"]


def test_test_mode_uses_sqlite_unless_test_database_url_opts_into_postgresql():
    forced = run_python(["-c", SHOW_DATABASE], TESTING="True", DATABASE_URL=UNREACHABLE_POSTGRES)
    assert forced.stdout.split() == ["True", "django.db.backends.sqlite3"], forced.stderr
    whole_suite = run_python(
        ["-c", SHOW_DATABASE],
        TESTING="True",
        DATABASE_URL="sqlite:///x.sqlite3",
        TEST_DATABASE_URL=UNREACHABLE_POSTGRES,
    )
    assert whole_suite.stdout.split() == ["True", "django.db.backends.postgresql"], whole_suite.stderr
    outside_tests = run_python(["-c", SHOW_DATABASE], DEBUG="True", TEST_DATABASE_URL=UNREACHABLE_POSTGRES)
    assert outside_tests.stdout.split() == ["False", "django.db.backends.sqlite3"], outside_tests.stderr
