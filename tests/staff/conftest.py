"""Staff tools reuse the bookings fixtures: workplaces in two zones, periods, slots, members."""

import pytest

from tests.bookings.conftest import kolkata, montreal, period, rich_member, slot  # noqa: F401


@pytest.fixture
def staff_browser(client, admin_user):
    client.force_login(admin_user)
    client.user = admin_user
    return client


@pytest.fixture(autouse=True)
def _exports_in_the_response(settings):
    settings.STAFF_EXPORTS_TO_STORAGE = False  # a stage's default with a media bucket is True
