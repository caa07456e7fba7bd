"""Seeds the PostgreSQL waiting-list race (run by test_waitlist_postgres.py, never collected by pytest).

`python -m tests.bookings.pg_waitlist_seed` fills the database named by DATABASE_URL: a slot of
SEATS seats, HOLDERS of them booked, one seat held by an offer to Bea, Cal waiting behind her, and
RACERS with tickets; it prints ids and token keys as JSON.
"""

import json
from datetime import datetime, time, timedelta

import django

SEATS = 4
HOLDERS = 3
RACERS = 12


def seed():
    from django.utils import timezone

    from app.accounts.models import AuthToken, TicketMovement, User
    from app.accounts.tickets import move_tickets
    from app.bookings.models import Period, WaitlistEntry, Workplace
    from app.bookings.services import reservations, slots

    workplace = Workplace.objects.create(
        name="Queue Room",
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
        workplace=workplace, name="Q", start_date=today, end_date=today + timedelta(days=30), price=1, is_active=True
    )
    day = today + timedelta(days=5)
    zone = workplace.zone
    slot = slots.create_timeslot(
        period, datetime.combine(day, time(9), tzinfo=zone), datetime.combine(day, time(12), tzinfo=zone)
    )

    def member(email):
        user = User.objects.create_user(email=email, password=None, first_name="Q", last_name="Q")
        User.objects.filter(pk=user.pk).update(is_active=True)
        move_tickets(user, 3, TicketMovement.Reason.ADMIN, reference="race")
        user.refresh_from_db()
        return user, AuthToken.objects.issue(user)[1]

    holders = []
    for index in range(HOLDERS):
        user, key = member(f"holder{index}@example.com")
        holders.append({"id": user.pk, "key": key, "reservation": reservations.reserve(user, slot.pk).pk})
    bea, bea_key = member("bea@example.com")
    cal, cal_key = member("cal@example.com")
    WaitlistEntry.objects.create(
        user=bea, timeslot=slot, status="offered", offer_expires_at=timezone.now() + timedelta(hours=1)
    )
    WaitlistEntry.objects.create(user=cal, timeslot=slot)
    racers = [member(f"racer{i}@example.com") for i in range(RACERS)]
    print(
        json.dumps(
            {
                "slot": slot.pk,
                "holders": holders,
                "bea": {"id": bea.pk, "key": bea_key},
                "cal": {"id": cal.pk, "key": cal_key},
                "racers": [{"id": user.pk, "key": key} for user, key in racers],
            }
        )
    )


if __name__ == "__main__":
    django.setup()
    seed()
