"""Demo products for `make run`: a membership and two ticket packages. Safe to load again."""

from decimal import Decimal

from django.core.management.base import OutputWrapper

from app.accounts.models import User
from app.store.models import Membership, Package


def load(admin: User, member: User, stdout: OutputWrapper) -> None:
    membership, _ = Membership.objects.get_or_create(
        name="Annual membership",
        defaults={"name_fr": "Abonnement annuel", "price": Decimal("40.00"), "duration_days": 365, "available": True},
    )
    Package.objects.get_or_create(
        name="5 tickets", defaults={"name_fr": "5 billets", "price": Decimal("25.00"), "tickets": 5, "available": True}
    )
    members_only, created = Package.objects.get_or_create(
        name="10 tickets (members)",
        defaults={"name_fr": "10 billets (membres)", "price": Decimal("40.00"), "tickets": 10, "available": True},
    )
    if created:
        members_only.exclusive_memberships.add(membership)
    stdout.write(
        "  store: buy with POST /api/orders/ "
        '{"lines": [{"product": "package", "id": <id>, "quantity": 1}], "single_use_token": "test-visa"}'
    )
