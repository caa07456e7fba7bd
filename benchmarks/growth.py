"""Do the slot lists slow down as data grows? /sessions/ and /api/timeslots/ with 10 upcoming time
slots against 2,000, in the same run (target: at least 80 % of the rate with 10).

Two worker processes run this tree's project with production settings (DEBUG off), each with its
own throwaway sqlite database: two workplaces, and 10 or 2,000 upcoming time slots between them,
one reservation in three. Each serves, in-process through the whole Django stack, a member's
`GET /sessions/` (the first page: 20 slots) and the member's token-authenticated
`GET /api/timeslots/?limit=10` (10 slots on both sides: the default page of 50 would show 10
slots against 50, which measures serializing more rows, not work that grows with the data;
/sessions/ shows its page of 20, so the large side also shows 10 cards more). The workers take turns, a timing window
each, for several rounds (interleaved, so that a busy moment of the shared machine weighs on
both). The rate is requests per second of the worker's own CPU time; the figure is each side's
median, and the ratio is between the two sides of this run.

    .venv/bin/python benchmarks/growth.py [--seconds 2] [--rounds 5] [--slots 2000]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from datetime import time as clock
from pathlib import Path

from common import collect_static, production_env, stamp

ROOT = Path(__file__).resolve().parents[1]
TARGET = 0.80
FEW = 10
PAGES = ("/sessions/", "/api/timeslots/?limit=10")


def seed(count):
    """`count` upcoming slots over two workplaces, one in three reserved; a member and their token."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from app.accounts.models import AuthToken, TicketMovement, User
    from app.accounts.tickets import move_tickets
    from app.bookings.models import Period, Reservation, TimeSlot, Workplace

    member = User.objects.create_user(email="bench@example.com", password=None, is_active=True)
    move_tickets(member, 10, TicketMovement.Reason.ADMIN, reference="bench")
    slots = []
    for name, zone in (("Montreal Room", "America/Montreal"), ("Kolkata Room", "Asia/Kolkata")):
        workplace = Workplace.objects.create(name=name, timezone=zone, seats=5, city="City", country="Country")
        today = timezone.localdate()
        period = Period.objects.create(
            workplace=workplace,
            name="Term",
            start_date=today - timedelta(days=1),
            end_date=today + timedelta(days=3000),
            price=1,
            is_active=True,
        )
        for index in range(count // 2 + count % 2 * (not slots)):
            day = today + timedelta(days=1 + index // 2)
            start = datetime.combine(day, clock(9 if index % 2 == 0 else 14), tzinfo=workplace.zone)
            slots.append(TimeSlot(period=period, start=start, end=start + timedelta(hours=3), local_date=day, price=1))
    slots = TimeSlot.objects.bulk_create(slots)
    others = User.objects.bulk_create(User(email=f"other{i}@example.com", is_active=True) for i in range(3))
    Reservation.objects.bulk_create(
        Reservation(user=others[i % 3], timeslot=slot, price=1) for i, slot in enumerate(slots) if i % 3 == 0
    )
    return member, AuthToken.objects.issue(member)[1], len(slots)


def worker(count):
    """Serve timing windows asked for on stdin (`<path>\t<seconds>`), one JSON line per answer."""
    with tempfile.TemporaryDirectory() as directory:
        sys.path.insert(0, str(ROOT))
        os.environ.update(production_env(Path(directory) / "bench.sqlite3"))
        member, key, made = seed(count)
        from django.test import Client

        page, api = Client(HTTP_HOST="127.0.0.1"), Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Token {key}")
        page.force_login(member)
        clients = dict(zip(PAGES, (page, api), strict=True))
        for path, client in clients.items():
            for _ in range(3):  # warm: imports, caches, first-query setup
                assert client.get(path).status_code == 200, path
        print(json.dumps({"ready": True, "slots": made}), flush=True)
        for line in sys.stdin:
            path, seconds = line.rstrip("\n").split("\t")
            client, served, started, cpu = clients[path], 0, time.perf_counter(), time.process_time()
            while time.perf_counter() - started < float(seconds):
                response = client.get(path)
                assert response.status_code == 200, (path, response.status_code)
                served += 1
            print(json.dumps({"rate": served / (time.process_time() - cpu)}), flush=True)


class Side:
    def __init__(self, count):
        env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--worker", str(count)], cwd=ROOT, env=env, stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        self.slots = self._answer()["slots"]
        self.rates = {path: [] for path in PAGES}

    def _answer(self):
        line = self.process.stdout.readline()
        if not line:
            sys.exit("a worker stopped (its error is above)")
        return json.loads(line)

    def time(self, path, seconds):
        self.process.stdin.write(f"{path}\t{seconds}\n")
        self.process.stdin.flush()
        self.rates[path].append(self._answer()["rate"])

    def close(self):
        self.process.stdin.close()
        self.process.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="timing window per page, side and round")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved windows per page and side")
    parser.add_argument("--slots", type=int, default=2000, help="upcoming slots of the large side")
    args = parser.parse_args()
    collect_static()  # DEBUG-off pages link to the collected files
    print(f"Slot lists with {FEW} and with {args.slots} upcoming time slots, DEBUG off ({stamp()}):")
    few, many = Side(FEW), Side(args.slots)
    try:
        for _ in range(args.rounds):
            for path in PAGES:
                for side in (few, many):
                    side.time(path, args.seconds)
    finally:
        few.close()
        many.close()
    failed = False
    for path in PAGES:
        small, large = statistics.median(few.rates[path]), statistics.median(many.rates[path])
        ratio = large / small
        failed |= ratio < TARGET
        print(
            f"{path:<26} {small:7.1f} requests per CPU-second with {few.slots:>5} slots, "
            f"{large:7.1f} with {many.slots:>5}: "
            f"{ratio:.0%} of the rate (target >= {TARGET:.0%}: {'met' if ratio >= TARGET else 'NOT met'}; "
            f"medians of {args.rounds} windows of {args.seconds:g} s)"
        )
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--worker"]:
        worker(int(sys.argv[2]))
    else:
        main()
