"""Welcome tickets: `SIGNUP_TICKETS` given once, through the ledger, when an account is activated.

"Once" holds twice over: activation itself is a conditional UPDATE that succeeds only once per
account, and the grant is skipped when the ledger already holds a welcome row for the member
(an admin re-activating an account never calls this, and a replayed link never gets this far).
Call it inside the activation's transaction so that both commit or roll back together.
"""

from django.conf import settings

from app.accounts.models import TicketMovement, User
from app.accounts.tickets import move_tickets


def grant_welcome_tickets(user: User) -> int:
    """Give the configured welcome tickets to `user`; return how many were given (0 if none)."""
    count = settings.SIGNUP_TICKETS
    if count <= 0:
        return 0
    if TicketMovement.objects.filter(user_id=user.pk, reason=TicketMovement.Reason.WELCOME).exists():
        return 0
    move_tickets(user, count, TicketMovement.Reason.WELCOME, reference="welcome")
    return count
