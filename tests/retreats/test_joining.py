"""A virtual retreat's video link: only to confirmed participants, only in a date's window, each join logged."""

from datetime import timedelta

import pytest
from django.utils import timezone

from app.retreats.models import RetreatJoin, RetreatReservation
from tests.conftest import make_user, token_client
from tests.retreats.conftest import make_retreat

pytestmark = pytest.mark.django_db
LINK = "https://meet.example.com/lake-room-7"


def virtual(starts_in, lasts=timedelta(hours=3), member=None, **fields):
    start = timezone.now() + starts_in
    retreat = make_retreat(kind="virtual", video_link=LINK, dates=[(start, start + lasts)], **fields)
    return RetreatReservation.objects.create(user=member, retreat=retreat, status="confirmed")


def join(client, seat):
    return client.get(f"/api/retreat-reservations/{seat.pk}/join/")


def test_the_link_opens_the_set_minutes_before_a_start_and_each_join_is_logged(member, member_client, settings):
    settings.RETREAT_LINK_MINUTES_BEFORE = 15
    seat = virtual(timedelta(minutes=20), member=member)
    early = join(member_client, seat)
    assert early.status_code == 409 and early.json()["code"] == "retreat_link_not_open"
    assert LINK not in early.content.decode()

    settings.RETREAT_LINK_MINUTES_BEFORE = 25  # the same date is now inside the window
    assert join(member_client, seat).json() == {"video_link": LINK}
    assert join(member_client, seat).status_code == 200
    assert RetreatJoin.objects.filter(reservation=seat, date=seat.retreat.dates.get()).count() == 2


def test_the_link_is_given_during_a_date_and_not_after_its_end(member, member_client):
    during = virtual(-timedelta(hours=1), member=member)
    assert join(member_client, during).status_code == 200
    RetreatReservation.objects.filter(pk=during.pk).update(status="cancelled")
    assert join(member_client, during).status_code == 400  # cancelled: no link
    over = virtual(-timedelta(hours=4), member=member, name="Over")
    assert join(member_client, over).json()["code"] == "retreat_link_not_open"


def test_only_the_participant_gets_it_and_no_list_shows_it(member, member_client, admin_client_api, anon_client):
    seat = virtual(-timedelta(minutes=5), member=member)
    assert join(token_client(make_user(email="other@example.com")), seat).status_code == 404
    for client, path in [
        (anon_client, "/api/retreats/"),
        (admin_client_api, "/api/retreats/"),
        (admin_client_api, f"/api/retreats/{seat.retreat_id}/"),
        (member_client, "/api/retreat-reservations/"),
        (member_client, "/api/users/me/data/"),
    ]:
        answer = client.get(path)
        assert answer.status_code == 200 and LINK not in answer.content.decode(), path
    assert "retreat_reservations" in member_client.get("/api/users/me/data/").json()


def test_a_physical_retreat_has_no_link(member, member_client):
    retreat = make_retreat()
    seat = RetreatReservation.objects.create(user=member, retreat=retreat, status="confirmed")
    assert join(member_client, seat).status_code == 400
