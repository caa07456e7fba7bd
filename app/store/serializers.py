from __future__ import annotations

from typing import Any

from rest_framework import serializers

from app.store.models import LINES_MAX, QUANTITY_MAX, Membership, Order, OrderLine, Package, SavedCard


class MembershipSerializer(serializers.ModelSerializer):
    class Meta:
        model = Membership
        fields = ["id", "name", "price", "duration_days", "academic_levels", "available"]


class PackageSerializer(serializers.ModelSerializer):
    class Meta:
        model = Package
        fields = ["id", "name", "price", "tickets", "available", "exclusive_memberships"]


class OrderLineSerializer(serializers.ModelSerializer):
    product = serializers.CharField(source="kind", read_only=True)
    id = serializers.SerializerMethodField()

    class Meta:
        model = OrderLine
        fields = [
            "product",
            "id",
            "name",
            "unit_price",
            "quantity",
            "tickets",
            "duration_days",
            "membership_start",
            "membership_end",
        ]
        read_only_fields = fields

    def get_id(self, line) -> int:
        return line.membership_id or line.package_id


class OrderSerializer(serializers.ModelSerializer):
    lines = OrderLineSerializer(many=True, read_only=True)

    class Meta:
        model = Order
        fields = [
            "id",
            "reference",
            "user",
            "status",
            "currency",
            "subtotal",
            "tax_rate",
            "tax",
            "total",
            "lines",
            "failure_message",
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

    def validate_lines(self, lines):
        keys = [(line["product"], line["id"]) for line in lines]
        if len(keys) != len(set(keys)):
            raise serializers.ValidationError("Each product may appear only once; use quantity instead.")
        return lines


class RefundSerializer(serializers.Serializer):
    force = serializers.BooleanField(
        default=False, help_text="Refund even when some of the order's tickets were spent: take back what is left."
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
