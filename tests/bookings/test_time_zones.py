"""Slots are checked in the workplace's own time zone, DST included; batches keep wall-clock times."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from app.bookings.models import TimeSlot
from app.bookings.services import slots
from app.core.exceptions import Invalid
from tests.bookings.conftest import KOLKATA, MONTREAL, local, make_period

# 2030-03-10 is the second Sunday of March: Montreal moves from UTC-5 to UTC-4 at 02:00.
DST_START = date(2030, 3, 10)
UTC_OFFSET = {"before": timedelta(hours=-5), "after": timedelta(hours=-4)}


def slot_json(period, start, end, **extra):
    return {"period": period.pk, "start": start.isoformat(), "end": end.isoformat(), **extra}


@pytest.fixture
def montreal_2030(montreal):
    return make_period(montreal, date(2030, 3, 1), date(2030, 3, 31))


@pytest.fixture
def kolkata_january(kolkata):
    return make_period(kolkata, date(2030, 1, 1), date(2030, 1, 31))


def test_the_dst_fixture_date_really_is_the_change():
    assert datetime(2030, 3, 9, 12, tzinfo=MONTREAL).utcoffset() == UTC_OFFSET["before"]
    assert datetime(2030, 3, 10, 12, tzinfo=MONTREAL).utcoffset() == UTC_OFFSET["after"]


def test_a_slot_on_the_day_dst_starts_is_accepted_with_its_real_length(admin_client_api, montreal_2030):
    start = datetime(2030, 3, 10, 1, 0, tzinfo=MONTREAL)  # 01:00 EST
    end = datetime(2030, 3, 10, 4, 0, tzinfo=MONTREAL)  # 04:00 EDT: two real hours later
    response = admin_client_api.post("/api/timeslots/", slot_json(montreal_2030, start, end), format="json")
    assert response.status_code == 201, response.json()
    slot = TimeSlot.objects.get()
    assert slot.end - slot.start == timedelta(hours=2)
    assert slot.local_date == DST_START


def test_a_slot_must_be_on_one_local_day_even_if_utc_dates_agree(admin_client_api, kolkata_january):
    # 20:00 to 01:00 IST crosses midnight in Kolkata, though both are on 2030-01-10 in UTC.
    start = local(date(2030, 1, 10), 20, KOLKATA)
    end = local(date(2030, 1, 11), 1, KOLKATA)
    assert start.astimezone(UTC).date() == end.astimezone(UTC).date()
    response = admin_client_api.post("/api/timeslots/", slot_json(kolkata_january, start, end), format="json")
    assert response.status_code == 400
    assert "same day in the workplace's time zone (Asia/Kolkata)" in response.json()["fields"]["end"][0]
    assert not TimeSlot.objects.exists()


def test_a_slot_across_utc_midnight_is_fine_when_it_is_one_local_day(admin_client_api, montreal):
    period = make_period(montreal, date(2030, 1, 1), date(2030, 1, 31))
    start = datetime.fromisoformat("2030-01-10T23:00:00+00:00")  # 18:00 in Montreal
    end = datetime.fromisoformat("2030-01-11T01:00:00+00:00")  # 20:00 in Montreal
    response = admin_client_api.post("/api/timeslots/", slot_json(period, start, end), format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["local_date"] == "2030-01-10"


def test_period_dates_are_read_in_the_workplace_zone(admin_client_api, kolkata_january):
    # 2030-01-31 20:00 UTC is already 2030-02-01 01:30 in Kolkata: outside the period.
    late = datetime.fromisoformat("2030-01-31T20:00:00+00:00")
    response = admin_client_api.post(
        "/api/timeslots/", slot_json(kolkata_january, late, late + timedelta(hours=1)), format="json"
    )
    assert response.status_code == 400
    assert "2030-02-01 (Asia/Kolkata) is outside the period" in response.json()["fields"]["start"][0]
    # 2029-12-31 19:00 UTC is 2030-01-01 00:30 in Kolkata: inside.
    early = datetime.fromisoformat("2029-12-31T19:00:00+00:00")
    response = admin_client_api.post(
        "/api/timeslots/", slot_json(kolkata_january, early, early + timedelta(hours=1)), format="json"
    )
    assert response.status_code == 201, response.json()


def test_a_time_without_offset_is_refused(admin_client_api, montreal_2030):
    body = {"period": montreal_2030.pk, "start": "2030-03-12T09:00:00", "end": "2030-03-12T10:00:00"}
    response = admin_client_api.post("/api/timeslots/", body, format="json")
    assert response.status_code == 400
    assert "UTC offset" in response.json()["fields"]["start"][0]


def test_slots_of_one_workplace_never_overlap_even_across_periods(admin_client_api, montreal, kolkata):
    march = make_period(montreal, date(2030, 3, 1), date(2030, 3, 31), is_active=True)
    other = make_period(montreal, date(2030, 3, 1), date(2030, 3, 31), is_active=False, name="Other")
    day = date(2030, 3, 12)
    first = admin_client_api.post(
        "/api/timeslots/", slot_json(march, local(day, 9, MONTREAL), local(day, 12, MONTREAL)), format="json"
    )
    assert first.status_code == 201
    clash = admin_client_api.post(
        "/api/timeslots/", slot_json(other, local(day, 11, MONTREAL), local(day, 13, MONTREAL)), format="json"
    )
    assert clash.status_code == 400
    assert "overlaps the slot" in clash.json()["detail"]
    adjacent = admin_client_api.post(
        "/api/timeslots/", slot_json(march, local(day, 12, MONTREAL), local(day, 13, MONTREAL)), format="json"
    )
    assert adjacent.status_code == 201
    # The same hours at another workplace are no clash.
    elsewhere = make_period(kolkata, date(2030, 3, 1), date(2030, 3, 31))
    slots.create_timeslot(elsewhere, local(day, 9, MONTREAL), local(day, 10, MONTREAL))
    assert TimeSlot.objects.count() == 3


def test_end_before_start_is_refused(admin_client_api, montreal_2030):
    day = date(2030, 3, 12)
    body = slot_json(montreal_2030, local(day, 12, MONTREAL), local(day, 9, MONTREAL))
    response = admin_client_api.post("/api/timeslots/", body, format="json")
    assert response.status_code == 400
    assert response.json()["fields"]["end"] == ["The end must be after the start."]


def test_an_unknown_time_zone_is_refused(admin_client_api, db):
    body = {
        "name": "Nowhere",
        "seats": 4,
        "timezone": "Mars/Olympus_Mons",
        "address_line1": "1 St",
        "city": "X",
        "state_province": "Y",
        "postal_code": "Z",
        "country": "W",
    }
    response = admin_client_api.post("/api/workplaces/", body, format="json")
    assert response.status_code == 400
    assert "not an IANA time zone" in response.json()["fields"]["timezone"][0]
    response = admin_client_api.post("/api/workplaces/", {**body, "timezone": "Asia/Kolkata"}, format="json")
    assert response.status_code == 201


def test_batch_keeps_wall_clock_times_across_the_dst_change(admin_client_api, montreal_2030):
    body = {
        "period": montreal_2030.pk,
        "weekdays": [5, 6, 0],  # Saturday 9, Sunday 10 (DST starts), Monday 11
        "ranges": ["09:00-12:00", "13:00-17:00"],
        "start_date": "2030-03-09",
        "end_date": "2030-03-11",
    }
    response = admin_client_api.post("/api/timeslots/batch/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["count"] == 6
    slots = list(TimeSlot.objects.order_by("start"))
    local_times = [(f"{s.start.astimezone(MONTREAL):%a %H:%M}", f"{s.end.astimezone(MONTREAL):%H:%M}") for s in slots]
    assert local_times == [
        ("Sat 09:00", "12:00"),
        ("Sat 13:00", "17:00"),
        ("Sun 09:00", "12:00"),
        ("Sun 13:00", "17:00"),
        ("Mon 09:00", "12:00"),
        ("Mon 13:00", "17:00"),
    ]
    # Same wall time, different UTC hour on each side of the change.
    assert slots[0].start.astimezone(MONTREAL).utcoffset() == UTC_OFFSET["before"]
    assert slots[2].start.astimezone(MONTREAL).utcoffset() == UTC_OFFSET["after"]
    assert slots[2].start - slots[0].start == timedelta(hours=23)
    assert all(s.price == montreal_2030.price for s in slots)


def test_batch_in_kolkata_uses_indian_time(admin_client_api, kolkata_january):
    body = {"period": kolkata_january.pk, "weekdays": [0], "ranges": ["09:00-12:00"], "price": 2}
    response = admin_client_api.post("/api/timeslots/batch/", body, format="json")
    assert response.status_code == 201
    slots = TimeSlot.objects.order_by("start")
    assert slots.count() == 4  # Mondays of January 2030: 7, 14, 21, 28
    assert {s.start.astimezone(KOLKATA).time() for s in slots} == {time(9)}
    assert {(s.start.hour, s.start.minute) for s in slots} == {(3, 30)}  # stored in UTC
    assert {s.price for s in slots} == {2}


def test_batch_refuses_a_time_that_dst_skips(admin_client_api, montreal_2030):
    body = {"period": montreal_2030.pk, "weekdays": [6], "ranges": ["02:30-04:00"]}
    response = admin_client_api.post("/api/timeslots/batch/", body, format="json")
    assert response.status_code == 400
    assert "2030-03-10 02:30 does not exist in America/Montreal" in response.json()["detail"]
    assert not TimeSlot.objects.exists()


def test_batch_is_all_or_nothing_when_a_slot_clashes(admin_client_api, montreal_2030):
    day = date(2030, 3, 13)
    slots.create_timeslot(montreal_2030, local(day, 10, MONTREAL), local(day, 11, MONTREAL))
    body = {"period": montreal_2030.pk, "weekdays": [0, 1, 2, 3, 4], "ranges": ["09:00-12:00"]}
    response = admin_client_api.post("/api/timeslots/batch/", body, format="json")
    assert response.status_code == 400
    assert "1 slot would overlap existing ones, starting 2030-03-13 09:00" in response.json()["detail"]
    assert TimeSlot.objects.count() == 1


def test_batch_rejects_malformed_ranges_and_members(admin_client_api, member_client, montreal_2030):
    body = {"period": montreal_2030.pk, "weekdays": [0], "ranges": ["9 to 12"]}
    response = admin_client_api.post("/api/timeslots/batch/", body, format="json")
    assert response.status_code == 400
    assert "HH:MM-HH:MM" in str(response.json()["fields"]["ranges"])
    body["ranges"] = ["09:00-12:00", "11:00-13:00"]
    assert "overlaps" in str(admin_client_api.post("/api/timeslots/batch/", body, format="json").json())
    body["ranges"] = ["09:00-12:00"]
    assert member_client.post("/api/timeslots/batch/", body, format="json").status_code == 403
    assert not TimeSlot.objects.exists()


def test_service_rejects_naive_datetimes(montreal_2030):
    with pytest.raises(Invalid, match="UTC offset"):
        slots.create_timeslot(montreal_2030, datetime(2030, 3, 12, 9), datetime(2030, 3, 12, 10))  # noqa: DTZ001  # naive on purpose
