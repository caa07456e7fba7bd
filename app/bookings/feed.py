"""A member's private calendar feed: every reservation from 30 days back, for calendar apps to subscribe to.

`POST /api/users/me/calendar-feed/` creates the feed or rotates its secret (the previous URL then
answers 404) and answers `{"url": ...}`; `DELETE` turns it off. The URL works without logging in:
it carries a random secret of 256 bits (`secrets.token_urlsafe(32)`), stored only as its SHA-256,
never the API token. The feed answers conditional requests: its ETag is the hash of its body,
which depends only on the reservations (DTSTAMP is each booking's own time, not the clock).
"""

import hashlib
import secrets
from datetime import timedelta
from typing import cast

from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone, translation
from django.views.decorators.http import require_safe
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from app.accounts.models import User
from app.bookings.models import CalendarFeed, Reservation
from app.core.api_docs import extend_schema

DAYS_BACK = 30


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def rotate(user: User) -> str:
    """A new secret for the member's feed (created if needed); the old URL stops working."""
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        CalendarFeed.objects.update_or_create(user=user, defaults={"digest": _digest(secret)})
    return secret


def feed_body(user: User) -> str:
    from app.bookings import ics  # on use: the API's other answers do not load it

    since = timezone.now() - timedelta(days=DAYS_BACK)
    reservations = (
        Reservation.objects.filter(user=user, status=Reservation.Status.ACTIVE, timeslot__end__gte=since)
        .select_related("timeslot__period__workplace", "user")
        .order_by("timeslot__start", "id")
    )
    with translation.override(user.language):
        events = [ics.event_lines(reservation, stamp=reservation.created) for reservation in reservations]
        return ics.calendar(events, name=user.get_full_name())


class CalendarFeedUrlSerializer(serializers.Serializer):
    url = serializers.URLField(help_text="The feed's address: it works without logging in; keep it private.")


class MyCalendarFeedView(GenericAPIView):
    """POST: create the private calendar feed, or rotate its secret (the old URL then answers 404);
    answers its URL. DELETE: turn it off."""

    serializer_class = CalendarFeedUrlSerializer
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: CalendarFeedUrlSerializer})
    def post(self, request: Request) -> Response:
        secret = rotate(cast(User, request.user))
        return Response({"url": request.build_absolute_uri(reverse("calendar-feed", args=[secret]))})

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request) -> Response:
        CalendarFeed.objects.filter(user=cast(User, request.user)).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


@require_safe
def calendar_feed(request: HttpRequest, secret: str) -> HttpResponse:
    feed = get_object_or_404(CalendarFeed.objects.select_related("user"), digest=_digest(secret))
    body = feed_body(feed.user)
    etag = f'"{hashlib.sha256(body.encode()).hexdigest()[:32]}"'
    headers = {"ETag": etag, "Cache-Control": "private, max-age=300"}
    if etag in request.headers.get("If-None-Match", ""):
        return HttpResponseNotModified(headers=headers)
    return HttpResponse(body, content_type="text/calendar; charset=utf-8", headers=headers)
