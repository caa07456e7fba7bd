"""Staff booking a seat for a member (the booking itself is `reservations.reserve`)."""

from django.utils.translation import gettext as _

from app.accounts.models import User
from app.core.exceptions import Invalid, PermissionDenied


def booking_member(actor: User, user_id: int | None) -> User:
    """Whom `actor` books for: themselves, or (staff only) the member `user_id`."""
    if user_id is None or user_id == actor.pk:
        return actor
    if not actor.is_staff:
        raise PermissionDenied(
            _("Only staff may book for another member."), fields={"user": [_("Leave it out to book for yourself.")]}
        )
    member = User.objects.filter(pk=user_id).first()
    if member is None:
        raise Invalid(fields={"user": [_("No member with this id.")]})
    return member
