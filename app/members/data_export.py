"""Everything stored about one member, as plain JSON-ready data (GET /api/users/me/data/).

Only the member's own rows are read: every query starts from `user`. Saved cards appear as
brand, last digits and expiry only: never the vault token, card id or profile id. Who made a
ledger movement is given as "you", "staff" or "system" rather than another person's identity.
"""

from typing import Any

from django.utils import timezone

from app.accounts.models import AuthToken, TicketMovement, User
from app.bookings.models import Reservation, WaitlistEntry
from app.retreats.models import RetreatReservation, RetreatWaitlistEntry
from app.store.models import Order, SavedCard


def _name(obj: Any) -> str | None:
    return obj.name if obj is not None else None


def _profile(user: User) -> dict[str, Any]:
    return {
        "id": user.pk,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "phone": user.phone,
        "birth_date": user.birth_date,
        "university": _name(user.university),
        "academic_level": _name(user.academic_level),
        "academic_field": _name(user.academic_field),
        "tickets": user.tickets,
        "membership_end": user.membership_end,
        "is_active": user.is_active,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
    }


def _reservation(reservation: Reservation) -> dict[str, Any]:
    slot = reservation.timeslot
    workplace = slot.period.workplace
    return {
        "id": reservation.pk,
        "status": reservation.status,
        "price": reservation.price,
        "created": reservation.created,
        "cancelled_at": reservation.cancelled_at,
        "cancelled_because": reservation.cancelled_because,
        "timeslot": {"id": slot.pk, "start": slot.start, "end": slot.end, "period": slot.period.name},
        "workplace": {
            "id": workplace.pk,
            "name": workplace.name,
            "timezone": workplace.timezone,
            "address_line1": workplace.address_line1,
            "address_line2": workplace.address_line2,
            "city": workplace.city,
            "state_province": workplace.state_province,
            "postal_code": workplace.postal_code,
            "country": workplace.country,
        },
    }


def _order(order: Order) -> dict[str, Any]:
    return {
        "reference": order.reference,
        "status": order.status,
        "currency": order.currency,
        "tax_rate": order.tax_rate,
        "subtotal": order.subtotal,
        "coupon_code": order.coupon.code if order.coupon else None,
        "discount": order.discount,
        "taxes": order.taxes,
        "tax": order.tax,
        "total": order.total,
        "created": order.created,
        "paid_at": order.paid_at,
        "refunded_at": order.refunded_at,
        "failure_message": order.failure_message,
        "refund_note": order.refund_note,
        "lines": [
            {
                "kind": line.kind,
                "name": line.name,
                "unit_price": line.unit_price,
                "quantity": line.quantity,
                "amount": line.amount,
                "tickets": line.tickets,
                "duration_days": line.duration_days,
                "membership_start": line.membership_start,
                "membership_end": line.membership_end,
            }
            for line in order.lines.all()
        ],
    }


def _retreat_reservation(reservation: RetreatReservation) -> dict[str, Any]:
    """A retreat seat, its dates in the retreat's own time zone. Never the video link."""
    retreat = reservation.retreat
    return {
        "id": reservation.pk,
        "status": reservation.status,
        "refunded_amount": reservation.refunded_amount,
        "created": reservation.created,
        "cancelled_at": reservation.cancelled_at,
        "retreat": {"id": retreat.pk, "name": retreat.name, "kind": retreat.kind, "timezone": retreat.timezone},
        "dates": [{"start": date.start, "end": date.end} for date in retreat.dates.all()],
        # The dates they were at: opened an online retreat's link, or marked present in person.
        "attended": sorted({join.date.start for join in reservation.joins.all()}),
    }


def _waiting(entry: WaitlistEntry | RetreatWaitlistEntry) -> dict[str, Any]:
    """A waiting-list entry: since when, and the seat offered (held until `offer_expires_at`) if any."""
    return {
        "id": entry.pk,
        "status": entry.status,
        "created": entry.created,
        "offer_expires_at": entry.offer_expires_at,
    }


def _actor(movement: TicketMovement, user: User) -> str:
    if movement.actor_id is None:
        return "system"
    return "you" if movement.actor_id == user.pk else "staff"


def export_member_data(user: User) -> dict[str, Any]:
    """The member's data as a dict of JSON-ready values (Decimal and dates left to the encoder)."""
    reservations = Reservation.objects.filter(user=user).select_related("timeslot__period__workplace")
    orders = Order.objects.filter(user=user).select_related("coupon").prefetch_related("lines")
    retreat_seats = (
        RetreatReservation.objects.filter(user=user)
        .select_related("retreat")
        .prefetch_related("retreat__dates", "joins__date")
    )
    slot_waits = WaitlistEntry.objects.filter(user=user).select_related("timeslot__period__workplace")
    retreat_waits = RetreatWaitlistEntry.objects.filter(user=user).select_related("retreat")
    movements = TicketMovement.objects.filter(user=user)
    cards = SavedCard.objects.filter(profile__user=user)
    sessions = AuthToken.objects.filter(user=user, expires_at__gt=timezone.now()).order_by("created")
    return {
        "exported_at": timezone.now(),
        "profile": _profile(user),
        "reservations": [_reservation(reservation) for reservation in reservations],
        "orders": [_order(order) for order in orders],
        "retreat_reservations": [_retreat_reservation(seat) for seat in retreat_seats],
        "waiting_lists": [
            {
                **_waiting(entry),
                "timeslot": {"id": entry.timeslot.pk, "start": entry.timeslot.start, "end": entry.timeslot.end},
                "workplace": {"id": entry.timeslot.period.workplace.pk, "name": entry.timeslot.period.workplace.name},
            }
            for entry in slot_waits
        ],
        "retreat_waiting_lists": [
            {
                **_waiting(entry),
                "retreat": {"id": entry.retreat.pk, "name": entry.retreat.name, "timezone": entry.retreat.timezone},
            }
            for entry in retreat_waits
        ],
        "ticket_ledger": [
            {
                "created": movement.created,
                "delta": movement.delta,
                "balance_after": movement.balance_after,
                "reason": movement.reason,
                "reference": movement.reference,
                "by": _actor(movement, user),
            }
            for movement in movements
        ],
        "saved_cards": [
            {
                "brand": card.card_type,
                "last_digits": card.last_digits,
                "expiry_month": card.expiry_month,
                "expiry_year": card.expiry_year,
                "saved": card.created,
            }
            for card in cards
        ],
        "sessions": [{"created": token.created, "expires_at": token.expires_at} for token in sessions],
    }
