"""Concurrent reservations against a real PostgreSQL server never overbook and never overdraw.

The database is the test's own copy of the migrated template (tests.postgres: POSTGRES_TEST_URL,
skipped without it, failing in CI without it). The test seeds it, serves the app with a multi-threaded
WSGI server on 127.0.0.1 and fires simultaneous HTTP requests at it.
"""

import json
import threading

import pytest
import requests

from tests import postgres
from tests.bookings import pg_server
from tests.core.subprocess_env import run_python
from tests.security import live

pytestmark = [postgres.needs_postgres, pytest.mark.slow]


@pytest.fixture
def database_url():
    with postgres.database("concurrency") as url:
        yield url


@pytest.fixture
def server(database_url, tmp_path):
    env = {"DATABASE_URL": database_url, "DEBUG": "True", "DB_CONN_MAX_AGE": "0", "LOG_LEVEL": "WARNING"}
    seeded = run_python(["-m", "tests.bookings.pg_server", "seed"], timeout=300, **env)
    assert seeded.returncode == 0, seeded.stderr[-2000:]
    with live.servers(database_url, 1, tmp_path, **env) as (base,):
        yield base, json.loads(seeded.stdout.strip().splitlines()[-1])


def fire(base, shots):
    """POST every (key, body) in `shots` at the same moment; return [(key, body, status)]."""
    barrier = threading.Barrier(len(shots))
    results = []

    def shoot(key, body):
        barrier.wait()
        try:
            response = requests.post(
                f"{base}/api/reservations/", json=body, headers={"Authorization": f"Token {key}"}, timeout=120
            )
            results.append((key, body, response.status_code))
        except requests.RequestException as error:
            results.append((key, body, type(error).__name__))

    threads = [threading.Thread(target=shoot, args=shot) for shot in shots]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_simultaneous_reservations_never_overbook_nor_overdraw(server, database_url):
    """Members and a staff member booking for them (paid, and free for guests) race for the same seats."""
    import psycopg2

    base, seed = server
    contested, members, solo, staff = seed["contested"], seed["members"], seed["solo"], seed["staff"]
    shots = [(member["key"], {"timeslot": contested}) for member in members for _ in range(3)]  # 60, 10 seats
    # Staff book each member (paid) and each guest (free) into the same slot at the same moment.
    shots += [(staff["key"], {"timeslot": contested, "user": member["id"]}) for member in members]
    shots += [
        (staff["key"], {"timeslot": contested, "user": guest["id"], "free_reason": "race guest"})
        for guest in seed["guests"]
    ]
    # The solo member (1 ticket) at 10 slots at once, while staff book them into the same 10 slots.
    shots += [(solo["key"], {"timeslot": slot}) for slot in seed["solo_slots"]]
    shots += [(staff["key"], {"timeslot": slot, "user": solo["id"]}) for slot in seed["solo_slots"]]
    results = fire(base, shots)

    statuses = [status for _, _, status in results]
    assert all(isinstance(status, int) and status < 500 for status in statuses), statuses
    on_contested = [status for _, body, status in results if body["timeslot"] == contested]
    assert on_contested.count(201) == pg_server.SEATS
    assert all(400 <= status < 500 for status in on_contested if status != 201)
    for_solo = [
        status
        for key, body, status in results
        if body["timeslot"] != contested and (key == solo["key"] or body.get("user") == solo["id"])
    ]
    assert len(for_solo) == 2 * pg_server.SOLO_SLOTS
    assert for_solo.count(201) == 1  # one ticket: one seat, whoever asked
    assert all(400 <= status < 500 for status in for_solo if status != 201)

    db = psycopg2.connect(database_url)
    try:
        with db.cursor() as cursor:

            def rows(sql, *params):
                cursor.execute(sql, params)
                return cursor.fetchall()

            active = "SELECT user_id, count(*) FROM bookings_reservation WHERE status = 'active' GROUP BY user_id"
            per_user = dict(rows(active))
            balances = dict(rows("SELECT id, tickets FROM accounts_user"))
            ledger = dict(rows("SELECT user_id, sum(delta) FROM accounts_ticketmovement GROUP BY user_id"))
            seated_sql = "SELECT count(*) FROM bookings_reservation WHERE status = 'active' AND timeslot_id = %s"
            seated = rows(seated_sql, contested)[0][0]
            free_sql = "SELECT count(*) FROM bookings_reservation WHERE status = 'active' AND free_reason <> ''"
            free_seats = rows(free_sql)[0][0]
            free_ledger = rows("SELECT count(*) FROM accounts_ticketmovement WHERE reason = 'free_reservation'")[0][0]
    finally:
        db.close()
    assert seated == pg_server.SEATS
    assert all(count == 1 for count in per_user.values())  # nobody holds two seats anywhere
    for member in members:
        assert balances[member["id"]] == pg_server.TICKETS_EACH - per_user.get(member["id"], 0)
    assert balances[solo["id"]] == 0
    assert free_seats == free_ledger  # every free seat has its ledger row
    assert all(balances[guest["id"]] == 0 for guest in seed["guests"])
    assert balances == {user: ledger.get(user, 0) for user in balances}  # every ticket is explained
