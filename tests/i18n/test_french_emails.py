"""E-mails are written in the member's language, whoever triggers them (the member or an admin)."""

import logging
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail

from app.bookings.services import reservations
from app.store.models import Package
from tests.bookings.conftest import give_tickets, make_period, make_slot, make_workplace
from tests.conftest import make_user, token_client
from tests.integrations.recording_server import sendinblue_on
from tests.store.conftest import approve, buy, fake_paysafe

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def french_member(db):
    return make_user(email="fanny@example.com", first_name="Fanny", language="fr")


def test_sendinblue_gets_the_french_template_id_for_a_french_member(anon_client, french_member, settings):
    settings.FORGOT_PASSWORD, settings.FORGOT_PASSWORD_FR = 7, 17
    with sendinblue_on(settings) as server:
        # The request is in English: the member's own language decides.
        anon_client.post("/api/password/reset/", {"email": french_member.email}, format="json", **ENGLISH)
    (request,) = server.requests
    assert request.json["templateId"] == 17
    assert request.json["to"] == [{"email": "fanny@example.com", "name": "Fanny Member"}]


def test_an_english_member_keeps_the_english_template(anon_client, member, settings):
    settings.FORGOT_PASSWORD, settings.FORGOT_PASSWORD_FR = 7, 17
    with sendinblue_on(settings) as server:
        anon_client.post("/api/password/reset/", {"email": member.email}, format="json", HTTP_ACCEPT_LANGUAGE="fr")
    assert server.requests[0].json["templateId"] == 7


def test_a_missing_french_template_falls_back_to_english_with_a_warning(anon_client, french_member, settings, caplog):
    settings.FORGOT_PASSWORD, settings.FORGOT_PASSWORD_FR = 7, 0
    with sendinblue_on(settings) as server, caplog.at_level(logging.WARNING, logger="app.core.email_delivery"):
        anon_client.post("/api/password/reset/", {"email": french_member.email}, format="json")
    assert server.requests[0].json["templateId"] == 7
    assert "FORGOT_PASSWORD_FR is not set" in caplog.text


def test_the_local_templates_are_french_for_a_french_member(anon_client, french_member):
    anon_client.post("/api/password/reset/", {"email": french_member.email}, format="json", **ENGLISH)
    (message,) = mail.outbox
    assert message.subject == "Réinitialisez votre mot de passe"
    assert message.body.startswith("Bonjour Fanny Member,\n\nPour choisir un nouveau mot de passe")
    assert "ouvrez ce lien d’ici 60 minutes\u00a0:" in message.body


def test_an_english_admin_moving_a_slot_tells_each_member_in_their_language(
    admin_client_api, db, django_capture_on_commit_callbacks
):
    slot = make_slot(make_period(make_workplace(name="Library", name_fr="Bibliothèque")), days_ahead=5, price=2)
    fanny = give_tickets(make_user(email="fanny@example.com", first_name="Fanny", language="fr"), 2)
    emma = give_tickets(make_user(email="emma@example.com", first_name="Emma", language="en"), 2)
    for member in (fanny, emma):
        reservations.reserve(member, slot.pk)
    new_start = slot.start + timedelta(hours=4)
    body = {"start": new_start.isoformat(), "end": (new_start + timedelta(hours=1)).isoformat(), "force": True}
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_api.patch(f"/api/timeslots/{slot.pk}/", body, format="json", **ENGLISH)
    assert response.status_code == 200, response.json()
    by_address = {message.to[0]: message for message in mail.outbox}
    french, english = by_address["fanny@example.com"], by_address["emma@example.com"]
    assert french.subject.startswith("Votre réservation à Bibliothèque le ") and french.subject.endswith("est annulée")
    assert "a changé d’horaire" in french.body
    assert "vos 2 billets ont été remis à votre solde" in french.body
    assert english.subject.startswith("Your reservation at Library on ")
    assert "changed time" in english.body and "2 tickets have been returned" in english.body


def test_the_invoice_of_a_french_member_is_in_french_with_french_amounts(
    settings, french_member, django_capture_on_commit_callbacks
):
    package = Package.objects.create(name="Ten tickets", name_fr="Dix billets", price=Decimal("1250.00"), tickets=10)
    with fake_paysafe(settings) as paysafe:
        approve(paysafe)
        with django_capture_on_commit_callbacks(execute=True):
            response = buy(token_client(french_member), ("package", package, 1))
    assert response.status_code == 201, response.json()
    (message,) = mail.outbox
    assert message.subject.endswith(f"facture {response.json()['reference']}")
    # 1 250,00 $: TPS 62,50 $, TVQ 124,6875 -> 124,69 $; 1 437,19 $ (no-break spaces, as Django's French formats).
    assert "Sous-total\u00a0: 1\u00a0250,00\u00a0$" in message.body
    assert "TPS (5\u00a0%)\u00a0: 62,50\u00a0$" in message.body
    assert "TVQ (9,975\u00a0%)\u00a0: 124,69\u00a0$" in message.body
    assert "1 × Ten tickets" not in message.body and "1 × Dix billets à 1\u00a0250,00\u00a0$" in message.body
    assert "Total\u00a0: 1\u00a0437,19\u00a0$" in message.body


def test_staff_booking_a_french_member_confirms_in_french(admin_client_api, db, django_capture_on_commit_callbacks):
    slot = make_slot(make_period(make_workplace(name="Library", name_fr="Bibliothèque")), days_ahead=5, price=2)
    fanny = give_tickets(make_user(email="fanny@example.com", first_name="Fanny", language="fr"), 2)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_api.post(
            "/api/reservations/", {"timeslot": slot.pk, "user": fanny.pk}, format="json", **ENGLISH
        )
    assert response.status_code == 201, response.json()
    (message,) = mail.outbox
    assert message.subject.startswith("Vous avez une place à Bibliothèque le ")
    assert "Notre équipe vous a réservé une place à Bibliothèque" in message.body
    assert "Elle a coûté 2 billets de votre solde." in message.body


def test_staff_booking_a_french_member_uses_the_french_sendinblue_template(
    admin_client_api, db, settings, django_capture_on_commit_callbacks
):
    settings.RESERVATION_CONFIRMED, settings.RESERVATION_CONFIRMED_FR = 12, 22
    slot = make_slot(make_period(make_workplace(name="Library", name_fr="Bibliothèque")), days_ahead=5, price=2)
    fanny = give_tickets(make_user(email="fanny@example.com", first_name="Fanny", language="fr"), 2)
    with sendinblue_on(settings) as server, django_capture_on_commit_callbacks(execute=True):
        admin_client_api.post("/api/reservations/", {"timeslot": slot.pk, "user": fanny.pk}, format="json", **ENGLISH)
    (request,) = server.requests
    assert request.json["templateId"] == 22
    assert request.json["params"]["workplace"] == "Bibliothèque"
