"""Demo retreats for `make run`: one in person in Québec City, one online. Safe to load again."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.management.base import OutputWrapper
from django.utils import timezone

from app.accounts.models import User
from app.retreats.models import Retreat, RetreatDate

MONTREAL = ZoneInfo("America/Montreal")


def _at(days_ahead: int, hour: int) -> datetime:
    """`hour` o'clock, Montréal time, `days_ahead` days from today."""
    day = timezone.now().astimezone(MONTREAL).date() + timedelta(days=days_ahead)
    return datetime(day.year, day.month, day.day, hour, tzinfo=MONTREAL)


def load(admin: User, member: User, stdout: OutputWrapper) -> None:
    lake, created = Retreat.objects.get_or_create(
        name="Writing by the river",
        defaults={
            "name_fr": "Écrire au bord du fleuve",
            "details": "Three days of quiet writing in the Old Town, meals included.",
            "details_fr": "Trois jours d’écriture tranquille dans le Vieux-Québec, repas compris.",
            "kind": Retreat.Kind.PHYSICAL,
            "seats": 12,
            "price": Decimal("450.00"),
            "member_price": Decimal("390.00"),
            "address_line1": "2 rue des Jardins",
            "city": "Québec",
            "state_province": "QC",
            "postal_code": "G1R 4S9",
            "country": "Canada",
            "is_published": True,
        },
    )
    if created:  # three days, 9:00 to 17:00
        RetreatDate.objects.bulk_create(
            RetreatDate(retreat=lake, start=_at(45 + day, 9), end=_at(45 + day, 17)) for day in range(3)
        )
    online, created = Retreat.objects.get_or_create(
        name="Online writing week",
        defaults={
            "name_fr": "Semaine d’écriture en ligne",
            "details": "Five evenings of writing together by video.",
            "details_fr": "Cinq soirées d’écriture ensemble par vidéo.",
            "kind": Retreat.Kind.VIRTUAL,
            "seats": 30,
            "price": Decimal("60.00"),
            "video_link": "https://meet.example.com/writing-week",
            "is_published": True,
        },
    )
    if created:  # five evenings, 19:00 to 21:00
        RetreatDate.objects.bulk_create(
            RetreatDate(retreat=online, start=_at(10 + day, 19), end=_at(10 + day, 21)) for day in range(5)
        )
    stdout.write("  retreats: /retreats/ (buy a seat with a test card; cancel it under /account/retreats/)")
