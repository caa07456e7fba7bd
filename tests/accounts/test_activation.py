"""Activation links: POST /api/users/activate/ and /api/users/resend-activation/."""

import time
from urllib.parse import unquote

import pytest
from django.core import mail, signing

from app.accounts.models import AuthToken, User
from tests.accounts.conftest import sign_up_data, token_from_last_email
from tests.conftest import make_user


def _sign_up(client, **overrides):
    assert client.post("/api/users/", sign_up_data(**overrides), format="json").status_code == 201
    return unquote(token_from_last_email())


def _signed_hours_ago(monkeypatch, hours):
    """Tokens made inside this context carry a timestamp `hours` in the past."""
    past = int(time.time() - hours * 3600)
    monkeypatch.setattr(signing.TimestampSigner, "timestamp", lambda self: signing.b62_encode(past))


def test_activation_link_activates_and_logs_in(anon_client, db):
    token = _sign_up(anon_client)
    response = anon_client.post("/api/users/activate/", {"token": token}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert set(body) == {"token", "expires_at"}
    assert User.objects.get(email="new@example.com").is_active
    anon_client.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
    assert anon_client.get("/api/users/me/").json()["email"] == "new@example.com"


def test_activation_link_works_once(anon_client, db):
    token = _sign_up(anon_client)
    assert anon_client.post("/api/users/activate/", {"token": token}, format="json").status_code == 200
    again = anon_client.post("/api/users/activate/", {"token": token}, format="json")
    assert again.status_code == 400
    assert "already been used" in again.json()["fields"]["token"][0]
    assert AuthToken.objects.count() == 1


def test_activation_link_expires_after_the_configured_lifetime(anon_client, db, settings, monkeypatch):
    settings.ACTIVATION_TOKEN_LIFETIME_HOURS = 48
    with monkeypatch.context() as patch:
        _signed_hours_ago(patch, 47)
        fresh = _sign_up(anon_client, email="fresh@example.com")
        _signed_hours_ago(patch, 49)
        stale = _sign_up(anon_client, email="stale@example.com")
    response = anon_client.post("/api/users/activate/", {"token": stale}, format="json")
    assert response.status_code == 400
    assert "expired" in response.json()["fields"]["token"][0]
    assert not User.objects.get(email="stale@example.com").is_active
    assert anon_client.post("/api/users/activate/", {"token": fresh}, format="json").status_code == 200


def test_activation_lifetime_is_a_setting(anon_client, db, settings, monkeypatch):
    settings.ACTIVATION_TOKEN_LIFETIME_HOURS = 1
    with monkeypatch.context() as patch:
        _signed_hours_ago(patch, 2)
        token = _sign_up(anon_client)
    assert "expired" in anon_client.post("/api/users/activate/", {"token": token}).json()["fields"]["token"][0]


@pytest.mark.parametrize("token", ["", "garbage", "eyJ1IjoxfQ.1abc.tampered", "x" * 600])
def test_bad_activation_tokens_are_a_clear_400(anon_client, db, token):
    response = anon_client.post("/api/users/activate/", {"token": token}, format="json")
    assert response.status_code == 400
    assert response.json()["fields"]["token"]


def test_a_deactivated_member_cannot_reactivate_with_an_old_link(anon_client, admin_client_api, db):
    token = _sign_up(anon_client)
    anon_client.post("/api/users/activate/", {"token": token}, format="json")
    user = User.objects.get(email="new@example.com")
    assert admin_client_api.delete(f"/api/users/{user.pk}/").status_code == 204
    again = anon_client.post("/api/users/activate/", {"token": token}, format="json")
    assert again.status_code == 400
    assert again.json() == {
        "detail": "Some of the information given is not valid.",
        "code": "invalid",
        "fields": {"token": ["This activation link is invalid or has already been used."]},
    }
    user.refresh_from_db()
    assert not user.is_active


def test_a_password_reset_token_is_not_an_activation_token(anon_client, member):
    anon_client.post("/api/password/reset/", {"email": member.email}, format="json")
    reset_token = unquote(token_from_last_email())
    response = anon_client.post("/api/users/activate/", {"token": reset_token})
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Some of the information given is not valid.",
        "code": "invalid",
        "fields": {"token": ["This activation link is invalid or has already been used."]},
    }


def test_resend_activation_sends_a_new_working_link(anon_client, db):
    _sign_up(anon_client)
    response = anon_client.post("/api/users/resend-activation/", {"email": "NEW@example.com"}, format="json")
    assert response.status_code == 200
    assert len(mail.outbox) == 2
    token = unquote(token_from_last_email())
    assert anon_client.post("/api/users/activate/", {"token": token}, format="json").status_code == 200


def test_resend_activation_answers_the_same_for_unknown_and_active_accounts(anon_client, member):
    _sign_up(anon_client)
    mail.outbox.clear()
    answers = [
        anon_client.post("/api/users/resend-activation/", {"email": email}, format="json")
        for email in ["new@example.com", "nobody@example.com", member.email]
    ]
    assert {(a.status_code, a.content) for a in answers} == {(200, answers[0].content)}
    assert [m.to for m in mail.outbox] == [["new@example.com"]]


def test_resend_activation_is_not_offered_to_a_deactivated_member(anon_client, db):
    make_user(email="gone@example.com", is_active=False, last_login="2025-01-01T00:00:00Z")
    anon_client.post("/api/users/resend-activation/", {"email": "gone@example.com"}, format="json")
    assert mail.outbox == []
