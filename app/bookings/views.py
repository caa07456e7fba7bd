"""REST endpoints for workplaces, periods, time slots and reservations. Rules live in services/.

Services raise `app.core.exceptions`; the project's exception handler (`app.core.errors`) turns
them, and lock time-outs, into status codes and JSON. They are imported by the methods that use
them: a cold start that lists slots loads none of them (tests/core/test_cold_start_imports.py).
"""

from collections.abc import Callable
from typing import Any, cast

from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import translation
from django.utils.translation import gettext as _
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAdminUser, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from app.accounts.models import User
from app.bookings import selectors, serializers
from app.bookings.models import Period, Reservation, TimeSlot, Workplace, WorkplacePicture
from app.core.api_docs import OpenApiParameter, OpenApiTypes, extend_schema, extend_schema_view
from app.core.exceptions import PermissionDenied
from app.core.filtering import FilterSetOf
from app.core.permissions import IsAdminOrReadOnly
from app.core.schema import may_raise


def _query_bool(request: Request, name: str) -> bool:
    return request.query_params.get(name, "").lower() in ("1", "true", "yes")


def _is_staff(request: Request) -> bool:
    return bool(request.user and request.user.is_staff)


def _filters(**types: tuple[Any, str]) -> Callable[[Any], Any]:
    """Query parameters for the schema: name=(type, description)."""
    return extend_schema(
        parameters=[OpenApiParameter(name, kind, description=text) for name, (kind, text) in types.items()]
    )


class WorkplaceViewSet(viewsets.ModelViewSet):
    queryset = Workplace.objects.prefetch_related("pictures")
    serializer_class = serializers.WorkplaceSerializer
    permission_classes = [IsAdminOrReadOnly]
    filterset_class = FilterSetOf("app.bookings.filters.WorkplaceFilter")

    def perform_create(self, serializer: Any) -> None:
        from app.bookings.services import workplaces

        serializer.instance = workplaces.save_workplace(Workplace(**serializer.validated_data))

    def perform_update(self, serializer: Any) -> None:
        workplace = serializer.instance
        for field, value in serializer.validated_data.items():
            setattr(workplace, field, value)
        from app.bookings.services import workplaces

        workplaces.save_workplace(workplace)

    def perform_destroy(self, instance: Any) -> None:
        from app.bookings.services import workplaces

        workplaces.delete_workplace(instance)

    @extend_schema(
        request=serializers.WorkplacePictureSerializer, responses={201: serializers.WorkplacePictureSerializer}
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser], url_path="pictures")
    def add_picture(self, request: Request, pk: str | None = None) -> Response:
        """Upload a picture (multipart: `image`, optional `caption`, `position`)."""
        workplace = self.get_object()
        serializer = serializers.WorkplacePictureSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        serializer.save(workplace=workplace)
        return Response(serializer.data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["delete"], url_path=r"pictures/(?P<picture_id>\d+)")
    def delete_picture(self, request: Request, pk: str | None = None, picture_id: str | None = None) -> Response:
        picture = get_object_or_404(WorkplacePicture, pk=picture_id, workplace=self.get_object())
        picture.image.delete(save=False)
        picture.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class PeriodViewSet(viewsets.ModelViewSet):
    """Members and visitors see active periods only."""

    serializer_class = serializers.PeriodSerializer
    permission_classes = [IsAdminOrReadOnly]
    filterset_class = FilterSetOf("app.bookings.filters.PeriodFilter")

    def get_queryset(self) -> QuerySet[Any]:
        periods = Period.objects.all()
        if not _is_staff(self.request):
            periods = periods.filter(is_active=True)
        return periods

    def perform_create(self, serializer: Any) -> None:
        from app.bookings.services import periods

        serializer.instance = periods.save_period(Period(**serializer.validated_data))

    def perform_update(self, serializer: Any) -> None:
        period = serializer.instance
        for field, value in serializer.validated_data.items():
            setattr(period, field, value)
        from app.bookings.services import periods

        periods.save_period(period)

    def perform_destroy(self, instance: Any) -> None:
        from app.bookings.services import periods

        periods.delete_period(instance)


@extend_schema_view(
    destroy=_filters(force=(OpenApiTypes.BOOL, "true: delete even when booked (members are refunded and told).")),
)
class TimeSlotViewSet(viewsets.ModelViewSet):
    """Slots with `places_remaining` and `availability` for the caller, worked out for the slots
    answered only (`selectors.with_availability`). Visitors and members see slots of active periods only."""

    serializer_class = serializers.TimeSlotSerializer
    permission_classes = [IsAdminOrReadOnly]
    filterset_class = FilterSetOf("app.bookings.filters.TimeSlotFilter")

    # What a list answer reads of each slot, its period and its workplace (the serializer; the seats
    # for selectors' availability): the period and workplace are built with 2 and 3 fields, not 7 and 15.
    LIST_COLUMNS = (
        *("start", "end", "local_date", "price", "removed_at"),
        *("period__workplace__seats", "period__workplace__timezone"),
    )

    def get_queryset(self) -> QuerySet[Any]:
        slots = selectors.timeslots()
        if self.action == "list":
            slots = slots.only(*self.LIST_COLUMNS)
        if not _is_staff(self.request):
            slots = slots.filter(period__is_active=True)
        return selectors.with_counts(slots, self.request.user)  # counted in the page's own query

    def paginate_queryset(self, queryset: QuerySet[TimeSlot]) -> list[TimeSlot] | None:  # type: ignore[override]
        page = super().paginate_queryset(queryset)
        return None if page is None else selectors.with_availability(page, self.request.user)

    def get_object(self) -> TimeSlot:
        return selectors.with_availability([super().get_object()], self.request.user)[0]

    def _reread(self, slot: TimeSlot) -> TimeSlot:
        return selectors.with_availability([self.get_queryset().get(pk=slot.pk)], self.request.user)[0]

    def perform_create(self, serializer: Any) -> None:
        data = serializer.validated_data
        from app.bookings.services import slots

        slot = slots.create_timeslot(data["period"], data["start"], data["end"], data.get("price"))
        serializer.instance = self._reread(slot)

    def perform_update(self, serializer: Any) -> None:
        data = serializer.validated_data
        from app.bookings.services import slots

        slot = slots.update_timeslot(
            serializer.instance,
            period=data.get("period"),
            start=data.get("start"),
            end=data.get("end"),
            price=data.get("price"),
            force=data.get("force", False),
            actor=cast(User, self.request.user),  # IsAdminOrReadOnly: an administrator
        )
        serializer.instance = self._reread(slot)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Delete a slot; with reservations it needs `?force=true` (members are refunded and e-mailed)."""
        from app.bookings.services import slots

        slots.delete_timeslot(self.get_object(), force=_query_bool(request, "force"), actor=cast(User, request.user))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses={201: serializers.BatchResultSerializer})
    @action(
        detail=False, methods=["post"], permission_classes=[IsAdminUser], serializer_class=serializers.BatchSerializer
    )
    def batch(self, request: Request) -> Response:
        """Create slots for every matching weekday of a period, at local wall-clock times (DST-aware)."""
        batch = serializers.BatchSerializer(data=request.data)
        batch.is_valid(raise_exception=True)
        data = dict(batch.validated_data)
        period = data.pop("period")
        from app.bookings.services import batches

        created = batches.batch_create_timeslots(period, **data)
        shown = selectors.with_availability(
            self.get_queryset().filter(pk__in=[slot.pk for slot in created]), request.user
        )
        body = serializers.TimeSlotSerializer(shown, many=True).data
        return Response({"count": len(body), "results": body}, status=status.HTTP_201_CREATED)


@extend_schema_view(
    create=extend_schema(
        request=serializers.ReservationCreateSerializer, responses={201: serializers.ReservationSerializer}
    ),
    destroy=extend_schema(
        responses=serializers.ReservationSerializer, description="Cancel, with a refund before the deadline."
    ),
)
class ReservationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """A member's own reservations (an admin sees all). `DELETE` cancels with a refund; staff book
    for a member (`user`) and take attendance (`PATCH {"is_present": ...}`)."""

    serializer_class = serializers.ReservationSerializer
    permission_classes = [IsAuthenticated]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    filterset_class = FilterSetOf("app.bookings.filters.ReservationFilter")

    def get_queryset(self) -> QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Reservation.objects.none()
        reservations = Reservation.objects.select_related("timeslot__period__workplace")
        if not _is_staff(self.request):
            reservations = reservations.filter(user_id=cast(int, self.request.user.pk))
        return reservations

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        if self.action == "create":
            return serializers.ReservationCreateSerializer
        return serializers.ReservationSerializer

    @may_raise(PermissionDenied)  # staff-only fields (booking for a member, attendance)
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        request_serializer = serializers.ReservationCreateSerializer(data=request.data)
        request_serializer.is_valid(raise_exception=True)
        data = request_serializer.validated_data
        actor = cast(User, request.user)
        from app.bookings.services import reservations, staff_bookings

        member = staff_bookings.booking_member(actor, data.get("user"))
        reservation = reservations.reserve(member, data["timeslot"], actor=actor, free_reason=data["free_reason"])
        body = serializers.ReservationSerializer(reservation).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=serializers.AttendanceSerializer, responses=serializers.ReservationSerializer)
    @may_raise(PermissionDenied)  # staff-only fields (booking for a member, attendance)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Staff mark the member present or absent, once the time slot has started."""
        if not _is_staff(request):
            raise PermissionDenied(_("Only staff take attendance."))
        answer = serializers.AttendanceSerializer(data=request.data)
        answer.is_valid(raise_exception=True)
        from app.bookings.services import attendance

        reservation = attendance.mark_attendance(
            self.get_object(), is_present=answer.validated_data["is_present"], actor=cast(User, request.user)
        )
        return Response(serializers.ReservationSerializer(reservation).data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        from app.bookings.services import reservations

        reservation = reservations.cancel_reservation(self.get_object(), actor=cast(User, request.user))
        return Response(serializers.ReservationSerializer(reservation).data)

    @extend_schema(responses={(200, "text/calendar"): OpenApiTypes.STR})
    @action(detail=True, methods=["get"])
    def ics(self, request: Request, pk: str | None = None) -> HttpResponse:
        """The reservation as an iCalendar file (RFC 5545) to add to a calendar; owner or staff."""
        from app.bookings import ics  # on use: the slot list's cold start does not pay for it

        reservation = self.get_object()
        with translation.override(reservation.user.language):
            body = ics.download(reservation)
        response = HttpResponse(body, content_type=ics.CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="reservation-{reservation.pk}.ics"'
        return response

    @extend_schema(request=serializers.MoveSerializer, responses={201: serializers.ReservationSerializer})
    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: str | None = None) -> Response:
        """Move to another time slot: every booking rule applies, the ticket difference is settled."""
        from app.bookings import moving  # on use, as `ics`

        move = serializers.MoveSerializer(data=request.data)
        move.is_valid(raise_exception=True)
        reservation = moving.move_reservation(
            self.get_object().pk, move.validated_data["timeslot"], actor=cast(User, request.user)
        )
        return Response(serializers.ReservationSerializer(reservation).data, status=status.HTTP_201_CREATED)
