"""The admin follows the request's language: an English-speaking admin sees English."""

from django.test import Client


def admin_page(user, accept_language):
    client = Client()
    client.force_login(user)
    return client.get("/admin/", HTTP_ACCEPT_LANGUAGE=accept_language).content.decode()


def test_an_english_speaking_admin_sees_english_even_if_members_speak_french(staff_user):
    staff_user.language = "fr"  # the e-mail language of the account does not decide the page's
    staff_user.save()
    page = admin_page(staff_user, "en-CA,en;q=0.9")
    assert "Writing Sessions administration" in page and "Site administration" in page


def test_a_french_speaking_admin_sees_french_with_french_help_texts(staff_user):
    page = admin_page(staff_user, "fr-CA,fr;q=0.9")
    assert "Administration – Writing Sessions" in page and "Site d’administration" in page
    client = Client()
    client.force_login(staff_user)
    form = client.get("/admin/bookings/workplace/add/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Fuseau horaire IANA, p. ex. America/Montreal." in form
    assert "nom (français)" in form.lower()


def french_admin(user, path):
    client = Client()
    client.force_login(user)
    response = client.get(path, HTTP_ACCEPT_LANGUAGE="fr-CA,fr;q=0.9")
    assert response.status_code == 200, path
    return response.content.decode()


def test_the_whole_admin_speaks_french_to_a_french_speaking_admin(staff_user):
    from tests.bookings.conftest import make_period, make_slot, make_workplace
    from tests.conftest import make_user

    slot = make_slot(make_period(make_workplace()), days_ahead=2)
    from app.bookings.models import Reservation

    Reservation.objects.create(user=make_user(), timeslot=slot, price=1)
    index = french_admin(staff_user, "/admin/")
    for french in ("Comptes", "Réservations", "Boutique", "Séances", "Membres", "Forfaits de billets", "Coupons"):
        assert french in index, french
    for english in ("Accounts", "Time slots", "Ticket packages", "Users", "Bookings"):
        assert f">{english}<" not in index, english
    # Django's own words stay Django's: "Modifier", never the ledger's "Variation".
    assert "Modifier" in index and "Variation" not in index
    reservations = french_admin(staff_user, "/admin/bookings/reservation/")
    assert "Par présent" in reservations and "Par is present" not in reservations
    assert "Active" in reservations and "Annuler avec remboursement" in reservations
    coupon = french_admin(staff_user, "/admin/store/coupon/add/")
    assert "Rabais en pour cent" in coupon and "Percent off" not in coupon
    slots = french_admin(staff_user, "/admin/bookings/timeslot/")
    assert "Supprimer, en annulant et remboursant les réservations" in slots
    orders = french_admin(staff_user, "/admin/store/order/")
    assert "Par état" in orders or "Par statut" in orders
