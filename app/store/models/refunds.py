"""Partial refunds, recorded before the money moves (see app/store/services/partial_refunds.py)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from app.store.models.orders import Order


class OrderRefund(models.Model):
    """One refund of some lines of an order (a partial refund), recorded BEFORE the money moves.

    `number` makes the gateway's reference (`<order>-R<number>`): a retry after a timeout sends the
    same reference, and a refund that went through is found by it instead of being made twice."""

    class State(models.TextChoices):
        PENDING = "pending", pgettext_lazy("order status", "Pending")
        DONE = "done", pgettext_lazy("refund state", "Done")

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="refunds", verbose_name=_("order"))
    number = models.PositiveIntegerField(_("number"))
    lines = models.JSONField(_("lines"), help_text="{order line id: quantity}")
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    idempotency_key = models.CharField(_("idempotency key"), max_length=100, blank=True)
    gateway_refund_id = models.CharField(_("gateway refund id"), max_length=100, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("actor")
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("order refund")
        verbose_name_plural = _("order refunds")
        constraints = [models.UniqueConstraint(fields=["order", "number"], name="order_refund_number_unique")]

    def __str__(self) -> str:
        return f"{self.order.reference}-R{self.number} ({self.amount})"

    @property
    def merchant_ref_num(self) -> str:
        return f"{self.order.reference}-R{self.number}"
