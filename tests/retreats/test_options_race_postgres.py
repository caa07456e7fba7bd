"""Members racing for a retreat option's last units on a real PostgreSQL server: never more sold than its stock.

The database is the test's own copy of the migrated template (tests.postgres: POSTGRES_TEST_URL,
skipped without it, failing in CI without it).
"""

import json

import pytest

from tests import postgres
from tests.core.subprocess_env import run_python
from tests.retreats.pg_option_race import MEMBERS, UNITS

pytestmark = [postgres.needs_postgres, pytest.mark.slow]


@pytest.fixture
def database_url():
    with postgres.database("retreat_options") as url:
        yield url


def test_no_option_unit_is_sold_twice(database_url):
    env = {"DATABASE_URL": database_url, "DEBUG": "True", "PAYMENT_GATEWAY": "test", "LOG_LEVEL": "WARNING"}
    raced = run_python(["-m", "tests.retreats.pg_option_race"], timeout=300, **env)
    assert raced.returncode == 0, raced.stderr[-2000:]
    result = json.loads(raced.stdout.strip().splitlines()[-1])
    assert result["outcomes"].count("paid") == UNITS, result
    assert result["outcomes"].count("retreat_option_sold_out") == MEMBERS - UNITS, result
    assert result["units_held"] == UNITS and result["paid"] == UNITS
