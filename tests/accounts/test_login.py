"""Login, logout and token lifetime: /api/auth/token/ and ExpiringTokenAuthentication."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework.settings import api_settings
from rest_framework.test import APIClient

from app.accounts.models import AuthToken
from tests.conftest import PASSWORD, make_user

WRITES = ("INSERT", "UPDATE", "DELETE")


def _login(client, email, password=PASSWORD):
    return client.post("/api/auth/token/", {"email": email, "password": password}, format="json")


def _writes(queries):
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(WRITES)]


def test_login_answers_a_token_that_expires_after_the_configured_lifetime(anon_client, member, settings):
    settings.AUTH_TOKEN_LIFETIME_HOURS = 10
    response = _login(anon_client, member.email)
    assert response.status_code == 200
    body = response.json()
    expires_at = parse_datetime(body["expires_at"])
    assert abs(expires_at - (timezone.now() + timedelta(hours=10))) < timedelta(minutes=1)
    anon_client.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
    assert anon_client.get("/api/users/me/").status_code == 200


def test_only_a_digest_of_the_token_is_stored(anon_client, member):
    key = _login(anon_client, member.email).json()["token"]
    assert not AuthToken.objects.filter(digest=key).exists()
    assert AuthToken.objects.get(user=member).digest != key


def test_login_email_is_case_insensitive(anon_client, member):
    response = _login(anon_client, "  MEMBER@EXAMPLE.com ")
    assert response.status_code == 200
    assert set(response.json()) == {"token", "expires_at"}


def test_wrong_password_unknown_email_and_inactive_account_get_the_same_400(anon_client, member):
    make_user(email="pending@example.com", is_active=False)
    answers = [
        _login(anon_client, member.email, "wrong-password"),
        _login(anon_client, "nobody@example.com"),
        _login(anon_client, "pending@example.com"),
    ]
    assert {a.status_code for a in answers} == {400}
    assert len({a.content for a in answers}) == 1
    assert not AuthToken.objects.exists()


def test_an_expired_token_in_the_header_does_not_block_logging_in_again(anon_client, member):
    token, key = AuthToken.objects.issue(member)
    AuthToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    anon_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    refused = anon_client.get("/api/users/me/")
    assert refused.status_code == 401
    assert "expired" in refused.json()["detail"]
    response = _login(anon_client, member.email)
    assert response.status_code == 200 and response.json()["token"] != key


def test_logout_revokes_only_this_token(member):
    phone, laptop = APIClient(), APIClient()
    for client in (phone, laptop):
        client.credentials(HTTP_AUTHORIZATION=f"Token {_login(client, member.email).json()['token']}")
    assert phone.delete("/api/auth/token/").status_code == 204
    assert phone.get("/api/users/me/").status_code == 401
    assert laptop.get("/api/users/me/").status_code == 200


def test_logout_needs_a_token(anon_client, db):
    response = anon_client.delete("/api/auth/token/")
    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided.", "code": "not_authenticated"}


def test_an_authenticated_get_does_not_write_while_the_token_is_young(member_client):
    with CaptureQueriesContext(connection) as queries:
        assert member_client.get("/api/users/me/").status_code == 200
    assert _writes(queries) == []


def test_a_token_near_its_end_slides_with_one_update(member, settings):
    settings.AUTH_TOKEN_LIFETIME_HOURS, settings.AUTH_TOKEN_RENEW_BELOW_HOURS = 168, 24
    token, key = AuthToken.objects.issue(member)
    AuthToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() + timedelta(hours=2))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/users/me/").status_code == 200
    assert len(_writes(queries)) == 1
    token.refresh_from_db()
    assert token.expires_at > timezone.now() + timedelta(hours=167)
    with CaptureQueriesContext(connection) as queries:
        client.get("/api/users/me/")
    assert _writes(queries) == []


def test_login_is_throttled_per_client(member):
    limit = int(api_settings.DEFAULT_THROTTLE_RATES["login"].split("/")[0])
    attacker = APIClient(REMOTE_ADDR="203.0.113.7")
    statuses = [_login(attacker, member.email, "guess").status_code for _ in range(limit + 1)]
    assert statuses == [400] * limit + [429]
    refused = _login(attacker, member.email)
    assert refused.status_code == 429
    assert "throttled" in refused.json()["detail"]
    assert refused.headers["Retry-After"]
    assert _login(APIClient(REMOTE_ADDR="198.51.100.9"), member.email).status_code == 200


@pytest.mark.parametrize("body", [{}, {"email": "a@example.com"}, {"password": "x"}])
def test_login_missing_fields_are_named(anon_client, db, body):
    response = anon_client.post("/api/auth/token/", body, format="json")
    assert response.status_code == 400
    assert {"email", "password"} - set(body) <= set(response.json()["fields"])
