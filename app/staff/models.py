"""History registration: the historical tables of other apps' models live in this app.

Registering here (not in each model's class) keeps the history out of the domain apps and puts
every historical table's migration in app/staff/migrations.
"""

from typing import Any

import simple_history
from django.db import models
from django.db.models.fields.related_descriptors import ManyToManyDescriptor

from app.accounts.models import User
from app.bookings.models import Period, TimeSlot, Workplace
from app.retreats.models import Retreat, RetreatInvitation
from app.staff.history import StaffHistoricalRecords
from app.store.models import Membership, Order, Package

# Model -> extra options. The password hash is a secret and never copied.
TRACKED: dict[type[models.Model], dict[str, Any]] = {
    Workplace: {},
    Period: {},
    TimeSlot: {},
    Membership: {},
    Package: {},
    User: {"excluded_fields": ["password", "last_login"]},
    Order: {},
    # The video link is only for participants, the token is what lets anyone use an invitation.
    Retreat: {"excluded_fields": ["video_link"]},
    RetreatInvitation: {"excluded_fields": ["token"]},
}
# Many-to-many fields whose changes add a history row naming the new set (see history.py).
TRACKED_M2M: "list[ManyToManyDescriptor[Any, Any]]" = [
    Membership.academic_levels,
    Package.exclusive_memberships,
    Retreat.coupons,
]

for model, options in TRACKED.items():
    simple_history.register(
        model,
        app="app.staff",
        records_class=StaffHistoricalRecords,
        history_change_reason_field=models.TextField(null=True),  # ticket movements and m2m sets
        **options,
    )
