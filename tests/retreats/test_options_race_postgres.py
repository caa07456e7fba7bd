"""Members racing for a retreat option's last units on a real PostgreSQL server: never more sold than its stock.

The database is the test's own copy of the migrated template (tests.postgres: POSTGRES_TEST_URL,
skipped without it, failing in CI without it).
"""

import pytest

from tests import postgres
from tests.retreats.pg_option_race import MEMBERS, UNITS

pytestmark = [postgres.needs_postgres, pytest.mark.slow]


@pytest.fixture
def database_url():
    with postgres.database("retreat_options") as url:
        yield url


def test_no_option_unit_is_sold_twice(database_url):
    result = postgres.run_race("tests.retreats.pg_option_race", database_url)
    assert result["outcomes"].count("paid") == UNITS, result
    assert result["outcomes"].count("retreat_option_sold_out") == MEMBERS - UNITS, result
    assert result["units_held"] == UNITS and result["paid"] == UNITS
