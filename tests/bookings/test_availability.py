"""A slot's availability for a member (reserved / full / not enough tickets / open), the same in the
API and on the pages, worked out for the slots shown only, whatever the number of upcoming slots."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from app.bookings.models import Reservation, TimeSlot
from app.bookings.selectors import Availability, availability, upcoming_timeslots
from app.bookings.services import reservations
from app.web.views.sessions import PAGE_SIZE
from tests.bookings.conftest import give_tickets, make_period, make_slot, make_workplace
from tests.conftest import make_user, token_client


@pytest.fixture
def four_slots(db):
    """A slot the member holds, a full one, a dear one and an open one (2 seats each)."""
    period = make_period(make_workplace(seats=2), price=1)
    held, full, dear, open_ = (make_slot(period, days_ahead=days) for days in (2, 3, 4, 5))
    dear.price = 50
    dear.save()
    member = give_tickets(make_user(email="member@example.com"), 10)
    reservations.reserve(member, held.pk)
    for index in range(2):
        reservations.reserve(give_tickets(make_user(email=f"o{index}@example.com"), 1), full.pk)
    member.refresh_from_db()
    return member, {"held": held, "full": full, "dear": dear, "open": open_}


def test_availability_for_a_member_and_for_a_visitor(four_slots):
    member, slots = four_slots
    for_member = availability(slots.values(), member)
    assert {name: for_member[slot.pk].state for name, slot in slots.items()} == {
        "held": Availability.RESERVED,
        "full": Availability.FULL,
        "dear": Availability.NOT_ENOUGH_TICKETS,
        "open": Availability.OPEN,
    }
    assert [for_member[slot.pk].places_remaining for slot in slots.values()] == [1, 0, 2, 2]
    for_visitor = availability(slots.values(), None)
    assert for_visitor[slots["held"].pk].state == Availability.OPEN  # a visitor holds nothing
    assert for_visitor[slots["dear"].pk].state == Availability.OPEN  # nor lacks tickets
    assert for_visitor[slots["full"].pk].state == Availability.FULL


def test_the_api_and_the_page_say_the_same(four_slots):
    member, slots = four_slots
    body = token_client(member).get("/api/timeslots/?ordering=start").json()
    assert [(row["availability"], row["places_remaining"]) for row in body["results"]] == [
        ("reserved", 1),
        ("full", 0),
        ("not_enough_tickets", 2),
        ("open", 2),
    ]
    detail = token_client(member).get(f"/api/timeslots/{slots['held'].pk}/").json()
    assert detail["availability"] == "reserved" and detail["places_remaining"] == 1
    from django.test import Client

    page = Client()
    page.force_login(member)
    html = page.get("/sessions/").content.decode()
    assert "You have reserved this session." in html
    assert "Full: no seat left." in html
    assert "Not enough tickets." in html and "You have 9 tickets." in html


def test_filtering_and_sorting_on_places_still_count_every_slot(four_slots):
    member, slots = four_slots
    client = token_client(member)
    available = client.get("/api/timeslots/?available=true").json()["results"]
    assert slots["full"].pk not in {row["id"] for row in available} and len(available) == 3
    ordered = client.get("/api/timeslots/?ordering=places_remaining").json()["results"]
    assert ordered[0]["id"] == slots["full"].pk and ordered[0]["places_remaining"] == 0


def add_upcoming_slots(period, total):
    """Upcoming one-hour slots of `period` until there are `total`, a few of them reserved."""
    zone = period.workplace.zone
    first = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
    have = TimeSlot.objects.count()
    starts = [first + timedelta(hours=index) for index in range(have, total)]
    made = TimeSlot.objects.bulk_create(
        TimeSlot(period=period, start=s, end=s + timedelta(hours=1), local_date=s.astimezone(zone).date(), price=1)
        for s in starts
    )
    for index, slot in enumerate(made[::97]):
        Reservation.objects.create(user=make_user(email=f"r{have}-{index}@example.com"), timeslot=slot, price=1)


def queries_and_ids_read(client, url):
    """The number of queries of one GET, and the largest list of slot ids the reservations were read for."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    widest = 0
    for query in captured.captured_queries:
        sql = query["sql"]
        if '"bookings_reservation"' in sql and "COUNT(" in sql:
            # Counted for a list of slot ids, or per slot in the page's own query (its LIMIT).
            ids = re.search(r'"timeslot_id" IN \(([^)]*)\)', sql)
            correlated = 'timeslot_id = "bookings_timeslot".id' in sql
            page = correlated and re.search(r"LIMIT (\d+)(?: OFFSET \d+)?$", sql)
            assert ids or page, f"reservations counted over every slot: {sql[:300]}"
            widest = max(widest, len(ids.group(1).split(",")) if ids else int(page.group(1)))
    return len(captured), widest


@pytest.mark.slow
def test_availability_costs_the_same_queries_for_2000_upcoming_slots(db, client):
    period = make_period(make_workplace(seats=2), end_date=timezone.localdate() + timedelta(days=200))
    member = give_tickets(make_user(email="member@example.com"), 3)
    api = token_client(member)
    client.force_login(member)
    counts = {}
    for total in (30, 2000):
        add_upcoming_slots(period, total)
        assert upcoming_timeslots().count() == total
        for name, who, url in (
            ("page", client, "/sessions/?page=2"),
            ("home", client, "/"),
            ("api", api, "/api/timeslots/?limit=20&offset=20"),
        ):
            queries, widest = queries_and_ids_read(who, url)
            assert 0 < widest <= max(PAGE_SIZE, 60), f"{name}: places counted for {widest} slots"
            counts.setdefault(name, []).append(queries)
    for name, (small, large) in counts.items():
        assert small == large, f"{name}: {small} queries with 30 upcoming slots, {large} with 2000"
