"""Held memberships: the record of which membership a member holds, and when.

A purchase records one per membership line (in the transaction that grants the order); staff
grant one directly. `User.membership_end` follows the latest end, for display and old clients.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from app.accounts.models import User
from app.core.exceptions import Invalid
from app.store.models import HeldMembership, Membership, OrderLine


def record_purchase(line: OrderLine, user: User) -> None:
    """In the granting transaction: the period a paid membership line gave."""
    HeldMembership.objects.update_or_create(
        order_line=line,
        defaults={
            "user": user,
            "membership_id": line.membership_id,
            "start": line.membership_start,
            "end": line.membership_end,
            "source": HeldMembership.Source.PURCHASE,
        },
    )


def grant(
    user: User, membership: Membership, *, actor: User, start: datetime | None = None, end: datetime | None = None
) -> HeldMembership:
    """Staff give `user` `membership` from `start` (now) to `end` (start + the membership's duration)."""
    start = start or timezone.now()
    end = end or start + timedelta(days=membership.duration_days)
    if end <= start:
        raise Invalid(fields={"end": [_("The end must be after the start.")]})
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        held = HeldMembership.objects.create(
            user=user,
            membership=membership,
            start=start,
            end=end,
            source=HeldMembership.Source.STAFF,
            granted_by=actor,
        )
        if not user.membership_end or user.membership_end < end:
            User.objects.filter(pk=user.pk).update(membership_end=end)
    return held


def current(user: User) -> list[HeldMembership]:
    """The memberships `user` holds now, latest end first."""
    now = timezone.now()
    return list(HeldMembership.objects.filter(user=user, start__lte=now, end__gt=now).select_related("membership"))
