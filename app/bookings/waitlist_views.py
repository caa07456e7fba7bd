"""Waiting-list endpoints: join or leave a full slot's list, see one's entries, decline an offer.

Rules live in `app/bookings/waitlist.py`; its exceptions carry their own `code` (409s).
"""

from typing import cast

from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from app.accounts.models import User
from app.bookings import waitlist
from app.bookings.models import WaitlistEntry
from app.bookings.serializers import WaitlistEntrySerializer
from app.core.api_docs import OpenApiParameter, OpenApiTypes, extend_schema
from app.core.exceptions import Invalid, NotFound

_INT64 = 2**63 - 1  # a larger id in the path can name no row (and would overflow the database's integer)


def _known_id(value: int) -> int:
    if value > _INT64:
        raise NotFound()
    return value


def _entry(entry_id: int, user: User) -> dict[str, object]:
    row = waitlist.entries(user).get(pk=entry_id)
    return dict(WaitlistEntrySerializer(row).data)


class TimeslotWaitlistView(GenericAPIView):
    """Join (POST) or leave (DELETE) a full time slot's waiting list."""

    serializer_class = WaitlistEntrySerializer
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={201: WaitlistEntrySerializer})
    def post(self, request: Request, timeslot_id: int) -> Response:
        """Join: 409 when a seat is free (reserve instead), you hold a seat or an entry, the slot has
        started, or offers have stopped (close to the start)."""
        user = cast(User, request.user)
        entry = waitlist.join(user, _known_id(timeslot_id))
        return Response(_entry(entry.pk, user), status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, timeslot_id: int) -> Response:
        """Leave: a seat on offer to you passes to the next member."""
        waitlist.leave(cast(User, request.user), _known_id(timeslot_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class MyWaitlistView(GenericAPIView):
    """Your entries with their `position` and `status` (`waiting`, or `offered` until
    `offer_expires_at`); staff see everyone's. `?timeslot=`: one slot's (for staff, its queue)."""

    serializer_class = WaitlistEntrySerializer
    permission_classes = [IsAuthenticated]
    queryset = WaitlistEntry.objects.none()  # for the schema; `get` reads through app.bookings.waitlist

    @extend_schema(
        parameters=[
            OpenApiParameter("timeslot", OpenApiTypes.INT, description="One time slot's entries (staff: its queue).")
        ],
        responses={200: WaitlistEntrySerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        user = cast(User, request.user)
        raw = request.query_params.get("timeslot")
        timeslot_id = None
        if raw is not None:
            if not raw.strip().isdigit():
                raise Invalid(fields={"timeslot": [_("Give a time slot's id (a whole number).")]})
            timeslot_id = min(int(raw.strip()), _INT64)
        page = self.paginate_queryset(waitlist.entries(user, timeslot_id=timeslot_id))
        return self.get_paginated_response(WaitlistEntrySerializer(page, many=True).data)


class DeclineOfferView(GenericAPIView):
    """Refuse the seat on offer: it goes to the next member waiting, and your entry ends."""

    serializer_class = WaitlistEntrySerializer
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request, entry_id: int) -> Response:
        waitlist.decline(_known_id(entry_id), cast(User, request.user))
        return Response(status=status.HTTP_204_NO_CONTENT)
