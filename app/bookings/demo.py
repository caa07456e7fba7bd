"""Demo workplaces in two time zones, an active period each, slots for the coming weeks, tickets for the member."""

from datetime import time, timedelta

from django.core.management.base import OutputWrapper
from django.utils import timezone

from app.accounts.models import TicketMovement, User
from app.accounts.tickets import move_tickets
from app.bookings.models import Period, Workplace
from app.bookings.services import batches, periods

DEMO_TICKETS = 10
WORKPLACES = [
    {
        "name": "Montreal Writing Room",
        "timezone": "America/Montreal",
        "seats": 10,
        "address_line1": "3200 Jean-Brillant",
        "city": "Montréal",
        "state_province": "QC",
        "postal_code": "H3T 1N8",
        "country": "Canada",
        "details": "Quiet room, coffee, outlets at every seat.",
        "name_fr": "Salle de rédaction de Montréal",
        "details_fr": "Salle calme, café, prises à chaque place.",
    },
    {
        "name": "Kolkata Reading Room",
        "timezone": "Asia/Kolkata",
        "seats": 6,
        "address_line1": "87/1 College Street",
        "city": "Kolkata",
        "state_province": "West Bengal",
        "postal_code": "700073",
        "country": "India",
        "details": "Library annex, second floor.",
        "name_fr": "Salle de lecture de Calcutta",
        "details_fr": "Annexe de la bibliothèque, deuxième étage.",
    },
]


def load(admin: User, member: User, stdout: OutputWrapper) -> None:
    today = timezone.localdate()
    for fields in WORKPLACES:
        workplace, _ = Workplace.objects.get_or_create(name=fields["name"], defaults=fields)
        period = Period.objects.filter(workplace=workplace, name="Demo term").first()
        if period is None:
            period = periods.save_period(
                Period(
                    workplace=workplace,
                    name="Demo term",
                    start_date=today - timedelta(days=7),
                    end_date=today + timedelta(days=60),
                    price=1,
                    is_active=True,
                )
            )
        if not period.timeslots.exists():
            slots = batches.batch_create_timeslots(
                period,
                weekdays=[0, 1, 2, 3, 4],
                ranges=[(time(9), time(12)), (time(13), time(17))],
                start_date=today + timedelta(days=1),
                end_date=today + timedelta(days=28),
            )
            stdout.write(f"  {workplace.name}: {len(slots)} time slots ({workplace.timezone})")
    # Enough to reserve at once, topped up only the first time (the ledger shows it).
    if not TicketMovement.objects.filter(user=member, reference="demo").exists():
        move_tickets(member, DEMO_TICKETS, TicketMovement.Reason.ADMIN, actor=admin, reference="demo")
        stdout.write(f"  {member.email}: {DEMO_TICKETS} tickets")
