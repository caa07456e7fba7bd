"""Password reset (/api/password/reset/, /confirm/) and change (/api/password/change/)."""

import time
from urllib.parse import unquote

from django.core import mail, signing
from rest_framework.settings import api_settings
from rest_framework.test import APIClient

from app.accounts.models import AuthToken
from tests.accounts.conftest import token_from_last_email
from tests.conftest import PASSWORD, make_user, token_client

NEW = "another-long-passphrase-2"


def _request_reset(client, email):
    return client.post("/api/password/reset/", {"email": email}, format="json")


def _confirm(client, token, password=NEW):
    return client.post("/api/password/reset/confirm/", {"token": token, "new_password": password}, format="json")


def _can_log_in(email, password):
    response = APIClient().post("/api/auth/token/", {"email": email, "password": password}, format="json")
    return response.status_code == 200


def test_reset_answers_the_same_whether_or_not_the_email_exists(anon_client, member):
    make_user(email="pending@example.com", is_active=False)
    answers = [_request_reset(anon_client, e) for e in [member.email, "nobody@example.com", "pending@example.com"]]
    assert {(a.status_code, a.content) for a in answers} == {(200, answers[0].content)}
    assert [m.to for m in mail.outbox] == [[member.email]]


def test_reset_email_carries_the_configured_link_and_the_names(anon_client, member, settings):
    settings.FORGOT_PASSWORD_URL = "https://app.example.com/reset/{{token}}/?from=mail&x=1"
    _request_reset(anon_client, "Member@Example.com")
    message = mail.outbox[0]
    assert message.subject == "Reset your password"
    assert "Mia Member" in message.body
    assert "https://app.example.com/reset/" in message.body and "/?from=mail&x=1" in message.body


def test_reset_link_sets_the_password_and_logs_out_everywhere(anon_client, member):
    other_session = token_client(member)
    _request_reset(anon_client, member.email)
    token = unquote(token_from_last_email())
    response = _confirm(anon_client, token)
    assert response.status_code == 200, response.json()
    assert _can_log_in(member.email, NEW)
    assert not _can_log_in(member.email, PASSWORD)
    assert other_session.get("/api/users/me/").status_code == 401
    assert AuthToken.objects.filter(user=member).count() == 1  # the one just made by logging in


def test_reset_link_works_once(anon_client, member):
    _request_reset(anon_client, member.email)
    token = unquote(token_from_last_email())
    assert _confirm(anon_client, token).status_code == 200
    again = _confirm(anon_client, token, "yet-another-passphrase-3")
    assert again.status_code == 400
    assert "already been used" in again.json()["fields"]["token"][0]
    assert _can_log_in(member.email, NEW)


def test_reset_link_expires_after_the_configured_minutes(anon_client, member, settings, monkeypatch):
    settings.PASSWORD_RESET_TOKEN_LIFETIME_MINUTES = 60
    for age_minutes, expected in [(61, 400), (59, 200)]:
        with monkeypatch.context() as patch:
            past = int(time.time() - age_minutes * 60)
            patch.setattr(signing.TimestampSigner, "timestamp", lambda self, past=past: signing.b62_encode(past))
            _request_reset(anon_client, member.email)
        response = _confirm(anon_client, unquote(token_from_last_email()))
        assert response.status_code == expected, (age_minutes, response.json())
    assert _can_log_in(member.email, NEW)


def test_weak_new_password_is_refused_and_the_link_still_works(anon_client, member):
    _request_reset(anon_client, member.email)
    token = unquote(token_from_last_email())
    weak = _confirm(anon_client, token, "123")
    assert weak.status_code == 400 and weak.json()["fields"]["new_password"]
    member.refresh_from_db()
    assert member.check_password(PASSWORD)  # (logging in would retire the link)
    assert _confirm(anon_client, token).status_code == 200


def test_an_activation_token_is_not_a_reset_token(anon_client, db):
    anon_client.post(
        "/api/users/",
        {"email": "n@example.com", "password": PASSWORD, "first_name": "N", "last_name": "N"},
        format="json",
    )
    response = _confirm(anon_client, unquote(token_from_last_email()))
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Some of the information given is not valid.",
        "code": "invalid",
        "fields": {"token": ["This password reset link is invalid or has already been used."]},
    }


def test_logging_in_retires_an_outstanding_reset_link(anon_client, member):
    _request_reset(anon_client, member.email)
    token = unquote(token_from_last_email())
    assert _can_log_in(member.email, PASSWORD)
    response = _confirm(anon_client, token)
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Some of the information given is not valid.",
        "code": "invalid",
        "fields": {"token": ["This password reset link is invalid or has already been used."]},
    }


def test_reset_is_throttled_per_client(member):
    limit = int(api_settings.DEFAULT_THROTTLE_RATES["password_reset"].split("/")[0])
    client = APIClient(REMOTE_ADDR="203.0.113.8")
    statuses = [_request_reset(client, member.email).status_code for _ in range(limit + 1)]
    assert statuses == [200] * limit + [429]
    assert len(mail.outbox) == limit
    other = make_user(email="other@example.com")
    assert _request_reset(APIClient(REMOTE_ADDR="198.51.100.10"), other.email).status_code == 200


def test_change_password_needs_the_old_one(member_client, member):
    response = member_client.post(
        "/api/password/change/", {"old_password": "wrong", "new_password": NEW}, format="json"
    )
    assert response.status_code == 400
    assert "old_password" in response.json()["fields"]
    assert _can_log_in(member.email, PASSWORD)


def test_change_password_keeps_this_session_and_revokes_the_others(member_client, member):
    other_session = token_client(member)
    response = member_client.post(
        "/api/password/change/", {"old_password": PASSWORD, "new_password": NEW}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert member_client.get("/api/users/me/").status_code == 200
    assert other_session.get("/api/users/me/").status_code == 401
    assert _can_log_in(member.email, NEW) and not _can_log_in(member.email, PASSWORD)


def test_change_password_applies_the_validators(member_client, member):
    response = member_client.post(
        "/api/password/change/", {"old_password": PASSWORD, "new_password": "member"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["fields"]["new_password"]
    assert _can_log_in(member.email, PASSWORD)


def test_change_password_needs_a_login(anon_client, db):
    response = anon_client.post("/api/password/change/", {"old_password": "a", "new_password": NEW}, format="json")
    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided.", "code": "not_authenticated"}
