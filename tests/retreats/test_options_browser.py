"""Adding a retreat option in real Chromium at phone width: the retreat's page lists it, the checkout
page sells it to the member holding a seat; every page axe-clean, no small tap target."""

import os
import re
from decimal import Decimal

import pytest

from app.retreats.models import RetreatOption, RetreatOptionPurchase, RetreatReservation
from tests.retreats.conftest import make_retreat
from tests.web.browser import CHROMIUM, PHONE
from tests.web.conftest import PASSWORD, make_user
from tests.web.test_browser import Site, browser  # noqa: F401  # the module's one browser

pytest.importorskip("playwright.sync_api")
pytestmark = [pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"no Chromium at {CHROMIUM}"), pytest.mark.slow]


@pytest.fixture
def phone(browser, live_server, transactional_db, settings):  # noqa: F811
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    settings.DEBUG = True  # the local test gateway, as in `make run`
    settings.PAYMENT_GATEWAY = "test"
    settings.STORE_TAXES = "GST:5,QST:9.975"
    opened = Site(browser, live_server.url, viewport=PHONE)
    yield opened
    opened.close()


def test_a_seat_holder_adds_a_single_room_from_the_retreats_page(phone):
    member = make_user()
    retreat = make_retreat()
    RetreatReservation.objects.create(user=member, retreat=retreat, status="confirmed")
    RetreatOption.objects.create(retreat=retreat, name="Single room", price=Decimal("80.00"), stock=2)
    RetreatOption.objects.create(retreat=retreat, name="Meals", price=Decimal("20.00"), stock=0)
    page = phone.page
    page.goto("/login/")
    page.get_by_label("E-mail", exact=True).fill("member@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").last.click()
    page.get_by_role("heading", name="Upcoming sessions").wait_for()

    page.goto(f"/retreats/{retreat.pk}/")
    page.get_by_role("heading", name="Options").wait_for()
    phone.check(phone=True)
    page.get_by_role("link", name="Add to my seat Single room").click()
    page.get_by_role("heading", name="Checkout").wait_for()
    phone.check(phone=True)
    page.get_by_label("Test card: Visa 4111 (approved)").check()
    page.get_by_role("button", name="Pay $91.98").click()  # 80 + GST 4.00 + QST 7.98
    page.get_by_text(re.compile(r"Thank you! Order ORD-\w+ is paid.")).wait_for()
    assert page.url.endswith("/account/retreats/")
    assert RetreatOptionPurchase.objects.get().status == "confirmed"
    page.goto(f"/retreats/{retreat.pk}/")
    assert "1 unit left" in page.locator("ul.options").inner_text()
