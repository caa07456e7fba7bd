"""Waiting-list endpoints: join or leave a full slot's list, see one's entries, decline an offer.

Rules live in `app/bookings/waitlist.py`; its exceptions carry their own `code` (409s).
"""

from typing import cast

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from app.accounts.models import User
from app.bookings import waitlist
from app.bookings.serializers import WaitlistEntrySerializer


def _entry(entry_id: int, user: User) -> dict[str, object]:
    row = waitlist.entries(user).get(pk=entry_id)
    return dict(WaitlistEntrySerializer(row).data)


@extend_schema(methods=["POST"], request=None, responses={201: WaitlistEntrySerializer})
@extend_schema(methods=["DELETE"], request=None, responses={204: None})
@api_view(["POST", "DELETE"])
@permission_classes([IsAuthenticated])
def timeslot_waitlist(request: Request, timeslot_id: int) -> Response:
    """POST: join the full slot's waiting list (409 when a seat is free, you hold a seat or an entry,
    or the slot has started). DELETE: leave it (a seat on offer passes to the next member)."""
    user = cast(User, request.user)
    if request.method == "DELETE":
        waitlist.leave(user, timeslot_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
    entry = waitlist.join(user, timeslot_id)
    return Response(_entry(entry.pk, user), status=status.HTTP_201_CREATED)


@extend_schema(
    parameters=[OpenApiParameter("timeslot", OpenApiTypes.INT, description="Staff: one slot's queue.")],
    responses={200: WaitlistEntrySerializer(many=True)},
)
@api_view(["GET"])
@permission_classes([IsAuthenticated])
def my_waitlist(request: Request) -> Response:
    """Your entries with their `position` and `status` (`waiting` or `offered` until `offer_expires_at`);
    staff see everyone's and may filter by `timeslot`."""
    user = cast(User, request.user)
    raw = request.query_params.get("timeslot", "")
    timeslot_id = int(raw) if raw.isdigit() else None
    rows = waitlist.entries(user, timeslot_id=timeslot_id if user.is_staff else None)
    body = WaitlistEntrySerializer(rows[:500], many=True).data
    return Response({"count": len(body), "results": body})


@extend_schema(request=None, responses={204: None})
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def decline_offer(request: Request, entry_id: int) -> Response:
    """Refuse the seat on offer: it goes to the next member waiting, and your entry ends."""
    waitlist.decline(entry_id, cast(User, request.user))
    return Response(status=status.HTTP_204_NO_CONTENT)
