"""Sign-up: POST /api/users/ and its rules."""

import socket

import pytest
from django.core import mail

from app.accounts.models import User
from tests.accounts.conftest import sign_up_data
from tests.conftest import PASSWORD


def test_sign_up_creates_an_inactive_account_and_emails_an_activation_link(anon_client, db, settings):
    settings.ACTIVATION_URL = "https://app.example.com/activate?token={{token}}"
    response = anon_client.post("/api/users/", sign_up_data(phone="514-555-0100"), format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["email_sent"] is True and body["is_active"] is False
    assert "e-mail" in body["detail"]
    user = User.objects.get(email="new@example.com")
    assert not user.is_active and user.check_password(PASSWORD)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new@example.com"]
    assert message.subject == "Confirm your e-mail address"
    assert "Nora Newcomer" in message.body
    assert "https://app.example.com/activate?token=" in message.body
    assert "{{" not in message.body and "&amp;" not in message.body


def test_sign_up_answer_reveals_no_email_phone_or_birth_date(anon_client, db):
    data = sign_up_data(phone="514-555-0100", birth_date="1990-01-02")
    text = anon_client.post("/api/users/", data, format="json").content.decode()
    assert "new@example.com" not in text and "514-555-0100" not in text and "1990-01-02" not in text


def test_inactive_account_cannot_log_in_before_activation(anon_client, db):
    anon_client.post("/api/users/", sign_up_data(), format="json")
    response = anon_client.post("/api/auth/token/", {"email": "new@example.com", "password": PASSWORD}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Unable to log in with this e-mail and password, or the account is not active.",
        "code": "invalid",
    }


def test_auto_activate_user_skips_the_confirmation(anon_client, db, settings):
    settings.AUTO_ACTIVATE_USER = True
    body = anon_client.post("/api/users/", sign_up_data(), format="json").json()
    assert body["is_active"] is True and body["email_sent"] is False
    assert mail.outbox == []
    response = anon_client.post("/api/auth/token/", {"email": "new@example.com", "password": PASSWORD}, format="json")
    assert response.status_code == 200


@pytest.mark.parametrize("email", ["member@example.com", "MEMBER@Example.COM"])
def test_email_is_unique_whatever_its_case(anon_client, member, email):
    response = anon_client.post("/api/users/", sign_up_data(email=email), format="json")
    assert response.status_code == 400
    assert response.json()["fields"]["email"] == ["An account with this e-mail address already exists."]
    assert User.objects.count() == 1


def test_missing_fields_are_named(anon_client, db):
    response = anon_client.post("/api/users/", {"email": "a@example.com"}, format="json")
    assert response.status_code == 400
    assert {"password", "first_name", "last_name"} <= set(response.json()["fields"])


def test_django_password_validators_apply(anon_client, db):
    for weak in ["short", "12345678901", "password123"]:
        response = anon_client.post("/api/users/", sign_up_data(password=weak), format="json")
        assert response.status_code == 400, weak
        assert response.json()["fields"]["password"]
    assert not User.objects.exists()


def test_password_too_similar_to_the_email_is_refused(anon_client, db):
    data = sign_up_data(email="wonderfulwriter@example.com", password="wonderfulwriter")
    response = anon_client.post("/api/users/", data, format="json")
    assert response.status_code == 400
    assert "similar" in response.json()["fields"]["password"][0]


@pytest.mark.parametrize("field", ["tickets", "membership_end", "is_staff", "is_superuser", "is_active"])
def test_sign_up_cannot_set_privileged_fields(anon_client, db, field):
    value = {"tickets": 50, "membership_end": "2099-01-01T00:00:00Z"}.get(field, True)
    response = anon_client.post("/api/users/", sign_up_data(**{field: value}), format="json")
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert not User.objects.exists()


def test_university_members_use_its_domain_whatever_the_case(anon_client, university, level, field):
    data = sign_up_data(
        email="Ana@UMONTREAL.ca", university=university.pk, academic_level=level.pk, academic_field=field.pk
    )
    response = anon_client.post("/api/users/", data, format="json")
    assert response.status_code == 201, response.json()
    user = User.objects.get(email__iexact="ana@umontreal.ca")
    assert (user.university, user.academic_level, user.academic_field) == (university, level, field)


def test_university_with_another_domain_is_refused(anon_client, university, level, field):
    data = sign_up_data(
        email="ana@gmail.com", university=university.pk, academic_level=level.pk, academic_field=field.pk
    )
    response = anon_client.post("/api/users/", data, format="json")
    assert response.status_code == 400
    assert "umontreal.ca" in response.json()["fields"]["email"][0]
    assert not User.objects.exists()


def test_university_requires_level_and_field(anon_client, university):
    response = anon_client.post("/api/users/", sign_up_data(email="a@umontreal.ca", university=university.pk))
    assert response.status_code == 400
    assert set(response.json()["fields"]) >= {"academic_level", "academic_field"}


def test_unknown_university_is_a_400(anon_client, db):
    response = anon_client.post("/api/users/", sign_up_data(university=999), format="json")
    assert response.status_code == 400
    assert "university" in response.json()["fields"]


def _closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_account_is_kept_when_the_email_cannot_be_sent(anon_client, db, settings, caplog):
    # The e-mail goes out after the answer (app.core.email): the failure is logged, the account kept.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", _closed_port(), False
    with caplog.at_level("ERROR"):
        response = anon_client.post("/api/users/", sign_up_data(), format="json")
    assert response.status_code == 201
    assert "emails/confirm_sign_up to a member could not be sent: ConnectionRefusedError" in caplog.text
    assert User.objects.filter(email="new@example.com", is_active=False).exists()


def test_a_stale_token_does_not_block_sign_up(anon_client, db):
    anon_client.credentials(HTTP_AUTHORIZATION="Token expired-or-revoked")
    response = anon_client.post("/api/users/", sign_up_data(), format="json")
    assert response.status_code == 201
    assert "Check your e-mail" in response.json()["detail"]
