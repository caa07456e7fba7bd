"""Store API. Views validate input and call `app.store.services`; they hold no business rules.

No view here runs inside a database transaction (ATOMIC_REQUESTS is off): the checkout charges
the card between two short transactions of its own.
"""

from django.db.models import Prefetch, ProtectedError
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from app.core.permissions import IsAdminOrReadOnly
from app.store import serializers, services
from app.store.models import Membership, Order, OrderLine, Package, SavedCard


def _error(error):
    body = {error.field: [error.message]} if error.field else {"detail": error.message}
    return Response(body, status=error.status_code)


class ProductViewSet(viewsets.ModelViewSet):
    """Anyone reads available products; admins read all and write."""

    permission_classes = [IsAdminOrReadOnly]

    def get_queryset(self):
        queryset = self.queryset
        if not (self.request.user and self.request.user.is_staff):
            queryset = queryset.filter(available=True)
        return queryset

    def destroy(self, request, *args, **kwargs):
        try:
            return super().destroy(request, *args, **kwargs)
        except ProtectedError:
            # Old orders point at it: their lines must keep their product.
            return Response(
                {"detail": "This product is on orders and cannot be deleted; make it unavailable instead."},
                status=status.HTTP_409_CONFLICT,
            )


class MembershipViewSet(ProductViewSet):
    queryset = Membership.objects.prefetch_related("academic_levels")
    serializer_class = serializers.MembershipSerializer


class PackageViewSet(ProductViewSet):
    queryset = Package.objects.prefetch_related("exclusive_memberships")
    serializer_class = serializers.PackageSerializer


class OrderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Members see their own orders; admins see everyone's. Orders never change through the API
    except by checkout (create) and refund."""

    queryset = Order.objects.all()  # narrowed per user in get_queryset
    serializer_class = serializers.OrderSerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Order.objects.none()
        queryset = Order.objects.prefetch_related(Prefetch("lines", queryset=OrderLine.objects.order_by("id")))
        if not self.request.user.is_staff:
            queryset = queryset.filter(user=self.request.user)
        return queryset

    @extend_schema(
        request=serializers.CheckoutSerializer,
        responses={201: serializers.OrderSerializer, 200: serializers.OrderSerializer},
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                location=OpenApiParameter.HEADER,
                required=False,
                description="Send the same key again to get the first order back instead of paying twice.",
            )
        ],
        description=(
            "Buy products. Pay with `single_use_token` (from Paysafe.js; on a local run with the test "
            "gateway: `test-visa`, or `test-decline` to see a decline) or a saved card's `payment_token`."
        ),
    )
    def create(self, request):
        checkout = serializers.CheckoutSerializer(data=request.data, context={"request": request})
        checkout.is_valid(raise_exception=True)
        data = checkout.validated_data
        if bool(data.get("payment_token")) == bool(data.get("single_use_token")):
            return _error(
                services.StoreError(
                    "Give exactly one of single_use_token (a new card) or payment_token (a saved card)."
                )
            )
        key = request.headers.get("Idempotency-Key", "").strip()
        if len(key) > 100:
            return _error(services.StoreError("The Idempotency-Key header is longer than 100 characters."))
        token_kind = "saved" if data.get("payment_token") else "single-use"
        try:
            result = services.checkout(
                request.user,
                data["lines"],
                token=data.get("payment_token") or data.get("single_use_token"),
                token_kind=token_kind,
                idempotency_key=key,
            )
        except services.StoreError as error:
            return _error(error)
        body = self.get_serializer(result.order).data
        if result.detail:
            body = {**body, "detail": result.detail}
        return Response(body, status=result.status_code)

    @extend_schema(request=serializers.RefundSerializer, responses=serializers.OrderSerializer)
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAdminUser])
    def refund(self, request, pk=None):
        options = serializers.RefundSerializer(data=request.data)
        options.is_valid(raise_exception=True)
        order = self.get_object()
        try:
            order, note = services.refund_order(order, actor=request.user, force=options.validated_data["force"])
        except services.StoreError as error:
            return _error(error)
        return Response({**self.get_serializer(order).data, "detail": note}, status=status.HTTP_200_OK)


class PaymentProfileViewSet(
    mixins.ListModelMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    """A member's saved cards: list, add from a single-use token, remove."""

    queryset = SavedCard.objects.all()  # narrowed per user in get_queryset
    serializer_class = serializers.SavedCardSerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return SavedCard.objects.none()
        return SavedCard.objects.select_related("profile").filter(profile__user=self.request.user)

    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            card = services.save_card(request.user, serializer.validated_data["single_use_token"])
        except services.StoreError as error:
            return _error(error)
        return Response(self.get_serializer(card).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, pk=None):
        card = self.get_object()
        try:
            services.delete_card(card)
        except services.StoreError as error:
            return _error(error)
        return Response(status=status.HTTP_204_NO_CONTENT)
