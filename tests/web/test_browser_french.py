"""In real Chromium: switch the pages to French, log in and reserve, then back to English."""

import re

from app.bookings.models import Reservation
from tests.web.browser import PHONE
from tests.web.conftest import PASSWORD, give_tickets, make_period, make_slot, make_user
from tests.web.conftest import make_workplace as new_workplace
from tests.web.test_browser import browser, pytestmark, site  # noqa: F401 - the same Chromium, fixtures and skip


def test_switch_to_french_reserve_and_cancel_in_french(site):  # noqa: F811
    workplace = new_workplace(name="Montreal Library", name_fr="Bibliothèque de Montréal", seats=3)
    make_slot(make_period(workplace, price=2), days_ahead=3)
    member = give_tickets(make_user(email="fanny@example.com", first_name="Fanny"), 5)

    page = site.goto("/")
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_role("button", name="Français").click()
    page.get_by_role("link", name="Séances").first.wait_for()
    assert page.locator("html").get_attribute("lang") == "fr"
    site.check(again=True)

    page.get_by_role("link", name="Se connecter").first.click()
    page.get_by_label("Courriel", exact=True).fill(member.email)
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").last.click()
    page.get_by_role("heading", name="Séances à venir").wait_for()
    site.check()
    assert "Bibliothèque de Montréal" in page.content()

    page.get_by_role("button", name=re.compile("^Réserver")).first.click()
    page.get_by_text("Réservé\u00a0: Bibliothèque de Montréal").wait_for()
    site.check()
    assert "Annulable jusqu’au" in page.content()
    member.refresh_from_db()
    assert member.tickets == 3 and Reservation.objects.get().status == "active"

    page.get_by_role("link", name=re.compile("^Annuler")).click()  # the confirmation step, in French
    page.get_by_role("heading", name="Annuler cette réservation\u202f?").wait_for()
    site.check()
    page.get_by_role("button", name="Oui, l’annuler").click()
    page.get_by_text("Réservation annulée\u00a0: 2 billets rendus.").wait_for()
    member.refresh_from_db()
    assert member.tickets == 5 and Reservation.objects.get().status == "cancelled"

    # The same pages on a 360 px phone, in French: axe, no sideways scrolling, 44 px tap targets.
    page.set_viewport_size(PHONE)
    for path in ["/sessions/", "/account/reservations/", "/account/orders/", "/account/", "/account/close/"]:
        page.goto(path)
        site.check(phone=True, again=True)
    page.goto("/sessions/")
    assert re.search(r"\b(HNE|HAE)\b", page.content()) and "America/" not in page.content()
    page.goto("/account/reservations/")

    page.get_by_role("button", name="English").click()
    page.get_by_role("heading", name="My reservations").wait_for()
    assert page.locator("html").get_attribute("lang") == "en"
