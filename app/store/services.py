"""The store's rules: prices, eligibility, checkout, reconciliation, refunds and saved cards.

Money and goods must always add up. The rules that keep them so:
- the pending order is created in one transaction, the card is charged OUTSIDE any transaction
  (a rollback cannot un-charge a card) with `merchantRefNum` = the order's reference;
- the order is marked paid and the goods granted together, in one transaction, by a
  compare-and-set on the order's status, so that two processes (a checkout and
  `reconcile_payments`) can never grant twice;
- when the charge's outcome is unknown (timeout, connection error, 5xx), Paysafe is asked what
  happened to that reference before anything else; the card is never charged a second time;
- the invoice e-mail is sent after the commit, and its failure changes nothing.
"""

import hashlib
import json
import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from app.accounts.models import TicketMovement, User
from app.accounts.tickets import move_tickets
from app.integrations.paysafe import PaysafeError, cents, get_gateway
from app.store.models import Membership, Order, OrderLine, Package, PaymentProfile, SavedCard

logger = logging.getLogger(__name__)

CENT = Decimal("0.01")
LOOKUP_TIMEOUT_SECONDS = 5
PENDING_AUTH_STATUSES = {"RECEIVED", "PENDING", "HELD"}
CONFIRMING_MESSAGE = (
    "The payment is being confirmed with the payment provider. Do not pay again: the order will be "
    "completed, or cancelled without charge, automatically."
)


class StoreError(Exception):
    """A rule said no. `message` is for the member or admin; `status_code` is the HTTP status."""

    def __init__(self, message, status_code=400, field=None):
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.field = field


@dataclass
class CheckoutResult:
    order: Order
    status_code: int  # 201 paid, 200 replay, 202 pending, 402/400/503 failed
    detail: str = ""


# --- prices ----------------------------------------------------------------------------------
def tax_rate():
    return Decimal(str(settings.STORE_TAX_RATE))


def totals(subtotal, rate=None):
    """(subtotal, tax, total), the tax rounded to the cent half-up once per order."""
    rate = tax_rate() if rate is None else rate
    subtotal = Decimal(subtotal).quantize(CENT, rounding=ROUND_HALF_UP)
    tax = (subtotal * rate / 100).quantize(CENT, rounding=ROUND_HALF_UP)
    return subtotal, tax, subtotal + tax


# --- eligibility -----------------------------------------------------------------------------
def holds_membership(user, memberships):
    """Whether `user` paid for one of `memberships` whose period has not ended."""
    return OrderLine.objects.filter(
        order__user=user,
        order__status=Order.Status.PAID,
        kind=OrderLine.Kind.MEMBERSHIP,
        membership__in=memberships,
        membership_end__gt=timezone.now(),
    ).exists()


def resolve_items(user, lines):
    """[{product, id, quantity}] -> [(kind, product, quantity)], or StoreError naming what is wrong."""
    items = []
    for line in lines:
        model = Membership if line["product"] == "membership" else Package
        product = model.objects.filter(pk=line["id"], available=True).first()
        if product is None:
            raise StoreError(f"{line['product'].capitalize()} {line['id']} does not exist or is not available.")
        items.append((line["product"], product, line["quantity"]))
    bought = {product.pk for kind, product, _ in items if kind == "membership"}
    for kind, product, _ in items:
        if kind == "membership":
            levels = list(product.academic_levels.all())
            if levels and user.academic_level_id not in {level.pk for level in levels}:
                names = ", ".join(level.name for level in levels)
                raise StoreError(f"The membership “{product.name}” is reserved to these academic levels: {names}.")
        else:
            exclusive = list(product.exclusive_memberships.all())
            if exclusive and not (bought & {m.pk for m in exclusive} or holds_membership(user, exclusive)):
                names = ", ".join(m.name for m in exclusive)
                raise StoreError(f"The package “{product.name}” is reserved to members holding: {names}.")
    return items


def fingerprint(lines, *, token_kind):
    canonical = sorted((line["product"], line["id"], line["quantity"]) for line in lines)
    return hashlib.sha256(json.dumps([canonical, token_kind]).encode()).hexdigest()


# --- checkout --------------------------------------------------------------------------------
def create_order(user, items, *, idempotency_key="", request_fingerprint=""):
    rate = tax_rate()
    subtotal, tax, total = totals(sum(product.price * quantity for _, product, quantity in items), rate)
    with transaction.atomic():
        order = Order.objects.create(
            user=user,
            currency=settings.STORE_CURRENCY,
            tax_rate=rate,
            subtotal=subtotal,
            tax=tax,
            total=total,
            idempotency_key=idempotency_key,
            request_fingerprint=request_fingerprint,
        )
        OrderLine.objects.bulk_create(
            OrderLine(
                order=order,
                kind=kind,
                membership=product if kind == "membership" else None,
                package=product if kind == "package" else None,
                name=product.name,
                unit_price=product.price,
                quantity=quantity,
                tickets=getattr(product, "tickets", 0) if kind == "package" else 0,
                duration_days=product.duration_days if kind == "membership" else 0,
            )
            for kind, product, quantity in items
        )
    return order


def _replay(user, idempotency_key, request_fingerprint):
    order = Order.objects.filter(user=user, idempotency_key=idempotency_key).first()
    if order is None:
        return None
    if order.request_fingerprint != request_fingerprint:
        raise StoreError("This Idempotency-Key was already used for a different order.", status_code=422)
    detail = CONFIRMING_MESSAGE if order.status == Order.Status.PENDING else ""
    return CheckoutResult(order, 202 if order.status == Order.Status.PENDING else 200, detail)


def checkout(user, lines, *, token, token_kind, idempotency_key=""):
    """Validate, create the pending order, charge once, grant. See the module docstring."""
    request_fingerprint = fingerprint(lines, token_kind=token_kind)
    if idempotency_key:
        replay = _replay(user, idempotency_key, request_fingerprint)
        if replay:
            return replay
    items = resolve_items(user, lines)
    try:
        order = create_order(user, items, idempotency_key=idempotency_key, request_fingerprint=request_fingerprint)
    except IntegrityError:
        # The same key submitted twice at once: the other request created the order and pays it.
        replay = _replay(user, idempotency_key, request_fingerprint) if idempotency_key else None
        if replay is None:
            raise
        return replay
    return pay(order, token)


def pay(order, token):
    if order.total == 0:
        complete_order(order, None)
        return CheckoutResult(_reload(order), 201)
    try:
        gateway = get_gateway()
    except PaysafeError as error:
        fail_order(order, error.code, error.message)
        return CheckoutResult(_reload(order), 503, error.message)
    try:
        auth = gateway.authorize(merchant_ref_num=order.reference, amount_cents=cents(order.total), token=token)
    except PaysafeError as error:
        if error.uncertain:
            return resolve_uncertain(order, gateway, error)
        fail_order(order, error.code, error.message)
        status = 402 if error.is_decline else 503 if error.is_configuration else 400
        return CheckoutResult(_reload(order), status, error.message)
    return apply_auth(order, auth)


def apply_auth(order, auth):
    status = str(auth.get("status", "")).upper()
    if status == "COMPLETED":
        return _complete_or_pending(order, auth)
    if status in PENDING_AUTH_STATUSES:
        return CheckoutResult(_reload(order), 202, CONFIRMING_MESSAGE)
    fail_order(order, "declined", "The payment was not approved. Please use another card.")
    return CheckoutResult(_reload(order), 402, "The payment was not approved. Please use another card.")


def resolve_uncertain(order, gateway, error):
    """The charge may or may not have happened: ask Paysafe before anything else."""
    try:
        # Short: the charge already used most of the request's time (API Gateway stops at ~30 s).
        auths = gateway.find_auths(order.reference, timeout=LOOKUP_TIMEOUT_SECONDS)
    except PaysafeError:
        logger.warning("Order %s: payment outcome unknown, left pending for reconcile_payments", order.reference)
        return CheckoutResult(_reload(order), 202, CONFIRMING_MESSAGE)
    completed = [auth for auth in auths if str(auth.get("status", "")).upper() == "COMPLETED"]
    if completed:
        return _complete_or_pending(order, completed[0])
    if any(str(auth.get("status", "")).upper() in PENDING_AUTH_STATUSES for auth in auths):
        return CheckoutResult(_reload(order), 202, CONFIRMING_MESSAGE)
    message = (
        "The payment provider did not answer in time and no charge was found, so the order was cancelled. "
        "Please try again in a few minutes."
    )
    fail_order(order, error.code or "unreachable", message, uncertain=True)
    return CheckoutResult(_reload(order), 503, message)


def _complete_or_pending(order, auth):
    try:
        complete_order(order, auth)
    except Exception:
        # Paid but not granted yet: reconcile_payments finishes it from Paysafe's record.
        logger.exception("Order %s: paid but the goods could not be granted; left pending", order.reference)
        return CheckoutResult(_reload(order), 202, CONFIRMING_MESSAGE)
    return CheckoutResult(_reload(order), 201)


def _reload(order):
    order.refresh_from_db()
    return order


def fail_order(order, code, message, *, uncertain=False):
    return Order.objects.filter(pk=order.pk, status=Order.Status.PENDING).update(
        status=Order.Status.FAILED,
        failure_code=str(code or "")[:20],
        failure_message=str(message)[:300],
        outcome_uncertain=uncertain,
    )


def complete_order(order, auth, *, allow_failed_uncertain=False):
    """Mark paid and grant the goods in one transaction; False when another process did it first."""
    allowed = Order.objects.filter(pk=order.pk, status=Order.Status.PENDING)
    if allow_failed_uncertain:
        allowed = Order.objects.filter(pk=order.pk, status__in=[Order.Status.PENDING, Order.Status.FAILED])
        allowed = allowed.exclude(status=Order.Status.FAILED, outcome_uncertain=False)
    settlements = (auth or {}).get("settlements") or []
    now = timezone.now()
    with transaction.atomic():
        if not allowed.update(
            status=Order.Status.PAID,
            paid_at=now,
            paysafe_auth_id=str((auth or {}).get("id", "")),
            paysafe_settlement_id=str(settlements[0].get("id", "")) if settlements else "",
            failure_code="",
            failure_message="",
        ):
            return False
        user = User.objects.select_for_update().get(pk=order.user_id)
        _grant(order, user, now)
        transaction.on_commit(lambda: send_invoice(order.pk))
    logger.info("Order %s paid and granted", order.reference)
    return True


def _grant(order, user, now):
    tickets = 0
    for line in order.lines.all():
        if line.kind == OrderLine.Kind.PACKAGE:
            tickets += line.tickets * line.quantity
        else:
            start = max(now, user.membership_end or now)
            end = start + timedelta(days=line.duration_days * line.quantity)
            OrderLine.objects.filter(pk=line.pk).update(membership_start=start, membership_end=end)
            user.membership_end = end
    if tickets:
        move_tickets(user, tickets, TicketMovement.Reason.PURCHASE, reference=order.reference)
    User.objects.filter(pk=user.pk).update(membership_end=user.membership_end)


def send_invoice(order_id):
    from app.core.email import send_templated_email

    order = Order.objects.select_related("user").get(pk=order_id)
    params = {
        "first_name": order.user.first_name,
        "reference": order.reference,
        "date": timezone.localtime(order.paid_at).strftime("%Y-%m-%d %H:%M"),
        "currency": order.currency,
        "lines": [
            {
                "name": line.name,
                "quantity": line.quantity,
                "unit_price": str(line.unit_price),
                "amount": str(line.amount),
            }
            for line in order.lines.all()
        ],
        "subtotal": str(order.subtotal),
        "tax_rate": str(order.tax_rate.normalize()),
        "tax": str(order.tax),
        "total": str(order.total),
        "organization": settings.ORGANIZATION,
    }
    try:
        sent = send_templated_email(
            to_email=order.user.email,
            to_name=order.user.get_full_name(),
            template_setting="INVOICE",
            params=params,
            local_template="emails/invoice",
        )
    except Exception as error:  # the payment stands whatever happens to the e-mail
        logger.error("Invoice for order %s could not be sent: %s", order.reference, type(error).__name__)
        return False
    if not sent:
        logger.error("Invoice for order %s could not be sent", order.reference)
    return sent


# --- reconciliation --------------------------------------------------------------------------
def reconcile(*, older_than=timedelta(minutes=15), late_window=timedelta(days=3), gateway=None):
    """Complete or cancel orders whose payment outcome was never recorded. Safe to run any time.

    - pending orders older than `older_than` (younger ones may still be in a checkout): a
      COMPLETED auth for the reference completes them (goods granted once); no auth, or only
      failed ones, marks them failed (nothing was charged); an auth still in progress waits;
    - orders failed after an unknown outcome in the last `late_window`: a payment that landed
      late completes them, so a member is never charged without getting the goods.
    """
    counts = {"completed": 0, "failed": 0, "waiting": 0, "unreachable": 0}
    now = timezone.now()
    pending = list(Order.objects.filter(status=Order.Status.PENDING, created__lte=now - older_than))
    late = list(
        Order.objects.filter(status=Order.Status.FAILED, outcome_uncertain=True, created__gte=now - late_window)
    )
    if not (pending or late):
        return counts
    for order in pending + late:
        if order.total == 0:
            counts["completed"] += complete_order(order, None)
            continue
        if gateway is None:
            gateway = get_gateway()
        try:
            auths = gateway.find_auths(order.reference)
        except PaysafeError:
            counts["unreachable"] += 1
            continue
        completed = [a for a in auths if str(a.get("status", "")).upper() == "COMPLETED"]
        if completed and completed[0].get("amount") not in (None, cents(order.total)):
            logger.error("Order %s: Paysafe's amount differs from the order's; left for a person", order.reference)
            counts["waiting"] += 1
        elif completed:
            if complete_order(order, completed[0], allow_failed_uncertain=True):
                counts["completed"] += 1
        elif any(str(a.get("status", "")).upper() in PENDING_AUTH_STATUSES for a in auths):
            counts["waiting"] += 1
        elif order.status == Order.Status.PENDING:
            counts["failed"] += fail_order(order, "no-payment", "No payment was taken for this order.")
    return counts


# --- refunds ---------------------------------------------------------------------------------
def refund_order(order, *, actor, force=False):
    """Give the money back, then take the goods back. Returns (order, note). Idempotent."""
    order = Order.objects.select_related("user").get(pk=order.pk)
    if order.status == Order.Status.REFUNDED:
        return order, "This order was already refunded."
    if order.status != Order.Status.PAID:
        raise StoreError(f"Only a paid order can be refunded; this one is {order.get_status_display().lower()}.")
    lines = list(order.lines.all())
    needed = sum(line.tickets * line.quantity for line in lines if line.kind == OrderLine.Kind.PACKAGE)
    balance = User.objects.values_list("tickets", flat=True).get(pk=order.user_id)
    if needed > balance and not force:
        raise StoreError(
            f"The member has {balance} ticket(s) left of the {needed} this order gave (the rest were spent). "
            "Refund with force=true to take back only what is left.",
            status_code=400,
        )
    refund_id = _refund_money(order) if order.total > 0 else ""
    now = timezone.now()
    with transaction.atomic():
        if not Order.objects.filter(pk=order.pk, status=Order.Status.PAID).update(
            status=Order.Status.REFUNDED, refunded_at=now, refunded_by=actor, paysafe_refund_id=refund_id[:100]
        ):
            return _reload(order), "This order was already refunded."
        user = User.objects.select_for_update().get(pk=order.user_id)
        taken = min(needed, user.tickets)
        if taken:
            move_tickets(user, -taken, TicketMovement.Reason.REFUND, actor=actor, reference=order.reference)
        for line in lines:
            if line.kind == OrderLine.Kind.MEMBERSHIP and line.membership_start and user.membership_end:
                user.membership_end -= line.membership_end - line.membership_start
        User.objects.filter(pk=user.pk).update(membership_end=user.membership_end)
        note = f"Refunded {order.total} {order.currency}."
        if needed:
            note += f" {taken} of {needed} ticket(s) taken back."
        if taken < needed:
            note += f" {needed - taken} ticket(s) had already been spent and were not taken back."
        Order.objects.filter(pk=order.pk).update(refund_note=note[:300])
    logger.info("Order %s refunded", order.reference)
    return _reload(order), note


def _refund_money(order):
    """Refund the settlement, or cancel it when Paysafe has not batched it yet (3406)."""
    gateway = get_gateway()
    reference = f"{order.reference}-R"
    amount = cents(order.total)
    try:
        if not order.paysafe_settlement_id:
            return str(gateway.void_auth(order.paysafe_auth_id, merchant_ref_num=reference, amount_cents=amount)["id"])
        try:
            return str(
                gateway.refund_settlement(order.paysafe_settlement_id, merchant_ref_num=reference, amount_cents=amount)[
                    "id"
                ]
            )
        except PaysafeError as error:
            if error.code == "3404":  # a previous attempt went through
                return "already-refunded"
            if error.code != "3406":
                raise
        gateway.cancel_settlement(order.paysafe_settlement_id)
        return f"cancelled:{order.paysafe_settlement_id}"
    except PaysafeError as error:
        if error.uncertain:
            raise StoreError(
                "The payment provider did not answer; the refund may or may not have gone through. "
                "Try again: a refund that already went through is recognised and not repeated.",
                status_code=503,
            ) from None
        raise StoreError(f"The payment provider refused the refund: {error.message}", status_code=400) from None
    except (KeyError, TypeError):
        raise StoreError("The payment provider's answer could not be read.", status_code=503) from None


# --- saved cards -----------------------------------------------------------------------------
def _store_error(error):
    status = 503 if error.uncertain or error.is_configuration else 400
    return StoreError(error.message, status_code=status)


def _ensure_profile(user, gateway):
    profile, _ = PaymentProfile.objects.get_or_create(
        user=user, defaults={"merchant_customer_id": f"member-{uuid.uuid4().hex}"}
    )
    if profile.paysafe_profile_id:
        return profile
    try:
        created = gateway.create_profile(
            merchant_customer_id=profile.merchant_customer_id,
            first_name=user.first_name,
            last_name=user.last_name,
            email=user.email,
            phone=user.phone,
        )
    except PaysafeError as error:
        if error.code != "7505":  # 7505: an earlier attempt created it but we never saved its id
            raise _store_error(error) from None
        try:
            created = gateway.find_profile(profile.merchant_customer_id)
        except PaysafeError as lookup_error:
            raise _store_error(lookup_error) from None
    profile.paysafe_profile_id = str(created["id"])
    PaymentProfile.objects.filter(pk=profile.pk).update(paysafe_profile_id=profile.paysafe_profile_id)
    return profile


def save_card(user, single_use_token):
    try:
        gateway = get_gateway()
    except PaysafeError as error:
        raise _store_error(error) from None
    profile = _ensure_profile(user, gateway)
    try:
        card = gateway.add_card(profile.paysafe_profile_id, single_use_token)
    except PaysafeError as error:
        card_id = error.link("existing_entity").rstrip("/").rpartition("/")[2] if error.code == "7503" else ""
        if not card_id:
            raise _store_error(error) from None
        try:
            card = gateway.get_card(profile.paysafe_profile_id, card_id)
        except PaysafeError as lookup_error:
            raise _store_error(lookup_error) from None
    expiry = card.get("cardExpiry") or {}
    saved, _ = SavedCard.objects.update_or_create(
        profile=profile,
        paysafe_card_id=str(card["id"]),
        defaults={
            "payment_token": str(card["paymentToken"]),
            "card_type": str(card.get("cardType", ""))[:20],
            "last_digits": str(card.get("lastDigits", ""))[-4:],
            "expiry_month": expiry.get("month"),
            "expiry_year": expiry.get("year"),
        },
    )
    return saved


def delete_card(card):
    try:
        get_gateway().delete_card(card.profile.paysafe_profile_id, card.paysafe_card_id)
    except PaysafeError as error:
        if error.code != "5269" and error.status != 404:  # already gone at Paysafe: forget it here too
            raise _store_error(error) from None
    card.delete()
