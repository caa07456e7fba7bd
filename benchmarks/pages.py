"""SQL queries and bytes per member page, with few and with many time slots.

A throwaway sqlite database gets two workplaces and 10, then 200 upcoming time slots, three
products, a member with an order, a reservation and a saved card. Each page is requested
in-process through the whole Django stack as a logged-in member (anonymous for the auth pages);
the queries must not grow with the slots (at most 8 per page), and /sessions/ must stay under
60 KB of HTML + CSS + JS. Production settings (DEBUG off): the static files are collected first
(into STATIC_ROOT, as deploy.sh does) and served by WhiteNoise. The same budgets, for every member
page with few and many rows of every kind, are tests (tests/perf/): this prints the figures.

    .venv/bin/python benchmarks/pages.py
"""

import os
import re
import sys
import tempfile
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from common import collect_static, production_env, stamp

ROOT = Path(__file__).resolve().parents[1]
MAX_QUERIES = 8
SESSIONS_BUDGET = 60 * 1024
MEMBER_PAGES = ["/", "/sessions/", "/account/", "/account/reservations/", "/store/", "CHECKOUT", "/account/orders/"]
VISITOR_PAGES = ["/", "/sessions/", "/store/", "/signup/", "/login/", "/reset-password"]


def setup_django(directory):
    sys.path.insert(0, str(ROOT))
    os.environ.update(production_env(f"{directory}/bench.sqlite3", PAYMENT_GATEWAY="paysafe"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def seed():
    from app.accounts.models import TicketMovement, User
    from app.accounts.tickets import move_tickets
    from app.bookings.models import Period, Workplace
    from app.store.models import Membership, Order, Package, PaymentProfile, SavedCard

    member = User.objects.create_user(
        email="bench@example.com", password="bench-password-1", first_name="B", last_name="M", is_active=True
    )
    move_tickets(member, 1000, TicketMovement.Reason.ADMIN)
    workplaces = []
    for name, zone in (("Montreal Room", "America/Montreal"), ("Kolkata Room", "Asia/Kolkata")):
        workplace = Workplace.objects.create(
            name=name,
            timezone=zone,
            seats=5,
            address_line1="1 St",
            city="City",
            state_province="S",
            postal_code="P",
            country="C",
        )
        from django.utils import timezone

        today = timezone.localdate()
        period = Period.objects.create(
            workplace=workplace,
            name="Term",
            start_date=today - timedelta(days=1),
            end_date=today + timedelta(days=400),
            price=1,
            is_active=True,
        )
        workplaces.append(period)
    annual = Membership.objects.create(name="Annual", price=Decimal("40.00"), duration_days=365)
    Package.objects.create(name="5 tickets", price=Decimal("25.00"), tickets=5)
    members = Package.objects.create(name="10 tickets (members)", price=Decimal("40.00"), tickets=10)
    members.exclusive_memberships.add(annual)
    Order.objects.create(user=member, currency="CAD", tax_rate=Decimal("14.975"), subtotal=25, tax=3.74, total=28.74)
    profile = PaymentProfile.objects.create(user=member, merchant_customer_id="bench", paysafe_profile_id="p")
    SavedCard.objects.create(profile=profile, paysafe_card_id="c", payment_token="test-card-1", last_digits="1111")
    return member, workplaces


def add_slots(periods, count, already):
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    from app.bookings.services.slots import create_timeslot

    made = 0
    day = already
    while made < count:
        day += 1
        for period in periods:
            zone = ZoneInfo(period.workplace.timezone)
            date = timezone.now().astimezone(zone).date() + timedelta(days=day)
            for hour in (9, 14):
                start = timezone.datetime.combine(date, timezone.datetime.min.time().replace(hour=hour), tzinfo=zone)
                slot = create_timeslot(period, start, start + timedelta(hours=3))
                made += 1
    return day, slot


def measure(client, path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    count = len(queries)  # now: the next request (an asset) resets the query log
    assert response.status_code == 200, (path, response.status_code)
    html = response.content
    assets = re.findall(rb'(?:href|src)="(/static/[^"]+\.(?:css|js))"', html)
    asset_bytes = sum(len(b"".join(client.get(a.decode()).streaming_content)) for a in assets)
    return count, len(html), asset_bytes


def main():
    collect_static()
    with tempfile.TemporaryDirectory() as directory:
        setup_django(directory)
        from django.test import Client

        from app.bookings.services.reservations import reserve
        from app.store.models import Package

        member, periods = seed()
        checkout = f"/store/checkout/?product=package&id={Package.objects.order_by('pk').first().pk}"
        day, slot = add_slots(periods, 10, 0)
        reserve(member, slot.pk)
        user_client, visitor = Client(HTTP_HOST="127.0.0.1"), Client(HTTP_HOST="127.0.0.1")
        user_client.force_login(member)
        user_client.get("/")  # warm caches (templates, content types) before counting
        visitor.get("/")
        rows = {}
        for label, count in (("10 slots", 10), ("200 slots", 200)):
            if count > 10:
                add_slots(periods, count - 10, day)
            for who, client, pages in (("member", user_client, MEMBER_PAGES), ("visitor", visitor, VISITOR_PAGES)):
                for page in pages:
                    path = checkout if page == "CHECKOUT" else page
                    rows.setdefault((who, page), {})[label] = measure(client, path)
        print(f"Queries and bytes per page, DEBUG off ({stamp()}):")
        print(f"{'page':<34} {'queries (10 / 200 slots)':>25} {'HTML bytes':>11} {'CSS+JS bytes':>13}")
        failures = []
        for (who, page), by_count in rows.items():
            q10, _, assets = by_count["10 slots"]
            q200, html200, _ = by_count["200 slots"]
            name = f"{who} {'/store/checkout/' if page == 'CHECKOUT' else page}"
            print(f"{name:<34} {q10:>12} / {q200:<10} {html200:>11} {assets:>13}")
            if q10 != q200 or q200 > MAX_QUERIES:
                failures.append(f"{name}: {q10} / {q200} queries")
            if page == "/sessions/" and html200 + assets > SESSIONS_BUDGET:
                failures.append(f"{name}: {html200 + assets} bytes")
        print(
            f"target: at most {MAX_QUERIES} queries, the same with 10 or 200 slots; "
            f"/sessions/ at most {SESSIONS_BUDGET} bytes"
        )
        if failures:
            print("OVER BUDGET: " + "; ".join(failures))
            sys.exit(1)


if __name__ == "__main__":
    main()
