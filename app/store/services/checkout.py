"""Checkout: validate, create the pending order, charge once (outside any transaction), record.

The outcome is a `CheckoutResult` (paid, pending or an earlier order replayed); a failed payment
raises the domain error a member reads (`PaymentDeclined`, `Invalid`, `PaymentUnavailable`),
carrying the failed order's id, reference and status.
"""

from __future__ import annotations

import enum
import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from app.accounts.models import User
from app.core.exceptions import (
    DomainError,
    IdempotencyKeyReused,
    Invalid,
    PaymentBeingVerified,
    PaymentDeclined,
    PaymentUnavailable,
)
from app.integrations.payments import (
    Authorisation,
    AuthStatus,
    GatewayError,
    OutcomeUnknown,
    PaymentGateway,
    cents,
    get_gateway,
)
from app.store.models import Membership, Order, OrderLine, OrderStatusChange, Package, SavedCard
from app.store.services import coupons, kinds
from app.store.services import taxes as sales_taxes
from app.store.services.cards import refuse_saved_card_token
from app.store.services.eligibility import CartItem, CheckoutLine, resolve_items
from app.store.services.fulfilment import Completion, complete_or_flag, complete_order, fail_order
from app.store.services.payment_errors import domain_error
from app.store.services.pricing import totals
from app.store.services.taxes import TaxLine

logger = logging.getLogger(__name__)

LOOKUP_TIMEOUT_SECONDS = 5
ORDER_TOTAL_MAX = Decimal("99999999.99")  # what Order.total (10 digits, 2 places) can hold
IDEMPOTENCY_KEY_MAX_LENGTH = 100
CONFIRMING_MESSAGE = gettext_lazy(
    "The payment is being confirmed with the payment provider. Do not pay again: the order will be "
    "completed, or cancelled without charge, automatically."
)
ATTENTION_MESSAGE = gettext_lazy(
    "Your payment was accepted but the order could not be completed automatically. Do not pay again: "
    "our team has been told and will complete or refund it."
)
SOURCE = OrderStatusChange.Source.CHECKOUT


class Outcome(enum.Enum):
    PAID = "paid"  # charged (or free) and granted now
    PENDING = "pending"  # the charge's outcome is being confirmed: do not pay again
    REPLAYED = "replayed"  # the same Idempotency-Key again: the first order, no new charge
    NEEDS_ATTENTION = "needs_attention"  # charged, but the goods could not be granted: staff were told


@dataclass(frozen=True)
class CheckoutResult:
    order: Order
    outcome: Outcome
    message: str = ""


def fingerprint(lines: Sequence[CheckoutLine], *, token_kind: str, coupon: str = "", invitation: str = "") -> str:
    """What a repeated submit must match to be the same request."""
    canonical = sorted((line["product"], line["id"], line["quantity"]) for line in lines)
    parts: list[object] = [canonical, token_kind]
    if coupon:  # orders without a coupon keep the fingerprint they had before coupons existed
        parts.append(coupons.normalise(coupon))
    if invitation:
        parts.append(["invitation", invitation])
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


@dataclass(frozen=True)
class Quote:
    subtotal: Decimal
    discount: Decimal
    taxes: list[TaxLine]
    tax: Decimal
    total: Decimal


def quote(user: User, lines: Sequence[CheckoutLine], coupon: str = "") -> Quote:
    """What `lines` would cost `user` with `coupon` now (`Invalid` if not allowed); nothing is held."""
    items = resolve_items(user, lines)
    off = coupons.discount(coupons.find(coupon), user, items).amount if coupon else Decimal(0)
    priced = totals(_subtotal(items), off)
    return Quote(priced.subtotal, priced.discount, priced.taxes, priced.tax, priced.total)


def _subtotal(items: Sequence[CartItem]) -> Decimal:
    return sum((item.unit_price * item.quantity for item in items), Decimal(0))


def create_order(
    user: User,
    items: Sequence[CartItem],
    *,
    idempotency_key: str = "",
    request_fingerprint: str = "",
    coupon: str = "",
    invitation: str = "",
) -> Order:
    """The pending order and its lines (a snapshot of each product), in one transaction of its own.

    With a coupon, its row is locked while its limits are checked and the order that holds it is
    created: of two members racing for its last use, the second is refused."""
    charged = sales_taxes.configured()
    with transaction.atomic(durable=True):  # committed before the card is charged
        applied = coupons.discount(coupons.find(coupon, lock=True), user, items) if coupon else None
        priced = totals(_subtotal(items), applied.amount if applied else Decimal(0), charged)
        if priced.total > ORDER_TOTAL_MAX:
            raise Invalid(
                fields={
                    "lines": [
                        _("This order's total is more than one order can hold (%(max)s).") % {"max": ORDER_TOTAL_MAX}
                    ]
                }
            )
        order = Order.objects.create(
            user=user,
            currency=settings.STORE_CURRENCY,
            tax_rate=sales_taxes.combined_rate(charged),
            taxes=sales_taxes.snapshot(priced.taxes),
            subtotal=priced.subtotal,
            tax=priced.tax,
            total=priced.total,
            coupon=applied.coupon if applied else None,
            discount=priced.discount,
            idempotency_key=idempotency_key,
            request_fingerprint=request_fingerprint,
        )
        OrderLine.objects.bulk_create(
            OrderLine(
                order=order,
                kind=item.kind,
                membership=item.product if isinstance(item.product, Membership) else None,
                package=item.product if isinstance(item.product, Package) else None,
                name=item.product.name,
                name_fr=item.product.name_fr,
                unit_price=item.unit_price,
                quantity=item.quantity,
                tickets=getattr(item.product, "tickets", 0) if item.kind == "package" else 0,
                duration_days=getattr(item.product, "duration_days", 0) if item.kind == "membership" else 0,
                item_id=item.product.pk if item.kind in kinds.kinds() else None,
            )
            for item in items
        )
        present = {item.kind for item in items}
        extra = [kind for kind in kinds.kinds() if kind in present]  # in the order they were registered
        if invitation and "retreat" not in extra:
            raise Invalid(fields={"invitation": [_("An invitation is used only with a retreat in the order.")]})
        for kind in extra:
            kinds.hooks(kind).hold(
                order, items, invitation
            )  # e.g. locks each retreat's row: a seat is never sold twice
    return order


# The errors a failed checkout answers, by code: a replay of its Idempotency-Key answers the same.
_FAILURES: dict[str, type[DomainError]] = {cls.code: cls for cls in (PaymentDeclined, Invalid, PaymentUnavailable)}


def _replay(user: User, idempotency_key: str, request_fingerprint: str) -> CheckoutResult | None:
    order = Order.objects.filter(user=user, idempotency_key=idempotency_key).first()
    if order is None:
        return None
    if order.request_fingerprint != request_fingerprint:
        raise IdempotencyKeyReused(_("This Idempotency-Key was already used for a different order."))
    if order.status == Order.Status.FAILED and order.failure_kind in _FAILURES:
        raise _failed(order, _FAILURES[order.failure_kind](order.failure_message or None))
    if order.needs_attention:
        return CheckoutResult(order, Outcome.REPLAYED, str(ATTENTION_MESSAGE))
    message = str(CONFIRMING_MESSAGE) if order.status == Order.Status.PENDING else ""
    return CheckoutResult(order, Outcome.REPLAYED, message)


def _payment_token(user: User, *, single_use_token: str, payment_token: str) -> tuple[str, str]:
    """(token, kind) after the token rules: exactly one; a saved card only through `payment_token`,
    and only the member's own."""
    if bool(single_use_token) == bool(payment_token):
        raise Invalid(_("Give exactly one of single_use_token (a new card) or payment_token (a saved card)."))
    if payment_token:
        if not SavedCard.objects.filter(profile__user=user, payment_token=payment_token).exists():
            raise Invalid(fields={"payment_token": [_("This is not one of your saved cards.")]})
        return payment_token, "saved"
    refuse_saved_card_token(single_use_token)
    return single_use_token, "single-use"


def checkout(
    user: User,
    lines: Sequence[CheckoutLine],
    *,
    single_use_token: str = "",
    payment_token: str = "",
    idempotency_key: str = "",
    coupon: str = "",
    invitation: str = "",
) -> CheckoutResult:
    """Validate, create the pending order, charge once, grant. Must not run inside a transaction."""
    token, token_kind = _payment_token(user, single_use_token=single_use_token, payment_token=payment_token)
    if len(idempotency_key) > IDEMPOTENCY_KEY_MAX_LENGTH:
        raise Invalid(_("The Idempotency-Key header is longer than 100 characters."))
    request_fingerprint = fingerprint(lines, token_kind=token_kind, coupon=coupon, invitation=invitation)
    if idempotency_key:
        replay = _replay(user, idempotency_key, request_fingerprint)
        if replay:
            return replay
    items = resolve_items(user, lines)
    refuse_while_verifying(user, items)
    try:
        order = create_order(
            user,
            items,
            idempotency_key=idempotency_key,
            request_fingerprint=request_fingerprint,
            coupon=coupon,
            invitation=invitation,
        )
    except IntegrityError:
        # The same key submitted twice at once: the other request created the order and pays it.
        replay = _replay(user, idempotency_key, request_fingerprint) if idempotency_key else None
        if replay is None:
            raise
        return replay
    return pay(order, token)


def _basket(pairs: Sequence[tuple[str, int, int]]) -> dict[tuple[str, int], int]:
    counts: dict[tuple[str, int], int] = {}
    for kind, product_id, quantity in pairs:
        counts[(kind, product_id)] = counts.get((kind, product_id), 0) + quantity
    return counts


def refuse_while_verifying(user: User, items: Sequence[CartItem]) -> None:
    """`PaymentBeingVerified` while an order of `user` for the same basket has a payment whose
    outcome is still unknown: paying again could charge twice (`verify_payments` settles it)."""
    basket = _basket([(item.kind, item.product.pk, item.quantity) for item in items])
    verifying = Order.objects.filter(user=user, status=Order.Status.PENDING, outcome_uncertain=True)
    for order in verifying.prefetch_related("lines"):
        lines = [
            (line.kind, line.membership_id or line.package_id or line.item_id or 0, line.quantity)
            for line in order.lines.all()
        ]
        if _basket(lines) == basket:
            raise PaymentBeingVerified(data={"id": order.pk, "reference": order.reference, "status": order.status})


def _failed(order: Order, error: DomainError) -> DomainError:
    """`error`, carrying the failed order's state for the client."""
    order.refresh_from_db()
    error.data = {"id": order.pk, "reference": order.reference, "status": order.status}
    return error


def _pending(order: Order) -> CheckoutResult:
    """The outcome is unknown (a time-out, or the provider still processing): the order is being
    verified; `verify_payments` asks again within a minute."""
    Order.objects.filter(pk=order.pk, status=Order.Status.PENDING).update(outcome_uncertain=True)
    order.refresh_from_db()
    return CheckoutResult(order, Outcome.PENDING, str(CONFIRMING_MESSAGE))


def pay(order: Order, token: str) -> CheckoutResult:
    """Charge the pending `order` once and record the outcome."""
    if order.total == 0:
        complete_order(order, None, source=SOURCE)
        order.refresh_from_db()
        return CheckoutResult(order, Outcome.PAID)
    try:
        gateway = get_gateway()
    except GatewayError as error:
        failure = domain_error(error)
        fail_order(order, error.code, str(error), source=SOURCE, kind=failure.code)
        raise _failed(order, failure) from None
    try:
        auth = gateway.authorize(merchant_ref_num=order.reference, amount_cents=cents(order.total), token=token)
    except OutcomeUnknown as error:
        return resolve_uncertain(order, gateway, error)
    except GatewayError as error:
        failure = domain_error(error)
        fail_order(order, error.code, str(error), source=SOURCE, kind=failure.code)
        raise _failed(order, failure) from None
    return apply_auth(order, auth)


def apply_auth(order: Order, auth: Authorisation) -> CheckoutResult:
    if auth.status == AuthStatus.COMPLETED:
        return _complete_or_pending(order, auth)
    if auth.status == AuthStatus.IN_PROGRESS:
        return _pending(order)
    message = _("The payment was not approved. Please use another card.")
    fail_order(order, "declined", message, source=SOURCE, kind=PaymentDeclined.code)
    raise _failed(order, PaymentDeclined(message))


def resolve_uncertain(order: Order, gateway: PaymentGateway, error: GatewayError) -> CheckoutResult:
    """The charge may or may not have happened: ask the gateway before anything else."""
    try:
        # Short: the charge already used most of the request's time (API Gateway stops at ~30 s).
        auths = gateway.find_auths(order.reference, timeout=LOOKUP_TIMEOUT_SECONDS)
    except GatewayError:
        logger.warning("Order %s: payment outcome unknown, left pending for reconcile_payments", order.reference)
        return _pending(order)
    completed = [auth for auth in auths if auth.status == AuthStatus.COMPLETED]
    if completed:
        return _complete_or_pending(order, completed[0])
    # None found yet, or still in progress: a charge may still land (the provider answers late).
    # The order is being verified, not cancelled: `verify_payments` looks again within a minute.
    logger.info("Order %s: outcome unknown (%r), no charge found yet: being verified", order.reference, error)
    return _pending(order)


def _complete_or_pending(order: Order, auth: Authorisation) -> CheckoutResult:
    completion = complete_or_flag(order, auth, source=SOURCE)
    order.refresh_from_db()
    if completion == Completion.NEEDS_ATTENTION:
        return CheckoutResult(order, Outcome.NEEDS_ATTENTION, str(ATTENTION_MESSAGE))
    if order.status == Order.Status.PENDING:  # pragma: no cover - another process is recording it
        return CheckoutResult(order, Outcome.PENDING, str(CONFIRMING_MESSAGE))
    return CheckoutResult(order, Outcome.PAID)
