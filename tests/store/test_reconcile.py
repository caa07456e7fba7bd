"""reconcile_payments: completes or cancels orders left pending, from Paysafe's records."""

from datetime import timedelta
from io import StringIO

import pytest
import requests
import responses
from django.core.management import call_command
from django.utils import timezone

from app.accounts.models import TicketMovement
from app.store.models import Order
from tests.store.conftest import AUTHS, auth_body, buy


def run():
    out = StringIO()
    call_command("reconcile_payments", stdout=out)
    return out.getvalue()


def verify(*args):
    out = StringIO()
    call_command("verify_payments", *args, stdout=out)
    return out.getvalue()


def age(order, minutes):
    Order.objects.filter(pk=order.pk).update(created=timezone.now() - timedelta(minutes=minutes))


@pytest.fixture
def stuck_order(member_client, package, paysafe):
    """A checkout whose charge and lookup both failed: left pending."""
    paysafe.add(responses.POST, AUTHS, body=requests.ConnectionError())
    paysafe.add(responses.GET, AUTHS, body=requests.ConnectionError())
    assert buy(member_client, ("package", package, 1)).status_code == 202
    paysafe.reset()
    order = Order.objects.get()
    assert order.status == "pending"
    return order


def test_a_pending_order_that_was_paid_is_completed_once(stuck_order, member, paysafe):
    age(stuck_order, 30)
    paysafe.add(responses.GET, AUTHS, json={"auths": [auth_body(stuck_order.reference, 2874)]})
    assert "1 completed" in run()
    assert "0 completed" in run()  # safe to run again
    stuck_order.refresh_from_db()
    assert stuck_order.status == "paid" and stuck_order.paysafe_auth_id == "auth-1"
    member.refresh_from_db()
    assert member.tickets == 5
    assert TicketMovement.objects.filter(user=member).count() == 1
    assert all(call.request.method == "GET" for call in paysafe.calls)  # never a charge
    assert paysafe.calls[0].request.params == {"merchantRefNum": stuck_order.reference}


def test_a_pending_order_never_charged_is_failed(stuck_order, member, paysafe):
    age(stuck_order, 30)
    paysafe.add(responses.GET, AUTHS, json={"auths": []})
    assert "1 failed" in run()
    assert Order.objects.get().status == "failed"
    member.refresh_from_db()
    assert member.tickets == 0


def test_a_young_pending_order_is_left_to_its_checkout(stuck_order, paysafe):
    paysafe.add(responses.GET, AUTHS, json={"auths": []})
    run()
    assert Order.objects.get().status == "pending"
    assert not paysafe.calls


def test_an_unreachable_paysafe_changes_nothing(stuck_order, paysafe):
    age(stuck_order, 30)
    paysafe.add(responses.GET, AUTHS, body="<html>down</html>", status=503)
    assert "1 not checked" in run()
    assert Order.objects.get().status == "pending"


def test_a_payment_that_landed_after_a_timeout_completes_the_failed_order(member_client, member, package, paysafe):
    paysafe.add(responses.POST, AUTHS, body=requests.Timeout())
    paysafe.add(responses.GET, AUTHS, json={"auths": []})
    buy(member_client, ("package", package, 1))
    order = Order.objects.get()
    assert "1 failed" in verify("--give-up-after-minutes", "0")  # still no payment: given up
    order.refresh_from_db()
    assert order.status == "failed"
    paysafe.reset()
    paysafe.add(responses.GET, AUTHS, json={"auths": [auth_body(order.reference, 2874)]})
    assert "1 completed" in run()
    order.refresh_from_db()
    member.refresh_from_db()
    assert (order.status, member.tickets) == ("paid", 5)


def test_a_declined_order_is_not_revived(member_client, member, package, paysafe):
    paysafe.add(responses.POST, AUTHS, json={"error": {"code": "3009"}}, status=402)
    buy(member_client, ("package", package, 1))
    paysafe.reset()
    paysafe.add(responses.GET, AUTHS, json={"auths": [auth_body(Order.objects.get().reference, 2874)]})
    run()
    assert Order.objects.get().status == "failed"
    assert not paysafe.calls


def test_the_zappa_event_entry_point_runs_the_command(transactional_db, stuck_order, paysafe):
    # transactional_db: the entry point closes stale connections, which on PostgreSQL ends a
    # test's enclosing transaction (tests/core/test_scheduled.py).
    from app.core.scheduled import reconcile_payments

    age(stuck_order, 30)
    paysafe.add(responses.GET, AUTHS, json={"auths": [auth_body(stuck_order.reference, 2874)]})
    reconcile_payments({"detail-type": "Scheduled Event"}, None)
    assert Order.objects.get().status == "paid"
