"""Products (memberships, ticket packages), orders and saved cards.

Money is `Decimal` with two places, in `STORE_CURRENCY`. An order's lines are a snapshot
taken at purchase (name, unit price, quantity): products may change or become unavailable
later without touching old orders.
"""

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from app.accounts.models import AcademicLevel
from app.core.i18n import localized

# Bounds on what a product may be, so that any order that can be paid can be granted and stored:
# 20 lines x 100 units x 10,000.00 stays far within an order's 10-digit total even with tax, and
# 100 x ten years of membership or 100 x 1,000 tickets stay far within dates and balances.
PRICE_MAX: Decimal = Decimal("10000.00")
DURATION_DAYS_MAX = 3660
TICKETS_MAX = 1000
QUANTITY_MAX = 100
LINES_MAX = 20


class Membership(models.Model):
    name = models.CharField(_("name"), max_length=200)
    name_fr = models.CharField(_("name (French)"), max_length=200, blank=True, help_text=_("Empty: the English name."))
    price = models.DecimalField(
        _("price"), max_digits=10, decimal_places=2, validators=[MinValueValidator(0), MaxValueValidator(PRICE_MAX)]
    )
    duration_days = models.PositiveIntegerField(
        _("duration (days)"), validators=[MinValueValidator(1), MaxValueValidator(DURATION_DAYS_MAX)]
    )
    academic_levels = models.ManyToManyField(
        AcademicLevel,
        blank=True,
        related_name="+",
        help_text=_("Who may buy it; empty means everyone."),
        verbose_name=_("academic levels"),
    )
    available = models.BooleanField(_("available"), default=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["name", "id"]
        constraints = [models.CheckConstraint(condition=Q(price__gte=0), name="membership_price_not_negative")]

    def __str__(self) -> str:
        return localized(self, "name")


class Package(models.Model):
    name = models.CharField(_("name"), max_length=200)
    name_fr = models.CharField(_("name (French)"), max_length=200, blank=True, help_text=_("Empty: the English name."))
    price = models.DecimalField(
        _("price"), max_digits=10, decimal_places=2, validators=[MinValueValidator(0), MaxValueValidator(PRICE_MAX)]
    )
    tickets = models.PositiveIntegerField(
        _("tickets"), validators=[MinValueValidator(1), MaxValueValidator(TICKETS_MAX)]
    )
    available = models.BooleanField(_("available"), default=True)
    exclusive_memberships = models.ManyToManyField(
        Membership,
        blank=True,
        related_name="exclusive_packages",
        help_text=_("Only members holding one of these memberships may buy it; empty means everyone."),
        verbose_name=_("exclusive memberships"),
    )

    class Meta:
        verbose_name = _("ticket package")
        verbose_name_plural = _("ticket packages")
        ordering = ["name", "id"]
        constraints = [models.CheckConstraint(condition=Q(price__gte=0), name="package_price_not_negative")]

    def __str__(self) -> str:
        return localized(self, "name")


def new_reference() -> str:
    return f"ORD-{secrets.token_hex(6).upper()}"


class Order(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("order status", "Pending")
        PAID = "paid", pgettext_lazy("order status", "Paid")
        FAILED = "failed", pgettext_lazy("order status", "Failed")
        REFUNDED = "refunded", pgettext_lazy("order status", "Refunded")
        PARTIALLY_REFUNDED = "partially_refunded", pgettext_lazy("order status", "Partially refunded")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders", verbose_name=_("member")
    )
    # Sent to Paysafe as merchantRefNum: how a payment is found again after a timeout.
    reference = models.CharField(_("reference"), max_length=40, unique=True, default=new_reference, editable=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    currency = models.CharField(_("currency"), max_length=3)
    tax_rate = models.DecimalField(
        _("tax rate (%)"), max_digits=6, decimal_places=3, help_text=_("Percent, at the time of purchase.")
    )
    subtotal = models.DecimalField(_("subtotal"), max_digits=10, decimal_places=2)
    tax = models.DecimalField(_("tax"), max_digits=10, decimal_places=2)
    # Each tax charged, as sold: [{"name": "GST", "rate": "5", "amount": "1.25", "registration_number": ...}]
    # (app/store/services/taxes.py); empty on orders from before named taxes.
    taxes = models.JSONField(_("taxes"), default=list, blank=True, null=True)
    total = models.DecimalField(_("total"), max_digits=10, decimal_places=2)
    # The coupon applied (its discount comes off the subtotal before tax); its use is recorded when paid.
    coupon = models.ForeignKey(
        "Coupon", null=True, blank=True, on_delete=models.PROTECT, related_name="orders", verbose_name=_("coupon")
    )
    discount = models.DecimalField(_("discount"), max_digits=10, decimal_places=2, default=Decimal("0.00"))
    idempotency_key = models.CharField(_("idempotency key"), max_length=100, blank=True)
    request_fingerprint = models.CharField(_("request fingerprint"), max_length=64, blank=True, editable=False)
    paysafe_auth_id = models.CharField(_("Paysafe authorisation id"), max_length=100, blank=True)
    paysafe_settlement_id = models.CharField(_("Paysafe settlement id"), max_length=100, blank=True)
    paysafe_refund_id = models.CharField(_("Paysafe refund id"), max_length=100, blank=True)
    # The card that paid, as the gateway reported it ("VI", "1111"): for the receipt.
    card_type = models.CharField(_("card type"), max_length=20, blank=True, default="", db_default="")
    card_last_digits = models.CharField(_("card last digits"), max_length=4, blank=True, default="", db_default="")
    failure_code = models.CharField(_("failure code"), max_length=20, blank=True)
    failure_message = models.CharField(_("failure message"), max_length=300, blank=True)
    # The machine code of the error the member was answered (`payment_declined`, `invalid`,
    # `provider_unavailable`): a replayed Idempotency-Key answers the same error again.
    failure_kind = models.CharField(_("failure kind"), max_length=30, blank=True, editable=False)
    # True when the charge's outcome was unknown (timeout, 5xx) and no payment was found then:
    # reconcile_payments keeps looking for a late payment for a while.
    outcome_uncertain = models.BooleanField(_("outcome uncertain"), default=False)
    refund_note = models.CharField(_("refund note"), max_length=300, blank=True)
    # Money given back so far (partial refunds add up to `total` at most).
    refunded_amount = models.DecimalField(
        _("refunded amount"), max_digits=10, decimal_places=2, default=Decimal("0.00")
    )
    # Charged but the goods could not be granted (or the charge does not match): staff must complete
    # or refund it. reconcile_payments exits non-zero while any such order is left.
    needs_attention = models.BooleanField(_("needs attention"), default=False, db_index=True)
    attention_reason = models.CharField(_("reason for attention"), max_length=300, blank=True)
    refunded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("refunded by"),
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    refunded_at = models.DateTimeField(_("refunded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-created", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="order_idempotency_key_unique_per_user",
            ),
            models.CheckConstraint(condition=Q(total__gte=0), name="order_total_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.status})"

    @property
    def being_verified(self) -> bool:
        """The payment's outcome is unknown and is being looked up (`verify_payments`): do not pay again."""
        return self.status == self.Status.PENDING and self.outcome_uncertain


class OrderStatusChange(models.Model):
    """One change of an order's status: who or what made it, when and why.

    Written only by `app.store.services.status.change_status`, in the same transaction as the
    change itself.
    """

    class Source(models.TextChoices):
        CHECKOUT = "checkout", _("Checkout")
        RECONCILE = "reconcile", _("reconcile_payments")
        REFUND = "refund", _("Refund")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("order"))
    from_status = models.CharField(_("from status"), max_length=20, choices=Order.Status.choices)
    to_status = models.CharField(_("to status"), max_length=20, choices=Order.Status.choices)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    # The person who acted (an admin refunding); empty when the system did (checkout, reconcile).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("actor"),
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("order status change")
        verbose_name_plural = _("order status changes")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.from_status} -> {self.to_status}"


class OrderLine(models.Model):
    class Kind(models.TextChoices):
        MEMBERSHIP = "membership", pgettext_lazy("product", "Membership")
        PACKAGE = "package", _("Ticket package")
        RETREAT = "retreat", _("Retreat")  # its seat: the line's `retreat_reservation` (app.retreats)
        RETREAT_OPTION = "retreat_option", _("Retreat option")  # its units: `retreat_option_purchase`

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines", verbose_name=_("order"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    membership = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("membership")
    )
    package = models.ForeignKey(
        Package, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("package")
    )
    # Snapshot at purchase.
    name = models.CharField(_("name"), max_length=200)
    name_fr = models.CharField(
        _("name (French)"),
        max_length=200,
        blank=True,
        default="",
        db_default="",
        help_text=_("Empty: the English name."),
    )
    unit_price = models.DecimalField(_("unit price"), max_digits=10, decimal_places=2)
    quantity = models.PositiveIntegerField(_("quantity"))
    tickets = models.PositiveIntegerField(_("tickets"), default=0, help_text=_("Tickets per unit (packages)."))
    duration_days = models.PositiveIntegerField(
        _("duration (days)"), default=0, help_text=_("Days per unit (memberships).")
    )
    # What the line granted: the membership period it added, when paid.
    membership_start = models.DateTimeField(_("membership start"), null=True, blank=True)
    membership_end = models.DateTimeField(_("membership end"), null=True, blank=True)
    refunded_quantity = models.PositiveIntegerField(_("refunded quantity"), default=0)
    # Kinds sold by another domain (a retreat, a retreat option): the product's id (`product_id` in answers).
    item_id = models.PositiveIntegerField(_("product id"), null=True, blank=True)

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="membership", membership__isnull=False, package__isnull=True)
                | Q(kind="package", package__isnull=False, membership__isnull=True)
                | Q(kind__in=["retreat", "retreat_option"], package__isnull=True, membership__isnull=True),
                name="order_line_one_product",
            ),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="order_line_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {localized(self, 'name')}"

    @property
    def amount(self) -> Decimal:
        return self.unit_price * self.quantity


class PaymentProfile(models.Model):
    """A member's Paysafe Customer Vault profile, created the first time a card is saved."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="payment_profile", verbose_name=_("member")
    )
    merchant_customer_id = models.CharField(_("merchant customer id"), max_length=100, unique=True)
    paysafe_profile_id = models.CharField(_("Paysafe profile id"), max_length=100, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("payment profile")
        verbose_name_plural = _("payment profiles")

    def __str__(self) -> str:
        return f"payment profile of {self.user}"


class SavedCard(models.Model):
    """A card in the vault. Only Paysafe's token and display data: never a card number."""

    profile = models.ForeignKey(
        PaymentProfile, on_delete=models.CASCADE, related_name="cards", verbose_name=_("profile")
    )
    paysafe_card_id = models.CharField(_("Paysafe card id"), max_length=100)
    payment_token = models.CharField(_("payment token"), max_length=100, unique=True)
    card_type = models.CharField(_("card type"), max_length=20, blank=True)
    last_digits = models.CharField(_("last digits"), max_length=4, blank=True)
    expiry_month = models.PositiveSmallIntegerField(_("expiry month"), null=True, blank=True)
    expiry_year = models.PositiveSmallIntegerField(_("expiry year"), null=True, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("saved card")
        verbose_name_plural = _("saved cards")
        ordering = ["-created", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "paysafe_card_id"], name="saved_card_unique_per_profile")
        ]

    def __str__(self) -> str:
        return f"{self.card_type} ending {self.last_digits}"


class HeldMembership(models.Model):
    """A membership a member holds from `start` to `end`: bought (`order_line`) or granted by staff.

    Every eligibility rule reads these rows (`eligibility.held_membership_ids`); `User.membership_end`
    stays the end of the latest one, for display."""

    class Source(models.TextChoices):
        PURCHASE = "purchase", _("Purchase")
        STAFF = "staff", _("Granted by staff")
        MIGRATED = "migrated", _("Recorded before memberships were tracked")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="held_memberships", verbose_name=_("member")
    )
    # Empty only for a period recorded before memberships were tracked, whose product is unknown.
    membership = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("membership")
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    order_line = models.OneToOneField(
        OrderLine,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="held_membership",
        verbose_name=_("order line"),
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("granted by"),
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("held membership")
        verbose_name_plural = _("held memberships")
        ordering = ["-end", "-id"]
        indexes = [models.Index(fields=["user", "end"])]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="held_membership_ends_after_start")
        ]

    def __str__(self) -> str:
        return f"{self.membership or '—'} ({self.start:%Y-%m-%d} → {self.end:%Y-%m-%d})"
