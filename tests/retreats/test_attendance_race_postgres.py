"""Staff marking the same participant present at the same moment on a real PostgreSQL server: one row.

The database is the test's own copy of the migrated template (tests.postgres: POSTGRES_TEST_URL,
skipped without it, failing in CI without it).
"""

import json

import pytest

from tests import postgres
from tests.core.subprocess_env import run_python
from tests.retreats.pg_attendance_race import STAFF

pytestmark = [postgres.needs_postgres, pytest.mark.slow]


@pytest.fixture
def database_url():
    with postgres.database("retreat_attendance") as url:
        yield url


def test_a_participant_marked_present_by_several_staff_at_once_is_counted_once(database_url):
    env = {"DATABASE_URL": database_url, "DEBUG": "True", "PAYMENT_GATEWAY": "test", "LOG_LEVEL": "WARNING"}
    raced = run_python(["-m", "tests.retreats.pg_attendance_race"], timeout=300, **env)
    assert raced.returncode == 0, raced.stderr[-2000:]
    result = json.loads(raced.stdout.strip().splitlines()[-1])
    assert result == {"outcomes": [True] * STAFF, "rows": 1}
