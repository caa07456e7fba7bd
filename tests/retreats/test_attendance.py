"""Attendance at an in-person retreat: staff mark each participant present (or not) for each date,
through the API or the admin's sheet, and it lands in the same attendance export as online joins."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from app.retreats.models import RetreatJoin, RetreatReservation
from tests.conftest import make_user
from tests.retreats.conftest import make_retreat

pytestmark = pytest.mark.django_db


@pytest.fixture
def lake():
    """An in-person retreat whose first date started yesterday and whose second starts tomorrow."""
    now = timezone.now()
    yesterday, tomorrow = now - timedelta(days=1), now + timedelta(days=1)
    retreat = make_retreat(
        dates=[(yesterday, yesterday + timedelta(hours=8)), (tomorrow, tomorrow + timedelta(hours=8))]
    )
    ada = RetreatReservation.objects.create(
        user=make_user(email="ada@example.com", first_name="Ada", last_name="Byron"),
        retreat=retreat,
        status="confirmed",
    )
    return retreat, ada


def mark(client, seat, date, present):
    return client.post(
        f"/api/retreat-reservations/{seat.pk}/attendance/", {"date": date.pk, "present": present}, format="json"
    )


def test_staff_mark_a_participant_present_once_then_absent(admin_client_api, staff_user, lake):
    retreat, ada = lake
    started = retreat.dates.order_by("start").first()

    first = mark(admin_client_api, ada, started, True)
    again = mark(admin_client_api, ada, started, True)

    assert first.status_code == 200, first.json()
    assert first.json() == {"date": started.pk, "present": True} and again.status_code == 200
    [row] = RetreatJoin.objects.filter(reservation=ada)  # marked twice, recorded once
    assert (row.date_id, row.marked_by_id) == (started.pk, staff_user.pk)
    absent = mark(admin_client_api, ada, started, False)
    assert absent.status_code == 200 and not RetreatJoin.objects.filter(reservation=ada).exists()


def test_refusals_have_codes_and_change_nothing(admin_client_api, member_client, member, lake):
    retreat, ada = lake
    started, coming = retreat.dates.order_by("start")
    elsewhere = make_retreat(name="Elsewhere", days_ahead=-3).dates.get()
    cancelled = RetreatReservation.objects.create(user=member, retreat=retreat, status="cancelled")
    online = make_retreat(name="Online", kind="virtual", video_link="https://video.example.com/room", days_ahead=-1)
    online_seat = RetreatReservation.objects.create(user=member, retreat=online, status="confirmed")

    other_retreat = mark(admin_client_api, ada, elsewhere, True)
    not_confirmed = mark(admin_client_api, cancelled, started, True)
    not_started = mark(admin_client_api, ada, coming, True)
    virtual = mark(admin_client_api, online_seat, online.dates.get(), True)
    by_member = mark(member_client, cancelled, started, True)
    no_flag = admin_client_api.post(f"/api/retreat-reservations/{ada.pk}/attendance/", {"date": started.pk})

    assert (other_retreat.status_code, other_retreat.json()["code"]) == (400, "invalid")
    assert "date" in other_retreat.json()["fields"]
    assert (not_confirmed.status_code, not_confirmed.json()["code"]) == (400, "invalid")
    assert (not_started.status_code, not_started.json()["code"]) == (409, "retreat_date_not_started")
    assert (virtual.status_code, virtual.json()["code"]) == (400, "invalid")
    assert (by_member.status_code, by_member.json()["code"]) == (403, "permission_denied")
    assert (no_flag.status_code, no_flag.json()["code"]) == (400, "invalid") and "present" in no_flag.json()["fields"]
    assert not RetreatJoin.objects.exists()


def test_the_refusal_is_in_french_for_a_french_speaking_staff_member(admin_client_api, lake):
    retreat, ada = lake
    coming = retreat.dates.order_by("start").last()
    answer = admin_client_api.post(
        f"/api/retreat-reservations/{ada.pk}/attendance/",
        {"date": coming.pk, "present": True},
        format="json",
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert answer.status_code == 409 and "pas encore commencé" in answer.json()["detail"]


def test_the_admin_sheet_lists_participants_by_started_date_and_saves_the_boxes(staff_browser, lake):
    retreat, ada = lake
    bob = RetreatReservation.objects.create(
        user=make_user(email="bob@example.com", first_name="Bob", last_name="Cole"), retreat=retreat, status="confirmed"
    )
    RetreatReservation.objects.create(user=make_user(email="cy@example.com"), retreat=retreat, status="cancelled")
    started = retreat.dates.order_by("start").first()
    RetreatJoin.objects.create(reservation=bob, date=started)
    url = f"/admin/retreats/retreat/{retreat.pk}/attendance/"

    listed = staff_browser.get("/admin/retreats/retreat/")
    change = staff_browser.get(f"/admin/retreats/retreat/{retreat.pk}/change/")
    page = staff_browser.get(url)

    assert url in listed.content.decode() and url in change.content.decode()
    assert staff_browser.get("/admin/retreats/retreat/add/").status_code == 200
    html = page.content.decode()
    assert page.status_code == 200 and "ada@example.com" in html and "bob@example.com" in html
    assert "cy@example.com" not in html  # only confirmed seats
    assert html.count('type="checkbox" name="present"') == 2  # two seats × the one date that has started
    assert f'value="{bob.pk}-{started.pk}" checked' in html and f'value="{ada.pk}-{started.pk}" checked' not in html

    saved = staff_browser.post(url, {"present": [f"{ada.pk}-{started.pk}", "junk"]}, follow=True)

    assert saved.status_code == 200 and "2 marks saved" in saved.content.decode()
    assert set(RetreatJoin.objects.values_list("reservation_id", "date_id")) == {(ada.pk, started.pk)}


def test_an_online_retreat_has_no_sheet(staff_browser):
    online = make_retreat(kind="virtual", video_link="https://video.example.com/room", days_ahead=-1)
    assert staff_browser.get(f"/admin/retreats/retreat/{online.pk}/attendance/").status_code == 404


def test_members_cannot_open_the_sheet(client, member, lake):
    retreat, _ada = lake
    client.force_login(member)
    answer = client.get(f"/admin/retreats/retreat/{retreat.pk}/attendance/")
    assert answer.status_code == 302 and "/login/" in answer["Location"]


def test_in_person_attendance_is_in_the_attendance_export(staff_browser, admin_client_api, lake):
    retreat, ada = lake
    started = retreat.dates.order_by("start").first()
    assert mark(admin_client_api, ada, started, True).status_code == 200

    response = staff_browser.get(f"/admin/retreats/retreat/export/retreat-attendance.csv?q={retreat.name}")
    participants = staff_browser.get(f"/admin/retreats/retreat/export/retreat-participants.csv?q={retreat.name}")

    def rows(answer):
        return list(csv.DictReader(io.StringIO(b"".join(answer.streaming_content).decode("utf-8-sig"))))

    [row] = rows(response)
    assert (row["member e-mail"], row["times joined"], row["time zone"]) == ("ada@example.com", "1", "America/Montreal")
    assert row["date start"].startswith(started.start.astimezone(retreat.zone).strftime("%Y-%m-%d"))
    assert rows(participants)[0]["dates joined"] == "1"


def test_the_sheet_reads_the_same_number_of_queries_for_any_number_of_participants(staff_browser, lake):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    retreat, _ada = lake
    url = f"/admin/retreats/retreat/{retreat.pk}/attendance/"
    staff_browser.get(url)  # the admin's first request registers it
    with CaptureQueriesContext(connection) as few:
        assert staff_browser.get(url).status_code == 200
    started = retreat.dates.order_by("start").first()
    for number in range(4):
        seat = RetreatReservation.objects.create(
            user=make_user(email=f"m{number}@example.com"), retreat=retreat, status="confirmed"
        )
        RetreatJoin.objects.create(reservation=seat, date=started)
    with CaptureQueriesContext(connection) as many:
        page = staff_browser.get(url)
    assert page.content.decode().count('type="checkbox" name="present"') == 5
    assert len(many) == len(few)


@pytest.mark.parametrize("date", [10**30, -1, "tomorrow", None])
def test_a_nonsense_date_is_a_400(admin_client_api, lake, date):
    _retreat, ada = lake
    answer = admin_client_api.post(
        f"/api/retreat-reservations/{ada.pk}/attendance/", {"date": date, "present": True}, format="json"
    )
    assert answer.status_code == 400 and "date" in answer.json()["fields"]
