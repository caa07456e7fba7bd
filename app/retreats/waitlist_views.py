"""`/api/retreat-waitlist/`: join a sold-out retreat's waiting list (POST), see one's entries (GET),
leave (DELETE; a seat on offer passes to the next member). Rules live in app/retreats/waitlist.py."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from app.accounts.models import User
from app.core.api_docs import extend_schema
from app.core.filtering import FilterSetOf
from app.retreats import waitlist
from app.retreats.models import RetreatWaitlistEntry

_INT64 = 2**63 - 1


class RetreatWaitlistEntrySerializer(serializers.ModelSerializer):
    position = serializers.IntegerField(read_only=True, help_text=gettext_lazy("1: first in line."))
    retreat = serializers.IntegerField(source="retreat_id", min_value=1, max_value=_INT64)
    retreat_name = serializers.CharField(source="retreat.__str__", read_only=True)

    class Meta:
        model = RetreatWaitlistEntry
        fields = ["id", "retreat", "retreat_name", "user", "position", "status", "offer_expires_at", "created"]
        read_only_fields = ["id", "retreat_name", "user", "position", "status", "offer_expires_at", "created"]


class RetreatWaitlistViewSet(
    mixins.ListModelMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    """Your retreat waiting-list entries with their `position` and `status` (`waiting`, or `offered`
    until `offer_expires_at`: the seat is held for you, buy it through `/api/orders/`); staff see
    everyone's. POST `{"retreat": id}` joins: 409 when a seat is for sale (buy it instead), you hold
    a seat or an entry, or the retreat has started."""

    serializer_class = RetreatWaitlistEntrySerializer
    permission_classes = [IsAuthenticated]
    filterset_class = FilterSetOf("app.retreats.waitlist_filters.RetreatWaitlistFilter")

    def get_queryset(self) -> QuerySet[RetreatWaitlistEntry]:
        if getattr(self, "swagger_fake_view", False):
            return RetreatWaitlistEntry.objects.none()
        return waitlist.entries(cast(User, self.request.user))

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = cast(User, request.user)
        entry = waitlist.join(user, serializer.validated_data["retreat_id"])
        answer = self.get_serializer(waitlist.entries(user).get(pk=entry.pk))
        return Response(answer.data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={204: None})
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        entry = self.get_object()
        waitlist.leave(entry.pk, cast(User, request.user))
        return Response(status=status.HTTP_204_NO_CONTENT)
