"""Limits hold across processes: two server processes on one PostgreSQL database share the
login rate, the lock-out, and the reset limit, as Lambda containers do; and concurrent sign-ups
of one address spelled differently make one account (PostgreSQL's `UPPER()` folds `ı` to `I`)."""

from concurrent.futures import ThreadPoolExecutor

import psycopg2
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
    env = {"TRUSTED_PROXY_COUNT": "1", "THROTTLE_LOGIN": "4/hour", "LOGIN_FAILURES_PER_ACCOUNT_AND_CLIENT": "3"}
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
    # Six accounts: the lock-out of one account for this client (3 failures) stays out of the way.
    statuses = [
        _login((first, second)[i % 2], "203.0.113.10", "guess", f"nobody{i}@example.com").status_code for i in range(6)
    ]
    assert statuses == [400] * 4 + [429] * 2  # 4/hour, counted by both processes together
    refused = _login(second, "203.0.113.10", "a-long-passphrase-1")
    assert refused.status_code == 429
    assert "throttled" in refused.json()["detail"]


def test_the_account_lock_is_shared_by_two_processes(two_servers):
    (first, second), _ = two_servers
    # 3 failures (LOGIN_FAILURES_PER_ACCOUNT_AND_CLIENT) from one client, alternating servers.
    target = "target@example.com"  # an account no other test touches
    statuses = [_login((first, second)[i % 2], "198.51.100.1", f"guess-{i}", target).status_code for i in range(3)]
    assert statuses == [400] * 3
    locked = _login(second, "198.51.100.1", "a-long-passphrase-1", target)  # the 4th try, within the rate
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.json()["detail"]
    # The owner, on another client, is not stopped by those failures.
    assert _login(first, "192.0.2.99", "a-long-passphrase-1", target).status_code == 200


def test_concurrent_sign_ups_of_look_alike_spellings_make_one_account(two_servers, postgres_seeded):
    (first, second), _ = two_servers
    spellings = [
        "miss@example.com",
        "MISS@example.com",
        "mi\u017fs@example.com",
        "Miss@EXAMPLE.com.",
        "\uff4diss@example.com",
        "miss@example.com",
        "m\u0131ss@example.com",
        "M\u0130SS@example.com",
    ]

    def sign_up(index):
        body = {"email": spellings[index], "password": "a-long-passphrase-1", "first_name": "M", "last_name": "S"}
        headers = {"X-Forwarded-For": f"198.51.100.{150 + index}"}  # the sign-up rate is per client
        return requests.post(f"{(first, second)[index % 2]}/api/users/", json=body, headers=headers, timeout=60)

    with ThreadPoolExecutor(len(spellings)) as pool:
        answers = list(pool.map(sign_up, range(len(spellings))))
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [201] + [400] * 7, [answer.text for answer in answers]
    refused = [
        answers[6].json()["fields"]["email"][0],
        answers[7].json()["fields"]["email"][0],
    ]  # dotless i, dotted capital I
    assert all("look-alike" in message for message in refused)
    with psycopg2.connect(postgres_seeded[0]) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT email FROM accounts_user WHERE upper(email) LIKE %s", ["M%SS@EXAMPLE.COM"])
        assert cursor.fetchall() == [("miss@example.com",)]


def test_a_dotless_i_spelling_does_not_log_in_on_postgresql(two_servers):
    (first, _second), _ = two_servers
    # PostgreSQL's UPPER() turns "ı" into "I": the old case-insensitive lookup found admin@ for admın@,
    # with a lock-out budget of its own. The canonical form keeps them apart.
    assert _login(first, "192.0.2.77", "a-long-passphrase-1", "adm\u0131n@example.com").status_code == 400
    assert _login(first, "192.0.2.77", "a-long-passphrase-1", "ADMIN@example.com").status_code == 200
