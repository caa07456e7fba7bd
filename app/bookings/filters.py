"""Query parameters of the bookings lists (the shared backend in app.core.filters applies them)."""

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from app.bookings.models import Period, Reservation, TimeSlot, Workplace
from app.bookings.selectors import with_places
from app.core.filters import BaseFilterSet, BooleanFilter, IdFilter, OrderingFilter, SearchFilter, date_range


class WorkplaceFilter(BaseFilterSet):
    search = SearchFilter(fields=["name", "city", "address_line1"])
    city = filters.CharFilter(lookup_expr="iexact", help_text=_("The city, whatever its case."))
    timezone = filters.CharFilter(help_text=_("An IANA time zone, e.g. America/Montreal."))
    ordering = OrderingFilter(fields=["name", "city", "seats", "id"])

    class Meta:
        model = Workplace
        fields: list[str] = []


class PeriodFilter(BaseFilterSet):
    workplace = IdFilter(field_name="workplace_id")
    is_active = BooleanFilter(help_text=_("Members and visitors see active periods only."))
    start_date = date_range("start_date", _("Starting"))
    end_date = date_range("end_date", _("Ending"))
    search = SearchFilter(fields=["name", "workplace__name"])
    ordering = OrderingFilter(fields=["start_date", "end_date", "name", "price", "id"])

    class Meta:
        model = Period
        fields: list[str] = []


class TimeSlotFilter(BaseFilterSet):
    workplace = IdFilter(field_name="period__workplace_id")
    period = IdFilter(field_name="period_id")
    date_from = filters.DateFilter(
        field_name="local_date", lookup_expr="gte", help_text=_("From this local date of the workplace (YYYY-MM-DD).")
    )
    date_to = filters.DateFilter(
        field_name="local_date", lookup_expr="lte", help_text=_("Until this local date of the workplace, inclusive.")
    )
    upcoming = BooleanFilter(method="filter_upcoming", help_text=_("true: only slots not started yet."))
    available = BooleanFilter(method="filter_available", help_text=_("true: only slots with a place left."))
    ordering = OrderingFilter(fields=["start", "price", "places_remaining", "id"])

    class Meta:
        model = TimeSlot
        fields: list[str] = []

    def filter_queryset(self, queryset: QuerySet[TimeSlot]) -> QuerySet[TimeSlot]:
        # Places are counted over every matching slot only when the request filters or sorts on them.
        ordering = self.form.cleaned_data.get("ordering") or []
        if self.form.cleaned_data.get("available") is not None or any("places_remaining" in o for o in ordering):
            queryset = with_places(queryset)
        return super().filter_queryset(queryset)

    def filter_upcoming(self, queryset: QuerySet[TimeSlot], name: str, value: bool) -> QuerySet[TimeSlot]:
        moment = timezone.now()
        return queryset.filter(start__gt=moment) if value else queryset.filter(start__lte=moment)

    def filter_available(self, queryset: QuerySet[Any], name: str, value: bool) -> QuerySet[Any]:  # with_places
        return queryset.filter(places_remaining__gt=0) if value else queryset.filter(places_remaining=0)


class ReservationFilter(BaseFilterSet):
    status = filters.ChoiceFilter(choices=Reservation.Status.choices)
    timeslot = IdFilter(field_name="timeslot_id")
    workplace = IdFilter(field_name="timeslot__period__workplace_id")
    date = date_range("timeslot__local_date", _("Slots on"))
    is_present = BooleanFilter(help_text=_("Attendance taken by staff: true (came) or false (did not)."))
    attendance_taken = BooleanFilter(field_name="is_present", lookup_expr="isnull", exclude=True)
    user = IdFilter(field_name="user_id", help_text=_("Staff only: the member's id."))
    booked_by_staff = BooleanFilter(
        field_name="booked_by", lookup_expr="isnull", exclude=True, help_text=_("Staff only.")
    )
    search = SearchFilter(fields=["user__email", "user__first_name", "user__last_name"], help_text=_("Staff only."))
    ordering = OrderingFilter(fields=[("timeslot__start", "start"), "created", "price", "status", "id"])

    staff_only = frozenset({"user", "booked_by_staff", "search"})

    class Meta:
        model = Reservation
        fields: list[str] = []
