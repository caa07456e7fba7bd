"""Members racing for the last use of a coupon on a real PostgreSQL server: exactly one gets it.

The database is the test's own copy of the migrated template (tests.postgres: POSTGRES_TEST_URL,
skipped without it, failing in CI without it).
"""

import pytest

from tests import postgres
from tests.store.pg_coupon_race import MEMBERS

pytestmark = [postgres.needs_postgres, pytest.mark.slow]


@pytest.fixture
def database_url():
    with postgres.database("coupons") as url:
        yield url


def test_exactly_one_member_gets_the_last_use(database_url):
    result = postgres.run_race("tests.store.pg_coupon_race", database_url)
    assert result["outcomes"].count("paid") == 1, result
    assert result["outcomes"].count("This coupon has been used up.") == MEMBERS - 1, result
    assert result["uses"] == 1 and result["paid_with_coupon"] == 1
