"""Helper process for the PostgreSQL concurrency test (run by it, never collected by pytest).

`python -m tests.bookings.pg_server seed` fills the database named by DATABASE_URL and prints
the ids and token keys as JSON; `python -m tests.bookings.pg_server serve PORT` serves the app
with a multi-threaded WSGI server, so requests really run at the same time.
"""

import json
import sys
from datetime import datetime, time, timedelta

import django

MEMBERS = 20
TICKETS_EACH = 2
SEATS = 10
SOLO_SLOTS = 10
GUESTS = 5  # no tickets: only a free seat from staff gets them in


def seed():
    from django.utils import timezone

    from app.accounts.models import AuthToken, TicketMovement, User
    from app.accounts.tickets import move_tickets
    from app.bookings.models import Period, Workplace
    from app.bookings.services import slots

    workplace = Workplace.objects.create(
        name="Race Room",
        timezone="America/Montreal",
        seats=SEATS,
        address_line1="1 St",
        city="Montreal",
        state_province="QC",
        postal_code="H0H 0H0",
        country="Canada",
    )
    today = timezone.localdate()
    period = Period.objects.create(
        workplace=workplace, name="Race", start_date=today, end_date=today + timedelta(days=30), price=1, is_active=True
    )
    day = today + timedelta(days=5)
    zone = workplace.zone

    def at(hour):
        return datetime.combine(day, time(hour), tzinfo=zone)

    contested = slots.create_timeslot(period, at(7), at(8))
    solo_slots = [slots.create_timeslot(period, at(8 + i), at(9 + i)) for i in range(SOLO_SLOTS)]

    def member(email, tickets, **flags):
        # No password: these members only use API tokens, and hashing ~30 full-strength passwords
        # made seeding the slowest part of the test on a busy machine.
        user = User.objects.create_user(email=email, password=None, first_name="R", last_name="R")
        User.objects.filter(pk=user.pk).update(is_active=True, **flags)
        if tickets:
            move_tickets(user, tickets, TicketMovement.Reason.ADMIN, reference="race")
        return {"id": user.pk, "key": AuthToken.objects.issue(user)[1]}

    print(
        json.dumps(
            {
                "contested": contested.pk,
                "solo_slots": [slot.pk for slot in solo_slots],
                "members": [member(f"racer{i}@example.com", TICKETS_EACH) for i in range(MEMBERS)],
                "solo": member("solo@example.com", 1),
                "guests": [member(f"guest{i}@example.com", 0) for i in range(GUESTS)],
                "staff": member("staff@example.com", 0, is_staff=True),
            }
        )
    )


def serve(port):
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application

    class Server(ThreadedWSGIServer):
        request_queue_size = 256  # the default (10) would refuse part of a burst

    httpd = Server(("127.0.0.1", port), WSGIRequestHandler)
    httpd.set_app(get_wsgi_application())
    httpd.serve_forever()


if __name__ == "__main__":
    django.setup()
    if sys.argv[1] == "seed":
        seed()
    else:
        serve(int(sys.argv[2]))
