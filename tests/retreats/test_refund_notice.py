"""Staff refunding a seat's order line from the order page: the member gets the retreat's
cancellation e-mail once, in their language, with the amount refunded for that line."""

from decimal import Decimal

import pytest
import responses

from app.retreats.models import RetreatReservation
from app.store.models import Package
from tests.retreats.conftest import buy_retreat, make_retreat
from tests.store.conftest import SETTLEMENTS, approve

pytestmark = pytest.mark.django_db
REFUND_URL = f"{SETTLEMENTS}/settle-1/refunds"


def cancellations(mailoutbox):
    return [message for message in mailoutbox if "cancelled" in message.subject or "annulée" in message.subject]


def refund(client, order, lines):
    return client.post(f"/api/orders/{order}/refund/", {"lines": lines}, format="json")


def test_refunding_the_seats_line_e_mails_the_member_once_with_its_amount(
    paysafe, member, member_client, admin_client_api, mailoutbox, django_capture_on_commit_callbacks
):
    member.language = "fr"
    member.save(update_fields=["language"])
    retreat = make_retreat(days_ahead=5)  # the policy would give nothing: staff refund the line anyway
    approve(paysafe)
    order = buy_retreat(member_client, retreat).json()
    [line] = order["lines"]
    paysafe.add(responses.POST, REFUND_URL, json={"id": "refund-1", "status": "PENDING"})
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        answer = refund(admin_client_api, order["id"], [{"id": line["id"], "quantity": 1}])
    with django_capture_on_commit_callbacks(execute=True):
        again = refund(admin_client_api, order["id"], [{"id": line["id"], "quantity": 1}])

    assert answer.status_code == 200, answer.json()
    assert again.status_code == 400  # already refunded: no second refund, no second e-mail
    [sent] = cancellations(mailoutbox)
    assert sent.to == [member.email] and "Retraite au lac" in sent.subject
    assert "229,95" in sent.body  # 200.00 + taxes: the whole line went back
    seat = RetreatReservation.objects.get()
    assert (seat.status, seat.refunded_amount) == ("cancelled", Decimal("229.95"))


def test_a_whole_order_refund_tells_the_seats_share_only(
    paysafe, member, member_client, admin_client_api, mailoutbox, django_capture_on_commit_callbacks
):
    retreat = make_retreat(days_ahead=40)
    package = Package.objects.create(name="5 tickets", price=Decimal("25.00"), tickets=5)
    approve(paysafe)
    body = {
        "lines": [{"product": "retreat", "id": retreat.pk, "quantity": 1}, {"product": "package", "id": package.pk}],
        "single_use_token": "tok-single-use-1",
    }
    order = member_client.post("/api/orders/", body, format="json").json()
    assert order["total"] == "258.69"  # (200.00 + 25.00) with taxes
    paysafe.add(responses.POST, REFUND_URL, json={"id": "refund-1", "status": "PENDING"})
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        answer = admin_client_api.post(f"/api/orders/{order['id']}/refund/", {"force": True}, format="json")

    assert answer.status_code == 200, answer.json()
    [sent] = cancellations(mailoutbox)
    assert "$229.95" in sent.body and "258.69" not in sent.body


def test_the_members_own_cancellation_still_sends_one_e_mail(
    paysafe, member_client, mailoutbox, django_capture_on_commit_callbacks
):
    retreat = make_retreat(days_ahead=40)
    approve(paysafe)
    buy_retreat(member_client, retreat)
    seat = RetreatReservation.objects.get()
    paysafe.add(responses.POST, REFUND_URL, json={"id": "refund-1", "status": "PENDING"})
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert member_client.delete(f"/api/retreat-reservations/{seat.pk}/").status_code == 200
    [sent] = cancellations(mailoutbox)
    assert "229.95" in sent.body
    seat.refresh_from_db()
    assert seat.refunded_amount == Decimal("229.95")  # counted once, not again by the order's refund


def test_staff_cannot_give_back_again_beyond_the_policy_what_the_order_page_refunded(
    paysafe, member, member_client, admin_client_api, django_capture_on_commit_callbacks
):
    retreat = make_retreat(days_ahead=5)
    approve(paysafe)
    order = buy_retreat(member_client, retreat).json()
    [line] = order["lines"]
    paysafe.add(responses.POST, REFUND_URL, json={"id": "refund-1", "status": "PENDING"})
    with django_capture_on_commit_callbacks(execute=True):
        assert refund(admin_client_api, order["id"], [{"id": line["id"], "quantity": 1}]).status_code == 200
    seat = RetreatReservation.objects.get()

    more = admin_client_api.post(
        f"/api/retreat-reservations/{seat.pk}/refund/",
        {"amount": "0.01", "reason": "Goodwill"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="staff-1",
    )

    assert more.status_code == 400 and "At most 0.00 is left" in str(more.json()["fields"]["amount"])
    assert len([call for call in paysafe.calls if call.request.url.endswith("/refunds")]) == 1
