"""Per-account and per-address lock-out after repeated failed logins, for the API and /admin/login/."""

from django.test import Client
from rest_framework.test import APIClient

from app.accounts.models import AuthToken
from tests.accounts.conftest import PASSWORD
from tests.conftest import make_user

LOGIN = "/api/auth/token/"


def _api_login(address, email, password):
    return APIClient(REMOTE_ADDR=address).post(LOGIN, {"email": email, "password": password}, format="json")


def test_an_account_locks_after_repeated_failures_from_many_addresses(member, settings):
    settings.LOGIN_FAILURES_PER_ACCOUNT = 5
    statuses = [_api_login(f"198.51.100.{i + 1}", member.email, "guess").status_code for i in range(5)]
    assert statuses == [400] * 5
    locked = _api_login("203.0.113.1", member.email, PASSWORD)
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.json()["detail"]
    assert int(locked.headers["Retry-After"]) > 0
    assert not AuthToken.objects.exists()
    # Other accounts are not affected.
    other = make_user(email="other@example.com")
    assert _api_login("203.0.113.1", other.email, PASSWORD).status_code == 200


def test_an_address_locks_after_failures_on_many_accounts(member, settings):
    settings.LOGIN_FAILURES_PER_ADDRESS = 4
    statuses = [_api_login("203.0.113.2", f"someone{i}@example.com", "guess").status_code for i in range(4)]
    assert statuses == [400] * 4
    locked = _api_login("203.0.113.2", member.email, PASSWORD)
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.json()["detail"]
    assert _api_login("198.51.100.2", member.email, PASSWORD).status_code == 200


def test_the_lock_ends_once_its_window_has_slid_past(member, settings, monkeypatch):
    import time

    settings.LOGIN_FAILURES_PER_ACCOUNT = 2
    settings.LOGIN_LOCKOUT_MINUTES = 15
    for i in range(2):
        _api_login(f"198.51.100.{i + 1}", member.email, "guess")
    assert _api_login("203.0.113.3", member.email, PASSWORD).status_code == 429
    later = time.time() + 30 * 60  # the window and the next one, which still weighs it in
    monkeypatch.setattr(time, "time", lambda: later)
    assert _api_login("203.0.113.3", member.email, PASSWORD).status_code == 200


def _admin_login(address, email, password):
    client = Client(REMOTE_ADDR=address)
    return client, client.post(
        "/admin/login/?next=/admin/", {"username": email, "password": password, "next": "/admin/"}
    )


def test_admin_login_locks_after_repeated_failures_and_refuses_the_right_password(db):
    admin = make_user(email="admin@example.com", is_staff=True, is_superuser=True)
    _admin_login("198.51.100.200", admin.email, "wrong")
    client, response = _admin_login("198.51.100.200", admin.email, PASSWORD)
    assert response.status_code == 302  # below the limit, the right password logs in
    assert client.get("/admin/").status_code == 200
    for i in range(30):
        _, response = _admin_login(f"198.51.100.{i + 1}", admin.email, f"wrong-{i}")
        assert response.status_code == 200
    client, response = _admin_login("203.0.113.4", admin.email, PASSWORD)
    assert response.status_code == 200  # the form again, not the redirect of a login
    assert "Too many failed logins" in response.content.decode()
    assert client.get("/admin/").status_code == 302  # still sent to the login page


def test_admin_failures_count_towards_the_api_lock_and_back(member, settings):
    settings.LOGIN_FAILURES_PER_ACCOUNT = 4
    for i in range(2):
        _admin_login(f"198.51.100.{i + 1}", member.email, "guess")
        _api_login(f"198.51.100.{i + 101}", member.email, "guess")
    assert _api_login("203.0.113.5", member.email, PASSWORD).status_code == 429
    _, response = _admin_login("203.0.113.6", member.email, PASSWORD)
    assert "Too many failed logins" in response.content.decode()
