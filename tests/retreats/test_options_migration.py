"""Migration 0002_options: order lines of seats bought before it answer their retreat as `product_id`."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("retreats", "0001_initial"), ("store", "0011_retreat_lines")]
AFTER = [("retreats", "0002_options")]


@pytest.mark.django_db(transaction=True)
def test_seats_bought_before_the_migration_get_their_retreats_id():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    user = old.get_model("accounts", "User").objects.create(email="early@example.com", password="x")
    retreat = old.get_model("retreats", "Retreat").objects.create(name="Lake", seats=2, price=Decimal("200.00"))
    order = old.get_model("store", "Order").objects.create(
        user=user,
        reference="early-1",
        subtotal=Decimal("200.00"),
        total=Decimal("200.00"),
        tax_rate=Decimal(0),
        tax=Decimal(0),
    )
    line = old.get_model("store", "OrderLine").objects.create(
        order=order, kind="retreat", name="Lake", unit_price=Decimal("200.00"), quantity=1
    )
    old.get_model("retreats", "RetreatReservation").objects.create(user=user, retreat=retreat, order_line=line)

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    assert new.get_model("store", "OrderLine").objects.get(pk=line.pk).item_id == retreat.pk

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())  # back to the latest schema for the other tests
