"""JSON CSRF failures for the API; a maximum password length."""

from django.test import Client
from rest_framework.test import APIClient

from tests.conftest import make_user


def test_a_session_api_post_without_csrf_token_gets_a_json_403_and_pages_keep_their_html_page(db):
    admin = make_user(email="admin@example.com", is_staff=True, is_superuser=True)
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)
    # A non-DRF API route: Django's CSRF middleware answers it, with an HTML page until now.
    response = client.post("/api/schema/", {})
    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    assert "CSRF" in response.json()["detail"]
    # A DRF route answers JSON too.
    response = client.post("/api/organizations/", {"name": "X"}, content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    # HTML pages keep their HTML page (the site's, HTML_CSRF_FAILURE_VIEW).
    client = Client(enforce_csrf_checks=True)
    response = client.post("/admin/login/", {"username": "a@example.com", "password": "x"})
    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")
    assert b"This form has expired" in response.content


def test_a_password_longer_than_128_characters_is_refused_everywhere(member_client):
    response = member_client.post(
        "/api/password/change/",
        {"old_password": "a-long-passphrase-1", "new_password": "long-" + "p" * 124},
        format="json",
    )
    assert response.status_code == 400
    assert "at most 128 characters" in response.json()["fields"]["new_password"][0]
    signup = APIClient().post(
        "/api/users/",
        {"email": "new@example.com", "password": "x7-" * 50, "first_name": "N", "last_name": "W"},
        format="json",
    )
    assert signup.status_code == 400
    assert "at most 128 characters" in signup.json()["fields"]["password"][0]
    accepted = member_client.post(
        "/api/password/change/",
        {"old_password": "a-long-passphrase-1", "new_password": "long-" + "p" * 123},
        format="json",
    )
    assert accepted.status_code == 200
