import pytest

from tests.security import live


@pytest.fixture(scope="session")
def postgres_seeded():
    """One migrated, seeded PostgreSQL database for every live-server test here: `(url, seed)`."""
    with live.own_database() as database_url:
        yield database_url, live.migrate_and_seed(database_url)
