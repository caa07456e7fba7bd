from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from app.core.api_docs import extend_schema_field
from app.core.i18n import LocalizedNamesMixin
from app.retreats import waitlist
from app.retreats.models import (
    Retreat,
    RetreatDate,
    RetreatExchange,
    RetreatInvitation,
    RetreatOption,
    RetreatOptionPurchase,
    RetreatReservation,
    RetreatStaffRefund,
)
from app.retreats.options import units_taken
from app.retreats.seat_counts import seats_left, with_seats
from app.retreats.signals import dates_changed

EARLIEST_YEAR, LATEST_YEAR = 2000, 2999


class RetreatDateSerializer(serializers.ModelSerializer):
    """A date: `start` and `end` are answered in the retreat's own time zone (with its UTC offset)."""

    class Meta:
        model = RetreatDate
        fields = ["start", "end"]

    def to_representation(self, instance: RetreatDate) -> dict[str, Any]:
        zone = instance.retreat.zone
        return {"start": instance.start.astimezone(zone).isoformat(), "end": instance.end.astimezone(zone).isoformat()}

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["end"] <= attrs["start"]:
            raise serializers.ValidationError(_("A date must end after it starts."))
        # Far from the years when time zones had odd offsets (local mean time, e.g. -05:17:32),
        # which no client reads as a date-time, and from datetime's edges.
        if not (EARLIEST_YEAR <= attrs["start"].year and attrs["end"].year <= LATEST_YEAR):
            raise serializers.ValidationError(
                _("A retreat's dates must fall between the years %(earliest)d and %(latest)d.")
                % {"earliest": EARLIEST_YEAR, "latest": LATEST_YEAR}
            )
        return attrs


class RetreatOptionSerializer(LocalizedNamesMixin, serializers.ModelSerializer):
    """An option sold with a seat (line kind `retreat_option`); `remaining`: units left for sale."""

    remaining = serializers.SerializerMethodField()

    class Meta:
        model = RetreatOption
        fields = ["id", "retreat", "name", "name_fr", "price", "member_price", "stock", "remaining", "is_active"]
        read_only_fields = ["id", "remaining"]

    def get_remaining(self, option: RetreatOption) -> int:
        taken = getattr(option, "units_taken", None)  # annotated by the views
        if taken is None:
            taken = units_taken(option)
        return max(option.stock - int(taken or 0), 0)


class RetreatSerializer(LocalizedNamesMixin, serializers.ModelSerializer):
    localized_fields = ("name", "details")
    dates = RetreatDateSerializer(many=True, allow_empty=False)
    seats_remaining = serializers.SerializerMethodField()
    options = serializers.SerializerMethodField(
        help_text=_("Its options on sale; staff write them at /api/retreat-options/.")
    )
    # Staff write it; no answer, list or export shows it (participants get it from /join/).
    video_link = serializers.URLField(write_only=True, required=False, allow_blank=True, max_length=500)

    class Meta:
        model = Retreat
        fields = [
            "id",
            "name",
            "name_fr",
            "details",
            "details_fr",
            "kind",
            "seats",
            "seats_remaining",
            "price",
            "member_price",
            "timezone",
            "address_line1",
            "address_line2",
            "city",
            "state_province",
            "postal_code",
            "country",
            "dates",
            "is_published",
            "full_refund_days",
            "partial_refund_days",
            "partial_refund_percent",
            "exchange_deadline",
            "video_link",
            "options",
        ]
        read_only_fields = ["id", "seats_remaining", "options"]

    @extend_schema_field(RetreatOptionSerializer(many=True))
    def get_options(self, retreat: Retreat) -> list[dict[str, Any]]:
        listed = getattr(retreat, "listed_options", None)  # prefetched by the views (on sale only)
        if listed is None:
            listed = list(retreat.options.filter(is_active=True))
        return list(RetreatOptionSerializer(listed, many=True, context=self.context).data)

    def get_seats_remaining(self, retreat: Retreat) -> int:
        """Seats for public sale: neither taken, kept for an unreleased invitation, nor on offer to the waiting list."""
        if not hasattr(retreat, "seats_kept"):  # a retreat just written: read it again with its counts
            retreat = with_seats(Retreat.objects.filter(pk=retreat.pk)).get()
        return seats_left(retreat)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        def value(name: str) -> Any:
            return attrs.get(name, getattr(self.instance, name, None))

        if (value("full_refund_days") or 0) < (value("partial_refund_days") or 0):
            raise serializers.ValidationError(
                {"partial_refund_days": [_("The partial refund must end no earlier than the full refund.")]}
            )
        return attrs

    @transaction.atomic
    def create(self, validated_data: dict[str, Any]) -> Retreat:
        dates = validated_data.pop("dates")
        retreat = Retreat.objects.create(**validated_data)
        RetreatDate.objects.bulk_create(RetreatDate(retreat=retreat, **date) for date in dates)
        dates_changed.send(sender=Retreat, retreat=retreat)
        return retreat

    @transaction.atomic
    def update(self, instance: Retreat, validated_data: dict[str, Any]) -> Retreat:
        dates = validated_data.pop("dates", None)
        seats_before = instance.seats
        retreat = super().update(instance, validated_data)
        if retreat.seats > seats_before:  # seats added: offered to the waiting list first
            waitlist.seat_freed(retreat.pk)
        if dates is not None:  # the dates given replace the retreat's dates
            retreat.dates.all().delete()
            RetreatDate.objects.bulk_create(RetreatDate(retreat=retreat, **date) for date in dates)
            dates_changed.send(sender=Retreat, retreat=retreat)
        return retreat


class OptionBoughtSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField()
    order = serializers.IntegerField(source="order_line.order_id", read_only=True)

    class Meta:
        model = RetreatOptionPurchase
        fields = ["id", "option", "name", "quantity", "status", "order"]
        read_only_fields = fields

    def get_name(self, bought: RetreatOptionPurchase) -> str:
        return str(bought.option)


class RetreatReservationSerializer(serializers.ModelSerializer):
    retreat_name = serializers.SerializerMethodField()
    order = serializers.IntegerField(source="order_line.order_id", default=None, read_only=True)
    options = OptionBoughtSerializer(
        source="option_purchases", many=True, read_only=True, help_text=_("The options bought with this seat.")
    )

    class Meta:
        model = RetreatReservation
        fields = ["id", "user", "retreat", "retreat_name", "order", "status", "refunded_amount", "options", "created"]
        read_only_fields = fields

    def get_retreat_name(self, reservation: RetreatReservation) -> str:
        return str(reservation.retreat)


class StaffRefundSerializer(serializers.Serializer):
    """Query parameters of a cancellation by staff refunding other than the policy."""

    refund_percent = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=Decimal(0),
        max_value=Decimal(100),
        required=False,
        help_text=_("Staff: the percent of the seat's price refunded instead of the policy's."),
    )
    reason = serializers.CharField(required=False, max_length=300, help_text=_("Staff: why (with refund_percent)."))


class StaffExtraRefundSerializer(serializers.Serializer):
    """Staff: give back more of a cancelled seat than its policy did (send an Idempotency-Key)."""

    amount = serializers.DecimalField(
        max_digits=10, decimal_places=2, min_value=Decimal("0.01"), required=False, help_text=_("The amount, or:")
    )
    percent = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=Decimal(100),
        required=False,
        help_text=_("The percent of what was paid for the seat (and its options in the same order)."),
    )
    reason = serializers.CharField(max_length=300, help_text=_("Why the refund goes beyond the policy."))


class StaffExtraRefundAnswerSerializer(serializers.ModelSerializer):
    class Meta:
        model = RetreatStaffRefund
        fields = ["id", "reservation", "amount", "reason", "state", "created"]
        read_only_fields = fields


class ExchangeRequestSerializer(serializers.Serializer):
    """Move the seat to another retreat (send an Idempotency-Key); a higher price is paid with one token."""

    retreat = serializers.IntegerField(min_value=1, help_text=_("The retreat the seat moves to."))
    single_use_token = serializers.CharField(required=False, default="", max_length=100, write_only=True)
    payment_token = serializers.CharField(required=False, default="", max_length=100, write_only=True)


class ExchangeSerializer(serializers.ModelSerializer):
    """`amount`: positive, paid by the member through `order`; negative, refunded from the seat's order."""

    currency = serializers.SerializerMethodField()
    options_refunded = serializers.SerializerMethodField()  # the options of the retreat left, in full

    class Meta:
        model = RetreatExchange
        fields = [
            "id",
            "reservation",
            "from_retreat",
            "to_retreat",
            "amount",
            "options_refunded",
            "currency",
            "order",
            "state",
            "created",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.DecimalField(max_digits=10, decimal_places=2))
    def get_options_refunded(self, exchange: RetreatExchange) -> str:
        from app.retreats.exchange_options import refunded

        return str(refunded(exchange))

    def get_currency(self, exchange: RetreatExchange) -> str:
        return str(settings.STORE_CURRENCY)


class CancellationSerializer(serializers.Serializer):
    refunded_amount = serializers.DecimalField(max_digits=10, decimal_places=2)
    currency = serializers.CharField()


class JoinSerializer(serializers.Serializer):
    video_link = serializers.URLField()


class AttendanceSerializer(serializers.Serializer):
    """Staff: whether the seat's holder was at `date` (a date of its in-person retreat that has started)."""

    date = serializers.IntegerField(min_value=1)
    present = serializers.BooleanField()


class AttendanceCellSerializer(serializers.Serializer):
    reservation = serializers.IntegerField(min_value=1)
    date = serializers.IntegerField(min_value=1)


class AttendanceSheetUpdateSerializer(serializers.Serializer):
    """Staff: every (seat, date) of the sheet present; any pair left out is marked absent."""

    present = serializers.ListField(child=AttendanceCellSerializer(), max_length=5_000)


class SheetDateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()


class SheetParticipantSerializer(serializers.Serializer):
    reservation = serializers.IntegerField()
    user = serializers.IntegerField()
    name = serializers.CharField()
    email = serializers.EmailField()
    present = serializers.ListField(child=serializers.IntegerField(), help_text=_("The dates they were at."))


class AttendanceSheetSerializer(serializers.Serializer):
    """An in-person retreat's confirmed participants × its dates that have started."""

    retreat = serializers.IntegerField()
    dates = SheetDateSerializer(many=True)
    participants = SheetParticipantSerializer(many=True)
    changed = serializers.IntegerField(required=False, help_text=_("After a PUT: the marks it changed."))


class RetreatInvitationSerializer(serializers.ModelSerializer):
    """Staff: seats kept from public sale until `release_at`, taken by orders sending `token`."""

    used = serializers.SerializerMethodField()
    link = serializers.SerializerMethodField(help_text=_("The invitation's page, to send to the invitees."))
    coupon_code = serializers.CharField(source="coupon.code", default=None, read_only=True)

    class Meta:
        model = RetreatInvitation
        fields = ["id", "retreat", "seats", "release_at", "coupon", "coupon_code", "token", "link", "used", "created"]
        read_only_fields = ["id", "token", "link", "coupon_code", "used", "created"]

    def get_used(self, invitation: RetreatInvitation) -> int:
        return invitation.reservations.filter(status__in=RetreatReservation.HOLDS_A_SEAT).count()

    def get_link(self, invitation: RetreatInvitation) -> str:
        """The page showing the retreat with these seats, which carries the token (and coupon) to the checkout."""
        path = reverse("retreat-invitation", args=[invitation.token])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path
