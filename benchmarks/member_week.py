"""The two scheduled commands of the member's week over many reservations: queries and CPU.

`send_reminders` and `process_waitlists` run in-process on a throwaway sqlite database with
production settings (DEBUG off, e-mail rendered and handed to an in-memory backend, so the
rendering's CPU is counted but no network is). Each runs at two sizes, so that the queries per
batch can be compared between them, and the CPU time (time.process_time) per 1,000 reservations
is printed beside the budget (1 s).

    .venv/bin/python benchmarks/member_week.py [--reservations 10000]
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEATS = 20  # per slot: 10,000 reservations fill 500 slots (3 batches of process_waitlists)
WAITING_PER_SLOT = 3
BUDGET_CPU_PER_1000 = 1.0


def setup_django(directory: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="settings",
        DEBUG="False",
        SECRET_KEY="benchmark-only-key-not-secret-0123456789abcdefghij",
        DATABASE_URL=f"sqlite:///{directory}/bench.sqlite3",
        EMAIL_SERVICE="False",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        LOG_LEVEL="WARNING",
        REMINDER_HOURS="24,2",
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def seed(count: int, tag: str):
    """`count` reservations of as many members in full slots starting in 90 minutes."""
    from django.utils import timezone

    from app.accounts.models import User
    from app.bookings.models import Period, ReminderSent, Reservation, TimeSlot, WaitlistEntry, Workplace

    for model in (WaitlistEntry, ReminderSent, Reservation, TimeSlot, Period, Workplace):  # each size alone
        model.objects.all().delete()

    workplace = Workplace.objects.create(
        name=f"Bench {tag}",
        timezone="America/Montreal",
        seats=SEATS,
        address_line1="1 Main St",
        city="Montréal",
        state_province="QC",
        postal_code="H2X 1Y4",
        country="Canada",
        details="Third floor.",
    )
    today = timezone.localdate()
    period = Period.objects.create(
        workplace=workplace,
        name=tag,
        start_date=today - timedelta(days=1),
        end_date=today + timedelta(days=30),
        price=1,
        is_active=True,
    )
    start = timezone.now() + timedelta(minutes=90)
    slots = TimeSlot.objects.bulk_create(
        TimeSlot(
            period=period,
            start=start + timedelta(seconds=index),
            end=start + timedelta(hours=3),
            local_date=today,
            price=1,
        )
        for index in range(count // SEATS)
    )
    users = User.objects.bulk_create(
        User(
            email=f"{tag}-{index}@example.com",
            first_name="Bench",
            last_name=f"M{index}",
            is_active=True,
            language="fr" if index % 2 else "en",
        )
        for index in range(count + len(slots) * WAITING_PER_SLOT)
    )
    week_ago = timezone.now() - timedelta(days=7)
    reservations = Reservation.objects.bulk_create(
        Reservation(user=users[index], timeslot=slots[index // SEATS], price=1) for index in range(count)
    )
    Reservation.objects.filter(pk__in=[r.pk for r in reservations]).update(created=week_ago)
    return slots, users[count:]


def measure(label: str, work):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cpu, wall = time.process_time(), time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        result = work()
    return result, len(queries), time.process_time() - cpu, time.perf_counter() - wall


def run_reminders(count: int, tag: str) -> dict[str, float]:
    from django.utils import timezone

    from app.bookings import reminders
    from app.bookings.models import Reservation

    seed(count, tag)
    _, fixed, _, _ = measure("nothing due", lambda: reminders.send_reminders(timezone.now() - timedelta(days=9)))
    sent, queries, cpu, wall = measure("send_reminders", reminders.send_reminders)
    batches = -(-Reservation.objects.count() // reminders.BATCH)
    assert sent == count, (sent, count)
    # `fixed`: what a run with nothing to do costs (the keyset query that finds no batch).
    return {"sent": sent, "queries": queries, "fixed": fixed, "batches": batches, "cpu": cpu, "wall": wall}


def run_waitlists(count: int, tag: str) -> dict[str, float]:
    from django.utils import timezone

    from app.bookings import waitlist
    from app.bookings.models import Reservation, TimeSlot, WaitlistEntry

    slots, waiting = seed(count, tag)
    # Three days ahead (before the cutoff), one seat freed in each slot, three members waiting.
    later = timezone.now() + timedelta(days=3)
    TimeSlot.objects.filter(pk__in=[s.pk for s in slots]).update(start=later, end=later + timedelta(hours=3))
    first_of_each = [
        Reservation.objects.filter(timeslot=s).order_by("id").values_list("id", flat=True)[0] for s in slots
    ]
    Reservation.objects.filter(pk__in=first_of_each).update(status=Reservation.Status.CANCELLED)
    _, fixed, _, _ = measure("no list", waitlist.process_waitlists)  # what a run with nothing to do costs
    WaitlistEntry.objects.bulk_create(
        WaitlistEntry(user=user, timeslot=slots[index // WAITING_PER_SLOT]) for index, user in enumerate(waiting)
    )
    offered, queries, cpu, wall = measure("process_waitlists", waitlist.process_waitlists)
    batches = -(-len(slots) // waitlist.BATCH_SLOTS)
    assert offered == len(slots), (offered, len(slots))
    return {"sent": offered, "queries": queries, "fixed": fixed, "batches": batches, "cpu": cpu, "wall": wall}


def commit() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True)
    except OSError:
        return "unknown"
    return head.stdout.strip() + ("+uncommitted" if dirty.stdout.strip() else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reservations", type=int, default=10_000)
    args = parser.parse_args()
    sizes = (args.reservations // 5, args.reservations)
    with tempfile.TemporaryDirectory() as directory:
        setup_django(directory)
        from django.conf import settings

        assert not settings.DEBUG
        print(f"member_week benchmark, commit {commit()}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, DEBUG off, sqlite")
        for name, run in (("send_reminders", run_reminders), ("process_waitlists", run_waitlists)):
            for size in sizes:
                figures = run(size, f"{name}-{size}")
                per_batch = (figures["queries"] - figures["fixed"]) / figures["batches"]
                per_1000 = figures["cpu"] / size * 1000
                verdict = "ok" if per_1000 <= BUDGET_CPU_PER_1000 else "OVER BUDGET"
                print(
                    f"{name:>17} over {size:>6} reservations: {figures['sent']:>6} e-mails, "
                    f"{figures['queries']:>4} queries in {figures['batches']:>3} batch(es) "
                    f"= {per_batch:.1f} per batch + {figures['fixed']}; CPU {figures['cpu']:.2f} s "
                    f"({per_1000:.2f} s per 1,000, budget {BUDGET_CPU_PER_1000:.0f} s: {verdict}); "
                    f"wall {figures['wall']:.2f} s"
                )


if __name__ == "__main__":
    main()
