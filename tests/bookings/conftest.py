"""Bookings fixtures: a workplace in Montreal and one in Kolkata, active periods, slots, rich members."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from app.accounts.models import TicketMovement
from app.accounts.tickets import move_tickets
from app.bookings.models import Period, Workplace
from app.bookings.services import slots

MONTREAL = ZoneInfo("America/Montreal")
KOLKATA = ZoneInfo("Asia/Kolkata")


def make_workplace(name="Montreal Library", tz="America/Montreal", seats=3, **fields):
    fields = {
        "address_line1": "1 Main St",
        "city": "Montreal",
        "state_province": "QC",
        "postal_code": "H2X 1Y4",
        "country": "Canada",
        **fields,
    }
    return Workplace.objects.create(name=name, timezone=tz, seats=seats, **fields)


def make_period(workplace, start_date=None, end_date=None, price=1, is_active=True, name="Term"):
    today = timezone.localdate()
    return Period.objects.create(
        workplace=workplace,
        name=name,
        start_date=start_date or today - timedelta(days=30),
        end_date=end_date or today + timedelta(days=120),
        price=price,
        is_active=is_active,
    )


def local(day, hour, zone, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=zone)


def make_slot(period, days_ahead=3, start_hour=9, end_hour=12, price=None):
    zone = ZoneInfo(period.workplace.timezone)
    day = timezone.now().astimezone(zone).date() + timedelta(days=days_ahead)
    return slots.create_timeslot(period, local(day, start_hour, zone), local(day, end_hour, zone), price)


def give_tickets(user, count):
    move_tickets(user, count, TicketMovement.Reason.ADMIN, reference="test")
    user.refresh_from_db()
    return user


@pytest.fixture
def montreal(db):
    return make_workplace()


@pytest.fixture
def kolkata(db):
    return make_workplace("Kolkata Reading Room", "Asia/Kolkata", city="Kolkata", country="India")


@pytest.fixture
def period(montreal):
    return make_period(montreal)


@pytest.fixture
def slot(period):
    return make_slot(period)


@pytest.fixture
def rich_member(member):
    return give_tickets(member, 10)
