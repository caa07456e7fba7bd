"""Products (memberships, ticket packages), orders and saved cards (`orders.py`), coupons
(`coupons.py`) and partial refunds (`refunds.py`); every model is importable from here.

Money is `Decimal` with two places, in `STORE_CURRENCY`. An order's lines are a snapshot taken at
purchase (name, unit price, quantity): products may change or become unavailable later without
touching old orders.
"""

from app.store.models.coupons import Coupon, CouponUse
from app.store.models.orders import (
    DURATION_DAYS_MAX,
    LINES_MAX,
    PRICE_MAX,
    QUANTITY_MAX,
    TICKETS_MAX,
    HeldMembership,
    Membership,
    Order,
    OrderLine,
    OrderStatusChange,
    Package,
    PaymentProfile,
    SavedCard,
    new_reference,
)
from app.store.models.refunds import OrderRefund

__all__ = [
    "DURATION_DAYS_MAX",
    "LINES_MAX",
    "PRICE_MAX",
    "QUANTITY_MAX",
    "TICKETS_MAX",
    "Coupon",
    "CouponUse",
    "HeldMembership",
    "Membership",
    "Order",
    "OrderLine",
    "OrderRefund",
    "OrderStatusChange",
    "Package",
    "PaymentProfile",
    "SavedCard",
    "new_reference",
]
