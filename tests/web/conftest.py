"""Web page fixtures: a Django test client (sessions + CSRF like a browser) and bookable slots."""

import re
from urllib.parse import urlsplit

import pytest
from django.test import Client

from tests.bookings.conftest import give_tickets, make_period, make_slot, make_workplace
from tests.conftest import make_user

PASSWORD = "a-long-passphrase-1"


def link_in_last_email(mailoutbox_or_outbox, name="token"):
    """The path and query of the link in the last e-mail, e.g. `/activate?token=...`."""
    body = mailoutbox_or_outbox[-1].body
    url = re.search(r"https?://\S+\?" + name + r"=\S+", body).group(0)
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


@pytest.fixture
def csrf_client():
    """A client that enforces CSRF: forms must carry the token, as in a browser."""
    return Client(enforce_csrf_checks=True)


def csrf_token(client, path):
    response = client.get(path)
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode())
    return match.group(1)


@pytest.fixture
def member(db):
    return give_tickets(make_user(), 5)


@pytest.fixture
def logged_in(client, member):
    client.force_login(member)
    return client


@pytest.fixture
def workplace(db):
    return make_workplace(seats=2)


@pytest.fixture
def period(workplace):
    return make_period(workplace, price=2)


@pytest.fixture
def slot(period):
    return make_slot(period, days_ahead=2)


__all__ = ["PASSWORD", "give_tickets", "make_period", "make_slot", "make_user", "make_workplace"]
