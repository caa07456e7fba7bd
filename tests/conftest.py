"""Shared fixtures: API clients for an anonymous visitor, a member and an admin; a staff admin-site browser.

Names never shadow pytest-django's own fixtures (`admin_user`, `admin_client`): ours are
`staff_user`, `admin_client_api` (token API client) and `staff_browser` (Django admin session).
"""

import pytest
from rest_framework.test import APIClient

from app.accounts.models import AuthToken, User
from scripts.compile_messages import compile_catalogs


def pytest_sessionstart(session):
    # The .mo catalogs are built, not committed: the suite always runs with the current .po.
    compile_catalogs(if_stale=True)


# Tests that use one of these session fixtures run on one xdist worker, so it is built once:
# the deploy tests' runtime venv, moto server and rehearsed deploys; the seeded PostgreSQL database
# and its live server of the security tests.
GROUP_BY_SESSION_FIXTURE = {
    "rehearsal": "deploy",
    "runtime_venv": "deploy",
    "moto_server": "deploy",
    "postgres_seeded": "security-postgres",
}
# The race tests fire ~60 simultaneous requests, each on its own PostgreSQL connection; two of them
# (or one and the database-restart test) on two workers at once went past the server's
# max_connections (100), and the restart test's server could not reconnect. One group: one at a time.
POSTGRES_BURSTS = "security-postgres"  # with the seeded-database tests: every PostgreSQL test on one worker


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Run the `slow` tests first, and make `--dist loadgroup` honour `xdist_group` again under pytest 9.2.

    Longest first: a slow test handed out last keeps one core busy while the other has finished.
    The sort is stable, so every other test keeps its order.

    pytest-xdist 3.8 names a test's group by appending `@group` to `item._nodeid`, which pytest
    9.2 no longer reads (the node id lives in `item._id`): every group was silently spread over
    all workers, and each worker built the deploy tests' session fixtures (two rehearsed deploys)
    again. Does nothing once xdist's own suffix shows in the node id.
    """
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
    for item in items:
        for fixture in getattr(item, "fixturenames", ()):
            if fixture in GROUP_BY_SESSION_FIXTURE:
                item.add_marker(pytest.mark.xdist_group(GROUP_BY_SESSION_FIXTURE[fixture]))
                break
        else:
            if item.path.name.endswith("_postgres.py"):
                item.add_marker(pytest.mark.xdist_group(POSTGRES_BURSTS))
    if not getattr(config.option, "loadgroup", False):
        return
    from _pytest.nodeid import coerce_node_id

    for item in items:
        marks = item.iter_markers("xdist_group")
        groups = sorted({str(mark.args[0] if mark.args else mark.kwargs.get("name", "default")) for mark in marks})
        if groups and "@" not in item.nodeid:
            item._id = coerce_node_id(f"{item.nodeid}@{'_'.join(groups)}")


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Throttle counters live in the local-memory cache: each test starts with none.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _no_request_in_progress():
    # A test-client request whose view raised never fires `request_finished`, which would leave this
    # thread "inside a request" and make the next test's e-mail wait for an answer that never comes.
    from app.core import deferred, email

    email._pending.messages = deferred._pending.calls = None
    yield
    email._pending.messages = deferred._pending.calls = None


@pytest.fixture(autouse=True)
def _default_language():
    # LocaleMiddleware activates each request's language in the thread and nothing deactivates it:
    # a French request would leave the next test (in the same worker) reading French.
    from django.utils import translation

    with translation.override(None):
        yield


PASSWORD = "a-long-passphrase-1"  # every test user's password


def make_user(email="member@example.com", password=PASSWORD, **fields):
    fields.setdefault("first_name", "Mia")
    fields.setdefault("last_name", "Member")
    fields.setdefault("is_active", True)
    return User.objects.create_user(email=email, password=password, **fields)


def token_client(user):
    """An APIClient that sends `Authorization: Token <key>` for `user`."""
    _, key = AuthToken.objects.issue(user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    client.user = user
    return client


@pytest.fixture
def anon_client():
    return APIClient()


@pytest.fixture
def member(db):
    return make_user()


@pytest.fixture
def staff_user(db):
    return make_user(email="admin@example.com", is_staff=True, is_superuser=True, first_name="Ada", last_name="Admin")


@pytest.fixture
def member_client(member):
    return token_client(member)


@pytest.fixture
def admin_client_api(staff_user):
    return token_client(staff_user)


@pytest.fixture
def staff_browser(client, staff_user):
    """The Django test client logged in to the admin site as `staff_user`."""
    client.force_login(staff_user)
    return client
