"""The Sendinblue path, against a local server that records what the real sib-api-v3-sdk sends."""

import logging
import time

import pytest
from django.core import mail

from app.accounts.models import User
from app.core.email import send_templated_email
from app.integrations import sendinblue
from tests.conftest import PASSWORD
from tests.integrations.recording_server import TEST_API_KEY, RecordingServer, sendinblue_on

SIGN_UP = {"email": "nora@example.com", "password": PASSWORD, "first_name": "Nora", "last_name": "Nô"}


def _send(**params):
    return send_templated_email(
        to_email="nora@example.com",
        to_name="Nora Nô",
        template_setting="CONFIRM_SIGN_UP",
        params=params or {"activation_url": "https://x/a"},
        local_template="emails/confirm_sign_up",
    )


def test_sign_up_sends_the_confirm_template_with_its_params(anon_client, db, settings):
    settings.ACTIVATION_URL = "https://app.example.com/activate?token={{token}}"
    with sendinblue_on(settings) as server:
        response = anon_client.post("/api/users/", SIGN_UP, format="json")
    assert response.status_code == 201 and response.json()["email_sent"] is True
    (request,) = server.requests
    assert (request.method, request.path) == ("POST", "/v3/smtp/email")
    assert request.headers["api-key"] == TEST_API_KEY
    body = request.json
    link = body["params"].pop("activation_url")
    token = body["params"].pop("token")
    assert body == {
        "templateId": 6,
        "to": [{"email": "nora@example.com", "name": "Nora Nô"}],
        "params": {"first_name": "Nora", "last_name": "Nô", "expires_in_hours": 48},
    }
    assert link == f"https://app.example.com/activate?token={token}"
    assert mail.outbox == []  # not also through EMAIL_BACKEND
    assert anon_client.post("/api/users/activate/", {"token": token}, format="json").status_code == 200


def test_password_reset_sends_the_forgot_password_template(anon_client, member, settings):
    settings.FORGOT_PASSWORD_URL = "https://app.example.com/reset?token={{token}}"
    with sendinblue_on(settings) as server:
        anon_client.post("/api/password/reset/", {"email": member.email}, format="json")
    body = server.requests[0].json
    assert body["templateId"] == 7
    assert body["to"] == [{"email": member.email, "name": "Mia Member"}]
    assert body["params"]["forgot_password_url"].startswith("https://app.example.com/reset?token=")
    assert body["params"]["expires_in_minutes"] == 60


@pytest.mark.parametrize(
    ("status", "answer"),
    [
        (400, {"code": "invalid_parameter", "message": f"bad template, key {TEST_API_KEY}"}),
        (401, {"code": "unauthorized", "message": "Key not found"}),
        (500, "<html>Internal error</html>"),
        (502, ""),
    ],
)
def test_a_refusal_keeps_the_account_and_is_logged_without_the_key(anon_client, db, settings, caplog, status, answer):
    # The e-mail goes out after the answer (app.core.email): the answer cannot know the outcome,
    # so the refusal is logged and the account kept.
    with sendinblue_on(settings) as server:
        server.reply(status, answer)
        with caplog.at_level(logging.ERROR):
            response = anon_client.post("/api/users/", SIGN_UP, format="json")
    assert response.status_code == 201
    assert len(server.requests) == 1
    assert User.objects.filter(email="nora@example.com", is_active=False).exists()
    assert f"HTTP {status}" in caplog.text
    assert TEST_API_KEY not in caplog.text


def test_a_slow_provider_times_out(settings, caplog):
    with sendinblue_on(settings, timeout=0.5) as server:
        server.reply(201, {"messageId": "<late>"}, delay=5)
        started = time.monotonic()
        assert _send() is False
        elapsed = time.monotonic() - started
    assert elapsed < 3
    assert "unreachable" in caplog.text and TEST_API_KEY not in caplog.text


def test_an_unreachable_host_is_reported_not_raised(settings, caplog):
    with sendinblue_on(settings):
        pass
    # The server is closed now: its port refuses connections.
    assert _send() is False
    assert "Sendinblue unreachable" in caplog.text


def test_an_empty_template_id_sends_nothing(settings, caplog):
    with sendinblue_on(settings) as server:
        settings.CONFIRM_SIGN_UP = 0
        assert _send() is False
    assert server.requests == []
    assert "template id" in caplog.text


def test_without_an_api_key_django_email_is_used(settings):
    with RecordingServer() as server:
        settings.EMAIL_SERVICE, settings.SENDINBLUE_API_KEY = True, ""
        settings.SENDINBLUE_API_HOST = f"{server.url}/v3"
        assert _send(first_name="Nora", last_name="Nô", activation_url="https://x/a?b=1&c=2") is True
    assert server.requests == []
    assert "https://x/a?b=1&c=2" in mail.outbox[0].body


def test_email_service_off_keeps_sendinblue_out_even_with_a_key(settings):
    with sendinblue_on(settings) as server:
        settings.EMAIL_SERVICE = False
        assert _send() is True
    assert server.requests == [] and len(mail.outbox) == 1


def test_host_setting_is_followed_with_or_without_a_trailing_slash(settings):
    with sendinblue_on(settings) as server:
        settings.SENDINBLUE_API_HOST = f"{server.url}/v3/"
        assert sendinblue.send_template(to_email="a@example.com", to_name="", template_id=9, params={}) is True
    assert server.requests[0].path == "/v3/smtp/email"
    assert server.requests[0].json == {"templateId": 9, "to": [{"email": "a@example.com"}], "params": {}}


def test_a_malformed_template_setting_is_reported_not_raised(settings, caplog):
    with sendinblue_on(settings) as server:
        settings.CONFIRM_SIGN_UP = "six"
        assert _send() is False
    assert server.requests == []
    assert "CONFIRM_SIGN_UP" in caplog.text
