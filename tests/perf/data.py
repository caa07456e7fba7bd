"""Rows in bulk for the budget tests: `grow(member, n)` adds n rows of every kind a page or a list
shows, so that a test can measure the same request with few rows and with many.

bulk_create skips the services' rules on purpose: what is measured is reading, and the fixture
must cost little (the budget tests run in the test command).
"""

from datetime import datetime, time, timedelta
from decimal import Decimal
from itertools import count
from zoneinfo import ZoneInfo

from django.utils import timezone

from app.accounts.models import AcademicField, AcademicLevel, Domain, Organization, User
from app.bookings.models import Period, Reservation, TimeSlot, Workplace
from app.store.models import Coupon, HeldMembership, Membership, Order, OrderLine, Package, PaymentProfile, SavedCard

_serial = count(1)


def slots_on_days(period, days):
    zone = ZoneInfo(period.workplace.timezone)
    today = timezone.now().astimezone(zone).date()
    slots = []
    for day in days:
        date = today + timedelta(days=day)
        start = datetime.combine(date, time(9), tzinfo=zone)
        slots.append(TimeSlot(period=period, start=start, end=start + timedelta(hours=3), local_date=date, price=1))
    return TimeSlot.objects.bulk_create(slots)


FEW_OF_A_KIND = 3  # a member's saved cards and current memberships: a handful at most, whatever n


def grow(member, n, catalog=None):
    """Add n rows of each kind: workplaces, periods, upcoming slots, the member's reservations (half
    upcoming, half past) and orders; users, organizations, domains, academic levels and fields,
    memberships, packages, coupons, payment profiles. The member's saved cards and held memberships
    grow by FEW_OF_A_KIND at most: nobody holds 200 cards or 200 memberships at once. `catalog`
    (default n): how many organizations, academic levels and fields, memberships and packages, the
    lists staff keep, which pages show whole (the store, the profile form's choices)."""
    catalog = n if catalog is None else catalog
    batch = next(_serial)
    tag = f"{batch}-"
    places = Workplace.objects.bulk_create(
        Workplace(name=f"Room {tag}{i}", timezone="America/Montreal", seats=5, city="Montreal", country="Canada")
        for i in range(n)
    )
    today = timezone.localdate()
    periods = Period.objects.bulk_create(
        Period(
            workplace=place,
            name=f"Term {tag}{i}",
            start_date=today - timedelta(days=400),
            end_date=today + timedelta(days=400),
            price=1,
            is_active=True,
        )
        for i, place in enumerate(places)
    )
    offset = 1000 * batch  # each batch's slots on other days than the others'
    upcoming = slots_on_days(periods[0], range(offset + 1, offset + 1 + n))
    past = slots_on_days(periods[0], range(-offset - n, -offset))
    Reservation.objects.bulk_create(
        Reservation(user=member, timeslot=slot, price=1, status=Reservation.Status.ACTIVE)
        for slot in (upcoming[: (n + 1) // 2] + past[: n // 2])
    )
    users = User.objects.bulk_create(
        User(email=f"someone{tag}{i}@example.com", first_name="Some", last_name="One", is_active=True) for i in range(n)
    )
    organizations = Organization.objects.bulk_create(Organization(name=f"University {tag}{i}") for i in range(catalog))
    Domain.objects.bulk_create(
        Domain(organization=o, name=f"u{tag}{i}.example.edu") for i, o in enumerate(organizations)
    )
    AcademicLevel.objects.bulk_create(AcademicLevel(name=f"Level {tag}{i}") for i in range(catalog))
    AcademicField.objects.bulk_create(AcademicField(name=f"Field {tag}{i}") for i in range(catalog))
    memberships = Membership.objects.bulk_create(
        Membership(name=f"Membership {tag}{i}", price=Decimal("40.00"), duration_days=365) for i in range(catalog)
    )
    packages = Package.objects.bulk_create(
        Package(name=f"Package {tag}{i}", price=Decimal("25.00"), tickets=5) for i in range(catalog)
    )
    Coupon.objects.bulk_create(Coupon(code=f"SAVE{tag}{i}", percent_off=Decimal("10")) for i in range(n))
    now = timezone.now()
    HeldMembership.objects.bulk_create(
        HeldMembership(
            user=member, membership=memberships[i], start=now - timedelta(days=1), end=now + timedelta(days=i)
        )
        for i in range(min(n, FEW_OF_A_KIND))
    )
    orders = Order.objects.bulk_create(
        Order(
            user=member,
            reference=f"ORD-{tag}{i}",
            status=Order.Status.PAID,
            currency="CAD",
            tax_rate=Decimal("14.975"),
            subtotal=Decimal("25.00"),
            tax=Decimal("3.74"),
            total=Decimal("28.74"),
        )
        for i in range(n)
    )
    OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            kind=OrderLine.Kind.PACKAGE,
            package=packages[0],
            name="5 tickets",
            unit_price=Decimal("25.00"),
            quantity=1,
            tickets=5,
        )
        for order in orders
    )
    PaymentProfile.objects.bulk_create(
        PaymentProfile(user=user, merchant_customer_id=f"customer-{tag}{i}") for i, user in enumerate(users)
    )
    profile, _ = PaymentProfile.objects.get_or_create(user=member, defaults={"merchant_customer_id": f"m-{member.pk}"})
    SavedCard.objects.bulk_create(
        SavedCard(
            profile=profile, paysafe_card_id=f"card-{tag}{i}", payment_token=f"token-{tag}{i}", last_digits="1111"
        )
        for i in range(min(n, FEW_OF_A_KIND))
    )
