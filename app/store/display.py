"""How an order reads to a member, the same on the order page, in the invoice e-mail and on the
PDF receipt: its status as words, the card that paid, the rows of its totals."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from app.core.i18n import percent
from app.store.models import Order
from app.store.services import taxes as sales_taxes

# Paysafe's card type codes -> the brand a member knows.
CARD_BRANDS = {
    "VI": "Visa",
    "MC": "Mastercard",
    "AM": "American Express",
    "DI": "Discover",
    "JC": "JCB",
    "MD": "Maestro",
    "DC": "Diners Club",
}


def card_brand(card_type: str) -> str:
    return CARD_BRANDS.get(card_type.upper(), card_type)


def card_label(card_type: str, last_digits: str) -> str:
    """`Visa ending in 1111` / `Visa se terminant par 1111`."""
    return _("%(brand)s ending in %(digits)s") % {"brand": card_brand(card_type) or _("Card"), "digits": last_digits}


def payment_method(order: Order) -> str:
    if order.total == 0 and order.status != Order.Status.FAILED:
        return _("No payment (free order)")
    if order.card_last_digits:
        return card_label(order.card_type, order.card_last_digits)
    return _("Card")


def status_label(order: Order) -> str:
    """What the order's state means to the member; a failed attempt is never money owed."""
    if order.being_verified:
        return _("Payment being verified: do not pay again")
    return {
        Order.Status.PAID: pgettext("order", "Paid"),
        Order.Status.PENDING: pgettext("order", "Being confirmed"),
        Order.Status.REFUNDED: pgettext("order", "Refunded"),
        Order.Status.PARTIALLY_REFUNDED: pgettext("order", "Partly refunded"),
        Order.Status.FAILED: pgettext("order", "Payment declined: nothing was charged"),
    }.get(Order.Status(order.status), order.status)


@dataclass(frozen=True)
class TotalRow:
    label: str
    amount: Decimal
    strong: bool = False
    negative: bool = False


def total_rows(order: Order) -> list[TotalRow]:
    """Subtotal, the coupon's discount, each tax (its rate and number), the total: rows that add up."""
    rows = [TotalRow(_("Subtotal"), order.subtotal)]
    if order.discount:
        code = order.coupon.code if order.coupon_id and order.coupon else ""
        label = _("Discount (coupon %(code)s)") % {"code": code} if code else _("Discount")
        rows.append(TotalRow(label, order.discount, negative=True))
    for tax in sales_taxes.of_order(order):
        rows.append(TotalRow(tax_label(tax), tax.amount))
    rows.append(TotalRow(_("Total"), order.total, strong=True))
    return rows


def tax_label(tax: sales_taxes.TaxLine) -> str:
    """`GST (5 %)` / `TPS (5 %)`; an order from before named taxes: `Taxes (14.975 %)`."""
    name = tax.label or _("Taxes")
    return _("%(tax)s (%(rate)s)") % {"tax": name, "rate": percent(tax.rate)}


def registration_numbers(order: Order) -> list[str]:
    """`GST no. 123456789RT0001` for each tax of `order` that has one."""
    return [
        _("%(tax)s no. %(number)s") % {"tax": tax.label, "number": tax.registration_number}
        for tax in sales_taxes.of_order(order)
        if tax.registration_number and tax.name
    ]
