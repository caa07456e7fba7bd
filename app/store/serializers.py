from __future__ import annotations

from typing import Any, cast

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from app.core.i18n import LocalizedNamesMixin
from app.store.models import (
    LINES_MAX,
    QUANTITY_MAX,
    Coupon,
    HeldMembership,
    Membership,
    Order,
    OrderLine,
    Package,
    SavedCard,
)
from app.store.services import taxes as sales_taxes


class MembershipSerializer(LocalizedNamesMixin, serializers.ModelSerializer):
    class Meta:
        model = Membership
        fields = ["id", "name", "name_fr", "price", "duration_days", "academic_levels", "available"]


class PackageSerializer(LocalizedNamesMixin, serializers.ModelSerializer):
    class Meta:
        model = Package
        fields = ["id", "name", "name_fr", "price", "tickets", "available", "exclusive_memberships"]


class OrderLineSerializer(LocalizedNamesMixin, serializers.ModelSerializer):
    product = serializers.CharField(source="kind", read_only=True)
    id = serializers.SerializerMethodField()
    line_id = serializers.IntegerField(source="pk", read_only=True, help_text=_("What a partial refund names."))

    class Meta:
        model = OrderLine
        fields = [
            "line_id",
            "product",
            "id",
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

    def get_id(self, line) -> int:
        return line.membership_id or line.package_id


class TaxSerializer(serializers.Serializer):
    """One tax charged, its name in the reader's language (GST/TPS)."""

    name = serializers.CharField(source="label", help_text=_("The tax's name in the reader's language."))
    rate = serializers.DecimalField(max_digits=6, decimal_places=3, help_text=_("Percent."))
    amount = serializers.DecimalField(max_digits=10, decimal_places=2)
    registration_number = serializers.CharField(help_text=_("The seller's registration number for this tax."))


class OrderSerializer(serializers.ModelSerializer):
    lines = OrderLineSerializer(many=True, read_only=True)
    coupon_code = serializers.CharField(source="coupon.code", default=None, read_only=True)
    taxes = serializers.SerializerMethodField()

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
            "refund_note",
            "needs_attention",
            "attention_reason",
            "created",
            "paid_at",
            "refunded_at",
        ]
        read_only_fields = fields


class CheckoutLineSerializer(serializers.Serializer):
    product = serializers.ChoiceField(choices=["package", "membership"])
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

    def validate_lines(self, lines):
        keys = [(line["product"], line["id"]) for line in lines]
        if len(keys) != len(set(keys)):
            raise serializers.ValidationError(_("Each product may appear only once; use quantity instead."))
        return lines


class RefundLineSerializer(serializers.Serializer):
    id = serializers.IntegerField(min_value=1, help_text=_("An order line's id."))
    quantity = serializers.IntegerField(min_value=1, max_value=QUANTITY_MAX)


class RefundSerializer(serializers.Serializer):
    lines = RefundLineSerializer(
        many=True, required=False, help_text=_("Lines (and how many of their units) to refund; none: the whole order.")
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

    uses = serializers.IntegerField(source="uses.count", read_only=True)

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

    def validate_code(self, code):
        code = code.strip()
        taken = Coupon.objects.filter(code__iexact=code)
        if self.instance is not None:
            taken = taken.exclude(pk=self.instance.pk)
        if not code:
            raise serializers.ValidationError(_("Give a code."))
        if taken.exists():
            raise serializers.ValidationError(_("A coupon with this code already exists."))
        return code

    def validate(self, attrs):
        merged = {
            name: attrs.get(name, getattr(self.instance, name, None))
            for name in ("percent_off", "amount_off", "valid_from", "valid_until")
        }
        if (merged["percent_off"] is None) == (merged["amount_off"] is None):
            raise serializers.ValidationError({"percent_off": [_("Give exactly one of percent_off or amount_off.")]})
        if merged["valid_from"] and merged["valid_until"] and merged["valid_until"] <= merged["valid_from"]:
            raise serializers.ValidationError({"valid_until": [_("The end of validity must be after its start.")]})
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
