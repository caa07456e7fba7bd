"""Members racing for a retreat's last seats on a real PostgreSQL server: never more seats sold than it has.

The database is the test's own copy of the migrated template (tests.postgres: POSTGRES_TEST_URL,
skipped without it, failing in CI without it).
"""

import pytest

from tests import postgres
from tests.retreats.pg_seat_race import MEMBERS, SEATS

pytestmark = [postgres.needs_postgres, pytest.mark.slow]


@pytest.fixture
def database_url():
    with postgres.database("retreat_seats") as url:
        yield url


def test_no_seat_is_sold_twice(database_url):
    result = postgres.run_race("tests.retreats.pg_seat_race", database_url)
    assert result["outcomes"].count("paid") == SEATS, result
    assert result["outcomes"].count("retreat_sold_out") == MEMBERS - SEATS, result
    assert result["seats_held"] == SEATS and result["paid"] == SEATS
