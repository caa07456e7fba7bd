"""A PostgreSQL database of our own and live server processes on it, for the tests that must
see PostgreSQL answer (NUL bytes, integer ranges) or several processes share one store.

Needs POSTGRES_TEST_URL (a role allowed to CREATE DATABASE); the database named there gets
`_security` appended, so this never collides with another test's database.
"""

import json
import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests

from tests.core.subprocess_env import ROOT, clean_env, run_python

POSTGRES_URL = os.environ.get("POSTGRES_TEST_URL", "")
HOW = (
    "Set POSTGRES_TEST_URL=postgres://writing:writing@127.0.0.1:5432/writing_test "
    "(a role with CREATEDB) to run it; .ci/run starts PostgreSQL and sets it."
)
needs_postgres = pytest.mark.skipif(not POSTGRES_URL, reason=f"PostgreSQL test skipped. {HOW}")

SERVER_ENV = {
    "DEBUG": "False",
    "SECRET_KEY": "live-test-" + "k" * 50,
    "ALLOWED_HOSTS": "127.0.0.1",
    "SECURE_SSL_REDIRECT": "False",
    "DB_CONN_MAX_AGE": "0",
    "LOG_LEVEL": "WARNING",
}


@contextmanager
def own_database():
    psycopg2 = pytest.importorskip("psycopg2")
    parts = urlsplit(POSTGRES_URL)
    # One database per xdist worker: each worker builds this session fixture, and a second worker's
    # DROP ... WITH (FORCE) would cut the first one's connections mid-seed.
    name = parts.path.lstrip("/") + "_security" + os.environ.get("PYTEST_XDIST_WORKER", "")
    try:
        admin = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")), connect_timeout=5)
    except psycopg2.OperationalError as error:
        pytest.skip(f"PostgreSQL unreachable at {parts.hostname}:{parts.port} ({type(error).__name__}). {HOW}")
    admin.autocommit = True  # CREATE/DROP DATABASE cannot run in a transaction
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{name}"')
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def migrate_and_seed(database_url):
    env = {**SERVER_ENV, "DATABASE_URL": database_url}
    migrated = run_python(["manage.py", "migrate", "--noinput"], timeout=300, **env)
    assert migrated.returncode == 0, migrated.stderr[-2000:]
    seeded = run_python(["-m", "tests.security.seed"], **env)
    assert seeded.returncode == 0, seeded.stderr[-2000:]
    return json.loads(seeded.stdout.strip().splitlines()[-1])


@contextmanager
def servers(database_url, count, log_dir, **extra_env):
    """Start `count` server processes on the database; yield their base URLs."""
    env = clean_env(**{**SERVER_ENV, "DATABASE_URL": database_url, **extra_env})
    processes, logs, bases = [], [], []
    try:
        for index in range(count):
            port = free_port()
            log = (log_dir / f"server-{index}.log").open("w")
            logs.append(log)
            processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "tests.bookings.pg_server", "serve", str(port)],
                    cwd=ROOT,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
            bases.append(f"http://127.0.0.1:{port}")
        for base in bases:
            for _ in range(150):
                try:
                    if requests.get(f"{base}/healthz", timeout=2).json()["database"] == "ok":
                        break
                except requests.RequestException:
                    time.sleep(0.2)
            else:
                pytest.fail(f"A server did not start: {(log_dir / 'server-0.log').read_text()[-2000:]}")
        yield bases
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=10)
        for log in logs:
            log.close()
