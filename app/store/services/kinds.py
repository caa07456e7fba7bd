"""Products that other domains sell through the store's checkout (retreats), plugged in here.

The store imports none of those domains (docs/architecture.md: no cycle between packages): a domain's
AppConfig names, in its `store_kinds` attribute ({kind: dotted path}), a module that answers the
hooks below. Both this registry and that module are read on first use: nothing loads at start-up.

The hook module provides:
- `product(id, quantity) -> SoldProduct` (`Invalid` when it cannot be bought);
- `refusal(user, product) -> str | None`: why this member may not buy it;
- `unit_price(user, product, held) -> Decimal | None`: this member's price (None: `product.price`);
- `coupon_applies(coupon, product) -> bool`: the coupon names this product;
- `hold(order, items, invitation)`: in the transaction creating the order, hold the stock (may
  raise); `invitation`: the checkout's invitation token, or empty. Kinds hold in the order their
  AppConfig lists them (a retreat's seat before its options, which need the seat);
- `confirm(line)`: the line's order is paid; `release(order)`: its payment failed;
- `free(line)`: the line was refunded.
"""

from __future__ import annotations

from decimal import Decimal
from importlib import import_module
from types import ModuleType
from typing import Any, Protocol

_registered: dict[str, str] | None = None


class SoldProduct(Protocol):
    pk: int
    name: str
    name_fr: str
    price: Decimal
    _meta: Any  # a model's: its `model_name` is its line kind, unless it names one in `store_kind`


def _registry() -> dict[str, str]:
    global _registered
    if _registered is None:
        from django.apps import apps

        found: dict[str, str] = {}
        for config in apps.get_app_configs():
            found.update(getattr(config, "store_kinds", {}))
        _registered = found
    return _registered


def kinds() -> list[str]:
    """The line kinds (`OrderLine.Kind`) other domains sell."""
    return list(_registry())


def kind_of(product: SoldProduct) -> str:
    return str(getattr(product, "store_kind", "") or product._meta.model_name)


def hooks(kind: str) -> ModuleType:
    return import_module(_registry()[kind])
