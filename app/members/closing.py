"""A member closes their own account (DELETE /api/users/me/ {password}).

In this order:
1. the password is checked: a wrong one changes nothing;
2. in one transaction, with the member's row locked: every reservation whose slot has not
   started is cancelled and its tickets returned through the ledger (app.bookings.services.reservations),
   the personal data is erased (names, phone, birth date, university), in the change history too
   (every earlier row of the account: Law 25 and the GDPR expect erasure to reach copies), the
   address becomes `closed-<128 random bits>@closed.invalid` so that the real one can sign up
   again (no one can take it first: the domain is refused wherever an address is entered, and the
   random part cannot be guessed), the password becomes unusable, the account inactive and every
   API token is revoked;
3. after the commit (the vault is a network call: never inside a transaction), each saved card
   is removed from the Paysafe vault through the store's `delete_card`. A card the vault cannot
   remove now (gateway down, not configured) is logged by its row id and kept, with its token
   only, so that it can still be removed later; the account is closed either way.
Orders, order lines, the ticket ledger and reservations stay, attached to the anonymised row,
for accounting.
"""

import logging
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from app.accounts.models import AuthToken, User
from app.bookings import waitlist
from app.bookings.models import CalendarFeed, Reservation
from app.bookings.services.reservations import cancel_reservation
from app.core.exceptions import DomainError, Invalid, PermissionDenied
from app.retreats import waitlist as retreat_waitlist
from app.security.emails import CLOSED_DOMAIN
from app.store.models import SavedCard

logger = logging.getLogger(__name__)

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


# What the erased fields become, in the row and in every row of its change history.
ERASED_VALUES = {
    "first_name": "",
    "last_name": "",
    "phone": "",
    "birth_date": None,
    "university": None,
    "academic_level": None,
    "academic_field": None,
}


def closed_email() -> str:
    """A fresh replacement address: not derived from the account, so nobody can take it first."""
    return f"closed-{secrets.token_hex(16)}@{CLOSED_DOMAIN}"


def close_account(user: User, *, password: str) -> dict[str, int]:
    """Close `user`'s account; return `{"reservations_cancelled": n, "cards_removed": n, "cards_kept": n}`."""
    if not password or not user.check_password(password):
        raise Invalid(fields={"password": [_("The password is wrong.")]})
    if user.is_staff or user.is_superuser:
        raise PermissionDenied(_("A staff account is closed by another administrator, not by itself."))
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        cancelled = _cancel_future_reservations(user)
        waitlist.leave_all(user)  # no offer may go to a closed account; a held seat passes on
        retreat_waitlist.leave_all(user)
        _erase_personal_data(user)
        CalendarFeed.objects.filter(user=user).delete()  # the private feed's URL stops working
        AuthToken.objects.filter(user=user).delete()
    removed, kept = _remove_saved_cards(user)
    logger.info("Member %s closed their account", user.pk)
    return {"reservations_cancelled": cancelled, "cards_removed": removed, "cards_kept": kept}


def what_closing_loses(user: User) -> dict[str, Any]:
    """What the member gives up by closing, shown before they confirm: the ticket balance (with the
    tickets their future reservations return first), those reservations, a membership still running."""
    future = Reservation.objects.filter(
        user=user, status=Reservation.Status.ACTIVE, timeslot__start__gt=timezone.now()
    ).values_list("price", flat=True)
    prices = list(future)
    running = user.membership_end if user.membership_end and user.membership_end > timezone.now() else None
    return {"tickets": user.tickets + sum(prices), "reservations": len(prices), "membership_end": running}


def _cancel_future_reservations(user: User) -> int:
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


def _erase_personal_data(user: User) -> None:
    now = timezone.now()
    user.email = closed_email()
    for name, value in ERASED_VALUES.items():
        setattr(user, name, value)
    user.set_unusable_password()
    user.is_active = False
    user.closed_at = now
    # A closed account never counts as "never logged in": resend-activation cannot wake it.
    user.last_login = user.last_login or now
    # Only these columns: the balance was just changed by the refunds and must not be written back.
    user.save(update_fields=[*ERASED_FIELDS, "password", "is_active", "closed_at", "last_login"])
    _erase_history(user)


def _erase_history(user: User) -> None:
    """Every row of the account's change history (simple_history) keeps the anonymised values only."""
    from simple_history.utils import get_history_manager_for_model

    history = get_history_manager_for_model(User).filter(id=user.pk)
    history.update(email=user.email, **ERASED_VALUES)


def _remove_saved_cards(user: User) -> tuple[int, int]:
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
