"""Sign up, activate, log in and out, reset a password: what a visitor sees, and what is refused."""

import re

import pytest
from django.core import mail

from app.accounts.models import User
from tests.web.conftest import PASSWORD, csrf_token, link_in_last_email, make_user

SIGNUP = {
    "email": "new@example.com",
    "password": "writing-every-day-42",
    "first_name": "Nora",
    "last_name": "Novel",
}


def test_sign_up_sends_a_link_that_activates_and_logs_in(client, db):
    response = client.post("/signup/", SIGNUP, follow=True)
    assert response.redirect_chain[-1][0] == "/signup/done/"
    assert "We sent a confirmation link to new@example.com" in response.content.decode()
    assert not User.objects.get(email="new@example.com").is_active

    link = link_in_last_email(mail.outbox)
    assert link.startswith("/activate?token=")
    page = client.get(link)
    assert page.status_code == 200 and "Confirm my account" in page.content.decode()
    assert not User.objects.get(email="new@example.com").is_active  # a GET (a mail scanner) changes nothing

    token = link.split("token=", 1)[1]
    done = client.post("/activate", {"token": token}, follow=True)
    assert done.redirect_chain[-1][0] == "/account/"
    html = done.content.decode()
    assert "Your account is confirmed and you are logged in" in html and "new@example.com" in html
    assert User.objects.get(email="new@example.com").is_active

    replay = client.post("/activate", {"token": token})
    assert replay.status_code == 400
    assert "invalid or has already been used" in replay.content.decode()


def test_send_again_sends_a_new_link(client, db):
    client.post("/signup/", SIGNUP)
    response = client.post("/signup/done/", follow=True)
    assert "a new link has been sent" in response.content.decode()
    assert len(mail.outbox) == 2


def test_sign_up_errors_sit_next_to_their_fields(client, db):
    make_user(email="taken@example.com")
    response = client.post("/signup/", {**SIGNUP, "email": "taken@example.com", "password": "123"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "An account with this e-mail address already exists." in html
    assert 'aria-describedby="id_email_error"' in html and 'id="id_email_error"' in html
    assert User.objects.filter(email__iexact="taken@example.com").count() == 1
    weak = client.post("/signup/", {**SIGNUP, "password": "123"}).content.decode()
    assert 'aria-describedby="id_password_error"' in weak and "This password is too short" in weak
    assert not User.objects.filter(email="new@example.com").exists()


def test_an_expired_activation_link_says_so(client, db, settings):
    client.post("/signup/", SIGNUP)
    link = link_in_last_email(mail.outbox)
    settings.ACTIVATION_TOKEN_LIFETIME_HOURS = -1
    page = client.get(link)
    assert page.status_code == 400
    assert "This activation link has expired" in page.content.decode()
    refused = client.post("/activate", {"token": link.split("token=", 1)[1]})
    assert refused.status_code == 400
    assert not User.objects.get(email="new@example.com").is_active


def test_log_in_then_out(client, db):
    make_user()
    response = client.post("/login/", {"email": "member@example.com", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/sessions/"
    assert "My reservations" in response.content.decode()
    out = client.post("/logout/", follow=True)
    assert "You are logged out." in out.content.decode()
    assert client.get("/account/").status_code == 302


def test_a_wrong_password_is_refused_with_a_message(client, db):
    make_user()
    response = client.post("/login/", {"email": "member@example.com", "password": "nope"})
    assert response.status_code == 400
    assert "Unable to log in with this e-mail and password" in response.content.decode()


@pytest.mark.parametrize(
    ("next_path", "landing"),
    [
        ("/account/reservations/", "/account/reservations/"),
        ("https://evil.example/", "/sessions/"),
        ("//evil.example/x", "/sessions/"),
        ("/\\evil.example", "/sessions/"),
    ],
)
def test_next_is_honoured_only_for_this_sites_paths(client, db, next_path, landing):
    make_user()
    response = client.post("/login/", {"email": "member@example.com", "password": PASSWORD, "next": next_path})
    assert response.status_code == 302
    assert response["Location"] == landing


def test_member_pages_send_visitors_to_log_in(client, db):
    for path in ["/account/", "/account/reservations/", "/account/orders/", "/store/checkout/"]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == f"/login/?next={path}"


def test_login_shares_the_api_login_limit(client, db, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    # The table every throttle reads, patched in place (and put back) rather than replaced.
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "login", "3/min")
    make_user()
    api = client.post("/api/auth/token/", {"email": "member@example.com", "password": "x"}, "application/json")
    assert api.status_code == 400
    for _ in range(2):
        assert client.post("/login/", {"email": "member@example.com", "password": "x"}).status_code == 400
    blocked = client.post("/login/", {"email": "member@example.com", "password": PASSWORD})
    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.content.decode()
    assert client.get("/account/").status_code == 302  # not logged in


def test_forms_need_the_csrf_token(csrf_client, db):
    make_user()
    refused = csrf_client.post("/login/", {"email": "member@example.com", "password": PASSWORD})
    assert refused.status_code == 403
    assert "This form has expired" in refused.content.decode()
    token = csrf_token(csrf_client, "/login/")
    accepted = csrf_client.post(
        "/login/", {"email": "member@example.com", "password": PASSWORD, "csrfmiddlewaretoken": token}
    )
    assert accepted.status_code == 302


def without_csrf(html):
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken"', html)


def test_reset_password_through_the_emailed_link(client, db):
    make_user()
    unknown = client.post("/reset-password", {"email": "nobody@example.com"}).content.decode()
    known = client.post("/reset-password", {"email": "member@example.com"}).content.decode()
    assert "If an active account uses this address" in known
    # The same answer either way (but for the CSRF tokens, masked afresh on every page).
    assert without_csrf(unknown.replace("nobody", "member")) == without_csrf(known)
    assert len(mail.outbox) == 1

    link = link_in_last_email(mail.outbox)
    assert link.startswith("/reset-password?token=")
    form = client.get(link)
    assert form.status_code == 200 and "Choose a new password" in form.content.decode()
    token = link.split("token=", 1)[1]
    weak = client.post("/reset-password", {"token": token, "new_password": "short"})
    assert weak.status_code == 400 and 'id="id_new_password_error"' in weak.content.decode()
    done = client.post("/reset-password", {"token": token, "new_password": "a-brand-new-passphrase"}, follow=True)
    assert "Your password has been changed" in done.content.decode()
    assert User.objects.get(email="member@example.com").check_password("a-brand-new-passphrase")

    replay = client.post("/reset-password", {"token": token, "new_password": "yet-another-passphrase-9"})
    assert replay.status_code == 400
    assert "invalid or has already been used" in replay.content.decode()
    assert User.objects.get(email="member@example.com").check_password("a-brand-new-passphrase")


def test_an_expired_reset_link_says_so(client, db, settings):
    make_user()
    client.post("/reset-password", {"email": "member@example.com"})
    link = link_in_last_email(mail.outbox)
    settings.PASSWORD_RESET_TOKEN_LIFETIME_MINUTES = -1
    page = client.get(link)
    assert page.status_code == 400
    assert "This password reset link has expired" in page.content.decode()
    assert "Ask for a new link" in page.content.decode()
