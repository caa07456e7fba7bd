"""Limits hold across processes: two server processes on one PostgreSQL database share the
login rate, the lock-out, and the reset limit, as Lambda containers do."""

import pytest
import requests

from tests.postgres import needs_postgres
from tests.security import live

pytestmark = [needs_postgres, pytest.mark.slow]


@pytest.fixture(scope="module")
def two_servers(postgres_seeded, tmp_path_factory):
    database_url, seed = postgres_seeded
    # Both behind one trusted proxy (TRUSTED_PROXY_COUNT=1): the test says which client it is.
    # Small limits, per hour: each login hashes a password (seconds on a busy machine).
    env = {"TRUSTED_PROXY_COUNT": "1", "THROTTLE_LOGIN": "4/hour", "LOGIN_FAILURES_PER_ACCOUNT": "5"}
    with live.servers(database_url, 2, tmp_path_factory.mktemp("logs"), **env) as bases:
        yield bases, seed


def _login(base, client_address, password, email="member@example.com"):
    return requests.post(
        f"{base}/api/auth/token/",
        json={"email": email, "password": password},
        headers={"X-Forwarded-For": client_address},
        timeout=30,
    )


def test_the_login_rate_is_shared_by_two_processes(two_servers):
    (first, second), _ = two_servers
    statuses = [_login((first, second)[i % 2], "203.0.113.10", "guess").status_code for i in range(6)]
    assert statuses == [400] * 4 + [429] * 2  # 4/hour, counted by both processes together
    refused = _login(second, "203.0.113.10", "a-long-passphrase-1")
    assert refused.status_code == 429
    assert "throttled" in refused.json()["detail"]


def test_the_account_lock_is_shared_by_two_processes(two_servers):
    (first, second), _ = two_servers
    # 5 failures (LOGIN_FAILURES_PER_ACCOUNT) from 5 addresses, alternating servers.
    target = "target@example.com"  # an account no other test touches
    statuses = [_login((first, second)[i % 2], f"198.51.100.{i + 1}", "guess", target).status_code for i in range(5)]
    assert statuses == [400] * 5
    for base in (first, second):
        locked = _login(base, "192.0.2.99", "a-long-passphrase-1", target)
        assert locked.status_code == 429
        assert "Too many failed logins" in locked.json()["detail"]
