"""The seat held for an offered member, under simultaneous cancellations and bookings on PostgreSQL.

Holders cancel, the offered member books, and a crowd of other members books the same slot, all at
once through a multi-threaded server: the slot is never over capacity, the offered member gets
her seat, and seats freed by the cancellations go to the next member waiting or to the crowd.
"""

import json
import threading

import pytest
import requests

from tests import postgres
from tests.bookings import pg_waitlist_seed
from tests.core.subprocess_env import run_python
from tests.security import live

pytestmark = [postgres.needs_postgres, pytest.mark.slow]


@pytest.fixture
def server(tmp_path):
    with postgres.database("waitlist") as database_url:
        env = {"DATABASE_URL": database_url, "DEBUG": "True", "DB_CONN_MAX_AGE": "0", "LOG_LEVEL": "WARNING"}
        seeded = run_python(["-m", "tests.bookings.pg_waitlist_seed"], timeout=300, **env)
        assert seeded.returncode == 0, seeded.stderr[-2000:]
        with live.servers(database_url, 1, tmp_path, **env) as (base,):
            yield base, database_url, json.loads(seeded.stdout.strip().splitlines()[-1])


def fire(base, shots):
    """Send every (method, path, key, body) at the same moment; return [(shot, status)]."""
    barrier = threading.Barrier(len(shots))
    results = []

    def shoot(shot):
        method, path, key, body = shot
        barrier.wait()
        try:
            response = requests.request(
                method, f"{base}{path}", json=body, headers={"Authorization": f"Token {key}"}, timeout=120
            )
            results.append((shot, response.status_code))
        except requests.RequestException as error:
            results.append((shot, type(error).__name__))

    threads = [threading.Thread(target=shoot, args=(shot,)) for shot in shots]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_the_held_seat_goes_to_the_offered_member_and_capacity_holds(server):
    import psycopg2

    base, database_url, seed = server
    slot = seed["slot"]
    book = {"timeslot": slot}
    shots = [("DELETE", f"/api/reservations/{h['reservation']}/", h["key"], None) for h in seed["holders"]]
    shots += [("POST", "/api/reservations/", seed["bea"]["key"], book)] * 3
    shots += [("POST", "/api/reservations/", racer["key"], book) for racer in seed["racers"] for _ in range(2)]
    results = fire(base, shots)

    statuses = [status for _, status in results]
    assert all(isinstance(status, int) and status < 500 for status in statuses), statuses
    assert [status for (method, *_), status in results if method == "DELETE"] == [200] * pg_waitlist_seed.HOLDERS
    bea = [status for (method, _, key, _), status in results if key == seed["bea"]["key"]]
    assert sorted(bea) == [201, 400, 400]  # her held seat, once

    db = psycopg2.connect(database_url)
    try:
        with db.cursor() as cursor:
            cursor.execute(
                "SELECT user_id FROM bookings_reservation WHERE status = 'active' AND timeslot_id = %s", [slot]
            )
            seated = [row[0] for row in cursor.fetchall()]
            cursor.execute(
                "SELECT user_id, status FROM bookings_waitlistentry WHERE timeslot_id = %s AND "
                "(status = 'waiting' OR offer_expires_at > now())",
                [slot],
            )
            entries = dict(cursor.fetchall())
            cursor.execute("SELECT id, tickets FROM accounts_user")
            balances = dict(cursor.fetchall())
            cursor.execute("SELECT user_id, sum(delta) FROM accounts_ticketmovement GROUP BY user_id")
            ledger = dict(cursor.fetchall())
    finally:
        db.close()
    assert seed["bea"]["id"] in seated and len(seated) == len(set(seated))
    held = sum(1 for status in entries.values() if status == "offered")
    assert len(seated) + held <= pg_waitlist_seed.SEATS  # never over capacity, holds included
    assert seed["bea"]["id"] not in entries  # her entry ended with her booking
    racers_seated = [user for user in seated if user in {r["id"] for r in seed["racers"]}]
    assert len(racers_seated) + held + 1 == pg_waitlist_seed.SEATS  # every freed seat went somewhere
    assert balances == {user: ledger.get(user, 0) for user in balances}
