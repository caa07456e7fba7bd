"""A payment whose outcome is unknown is "being verified": never shown as cancelled, looked up again
within a minute by a scheduled task, and the same basket cannot be paid a second time meanwhile.
A replayed Idempotency-Key answers what the first request was answered."""

import json
from decimal import Decimal
from pathlib import Path

import pytest
import requests
import responses

from app.store.models import Order, Package
from tests.store.conftest import AUTHS, auth_body, buy, error_body
from tests.store.test_checkout import assert_nothing_granted, charges
from tests.store.test_reconcile import age, verify

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def verifying(member_client, member, package, paysafe):
    """A checkout whose charge timed out and whose lookup found nothing yet."""
    paysafe.add(responses.POST, AUTHS, body=requests.Timeout())
    paysafe.add(responses.GET, AUTHS, json={"auths": []})
    answer = buy(member_client, ("package", package, 1))
    assert answer.status_code == 202
    assert answer.json()["payment_being_verified"] is True
    return Order.objects.get()


def test_the_same_basket_cannot_be_paid_again_while_its_payment_is_being_verified(
    verifying, member_client, package, paysafe
):
    again = buy(member_client, ("package", package, 1), key="second-try")
    assert again.status_code == 409
    body = again.json()
    assert "still being verified" in body["detail"] and body["code"] == "payment_being_verified"
    assert (body["id"], body["reference"], body["status"]) == (verifying.pk, verifying.reference, "pending")
    assert len(charges(paysafe)) == 1  # the first charge only
    assert Order.objects.count() == 1
    # Another basket is not held up.
    other = Package.objects.create(name="1 ticket", price=Decimal("5.00"), tickets=1)
    paysafe.reset()
    paysafe.add(responses.POST, AUTHS, json=auth_body("any", 575))
    assert buy(member_client, ("package", other, 1)).status_code == 201


def test_the_scheduled_lookup_completes_an_order_whose_payment_landed_late(verifying, member, paysafe, member_client):
    paysafe.reset()
    paysafe.add(responses.GET, AUTHS, json={"auths": [auth_body(verifying.reference, 2874)]})
    assert "1 completed" in verify()
    verifying.refresh_from_db()
    member.refresh_from_db()
    assert (verifying.status, verifying.being_verified, member.tickets) == ("paid", False, 5)
    shown = member_client.get(f"/api/orders/{verifying.pk}/").json()
    assert (shown["status"], shown["payment_being_verified"]) == ("paid", False)


def test_with_no_payment_found_it_waits_then_fails_without_ever_showing_cancelled(
    verifying, member, member_client, paysafe
):
    paysafe.reset()
    paysafe.add(responses.GET, AUTHS, json={"auths": []})
    assert "1 waiting" in verify()  # younger than --give-up-after-minutes (5)
    page = member_client.get("/api/orders/").json()["results"][0]
    assert (page["status"], page["payment_being_verified"]) == ("pending", True)
    age(verifying, 6)
    assert "1 failed" in verify()
    verifying.refresh_from_db()
    assert verifying.status == "failed" and verifying.outcome_uncertain  # a late payment still completes it
    assert_nothing_granted(member)


def test_the_orders_page_says_being_verified(verifying, client, member):
    client.force_login(member)
    page = client.get("/account/orders/").content.decode()
    assert "being verified" in page


def test_the_zappa_schedule_runs_the_lookup_every_minute(transactional_db, verifying, paysafe):
    # transactional_db: the entry point closes stale connections, which on PostgreSQL ends a
    # test's enclosing transaction (tests/core/test_scheduled.py).
    from app.core.scheduled import verify_payments

    stage = next(iter(json.loads((ROOT / "zappa_settings.json").read_text()).values()))
    events = {event["function"]: event["expression"] for event in stage["events"]}
    assert events["app.core.scheduled.verify_payments"] == "rate(1 minute)"
    paysafe.reset()
    paysafe.add(responses.GET, AUTHS, json={"auths": [auth_body(verifying.reference, 2874)]})
    assert verify_payments({"detail-type": "Scheduled Event"}, None) == {"command": "verify_payments", "ok": True}
    assert Order.objects.get().status == "paid"


def test_a_replayed_declined_checkout_answers_402_again(member_client, member, package, paysafe):
    paysafe.add(responses.POST, AUTHS, json=error_body("3009", "declined"), status=402)
    first = buy(member_client, ("package", package, 1), key="declined-1")
    replay = buy(member_client, ("package", package, 1), key="declined-1")
    assert first.status_code == replay.status_code == 402
    assert replay.json() == first.json() and replay.json()["code"] == "payment_declined"
    assert len(charges(paysafe)) == 1


def test_a_replayed_refused_token_answers_400_again(member_client, member, package, paysafe):
    paysafe.add(responses.POST, AUTHS, json=error_body("5068", "bad token"), status=400)
    first = buy(member_client, ("package", package, 1), key="bad-token-1")
    replay = buy(member_client, ("package", package, 1), key="bad-token-1")
    assert first.status_code == replay.status_code == 400
    assert replay.json() == first.json()
