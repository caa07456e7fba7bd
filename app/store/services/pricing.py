"""Prices: the coupon's discount comes off the subtotal, then each tax is computed on what is left
and rounded to the cent half-up on its own line (`taxes.py`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from app.store.services import taxes as sales_taxes
from app.store.services.taxes import CENT, Tax, TaxLine

__all__ = ["CENT", "Totals", "tax_rate", "totals"]


def tax_rate() -> Decimal:
    """The store's combined tax rate, in percent (14.975 with GST and QST)."""
    return sales_taxes.combined_rate()


@dataclass(frozen=True)
class Totals:
    subtotal: Decimal
    discount: Decimal
    taxes: list[TaxLine]
    tax: Decimal  # the sum of `taxes`
    total: Decimal


def totals(subtotal: Decimal, discount: Decimal = Decimal(0), taxes: Sequence[Tax] | None = None) -> Totals:
    """The subtotal, the discount (a coupon's, already in cents; never more than the subtotal),
    each tax on the discounted subtotal, and the total."""
    subtotal = Decimal(subtotal).quantize(CENT, rounding=ROUND_HALF_UP)
    discount = min(Decimal(discount), subtotal)
    base = subtotal - discount
    lines = sales_taxes.compute(base, taxes)
    tax = sum((line.amount for line in lines), Decimal("0.00"))
    return Totals(subtotal, discount, lines, tax, base + tax)
