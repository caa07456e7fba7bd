"""Waiting lists: joining a full slot, offers that hold the freed seat, passing them on, the cutoff."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from app.bookings import waitlist
from app.bookings.models import Reservation, TimeSlot, WaitlistEntry
from app.bookings.services import reservations
from tests.bookings.conftest import give_tickets, make_period, make_slot, make_workplace
from tests.conftest import make_user, token_client


@pytest.fixture
def full_slot(db):
    """A one-seat slot in three days, taken by Ann."""
    slot = make_slot(make_period(make_workplace(seats=1)))
    reservations.reserve(give_tickets(make_user(email="ann@example.com"), 5), slot.pk)
    return slot


def member(email, tickets=5, **fields):
    return give_tickets(make_user(email=email, **fields), tickets)


def join(client, slot):
    return client.post(f"/api/timeslots/{slot.pk}/waitlist/", format="json")


def cancel_anns_seat(slot, callbacks, *, by_staff=None):
    ann = Reservation.objects.get(timeslot=slot, status="active")
    with callbacks(execute=True):
        if by_staff:  # inside the cancellation deadline
            reservations.cancel_reservation(ann, actor=by_staff)
            return
        response = token_client(ann.user).delete(f"/api/reservations/{ann.pk}/")
    assert response.status_code == 200


def test_joining_a_full_slot_puts_members_in_line(full_slot):
    bea, cal = member("bea@example.com"), member("cal@example.com")
    first = join(token_client(bea), full_slot)
    assert first.status_code == 201, first.json()
    assert (first.json()["position"], first.json()["status"], first.json()["offer_expires_at"]) == (1, "waiting", None)
    assert join(token_client(cal), full_slot).json()["position"] == 2
    mine = token_client(cal).get("/api/waitlist/").json()["results"]
    assert [(e["timeslot"], e["position"]) for e in mine] == [(full_slot.pk, 2)]


def test_joining_is_refused_when_it_makes_no_sense(full_slot, period, rich_member, member_client):
    free = make_slot(period)
    refused = join(member_client, free)
    assert refused.status_code == 409 and "reserve it instead" in refused.json()["detail"]
    assert refused.json()["code"] == "waitlist_seat_available"
    ann = Reservation.objects.get(timeslot=full_slot).user
    assert join(token_client(ann), full_slot).status_code == 409  # holds a seat
    assert join(member_client, full_slot).status_code == 201
    again = join(member_client, full_slot)
    assert again.status_code == 409 and again.json()["code"] == "already_waiting"
    assert again.json()["detail"] == "You are already on the waiting list of this time slot."
    TimeSlot.objects.filter(pk=full_slot.pk).update(start=timezone.now() - timedelta(minutes=1))
    WaitlistEntry.objects.all().delete()
    started = join(member_client, full_slot)
    assert started.status_code == 409 and started.json()["code"] == "slot_started"


def test_a_freed_seat_is_offered_to_the_first_in_line_and_held_for_them(
    full_slot, django_capture_on_commit_callbacks, settings
):
    bea, cal = member("bea@example.com"), member("cal@example.com")
    join(token_client(bea), full_slot)
    join(token_client(cal), full_slot)
    mail.outbox.clear()
    cancel_anns_seat(full_slot, django_capture_on_commit_callbacks)
    entry = WaitlistEntry.objects.get(user=bea)
    assert entry.status == "offered"
    held_until = timezone.now() + timedelta(minutes=settings.WAITLIST_HOLD_MINUTES)
    assert abs(entry.offer_expires_at - held_until) < timedelta(minutes=1)
    offers = [m for m in mail.outbox if m.to == [bea.email]]
    assert len(offers) == 1 and "held for you until" in offers[0].body and "/account/reservations/" in offers[0].body
    # The held seat is taken for everyone else: in the API and when booking.
    slot_body = token_client(cal).get(f"/api/timeslots/{full_slot.pk}/").json()
    assert slot_body["places_remaining"] == 0
    refused = token_client(cal).post("/api/reservations/", {"timeslot": full_slot.pk}, format="json")
    assert refused.status_code == 400 and refused.json()["detail"] == "This time slot is full."
    assert refused.json()["code"] == "slot_full"
    # Bea books through the normal endpoint, which ends her entry.
    booked = token_client(bea).post("/api/reservations/", {"timeslot": full_slot.pk}, format="json")
    assert booked.status_code == 201
    assert list(WaitlistEntry.objects.values_list("user__email", "status")) == [("cal@example.com", "waiting")]


def test_declining_passes_the_offer_on(full_slot, django_capture_on_commit_callbacks):
    bea, cal = member("bea@example.com"), member("cal@example.com")
    join(token_client(bea), full_slot)
    join(token_client(cal), full_slot)
    cancel_anns_seat(full_slot, django_capture_on_commit_callbacks)
    entry = WaitlistEntry.objects.get(user=bea)
    assert token_client(cal).post(f"/api/waitlist/{entry.pk}/decline/").status_code == 404  # not hers
    with django_capture_on_commit_callbacks(execute=True):
        assert token_client(bea).post(f"/api/waitlist/{entry.pk}/decline/").status_code == 204
    assert list(WaitlistEntry.objects.values_list("user__email", "status")) == [("cal@example.com", "offered")]


def test_leaving_the_list_while_offered_passes_it_on(full_slot, django_capture_on_commit_callbacks):
    bea, cal = member("bea@example.com"), member("cal@example.com")
    join(token_client(bea), full_slot)
    join(token_client(cal), full_slot)
    cancel_anns_seat(full_slot, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        assert token_client(bea).delete(f"/api/timeslots/{full_slot.pk}/waitlist/").status_code == 204
    assert WaitlistEntry.objects.get().user == cal and WaitlistEntry.objects.get().status == "offered"
    assert token_client(bea).delete(f"/api/timeslots/{full_slot.pk}/waitlist/").status_code == 404


def test_process_waitlists_expires_offers_and_passes_them_on(full_slot, django_capture_on_commit_callbacks):
    bea, cal = member("bea@example.com"), member("cal@example.com")
    join(token_client(bea), full_slot)
    join(token_client(cal), full_slot)
    cancel_anns_seat(full_slot, django_capture_on_commit_callbacks)
    WaitlistEntry.objects.filter(user=bea).update(offer_expires_at=timezone.now() - timedelta(seconds=1))
    # An expired offer holds nothing any more.
    assert token_client(cal).get(f"/api/timeslots/{full_slot.pk}/").json()["places_remaining"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        call_command("process_waitlists", stdout=open("/dev/null", "w"))
    assert list(WaitlistEntry.objects.values_list("user__email", "status")) == [("cal@example.com", "offered")]


def test_offers_stop_at_the_cutoff_and_never_outlive_it(db, staff_user, django_capture_on_commit_callbacks, settings):
    settings.WAITLIST_HOLD_MINUTES, settings.WAITLIST_CUTOFF_MINUTES = 720, 120
    soon = make_slot(make_period(make_workplace(seats=1)), days_ahead=1)
    start = timezone.now() + timedelta(hours=5)
    TimeSlot.objects.filter(pk=soon.pk).update(start=start, end=start + timedelta(hours=2))
    soon.refresh_from_db()
    reservations.reserve(member("ann@example.com"), soon.pk)
    bea = member("bea@example.com")
    join(token_client(bea), soon)
    cancel_anns_seat(soon, django_capture_on_commit_callbacks, by_staff=staff_user)
    entry = WaitlistEntry.objects.get(user=bea)
    assert entry.offer_expires_at == soon.start - timedelta(minutes=120)  # not now + 12 h
    # Past the cutoff: no offer, the freed seat is public.
    TimeSlot.objects.filter(pk=soon.pk).update(start=timezone.now() + timedelta(minutes=90))
    entry.status, entry.offer_expires_at = "waiting", None
    entry.save()
    with django_capture_on_commit_callbacks(execute=True):
        waitlist.process_waitlists()
    assert WaitlistEntry.objects.get().status == "waiting"
    closed = join(token_client(member("cal@example.com")), soon)
    assert closed.status_code == 409 and closed.json()["code"] == "waitlist_closed"


def test_raising_the_seats_offers_the_new_ones(full_slot, admin_client_api, django_capture_on_commit_callbacks):
    bea = member("bea@example.com")
    join(token_client(bea), full_slot)
    workplace = full_slot.period.workplace
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_api.patch(f"/api/workplaces/{workplace.pk}/", {"seats": 2}, format="json")
    assert response.status_code == 200
    assert WaitlistEntry.objects.get().status == "offered"


def test_staff_see_every_entry_and_filter_by_slot(full_slot, admin_client_api):
    join(token_client(member("bea@example.com")), full_slot)
    join(token_client(member("cal@example.com")), full_slot)
    rows = admin_client_api.get(f"/api/waitlist/?timeslot={full_slot.pk}").json()["results"]
    assert [row["position"] for row in rows] == [1, 2]
    assert admin_client_api.get(f"/api/waitlist/?timeslot={full_slot.pk + 1}").json()["count"] == 0


def test_a_french_member_gets_the_offer_in_french(full_slot, django_capture_on_commit_callbacks):
    fanny = member("fanny@example.com", first_name="Fanny", language="fr")
    join(token_client(fanny), full_slot)
    cancel_anns_seat(full_slot, django_capture_on_commit_callbacks)
    [offer] = [m for m in mail.outbox if m.to == [fanny.email]]
    assert "Une place vous est réservée" in offer.subject and "Elle vous est réservée jusqu’au" in offer.body


def test_process_waitlists_runs_a_constant_number_of_queries(db, django_assert_max_num_queries):
    """Ten slots or forty: the same queries (offers are written with one UPDATE per batch)."""

    def queue(n):
        for index in range(n):
            slot = make_slot(make_period(make_workplace(name=f"P{index}", seats=1)), days_ahead=2 + index % 5)
            WaitlistEntry.objects.create(user=member(f"w{n}-{index}@example.com"), timeslot=slot)

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for n in (10, 40):
        WaitlistEntry.objects.all().delete()
        queue(n)
        with CaptureQueriesContext(connection) as queries:
            assert waitlist.process_waitlists() == n
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_admin_shows_each_slots_queue(full_slot, staff_browser):
    join(token_client(member("bea@example.com")), full_slot)
    join(token_client(member("cal@example.com")), full_slot)
    html = staff_browser.get(f"/admin/bookings/timeslot/{full_slot.pk}/change/").content.decode()
    assert "Waiting list (first in line first)" in html
    assert html.index("bea@example.com") < html.index("cal@example.com")


def test_the_waiting_list_answers_in_french(full_slot):
    client = token_client(member("fanny@example.com", language="fr"))
    assert client.post(f"/api/timeslots/{full_slot.pk}/waitlist/", HTTP_ACCEPT_LANGUAGE="fr").status_code == 201
    again = client.post(f"/api/timeslots/{full_slot.pk}/waitlist/", HTTP_ACCEPT_LANGUAGE="fr")
    assert again.json()["detail"] == "Vous êtes déjà sur la liste d’attente de cette séance."


def test_closing_the_account_leaves_every_list_and_passes_the_offer_on(full_slot, django_capture_on_commit_callbacks):
    from app.members.closing import close_account
    from tests.conftest import PASSWORD

    bea, cal = member("bea@example.com"), member("cal@example.com")
    join(token_client(bea), full_slot)
    join(token_client(cal), full_slot)
    cancel_anns_seat(full_slot, django_capture_on_commit_callbacks)
    assert WaitlistEntry.objects.get(user=bea).status == "offered"
    with django_capture_on_commit_callbacks(execute=True):
        close_account(bea, password=PASSWORD)
    assert list(WaitlistEntry.objects.values_list("user__email", "status")) == [("cal@example.com", "offered")]
