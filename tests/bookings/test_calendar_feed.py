"""The private calendar feed: created or rotated by the member, readable without logging in, ETag."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from app.bookings.models import CalendarFeed, Reservation, TimeSlot
from app.bookings.services import reservations
from tests.bookings.conftest import make_slot


def path_of(url):
    return url.removeprefix("http://testserver")


def test_the_feed_lists_the_members_reservations_without_logging_in(member_client, rich_member, period, client):
    coming = reservations.reserve(rich_member, make_slot(period, days_ahead=3).pk)
    past = reservations.reserve(rich_member, make_slot(period, days_ahead=4).pk)
    start = timezone.now() - timedelta(days=10)
    TimeSlot.objects.filter(pk=past.timeslot_id).update(start=start, end=start + timedelta(hours=3))
    old = reservations.reserve(rich_member, make_slot(period, days_ahead=5).pk)
    start = timezone.now() - timedelta(days=40)
    TimeSlot.objects.filter(pk=old.timeslot_id).update(start=start, end=start + timedelta(hours=3))
    cancelled = reservations.reserve(rich_member, make_slot(period, days_ahead=6).pk)
    reservations.cancel_reservation(cancelled, actor=rich_member)

    response = member_client.post("/api/users/me/calendar-feed/")
    assert response.status_code == 200
    url = response.json()["url"]
    assert url.startswith("http://testserver/api/calendar-feed/") and url.endswith(".ics")
    secret = path_of(url).split("/")[-1].removesuffix(".ics")
    assert len(secret) >= 43  # 256 bits in URL-safe base64
    assert secret not in CalendarFeed.objects.get().digest  # stored hashed
    with CaptureQueriesContext(connection) as queries:
        feed = client.get(path_of(url))  # no credentials
    assert feed.status_code == 200 and feed["Content-Type"] == "text/calendar; charset=utf-8"
    assert len(queries) <= 3
    text = feed.content.decode().replace("\r\n ", "")
    for reservation, listed in ((coming, True), (past, True), (old, False), (cancelled, False)):
        assert (f"UID:reservation-{reservation.pk}@" in text) is listed


def test_the_feed_answers_conditional_requests(member_client, rich_member, slot, client):
    reservations.reserve(rich_member, slot.pk)
    url = path_of(member_client.post("/api/users/me/calendar-feed/").json()["url"])
    first = client.get(url)
    etag = first["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    Reservation.objects.update(calendar_sequence=1)  # a change to a reservation
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_rotating_kills_the_old_url_and_delete_turns_the_feed_off(member_client, client, rich_member):
    old = path_of(member_client.post("/api/users/me/calendar-feed/").json()["url"])
    new = path_of(member_client.post("/api/users/me/calendar-feed/").json()["url"])
    assert old != new
    assert client.get(old).status_code == 404 and client.get(new).status_code == 200
    assert member_client.delete("/api/users/me/calendar-feed/").status_code == 204
    assert client.get(new).status_code == 404
    assert client.post("/api/users/me/calendar-feed/").status_code in (401, 403)
