"""After PostgreSQL refuses a connection, this process answers for a moment without trying again
(`DB_CONNECT_BACKOFF_SECONDS`), so that clients retrying fast cannot fill the server's connection
slots while it restarts (the connection storm of docs/security.md). A refused port on 127.0.0.1
plays the database that is down."""

import os
import subprocess
import sys
import time

import psycopg2
import pytest
from django.db import connections

from app.core.postgres_backoff import base as backoff

REFUSED = {"host": "127.0.0.1", "port": 1, "dbname": "writing", "user": "writing", "connect_timeout": 2}


@pytest.fixture
def wrapper(settings, monkeypatch):
    settings.DB_CONNECT_BACKOFF_SECONDS = 0.3
    monkeypatch.setattr(backoff, "_retry_after", 0.0)
    return backoff.DatabaseWrapper({**connections["default"].settings_dict}, alias="backoff-test")


def test_after_a_refused_connection_the_process_waits_before_trying_again(wrapper, monkeypatch):
    attempts = []
    connect = psycopg2.connect
    monkeypatch.setattr(psycopg2, "connect", lambda *args, **kwargs: attempts.append(1) or connect(*args, **kwargs))

    for _ in range(3):  # refused, then twice without trying: the same error, so the same 503
        with pytest.raises(psycopg2.OperationalError):
            wrapper.get_new_connection(REFUSED)
    assert len(attempts) == 1

    time.sleep(0.35)
    with pytest.raises(psycopg2.OperationalError):
        wrapper.get_new_connection(REFUSED)
    assert len(attempts) == 2  # tried again once the moment is over


def test_postgres_urls_get_the_back_off_and_it_can_be_turned_off():
    show = "import settings; print(settings.DATABASES['default']['ENGINE'], settings.DB_CONNECT_BACKOFF_SECONDS)"
    env = {"DEBUG": "True", "DATABASE_URL": "postgres://u:p@127.0.0.1:1/x", "DB_CONNECT_BACKOFF_SECONDS": "0"}
    result = subprocess.run(
        [sys.executable, "-c", show], env={**os.environ, **env, "TESTING": "False"}, capture_output=True, text=True
    )
    assert result.stdout.split() == ["app.core.postgres_backoff", "0.0"], result.stderr
