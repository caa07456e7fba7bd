from __future__ import annotations

from typing import Any, cast

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from app.core.api_docs import extend_schema_field
from app.core.i18n import LocalizedNamesMixin
from app.store.models import (
    LINES_MAX,
    QUANTITY_MAX,
    Coupon,
    HeldMembership,
    Membership,
    Order,
    OrderLine,
    OrderRefund,
    Package,
    SavedCard,
)
from app.store.services import taxes as sales_taxes
from app.store.services.coupons import check_coupon


class MembershipSerializer(LocalizedNamesMixin, serializers.ModelSerializer):
    class Meta:
        model = Membership
        fields = ["id", "name", "name_fr", "price", "duration_days", "academic_levels", "available"]


class PackageSerializer(LocalizedNamesMixin, serializers.ModelSerializer):
    class Meta:
        model = Package
        fields = ["id", "name", "name_fr", "price", "tickets", "available", "exclusive_memberships"]


class OrderLineSerializer(LocalizedNamesMixin, serializers.ModelSerializer):
    id = serializers.IntegerField(read_only=True, help_text=_("The line's own id: what a refund's `lines[].id` names."))
    product = serializers.CharField(source="kind", read_only=True)
    product_id = serializers.SerializerMethodField(
        help_text=_("The membership's, package's, retreat's or retreat option's id.")
    )

    class Meta:
        model = OrderLine
        fields = [
            "id",
            "product",
            "product_id",
            "name",
            "unit_price",
            "quantity",
            "tickets",
            "duration_days",
            "membership_start",
            "membership_end",
            "refunded_quantity",
        ]
        read_only_fields = fields

    def get_product_id(self, line: OrderLine) -> int | None:
        return line.membership_id or line.package_id or line.item_id


class TaxSerializer(serializers.Serializer):
    """One tax charged, its name in the reader's language (GST/TPS)."""

    name = serializers.CharField(source="label", help_text=_("The tax's name in the reader's language."))
    rate = serializers.DecimalField(max_digits=6, decimal_places=3, help_text=_("Percent."))
    amount = serializers.DecimalField(max_digits=10, decimal_places=2)
    registration_number = serializers.CharField(help_text=_("The seller's registration number for this tax."))


class RefundedLineSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text=_("The order line's id."))
    quantity = serializers.IntegerField()


class OrderRefundSerializer(serializers.ModelSerializer):
    """One refund of the order (full or partial), recorded before the money moved."""

    status = serializers.CharField(source="state", read_only=True, help_text=_("pending (being confirmed) or done."))
    created_at = serializers.DateTimeField(source="created", read_only=True)
    lines = serializers.SerializerMethodField()

    class Meta:
        model = OrderRefund
        fields = ["number", "amount", "status", "created_at", "lines"]
        read_only_fields = fields

    @extend_schema_field(RefundedLineSerializer(many=True))
    def get_lines(self, refund: OrderRefund) -> list[dict[str, int]]:
        return [{"id": int(pk), "quantity": quantity} for pk, quantity in sorted(refund.lines.items(), key=_by_id)]


def _by_id(item: tuple[str, int]) -> int:
    return int(item[0])


class OrderSerializer(serializers.ModelSerializer):
    lines = OrderLineSerializer(many=True, read_only=True)
    refunds = serializers.SerializerMethodField(help_text=_("Every refund, full or partial, oldest first."))
    coupon_code = serializers.CharField(source="coupon.code", default=None, allow_null=True, read_only=True)
    taxes = serializers.SerializerMethodField()
    # Pending with an unknown outcome: shown as "being verified", never as cancelled; do not pay again.
    payment_being_verified = serializers.BooleanField(source="being_verified", read_only=True)

    @extend_schema_field(TaxSerializer(many=True))
    def get_taxes(self, order: Order) -> list[dict[str, Any]]:
        return cast(list[dict[str, Any]], TaxSerializer(sales_taxes.of_order(order), many=True).data)

    class Meta:
        model = Order
        fields = [
            "id",
            "reference",
            "user",
            "status",
            "payment_being_verified",
            "currency",
            "subtotal",
            "coupon_code",
            "discount",
            "tax_rate",
            "taxes",
            "tax",
            "total",
            "lines",
            "failure_message",
            "refunded_amount",
            "refunds",
            "refund_note",
            "needs_attention",
            "attention_reason",
            "created",
            "paid_at",
            "refunded_at",
        ]
        read_only_fields = fields

    @extend_schema_field(OrderRefundSerializer(many=True))
    def get_refunds(self, order: Order) -> list[dict[str, Any]]:
        refunds = sorted(order.refunds.all(), key=lambda refund: refund.number)  # prefetched by the views
        return list(OrderRefundSerializer(refunds, many=True).data)


class CheckoutLineSerializer(serializers.Serializer):
    product = serializers.ChoiceField(choices=["package", "membership", "retreat", "retreat_option"])
    id = serializers.IntegerField(min_value=1)
    quantity = serializers.IntegerField(min_value=1, max_value=QUANTITY_MAX, default=1)


class CheckoutSerializer(serializers.Serializer):
    """The shape of a checkout; the token rules (exactly one, a saved card only the member's own)
    are in `app.store.services.checkout`."""

    lines: serializers.ListSerializer[Any] = serializers.ListSerializer(
        child=CheckoutLineSerializer(), allow_empty=False, max_length=LINES_MAX
    )
    single_use_token = serializers.CharField(required=False, max_length=100, write_only=True)
    payment_token = serializers.CharField(required=False, max_length=100, write_only=True)
    coupon = serializers.CharField(required=False, allow_blank=True, max_length=40, default="")
    invitation = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=40,
        default="",
        help_text=_("A retreat invitation's token: one of the seats it keeps."),
    )

    def validate_lines(self, lines: list[Any]) -> list[Any]:
        keys = [(line["product"], line["id"]) for line in lines]
        if len(keys) != len(set(keys)):
            raise serializers.ValidationError(_("Each product may appear only once; use quantity instead."))
        return lines


class RefundLineSerializer(serializers.Serializer):
    id = serializers.IntegerField(min_value=1, help_text=_("The order line's `id`, as the order's `lines[].id` shows."))
    quantity = serializers.IntegerField(min_value=1, max_value=QUANTITY_MAX)


class RefundSerializer(serializers.Serializer):
    lines = RefundLineSerializer(
        many=True,
        required=False,
        allow_empty=False,
        help_text=_("Lines (and how many of their units) to refund; left out: the whole order. Never empty."),
    )
    force = serializers.BooleanField(
        default=False, help_text=_("Refund even when some of the order's tickets were spent: take back what is left.")
    )


class SavedCardSerializer(serializers.ModelSerializer):
    single_use_token = serializers.CharField(write_only=True, max_length=100)

    class Meta:
        model = SavedCard
        fields = [
            "id",
            "card_type",
            "last_digits",
            "expiry_month",
            "expiry_year",
            "payment_token",
            "created",
            "single_use_token",
        ]
        read_only_fields = ["id", "card_type", "last_digits", "expiry_month", "expiry_year", "payment_token", "created"]


class CouponSerializer(serializers.ModelSerializer):
    """Admins' view of a coupon: exactly one of `percent_off` or `amount_off`."""

    uses = serializers.SerializerMethodField()

    class Meta:
        model = Coupon
        fields = [
            "id",
            "code",
            "percent_off",
            "amount_off",
            "valid_from",
            "valid_until",
            "max_uses",
            "max_uses_per_member",
            "packages",
            "memberships",
            "organizations",
            "uses",
            "created",
        ]
        read_only_fields = ["id", "uses", "created"]

    def get_uses(self, coupon: Coupon) -> int:
        """How many orders used it: counted with the list (CouponViewSet), else now."""
        counted = getattr(coupon, "use_count", None)
        return coupon.uses.count() if counted is None else counted

    def validate_code(self, code: str) -> str:
        return code.strip()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # The rules are the service's, the same the admin applies (`coupons.check_coupon`).
        names = ("code", "percent_off", "amount_off", "valid_from", "valid_until")
        merged: dict[str, Any] = {name: attrs.get(name, getattr(self.instance, name, None)) for name in names}
        check_coupon(**{**merged, "code": merged["code"] or ""}, coupon_id=getattr(self.instance, "pk", None))
        return attrs


class CouponCheckSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=40)
    lines: serializers.ListSerializer[Any] = serializers.ListSerializer(
        child=CheckoutLineSerializer(), allow_empty=False, max_length=LINES_MAX
    )

    validate_lines = CheckoutSerializer.validate_lines


class QuoteSerializer(serializers.Serializer):
    code = serializers.CharField()
    subtotal = serializers.DecimalField(max_digits=10, decimal_places=2)
    discount = serializers.DecimalField(max_digits=10, decimal_places=2)
    taxes = TaxSerializer(many=True)
    tax = serializers.DecimalField(max_digits=10, decimal_places=2)
    total = serializers.DecimalField(max_digits=10, decimal_places=2)


class HeldMembershipSerializer(serializers.ModelSerializer):
    """A membership held: bought or granted by staff. Staff create one with user, membership and
    optionally start (default now) and end (default start + the membership's duration)."""

    name = serializers.CharField(source="membership.name", default=None, read_only=True)
    start = serializers.DateTimeField(required=False)
    end = serializers.DateTimeField(required=False)

    class Meta:
        model = HeldMembership
        fields = ["id", "user", "membership", "name", "start", "end", "source", "granted_by", "created"]
        read_only_fields = ["id", "name", "source", "granted_by", "created"]
        extra_kwargs = {"membership": {"allow_null": False, "required": True}}
