"""The Django admin runs bookings through the same rules, batch creation included."""

from datetime import timedelta

import pytest
from django.core import mail

from app.bookings.models import Reservation, TimeSlot
from tests.bookings.conftest import give_tickets, make_period, make_slot
from tests.conftest import make_user


@pytest.mark.parametrize("model", ["workplace", "period", "timeslot", "reservation"])
def test_admin_pages_open(staff_browser, slot, model):
    assert staff_browser.get(f"/admin/bookings/{model}/").status_code == 200


def test_admin_batch_creates_slots_at_local_times(staff_browser, kolkata):
    period = make_period(kolkata)
    start = period.start_date + timedelta(days=1)
    page = staff_browser.get(f"/admin/bookings/period/{period.pk}/batch/")
    assert page.status_code == 200 and b"Asia/Kolkata" in page.content
    response = staff_browser.post(
        f"/admin/bookings/period/{period.pk}/batch/",
        {
            "weekdays": ["0", "1", "2", "3", "4", "5", "6"],
            "ranges": "09:00-12:00, 13:00-17:00",
            "start_date": str(start),
            "end_date": str(start + timedelta(days=6)),
            "price": "",
        },
    )
    assert response.status_code == 302
    assert TimeSlot.objects.filter(period=period).count() == 14
    again = staff_browser.post(
        f"/admin/bookings/period/{period.pk}/batch/",
        {
            "weekdays": ["0"],
            "ranges": "10:00-11:00",
            "start_date": str(start),
            "end_date": str(start + timedelta(days=6)),
        },
    )
    assert again.status_code == 200 and b"would overlap" in again.content
    assert TimeSlot.objects.filter(period=period).count() == 14


def slot_form(period, start, end):
    start, end = start.astimezone(), end.astimezone()  # the admin shows TIME_ZONE
    return {
        "period": period.pk,
        "start_0": str(start.date()),
        "start_1": f"{start:%H:%M:%S}",
        "end_0": str(end.date()),
        "end_1": f"{end:%H:%M:%S}",
        "price": "",
    }


def test_admin_adds_slots_but_never_an_overlapping_one(staff_browser, slot):
    response = staff_browser.post("/admin/bookings/timeslot/add/", slot_form(slot.period, slot.start, slot.end))
    assert response.status_code == 200 and b"overlaps the slot" in response.content
    assert TimeSlot.objects.count() == 1
    later = slot.end + timedelta(hours=1)
    response = staff_browser.post(
        "/admin/bookings/timeslot/add/", slot_form(slot.period, later, later + timedelta(hours=1))
    )
    assert response.status_code == 302
    added = TimeSlot.objects.get(start=later)
    assert added.price == slot.period.price and added.local_date == slot.local_date


def test_admin_force_delete_action_refunds(staff_browser, period, django_capture_on_commit_callbacks):
    slot = make_slot(period)
    member = give_tickets(make_user(email="x@example.com"), 1)
    from app.bookings.services import reservations

    reservations.reserve(member, slot.pk)
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_browser.post(
            "/admin/bookings/timeslot/", {"action": "force_delete", "_selected_action": [slot.pk]}
        )
    assert response.status_code == 302
    # Kept as history: the slot is marked removed, the reservation cancelled.
    assert TimeSlot.objects.get(pk=slot.pk).removed_at is not None
    assert Reservation.objects.get().status == Reservation.Status.CANCELLED
    member.refresh_from_db()
    assert member.tickets == 1 and len(mail.outbox) == 1


def test_admin_cancel_action_refunds(staff_browser, slot):
    member = give_tickets(make_user(email="y@example.com"), 1)
    from app.bookings.services import reservations

    reservation = reservations.reserve(member, slot.pk)
    staff_browser.post(
        "/admin/bookings/reservation/", {"action": "cancel_with_refund", "_selected_action": [reservation.pk]}
    )
    reservation.refresh_from_db()
    member.refresh_from_db()
    assert reservation.status == "cancelled" and member.tickets == 1


def test_admin_moves_a_booked_slot_only_with_force(staff_browser, period, django_capture_on_commit_callbacks):
    from app.bookings.services import reservations

    slot = make_slot(period)
    member = give_tickets(make_user(email="z@example.com"), 1)
    reservations.reserve(member, slot.pk)
    later = slot.start + timedelta(hours=4), slot.end + timedelta(hours=4)
    url = f"/admin/bookings/timeslot/{slot.pk}/change/"
    refused = staff_browser.post(url, slot_form(period, *later))
    assert refused.status_code == 200
    assert "1 active reservation." in refused.content.decode() and "tick “force”" in refused.content.decode()
    slot.refresh_from_db()
    assert slot.start != later[0]
    with django_capture_on_commit_callbacks(execute=True):
        moved = staff_browser.post(url, {**slot_form(period, *later), "force": "on"})
    assert moved.status_code == 302
    slot.refresh_from_db()
    member.refresh_from_db()
    assert slot.start == later[0] and member.tickets == 1 and len(mail.outbox) == 1
