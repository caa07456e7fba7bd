"""Coupons and their recorded uses (see app/store/services/coupons.py)."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from app.accounts.models import Organization
from app.store.models.orders import PRICE_MAX, Membership, Order, Package


class Coupon(models.Model):
    """A discount code: a percentage or a fixed amount off the subtotal of the lines it applies to."""

    code = models.CharField(_("code"), max_length=40, help_text=_("Matched without regard to case."))
    percent_off = models.DecimalField(
        _("percent off"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
    )
    amount_off = models.DecimalField(
        _("amount off"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(PRICE_MAX)],
    )
    valid_from = models.DateTimeField(_("valid from"), null=True, blank=True)
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    max_uses = models.PositiveIntegerField(_("maximum uses"), null=True, blank=True, help_text=_("Empty: no limit."))
    max_uses_per_member = models.PositiveIntegerField(
        _("maximum uses per member"), null=True, blank=True, help_text=_("Empty: no limit.")
    )
    # Empty restrictions: every product, every member.
    packages = models.ManyToManyField(Package, blank=True, related_name="coupons", verbose_name=_("packages"))
    memberships = models.ManyToManyField(Membership, blank=True, related_name="coupons", verbose_name=_("memberships"))
    organizations = models.ManyToManyField(
        Organization, blank=True, related_name="coupons", verbose_name=_("organizations")
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("coupon")
        verbose_name_plural = _("coupons")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(models.functions.Upper("code"), name="coupon_code_unique_any_case"),
            models.CheckConstraint(
                condition=Q(percent_off__isnull=True, amount_off__isnull=False)
                | Q(percent_off__isnull=False, amount_off__isnull=True),
                name="coupon_percent_or_amount",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class CouponUse(models.Model):
    """A coupon used by a paid order. Returned (deleted) when that order is refunded in full."""

    coupon = models.ForeignKey(Coupon, on_delete=models.PROTECT, related_name="uses", verbose_name=_("coupon"))
    order = models.OneToOneField(Order, on_delete=models.PROTECT, related_name="coupon_use", verbose_name=_("order"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("member")
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("coupon use")
        verbose_name_plural = _("coupon uses")

    def __str__(self) -> str:
        return f"{self.coupon} – {self.order}"
