"""The only way a ticket balance changes: one conditional UPDATE plus a ledger row.

The UPDATE is conditional on the balance staying non-negative, so two concurrent spends
cannot both succeed on the last ticket (the row is locked by the UPDATE on PostgreSQL,
the whole database on sqlite). Call it inside the caller's transaction so that the
movement and what it pays for commit or roll back together.
"""

from django.db import transaction
from django.db.models import F

from app.accounts.models import TicketMovement, User


class NotEnoughTickets(Exception):
    def __init__(self, balance: int, needed: int) -> None:
        self.balance = balance
        self.needed = needed
        super().__init__(f"Not enough tickets: {needed} needed, {balance} left.")


def move_tickets(user: User, delta: int, reason: str, *, actor: User | None = None, reference: object = "") -> int:
    """Add `delta` tickets (negative to spend) to `user`; return the new balance."""
    with transaction.atomic():
        rows = User.objects.filter(pk=user.pk)
        if delta < 0:
            rows = rows.filter(tickets__gte=-delta)
        if not rows.update(tickets=F("tickets") + delta):
            balance = User.objects.filter(pk=user.pk).values_list("tickets", flat=True).first() or 0
            raise NotEnoughTickets(balance, -delta)
        balance = User.objects.filter(pk=user.pk).values_list("tickets", flat=True).get()
        TicketMovement.objects.create(
            user_id=user.pk,
            delta=delta,
            balance_after=balance,
            reason=reason,
            reference=str(reference)[:100],
            actor=actor,
        )
    user.tickets = balance
    return balance


def set_tickets(user: User, balance: int, *, actor: User | None, reference: str = "") -> int:
    """An administrator sets a balance; the ledger records the difference."""
    with transaction.atomic():
        current = User.objects.select_for_update().values_list("tickets", flat=True).get(pk=user.pk)
        if balance != current:
            return move_tickets(user, balance - current, TicketMovement.Reason.ADMIN, actor=actor, reference=reference)
    user.tickets = current
    return current
