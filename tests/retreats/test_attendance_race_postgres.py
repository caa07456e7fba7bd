"""Staff marking the same participant present at the same moment on a real PostgreSQL server: one row.

The database is the test's own copy of the migrated template (tests.postgres: POSTGRES_TEST_URL,
skipped without it, failing in CI without it).
"""

import pytest

from tests import postgres
from tests.retreats.pg_attendance_race import STAFF

pytestmark = [postgres.needs_postgres, pytest.mark.slow]


@pytest.fixture
def database_url():
    with postgres.database("retreat_attendance") as url:
        yield url


def test_a_participant_marked_present_by_several_staff_at_once_is_counted_once(database_url):
    result = postgres.run_race("tests.retreats.pg_attendance_race", database_url)
    assert result == {"outcomes": [True] * STAFF, "rows": 1}
