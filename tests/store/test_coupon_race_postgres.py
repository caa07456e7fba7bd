"""Members racing for the last use of a coupon on a real PostgreSQL server: exactly one gets it.

Needs POSTGRES_TEST_URL (a role allowed to CREATE DATABASE). The test creates and drops its own
database, named after the URL's with `_coupons` appended (so it may run beside the bookings one).
"""

import json
import os
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.core.subprocess_env import run_python
from tests.store.pg_coupon_race import MEMBERS

POSTGRES_URL = os.environ.get("POSTGRES_TEST_URL", "")
pytestmark = pytest.mark.skipif(not POSTGRES_URL, reason="PostgreSQL coupon race skipped: set POSTGRES_TEST_URL.")


@pytest.fixture
def database_url():
    psycopg2 = pytest.importorskip("psycopg2")
    parts = urlsplit(POSTGRES_URL)
    name = parts.path.lstrip("/") + "_coupons"
    admin = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")), connect_timeout=5)
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


def test_exactly_one_member_gets_the_last_use(database_url):
    env = {"DATABASE_URL": database_url, "DEBUG": "True", "PAYMENT_GATEWAY": "test", "LOG_LEVEL": "WARNING"}
    migrated = run_python(["manage.py", "migrate", "--noinput"], timeout=300, **env)
    assert migrated.returncode == 0, migrated.stderr[-2000:]
    raced = run_python(["-m", "tests.store.pg_coupon_race"], timeout=300, **env)
    assert raced.returncode == 0, raced.stderr[-2000:]
    result = json.loads(raced.stdout.strip().splitlines()[-1])
    assert result["outcomes"].count("paid") == 1, result
    assert result["outcomes"].count("This coupon has been used up.") == MEMBERS - 1, result
    assert result["uses"] == 1 and result["paid_with_coupon"] == 1
