"""A retreat seat on offer to its waiting list, raced on a real PostgreSQL server: never doubled, never lost.

The database is the test's own copy of the migrated template (tests.postgres: POSTGRES_TEST_URL,
skipped without it, failing in CI without it).
"""

import pytest

from tests import postgres
from tests.retreats.pg_waitlist_race import RIVALS, SEATS

pytestmark = [postgres.needs_postgres, pytest.mark.slow]


@pytest.fixture
def database_url():
    with postgres.database("retreat_waitlist") as url:
        yield url


def race(database_url, case):
    return postgres.run_race("tests.retreats.pg_waitlist_race", database_url, case)


def test_a_held_seat_goes_to_the_offered_member_only_while_others_race_for_it(database_url):
    result = race(database_url, "held")
    assert result["offered"] == "paid", result
    assert result["rivals"] == ["retreat_sold_out"] * RIVALS, result
    assert result["seats_held"] == SEATS and result["offers_live"] == 0, result


def test_an_expired_offer_racing_buyers_and_passes_sells_or_offers_the_seat_exactly_once(database_url):
    result = race(database_url, "expired")
    # Whoever wins, the freed seat is either sold (to exactly one buyer) or on offer to the next
    # member, never both and never neither.
    outcomes = [result["offered"], *result["rivals"]]
    sold = outcomes.count("paid")
    assert sold + outcomes.count("retreat_sold_out") == RIVALS + 1, result
    assert sold <= 1 and result["seats_held"] == SEATS - 1 + sold, result
    assert result["seats_held"] + result["offers_live"] == SEATS, result
