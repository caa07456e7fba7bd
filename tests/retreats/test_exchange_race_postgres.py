"""Members exchanging into a retreat's last seats while a buyer pays for one, on a real PostgreSQL
server: the seats there are never held more than it has (the retreat's row lock serves both).

The database is the test's own copy of the migrated template (tests.postgres: POSTGRES_TEST_URL,
skipped without it, failing in CI without it).
"""

import pytest

from tests import postgres
from tests.retreats.pg_exchange_race import MEMBERS, SEATS

pytestmark = [postgres.needs_postgres, pytest.mark.slow]


@pytest.fixture
def database_url():
    with postgres.database("retreat_exchanges") as url:
        yield url


def test_exchanges_and_a_buyer_never_take_more_seats_than_the_retreat_has(database_url):
    result = postgres.run_race("tests.retreats.pg_exchange_race", database_url)
    won = [outcome for outcome in result["outcomes"] if outcome in ("exchanged:done", "bought:paid")]
    assert len(won) == SEATS, result
    assert result["outcomes"].count("retreat_sold_out") == MEMBERS + 1 - SEATS, result
    assert result["seats_held"] == SEATS, result
    assert result["moved"] == result["outcomes"].count("exchanged:done"), result
