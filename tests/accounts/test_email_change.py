"""A member changes their own e-mail: POST /api/users/me/email/ then /api/users/me/email/confirm/."""

import time
from urllib.parse import unquote

import pytest
from django.core import mail, signing

from app.accounts.models import AuthToken, User
from tests.accounts.conftest import PASSWORD, token_from_last_email
from tests.conftest import make_user, token_client

ASK = "/api/users/me/email/"
CONFIRM = "/api/users/me/email/confirm/"


def _ask(client, new_email="new.address@example.org", password=PASSWORD):
    return client.post(ASK, {"new_email": new_email, "password": password}, format="json")


def _link_token():
    """The token of the confirmation link (the last e-mail but one: the notice to the old address comes last)."""
    confirmation = next(message for message in mail.outbox if "confirm-email?token=" in message.body)
    mail.outbox[:] = [confirmation]
    return unquote(token_from_last_email())


def _login(client, email, password=PASSWORD):
    return client.post("/api/auth/token/", {"email": email, "password": password}, format="json")


def test_the_change_happens_only_on_confirmation(member_client, member, anon_client):
    response = _ask(member_client)
    assert response.status_code == 202, response.json()
    assert response.json()["email_sent"] is True
    assert "new address" in response.json()["detail"]
    recipients = sorted(message.to[0] for message in mail.outbox)
    assert recipients == ["member@example.com", "new.address@example.org"]
    notice = next(message for message in mail.outbox if message.to == ["member@example.com"])
    assert "new.address@example.org" in notice.body
    member.refresh_from_db()
    assert member.email == "member@example.com"  # nothing changed yet

    token = _link_token()
    confirmed = anon_client.post(CONFIRM, {"token": token}, format="json")
    assert confirmed.status_code == 200, confirmed.json()
    assert confirmed.json()["email"] == "new.address@example.org"
    member.refresh_from_db()
    assert member.email == "new.address@example.org"
    assert _login(anon_client, "New.Address@example.org").status_code == 200
    assert _login(anon_client, "member@example.com").status_code == 400


def test_every_login_token_is_revoked_on_change(member_client, member, anon_client):
    other_session = token_client(member)
    _ask(member_client)
    assert anon_client.post(CONFIRM, {"token": _link_token()}, format="json").status_code == 200
    assert not AuthToken.objects.filter(user=member).exists()
    assert member_client.get("/api/users/me/").status_code == 401
    assert other_session.get("/api/users/me/").status_code == 401


def test_a_wrong_password_is_refused_and_nothing_is_sent(member_client, member):
    response = _ask(member_client, password="not-my-password")
    assert response.status_code == 400
    assert response.json()["fields"]["password"] == ["The password is wrong."]
    assert not mail.outbox


@pytest.mark.parametrize("taken", ["other@example.com", "OTHER@Example.COM"])
def test_an_address_already_used_is_refused_whatever_its_case(member_client, member, taken):
    make_user(email="other@example.com")
    response = _ask(member_client, new_email=taken)
    assert response.status_code == 400
    assert response.json()["fields"]["new_email"] == ["An account with this e-mail address already exists."]
    assert not mail.outbox


def test_the_own_address_is_not_a_change(member_client):
    response = _ask(member_client, new_email="MEMBER@example.com")
    assert response.status_code == 400
    assert "already your e-mail address" in response.json()["fields"]["new_email"][0]


def test_an_invalid_address_is_a_clear_400(member_client):
    response = _ask(member_client, new_email="not-an-address")
    assert response.status_code == 400
    assert response.json()["fields"]["new_email"]


def test_the_address_is_checked_again_at_confirmation(member_client, member, anon_client):
    _ask(member_client)
    token = _link_token()
    make_user(email="NEW.address@example.org")  # someone signed up with it meanwhile
    response = anon_client.post(CONFIRM, {"token": token}, format="json")
    assert response.status_code == 400
    assert response.json()["fields"]["new_email"] == ["An account with this e-mail address already exists."]
    member.refresh_from_db()
    assert member.email == "member@example.com"
    assert member_client.get("/api/users/me/").status_code == 200  # tokens kept: nothing changed


def test_a_confirmation_link_works_once(member_client, member, anon_client):
    _ask(member_client)
    token = _link_token()
    assert anon_client.post(CONFIRM, {"token": token}, format="json").status_code == 200
    again = anon_client.post(CONFIRM, {"token": token}, format="json")
    assert again.status_code == 400
    assert "already been used" in again.json()["fields"]["token"][0]
    member.refresh_from_db()
    assert member.email == "new.address@example.org"


def test_confirming_one_link_retires_the_others(member_client, member, anon_client):
    _ask(member_client, new_email="first@example.org")
    first = _link_token()
    mail.outbox.clear()
    _ask(member_client, new_email="second@example.org")
    second = _link_token()
    assert anon_client.post(CONFIRM, {"token": second}, format="json").status_code == 200
    assert anon_client.post(CONFIRM, {"token": first}, format="json").status_code == 400
    member.refresh_from_db()
    assert member.email == "second@example.org"


def test_a_confirmation_link_expires(member_client, member, anon_client, settings, monkeypatch):
    settings.EMAIL_CHANGE_TOKEN_LIFETIME_HOURS = 24
    past = int(time.time() - 25 * 3600)
    with monkeypatch.context() as patch:
        patch.setattr(signing.TimestampSigner, "timestamp", lambda self: signing.b62_encode(past))
        _ask(member_client)
    response = anon_client.post(CONFIRM, {"token": _link_token()}, format="json")
    assert response.status_code == 400
    assert "expired" in response.json()["fields"]["token"][0]
    member.refresh_from_db()
    assert member.email == "member@example.com"


def test_changing_the_password_retires_the_link(member_client, member, anon_client):
    _ask(member_client)
    token = _link_token()
    changed = member_client.post(
        "/api/password/change/",
        {"old_password": PASSWORD, "new_password": "another-long-passphrase-2"},
        format="json",
    )
    assert changed.status_code == 200
    assert anon_client.post(CONFIRM, {"token": token}, format="json").status_code == 400
    member.refresh_from_db()
    assert member.email == "member@example.com"


@pytest.mark.parametrize("token", ["", "garbage", "eyJ1IjoxfQ.1abc.tampered", "x" * 600])
def test_bad_confirmation_tokens_are_a_clear_400(anon_client, db, token):
    response = anon_client.post(CONFIRM, {"token": token}, format="json")
    assert response.status_code == 400
    assert response.json()["fields"]["token"]


def test_an_activation_token_is_not_an_email_change_token(anon_client, db):
    from app.accounts import tokens

    user = make_user(email="sleepy@example.com", is_active=False)
    response = anon_client.post(CONFIRM, {"token": tokens.make_token(user, tokens.ACTIVATION)}, format="json")
    assert response.status_code == 400
    assert User.objects.get(pk=user.pk).email == "sleepy@example.com"


def test_a_get_never_changes_anything(member_client, member, anon_client):
    _ask(member_client)
    token = _link_token()
    assert anon_client.get(CONFIRM, {"token": token}).status_code == 405
    assert member_client.get(ASK).status_code == 405
    member.refresh_from_db()
    assert member.email == "member@example.com"


def test_asking_needs_a_login(anon_client, db):
    assert _ask(anon_client).status_code == 401


def test_a_university_member_keeps_a_university_address(db, university, level, field, anon_client):
    student = make_user(email="ana@umontreal.ca", university=university, academic_level=level, academic_field=field)
    response = _ask(token_client(student), new_email="ana@gmail.com")
    assert response.status_code == 400
    assert "Université de Montréal" in response.json()["fields"]["new_email"][0]
    assert _ask(token_client(student), new_email="ana.b@umontreal.ca").status_code == 202


def test_a_failed_e_mail_changes_nothing_and_is_logged(member_client, member, settings, caplog):
    # The link is sent after the answer (app.core.email), so the answer cannot report the failure:
    # the address stays as it was, and the failure is logged for the team (the member asks again).
    settings.EMAIL_BACKEND = "tests.accounts.test_email_change.BrokenBackend"
    response = _ask(member_client)
    assert response.status_code == 202
    member.refresh_from_db()
    assert member.email == "member@example.com"
    assert "emails/confirm_email_change to a member could not be sent: OSError" in caplog.text


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise OSError("SMTP down")
