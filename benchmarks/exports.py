"""Admin exports of 50,000 reservations: rows, seconds and peak memory, for CSV and XLSX.

A throwaway sqlite database gets 2 workplaces, 500 time slots, 5,000 members and 50,000
reservations (bulk_create: the fixture is not what is measured). Each export then runs in a fresh
process, through the whole admin stack with production settings (DEBUG off; session login, the list's
filters, the streamed response), and reports its wall time and the process's peak resident memory, next to the same
process's memory just before the request. Lambda allows 30 s; memory_size is read from
zappa_settings.json.

    .venv/bin/python benchmarks/exports.py [--reservations 50000]
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))  # also when imported as benchmarks.exports (the builder)

from common import production_env, stamp  # noqa: E402

URL = "/admin/bookings/reservation/export/reservations.{fmt}"


def setup_django(database):
    sys.path.insert(0, str(ROOT))
    os.environ.update(production_env(database))
    import django

    django.setup()


def build(database, reservations):
    setup_django(database)
    from django.core.management import call_command

    from app.accounts.models import User
    from app.bookings.models import Period, Reservation, TimeSlot, Workplace

    call_command("migrate", verbosity=0)
    User.objects.create_superuser(email="admin@example.com", password="bench-admin-password")
    places = [
        Workplace.objects.create(
            name=name, seats=200, timezone=zone, city=city, state_province="-", postal_code="-", country="-"
        )
        for name, zone, city in [
            ("Montreal Library", "America/Montreal", "Montreal"),
            ("Reading Room", "Asia/Kolkata", "Kolkata"),
        ]
    ]
    start = datetime(2026, 1, 5, 14, tzinfo=UTC)
    slots = []
    for place in places:
        period = Period.objects.create(
            workplace=place,
            name="Year",
            start_date=start.date(),
            end_date=start.date() + timedelta(days=400),
            is_active=True,
        )
        slots += TimeSlot.objects.bulk_create(
            TimeSlot(
                period=period,
                start=start + timedelta(days=d),
                end=start + timedelta(days=d, hours=3),
                local_date=(start + timedelta(days=d)).date(),
                price=1,
            )
            for d in range(250)
        )
    members = User.objects.bulk_create(
        User(email=f"member{i}@example.com", first_name=f"First{i}", last_name=f"Last{i}", is_active=True)
        for i in range(reservations // 10)
    )
    Reservation.objects.bulk_create(
        (
            Reservation(
                user=members[i % len(members)], timeslot=slots[i // len(members) * 5 % len(slots) + i % 5], price=1
            )
            for i in range(reservations)
        ),
        batch_size=5000,
    )
    return Reservation.objects.count()


def export(database, fmt):
    setup_django(database)
    from django.test import Client

    from app.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(email="admin@example.com"))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started, cpu = time.perf_counter(), time.process_time()
    response = client.get(URL.format(fmt=fmt))
    size = sum(len(chunk) for chunk in response.streaming_content)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    assert response.status_code == 200, response.status_code
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = {"seconds": seconds, "cpu": cpu, "bytes": size, "before_mb": before / 1024, "peak_mb": peak / 1024}
    print(json.dumps(result))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reservations", type=int, default=50_000)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return export(*args.child)
    memory = {
        name: stage["memory_size"]
        for name, stage in json.loads((ROOT / "zappa_settings.json").read_text()).items()
        if "memory_size" in stage
    }
    with tempfile.TemporaryDirectory() as tmp:
        database = Path(tmp) / "exports.sqlite3"
        builder = f"from benchmarks.exports import build; print(build({str(database)!r}, {args.reservations}))"
        built = subprocess.run([sys.executable, "-c", builder], cwd=ROOT, check=True, capture_output=True, text=True)
        rows = int(built.stdout.split()[-1])
        print(f"Admin exports, DEBUG off ({stamp()}):")
        print(f"{rows} reservations; Lambda memory_size: {memory} MB, timeout 30 s")
        for fmt in ("csv", "xlsx"):
            out = subprocess.run(
                [sys.executable, __file__, "--child", str(database), fmt],
                cwd=ROOT,
                check=True,
                capture_output=True,
                text=True,
            )
            result = json.loads(out.stdout.strip().splitlines()[-1])
            print(
                f"{fmt:<4} {rows} rows in {result['seconds']:5.1f} s ({result['cpu']:4.1f} s CPU), "
                f"{result['bytes'] / 1e6:5.1f} MB file; "
                f"process peak {result['peak_mb']:4.0f} MB (before the request {result['before_mb']:4.0f} MB)"
            )


if __name__ == "__main__":
    main()
