"""Retreats: multi-day writing retreats, in person or online, sold through the store's checkout.

A retreat has one or more dates (aware datetimes, shown in the retreat's own time zone, so that a
date across a change of daylight saving time keeps its local hours) and a number of seats. Each
seat sold is a `RetreatReservation` tied to the order line that bought it: pending while its order
is being paid (the seat is held), confirmed when paid, released when the payment fails, cancelled
when the member cancels (refunded by the retreat's policy).
"""

from __future__ import annotations

import secrets
import zoneinfo
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from app.core.i18n import localized

PRICE_MAX = Decimal("10000.00")  # the store's bound on a product's price (app.store.models.PRICE_MAX)
SEATS_MAX = 10_000


def validate_timezone(name: str) -> None:
    if name not in zoneinfo.available_timezones():
        raise ValidationError(_("“%(name)s” is not a known time zone (e.g. America/Montreal).") % {"name": name})


class Retreat(models.Model):
    class Kind(models.TextChoices):
        PHYSICAL = "physical", _("In person")
        VIRTUAL = "virtual", _("Online")

    name = models.CharField(_("name"), max_length=200)
    name_fr = models.CharField(_("name (French)"), max_length=200, blank=True, help_text=_("Empty: the English name."))
    details = models.TextField(_("details"), blank=True)
    details_fr = models.TextField(_("details (French)"), blank=True, help_text=_("Empty: the English details."))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PHYSICAL)
    seats = models.PositiveIntegerField(_("seats"), validators=[MaxValueValidator(SEATS_MAX)])
    price = models.DecimalField(
        _("price"), max_digits=10, decimal_places=2, validators=[MinValueValidator(0), MaxValueValidator(PRICE_MAX)]
    )
    member_price = models.DecimalField(
        _("member price"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(PRICE_MAX)],
        help_text=_("For holders of a membership; empty: the same price for everyone."),
    )
    timezone = models.CharField(
        _("time zone"), max_length=64, default="America/Montreal", validators=[validate_timezone]
    )
    address_line1 = models.CharField(_("address"), max_length=200, blank=True)
    address_line2 = models.CharField(_("address (continued)"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    state_province = models.CharField(_("province or state"), max_length=100, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    country = models.CharField(_("country"), max_length=100, blank=True)
    # Virtual retreats only: given to participants shortly before each date (never in a list).
    video_link = models.URLField(_("video link"), max_length=500, blank=True)
    # Sent to participants after the last date (the follow-up e-mail), e.g. a survey or the next retreat.
    follow_up_link = models.URLField(
        _("follow-up link"),
        max_length=500,
        blank=True,
        db_default="",  # the previous code, after a rollback, still inserts retreats
        help_text=_("Sent to participants after the retreat; empty: no follow-up e-mail."),
    )
    is_published = models.BooleanField(_("published"), default=False)
    full_refund_days = models.PositiveIntegerField(
        _("full refund until (days before)"),
        default=30,
        validators=[MaxValueValidator(3650)],
        help_text=_("Full refund when cancelled at least this many days before the first date."),
    )
    partial_refund_days = models.PositiveIntegerField(
        _("partial refund until (days before)"),
        default=14,
        validators=[MaxValueValidator(3650)],
        help_text=_("Partial refund when cancelled at least this many days before the first date."),
    )
    partial_refund_percent = models.DecimalField(
        _("partial refund (percent)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("50"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    exchange_deadline = models.DateTimeField(_("exchange deadline"), null=True, blank=True)
    # Coupons that may be used on this retreat (a coupon with no product named applies to everything).
    coupons = models.ManyToManyField("store.Coupon", blank=True, related_name="retreats")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("retreat")
        verbose_name_plural = _("retreats")
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="retreat_price_not_negative"),
            models.CheckConstraint(
                condition=Q(full_refund_days__gte=models.F("partial_refund_days")),
                name="retreat_full_refund_before_partial",
            ),
        ]

    def __str__(self) -> str:
        return localized(self, "name")

    def clean(self) -> None:
        if self.full_refund_days < self.partial_refund_days:
            raise ValidationError(
                {"partial_refund_days": _("The partial refund must end no earlier than the full refund.")}
            )

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)


class RetreatDate(models.Model):
    retreat = models.ForeignKey(Retreat, on_delete=models.CASCADE, related_name="dates")
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))

    class Meta:
        ordering = ["start", "id"]
        verbose_name = _("retreat date")
        verbose_name_plural = _("retreat dates")
        constraints = [models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="retreat_date_ends_after")]

    def __str__(self) -> str:
        zone = self.retreat.zone
        return f"{self.start.astimezone(zone):%Y-%m-%d %H:%M} → {self.end.astimezone(zone):%Y-%m-%d %H:%M}"


def new_invitation_token() -> str:
    return secrets.token_urlsafe(18)


class RetreatInvitation(models.Model):
    """Seats of a retreat kept from public sale until `release_at`, for whoever orders with its token."""

    retreat = models.ForeignKey(Retreat, on_delete=models.CASCADE, related_name="invitations")
    token = models.CharField(max_length=40, unique=True, default=new_invitation_token, editable=False)
    seats = models.PositiveIntegerField(_("seats"), validators=[MinValueValidator(1), MaxValueValidator(SEATS_MAX)])
    release_at = models.DateTimeField(_("release date"), help_text=_("Seats not taken by then go back on public sale."))
    coupon = models.ForeignKey("store.Coupon", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("retreat invitation")
        verbose_name_plural = _("retreat invitations")
        constraints = [models.CheckConstraint(condition=Q(seats__gte=1), name="retreat_invitation_seats_positive")]

    def __str__(self) -> str:
        return f"{self.retreat} ({self.seats})"


class RetreatReservation(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Being paid")
        CONFIRMED = "confirmed", _("Confirmed")
        RELEASED = "released", _("Payment failed")
        CANCELLED = "cancelled", _("Cancelled")

    HOLDS_A_SEAT = (Status.PENDING, Status.CONFIRMED)

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="retreat_reservations")
    retreat = models.ForeignKey(Retreat, on_delete=models.PROTECT, related_name="reservations")
    order_line = models.OneToOneField(
        "store.OrderLine", null=True, blank=True, on_delete=models.PROTECT, related_name="retreat_reservation"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    invitation = models.ForeignKey(
        RetreatInvitation, null=True, blank=True, on_delete=models.SET_NULL, related_name="reservations"
    )
    refunded_amount = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0.00"))
    # Staff refunding other than the policy says why (empty: the policy's refund).
    cancel_reason = models.CharField(_("reason"), max_length=300, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("retreat reservation")
        verbose_name_plural = _("retreat reservations")
        indexes = [models.Index(fields=["retreat", "status"])]

    def __str__(self) -> str:
        return f"{self.user} – {self.retreat} ({self.status})"


class RetreatWaitlistEntry(models.Model):
    """A member waiting for a seat of a sold-out retreat; an offer holds a freed seat for them
    until `offer_expires_at` (app/retreats/waitlist.py)."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        OFFERED = "offered", _("Seat offered")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="retreat_waits")
    retreat = models.ForeignKey(Retreat, on_delete=models.CASCADE, related_name="waitlist")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.WAITING)
    offer_expires_at = models.DateTimeField(_("offer expires at"), null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created", "id"]
        verbose_name = _("retreat waiting-list entry")
        verbose_name_plural = _("retreat waiting list")
        constraints = [models.UniqueConstraint(fields=["user", "retreat"], name="retreat_waitlist_once")]
        indexes = [models.Index(fields=["retreat", "status"])]

    def __str__(self) -> str:
        return f"{self.user} – {self.retreat} ({self.status})"


class RetreatMessage(models.Model):
    """An e-mail about a seat that goes once (a reminder, a follow-up): the row is claimed before sending."""

    class Kind(models.TextChoices):
        REMINDER = "reminder", _("Reminder")
        FOLLOW_UP = "follow_up", _("Follow-up")

    reservation = models.ForeignKey(RetreatReservation, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["reservation", "kind"], name="retreat_message_once")]

    def __str__(self) -> str:
        return f"{self.reservation_id} {self.kind}"


class RetreatJoin(models.Model):
    """A participant was at a date: opened a virtual retreat's link (`/join/`), or staff marked them
    present at an in-person one (`marked_by`, app/retreats/attendance.py). The attendance per date."""

    reservation = models.ForeignKey(RetreatReservation, on_delete=models.CASCADE, related_name="joins")
    date = models.ForeignKey(RetreatDate, on_delete=models.CASCADE, related_name="joins")
    at = models.DateTimeField(auto_now_add=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("marked present by"),
    )

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.reservation_id} @ {self.at:%Y-%m-%d %H:%M}"


class RetreatOption(models.Model):
    """Something sold with a seat, with its own stock (a single room, meals): line kind `retreat_option`."""

    store_kind = "retreat_option"  # its line kind in the store (app/store/services/kinds.py)

    retreat = models.ForeignKey(Retreat, on_delete=models.CASCADE, related_name="options")
    name = models.CharField(_("name"), max_length=200)
    name_fr = models.CharField(_("name (French)"), max_length=200, blank=True, help_text=_("Empty: the English name."))
    price = models.DecimalField(
        _("price"), max_digits=10, decimal_places=2, validators=[MinValueValidator(0), MaxValueValidator(PRICE_MAX)]
    )
    member_price = models.DecimalField(
        _("member price"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(PRICE_MAX)],
        help_text=_("For holders of a membership; empty: the same price for everyone."),
    )
    stock = models.PositiveIntegerField(_("stock"), validators=[MaxValueValidator(SEATS_MAX)])
    is_active = models.BooleanField(_("on sale"), default=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["retreat", "id"]
        verbose_name = _("retreat option")
        verbose_name_plural = _("retreat options")
        constraints = [models.CheckConstraint(condition=Q(price__gte=0), name="retreat_option_price_not_negative")]

    def __str__(self) -> str:
        return localized(self, "name")


class RetreatOptionPurchase(models.Model):
    """Units of an option bought with a seat (its order line): they follow the seat's life."""

    Status = RetreatReservation.Status

    reservation = models.ForeignKey(RetreatReservation, on_delete=models.PROTECT, related_name="option_purchases")
    option = models.ForeignKey(RetreatOption, on_delete=models.PROTECT, related_name="purchases")
    order_line = models.OneToOneField(
        "store.OrderLine", on_delete=models.PROTECT, related_name="retreat_option_purchase"
    )
    # Units held now: the line's quantity less its units refunded.
    quantity = models.PositiveIntegerField(_("quantity"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("retreat option bought")
        verbose_name_plural = _("retreat options bought")
        indexes = [models.Index(fields=["option", "status"])]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.option}"


class RetreatStaffRefund(models.Model):
    """Staff gave back more of a cancelled seat than its policy did, saying why (recorded first)."""

    class State(models.TextChoices):
        PENDING = "pending", pgettext_lazy("refund state", "Pending")
        DONE = "done", pgettext_lazy("refund state", "Done")

    reservation = models.ForeignKey(RetreatReservation, on_delete=models.PROTECT, related_name="staff_refunds")
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2)
    reason = models.CharField(_("reason"), max_length=300)
    idempotency_key = models.CharField(max_length=100)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("staff refund of a retreat seat")
        verbose_name_plural = _("staff refunds of retreat seats")
        constraints = [
            models.UniqueConstraint(fields=["reservation", "idempotency_key"], name="retreat_staff_refund_key")
        ]

    def __str__(self) -> str:
        return f"{self.reservation_id}: {self.amount}"


class RetreatExchange(models.Model):
    """A seat moved to another retreat, the price difference settled (docs/retreats.md, *Exchanges*).

    `amount` is what moved, tax included: positive, paid by the member through `order` (the seat at
    the other retreat is held by `hold` while it is paid); negative, refunded from the seat's order.
    `subtotal` is the same difference before tax: the seat's price before tax is the sum of them."""

    class State(models.TextChoices):
        PENDING = "pending", pgettext_lazy("refund state", "Pending")
        DONE = "done", pgettext_lazy("refund state", "Done")
        FAILED = "failed", pgettext_lazy("order status", "Failed")

    reservation = models.ForeignKey(RetreatReservation, on_delete=models.PROTECT, related_name="exchanges")
    from_retreat = models.ForeignKey(Retreat, on_delete=models.PROTECT, related_name="+")
    to_retreat = models.ForeignKey(Retreat, on_delete=models.PROTECT, related_name="+")
    subtotal = models.DecimalField(_("difference before tax"), max_digits=10, decimal_places=2)
    amount = models.DecimalField(_("difference"), max_digits=10, decimal_places=2)
    order = models.ForeignKey("store.Order", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # A positive difference: the pending seat at the other retreat while it is paid.
    hold = models.OneToOneField(
        RetreatReservation, null=True, blank=True, on_delete=models.SET_NULL, related_name="exchange_hold"
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    idempotency_key = models.CharField(max_length=100)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("retreat exchange")
        verbose_name_plural = _("retreat exchanges")
        constraints = [models.UniqueConstraint(fields=["reservation", "idempotency_key"], name="retreat_exchange_key")]

    def __str__(self) -> str:
        return f"{self.reservation_id}: {self.from_retreat_id} → {self.to_retreat_id} ({self.amount})"
