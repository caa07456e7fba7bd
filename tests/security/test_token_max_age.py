"""A token used every week still dies AUTH_TOKEN_MAX_AGE_DAYS after it was issued."""

from datetime import timedelta

from django.utils import timezone
from rest_framework.test import APIClient

from app.accounts.models import AuthToken


def _client(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_a_token_used_weekly_dies_at_its_maximum_age(member, settings):
    settings.AUTH_TOKEN_MAX_AGE_DAYS = 30
    token, key = AuthToken.objects.issue(member)
    issued = timezone.now() - timedelta(days=29, hours=23)
    # Used every week since: its sliding expiry is still days away.
    AuthToken.objects.filter(pk=token.pk).update(created=issued, expires_at=timezone.now() + timedelta(days=5))
    assert _client(key).get("/api/users/me/").status_code == 200
    AuthToken.objects.filter(pk=token.pk).update(created=issued - timedelta(hours=2))
    response = _client(key).get("/api/users/me/")
    assert response.status_code == 401
    assert response.json()["detail"] == "Token has expired. Log in again."


def test_sliding_never_extends_past_the_maximum_age(member, settings):
    settings.AUTH_TOKEN_MAX_AGE_DAYS = 30
    token, key = AuthToken.objects.issue(member)
    issued = timezone.now() - timedelta(days=29)
    AuthToken.objects.filter(pk=token.pk).update(created=issued, expires_at=timezone.now() + timedelta(hours=2))
    assert _client(key).get("/api/users/me/").status_code == 200
    token.refresh_from_db()
    assert token.expires_at <= issued + timedelta(days=30)
