"""A PostgreSQL database of our own and live server processes on it, for the tests that must
see PostgreSQL answer (NUL bytes, integer ranges) or several processes share one store.

The database comes from tests.postgres (POSTGRES_TEST_URL; skipped without it, failing in CI).
"""

import json
import socket
import subprocess
import sys
import time
from contextlib import contextmanager

import pytest
import requests

from tests.core.subprocess_env import ROOT, clean_env, run_python

SERVER_ENV = {
    "DEBUG": "False",
    "SECRET_KEY": "live-test-" + "k" * 50,
    "ALLOWED_HOSTS": "127.0.0.1",
    "SECURE_SSL_REDIRECT": "False",
    "DB_CONN_MAX_AGE": "0",
    "LOG_LEVEL": "WARNING",
}


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def seed(database_url):
    """Rows for the live tests, in a migrated database (tests.postgres.database): what tests.security.seed prints."""
    env = {**SERVER_ENV, "DATABASE_URL": database_url}
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
