import pytest

from tests import postgres
from tests.security import live


def pytest_collection_modifyitems(items):
    # One worker runs every test on the seeded database, so it is copied, seeded and served once.
    for item in items:
        if "postgres_seeded" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group("security-postgres"))


@pytest.fixture(scope="session")
def postgres_seeded():
    """One migrated, seeded PostgreSQL database for every live-server test here: `(url, seed)`."""
    with postgres.database("security") as database_url:
        yield database_url, live.seed(database_url)
