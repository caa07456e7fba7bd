"""A changing X-Forwarded-For never resets a limit: the client is who the platform says it is."""

import pytest
from rest_framework.settings import api_settings
from rest_framework.test import APIClient

from tests.accounts.conftest import PASSWORD

LOGIN = "/api/auth/token/"


def _rate(scope):
    return int(api_settings.DEFAULT_THROTTLE_RATES[scope].split("/")[0])


def _event(source_ip, version=1):
    if version == 2:
        return {"version": "2.0", "requestContext": {"http": {"sourceIp": source_ip, "method": "POST"}}}
    return {"requestContext": {"identity": {"sourceIp": source_ip}, "stage": "dev"}}


def _lambda_request(client, source_ip, attempt, version=1, email="member@example.com", password="guess"):
    # As Zappa builds the environ: REMOTE_ADDR from the client's own X-Forwarded-For, the event alongside.
    spoofed = f"10.{attempt % 250}.0.{attempt % 200 + 1}"
    return client.post(
        LOGIN,
        {"email": email, "password": password},
        format="json",
        HTTP_X_FORWARDED_FOR=spoofed,
        REMOTE_ADDR=spoofed,
        **{"lambda.event": _event(source_ip, version)},
    )


def test_rotating_x_forwarded_for_does_not_reset_the_login_limit_locally(member):
    limit = _rate("login")
    client = APIClient(REMOTE_ADDR="203.0.113.7")
    statuses = [
        client.post(
            LOGIN, {"email": member.email, "password": "guess"}, format="json", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}"
        ).status_code
        for i in range(limit + 3)
    ]
    assert statuses == [400] * limit + [429] * 3
    refused = client.post(
        LOGIN, {"email": member.email, "password": PASSWORD}, format="json", HTTP_X_FORWARDED_FOR="192.0.2.250"
    )
    assert refused.status_code == 429
    assert "throttled" in refused.json()["detail"]


@pytest.mark.parametrize("version", [1, 2])
def test_on_lambda_the_limit_follows_api_gateways_source_ip(member, version):
    limit = _rate("login")
    client = APIClient()
    statuses = [_lambda_request(client, "203.0.113.50", i, version).status_code for i in range(limit + 2)]
    assert statuses == [400] * limit + [429] * 2
    right_password_same_source = _lambda_request(client, "203.0.113.50", 99, version, password=PASSWORD)
    assert right_password_same_source.status_code == 429
    other_source = _lambda_request(client, "198.51.100.77", 100, version, password=PASSWORD)
    assert other_source.status_code == 200
    assert other_source.json()["token"]


def test_rotating_x_forwarded_for_does_not_reset_the_reset_limit(member):
    from django.core import mail

    limit = _rate("password_reset")
    client = APIClient(REMOTE_ADDR="203.0.113.8")
    statuses = [
        client.post(
            "/api/password/reset/",
            {"email": f"nobody{i}@example.com"},
            format="json",
            HTTP_X_FORWARDED_FOR=f"10.0.0.{i}",
        ).status_code
        for i in range(limit + 2)
    ]
    assert statuses == [200] * limit + [429] * 2
    assert mail.outbox == []


def test_reset_emails_to_one_address_are_limited_whatever_the_client(member):
    from django.core import mail

    limit = _rate("email_sent")
    statuses = [
        APIClient(REMOTE_ADDR=f"198.51.100.{i + 1}")
        .post("/api/password/reset/", {"email": member.email}, format="json")
        .status_code
        for i in range(limit + 2)
    ]
    assert statuses == [200] * limit + [429] * 2
    assert len(mail.outbox) == limit


def test_the_global_anonymous_rate_ignores_x_forwarded_for(db, monkeypatch):
    from rest_framework.throttling import AnonRateThrottle

    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {**api_settings.DEFAULT_THROTTLE_RATES, "anon": "3/min"})
    client = APIClient(REMOTE_ADDR="203.0.113.9")
    statuses = [client.get("/api/organizations/", HTTP_X_FORWARDED_FOR=f"10.1.1.{i}").status_code for i in range(5)]
    assert statuses == [200, 200, 200, 429, 429]


def test_a_trusted_proxy_count_takes_the_address_our_proxy_appended(member, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    limit = _rate("login")
    client = APIClient(REMOTE_ADDR="10.0.0.1")  # our load balancer
    statuses = [
        client.post(
            LOGIN,
            {"email": member.email, "password": "guess"},
            format="json",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{i}, 203.0.113.60",  # the client's own text, then what the proxy saw
        ).status_code
        for i in range(limit + 1)
    ]
    assert statuses == [400] * limit + [429]
    other = client.post(
        LOGIN, {"email": member.email, "password": PASSWORD}, format="json", HTTP_X_FORWARDED_FOR="203.0.113.61"
    )
    assert other.status_code == 200


def test_retry_after_says_when_the_next_login_attempt_is_accepted(member, monkeypatch):
    import time

    limit = _rate("login")
    client = APIClient(REMOTE_ADDR="203.0.113.70")
    for _ in range(limit):
        client.post(LOGIN, {"email": member.email, "password": "guess"}, format="json")
    refused = client.post(LOGIN, {"email": member.email, "password": PASSWORD}, format="json")
    assert refused.status_code == 429
    wait = int(refused.headers["Retry-After"])
    assert 0 < wait <= 120
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + wait - 5)
    assert client.post(LOGIN, {"email": member.email, "password": PASSWORD}, format="json").status_code == 429
    monkeypatch.setattr(time, "time", lambda: now + wait + 130)  # past the refusal made just before
    assert client.post(LOGIN, {"email": member.email, "password": PASSWORD}, format="json").status_code == 200
