"""Lock-out after repeated failed logins, for the API, the pages and /admin/login/: a guessing client
is refused, the owner on their own client never is."""

import time

import pytest
from django.test import Client
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from app.accounts import email_change, tokens
from app.accounts.models import AuthToken
from tests.accounts.conftest import PASSWORD
from tests.conftest import make_user

LOGIN = "/api/auth/token/"
OWNER = "192.0.2.10"  # the member's own client


@pytest.fixture(autouse=True)
def _small_limits(settings, monkeypatch):
    settings.LOGIN_FAILURES_PER_ACCOUNT_AND_CLIENT = 5
    settings.LOGIN_FAILURES_PER_ADDRESS = 12
    settings.LOGIN_ACCOUNT_UNDER_ATTACK_AFTER = 10
    settings.LOGIN_FAILURES_PER_CLIENT_UNDER_ATTACK = 2
    # The per-client login rate is tested on its own below: out of the way here.
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "login", "100000/min")


def _api_login(address, email, password):
    return APIClient(REMOTE_ADDR=address).post(LOGIN, {"email": email, "password": password}, format="json")


def _fail(address, email, times):
    return [_api_login(address, email, f"guess-{i}").status_code for i in range(times)]


def test_one_client_is_refused_for_an_account_after_its_failures_and_the_owner_is_not(member):
    assert _fail("198.51.100.1", member.email, 5) == [400] * 5
    locked = _api_login("198.51.100.1", member.email, PASSWORD)
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.json()["detail"]
    assert locked.json()["code"] == "throttled"
    assert int(locked.headers["Retry-After"]) > 0
    assert not AuthToken.objects.exists()
    # The owner, on their own client, logs in; the guessing client still may try other accounts.
    assert _api_login(OWNER, member.email, PASSWORD).status_code == 200
    other = make_user(email="other@example.com")
    assert _api_login("198.51.100.1", other.email, PASSWORD).status_code == 200


def test_failures_from_many_clients_never_stop_the_owner(member):
    assert _fail("198.51.100.1", member.email, 4) == [400] * 4  # below its own limit (5)
    for client in range(2, 5):  # 10 failures in all: the account is under attack
        assert _fail(f"198.51.100.{client}", member.email, 2) == [400] * 2
    assert _api_login(OWNER, member.email, PASSWORD).status_code == 200
    # The first guesser's budget shrank to 2, which it has spent: refused, right password or not.
    assert _api_login("198.51.100.1", member.email, PASSWORD).status_code == 429
    # Under attack, each client's budget on the account shrank to 2: a new guesser gets 2 tries.
    assert _fail("203.0.113.50", member.email, 3) == [400, 400, 429]
    # ...and the owner, after two typing mistakes of their own, is still let in on the third try.
    assert _fail(OWNER, member.email, 1) == [400]
    assert _api_login(OWNER, member.email, PASSWORD).status_code == 200


def test_a_client_failing_across_many_accounts_is_refused_altogether(member):
    statuses = [_api_login("203.0.113.2", f"someone{i}@example.com", "guess").status_code for i in range(12)]
    assert statuses == [400] * 12
    assert _api_login("203.0.113.2", member.email, PASSWORD).status_code == 429
    assert _api_login(OWNER, member.email, PASSWORD).status_code == 200


def test_the_lock_ends_once_its_window_has_slid_past(member, settings, monkeypatch):
    settings.LOGIN_LOCKOUT_MINUTES = 15
    _fail("203.0.113.3", member.email, 5)
    assert _api_login("203.0.113.3", member.email, PASSWORD).status_code == 429
    later = time.time() + 30 * 60  # the window and the next one, which still weighs it in
    monkeypatch.setattr(time, "time", lambda: later)
    assert _api_login("203.0.113.3", member.email, PASSWORD).status_code == 200


def test_a_look_alike_spelling_counts_on_the_same_account(member):
    spellings = ["MEMBER@example.com", "ｍember@example.com", " member@EXAMPLE.com", "member@example.com."]
    for spelling in spellings:
        _api_login("203.0.113.7", spelling, "guess")
    _fail("203.0.113.7", member.email, 1)
    assert _api_login("203.0.113.7", "Member@Example.COM", PASSWORD).status_code == 429


def _locked_on(address, member):
    _fail(address, member.email, 5)
    assert _api_login(address, member.email, PASSWORD).status_code == 429


def test_a_completed_password_reset_clears_the_account_counters(member, anon_client):
    _locked_on(OWNER, member)
    token = tokens.make_token(member, tokens.PASSWORD_RESET)
    answer = anon_client.post("/api/password/reset/confirm/", {"token": token, "new_password": "An0ther-passphrase"})
    assert answer.status_code == 200, answer.json()
    assert _api_login(OWNER, member.email, "An0ther-passphrase").status_code == 200


def test_a_confirmed_email_change_clears_the_counters_of_both_addresses(member, member_client):
    _locked_on(OWNER, member)
    token = email_change.make_token(member, "moved@example.com")
    assert member_client.post("/api/users/me/email/confirm/", {"token": token}).status_code == 200
    assert _api_login(OWNER, "moved@example.com", PASSWORD).status_code == 200


def test_activation_clears_the_counters(db, anon_client):
    waiting = make_user(email="waiting@example.com", is_active=False)
    _locked_on(OWNER, waiting)  # inactive: every try fails, the right password too
    token = tokens.make_token(waiting, tokens.ACTIVATION)
    assert anon_client.post("/api/users/activate/", {"token": token}).status_code == 200
    assert _api_login(OWNER, waiting.email, PASSWORD).status_code == 200


def _admin_login(address, email, password):
    client = Client(REMOTE_ADDR=address)
    return client, client.post(
        "/admin/login/?next=/admin/", {"username": email, "password": password, "next": "/admin/"}
    )


def test_admin_login_refuses_the_guessing_client_and_lets_the_owner_in(db):
    admin = make_user(email="admin@example.com", is_staff=True, is_superuser=True)
    for i in range(5):
        _, response = _admin_login("198.51.100.200", admin.email, f"wrong-{i}")
        assert response.status_code == 200
    client, response = _admin_login("198.51.100.200", admin.email, PASSWORD)
    assert response.status_code == 200  # the form again, not the redirect of a login
    assert "Too many failed logins" in response.content.decode()
    assert client.get("/admin/").status_code == 302  # still sent to the login page
    client, response = _admin_login(OWNER, admin.email, PASSWORD)
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_admin_and_api_failures_add_up_per_client(member):
    for i in range(3):
        _admin_login("198.51.100.9", member.email, f"guess-{i}")
    _fail("198.51.100.9", member.email, 2)
    assert _api_login("198.51.100.9", member.email, PASSWORD).status_code == 429
    _, response = _admin_login("198.51.100.9", member.email, PASSWORD)
    assert "Too many failed logins" in response.content.decode()


def test_admin_login_shares_the_login_rate_of_the_api(db, monkeypatch):
    admin = make_user(email="admin@example.com", is_staff=True, is_superuser=True)
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "login", "3/min")
    other = make_user(email="other@example.com")
    assert _api_login("198.51.100.77", other.email, PASSWORD).status_code == 200
    assert _api_login("198.51.100.77", other.email, PASSWORD).status_code == 200
    _admin_login("198.51.100.77", admin.email, PASSWORD)  # the third of three
    client, response = _admin_login("198.51.100.77", admin.email, PASSWORD)
    assert response.status_code == 200
    assert "Too many failed logins" in response.content.decode()
    assert client.get("/admin/").status_code == 302
    assert _api_login("198.51.100.77", other.email, PASSWORD).status_code == 429
