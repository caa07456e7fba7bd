"""Sales taxes as a list of named taxes (in Québec: GST/TPS 5 %, QST/TVQ 9.975 %).

Each tax is computed on the same base, the discounted subtotal, and rounded to the cent half-up on
its own line, as a Québec receipt shows it (/docs/store.md#taxes). Rates, names and registration
numbers come from settings (`STORE_TAXES`, `STORE_TAX_NUMBERS`), never from code. An order keeps a
snapshot of the taxes it was charged (`Order.taxes`), so a later change of rate leaves it as sold.

Names are stored in English ("GST") and shown in the reader's language through the catalog
(`pgettext("tax", "GST")` -> "TPS").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import pgettext, pgettext_lazy

if TYPE_CHECKING:
    from app.store.models import Order

CENT = Decimal("0.01")
# The names a Canadian store may configure, marked so that the catalog gives each its French name.
KNOWN_NAMES = (
    pgettext_lazy("tax", "GST"),
    pgettext_lazy("tax", "QST"),
    pgettext_lazy("tax", "HST"),
    pgettext_lazy("tax", "PST"),
)


@dataclass(frozen=True)
class Tax:
    name: str  # in English, as configured: "GST"
    rate: Decimal  # percent
    registration_number: str = ""


@dataclass(frozen=True)
class TaxLine:
    name: str
    rate: Decimal
    amount: Decimal
    registration_number: str = ""

    @property
    def label(self) -> str:
        """The tax's name in the active language ("TPS" in French)."""
        return display_name(self.name)

    def as_json(self) -> dict[str, str]:
        return {
            "name": self.name,
            "rate": str(self.rate),
            "amount": str(self.amount),
            "registration_number": self.registration_number,
        }


def display_name(name: str) -> str:
    # Translators: the name of a sales tax as printed on a receipt (GST -> TPS, QST -> TVQ).
    return pgettext("tax", name) if name else name


def _pairs(value: str, setting: str) -> list[tuple[str, str]]:
    pairs = []
    for item in filter(None, (part.strip() for part in value.split(","))):
        name, sep, rest = item.partition(":")
        if not sep or not name.strip():
            raise ImproperlyConfigured(f"{setting}: expected NAME:VALUE pairs separated by commas, got {item!r}")
        pairs.append((name.strip(), rest.strip()))
    return pairs


def configured() -> list[Tax]:
    """The taxes charged now: `STORE_TAXES="GST:5,QST:9.975"`, numbers from `STORE_TAX_NUMBERS`."""
    numbers = dict(_pairs(settings.STORE_TAX_NUMBERS, "STORE_TAX_NUMBERS"))
    taxes = []
    for name, rate in _pairs(settings.STORE_TAXES, "STORE_TAXES"):
        try:
            value = Decimal(rate)
        except InvalidOperation:
            raise ImproperlyConfigured(f"STORE_TAXES: {name}'s rate {rate!r} is not a number") from None
        if not value.is_finite() or value < 0 or value >= 100:
            raise ImproperlyConfigured(f"STORE_TAXES: {name}'s rate must be a percent from 0 to 100")
        taxes.append(Tax(name, value, numbers.get(name, "")))
    return taxes


def combined_rate(taxes: Sequence[Tax] | None = None) -> Decimal:
    """The sum of the rates, in percent (14.975): what `Order.tax_rate` records."""
    return sum((tax.rate for tax in (configured() if taxes is None else taxes)), Decimal(0))


def compute(base: Decimal, taxes: Sequence[Tax] | None = None) -> list[TaxLine]:
    """Each tax on `base`, rounded to the cent half-up on its own."""
    return [
        TaxLine(
            tax.name, tax.rate, (base * tax.rate / 100).quantize(CENT, rounding=ROUND_HALF_UP), tax.registration_number
        )
        for tax in (configured() if taxes is None else taxes)
    ]


def snapshot(lines: Sequence[TaxLine]) -> list[dict[str, str]]:
    return [line.as_json() for line in lines]


def of_order(order: Order) -> list[TaxLine]:
    """The taxes `order` was charged; an order from before named taxes shows one "Taxes" line."""
    stored: list[dict[str, Any]] = order.taxes or []
    if stored:
        return [
            TaxLine(item["name"], Decimal(item["rate"]), Decimal(item["amount"]), item.get("registration_number", ""))
            for item in stored
        ]
    return [TaxLine("", order.tax_rate, order.tax)] if order.tax else []


def rates_of(order: Order) -> list[Tax]:
    """The taxes to apply again to part of `order` (a partial refund): its own rates, not today's."""
    stored = of_order(order)
    return [Tax(line.name, line.rate, line.registration_number) for line in stored] or [Tax("", order.tax_rate)]
