"""One canonical e-mail: sign-up, login, reset, e-mail change and the admin see one address however
it is spelled, and refuse look-alike letters and the closed-account domain."""

import importlib

import pytest
from django.apps import apps
from django.core import mail
from django.test import Client

from app.accounts.models import User
from app.security.emails import canonical_email
from tests.accounts.conftest import sign_up_data
from tests.conftest import PASSWORD, make_user, token_client

canonicalise_migration = importlib.import_module("app.accounts.migrations.0006_canonical_emails")


@pytest.mark.parametrize(
    "spelling",
    ["Miss@Example.COM", " miss@example.com ", "mi\u017fs@example.com", "\uff4diss@example.com", "miss@example.com."],
)
def test_spellings_of_one_address_have_one_canonical_form(spelling):
    assert canonical_email(spelling) == "miss@example.com"


def test_sign_up_stores_the_canonical_form_and_refuses_another_spelling(anon_client, db):
    assert anon_client.post("/api/users/", sign_up_data(email="Nora.New@Example.com")).status_code == 201
    assert User.objects.get().email == "nora.new@example.com"
    again = anon_client.post("/api/users/", sign_up_data(email="NORA.NEW@example.COM"))
    assert again.status_code == 400
    assert "already exists" in again.json()["fields"]["email"][0]


@pytest.mark.parametrize("look_alike", ["m\u0131ss@example.com", "m\u0456ss@example.com", "miss@\u0435xample.com"])
def test_sign_up_refuses_look_alike_letters(anon_client, db, look_alike):
    answer = anon_client.post("/api/users/", sign_up_data(email=look_alike))
    assert answer.status_code == 400
    # Django's own check refuses most non-Latin letters; the dotless i passes it (its regex
    # ignores case, and "ı".upper() is "I") and is refused by ours.
    assert "look-alike" in answer.json()["fields"]["email"][0] or "valid email" in answer.json()["fields"]["email"][0]
    assert not User.objects.exists()


def test_the_dotless_i_is_refused_as_a_look_alike(anon_client, db):
    answer = anon_client.post("/api/users/", sign_up_data(email="m\u0131ss@example.com"))
    assert "look-alike" in answer.json()["fields"]["email"][0]


def test_sign_up_refuses_the_closed_account_domain(anon_client, db):
    answer = anon_client.post("/api/users/", sign_up_data(email="closed-1@closed.invalid"))
    assert answer.status_code == 400
    assert "cannot be used" in answer.json()["fields"]["email"][0]


def test_login_and_reset_find_the_account_by_any_spelling(anon_client, member):
    for spelling in ("MEMBER@example.com", "member@ＥＸＡＭＰＬＥ.com"):
        assert anon_client.post("/api/auth/token/", {"email": spelling, "password": PASSWORD}).status_code == 200
    mail.outbox.clear()
    anon_client.post("/api/password/reset/", {"email": "Member@Example.com"})
    assert [message.to for message in mail.outbox] == [["member@example.com"]]


def test_a_look_alike_spelling_does_not_log_in(anon_client, member):
    answer = anon_client.post("/api/auth/token/", {"email": "m\u0435mber@example.com", "password": PASSWORD})
    assert answer.status_code == 400


def test_email_change_refuses_another_spelling_of_a_taken_address_and_look_alikes(member):
    make_user(email="taken@example.com")
    client = token_client(member)
    taken = client.post("/api/users/me/email/", {"new_email": "TAKEN@example.com", "password": PASSWORD})
    assert taken.status_code == 400
    assert "already exists" in taken.json()["fields"]["new_email"][0]
    look_alike = client.post("/api/users/me/email/", {"new_email": "t\u0131ken2@example.com", "password": PASSWORD})
    assert look_alike.status_code == 400
    assert "look-alike" in look_alike.json()["fields"]["new_email"][0]
    closed = client.post("/api/users/me/email/", {"new_email": "x@closed.invalid", "password": PASSWORD})
    assert closed.status_code == 400


def test_the_admin_adds_no_second_spelling_of_an_address(db):
    admin = make_user(email="admin@example.com", is_staff=True, is_superuser=True)
    make_user(email="taken@example.com")
    client = Client()
    client.force_login(admin)
    form = {"email": "Taken@Example.com", "first_name": "T", "last_name": "T", "usable_password": "false"}
    answer = client.post("/admin/accounts/user/add/", form)
    assert answer.status_code == 200  # the form again, with the error: no 500, no second account
    assert "already exists" in answer.content.decode()
    assert User.objects.filter(email="taken@example.com").count() == 1
    form["email"] = "New.One@Example.com"
    assert client.post("/admin/accounts/user/add/", form).status_code == 302
    assert User.objects.filter(email="new.one@example.com").exists()


def test_the_migration_stops_on_look_alike_accounts_and_names_them(db):
    first = make_user(email="miss@example.com")
    second = make_user(email="other@example.com")
    # What concurrent sign-ups made before this change: the same address with a dotless i.
    User.objects.filter(pk=second.pk).update(email="m\u0131ss@example.com")
    with pytest.raises(canonicalise_migration.LookAlikeAccounts) as stopped:
        canonicalise_migration.canonicalise(apps, None)
    assert f"accounts {first.pk}, {second.pk}" in str(stopped.value)
    assert User.objects.get(pk=second.pk).email == "m\u0131ss@example.com"  # nothing changed
    # Meanwhile each logs in with its own spelling only, and never with a 500.
    answer = Client().post("/api/auth/token/", {"email": "miss@example.com", "password": PASSWORD}, "application/json")
    assert answer.status_code == 200


def test_the_migration_stores_canonical_forms(db):
    member = make_user(email="shout@example.com")
    User.objects.filter(pk=member.pk).update(email="SHOUT@Example.COM")
    canonicalise_migration.canonicalise(apps, None)
    assert User.objects.get(pk=member.pk).email == "shout@example.com"
