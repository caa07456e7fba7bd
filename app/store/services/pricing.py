"""Prices: the tax is computed on the order's subtotal and rounded to the cent half-up, once."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

CENT = Decimal("0.01")


def tax_rate() -> Decimal:
    """The store's tax rate, in percent."""
    return Decimal(str(settings.STORE_TAX_RATE))


def totals(
    subtotal: Decimal, rate: Decimal | None = None, discount: Decimal = Decimal(0)
) -> tuple[Decimal, Decimal, Decimal]:
    """(subtotal, tax, total), the tax rounded to the cent half-up once per order.

    `discount` (a coupon's, already in cents) comes off the subtotal before tax."""
    rate = tax_rate() if rate is None else rate
    subtotal = Decimal(subtotal).quantize(CENT, rounding=ROUND_HALF_UP)
    taxed = subtotal - min(Decimal(discount), subtotal)
    tax = (taxed * rate / 100).quantize(CENT, rounding=ROUND_HALF_UP)
    return subtotal, tax, taxed + tax
