"""Products that other domains sell through the store's checkout (retreats), plugged in here.

The store imports none of those domains (docs/architecture.md: no cycle between packages): a domain
registers, from its AppConfig.ready(), the dotted path of a module that answers the hooks below,
imported on first use, so that nothing of it loads at start-up.

The hook module provides:
- `product(id, quantity) -> SoldProduct` (`Invalid` when it cannot be bought);
- `refusal(user, product) -> str | None`: why this member may not buy it;
- `unit_price(user, product, held) -> Decimal | None`: this member's price (None: `product.price`);
- `coupon_applies(coupon, product) -> bool`: the coupon names this product;
- `hold(order, items)`: in the transaction creating the order, hold the stock (may raise);
- `confirm(line)`: the line's order is paid; `release(order)`: its payment failed;
- `free(line)`: the line was refunded.
"""

from __future__ import annotations

from decimal import Decimal
from importlib import import_module
from types import ModuleType
from typing import Any, Protocol

_registered: dict[str, str] = {}


class SoldProduct(Protocol):
    pk: int
    name: str
    price: Decimal
    _meta: Any  # a model's: its `model_name` is its line kind


def register(kind: str, hooks: str) -> None:
    """`kind` (an `OrderLine.Kind`) is sold by the hook module named `hooks` (a dotted path)."""
    _registered[kind] = hooks


def kinds() -> list[str]:
    return list(_registered)


def kind_of(product: SoldProduct) -> str:
    return str(product._meta.model_name)


def hooks(kind: str) -> ModuleType:
    return import_module(_registered[kind])
