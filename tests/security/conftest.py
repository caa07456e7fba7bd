import pytest

from tests import postgres
from tests.security import live


@pytest.fixture(scope="session")
def postgres_seeded():
    """One migrated, seeded PostgreSQL database for every live-server test here: `(url, seed)`."""
    with postgres.database("security") as database_url:
        yield database_url, live.seed(database_url)
