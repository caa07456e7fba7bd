"""CORS: front ends on the listed origins may call the API; no other origin, never with a wildcard and cookies."""

import pytest
from django.core.checks import run_checks

from app.staff.checks import refuse_credentials_with_any_origin
from tests.core.subprocess_env import run_python

FRONT = "https://front.example.org"


@pytest.fixture
def front_allowed(settings):
    settings.CORS_ALLOWED_ORIGINS = [FRONT]


def test_an_allowed_origin_gets_the_headers_on_a_preflight_and_a_get(client, front_allowed, slot):
    preflight = client.options(
        "/api/timeslots/",
        HTTP_ORIGIN=FRONT,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization",
    )
    assert preflight.status_code == 200
    assert preflight["Access-Control-Allow-Origin"] == FRONT
    assert "authorization" in preflight["Access-Control-Allow-Headers"]
    assert "GET" in preflight["Access-Control-Allow-Methods"]

    response = client.get("/api/timeslots/", HTTP_ORIGIN=FRONT)
    assert response.status_code == 200 and response.json()["count"] == 1
    assert response["Access-Control-Allow-Origin"] == FRONT
    assert "Access-Control-Allow-Credentials" not in response


def test_another_origin_gets_no_cors_headers(client, front_allowed, db):
    preflight = client.options(
        "/api/timeslots/", HTTP_ORIGIN="https://evil.example.com", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET"
    )
    assert "Access-Control-Allow-Origin" not in preflight
    response = client.get("/api/timeslots/", HTTP_ORIGIN="https://evil.example.com")
    assert response.status_code == 200 and "Access-Control-Allow-Origin" not in response


def test_by_default_no_origin_is_allowed(client, db):
    response = client.get("/api/timeslots/", HTTP_ORIGIN=FRONT)
    assert response.status_code == 200 and "Access-Control-Allow-Origin" not in response


def test_the_admin_is_never_opened_to_other_origins(client, front_allowed, db):
    response = client.get("/admin/login/", HTTP_ORIGIN=FRONT)
    assert "Access-Control-Allow-Origin" not in response


def test_credentials_with_every_origin_are_refused(settings):
    settings.CORS_ALLOW_ALL_ORIGINS = True
    settings.CORS_ALLOW_CREDENTIALS = True
    errors = [e for e in run_checks(tags=["security"]) if e.id == "staff.E001"]
    assert errors and "CORS_ALLOW_CREDENTIALS" in errors[0].msg
    with pytest.raises(Exception, match="CORS_ALLOWED_ORIGINS"):
        refuse_credentials_with_any_origin()

    settings.CORS_ALLOW_CREDENTIALS = False  # a wildcard without cookies is allowed
    assert not [e for e in run_checks(tags=["security"]) if e.id == "staff.E001"]


def test_a_process_configured_with_credentials_and_a_wildcard_does_not_start():
    result = run_python(["manage.py", "check"], DEBUG="True", CORS_ALLOWED_ORIGINS="*", CORS_ALLOW_CREDENTIALS="True")
    assert result.returncode != 0
    assert "CORS_ALLOW_CREDENTIALS is on while every origin is allowed" in result.stderr

    listed = run_python(["manage.py", "check"], DEBUG="True", CORS_ALLOWED_ORIGINS=FRONT, CORS_ALLOW_CREDENTIALS="True")
    assert listed.returncode == 0, listed.stderr
