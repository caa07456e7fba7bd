"""Helper process for the PostgreSQL retreat waiting-list races (run by test_waitlist_postgres, never collected).

`python -m tests.retreats.pg_waitlist_race <held|expired>` seeds the database named by DATABASE_URL
(already migrated): a retreat with SEATS seats, all but one sold, the last one freed and on offer to
the first member of its waiting list (`held`), or that offer just expired (`expired`). Then at the
same moment, each from its own thread and database connection: the offered member and RIVALS other
members check out a seat through the local test gateway while two scheduled passes run.
Prints `{"offered": outcome, "rivals": [...], "seats_held": n, "offers_live": n}` as JSON.
"""

import json
import sys
from datetime import timedelta
from decimal import Decimal

import django

from tests.races import at_once, buying

SEATS = 2
RIVALS = 4
PASSES = 2


def race(case):
    from django.utils import timezone

    from app.accounts.models import User
    from app.retreats import waitlist
    from app.retreats.models import Retreat, RetreatReservation, RetreatWaitlistEntry

    retreat = Retreat.objects.create(name="Lake", seats=SEATS, price=Decimal("200.00"), is_published=True)
    start = timezone.now() + timedelta(days=40)
    retreat.dates.create(start=start, end=start + timedelta(days=2))
    for n in range(SEATS):
        seated = User.objects.create_user(email=f"seated{n}@example.com", password="x" * 12)
        RetreatReservation.objects.create(user=seated, retreat=retreat, status="confirmed")
    offered = User.objects.create_user(email="offered@example.com", password="x" * 12)
    waiting = User.objects.create_user(email="waiting@example.com", password="x" * 12)
    waitlist.join(offered, retreat.pk)
    waitlist.join(waiting, retreat.pk)
    RetreatReservation.objects.filter(user__email="seated0@example.com").update(status="cancelled")
    assert waitlist.process_waitlists() == 1
    if case == "expired":
        RetreatWaitlistEntry.objects.filter(user=offered).update(offer_expires_at=timezone.now())
    rivals = [User.objects.create_user(email=f"rival{n}@example.com", password="x" * 12) for n in range(RIVALS)]
    line = {"product": "retreat", "id": retreat.pk, "quantity": 1}
    buyers = [offered, *rivals]
    bought = at_once([*(buying(member, line) for member in buyers), *[waitlist.process_waitlists] * PASSES])
    outcomes = {member.email: outcome for member, outcome in zip(buyers, bought, strict=False)}
    held = RetreatReservation.objects.filter(retreat=retreat, status__in=RetreatReservation.HOLDS_A_SEAT).count()
    live = RetreatWaitlistEntry.objects.filter(status="offered", offer_expires_at__gt=timezone.now()).count()
    return {
        "offered": outcomes[offered.email],
        "rivals": sorted(outcomes[rival.email] for rival in rivals),
        "seats_held": held,
        "offers_live": live,
    }


if __name__ == "__main__":
    django.setup()
    print(json.dumps(race(sys.argv[1])))
