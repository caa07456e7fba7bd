"""A whole in-person retreat's attendance through the API: `GET/PUT /api/retreats/<id>/attendance/`,
the admin's sheet for staff tools (confirmed participants × the dates that have started)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from app.retreats.models import RetreatJoin, RetreatReservation
from tests.conftest import make_user
from tests.retreats.conftest import make_retreat

pytestmark = pytest.mark.django_db


@pytest.fixture
def lake():
    """An in-person retreat with two dates that have started, one to come, two confirmed seats and a
    cancelled one; Bob was marked at the first date."""
    now = timezone.now()
    starts = [now - timedelta(days=2), now - timedelta(days=1), now + timedelta(days=1)]
    retreat = make_retreat(dates=[(start, start + timedelta(hours=8)) for start in starts])
    ada = RetreatReservation.objects.create(
        user=make_user(email="ada@example.com", first_name="Ada", last_name="Byron"),
        retreat=retreat,
        status="confirmed",
    )
    bob = RetreatReservation.objects.create(
        user=make_user(email="bob@example.com", first_name="Bob", last_name="Cole"), retreat=retreat, status="confirmed"
    )
    gone = RetreatReservation.objects.create(
        user=make_user(email="cy@example.com"), retreat=retreat, status="cancelled"
    )
    first, second, coming = retreat.dates.order_by("start")
    RetreatJoin.objects.create(reservation=bob, date=first)
    return retreat, ada, bob, gone, (first, second, coming)


def url(retreat):
    return f"/api/retreats/{retreat.pk}/attendance/"


def marks():
    return set(RetreatJoin.objects.values_list("reservation_id", "date_id"))


def test_staff_read_the_sheet_of_confirmed_participants_by_date_that_has_started(admin_client_api, lake):
    retreat, ada, bob, _gone, (first, second, _coming) = lake

    answer = admin_client_api.get(url(retreat))

    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert body["retreat"] == retreat.pk and "changed" not in body
    assert [date["id"] for date in body["dates"]] == [first.pk, second.pk]  # not the date to come
    assert [(p["reservation"], p["name"], p["email"], p["present"]) for p in body["participants"]] == [
        (ada.pk, "Ada Byron", "ada@example.com", []),
        (bob.pk, "Bob Cole", "bob@example.com", [first.pk]),
    ]


def test_a_put_marks_the_pairs_it_names_present_and_every_other_pair_absent(admin_client_api, staff_user, lake):
    retreat, ada, bob, _gone, (first, second, _coming) = lake
    wanted = [{"reservation": ada.pk, "date": first.pk}, {"reservation": bob.pk, "date": second.pk}]

    saved = admin_client_api.put(url(retreat), {"present": wanted}, format="json")
    again = admin_client_api.put(url(retreat), {"present": wanted}, format="json")

    assert saved.status_code == 200, saved.json()
    assert saved.json()["changed"] == 3  # Ada at the first date, Bob at the second, Bob no longer at the first
    assert marks() == {(ada.pk, first.pk), (bob.pk, second.pk)}
    assert set(RetreatJoin.objects.values_list("marked_by", flat=True)) == {staff_user.pk}
    assert [p["present"] for p in saved.json()["participants"]] == [[first.pk], [second.pk]]
    assert again.status_code == 200 and again.json()["changed"] == 0
    cleared = admin_client_api.put(url(retreat), {"present": []}, format="json")
    assert cleared.json()["changed"] == 2 and marks() == set()


def test_a_pair_off_the_sheet_refuses_the_whole_put(admin_client_api, lake):
    retreat, ada, bob, gone, (first, _second, coming) = lake
    other = make_retreat(name="Elsewhere", days_ahead=-3)
    stranger = RetreatReservation.objects.create(user=make_user(), retreat=other, status="confirmed")

    for off in [
        {"reservation": gone.pk, "date": first.pk},  # a cancelled seat
        {"reservation": ada.pk, "date": coming.pk},  # a date that has not started
        {"reservation": stranger.pk, "date": other.dates.get().pk},  # another retreat's
    ]:
        answer = admin_client_api.put(
            url(retreat), {"present": [{"reservation": ada.pk, "date": first.pk}, off]}, format="json"
        )
        assert (answer.status_code, answer.json()["code"]) == (400, "invalid")
        assert str(off["reservation"]) in answer.json()["fields"]["present"][0]

    assert marks() == {(bob.pk, first.pk)}  # Ada not marked, Bob's mark kept


def test_refusals(admin_client_api, member_client, lake):
    retreat, ada, bob, _gone, (first, _second, _coming) = lake
    online = make_retreat(name="Online", kind="virtual", video_link="https://video.example.com/room", days_ahead=-1)

    by_member = member_client.get(url(retreat))
    online_read = admin_client_api.get(url(online))
    online_put = admin_client_api.put(url(online), {"present": []}, format="json")
    missing = admin_client_api.get("/api/retreats/999999/attendance/")
    not_a_list = admin_client_api.put(url(retreat), {"present": "everyone"}, format="json")
    bad_cell = admin_client_api.put(url(retreat), {"present": [{"reservation": "ada"}]}, format="json")
    french = admin_client_api.put(
        url(retreat), {"present": [{"reservation": ada.pk, "date": 10**6}]}, format="json", HTTP_ACCEPT_LANGUAGE="fr"
    )

    assert (by_member.status_code, by_member.json()["code"]) == (403, "permission_denied")
    assert (online_read.status_code, online_read.json()["code"]) == (400, "invalid")
    assert (online_put.status_code, online_put.json()["code"]) == (400, "invalid")
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")
    assert (not_a_list.status_code, not_a_list.json()["code"]) == (400, "invalid")
    assert "present" in not_a_list.json()["fields"]
    assert (bad_cell.status_code, bad_cell.json()["code"]) == (400, "invalid")
    assert french.status_code == 400 and "feuille" in french.json()["fields"]["present"][0]
    assert marks() == {(bob.pk, first.pk)}


def test_the_sheet_reads_the_same_number_of_queries_for_any_number_of_participants(admin_client_api, lake):
    retreat, *_rest, (first, _second, _coming) = lake
    admin_client_api.get(url(retreat))
    with CaptureQueriesContext(connection) as few:
        assert admin_client_api.get(url(retreat)).status_code == 200
    for number in range(5):
        seat = RetreatReservation.objects.create(
            user=make_user(email=f"m{number}@example.com"), retreat=retreat, status="confirmed"
        )
        RetreatJoin.objects.create(reservation=seat, date=first)
    with CaptureQueriesContext(connection) as many:
        answer = admin_client_api.get(url(retreat))
    assert len(answer.json()["participants"]) == 7
    assert len(many) == len(few)
