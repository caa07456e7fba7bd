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
    assert "Administration de Writing Sessions" in page and "Site d’administration" in page
    client = Client()
    client.force_login(staff_user)
    form = client.get("/admin/bookings/workplace/add/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Fuseau horaire IANA, p. ex. America/Montreal." in form
    assert "nom (français)" in form.lower()
