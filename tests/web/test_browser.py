"""The member pages in real Chromium: the journeys, a phone-sized run, axe-core, no foreign request.

One browser for the module (its event loop ends with it); a fresh context, so fresh cookies, per test.
"""

import os
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core import mail

from app.accounts.models import User
from app.bookings.models import Reservation
from tests.web.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    PHONE,
    OriginWatch,
    axe_violations,
    scrolls_sideways,
    small_tap_targets,
)
from tests.web.conftest import PASSWORD, give_tickets, link_in_last_email, make_period, make_slot, make_user
from tests.web.conftest import make_workplace as new_workplace

sync_api = pytest.importorskip("playwright.sync_api")
pytestmark = [pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"no Chromium at {CHROMIUM}"), pytest.mark.slow]


@pytest.fixture(scope="module")
def browser():
    # Playwright's sync API keeps an event loop in this thread; the ORM calls the tests make
    # between page actions are plain synchronous ones.
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_api.sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if before is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


class Site:
    """A browser tab on the live server, checking every page it is asked to."""

    def __init__(self, browser, base_url, viewport=None):
        self.context = browser.new_context(base_url=base_url, viewport=viewport or {"width": 1280, "height": 900})
        self.context.set_default_timeout(10_000)
        self.watch = OriginWatch(self.context, base_url)
        self.page = self.context.new_page()
        self.errors = []
        # A CSP refusal and a script error both show here (a 402 or 404 answer is not one).
        self.page.on("console", lambda m: "Content Security Policy" in m.text and self.errors.append(m.text))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.checked = set()

    def check(self, phone=False, again=False):
        """axe-core on the page (once per path unless `again`), and on a phone no sideways scrolling."""
        path = re.sub(r"^https?://[^/]+", "", self.page.url).split("?")[0]
        if again or path not in self.checked:
            self.checked.add(path)
            assert axe_violations(self.page) == [], path
        if phone:
            assert not scrolls_sideways(self.page), f"{path} scrolls sideways at {PHONE['width']} px"
            assert small_tap_targets(self.page) == [], f"{path}: tap targets under 44 x 44 px"

    def goto(self, path):
        self.page.goto(path)
        self.check()
        return self.page

    def close(self):
        self.context.close()
        assert self.watch.foreign == [], "requests to another origin"
        assert self.errors == [], "CSP refusals or script errors"


@pytest.fixture
def site(browser, live_server, transactional_db, settings):
    # As in `make run` over plain http: cookies without the Secure flag.
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    opened = Site(browser, live_server.url)
    yield opened
    opened.close()


@pytest.fixture
def bookable(transactional_db):
    workplace = new_workplace(seats=3)
    slot = make_slot(make_period(workplace, price=2), days_ahead=3)
    return slot


def _fill(page, label, value):
    page.get_by_label(label, exact=True).fill(value)


def test_full_journey_sign_up_activate_buy_reserve_cancel_log_out(site, bookable, settings):
    from app.store.models import Coupon, Order, Package

    settings.DEBUG = True  # the local test gateway, as in `make run`
    settings.PAYMENT_GATEWAY = "test"
    Package.objects.create(name="5 tickets", price=Decimal("25.00"), tickets=5)
    Coupon.objects.create(code="HALF", percent_off=Decimal("50"))
    page = site.goto("/")
    page.get_by_role("link", name="Sign up").first.click()
    site.check()
    page.get_by_role("button", name="Create my account").click()  # empty: errors next to the fields
    assert page.get_by_label("E-mail", exact=True).get_attribute("aria-describedby") == "id_email_error"
    assert "This field is required." in page.locator("#id_email_error").inner_text()
    site.check(again=True)
    _fill(page, "E-mail", "journey@example.com")
    _fill(page, "Password (at least 8 characters)", "writing-every-day-42")
    _fill(page, "First name", "Jo")
    _fill(page, "Last name", "Journey")
    page.get_by_role("button", name="Create my account").click()
    page.get_by_role("heading", name="Check your e-mail").wait_for()
    site.check()

    page.goto(link_in_last_email(mail.outbox))
    site.check()
    page.get_by_role("button", name="Confirm my account").click()
    page.get_by_text("Your account is confirmed and you are logged in").wait_for()
    site.check()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Store").click()
    site.check()
    page.get_by_role("link", name="Buy 5 tickets").click()
    site.check()
    page.get_by_label("Coupon code").fill("half")
    page.get_by_role("button", name="Apply").click()
    page.get_by_role("button", name="Pay $14.38").wait_for()  # 12.50 + GST 0.63 + QST 1.25, after the coupon
    page.get_by_label("Test card: Visa (declined by the bank)").check()
    page.get_by_role("button", name=re.compile("^Pay ")).click()
    page.get_by_text("Your bank declined the payment. Please use another card or contact your bank.").wait_for()
    assert User.objects.get(email="journey@example.com").tickets == 0
    page.get_by_label("Test card: Visa 4111 (approved)").check()
    page.get_by_role("button", name=re.compile("^Pay ")).dblclick()  # an impatient double click
    page.get_by_text(re.compile(r"Thank you! Order ORD-\w+ is paid.")).wait_for()
    site.check()
    assert User.objects.get(email="journey@example.com").tickets == 5
    assert Order.objects.filter(status="paid").count() == 1
    assert Order.objects.get(status="paid").total == Decimal("14.38")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Sessions").click()
    site.check()
    page.get_by_role("button", name=re.compile("^Reserve")).first.click()
    page.get_by_text("Reserved: Montreal Library").wait_for()
    site.check()
    assert page.url.endswith("/account/reservations/")
    assert "Cancel until" in page.content()
    assert User.objects.get(email="journey@example.com").tickets == 3

    page.get_by_role("link", name=re.compile("^Cancel")).click()  # a confirmation step first
    page.get_by_role("heading", name="Cancel this reservation?").wait_for()
    site.check()
    page.get_by_role("button", name="Yes, cancel it").click()
    page.get_by_text("Reservation cancelled: 2 tickets returned.").wait_for()
    assert Reservation.objects.get().status == "cancelled"
    assert User.objects.get(email="journey@example.com").tickets == 5

    page.get_by_role("button", name="Log out").click()
    page.get_by_text("You are logged out.").wait_for()
    page.goto("/account/")
    assert "/login/?next=/account/" in page.url


def test_reset_password_through_the_emailed_link(site):
    make_user()
    page = site.goto("/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    site.check()
    _fill(page, "E-mail", "member@example.com")
    page.get_by_role("button", name="Send me a link").click()
    page.get_by_text("If an active account uses this address").wait_for()
    site.check()
    page.goto(link_in_last_email(mail.outbox))
    site.check()
    _fill(page, "New password", "a-brand-new-passphrase")
    page.get_by_role("button", name="Save my new password").click()
    page.get_by_text("Your password has been changed. Log in with the new one.").wait_for()
    _fill(page, "E-mail", "member@example.com")
    _fill(page, "Password", "a-brand-new-passphrase")
    page.get_by_role("button", name="Log in").last.click()
    page.get_by_role("heading", name="Upcoming sessions").wait_for()


def test_every_page_at_phone_width_with_axe_and_keyboard(browser, live_server, transactional_db, settings, bookable):
    from app.store.models import Order, Package

    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    settings.DEBUG = True
    member = give_tickets(make_user(), 1)
    package = Package.objects.create(name="5 tickets", price=Decimal("25.00"), tickets=5)
    Order.objects.create(user=member, currency="CAD", tax_rate=Decimal("14.975"), subtotal=1, tax=0, total=1)
    phone = Site(browser, live_server.url, viewport=PHONE)
    try:
        page = phone.page
        for path in ["/", "/sessions/", "/store/", "/signup/", "/reset-password", "/login/"]:
            page.goto(path)
            phone.check(phone=True)
            assert page.locator("h1").count() == 1, path
        # Keyboard only: Tab to the e-mail field, type, Tab, type, Enter.
        page.locator("#id_email").focus()
        page.keyboard.type("member@example.com")
        page.keyboard.press("Tab")
        page.keyboard.type(PASSWORD)
        page.keyboard.press("Enter")
        page.get_by_role("heading", name="Upcoming sessions").wait_for()
        assert "Not enough tickets." in page.content() and "You have 1 ticket." in page.content()
        for path in [
            "/account/",
            "/account/reservations/",
            "/account/orders/",
            f"/store/checkout/?product=package&id={package.pk}",
        ]:
            page.goto(path)
            phone.check(phone=True)
            assert page.locator("h1").count() == 1, path
        # A focused control is visibly outlined.
        page.get_by_role("button", name=re.compile("^Pay ")).focus()
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline != "none"
    finally:
        phone.close()


def _log_in(page, email="member@example.com", password=PASSWORD):
    page.goto("/login/")
    _fill(page, "E-mail", email)
    _fill(page, "Password", password)
    page.get_by_role("button", name="Log in").last.click()
    page.get_by_role("heading", name="Upcoming sessions").wait_for()


def test_checkout_with_paysafe_js_hosted_fields(site, settings):
    """A new card goes through Paysafe.js (a local stand-in with its interface); our server sees a token."""
    import json

    from app.store.models import Order, Package
    from tests.store.conftest import approve, fake_paysafe

    make_user()
    package = Package.objects.create(name="5 tickets", price=Decimal("25.00"), tickets=5)
    settings.PAYSAFE_JS_API_KEY = "cHVibGljLWtleQ=="
    standin = Path(__file__).parent / "vendor" / "paysafe-standin.js"
    site.context.route(
        "https://hosted.paysafe.com/**", lambda route: route.fulfill(path=standin, content_type="text/javascript")
    )
    with fake_paysafe(settings) as paysafe:
        approve(paysafe)
        page = site.page
        _log_in(page)
        page.goto(f"/store/checkout/?product=package&id={package.pk}")
        site.check()
        page.get_by_role("button", name=re.compile("^Pay ")).click()
        page.get_by_text("The card number is incomplete.").wait_for()  # the fields' own message
        page.get_by_role("textbox", name="Card number").fill("4111 1111 1111 1111")
        page.get_by_role("button", name=re.compile("^Pay ")).click()
        page.get_by_text(re.compile(r"Thank you! Order ORD-\w+ is paid.")).wait_for()
        charges = [json.loads(call.request.body) for call in paysafe.calls if call.request.url.endswith("/auths")]
    assert [charge["card"]["paymentToken"] for charge in charges] == ["SUT-16-1111"]
    assert "4111" not in json.dumps(charges)
    assert Order.objects.get().status == "paid"
    # The page's only other origin is the Paysafe.js one its CSP allows.
    assert site.watch.foreign and all(u.startswith("https://hosted.paysafe.com/") for u in site.watch.foreign)
    site.watch.foreign.clear()


def test_admin_and_api_docs_still_work_under_the_policy(site):
    make_user(email="admin@example.com", is_staff=True, is_superuser=True)
    page = site.page
    page.goto("/admin/")
    _fill(page, "E-mail address:", "admin@example.com")
    _fill(page, "Password:", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Members").first.click()
    page.get_by_text("member@example.com" if False else "admin@example.com").first.wait_for()
    assert "/admin/accounts/user/" in page.url

    page.goto("/api/docs/")
    page.locator(".opblock").first.wait_for()
    assert page.locator(".opblock").count() > 10  # Swagger UI drew the operations


def test_the_members_week_pages_at_phone_width_with_axe(browser, live_server, transactional_db, settings):
    """Confirmation steps, waiting lists, moving and the account's calendar feed, at 360 px, axe-clean."""
    from datetime import timedelta

    from django.utils import timezone

    from app.bookings.models import TimeSlot
    from app.bookings.services import reservations

    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    member = give_tickets(make_user(), 10)
    workplace = new_workplace(seats=1, details="Side door, second floor.")
    period = make_period(workplace, price=1)
    booked = make_slot(period, days_ahead=3)
    other = make_slot(period, days_ahead=4)
    full = make_slot(period, days_ahead=5)
    reservations.reserve(give_tickets(make_user(email="ann@example.com"), 1), full.pk)
    late = make_slot(period, days_ahead=6)
    start = timezone.now() + timedelta(hours=5)
    TimeSlot.objects.filter(pk=late.pk).update(start=start, end=start + timedelta(hours=1))
    reservation = reservations.reserve(member, booked.pk)
    phone = Site(browser, live_server.url, viewport=PHONE)
    try:
        page = phone.page
        _log_in(page)
        phone.check(phone=True)
        page.get_by_role("button", name=re.compile("^Join the waiting list")).first.click()
        page.get_by_text("You are on the waiting list, number 1.").wait_for()
        phone.check(phone=True)  # /account/reservations/ with the entry
        page.goto(f"/sessions/{late.pk}/reserve/confirm/")
        phone.check(phone=True)
        assert "be able to cancel it" in page.content()
        page.goto(f"/account/reservations/{reservation.pk}/cancel/confirm/")
        phone.check(phone=True)
        page.goto(f"/account/reservations/{reservation.pk}/move/")
        phone.check(phone=True)
        page.get_by_label(re.compile("Montreal Library")).first.check()
        page.get_by_role("button", name="Move it").click()
        page.get_by_text("Your reservation is moved.").wait_for()
        page.goto("/")
        phone.check(phone=True, again=True)  # with the next session
        page.goto("/account/")
        phone.check(phone=True, again=True)
        page.get_by_role("button", name="Create my feed").click()
        page.get_by_text("shown only once").wait_for()
        phone.check(phone=True, again=True)
    finally:
        phone.close()
    assert other.pk  # the move's target existed
