"""A live HTTP server on 127.0.0.1 for the fuzz run, on the test database, and what it serves."""

import socket
import threading
from decimal import Decimal

import pytest

from app.accounts.models import AcademicField, AcademicLevel, Domain, Organization
from tests.bookings.conftest import give_tickets, make_period, make_slot, make_workplace
from tests.conftest import make_user
from tests.integrations.paysafe_fake import FakePaysafe
from tests.store.conftest import fake_paysafe


@pytest.fixture
def api_server(transactional_db, settings):
    """The app served over real HTTP in a thread of this process, on a free port: `http://127.0.0.1:<port>`.

    pytest-django's `live_server`, but answering without Nagle's delay: Django's server writes the
    headers and the body separately, and a keep-alive client waited 40 ms for every answer.
    """
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.core.servers.basehttp import ThreadedWSGIServer
    from django.db import connections
    from django.test.testcases import LiveServerThread

    class Server(ThreadedWSGIServer):
        def get_request(self):
            connection, address = super().get_request()
            connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return connection, address

    class Thread(LiveServerThread):
        server_class = Server

    # An in-memory sqlite database is shared with the server's threads (as pytest-django does).
    shared = {conn.alias: conn for conn in connections.all() if conn.vendor == "sqlite" and conn.is_in_memory_db()}
    thread = Thread("127.0.0.1", StaticFilesHandler, connections_override=shared, port=0)
    thread.daemon = True
    for conn in shared.values():
        conn.inc_thread_sharing()
    thread.start()
    thread.is_ready.wait()
    try:
        if thread.error:
            raise thread.error
        yield f"http://127.0.0.1:{thread.port}"
    finally:
        thread.terminate()
        # Request threads close their database connections as they end: let them, while still shared.
        for request_thread in threading.enumerate():
            if request_thread.name.endswith("(process_request_thread)"):
                request_thread.join(timeout=5)
        for conn in shared.values():
            conn.dec_thread_sharing()


@pytest.fixture
def paysafe_at_the_edge(settings, api_server):
    """Paysafe answered by the stateful fake of the contract tests; calls to the server pass through."""
    with fake_paysafe(settings) as mock:
        mock.add_passthru(api_server)
        FakePaysafe(mock)
        yield


@pytest.fixture
def fuzz_data(transactional_db):
    """Rows for the fuzzer to find at small ids: a member with tickets, a bookable slot, products..."""
    from app.bookings.services.reservations import reserve
    from app.store.models import Membership, Package

    member = give_tickets(make_user(), 10)
    staff = make_user(email="admin@example.com", is_staff=True, is_superuser=True, first_name="Ada", last_name="Admin")
    workplace = make_workplace()
    period = make_period(workplace)
    reserve(member, make_slot(period, days_ahead=3).pk)
    make_slot(period, days_ahead=4)
    organization = Organization.objects.create(name="University of Montreal")
    Domain.objects.create(organization=organization, name="umontreal.ca")
    AcademicLevel.objects.create(name="Doctorate")
    AcademicField.objects.create(name="History")
    Package.objects.create(name="5 tickets", price=Decimal("25.00"), tickets=5)
    Membership.objects.create(name="Annual", price=Decimal("40.00"), duration_days=365)
    return {"member": member, "admin": staff}
