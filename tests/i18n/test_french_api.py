"""The API answers in the request's language: `Accept-Language: fr` gets French messages."""

from datetime import timedelta
from decimal import Decimal

import pytest
import responses
from django.utils import timezone

from app.accounts.models import AcademicLevel, User
from app.bookings.models import Reservation, TimeSlot
from app.store.models import Package
from tests.bookings.conftest import KOLKATA, give_tickets, make_period, make_slot, make_workplace
from tests.conftest import PASSWORD, make_user, token_client
from tests.store.conftest import AUTHS, buy, error_body, fake_paysafe

FRENCH = {"HTTP_ACCEPT_LANGUAGE": "fr-CA,fr;q=0.9,en;q=0.5"}
NEW_MEMBER = {"email": "fanny@example.com", "password": PASSWORD, "first_name": "Fanny", "last_name": "Fortin"}


def french_client(user):
    client = token_client(user)
    client.defaults.update(FRENCH)
    return client


def test_a_validation_error_is_in_french(anon_client, db):
    response = anon_client.post("/api/users/", {"email": "not-an-address", "password": PASSWORD}, **FRENCH)
    assert response.status_code == 400
    body = response.json()["fields"]
    assert body["first_name"] == ["Ce champ est obligatoire."]  # DRF's own French catalog
    assert body["email"] == ["Saisissez une adresse e-mail valide."]  # Django's
    assert response["Content-Language"] == "fr"
    make_user(email="taken@example.com")
    response = anon_client.post("/api/users/", {**NEW_MEMBER, "email": "taken@example.com"}, **FRENCH)
    assert response.status_code == 400
    assert response.json()["fields"]["email"] == ["Un compte existe déjà avec cette adresse courriel."]  # ours


def test_the_same_error_stays_english_without_accept_language(anon_client, db):
    make_user(email="taken@example.com")
    response = anon_client.post("/api/users/", {**NEW_MEMBER, "email": "taken@example.com"})
    assert response.json()["fields"]["email"] == ["An account with this e-mail address already exists."]


def test_a_full_slot_is_refused_in_french(db):
    slot = make_slot(make_period(make_workplace(seats=1)))
    first = give_tickets(make_user(email="first@example.com"), 1)
    assert french_client(first).post("/api/reservations/", {"timeslot": slot.pk}, format="json").status_code == 201
    late = give_tickets(make_user(email="late@example.com"), 1)
    response = french_client(late).post("/api/reservations/", {"timeslot": slot.pk}, format="json")
    assert response.status_code == 400
    assert response.json()["detail"] == "Cette séance est complète."
    late.refresh_from_db()
    assert late.tickets == 1


def test_the_passed_deadline_is_given_in_french_in_the_workplace_local_time(db, settings):
    settings.RESERVATION_CANCEL_DEADLINE_HOURS = 24
    kolkata = make_workplace("Kolkata Reading Room", "Asia/Kolkata", city="Kolkata", country="India")
    slot = make_slot(make_period(kolkata), days_ahead=3)
    member = give_tickets(make_user(), 2)
    client = french_client(member)
    reservation_id = client.post("/api/reservations/", {"timeslot": slot.pk}, format="json").json()["id"]
    start = timezone.now() + timedelta(hours=23)
    TimeSlot.objects.filter(pk=slot.pk).update(start=start, end=start + timedelta(hours=2))
    response = client.delete(f"/api/reservations/{reservation_id}/")
    assert response.status_code == 400
    deadline = (start - timedelta(hours=24)).astimezone(KOLKATA)
    days = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
    months = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre"]
    months += ["novembre", "décembre"]
    # The workplace's wall clock, written the French way, its zone as members say it (the city).
    when = f"{days[deadline.weekday()]} {deadline.day} {months[deadline.month - 1]} {deadline.year}"
    assert response.json()["detail"] == (
        "Une réservation peut être annulée jusqu’à 24\u00a0heures avant le début\u00a0: "
        f"la limite était {when}, {deadline.hour}\u00a0h\u00a0{deadline:%M} Kolkata."
    )
    assert Reservation.objects.get().status == "active"


@pytest.fixture
def paysafe(settings):
    with fake_paysafe(settings) as mock:
        yield mock


def test_a_declined_payment_is_explained_in_french(db, paysafe):
    package = Package.objects.create(name="5 tickets", name_fr="5 billets", price=Decimal("25.00"), tickets=5)
    member = make_user()
    paysafe.add(
        responses.POST, AUTHS, json=error_body("3022"), status=402, headers={"X-Application-Status-Code": "3022"}
    )
    response = buy(french_client(member), ("package", package, 1))
    assert response.status_code == 402
    assert response.json()["detail"] == "Les fonds de la carte sont insuffisants. Veuillez utiliser une autre carte."
    member.refresh_from_db()
    assert member.tickets == 0


def test_names_entered_by_admins_follow_the_language(anon_client, db):
    Package.objects.create(name="5 tickets", name_fr="5 billets", price=Decimal("25.00"), tickets=5)
    Package.objects.create(name="Trial", price=Decimal("5.00"), tickets=1)  # no French name: the English one
    french = anon_client.get("/api/packages/", **FRENCH).json()
    names = sorted(item["name"] for item in french.get("results", french))
    assert names == ["5 billets", "Trial"]
    english = anon_client.get("/api/packages/").json()
    assert sorted(item["name"] for item in english.get("results", english)) == ["5 tickets", "Trial"]


def test_academic_levels_in_french(anon_client, db):
    AcademicLevel.objects.create(name="Doctorate", name_fr="Doctorat")
    body = anon_client.get("/api/academic-levels/", **FRENCH).json()
    names = [item["name"] for item in body.get("results", body)]
    assert names == ["Doctorat"]


def test_sign_up_keeps_the_request_language_and_the_profile_changes_it(anon_client, db, settings):
    settings.AUTO_ACTIVATE_USER = True
    response = anon_client.post("/api/users/", NEW_MEMBER, **FRENCH)
    assert response.status_code == 201
    fanny = User.objects.get(email="fanny@example.com")
    assert fanny.language == "fr"
    client = token_client(fanny)
    assert client.get("/api/users/me/").json()["language"] == "fr"
    response = client.patch("/api/users/me/", {"language": "en"}, format="json")
    assert response.status_code == 200 and response.json()["language"] == "en"
    response = client.patch("/api/users/me/", {"language": "de"}, format="json", **FRENCH)
    assert response.status_code == 400
    assert response.json()["fields"]["language"] == ["«\u00a0de\u00a0» n'est pas un choix valide."]
