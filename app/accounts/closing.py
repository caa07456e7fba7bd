"""A member closes their own account (DELETE /api/users/me/ {password}).

In this order:
1. the password is checked: a wrong one changes nothing;
2. in one transaction, with the member's row locked: every reservation whose slot has not
   started is cancelled and its tickets returned through the ledger (app.bookings.services),
   the personal data is erased (names, phone, birth date, university), the address becomes
   `closed-<id>@closed.invalid` so that the real one can sign up again, the password becomes
   unusable, the account inactive and every API token is revoked;
3. after the commit (the vault is a network call: never inside a transaction), each saved card
   is removed from the Paysafe vault through the store's `delete_card`. A card the vault cannot
   remove now (gateway down, not configured) is logged by its row id and kept, with its token
   only, so that it can still be removed later; the account is closed either way.
Orders, order lines, the ticket ledger and reservations stay, attached to the anonymised row,
for accounting.
"""

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from app.accounts.models import AuthToken, User
from app.bookings.models import Reservation
from app.bookings.services.reservations import cancel_reservation
from app.core.exceptions import DomainError, Invalid, PermissionDenied
from app.store.models import SavedCard

logger = logging.getLogger(__name__)

CLOSED_DOMAIN = "closed.invalid"  # .invalid never resolves (RFC 2606): nothing can be sent there


ERASED_FIELDS = [
    "email",
    "first_name",
    "last_name",
    "phone",
    "birth_date",
    "university",
    "academic_level",
    "academic_field",
]


def closed_email(user):
    return f"closed-{user.pk}@{CLOSED_DOMAIN}"


def close_account(user, *, password):
    """Close `user`'s account; return `{"reservations_cancelled": n, "cards_removed": n, "cards_kept": n}`."""
    if not password or not user.check_password(password):
        raise Invalid(fields={"password": [_("The password is wrong.")]})
    if user.is_staff or user.is_superuser:
        raise PermissionDenied(_("A staff account is closed by another administrator, not by itself."))
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        cancelled = _cancel_future_reservations(user)
        _erase_personal_data(user)
        AuthToken.objects.filter(user=user).delete()
    removed, kept = _remove_saved_cards(user)
    logger.info("Member %s closed their account", user.pk)
    return {"reservations_cancelled": cancelled, "cards_removed": removed, "cards_kept": kept}


def what_closing_loses(user) -> dict:
    """What the member gives up by closing, shown before they confirm: the ticket balance (with the
    tickets their future reservations return first), those reservations, a membership still running."""
    future = Reservation.objects.filter(
        user=user, status=Reservation.Status.ACTIVE, timeslot__start__gt=timezone.now()
    ).values_list("price", flat=True)
    prices = list(future)
    running = user.membership_end if user.membership_end and user.membership_end > timezone.now() else None
    return {"tickets": user.tickets + sum(prices), "reservations": len(prices), "membership_end": running}


def _cancel_future_reservations(user):
    future = Reservation.objects.filter(
        user=user, status=Reservation.Status.ACTIVE, timeslot__start__gt=timezone.now()
    ).order_by("id")
    count = 0
    for reservation in future:
        try:
            cancel_reservation(reservation, actor=user, enforce_deadline=False)
        except DomainError:
            continue  # cancelled meanwhile by an admin or a slot change: already refunded
        count += 1
    return count


def _erase_personal_data(user):
    now = timezone.now()
    user.email = closed_email(user)
    user.first_name = user.last_name = user.phone = ""
    user.birth_date = user.university = user.academic_level = user.academic_field = None
    user.set_unusable_password()
    user.is_active = False
    user.closed_at = now
    # A closed account never counts as "never logged in": resend-activation cannot wake it.
    user.last_login = user.last_login or now
    # Only these columns: the balance was just changed by the refunds and must not be written back.
    user.save(update_fields=[*ERASED_FIELDS, "password", "is_active", "closed_at", "last_login"])


def _remove_saved_cards(user):
    from app.store.services import cards as store_cards  # the store's card rules, on use only

    removed = kept = 0
    cards = SavedCard.objects.filter(profile__user=user).select_related("profile")
    for card in cards:
        try:
            store_cards.delete_card(card)
        except Exception as error:  # the account is closed whatever the gateway does
            # The store's and Paysafe's errors carry a `message` meant for members (no token, id or
            # credential); anything else is named by its type only.
            reason = getattr(error, "message", "") or type(error).__name__
            logger.warning("Closed account %s: saved card %s kept, the vault refused: %s", user.pk, card.pk, reason)
            kept += 1
        else:
            removed += 1
    return removed, kept
