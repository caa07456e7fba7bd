"""Every member page's SQL queries and HTML bytes, with few rows and with many: budgets that cannot slip.

A member's page must cost the same number of queries whatever the data holds (a list is a page
of rows read at once, never a query per row) and stay within its size: a member with 200
reservations gets at most 40 KB of /account/reservations/. Times are not tested here: they
belong to benchmarks/ (docs/performance.md).
"""

from datetime import timedelta
from decimal import Decimal
from itertools import count

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from app.bookings.models import Reservation
from app.retreats.models import Retreat, RetreatReservation
from app.store.models import Package
from tests.bookings.conftest import give_tickets
from tests.conftest import make_user
from tests.perf.data import grow

FEW, MANY = 2, 200
_retreat_batches = count(1)
CATALOG = 20  # products, universities, academic levels and fields: staff's lists, shown whole
KB = 1024
MAX_QUERIES = 8  # per page, whatever the data (docs/performance.md)
MAX_HTML = 40 * KB  # per page: a member with 200 reservations included
MEMBER_PAGES = [
    "/",
    "/retreats/",
    "/retreats/?page=2",
    "RETREAT",
    "RETREAT_WAITLIST",
    "RETREAT_CHECKOUT",
    "/account/retreats/",
    "/account/retreats/?page=2",
    "RETREAT_CANCEL",
    "/sessions/",
    "/account/",
    "/account/reservations/",
    "/account/reservations/?page=2",
    "/store/",
    "CHECKOUT",
    "/account/orders/",
    "/account/orders/?page=2",
]
VISITOR_PAGES = [
    "/",
    "/sessions/",
    "/store/",
    "/signup/",
    "/login/",
    "/reset-password",
    "/retreats/",
    "RETREAT",
    "RETREAT_WAITLIST",
]


def measure(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(queries), len(response.content)


@pytest.fixture
def member(db):
    return give_tickets(make_user(), 5)


def measure_all(client, pages, special):
    """`special`: the paths of the pages named in capitals (a product's checkout, a retreat, a seat)."""
    return {page: measure(client, special.get(page, page)) for page in pages}


def grow_retreats(member, n):
    """n published retreats (two dates each, half online, one unreleased invitation each) and, for the
    member, n seats with their paid orders: half confirmed and to come (the online ones in their link
    window), half cancelled."""
    from app.retreats.models import Retreat, RetreatDate, RetreatInvitation, RetreatReservation
    from app.store.models import Order, OrderLine

    batch = next(_retreat_batches)
    soon = timezone.now() + timedelta(minutes=5)
    retreats = Retreat.objects.bulk_create(
        Retreat(
            name=f"Retreat {batch}-{i}",
            kind="virtual" if i % 2 else "physical",
            seats=20,
            price=Decimal("200.00"),
            member_price=Decimal("150.00"),
            city="Québec",
            address_line1="1 rue du Lac",
            video_link="https://meet.example.com/r" if i % 2 else "",
            is_published=True,
        )
        for i in range(n)
    )
    RetreatDate.objects.bulk_create(
        RetreatDate(
            retreat=retreat,
            start=soon + timedelta(days=30 * k + 1000 * batch + i),
            end=soon + timedelta(days=30 * k + 1000 * batch + i, hours=8),
        )
        for i, retreat in enumerate(retreats)
        for k in range(2)
    )
    RetreatInvitation.objects.bulk_create(
        RetreatInvitation(retreat=retreat, seats=2, release_at=soon + timedelta(days=20)) for retreat in retreats
    )
    orders = Order.objects.bulk_create(
        Order(
            user=member,
            reference=f"RET-{batch}-{i}",
            status=Order.Status.PAID,
            currency="CAD",
            tax_rate=Decimal("14.975"),
            subtotal=Decimal("200.00"),
            tax=Decimal("29.95"),
            total=Decimal("229.95"),
        )
        for i in range(n)
    )
    lines = OrderLine.objects.bulk_create(
        OrderLine(order=order, kind="retreat", name="Retreat", unit_price=Decimal("200.00"), quantity=1)
        for order in orders
    )
    RetreatReservation.objects.bulk_create(
        RetreatReservation(
            user=member, retreat=retreat, order_line=line, status="confirmed" if i % 4 < 2 else "cancelled"
        )
        for i, (retreat, line) in enumerate(zip(retreats, lines, strict=True))
    )


def grow_waitlists(member, n):
    """n sold-out retreats (their seat taken by someone else) whose waiting list the member is on,
    behind someone else: half of them with a seat held for the member."""
    from app.retreats.models import Retreat, RetreatDate, RetreatWaitlistEntry

    batch = next(_retreat_batches)
    soon = timezone.now() + timedelta(days=3)
    retreats = Retreat.objects.bulk_create(
        Retreat(name=f"Full retreat {batch}-{i}", seats=1, price=Decimal("200.00"), city="Québec", is_published=True)
        for i in range(n)
    )
    RetreatDate.objects.bulk_create(
        RetreatDate(retreat=retreat, start=soon + timedelta(days=i), end=soon + timedelta(days=i, hours=8))
        for i, retreat in enumerate(retreats)
    )
    seated = make_user(email=f"seated-{batch}@example.com")
    RetreatReservation.objects.bulk_create(
        RetreatReservation(user=seated, retreat=retreat, status="confirmed") for retreat in retreats
    )
    ahead = make_user(email=f"ahead-{batch}@example.com")
    RetreatWaitlistEntry.objects.bulk_create(RetreatWaitlistEntry(user=ahead, retreat=r) for r in retreats)
    RetreatWaitlistEntry.objects.bulk_create(
        RetreatWaitlistEntry(
            user=member,
            retreat=retreat,
            status="offered" if i % 2 else "waiting",
            offer_expires_at=timezone.now() + timedelta(hours=1) if i % 2 else None,
        )
        for i, retreat in enumerate(retreats)
    )
    return retreats


@pytest.mark.parametrize("who", ["member", "visitor"])
def test_pages_cost_the_same_queries_with_many_rows_and_stay_within_their_budgets(client, member, who):
    pages = MEMBER_PAGES if who == "member" else VISITOR_PAGES
    if who == "member":
        client.force_login(member)
    grow(member, FEW)
    grow_retreats(member, FEW)
    in_person, online = Retreat.objects.order_by("pk")  # the member's seat at the online one is confirmed
    RetreatReservation.objects.filter(retreat=in_person).delete()  # to be bought
    [full] = grow_waitlists(member, 1)  # sold out, the member waiting in line
    special = {
        "CHECKOUT": f"/store/checkout/?product=package&id={Package.objects.order_by('pk').first().pk}",
        "RETREAT": f"/retreats/{online.pk}/",
        "RETREAT_WAITLIST": f"/retreats/{full.pk}/",
        "RETREAT_CHECKOUT": f"/store/checkout/?product=retreat&id={in_person.pk}",
        "RETREAT_CANCEL": f"/account/retreats/{RetreatReservation.objects.get(retreat=online).pk}/cancel/",
    }
    client.get("/")  # caches warm (content types, templates), as on a warm container
    few = measure_all(client, pages, special)
    grow(member, MANY - FEW, catalog=CATALOG - FEW)
    grow_retreats(member, MANY - FEW)
    grow_waitlists(member, MANY)
    many = measure_all(client, pages, special)
    for page in pages:
        assert many[page][0] == few[page][0], (page, few[page], many[page])
        assert many[page][0] <= MAX_QUERIES, (page, many[page])
        assert many[page][1] <= MAX_HTML, (page, many[page])


def test_reservations_come_upcoming_first_soonest_first_then_the_past_latest_first(client, member):
    client.force_login(member)
    grow(member, 50)  # 25 upcoming, 25 past: pages of 20, 20 and 10
    first = client.get("/account/reservations/").content.decode()
    last = client.get("/account/reservations/?page=3").content.decode()
    middle = client.get("/account/reservations/?page=2").content.decode()
    assert "Page 1 of 3" in first and "Past and cancelled" not in first
    assert first.count('class="card"') == 20
    # Page 2: the last 5 upcoming, then the 15 latest past ones; page 3: the 10 earliest past.
    assert middle.index("Upcoming") < middle.index("Past and cancelled")
    assert middle.count('class="card"') == 20 and last.count('class="card"') == 10
    assert "Upcoming" not in last.replace("No upcoming", "")
    upcoming = Reservation.objects.filter(user=member, timeslot__start__gt=timezone.now()).order_by("timeslot__start")
    past = Reservation.objects.filter(user=member, timeslot__start__lt=timezone.now()).order_by("-timeslot__start")
    soonest, latest_past, earliest_past = upcoming.first(), past.first(), past.last()
    assert f"/account/reservations/{soonest.pk}/cancel/" in first
    assert _day(latest_past) in middle and _day(earliest_past) in last


def _day(reservation):
    """The reservation's time as the page writes it (the members' one way, app.core.moments)."""
    from app.core import moments

    slot = reservation.timeslot
    return escape(moments.slot_text(slot.start, slot.end, slot.period.workplace.zone))
