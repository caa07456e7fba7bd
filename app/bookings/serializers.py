"""API shapes. None of them carries a member's personal data, except a member's own reservations."""

from datetime import datetime, time
from typing import Any

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from app.bookings.models import Period, Reservation, TimeSlot, WaitlistEntry, Workplace, WorkplacePicture
from app.bookings.selectors import Availability
from app.core.i18n import LocalizedNamesMixin, localized
from app.core.serializer_fields import AnswerOnlyFields, FieldsBuiltOnce


class OffsetDateTimeField(serializers.DateTimeField):
    """An ISO 8601 datetime that must carry its UTC offset: a bare 09:00 is ambiguous across zones."""

    def to_internal_value(self, value: Any) -> datetime:
        if isinstance(value, str):
            try:
                parsed = parse_datetime(value.strip())
            except ValueError:  # an offset beyond ±24 hours
                raise serializers.ValidationError(_("The UTC offset must lie between -23:59 and +23:59.")) from None
            if parsed is not None and parsed.tzinfo is None:
                raise serializers.ValidationError(
                    "Give the time with its UTC offset, for example 2026-03-08T09:00:00-05:00."
                )
        return super().to_internal_value(value)


class WorkplacePictureSerializer(serializers.ModelSerializer):
    class Meta:
        model = WorkplacePicture
        fields = ["id", "image", "caption", "position"]


class WorkplaceSerializer(LocalizedNamesMixin, serializers.ModelSerializer):
    localized_fields = ("name", "details")
    pictures = WorkplacePictureSerializer(many=True, read_only=True)

    class Meta:
        model = Workplace
        fields = [
            "id",
            "name",
            "name_fr",
            "seats",
            "timezone",
            "address_line1",
            "address_line2",
            "city",
            "state_province",
            "postal_code",
            "country",
            "details",
            "details_fr",
            "pictures",
        ]


class PeriodSerializer(serializers.ModelSerializer):
    class Meta:
        model = Period
        fields = ["id", "workplace", "name", "start_date", "end_date", "price", "is_active"]


class TimeSlotSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    start = OffsetDateTimeField()
    end = OffsetDateTimeField()
    price = serializers.IntegerField(
        min_value=0, required=False, help_text=gettext_lazy("Tickets; the period's price if omitted.")
    )
    workplace = serializers.IntegerField(source="period.workplace_id", read_only=True)
    timezone = serializers.CharField(source="period.workplace.timezone", read_only=True)
    places_remaining = serializers.IntegerField(source="availability.places_remaining", read_only=True)
    availability = serializers.ChoiceField(
        source="availability.state",
        choices=[state.value for state in Availability],
        read_only=True,
        help_text=gettext_lazy(
            "For the caller: reserved (you hold a seat), full, not_enough_tickets (the price exceeds your "
            "balance) or open."
        ),
    )
    force = serializers.BooleanField(
        write_only=True,
        required=False,
        default=False,
        help_text=gettext_lazy(
            "Needed to change the times of a slot with reservations: members are refunded and e-mailed."
        ),
    )

    class Meta:
        model = TimeSlot
        fields = [
            "id",
            "period",
            "workplace",
            "timezone",
            "start",
            "end",
            "local_date",
            "price",
            "places_remaining",
            "availability",
            "force",
        ]
        read_only_fields = ["local_date"]


class TimeRangeField(serializers.CharField):
    """`"09:00-12:00"` -> (time(9), time(12)) on the workplace's wall clock."""

    default_error_messages = {"invalid": "Write a time range as HH:MM-HH:MM, for example 09:00-12:00."}

    def to_internal_value(self, data: Any) -> tuple[time, time]:  # type: ignore[override]
        time_field = serializers.TimeField(input_formats=["%H:%M"])
        if not isinstance(data, str) or data.count("-") != 1:
            self.fail("invalid")
        first, last = (part.strip() for part in data.split("-"))
        try:
            return time_field.to_internal_value(first), time_field.to_internal_value(last)
        except serializers.ValidationError:
            self.fail("invalid")

    def to_representation(self, value: tuple[time, time]) -> str:  # type: ignore[override]
        return f"{value[0]:%H:%M}-{value[1]:%H:%M}"


class BatchSerializer(serializers.Serializer):
    period = serializers.PrimaryKeyRelatedField(queryset=Period.objects.select_related("workplace"))
    weekdays = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=6),
        allow_empty=False,
        help_text=gettext_lazy("0 = Monday … 6 = Sunday."),
    )
    ranges = serializers.ListField(child=TimeRangeField(), allow_empty=False, help_text='e.g. ["09:00-12:00"].')
    start_date = serializers.DateField(required=False, help_text=gettext_lazy("Defaults to the period's first day."))
    end_date = serializers.DateField(required=False, help_text=gettext_lazy("Defaults to the period's last day."))
    price = serializers.IntegerField(min_value=0, required=False)


class ReservationSerializer(AnswerOnlyFields, serializers.ModelSerializer):
    start = serializers.DateTimeField(source="timeslot.start", read_only=True)
    end = serializers.DateTimeField(source="timeslot.end", read_only=True)
    workplace = serializers.IntegerField(source="timeslot.period.workplace_id", read_only=True)
    workplace_name = serializers.SerializerMethodField()
    timezone = serializers.CharField(source="timeslot.period.workplace.timezone", read_only=True)
    timeslot_removed_at = serializers.DateTimeField(
        source="timeslot.removed_at",
        read_only=True,
        allow_null=True,
        help_text=gettext_lazy("When an administrator removed the time slot."),
    )
    booked_by_staff = serializers.SerializerMethodField(
        help_text=gettext_lazy("Staff booked this seat for the member.")
    )

    class Meta:
        model = Reservation
        fields = [
            "id",
            "user",
            "timeslot",
            "start",
            "end",
            "workplace",
            "workplace_name",
            "timezone",
            "timeslot_removed_at",
            "status",
            "price",
            "created",
            "cancelled_at",
            "cancelled_because",
            "booked_by_staff",
            "free_reason",
            "is_present",
        ]
        read_only_fields = [
            "user",
            "timeslot",
            "status",
            "price",
            "created",
            "cancelled_at",
            "cancelled_because",
            "free_reason",
            "is_present",
        ]

    def get_booked_by_staff(self, reservation: Reservation) -> bool:
        return reservation.booked_by_id is not None

    def get_workplace_name(self, reservation: Reservation) -> str:
        return localized(reservation.timeslot.period.workplace, "name")


class BatchResultSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    results = TimeSlotSerializer(many=True)


class ReservationCreateSerializer(serializers.Serializer):
    # An id only: the service locks and checks the slot itself.
    timeslot = serializers.IntegerField(min_value=1)
    user = serializers.IntegerField(
        min_value=1, required=False, help_text=gettext_lazy("Staff only: the member to book for (default: yourself).")
    )
    free_reason = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text=gettext_lazy("Staff only: offer the seat free of tickets, saying why (kept in the ticket ledger)."),
    )


class AttendanceSerializer(serializers.Serializer):
    is_present = serializers.BooleanField(help_text=gettext_lazy("Staff only, once the time slot has started."))


class MoveSerializer(serializers.Serializer):
    timeslot = serializers.IntegerField(min_value=1, help_text=gettext_lazy("The time slot to move to."))


class WaitlistEntrySerializer(serializers.ModelSerializer):
    position = serializers.IntegerField(read_only=True, help_text=gettext_lazy("1: first in line."))
    start = serializers.DateTimeField(source="timeslot.start", read_only=True)
    workplace = serializers.IntegerField(source="timeslot.period.workplace_id", read_only=True)

    class Meta:
        model = WaitlistEntry
        fields = ["id", "timeslot", "user", "position", "status", "offer_expires_at", "start", "workplace", "created"]
        read_only_fields = fields
