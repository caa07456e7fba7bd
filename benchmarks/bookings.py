"""Warm throughput and SQL queries per request of the time-slot list and of reservation create.

A throwaway sqlite database gets one workplace, an active period with 50 time slots and 15
reservations; requests run in-process through the whole Django stack (middleware, token
authentication, DRF), as a warm Lambda container would serve them.

    .venv/bin/python benchmarks/bookings.py [--seconds 5]
"""

import argparse
import os
import sys
import tempfile
import time
from datetime import datetime, timedelta
from datetime import time as clock
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The 2018 prior art's figures, recorded on this machine in 2026-11 (not this run): printed for
# reference only, never divided into this run's figures (a ratio needs both sides measured together).
PRIOR_ART = {"slot list": ("2.0-2.4", 259), "reservation create": ("18-20", 16)}
RECORDED = "recorded 2026-11, not this run"
TARGET_QUERIES = {"slot list": 5, "reservation create": 10}


def setup_django(directory):
    sys.path.insert(0, str(ROOT))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="settings",
        DEBUG="True",
        DATABASE_URL=f"sqlite:///{directory}/bench.sqlite3",
        THROTTLE_USER="1000000/min",
        LOG_LEVEL="WARNING",
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def seed():
    from django.utils import timezone

    from app.accounts.models import AuthToken, TicketMovement, User
    from app.accounts.tickets import move_tickets
    from app.bookings.models import Period, Workplace
    from app.bookings.services.reservations import reserve
    from app.bookings.services.slots import create_timeslot

    workplace = Workplace.objects.create(
        name="Bench Room",
        timezone="America/Montreal",
        seats=1000,
        address_line1="1 St",
        city="Montreal",
        state_province="QC",
        postal_code="H0H 0H0",
        country="Canada",
    )
    today = timezone.localdate()
    period = Period.objects.create(
        workplace=workplace,
        name="Bench",
        start_date=today,
        end_date=today + timedelta(days=60),
        price=1,
        is_active=True,
    )
    slots = [
        create_timeslot(
            period,
            datetime.combine(today + timedelta(days=2 + day), clock(9), tzinfo=workplace.zone),
            datetime.combine(today + timedelta(days=2 + day), clock(12), tzinfo=workplace.zone),
        )
        for day in range(50)
    ]

    counter = iter(range(10**6))

    def member():
        user = User.objects.create_user(
            email=f"bench{next(counter)}@example.com", password=None, first_name="B", last_name="B", is_active=True
        )
        move_tickets(user, 1000, TicketMovement.Reason.ADMIN, reference="bench")
        return user, AuthToken.objects.issue(user)[1]

    for index in range(15):
        reserve(member()[0], slots[index * 3].pk)
    return slots, member


def client_for(key):
    from django.test import Client

    return Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Token {key}")


def measure(name, request, seconds):
    from django.db import connection

    for _ in range(3):  # warm: imports, caches, first-query setup
        request()
    queries = []  # counted by a wrapper: the test client clears connection.queries at each request
    with connection.execute_wrapper(lambda execute, sql, *rest: queries.append(sql) or execute(sql, *rest)):
        request()
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        request()
        count += 1
    rate = count / (time.perf_counter() - started)
    prior_rate, prior_queries = PRIOR_ART[name]
    ok = "ok" if len(queries) <= TARGET_QUERIES[name] else "OVER TARGET"
    print(
        f"{name:<20} {rate:8.1f} req/s {len(queries):4d} queries (target <= {TARGET_QUERIES[name]}, {ok})"
        f"   [2018 prior art, {RECORDED}: {prior_rate} req/s, {prior_queries} queries]"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="timing window per endpoint")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        setup_django(directory)
        slots, member = seed()
        _, key = member()
        lister = client_for(key)

        def list_slots():
            response = lister.get("/api/timeslots/")
            assert response.status_code == 200 and len(response.json()["results"]) == 50, response.content[:300]

        # Each reservation needs a fresh (member, slot) pair: members are made ahead, outside the timing.
        pool = [client_for(member()[1]) for _ in range(int(args.seconds * 40) + 10)]
        state = {"n": 0}

        def reserve():
            assert state["n"] < 50 * len(pool), "the member pool is used up: raise its size"
            client = pool[state["n"] // 50]
            slot = slots[state["n"] % 50]
            state["n"] += 1
            response = client.post("/api/reservations/", {"timeslot": slot.pk}, content_type="application/json")
            assert response.status_code == 201, response.content[:300]

        print("50 time slots, 15 reservations, sqlite, in-process, warm:")
        measure("slot list", list_slots, args.seconds)
        measure("reservation create", reserve, args.seconds)


if __name__ == "__main__":
    main()
