"""Store API. Views validate the input's shape, call `app.store.services` and shape the answer;
they hold no business rules and convert no errors (`app.core.errors` does).

No view here runs inside a database transaction (ATOMIC_REQUESTS is off): the checkout charges
the card between two short transactions of its own.
"""

from contextlib import nullcontext
from typing import Any, cast

from django.db.models import Count, Prefetch, QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from app.accounts.models import User
from app.core.api_docs import OpenApiParameter, OpenApiTypes, extend_schema
from app.core.exceptions import (
    Conflict,
    IdempotencyKeyReused,
    PaymentBeingVerified,
    PaymentDeclined,
    ProviderUnavailable,
)
from app.core.filtering import FilterSetOf
from app.core.permissions import IsAdminOrReadOnly
from app.core.schema import may_raise
from app.security.client import client_key
from app.store import serializers
from app.store.models import Coupon, HeldMembership, Membership, Order, OrderLine, Package, SavedCard
from app.store.services import cards, checkout, coupons, memberships, partial_refunds, products, refunds

# A checkout's outcome -> its status; failures are domain errors, answered by app.core.errors.
CHECKOUT_STATUS = {
    checkout.Outcome.PAID: 201,
    checkout.Outcome.REPLAYED: 201,  # the first answer's status
    checkout.Outcome.PENDING: 202,
    checkout.Outcome.NEEDS_ATTENTION: 202,
}


def _checkout_status(result: checkout.CheckoutResult) -> int:
    """A replayed Idempotency-Key answers what the first request was answered (a failed one raises)."""
    order = result.order
    if order.status == Order.Status.PENDING or order.needs_attention:
        return 202
    if result.outcome == checkout.Outcome.REPLAYED and order.status == Order.Status.FAILED:
        return 200  # failed later (reconciliation found no payment): its state now
    return CHECKOUT_STATUS[result.outcome]


class ProductViewSet(viewsets.ModelViewSet):
    """Anyone reads available products; admins read all and write."""

    permission_classes = [IsAdminOrReadOnly]

    def get_queryset(self) -> QuerySet[Any]:
        queryset = cast(QuerySet, self.queryset)
        if not (self.request.user and self.request.user.is_staff):
            queryset = queryset.filter(available=True)
        return queryset

    def perform_destroy(self, instance: Any) -> None:
        products.delete_product(instance)


class MembershipViewSet(ProductViewSet):
    queryset = Membership.objects.prefetch_related("academic_levels")
    serializer_class = serializers.MembershipSerializer
    filterset_class = FilterSetOf("app.store.filters.MembershipFilter")


class PackageViewSet(ProductViewSet):
    queryset = Package.objects.prefetch_related("exclusive_memberships")
    serializer_class = serializers.PackageSerializer
    filterset_class = FilterSetOf("app.store.filters.PackageFilter")


class OrderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Members see their own orders; admins see everyone's. Orders never change through the API
    except by checkout (create) and refund."""

    queryset = Order.objects.all()  # narrowed per user in get_queryset
    serializer_class = serializers.OrderSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_class = FilterSetOf("app.store.filters.OrderFilter")

    def get_queryset(self) -> QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Order.objects.none()
        queryset = Order.objects.select_related("coupon").prefetch_related(
            Prefetch("lines", queryset=OrderLine.objects.order_by("id")), "refunds"
        )
        if not self.request.user.is_staff:
            queryset = queryset.filter(user=cast(User, self.request.user))  # IsAuthenticated
        return queryset

    @extend_schema(
        request=serializers.CheckoutSerializer,
        responses={
            201: serializers.OrderSerializer,
            200: serializers.OrderSerializer,
            202: serializers.OrderSerializer,
        },
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                location=OpenApiParameter.HEADER,
                required=False,
                description=_("Send the same key again to get the first order back instead of paying twice."),
            )
        ],
        description=(
            "Buy products. Pay with `single_use_token` (from Paysafe.js; on a local run with the test "
            "gateway: `test-visa`, or `test-decline` to see a decline) or a saved card's `payment_token`."
        ),
    )
    @may_raise(PaymentDeclined, ProviderUnavailable, IdempotencyKeyReused, PaymentBeingVerified)
    def create(self, request: Request) -> Response:
        data = serializers.CheckoutSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        coupon = data.validated_data["coupon"].strip()
        member = cast(User, request.user)
        with coupons.counting_failures(member, client_key(request)) if coupon else nullcontext():
            result = checkout.checkout(
                member,
                data.validated_data["lines"],
                single_use_token=data.validated_data.get("single_use_token", ""),
                payment_token=data.validated_data.get("payment_token", ""),
                idempotency_key=request.headers.get("Idempotency-Key", "").strip(),
                coupon=coupon,
                invitation=data.validated_data["invitation"].strip(),
            )
        body = self.get_serializer(result.order).data
        if result.message:
            body = {**body, "detail": result.message}
        status_code = _checkout_status(result)
        return Response(body, status=status_code)

    @extend_schema(
        responses={(200, "application/pdf"): OpenApiTypes.BINARY},
        description="The order's PDF receipt, in the member's language: the member who bought it, or staff.",
    )
    @may_raise(Conflict)
    def receipt(self, request: Request, pk: str | None = None) -> HttpResponse:
        """Routed as `orders/<id>/receipt.pdf` (app/store/urls.py): no trailing slash, a file's name."""
        from app.store import receipt

        order = self.get_object()
        response = HttpResponse(receipt.render(order), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{receipt.filename(order)}"'
        return response

    @extend_schema(request=serializers.RefundSerializer, responses=serializers.OrderSerializer)
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAdminUser])
    @may_raise(ProviderUnavailable)
    def refund(self, request: Request, pk: str | None = None) -> Response:
        options = serializers.RefundSerializer(data=request.data)
        options.is_valid(raise_exception=True)
        force, lines = options.validated_data["force"], options.validated_data.get("lines")
        key = request.headers.get("Idempotency-Key", "").strip()[:100]
        actor = cast(User, request.user)
        if lines is None:  # no `lines`: the whole order (what is left of it)
            order, note = refunds.refund_order(self.get_object(), actor=actor, force=force, idempotency_key=key)
        else:
            order, note = partial_refunds.refund_lines(
                self.get_object(), lines, actor=actor, force=force, idempotency_key=key
            )
        return Response({**self.get_serializer(order).data, "detail": note}, status=status.HTTP_200_OK)


class PaymentProfileViewSet(
    mixins.ListModelMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    """A member's saved cards: list, add from a single-use token, remove."""

    queryset = SavedCard.objects.all()  # narrowed per user in get_queryset
    serializer_class = serializers.SavedCardSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_class = FilterSetOf("app.store.filters.SavedCardFilter")

    def get_queryset(self) -> QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return SavedCard.objects.none()
        return SavedCard.objects.select_related("profile").filter(profile__user=cast(User, self.request.user))

    @may_raise(PaymentDeclined, ProviderUnavailable)
    def create(self, request: Request) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        card = cards.save_card(cast(User, request.user), serializer.validated_data["single_use_token"])
        return Response(self.get_serializer(card).data, status=status.HTTP_201_CREATED)

    def destroy(self, request: Request, pk: str | None = None) -> Response:
        cards.delete_card(self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class CouponViewSet(viewsets.ModelViewSet):
    """Admins manage coupons; any member asks what a code would take off an order (`check`)."""

    queryset = (
        Coupon.objects.prefetch_related("packages", "memberships", "organizations")
        .annotate(use_count=Count("uses", distinct=True))  # `uses` of each row, with the page
        .order_by("code")
    )
    serializer_class = serializers.CouponSerializer
    permission_classes = [permissions.IsAdminUser]
    filterset_class = FilterSetOf("app.store.filters.CouponFilter")

    def perform_destroy(self, instance: Any) -> None:
        coupons.delete_coupon(instance)

    @extend_schema(request=serializers.CouponCheckSerializer, responses=serializers.QuoteSerializer)
    @action(detail=False, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def check(self, request: Request) -> Response:
        data = serializers.CouponCheckSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with coupons.counting_failures(cast(User, request.user), client_key(request)):
            result = checkout.quote(
                cast(User, request.user), data.validated_data["lines"], data.validated_data["code"].strip()
            )
        body = {"code": data.validated_data["code"].strip().upper(), **vars(result)}
        return Response(serializers.QuoteSerializer(body).data)


class HeldMembershipViewSet(
    mixins.ListModelMixin, mixins.CreateModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Staff list the memberships members hold (`?user=<id>`) and grant one."""

    queryset = HeldMembership.objects.select_related("membership").order_by("-start", "-id")
    serializer_class = serializers.HeldMembershipSerializer
    permission_classes = [permissions.IsAdminUser]
    filterset_class = FilterSetOf("app.store.filters.HeldMembershipFilter")

    def perform_create(self, serializer: Any) -> None:
        data = serializer.validated_data
        serializer.instance = memberships.grant(
            data["user"],
            data["membership"],
            actor=cast(User, self.request.user),
            start=data.get("start"),
            end=data.get("end"),
        )
