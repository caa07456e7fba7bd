"""Taking one's data: GET /api/users/me/data/ returns everything stored about the member, and only theirs."""

import json
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from app.bookings.services import reservations
from app.store.models import Order, OrderLine, Package, PaymentProfile, SavedCard
from tests.bookings.conftest import give_tickets, make_period, make_slot, make_workplace
from tests.conftest import make_user, token_client

URL = "/api/users/me/data/"


def _fill(user, *, workplace_name, card_token, card_digits):
    """A reservation, a paid order, a ledger and a saved card for `user`."""
    period = make_period(make_workplace(workplace_name))
    give_tickets(user, 4)
    reservations.reserve(user, make_slot(period).pk)
    package = Package.objects.create(name=f"Pack of {workplace_name}", price=Decimal("25.00"), tickets=5)
    order = Order.objects.create(
        user=user,
        status=Order.Status.PAID,
        currency="CAD",
        tax_rate=Decimal("14.975"),
        subtotal=Decimal("25.00"),
        tax=Decimal("3.74"),
        total=Decimal("28.74"),
        paysafe_auth_id=f"auth-{card_token}",
    )
    OrderLine.objects.create(
        order=order, kind="package", package=package, name=package.name, unit_price=package.price, quantity=1
    )
    profile = PaymentProfile.objects.create(
        user=user, merchant_customer_id=f"member-{card_token}", paysafe_profile_id=f"prof-{card_token}"
    )
    SavedCard.objects.create(
        profile=profile,
        paysafe_card_id=f"card-{card_token}",
        payment_token=card_token,
        card_type="VI",
        last_digits=card_digits,
        expiry_month=7,
        expiry_year=2031,
    )
    return order


def test_the_member_downloads_everything_stored_about_them(member_client, member):
    member.phone = "514-555-0101"
    member.save()
    order = _fill(member, workplace_name="Montreal Library", card_token="Ctok-mine", card_digits="4242")
    response = member_client.get(URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith('attachment; filename="my-data-')
    data = json.loads(response.content)

    assert data["profile"]["email"] == "member@example.com"
    assert data["profile"]["phone"] == "514-555-0101"
    assert data["profile"]["tickets"] == 3
    [reservation] = data["reservations"]
    assert reservation["status"] == "active"
    assert reservation["workplace"]["name"] == "Montreal Library"
    assert reservation["timeslot"]["start"]
    [exported_order] = data["orders"]
    assert exported_order["reference"] == order.reference
    assert exported_order["total"] == "28.74"
    assert exported_order["lines"][0]["name"] == "Pack of Montreal Library"
    assert [(row["delta"], row["reason"]) for row in data["ticket_ledger"]] == [(-1, "reservation"), (4, "admin")]
    assert data["saved_cards"] == [
        {
            "brand": "VI",
            "last_digits": "4242",
            "expiry_month": 7,
            "expiry_year": 2031,
            "saved": data["saved_cards"][0]["saved"],
        }
    ]


def test_no_vault_token_or_id_is_ever_exported(member_client, member):
    _fill(member, workplace_name="Montreal Library", card_token="Ctok-mine", card_digits="4242")
    text = member_client.get(URL).content.decode()
    for secret in ("Ctok-mine", "card-Ctok-mine", "prof-Ctok-mine", "member-Ctok-mine", "pbkdf2", "md5$"):
        assert secret not in text


def test_another_members_data_is_never_reachable(member_client, member):
    other = make_user(email="other@example.com", first_name="Otto", last_name="Other")
    _fill(other, workplace_name="Kolkata Reading Room", card_token="Ctok-other", card_digits="1111")
    _fill(member, workplace_name="Montreal Library", card_token="Ctok-mine", card_digits="4242")

    text = member_client.get(URL).content.decode()
    for theirs in ("other@example.com", "Otto", "Kolkata", "1111"):
        assert theirs not in text
    # There is no address that takes another member's id.
    assert member_client.get(f"/api/users/{other.pk}/data/").status_code == 404
    assert member_client.get(f"/api/users/{other.pk}/").status_code == 403
    assert "Kolkata" in token_client(other).get(URL).content.decode()


def test_the_export_needs_a_login(anon_client, db):
    assert anon_client.get(URL).status_code == 401


def test_the_export_never_writes(member_client, member):
    _fill(member, workplace_name="Montreal Library", card_token="Ctok-mine", card_digits="4242")
    with CaptureQueriesContext(connection) as queries:
        assert member_client.get(URL).status_code == 200
    writes = [q["sql"] for q in queries if q["sql"].split()[0].upper() in {"INSERT", "UPDATE", "DELETE"}]
    assert writes == []


def test_waiting_lists_and_retreat_attendance_are_exported_never_the_video_link(member_client, member):
    from datetime import timedelta

    from django.utils import timezone

    from app.bookings.models import WaitlistEntry
    from app.retreats.models import RetreatJoin, RetreatReservation, RetreatWaitlistEntry
    from tests.retreats.conftest import make_retreat

    slot = make_slot(make_period(make_workplace("Montreal Library")))
    WaitlistEntry.objects.create(user=member, timeslot=slot)
    full = make_retreat(name="Full retreat", kind="virtual", video_link="https://video.example.com/secret-room")
    offer_ends = timezone.now() + timedelta(hours=5)
    RetreatWaitlistEntry.objects.create(user=member, retreat=full, status="offered", offer_expires_at=offer_ends)
    other = make_user(email="other@example.com")
    RetreatWaitlistEntry.objects.create(user=other, retreat=make_retreat(name="Their retreat"))
    past = make_retreat(name="Past retreat", days_ahead=-5)
    seat = RetreatReservation.objects.create(user=member, retreat=past, status="confirmed")
    RetreatJoin.objects.create(reservation=seat, date=past.dates.get(), marked_by=other)

    data = member_client.get(URL).json()

    [waiting] = data["waiting_lists"]
    assert (waiting["timeslot"]["id"], waiting["workplace"]["name"], waiting["status"]) == (
        slot.pk,
        "Montreal Library",
        "waiting",
    )
    [retreat_wait] = data["retreat_waiting_lists"]
    assert (retreat_wait["retreat"]["name"], retreat_wait["status"]) == ("Full retreat", "offered")
    assert retreat_wait["offer_expires_at"] is not None
    [exported_seat] = data["retreat_reservations"]
    assert exported_seat["attended"] == [exported_seat["dates"][0]["start"]]
    text = json.dumps(data)
    assert "secret-room" not in text and "Their retreat" not in text and "other@example.com" not in text
