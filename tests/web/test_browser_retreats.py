"""Retreats in real Chromium, at phone width: find a retreat, buy a seat through the checkout page
with the local test gateway, see it under "My retreats", cancel it seeing the refund first; every
page axe-clean, no sideways scrolling, no small tap target, no request to another origin."""

import os
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from app.retreats.models import RetreatDate, RetreatReservation
from app.store.models import Order, OrderRefund
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


def log_in(page):
    page.goto("/login/")
    page.get_by_label("E-mail", exact=True).fill("member@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").last.click()
    page.get_by_role("heading", name="Upcoming sessions").wait_for()


def test_buy_a_retreat_seat_through_the_checkout_page_then_cancel_it_seeing_the_refund(phone):
    make_user()
    make_retreat(
        days_ahead=20,  # 20 days before: the policy gives back 50 %
        address_line1="12 rue du Lac",
        city="Québec",
        state_province="QC",
        country="Canada",
        details="Three days by the lake.",
    )
    page = phone.page
    page.goto("/retreats/")
    phone.check(phone=True)
    page.get_by_role("link", name="Lake retreat").click()
    phone.check(phone=True)
    page.get_by_role("link", name="Log in to buy").click()
    page.get_by_label("E-mail", exact=True).fill("member@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").last.click()
    page.get_by_role("heading", name="Lake retreat").wait_for()  # back on the retreat's page
    page.get_by_role("link", name=re.compile("^Buy a seat")).click()
    page.get_by_role("heading", name="Checkout").wait_for()
    phone.check(phone=True)
    page.get_by_label("Test card: Visa 4111 (approved)").check()
    page.get_by_role("button", name="Pay $229.95").click()  # 200 + GST 10.00 + QST 19.95
    page.get_by_text(re.compile(r"Thank you! Order ORD-\w+ is paid.")).wait_for()
    assert page.url.endswith("/account/retreats/")
    phone.check(phone=True)
    assert RetreatReservation.objects.get().status == "confirmed"
    assert Order.objects.get().total == Decimal("229.95")

    page.get_by_role("link", name=re.compile("^Cancel")).click()
    page.get_by_role("heading", name="Cancel your seat?").wait_for()
    phone.check(phone=True)
    assert (
        "Cancelled today, $114.98 comes back to your card (50 % of what you paid"
        in page.locator("#refund").inner_text()
    )
    page.get_by_role("button", name="Yes, cancel my seat").click()
    page.get_by_text("Your seat at “Lake retreat” is cancelled: $114.98 refunded to your card.").wait_for()
    phone.check(phone=True, again=True)
    assert RetreatReservation.objects.get().status == "cancelled"
    assert OrderRefund.objects.get().amount == Decimal("114.98")


def test_an_online_retreats_join_button_in_its_window_is_axe_clean(phone):
    member = make_user()
    retreat = make_retreat(name="Online week", kind="virtual", video_link="https://meet.example.com/w", days_ahead=3)
    page = phone.page
    log_in(page)
    page.goto(f"/retreats/{retreat.pk}/")
    page.get_by_role("link", name=re.compile("^Buy a seat")).click()
    page.get_by_role("button", name=re.compile("^Pay ")).click()
    page.get_by_text(re.compile(r"Thank you! Order ORD-\w+ is paid.")).wait_for()
    start = timezone.now() + timedelta(minutes=5)
    RetreatDate.objects.filter(retreat=retreat).update(start=start, end=start + timedelta(hours=3))
    page.goto("/account/retreats/")
    phone.check(phone=True, again=True)
    join = page.get_by_role("link", name=re.compile("^Join"))
    assert join.get_attribute("href") == f"/account/retreats/{RetreatReservation.objects.get(user=member).pk}/join/"


def test_join_a_sold_out_retreats_waiting_list_see_the_seat_held_and_leave(phone):
    from app.retreats.models import RetreatWaitlistEntry

    member = make_user()
    retreat = make_retreat(seats=1, days_ahead=20)
    RetreatReservation.objects.create(user=make_user(email="seated@example.com"), retreat=retreat, status="confirmed")
    page = phone.page
    log_in(page)
    page.goto(f"/retreats/{retreat.pk}/")
    page.get_by_text("This retreat is sold out.").wait_for()
    phone.check(phone=True)
    page.get_by_role("button", name=re.compile("^Join the waiting list")).click()
    page.get_by_text("You are on the waiting list, number 1.", exact=False).wait_for()
    assert "Number 1 in line." in page.locator("#waitlist").inner_text()
    phone.check(phone=True, again=True)
    entry = RetreatWaitlistEntry.objects.get(user=member)
    # A seat frees up and is held for the member: the page and My retreats say until when, with the Buy button.
    RetreatWaitlistEntry.objects.filter(pk=entry.pk).update(
        status="offered", offer_expires_at=timezone.now() + timedelta(hours=2)
    )
    RetreatReservation.objects.filter(user__email="seated@example.com").update(status="cancelled")
    page.goto("/account/retreats/")
    page.get_by_text("A seat is held for you until", exact=False).wait_for()
    phone.check(phone=True, again=True)
    page.get_by_role("link", name=re.compile("^Buy a seat")).click()
    page.get_by_role("heading", name="Checkout").wait_for()
    page.goto("/account/retreats/")
    page.get_by_role("button", name=re.compile("^Leave the list")).click()
    page.get_by_text("You left the waiting list.").wait_for()
    assert not RetreatWaitlistEntry.objects.exists()
