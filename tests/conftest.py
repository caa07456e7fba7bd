"""Shared fixtures: API clients for an anonymous visitor, a member and an admin."""

import pytest
from rest_framework.test import APIClient

from app.accounts.models import AuthToken, User


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Throttle counters live in the local-memory cache: each test starts with none.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def make_user(email="member@example.com", password="a-long-passphrase-1", **fields):
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
def admin_user(db):
    return make_user(email="admin@example.com", is_staff=True, is_superuser=True, first_name="Ada", last_name="Admin")


@pytest.fixture
def member_client(member):
    return token_client(member)


@pytest.fixture
def admin_client_api(admin_user):
    return token_client(admin_user)
