"""Every API list's SQL queries and bytes, with few rows and with many, for staff and for a member.

A list answers a page of at most 50 rows (`PAGE_SIZE`) with a fixed number of queries, whatever
the table holds: no query per row (each serializer's related rows are read with the page), no
count that grows. The lists are discovered from the URL map, so a new list is held to the same
budget as soon as it exists. Times are not tested here: benchmarks/bookings.py measures them.
"""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import token_client
from tests.core.test_list_filters import LISTS
from tests.perf.data import grow

FEW, MANY = 2, 120  # more than two pages of 50
MAX_QUERIES = 6  # per list request (docs/performance.md)
MAX_BYTES = 64 * 1024  # a page of 50 rows as JSON


def measure(client, path):
    """(queries, bytes), or None for a list this caller may not read (staff's lists, for a member)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    if response.status_code == 403 and not client.user.is_staff:
        return None
    assert response.status_code == 200, (path, response.status_code, response.content[:300])
    return len(queries), len(response.content)


def test_every_list_costs_the_same_queries_with_many_rows_and_stays_within_its_budget(member, staff_user):
    clients = {"staff": token_client(staff_user), "member": token_client(member)}
    grow(member, FEW)
    for client in clients.values():
        client.get("/api/timeslots/")  # caches warm (content types), as on a warm container
    paths = [path for path, _ in LISTS]
    few = {(who, path): measure(client, path) for who, client in clients.items() for path in paths}
    grow(member, MANY - FEW)
    many = {(who, path): measure(client, path) for who, client in clients.items() for path in paths}
    report = {key: (few[key], many[key]) for key in few}
    assert sum(value is not None for value in few.values()) >= len(paths) + 5  # members read lists too
    for key in (key for key, value in few.items() if value is not None):
        assert many[key][0] == few[key][0], ("queries grow with the rows", key, report[key])
        assert many[key][0] <= MAX_QUERIES, ("over the query budget", key, report[key])
        assert many[key][1] <= MAX_BYTES, ("over the size budget", key, report[key])
    # The data did grow where each side can see it: the staff's slot list is a full page.
    assert many[("staff", "/api/timeslots/")][1] > 10 * few[("staff", "/api/timeslots/")][1]
