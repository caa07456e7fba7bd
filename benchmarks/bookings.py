"""Warm throughput and SQL queries per request of the time-slot list and of reservation create,
this tree side by side with other commits (by default ddf3799, the last fast one).

Each side is worker processes (3 by default, taking the rounds in turn) running the project of one
tree (this one, or a commit checked out in a temporary git worktree) with production settings
(DEBUG off), each with its own throwaway sqlite
database: one workplace, an active period with 50 time slots and 15 reservations. Requests run
in-process through the whole Django stack (middleware, token authentication, DRF), as a warm
Lambda container would serve them: a member's `GET /api/timeslots/` (50 slots, checked) and
`POST /api/reservations/`. The workers take turns, a timing window each, for several rounds
(interleaved, so that a busy moment of the shared machine weighs on every side). The rate is
requests per second of the worker's own CPU time (what a Lambda container is billed for, and what
other work on this shared 2-core machine disturbs least); the figure is each side's median, and
the ratios are between sides of this run only.

E-mail: a reservation is confirmed by e-mail (with its .ics) after the answer. Here both sides use
Django's dummy e-mail backend: the message is still built and its local templates rendered, then
dropped, where `production_env`'s in-memory backend (as in tests) would also write the whole MIME
message and deep-copy it into `mail.outbox`, a cost no deployed stage has (they hand the message to
Sendinblue from a Lambda task, `app.core.tasks.dispatch_email`). Both sides get the same settings.

    .venv/bin/python benchmarks/bookings.py [--seconds 2] [--rounds 5] [--workers 3] [--against ddf3799 ...]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import datetime, timedelta
from datetime import time as clock
from pathlib import Path

from common import production_env, stamp, worktree_at

ROOT = Path(__file__).resolve().parents[1]
# The 2018 prior art's figures as recorded in /work/shared/reference/prior-art.md (2026-11), not
# measured by this run: printed for reference only, never divided into this run's figures.
PRIOR_ART = {"slot list": ("2.0-2.4", 259), "reservation create": ("18-20", 16)}
TARGET_QUERIES = {"slot list": 5, "reservation create": 7}
ENDPOINTS = ("slot list", "reservation create")
DUMMY_EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
MAX_RATE = 500  # requests/s a worker could possibly reach: sizes its pool of members


def setup_django(tree, database):
    sys.path.insert(0, str(tree))
    os.environ.update(production_env(database, EMAIL_BACKEND=DUMMY_EMAIL_BACKEND))  # see the docstring
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def seed():
    """50 upcoming time slots of one workplace, 15 reservations; `member()` makes a member and a token."""
    from django.utils import timezone

    from app.accounts.models import AuthToken, TicketMovement, User
    from app.accounts.tickets import move_tickets
    from app.bookings.models import Period, Workplace

    try:
        from app.bookings.services.reservations import reserve
        from app.bookings.services.slots import create_timeslot
    except ImportError:  # a commit measured side by side from before app/bookings/services/ was a package
        from app.bookings.services import create_timeslot, reserve  # type: ignore[attr-defined,no-redef]

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


def worker(tree, reservations_needed):
    """Serve timing windows asked for on stdin (`<endpoint>\t<seconds>`), one JSON line per answer.

    The answers go to the original stdout; anything else printed (the project logs to stdout) goes
    to stderr, so that it cannot break the exchange."""
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "w")
    sys.stdout = sys.stderr
    from django.db import connection

    with tempfile.TemporaryDirectory() as directory:
        setup_django(tree, Path(directory) / "bench.sqlite3")
        slots, member = seed()
        lister = client_for(member()[1])
        pool = [client_for(member()[1]) for _ in range(reservations_needed // len(slots) + 2)]
        state = {"n": 0}

        def list_slots():
            response = lister.get("/api/timeslots/")
            assert response.status_code == 200 and len(response.json()["results"]) == 50, response.content[:300]

        def reserve():
            assert state["n"] < len(slots) * len(pool), "the member pool is used up: raise MAX_RATE"
            client = pool[state["n"] // len(slots)]
            slot = slots[state["n"] % len(slots)]
            state["n"] += 1
            response = client.post("/api/reservations/", {"timeslot": slot.pk}, content_type="application/json")
            assert response.status_code == 201, response.content[:300]

        requests = {"slot list": list_slots, "reservation create": reserve}
        queries = {}
        for name, request in requests.items():
            for _ in range(3):  # warm: imports, caches, first-query setup
                request()
            queries[name] = count_queries(connection, request)
        print(json.dumps({"ready": True, "queries": queries}), file=answers, flush=True)
        for line in sys.stdin:
            name, seconds = line.rstrip("\n").split("\t")
            request, count, started, cpu = requests[name], 0, time.perf_counter(), time.process_time()
            while time.perf_counter() - started < float(seconds):
                request()
                count += 1
            print(json.dumps({"rate": count / (time.process_time() - cpu)}), file=answers, flush=True)


def count_queries(connection, request):
    """SQL statements one request runs (a wrapper counts: the test client clears connection.queries)."""
    counted = []
    with connection.execute_wrapper(lambda execute, sql, *rest: counted.append(sql) or execute(sql, *rest)):
        request()
    return len(counted)


class Side:
    """Worker processes serving one tree's project, each with its own database, taking the rounds in
    turn: a 7 ms request's rate differs from one process to the next (memory layout, hash seeds), so
    one process a side would measure that process as much as the code."""

    def __init__(self, label, tree, reservations_needed, workers):
        self.label = label
        env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
        self.processes = [
            subprocess.Popen(
                [sys.executable, __file__, "--worker", str(tree), str(reservations_needed)],
                cwd=tree,
                env=env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            for _ in range(workers)
        ]
        self.rates = {name: [] for name in ENDPOINTS}
        first_answers = [self._answer(process) for process in self.processes]  # each reports once started
        self.queries = first_answers[0]["queries"]

    def _answer(self, process):
        line = process.stdout.readline()
        if not line:
            sys.exit(f"a worker for {self.label} stopped (its error is above)")
        return json.loads(line)

    def time(self, name, seconds, round_number):
        process = self.processes[round_number % len(self.processes)]
        process.stdin.write(f"{name}\t{seconds}\n")
        process.stdin.flush()
        self.rates[name].append(self._answer(process)["rate"])

    def close(self):
        for process in self.processes:
            process.stdin.close()
            process.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="timing window per endpoint, side and round")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved windows per endpoint and side")
    parser.add_argument(
        "--against", action="append", metavar="REV", help="other commits measured side by side (default ddf3799)"
    )
    parser.add_argument("--alone", action="store_true", help="measure this tree only")
    parser.add_argument(
        "--workers", type=int, default=3, help="worker processes a side, taking the rounds in turn (default 3)"
    )
    args = parser.parse_args()
    against = [] if args.alone else (args.against or ["ddf3799"])
    workers = max(1, min(args.workers, args.rounds))
    needed = int(args.seconds * -(-args.rounds // workers) * MAX_RATE)  # the most rounds one worker takes
    print(f"50 time slots, 15 reservations, sqlite, in-process, warm, DEBUG off ({stamp()}):")
    with ExitStack() as stack:
        sides = [Side("this tree", ROOT, needed, workers)]
        for revision in against:
            sides.append(Side(f"at {revision}", stack.enter_context(worktree_at(revision)), needed, workers))
        try:
            for round_number in range(args.rounds):
                for name in ENDPOINTS:
                    for side in sides:
                        side.time(name, args.seconds, round_number)
        finally:
            for side in sides:
                side.close()
    for name in ENDPOINTS:
        prior_rate, prior_queries = PRIOR_ART[name]
        print(f"{name}:")
        for side in sides:
            rate, queries = statistics.median(side.rates[name]), side.queries[name]
            verdict = "ok" if queries <= TARGET_QUERIES[name] else "OVER TARGET"
            print(
                f"  {side.label:<16} {rate:8.1f} requests per CPU-second "
                f"(median of {args.rounds} windows of {args.seconds:g} s, {workers} worker processes) "
                f"{queries:3d} queries (target <= {TARGET_QUERIES[name]}, {verdict})"
            )
        ours = statistics.median(sides[0].rates[name])
        for side in sides[1:]:
            print(f"  ratio this tree / {side.label}: {ours / statistics.median(side.rates[name]):.2f}")
        print(
            f"  [not measured here: the 2018 prior art as recorded in 2026-11 (shared/reference/prior-art.md): "
            f"{prior_rate} req/s, {prior_queries} queries]"
        )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--worker"]:
        worker(Path(sys.argv[2]), int(sys.argv[3]))
    else:
        main()
