"""The only way a ticket balance changes: one conditional UPDATE plus a ledger row.

The UPDATE is conditional on the balance staying non-negative, so two concurrent spends
cannot both succeed on the last ticket (the row is locked by the UPDATE on PostgreSQL,
the whole database on sqlite). Call it inside the caller's transaction so that the
movement and what it pays for commit or roll back together.

The UPDATE returns the new balance (`RETURNING`, PostgreSQL and sqlite >= 3.35), and inside the
caller's transaction it takes no savepoint of its own: a refused spend writes nothing, and a
failed write leaves the caller's transaction to roll back whole. A booking runs three SQL
statements fewer (benchmarks/bookings.py).
"""

from functools import cache

from django.db import connection, transaction

from app.accounts.models import TicketMovement, User


class NotEnoughTickets(Exception):
    def __init__(self, balance: int, needed: int) -> None:
        self.balance = balance
        self.needed = needed
        super().__init__(f"Not enough tickets: {needed} needed, {balance} left.")


def move_tickets(user: User, delta: int, reason: str, *, actor: User | None = None, reference: object = "") -> int:
    """Add `delta` tickets (negative to spend) to `user`; return the new balance."""
    with transaction.atomic(savepoint=False):  # the caller's transaction, or one of its own
        balance = _add(user.pk, delta)
        if balance is not None:
            TicketMovement.objects.create(
                user_id=user.pk,
                delta=delta,
                balance_after=balance,
                reason=reason,
                reference=str(reference)[:100],
                actor=actor,
            )
    if balance is None:  # raised outside the block: a refusal must not doom the caller's transaction
        left = User.objects.filter(pk=user.pk).values_list("tickets", flat=True).first() or 0
        raise NotEnoughTickets(left, -delta)
    user.tickets = balance
    return balance


def _add(user_id: int, delta: int) -> int | None:
    """The new balance, or None when a spend would take it below zero (nothing changed)."""
    with connection.cursor() as cursor:
        cursor.execute(_update_sql(delta < 0), [delta, user_id, -delta] if delta < 0 else [delta, user_id])
        row = cursor.fetchone()
    return None if row is None else int(row[0])


@cache
def _update_sql(spending: bool) -> str:
    table = connection.ops.quote_name(User._meta.db_table)
    sql = f"UPDATE {table} SET tickets = tickets + %s WHERE id = %s"  # noqa: S608 - our own table; values are parameters
    return sql + (" AND tickets >= %s" if spending else "") + " RETURNING tickets"


def set_tickets(user: User, balance: int, *, actor: User | None, reference: str = "") -> int:
    """An administrator sets a balance; the ledger records the difference."""
    with transaction.atomic():
        current = User.objects.select_for_update().values_list("tickets", flat=True).get(pk=user.pk)
        if balance != current:
            return move_tickets(user, balance - current, TicketMovement.Reason.ADMIN, actor=actor, reference=reference)
    user.tickets = current
    return current
