"""The admin screens for staff: book a member into slots, attendance sheet, attendance list editing."""

from datetime import timedelta

from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from app.accounts.models import TicketMovement
from app.bookings.models import Reservation, TimeSlot
from tests.bookings.conftest import give_tickets, make_slot
from tests.conftest import make_user


def book_action(browser, slots, **form):
    data = {"action": "book_member", "_selected_action": [slot.pk for slot in slots], **form}
    return browser.post("/admin/bookings/timeslot/", data, follow=True)


def test_admin_books_a_member_into_slots_with_the_members_rules(
    staff_browser, staff_user, rich_member, period, django_capture_on_commit_callbacks
):
    first, second = make_slot(period, days_ahead=3), make_slot(period, days_ahead=4)
    form_page = staff_browser.post(
        "/admin/bookings/timeslot/", {"action": "book_member", "_selected_action": [first.pk, second.pk]}
    )
    assert form_page.status_code == 200 and b"Type a name or an e-mail address." in form_page.content
    # The member is searched through the admin's autocomplete (the member list's own search).
    assert b"admin-autocomplete" in form_page.content and b"select2" in form_page.content
    found = staff_browser.get(
        "/admin/autocomplete/",
        {"app_label": "bookings", "model_name": "reservation", "field_name": "user", "term": rich_member.last_name},
    )
    assert found.status_code == 200 and str(rich_member.pk) in [item["id"] for item in found.json()["results"]]
    with django_capture_on_commit_callbacks(execute=True):
        done = book_action(staff_browser, [first, second], member=rich_member.pk, free_reason="", apply="1")
    assert b"booked into 2 time slots" in done.content
    assert Reservation.objects.filter(user=rich_member, booked_by=staff_user, price=1).count() == 2
    rich_member.refresh_from_db()
    assert rich_member.tickets == 8
    assert len(mail.outbox) == 2
    # Again: the one-seat-per-member rule answers with its own words; nothing more is taken.
    again = book_action(staff_browser, [first], member=rich_member.pk, free_reason="", apply="1")
    assert b"This member already has a reservation" in again.content
    rich_member.refresh_from_db()
    assert rich_member.tickets == 8


def test_admin_books_a_free_seat_and_refuses_an_unknown_member(staff_browser, member, slot):
    unknown = book_action(staff_browser, [slot], member="999999", apply="1")
    assert b"Select a valid choice." in unknown.content
    done = book_action(staff_browser, [slot], member=member.pk, free_reason="Speaker", apply="1")
    assert b"booked into 1 time slot." in done.content
    movement = TicketMovement.objects.get(user=member)
    assert (movement.delta, movement.reason) == (0, "free_reservation")


def started(slot):
    TimeSlot.objects.filter(pk=slot.pk).update(start=timezone.now() - timedelta(minutes=30))


def test_attendance_sheet_lists_members_with_contact_and_status_in_bounded_queries(staff_browser, period):
    slot = make_slot(period)
    counts = []
    for index in range(3):
        member = make_user(email=f"s{index}@example.com", last_name=f"Writer{index}", phone=f"555-000{index}")
        Reservation.objects.create(user=member, timeslot=slot, price=1, is_present=index == 0 or None)
        with CaptureQueriesContext(connection) as queries:
            page = staff_browser.get(f"/admin/bookings/timeslot/{slot.pk}/attendance/")
        assert page.status_code == 200
        counts.append(len(queries))
    text = page.content.decode()
    assert "Writer2" in text and "s2@example.com" in text and "555-0002" in text
    assert "present" in text and "not taken" in text and "3 members booked" in text
    assert counts[0] == counts[-1], counts  # one more member, no more queries
    assert staff_browser.get("/admin/bookings/timeslot/999999/attendance/").status_code == 404


def test_attendance_sheet_is_staff_only(client, member, slot):
    client.force_login(member)
    response = client.get(f"/admin/bookings/timeslot/{slot.pk}/attendance/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_admin_list_editing_marks_attendance_after_the_start_only(staff_browser, period):
    coming, past = make_slot(period, days_ahead=3), make_slot(period, days_ahead=4)
    early = Reservation.objects.create(user=make_user(email="a@example.com"), timeslot=coming, price=1)
    came = Reservation.objects.create(user=make_user(email="b@example.com"), timeslot=past, price=1)
    started(past)
    with CaptureQueriesContext(connection) as queries:
        page = staff_browser.get("/admin/bookings/reservation/")
    assert page.status_code == 200 and len(queries) < 20
    form = {
        "form-TOTAL_FORMS": "2",
        "form-INITIAL_FORMS": "2",
        "form-0-id": str(came.pk),
        "form-0-is_present": "true",
        "form-1-id": str(early.pk),
        "form-1-is_present": "unknown",
        "_save": "Save",
    }
    # Ordering of the list is newest first: `early` was created first, so it is the second row.
    response = staff_browser.post("/admin/bookings/reservation/", form, follow=True)
    assert response.status_code == 200
    came.refresh_from_db()
    assert came.is_present is True
    form.update({"form-1-is_present": "false"})
    refused = staff_browser.post("/admin/bookings/reservation/", form)
    assert refused.status_code == 200 and b"once the time slot has started" in refused.content
    # Said at the top, with whose reservation, not only "Please correct the error below."
    assert (
        b'class="error"' in refused.content
        and b"a@example.com: attendance can be taken once" in refused.content.lower()
    )
    early.refresh_from_db()
    assert early.is_present is None


def test_admin_reservation_list_query_count_does_not_grow(staff_browser, period):
    counts = []
    for n in (3, 12):
        while Reservation.objects.count() < n:
            index = Reservation.objects.count()
            slot = make_slot(period, days_ahead=2 + index)
            Reservation.objects.create(
                user=give_tickets(make_user(email=f"r{index}@example.com"), 1), timeslot=slot, price=1
            )
        with CaptureQueriesContext(connection) as queries:
            assert staff_browser.get("/admin/bookings/reservation/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
