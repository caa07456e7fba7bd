"""Workplaces, periods and slots through the API: visibility, filters, forced changes, pictures."""

import json
from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.storage import default_storage
from django.utils import timezone

from app.accounts.models import TicketMovement
from app.bookings.models import Period, Reservation, TimeSlot, WorkplacePicture
from app.bookings.services import reservations
from tests.bookings.conftest import MONTREAL, give_tickets, local, make_period, make_slot
from tests.conftest import make_user, token_client

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def book(user, slot):
    return reservations.reserve(user, slot.pk)


@pytest.fixture
def booked_slot(period):
    slot = make_slot(period, days_ahead=5, price=2)
    members = [give_tickets(make_user(email=f"b{index}@example.com", first_name=f"B{index}"), 2) for index in range(2)]
    for member in members:
        book(member, slot)
    return slot, members


def test_visitors_see_only_slots_and_periods_that_are_active(anon_client, admin_client_api, montreal):
    open_slot = make_slot(make_period(montreal))
    hidden = make_slot(make_period(montreal, is_active=False, name="Draft"), days_ahead=4)
    assert [s["id"] for s in anon_client.get("/api/timeslots/").json()["results"]] == [open_slot.pk]
    assert anon_client.get(f"/api/timeslots/{hidden.pk}/").status_code == 404
    assert [p["name"] for p in anon_client.get("/api/periods/").json()["results"]] == ["Term"]
    assert len(admin_client_api.get("/api/timeslots/").json()["results"]) == 2
    assert len(admin_client_api.get("/api/periods/").json()["results"]) == 2


def test_slot_reads_back_with_workplace_and_places_remaining(anon_client, booked_slot):
    slot, _ = booked_slot
    body = anon_client.get(f"/api/timeslots/{slot.pk}/").json()
    assert body["workplace"] == slot.period.workplace_id
    assert body["places_remaining"] == 1  # 3 seats, 2 reserved
    assert body["price"] == 2 and body["timezone"] == "America/Montreal"
    assert set(body) >= {"id", "period", "workplace", "start", "end", "price", "places_remaining"}


def test_no_member_data_on_slot_or_workplace_endpoints(anon_client, member_client, booked_slot):
    slot, members = booked_slot
    for client in (anon_client, member_client):
        for url in ("/api/timeslots/", f"/api/timeslots/{slot.pk}/", "/api/workplaces/", "/api/periods/"):
            text = client.get(url).content.decode()
            for member in members:
                assert member.email not in text and member.first_name not in text


def test_slots_filter_by_workplace_and_local_dates(anon_client, montreal, kolkata):
    near = make_slot(make_period(montreal), days_ahead=2)
    far = make_slot(montreal.periods.get(), days_ahead=9)
    indian = make_slot(make_period(kolkata), days_ahead=2)
    by_workplace = anon_client.get(f"/api/timeslots/?workplace={kolkata.pk}").json()["results"]
    assert [s["id"] for s in by_workplace] == [indian.pk]
    first, last = near.local_date, near.local_date + timedelta(days=1)
    ranged = anon_client.get(f"/api/timeslots/?workplace={montreal.pk}&date_from={first}&date_to={last}").json()
    assert [s["id"] for s in ranged["results"]] == [near.pk]
    later = anon_client.get(f"/api/timeslots/?date_from={far.local_date}").json()["results"]
    assert [s["id"] for s in later] == [far.pk]


@pytest.mark.parametrize("query", ["workplace=abc", "date_from=tomorrow", "date_to=2030-13-01", "period=1.5"])
def test_bad_filters_are_400_not_500(anon_client, db, query):
    response = anon_client.get(f"/api/timeslots/?{query}")
    assert response.status_code == 400
    assert response.json()


def test_only_admins_create_slots(member_client, period):
    day = timezone.localdate() + timedelta(days=3)
    body = {
        "period": period.pk,
        "start": local(day, 9, MONTREAL).isoformat(),
        "end": local(day, 10, MONTREAL).isoformat(),
    }
    assert member_client.post("/api/timeslots/", body, format="json").status_code == 403
    assert not TimeSlot.objects.exists()


def test_moving_a_booked_slot_needs_force(admin_client_api, booked_slot):
    slot, _members = booked_slot
    new_start = slot.start + timedelta(hours=4)
    body = {"start": new_start.isoformat(), "end": (new_start + timedelta(hours=1)).isoformat()}
    response = admin_client_api.patch(f"/api/timeslots/{slot.pk}/", body, format="json")
    assert response.status_code == 400
    assert "2 active reservations" in response.json()["detail"]
    assert "force=true" in response.json()["detail"]
    slot.refresh_from_db()
    assert slot.start != new_start
    assert Reservation.objects.filter(status="active").count() == 2
    assert not mail.outbox


def test_forced_move_refunds_and_emails_each_member(
    admin_client_api, staff_user, booked_slot, django_capture_on_commit_callbacks
):
    slot, members = booked_slot
    new_start = slot.start + timedelta(hours=4)
    body = {"start": new_start.isoformat(), "end": (new_start + timedelta(hours=1)).isoformat(), "force": True}
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_api.patch(f"/api/timeslots/{slot.pk}/", body, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["places_remaining"] == 3
    for member in members:
        member.refresh_from_db()
        assert member.tickets == 2
    refunds = TicketMovement.objects.filter(reason=TicketMovement.Reason.SLOT_CHANGED)
    assert sorted(refunds.values_list("user_id", "delta")) == sorted((m.pk, 2) for m in members)
    assert set(refunds.values_list("actor", flat=True)) == {staff_user.pk}
    assert sorted(message.to[0] for message in mail.outbox) == sorted(m.email for m in members)
    message = mail.outbox[0]
    assert "cancelled" in message.subject and "Montreal Library" in message.subject
    assert "changed time" in message.body and "2 tickets have been returned" in message.body
    assert set(Reservation.objects.values_list("status", "cancelled_because")) == {("cancelled", "slot_changed")}


def test_changing_only_the_price_keeps_reservations(admin_client_api, booked_slot):
    slot, _members = booked_slot
    response = admin_client_api.patch(f"/api/timeslots/{slot.pk}/", {"price": 5}, format="json")
    assert response.status_code == 200
    assert response.json()["price"] == 5 and response.json()["places_remaining"] == 1
    assert Reservation.objects.filter(status="active").count() == 2
    assert set(Reservation.objects.values_list("price", flat=True)) == {2}  # what they paid


def test_deleting_a_booked_slot_needs_force_then_refunds(
    admin_client_api, booked_slot, django_capture_on_commit_callbacks
):
    slot, members = booked_slot
    refused = admin_client_api.delete(f"/api/timeslots/{slot.pk}/")
    assert refused.status_code == 400
    assert "2 active reservations" in refused.json()["detail"]
    assert TimeSlot.objects.filter(pk=slot.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_api.delete(f"/api/timeslots/{slot.pk}/?force=true")
    assert response.status_code == 204
    assert admin_client_api.get(f"/api/timeslots/{slot.pk}/").status_code == 404
    for member in members:
        member.refresh_from_db()
        assert member.tickets == 2
    assert len(mail.outbox) == 2 and "was removed" in mail.outbox[0].body


def test_a_force_deleted_slot_keeps_its_reservations_as_history(
    admin_client_api, anon_client, booked_slot, django_capture_on_commit_callbacks
):
    slot, members = booked_slot
    with django_capture_on_commit_callbacks(execute=True):
        assert admin_client_api.delete(f"/api/timeslots/{slot.pk}/?force=true").status_code == 204

    # Each member still sees the reservation, what happened to it and when the slot was.
    mine = token_client(members[0]).get("/api/reservations/").json()["results"]
    assert len(mine) == 1
    assert mine[0]["timeslot"] == slot.pk and mine[0]["start"] == slot.start.isoformat().replace("+00:00", "Z")
    assert mine[0]["status"] == "cancelled" and mine[0]["cancelled_because"] == "slot_changed"
    assert mine[0]["timeslot_removed_at"] is not None
    # Admins see every reservation of the removed slot.
    history = admin_client_api.get(f"/api/reservations/?timeslot={slot.pk}").json()
    assert history["count"] == 2 and {r["status"] for r in history["results"]} == {"cancelled"}

    # The slot leaves the public lists, takes no reservation and no longer blocks its time.
    assert slot.pk not in [s["id"] for s in anon_client.get("/api/timeslots/").json()["results"]]
    assert anon_client.get(f"/api/timeslots/{slot.pk}/").status_code == 404
    again = token_client(members[1]).post("/api/reservations/", {"timeslot": slot.pk}, format="json")
    assert again.status_code == 400 and again.json() == {
        "detail": "Some of the information given is not valid.",
        "code": "invalid",
        "fields": {"timeslot": ["No time slot with this id."]},
    }
    body = {"period": slot.period_id, "start": slot.start.isoformat(), "end": slot.end.isoformat()}
    replacement = admin_client_api.post("/api/timeslots/", body, format="json")
    assert replacement.status_code == 201, replacement.json()
    assert admin_client_api.delete(f"/api/timeslots/{slot.pk}/?force=true").status_code == 404


def test_a_slot_never_reserved_is_really_deleted(admin_client_api, slot):
    response = admin_client_api.delete(f"/api/timeslots/{slot.pk}/")
    assert response.status_code == 204
    assert not TimeSlot.objects.filter(pk=slot.pk).exists()


def test_a_period_or_workplace_with_reservations_cannot_be_deleted(admin_client_api, booked_slot):
    slot, _ = booked_slot
    for url in (f"/api/periods/{slot.period_id}/", f"/api/workplaces/{slot.period.workplace_id}/"):
        response = admin_client_api.delete(url)
        assert response.status_code == 409  # in use, like a product on orders (was 400 here, 409 in the store)
        assert "reservations" in response.json()["detail"]
    assert Reservation.objects.count() == 2


def test_active_periods_of_a_workplace_never_overlap(admin_client_api, period):
    body = {
        "workplace": period.workplace_id,
        "name": "Summer",
        "start_date": str(period.end_date),
        "end_date": str(period.end_date + timedelta(days=30)),
        "price": 1,
        "is_active": True,
    }
    response = admin_client_api.post("/api/periods/", body, format="json")
    assert response.status_code == 400
    assert "overlaps" in response.json()["fields"]["is_active"][0]
    draft = admin_client_api.post("/api/periods/", {**body, "is_active": False}, format="json")
    assert draft.status_code == 201
    activate = admin_client_api.patch(f"/api/periods/{draft.json()['id']}/", {"is_active": True}, format="json")
    assert activate.status_code == 400
    assert Period.objects.filter(is_active=True).count() == 1


def test_period_dates_cannot_leave_its_slots_outside(admin_client_api, slot):
    response = admin_client_api.patch(
        f"/api/periods/{slot.period_id}/", {"end_date": str(slot.local_date - timedelta(days=1))}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Some of the information given is not valid.",
        "code": "invalid",
        "fields": {"start_date": ["Some time slots of this period would fall outside its new dates."]},
    }
    bad_order = admin_client_api.patch(
        f"/api/periods/{slot.period_id}/", {"start_date": "2031-01-02", "end_date": "2031-01-01"}, format="json"
    )
    assert bad_order.status_code == 400
    assert bad_order.json() == {
        "detail": "Some of the information given is not valid.",
        "code": "invalid",
        "fields": {"end_date": ["The end date must not be before the start date."]},
    }


def test_workplace_time_zone_is_fixed_once_it_has_slots(admin_client_api, slot):
    url = f"/api/workplaces/{slot.period.workplace_id}/"
    response = admin_client_api.patch(url, {"timezone": "Asia/Kolkata"}, format="json")
    assert response.status_code == 400
    assert "cannot change" in response.json()["fields"]["timezone"][0]
    assert admin_client_api.patch(url, {"details": "Quiet room"}, format="json").status_code == 200


def test_seats_cannot_drop_below_a_coming_slot_bookings(admin_client_api, booked_slot):
    slot, _ = booked_slot
    url = f"/api/workplaces/{slot.period.workplace_id}/"
    refused = admin_client_api.patch(url, {"seats": 1}, format="json")
    assert refused.status_code == 400
    assert refused.json() == {
        "detail": "Some of the information given is not valid.",
        "code": "invalid",
        "fields": {"seats": ["A coming time slot already has 2 reservations."]},
    }
    accepted = admin_client_api.patch(url, {"seats": 2}, format="json")
    assert accepted.status_code == 200 and accepted.json()["seats"] == 2


def test_admin_uploads_a_picture_into_the_media_storage(admin_client_api, montreal, anon_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("room.png", PNG, content_type="image/png")
    response = admin_client_api.post(
        f"/api/workplaces/{montreal.pk}/pictures/", {"image": upload, "caption": "Room"}, format="multipart"
    )
    assert response.status_code == 201, response.json()
    picture = WorkplacePicture.objects.get()
    assert default_storage.exists(picture.image.name)
    listed = anon_client.get(f"/api/workplaces/{montreal.pk}/").json()["pictures"]
    assert listed[0]["caption"] == "Room" and listed[0]["image"].endswith(".png")
    deleted = admin_client_api.delete(f"/api/workplaces/{montreal.pk}/pictures/{picture.pk}/")
    assert deleted.status_code == 204
    assert not default_storage.exists(picture.image.name)


@pytest.mark.parametrize(
    ("name", "content"), [("notes.png", b"just some text, not an image"), ("room.exe", PNG)], ids=["fake", "extension"]
)
def test_pictures_that_are_not_images_are_refused(admin_client_api, montreal, name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(name, content, content_type="image/png")
    response = admin_client_api.post(f"/api/workplaces/{montreal.pk}/pictures/", {"image": upload}, format="multipart")
    assert response.status_code == 400
    assert "image" in response.json()["fields"]
    assert not WorkplacePicture.objects.exists()


def test_members_cannot_upload_pictures(member, montreal):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = token_client(member)
    upload = SimpleUploadedFile("room.png", PNG, content_type="image/png")
    response = client.post(f"/api/workplaces/{montreal.pk}/pictures/", {"image": upload}, format="multipart")
    assert response.status_code == 403
    assert response.json() == {"detail": "Only administrators may change this.", "code": "permission_denied"}


def test_workplace_create_follows_the_design_shape(admin_client_api, db):
    body = {
        "name": "Kolkata Room",
        "seats": 8,
        "timezone": "Asia/Kolkata",
        "address_line1": "2 Park St",
        "city": "Kolkata",
        "state_province": "WB",
        "postal_code": "700016",
        "country": "India",
    }
    response = admin_client_api.post("/api/workplaces/", json.dumps(body), content_type="application/json")
    assert response.status_code == 201
    assert response.json()["pictures"] == [] and response.json()["details"] == ""
    assert admin_client_api.post("/api/workplaces/", {**body, "seats": 0}, format="json").status_code == 400
