"""Retreats API: the public catalogue (staff write) and the member's retreat reservations.

Rules live in `app.retreats.services`; errors are answered by `app.core.errors`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet, Sum
from django.utils.translation import gettext as _
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAdminUser, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from app.accounts.models import User
from app.core.api_docs import extend_schema
from app.core.exceptions import InUse, PermissionDenied
from app.core.filtering import FilterSetOf
from app.core.permissions import IsAdminOrReadOnly
from app.retreats import serializers, services
from app.retreats.models import (
    Retreat,
    RetreatDate,
    RetreatInvitation,
    RetreatOption,
    RetreatOptionPurchase,
    RetreatReservation,
)
from app.retreats.seat_counts import with_seats

if TYPE_CHECKING:
    from app.retreats.attendance import Sheet


def _is_staff(request: Request) -> bool:
    return bool(request.user and request.user.is_staff)


def _options() -> QuerySet[RetreatOption]:
    """Options with the units their seats' holders hold (`remaining` is the stock less these)."""
    held = Q(purchases__status__in=RetreatReservation.HOLDS_A_SEAT)
    return RetreatOption.objects.annotate(units_taken=Sum("purchases__quantity", filter=held)).order_by("id")


class RetreatViewSet(viewsets.ModelViewSet):
    """Published retreats for everyone; staff see all and write."""

    serializer_class = serializers.RetreatSerializer
    permission_classes = [IsAdminOrReadOnly]
    filterset_class = FilterSetOf("app.retreats.filters.RetreatFilter")

    def get_queryset(self) -> QuerySet[Retreat]:
        queryset = with_seats(Retreat.objects.all()).prefetch_related(  # seats_remaining, counted in SQL
            Prefetch("dates", queryset=RetreatDate.objects.select_related("retreat")),
            Prefetch("options", queryset=_options().filter(is_active=True), to_attr="listed_options"),
        )
        if not _is_staff(self.request):
            queryset = queryset.filter(is_published=True)
        return queryset.order_by("name", "id")

    @extend_schema(methods=["GET"], request=None, responses=serializers.AttendanceSheetSerializer)
    @extend_schema(
        methods=["PUT"],
        request=serializers.AttendanceSheetUpdateSerializer,
        responses=serializers.AttendanceSheetSerializer,
    )
    @action(detail=True, methods=["get", "put"], permission_classes=[IsAdminUser])
    def attendance(self, request: Request, pk: str | None = None) -> Response:
        """Staff: an in-person retreat's attendance sheet (confirmed participants × dates that have
        started); PUT marks the pairs it names present and every other pair of the sheet absent."""
        from app.retreats import attendance

        retreat = self.get_object()
        changed = None
        if request.method == "PUT":
            body = serializers.AttendanceSheetUpdateSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            pairs = {(cell["reservation"], cell["date"]) for cell in body.validated_data["present"]}
            changed = attendance.save_sheet(retreat, pairs, cast(User, request.user), strict=True)
        return Response(_sheet_answer(retreat, attendance.sheet(retreat), changed))


def _sheet_answer(retreat: Retreat, sheet: Sheet, changed: int | None) -> dict[str, Any]:
    answer = {
        "retreat": retreat.pk,
        "dates": [{"id": date.pk, "start": date.start, "end": date.end} for date in sheet.dates],
        "participants": [
            {
                "reservation": seat.pk,
                "user": seat.user_id,
                "name": seat.user.get_full_name(),
                "email": seat.user.email,
                "present": [date.pk for date in sheet.dates if (seat.pk, date.pk) in sheet.present],
            }
            for seat in sheet.seats
        ],
    }
    if changed is not None:
        answer["changed"] = changed
    return serializers.AttendanceSheetSerializer(answer).data


class RetreatReservationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    """The member's retreat seats (staff: everyone's). DELETE cancels, refunded by the retreat's policy."""

    serializer_class = serializers.RetreatReservationSerializer
    permission_classes = [IsAuthenticated]
    filterset_class = FilterSetOf("app.retreats.filters.RetreatReservationFilter")

    def get_queryset(self) -> QuerySet[RetreatReservation]:
        queryset = RetreatReservation.objects.select_related("retreat", "order_line", "order_line__order")
        queryset = queryset.filter(exchange_hold__isnull=True)  # an exchange's hold is not a seat of its own
        bought = RetreatOptionPurchase.objects.select_related("option", "order_line").order_by("id")
        queryset = queryset.prefetch_related(Prefetch("option_purchases", queryset=bought))
        if getattr(self, "swagger_fake_view", False):  # the schema generator, with no member
            return queryset.none()
        if not _is_staff(self.request):
            return queryset.filter(user=cast(User, self.request.user))
        return queryset

    @extend_schema(
        parameters=[serializers.StaffRefundSerializer],
        responses=serializers.CancellationSerializer,
    )
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        options = serializers.StaffRefundSerializer(data=request.query_params)
        options.is_valid(raise_exception=True)
        share = options.validated_data.get("refund_percent")
        if share is not None and not _is_staff(request):
            raise PermissionDenied(_("Only staff may refund other than the retreat's policy."))
        reservation = self.get_object()
        reason = options.validated_data.get("reason", "")
        amount = services.cancel(reservation, actor=cast(User, request.user), share=share, reason=reason)
        return Response({"refunded_amount": str(amount), "currency": settings.STORE_CURRENCY})

    @extend_schema(
        request=serializers.StaffExtraRefundSerializer, responses=serializers.StaffExtraRefundAnswerSerializer
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAdminUser])
    def refund(self, request: Request, pk: str | None = None) -> Response:
        """Staff: give back more of a cancelled seat than its policy did, saying why."""
        from app.retreats.staff_refunds import refund_more

        body = serializers.StaffExtraRefundSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        made = refund_more(
            self.get_object(),
            actor=cast(User, request.user),
            idempotency_key=request.headers.get("Idempotency-Key", ""),
            reason=body.validated_data["reason"],
            amount=body.validated_data.get("amount"),
            percent=body.validated_data.get("percent"),
        )
        return Response(serializers.StaffExtraRefundAnswerSerializer(made).data)

    @extend_schema(request=serializers.ExchangeRequestSerializer, responses=serializers.ExchangeSerializer)
    @action(detail=True, methods=["post"])
    def exchange(self, request: Request, pk: str | None = None) -> Response:
        """Move the seat to another retreat before the exchange deadline, the difference settled."""
        from app.retreats.exchanges import exchange

        body = serializers.ExchangeRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        reservation = self.get_object()
        if reservation.user_id != request.user.pk:
            raise PermissionDenied(_("Only the member holding the seat may exchange it."))
        made = exchange(
            reservation,
            body.validated_data["retreat"],
            idempotency_key=request.headers.get("Idempotency-Key", ""),
            single_use_token=body.validated_data["single_use_token"],
            payment_token=body.validated_data["payment_token"],
        )
        return Response(serializers.ExchangeSerializer(made).data)

    @extend_schema(responses=serializers.JoinSerializer)
    @action(detail=True, methods=["get"])
    def join(self, request: Request, pk: str | None = None) -> Response:
        return Response({"video_link": services.join(self.get_object())})

    @extend_schema(request=serializers.AttendanceSerializer, responses=serializers.AttendanceSerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsAdminUser])
    def attendance(self, request: Request, pk: str | None = None) -> Response:
        """Staff: mark the participant of an in-person retreat present (or not) at one of its dates."""
        from app.retreats.attendance import mark

        body = serializers.AttendanceSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        date, present = body.validated_data["date"], body.validated_data["present"]
        mark(self.get_object(), date, present, actor=cast(User, request.user))
        return Response({"date": date, "present": present})


class RetreatOptionViewSet(viewsets.ModelViewSet):
    """Options sold with a seat (a single room, meals), with their own stock: everyone reads those on
    sale of published retreats; staff read all and write."""

    serializer_class = serializers.RetreatOptionSerializer
    permission_classes = [IsAdminOrReadOnly]
    filterset_class = FilterSetOf("app.retreats.filters.RetreatOptionFilter")

    def get_queryset(self) -> QuerySet[RetreatOption]:
        queryset = _options().select_related("retreat")
        if not _is_staff(self.request):
            queryset = queryset.filter(is_active=True, retreat__is_published=True)
        return queryset

    def perform_destroy(self, instance: RetreatOption) -> None:
        if instance.purchases.exists():
            raise InUse(_("This option was sold and cannot be deleted; take it off sale instead."))
        instance.delete()


class RetreatInvitationViewSet(
    mixins.ListModelMixin, mixins.CreateModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Staff: invitations keeping seats of a retreat from public sale until their release date."""

    serializer_class = serializers.RetreatInvitationSerializer
    permission_classes = [IsAdminUser]
    filterset_class = FilterSetOf("app.retreats.filters.RetreatInvitationFilter")
    queryset = RetreatInvitation.objects.select_related("coupon").order_by("-created", "-id")

    def perform_create(self, serializer: serializers.RetreatInvitationSerializer) -> None:  # type: ignore[override]
        serializer.save(created_by=self.request.user)
