"""Adding a retreat option in real Chromium at phone width: the retreat's page lists it, the checkout
page sells it to the member holding a seat; every page axe-clean, no small tap target."""

import os
import re
from decimal import Decimal

import pytest

from app.retreats.models import RetreatOption, RetreatOptionPurchase, RetreatReservation
from tests.retreats.conftest import make_retreat
from tests.web.browser import CHROMIUM
from tests.web.conftest import make_user
from tests.web.test_browser import browser  # noqa: F401  # the module's one browser
from tests.web.test_browser_retreats import log_in, phone  # noqa: F401  # the same phone-width site

pytest.importorskip("playwright.sync_api")
pytestmark = [pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"no Chromium at {CHROMIUM}"), pytest.mark.slow]


def test_a_seat_holder_adds_a_single_room_from_the_retreats_page(phone):  # noqa: F811
    member = make_user()
    retreat = make_retreat()
    RetreatReservation.objects.create(user=member, retreat=retreat, status="confirmed")
    RetreatOption.objects.create(retreat=retreat, name="Single room", price=Decimal("80.00"), stock=2)
    RetreatOption.objects.create(retreat=retreat, name="Meals", price=Decimal("20.00"), stock=0)
    page = phone.page
    log_in(page)

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
