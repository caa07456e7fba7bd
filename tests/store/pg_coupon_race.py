"""Helper process for the PostgreSQL coupon race (run by test_coupon_race_postgres, never collected).

`python -m tests.store.pg_coupon_race` seeds the database named by DATABASE_URL (already migrated):
a coupon with one use left, a package and MEMBERS members; then every member checks out with the
coupon at the same moment, each from its own thread and database connection, through the local
test gateway. Prints `{"outcomes": [...], "uses": n, "paid_with_coupon": n}` as JSON.
"""

import json
from decimal import Decimal
from functools import partial

import django

from tests.races import at_once

MEMBERS = 6


def race():

    from app.accounts.models import User
    from app.core.exceptions import DomainError
    from app.store.models import Coupon, CouponUse, Order, Package
    from app.store.services.checkout import checkout

    package = Package.objects.create(name="5 tickets", price=Decimal("25.00"), tickets=5)
    Coupon.objects.create(code="LAST", percent_off=Decimal("50"), max_uses=1)
    members = [User.objects.create_user(email=f"racer{n}@example.com", password="x" * 12) for n in range(MEMBERS)]

    def buy(member):
        try:
            line = {"product": "package", "id": package.pk, "quantity": 1}
            return checkout(member, [line], single_use_token="test-visa", coupon="last").order.status
        except DomainError as error:
            # The reason staff see (members read one "cannot be used" answer whatever it is).
            return str(getattr(error, "reason", None) or error.fields.get("coupon", [error.message])[0])

    outcomes = at_once([partial(buy, member) for member in members])
    paid = Order.objects.filter(coupon__code="LAST", status=Order.Status.PAID).count()
    return {"outcomes": sorted(outcomes), "uses": CouponUse.objects.count(), "paid_with_coupon": paid}


if __name__ == "__main__":
    django.setup()
    print(json.dumps(race()))
