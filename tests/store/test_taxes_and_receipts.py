"""Money the Québec way: each tax on its own line (GST/TPS 5 %, QST/TVQ 9.975 %), computed on the
discounted subtotal and rounded to the cent on its own; the registration numbers; the coupon and
its discount wherever an order is shown; the PDF receipt, read back as text."""

import io
from decimal import Decimal

import pytest
from django.core import mail
from pypdf import PdfReader

from app.members.data_export import export_member_data
from app.store.models import Coupon, Order
from app.store.services.pricing import totals
from app.store.services.taxes import Tax
from tests.conftest import make_user, token_client
from tests.store.conftest import approve, buy

QUEBEC = [Tax("GST", Decimal("5")), Tax("QST", Decimal("9.975"))]


@pytest.fixture(autouse=True)
def _numbers(settings):
    settings.STORE_TAX_NUMBERS = "GST:123456789RT0001,QST:1234567890TQ0001"
    settings.STORE_SELLER_NAME = "Écriture Montréal inc."
    settings.STORE_SELLER_ADDRESS = "1 rue de l'Université, Montréal QC H3A 0G4"


@pytest.mark.parametrize(
    ("subtotal", "discount", "gst", "qst", "total"),
    [
        ("25.00", "0.00", "1.25", "2.49", "28.74"),  # QST 2.49375 -> 2.49
        ("25.00", "5.00", "1.00", "2.00", "23.00"),  # 20 % off: taxed on 20.00, QST 1.995 -> 2.00
        ("10.10", "0.00", "0.51", "1.01", "11.62"),  # GST 0.505 -> 0.51 (half up), QST 1.007475 -> 1.01
        ("0.10", "0.00", "0.01", "0.01", "0.12"),  # each tax rounded on its own: 0.005 and 0.009975
        ("19.99", "19.99", "0.00", "0.00", "0.00"),  # fully discounted: nothing to tax
    ],
)
def test_each_tax_is_computed_on_the_discounted_subtotal_and_rounded_on_its_own(subtotal, discount, gst, qst, total):
    got = totals(Decimal(subtotal), Decimal(discount), QUEBEC)
    assert [(line.name, str(line.amount)) for line in got.taxes] == [("GST", gst), ("QST", qst)]
    assert str(got.total) == total and got.tax == Decimal(gst) + Decimal(qst)


def pay_with_coupon(client, paysafe, package, code="SPRING"):
    Coupon.objects.get_or_create(code=code, defaults={"percent_off": Decimal("20")})
    approve(paysafe)
    body = {"lines": [{"product": "package", "id": package.pk, "quantity": 1}], "single_use_token": "tok-1"}
    return client.post("/api/orders/", {**body, "coupon": code}, format="json")


def test_the_order_answers_each_named_tax_with_the_sellers_numbers(member_client, package, paysafe):
    response = pay_with_coupon(member_client, paysafe, package)
    assert response.status_code == 201, response.json()
    order = response.json()
    assert (order["subtotal"], order["coupon_code"], order["discount"], order["total"]) == (
        "25.00",
        "SPRING",
        "5.00",
        "23.00",
    )
    assert order["taxes"] == [
        {"name": "GST", "rate": "5.000", "amount": "1.00", "registration_number": "123456789RT0001"},
        {"name": "QST", "rate": "9.975", "amount": "2.00", "registration_number": "1234567890TQ0001"},
    ]
    french = member_client.get(f"/api/orders/{order['id']}/", HTTP_ACCEPT_LANGUAGE="fr").json()
    assert [tax["name"] for tax in french["taxes"]] == ["TPS", "TVQ"]


def test_an_order_keeps_the_taxes_it_was_charged_when_the_rates_change(member_client, package, paysafe, settings):
    approve(paysafe)
    order = buy(member_client, ("package", package, 1)).json()
    settings.STORE_TAXES = "HST:13"
    again = member_client.get(f"/api/orders/{order['id']}/").json()
    assert [(tax["name"], tax["amount"]) for tax in again["taxes"]] == [("GST", "1.25"), ("QST", "2.49")]
    assert again["total"] == "28.74"


def test_the_order_page_shows_the_discount_each_tax_and_the_numbers(client, member, package, paysafe):
    pay_with_coupon(token_client(member), paysafe, package)
    client.force_login(member)
    page = client.get("/account/orders/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Rabais (coupon SPRING)" in page and "−5,00\xa0$" in page
    assert "TPS (5\xa0%)" in page and "1,00\xa0$" in page
    assert "TVQ (9,975\xa0%)" in page and "2,00\xa0$" in page
    assert "Total" in page and "23,00\xa0$" in page
    assert "123456789RT0001" in page and "1234567890TQ0001" in page
    assert "Visa se terminant par 1111" in page
    order = Order.objects.get()
    assert f'href="/api/orders/{order.pk}/receipt.pdf"' in page


def test_a_declined_attempt_reads_as_declined_not_as_money_owed(client, member, package, paysafe):
    from tests.store.conftest import AUTHS, error_body

    paysafe.add("POST", AUTHS, json=error_body("3009", "declined"), status=402)
    assert buy(token_client(member), ("package", package, 1)).status_code == 402
    client.force_login(member)
    page = client.get("/account/orders/").content.decode()
    assert "Payment declined: nothing was charged" in page
    assert "Not paid" not in page and "receipt.pdf" not in page


def test_the_invoice_shows_the_coupon_each_tax_and_the_numbers(
    member, package, paysafe, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        pay_with_coupon(token_client(member), paysafe, package)
    (message,) = mail.outbox
    body = message.body
    assert "Subtotal: $25.00" in body and "Discount (coupon SPRING): −$5.00" in body
    assert "GST (5 %): $1.00" in body and "QST (9.975 %): $2.00" in body and "Total: $23.00" in body
    assert "GST no. 123456789RT0001" in body and "QST no. 1234567890TQ0001" in body
    assert "1 × 5 tickets at $25.00: $25.00" in body
    assert "(s)" not in body


def test_the_data_export_keeps_the_coupon_and_the_taxes(member, package, paysafe):
    pay_with_coupon(token_client(member), paysafe, package)
    [order] = export_member_data(member)["orders"]
    assert (order["coupon_code"], order["discount"]) == ("SPRING", Decimal("5.00"))
    assert [(tax["name"], tax["amount"]) for tax in order["taxes"]] == [("GST", "1.00"), ("QST", "2.00")]


def receipt_text(response):
    assert response["Content-Type"] == "application/pdf", response.content[:200]
    reader = PdfReader(io.BytesIO(response.content))
    return "\n".join(page.extract_text() for page in reader.pages).replace("\xa0", " ")


def test_the_receipt_has_what_a_quebec_buyer_keeps(member, package, paysafe):
    client = token_client(member)
    order = pay_with_coupon(client, paysafe, package).json()
    text = receipt_text(client.get(f"/api/orders/{order['id']}/receipt.pdf"))
    for expected in (
        "Écriture Montréal inc.",
        "1 rue de l'Université, Montréal QC H3A 0G4",
        "GST no. 123456789RT0001",
        "QST no. 1234567890TQ0001",
        f"Receipt {order['reference']}",
        "Mia Member <member@example.com>",
        "5 tickets",
        "Discount (coupon SPRING) -$5.00",
        "GST (5 %) $1.00",
        "QST (9.975 %) $2.00",
        "Total $23.00",
        "Paid with: Visa ending in 1111",
    ):
        assert expected in text, (expected, text)


def test_the_receipt_is_in_the_members_language_whoever_asks(admin_client_api, package, paysafe, db):
    fanny = make_user(email="fanny@example.com", first_name="Fanny", language="fr")
    package.name_fr = "5 billets"
    package.save()
    order = pay_with_coupon(token_client(fanny), paysafe, package).json()
    text = receipt_text(admin_client_api.get(f"/api/orders/{order['id']}/receipt.pdf"))
    assert f"Reçu {order['reference']}" in text and "5 billets" in text
    assert "TPS (5 %) 1,00 $" in text and "TVQ (9,975 %) 2,00 $" in text and "Total 23,00 $" in text
    assert "Visa se terminant par 1111" in text and "HNE" in text


def test_the_receipt_lists_refunds(member, package, paysafe, admin_client_api):
    from tests.store.conftest import REFUNDS, SETTLEMENTS

    client = token_client(member)
    order = pay_with_coupon(client, paysafe, package).json()
    paysafe.add("POST", f"{SETTLEMENTS}/settle-1/refunds", json={"id": "refund-1", "status": "COMPLETED"})
    paysafe.add("POST", REFUNDS, json={"id": "refund-1", "status": "COMPLETED"})
    refunded = admin_client_api.post(f"/api/orders/{order['id']}/refund/", {}, format="json")
    assert refunded.status_code == 200, refunded.json()
    assert "Refunded on" in receipt_text(client.get(f"/api/orders/{order['id']}/receipt.pdf"))


def test_only_the_buyer_or_staff_get_the_receipt_and_only_of_a_paid_order(member, package, paysafe, db):
    order = pay_with_coupon(token_client(member), paysafe, package).json()
    other = token_client(make_user(email="other@example.com"))
    assert other.get(f"/api/orders/{order['id']}/receipt.pdf").status_code == 404
    from rest_framework.test import APIClient

    assert APIClient().get(f"/api/orders/{order['id']}/receipt.pdf").status_code in (401, 403)
    Order.objects.filter(pk=order["id"]).update(status=Order.Status.FAILED)
    refused = token_client(member).get(f"/api/orders/{order['id']}/receipt.pdf")
    assert refused.status_code == 409 and "not paid" in refused.json()["detail"]
