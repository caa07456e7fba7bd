"""/account/: change one's e-mail (confirmed on a page that POSTs), download one's data, close the account."""

import json

from django.core import mail

from app.accounts.models import User
from app.store.models import Membership
from app.store.services import memberships
from tests.web.conftest import PASSWORD, link_in_last_email, make_user


def test_the_account_page_offers_the_three_actions_and_lists_held_memberships(logged_in, member, db):
    annual = Membership.objects.create(name="Annual", price=40, duration_days=365)
    memberships.grant(member, annual, actor=make_user(email="staff@example.com", is_staff=True))
    html = logged_in.get("/account/").content.decode()
    assert 'action="/account/email/"' in html and 'href="/account/data/"' in html and 'href="/account/close/"' in html
    assert "Memberships you hold" in html and "Annual, until" in html


def test_change_email_with_a_wrong_password_then_through_the_link(logged_in, member, client):
    wrong = logged_in.post("/account/email/", {"new_email": "new@example.com", "password": "nope-nope-nope"})
    assert wrong.status_code == 400 and "The password is wrong." in wrong.content.decode()
    assert not mail.outbox
    asked = logged_in.post("/account/email/", {"new_email": "new@example.com", "password": PASSWORD}, follow=True)
    assert "We sent a link to new@example.com" in asked.content.decode()
    link = link_in_last_email([m for m in mail.outbox if "new@example.com" in m.to])
    landing = logged_in.get(link)
    # Opening the link changes nothing: only the button does.
    assert landing.status_code == 200 and "Use this address from now on" in landing.content.decode()
    assert User.objects.get(pk=member.pk).email == "member@example.com"
    token = link.split("token=", 1)[1]
    done = logged_in.post("/confirm-email", {"token": token}, follow=True)
    assert "Your e-mail address is now new@example.com." in done.content.decode()
    assert User.objects.get(pk=member.pk).email == "new@example.com"
    again = logged_in.post("/confirm-email", {"token": token})
    assert again.status_code == 400 and "invalid or has already been used" in again.content.decode()


def test_change_email_to_an_address_already_taken(logged_in, member):
    make_user(email="taken@example.com")
    taken = logged_in.post("/account/email/", {"new_email": "Taken@example.com", "password": PASSWORD})
    assert taken.status_code == 400 and "An account with this e-mail address already exists." in taken.content.decode()


def test_download_my_data_gives_only_mine(logged_in, member, client):
    make_user(email="other@example.com")
    response = logged_in.get("/account/data/")
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["profile"]["email"] == "member@example.com"
    assert "other@example.com" not in response.content.decode()
    client.logout()
    assert client.get("/account/data/").status_code == 302  # to the login page


def test_closing_first_says_what_is_lost(logged_in, member, slot):
    from datetime import timedelta

    from django.utils import timezone

    from app.bookings.services import reservations

    User.objects.filter(pk=member.pk).update(tickets=7, membership_end=timezone.now() + timedelta(days=30))
    member.refresh_from_db()
    reservations.reserve(member, slot.pk)  # its tickets come back on closing, then are lost with the rest
    account = logged_in.get("/account/").content.decode()
    assert 'href="/account/close/"' in account and 'action="/account/close/"' not in account  # no one-tap close
    page = logged_in.get("/account/close/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "7 billets" in page and "ne sont pas remboursés" in page
    assert "1 réservation à venir" in page and "Votre abonnement" in page
    assert 'action="/account/close/"' in page and 'href="/account/"' in page  # confirm, or keep the account
    assert User.objects.get(pk=member.pk).is_active


def test_close_my_account_needs_the_password(logged_in, member):
    wrong = logged_in.post("/account/close/", {"password": "not-my-password"})
    assert wrong.status_code == 400 and "The password is wrong." in wrong.content.decode()
    assert User.objects.get(pk=member.pk).is_active
    closed = logged_in.post("/account/close/", {"password": PASSWORD}, follow=True)
    assert "Your account is closed." in closed.content.decode()
    member.refresh_from_db()
    assert not member.is_active and member.email.endswith("@closed.invalid")
    assert logged_in.get("/account/").status_code == 302
