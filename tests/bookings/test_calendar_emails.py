"""Every booking is confirmed by e-mail with a calendar entry; every cancellation withdraws it."""

import base64
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from app.bookings import ics
from app.bookings.models import Reservation
from app.bookings.services import reservations, slots
from app.members.closing import close_account
from tests.bookings.conftest import give_tickets, make_slot
from tests.conftest import PASSWORD, make_user, token_client
from tests.integrations.recording_server import sendinblue_on

# Today's counts (before the e-mail and the waiting list), measured on this commit's parent: 11 and 11.
QUERIES_BEFORE = {"reserve": 11, "cancel": 11}


def reserve(client, slot):
    return client.post("/api/reservations/", {"timeslot": slot.pk}, format="json")


def calendar_of(message):
    [(name, content, mimetype)] = message.attachments
    assert (name, mimetype) == ("session.ics", "text/calendar")
    return content


def unfolded(text):
    return text.replace("\r\n ", "")


def test_a_members_own_booking_is_confirmed_with_a_calendar_entry(
    member_client, rich_member, period, django_capture_on_commit_callbacks
):
    workplace = period.workplace
    workplace.address_line2, workplace.details = "Room 3, 2nd floor", "Ring twice; tea is free."
    workplace.save()
    slot = make_slot(period)
    with django_capture_on_commit_callbacks(execute=True):
        response = reserve(member_client, slot)
    assert response.status_code == 201
    [message] = mail.outbox
    assert message.to == [rich_member.email]
    assert "Montreal Library, 1 Main St, Room 3, 2nd floor, Montreal, QC H2X 1Y4, Canada" in message.body
    assert "https://www.openstreetmap.org/search?query=1+Main+St%2C+Room+3" in message.body
    assert "Ring twice; tea is free." in message.body
    assert "Montreal time (UTC-05:00)" in message.body or "Montreal time (UTC-04:00)" in message.body
    assert "You can cancel it until" in message.body
    assert "America/" not in message.body and f"{slot.start:%Y-%m-%d}" not in message.body  # the members' way
    assert any(
        day in message.body for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
    )
    text = calendar_of(message)
    assert text.endswith("END:VCALENDAR\r\n") and all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    entry = unfolded(text)
    assert "METHOD:REQUEST" in entry and "STATUS:CONFIRMED" in entry and "SEQUENCE:0" in entry
    assert f"UID:reservation-{response.json()['id']}@127.0.0.1" in entry
    assert f"DTSTART:{slot.start.astimezone(ics.UTC):%Y%m%dT%H%M%SZ}" in entry
    assert f"DTEND:{slot.end.astimezone(ics.UTC):%Y%m%dT%H%M%SZ}" in entry
    assert "LOCATION:1 Main St\\, Room 3\\, 2nd floor\\, Montreal\\, QC H2X 1Y4\\, Canada" in entry
    assert "DESCRIPTION:Ring twice\\; tea is free." in entry
    assert f'ATTENDEE;CN="Mia Member";ROLE=REQ-PARTICIPANT:mailto:{rich_member.email}' in entry


def test_cancelling_sends_method_cancel_with_the_same_uid_and_a_higher_sequence(
    member_client, rich_member, slot, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        booked = reserve(member_client, slot).json()
        assert member_client.delete(f"/api/reservations/{booked['id']}/").status_code == 200
    confirmation, cancellation = mail.outbox
    before, after = unfolded(calendar_of(confirmation)), unfolded(calendar_of(cancellation))
    uid = f"UID:reservation-{booked['id']}@127.0.0.1"
    assert uid in before and uid in after
    assert "METHOD:CANCEL" in after and "STATUS:CANCELLED" in after and "SEQUENCE:1" in after
    assert "was cancelled as you asked" in cancellation.body


@pytest.mark.parametrize("path", ["staff", "slot_removed", "slot_moved", "account_closed"])
def test_every_cancellation_path_withdraws_the_calendar_entry(
    path, rich_member, staff_user, slot, django_capture_on_commit_callbacks
):
    reservation = reservations.reserve(rich_member, slot.pk)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        if path == "staff":
            reservations.cancel_reservation(reservation, actor=staff_user)
        elif path == "slot_removed":
            slots.delete_timeslot(slot, force=True, actor=staff_user)
        elif path == "slot_moved":
            slots.update_timeslot(slot, start=slot.start + timedelta(hours=1), force=True, actor=staff_user)
        else:
            close_account(rich_member, password=PASSWORD)
    [message] = [m for m in mail.outbox if m.attachments]
    entry = unfolded(calendar_of(message))
    assert "METHOD:CANCEL" in entry and f"UID:reservation-{reservation.pk}@" in entry and "SEQUENCE:1" in entry
    expected = {
        "staff": "was cancelled by our team",
        "slot_removed": "was removed",
        "slot_moved": "changed time",
        "account_closed": "was cancelled when you closed your account",
    }[path]
    assert expected in message.body


def test_a_french_member_gets_the_confirmation_in_french(period, django_capture_on_commit_callbacks):
    member = give_tickets(make_user(email="fanny@example.com", first_name="Fanny", language="fr"), 5)
    with django_capture_on_commit_callbacks(execute=True):
        assert reserve(token_client(member), make_slot(period)).status_code == 201
    [message] = mail.outbox
    assert "Votre place est réservée" in message.body and "heure de Montreal" in message.body
    assert "Séance d’écriture" in unfolded(calendar_of(message))


def test_sendinblue_gets_the_calendar_entry_as_the_apis_attachment(
    member_client, rich_member, slot, settings, django_capture_on_commit_callbacks
):
    settings.RESERVATION_CONFIRMED = 12
    with sendinblue_on(settings) as server, django_capture_on_commit_callbacks(execute=True):
        assert reserve(member_client, slot).status_code == 201
    (request,) = server.requests
    body = request.json
    assert body["templateId"] == 12
    [attachment] = body["attachment"]
    assert attachment["name"] == "session.ics"
    assert "METHOD:REQUEST" in base64.b64decode(attachment["content"]).decode()
    assert body["params"]["address"].startswith("1 Main St") and body["params"]["map_url"].startswith("https://www.")


def test_the_calendar_file_of_a_reservation_is_for_its_owner_and_staff(
    member_client, rich_member, admin_client_api, slot
):
    reservation = reservations.reserve(rich_member, slot.pk)
    url = f"/api/reservations/{reservation.pk}/ics/"
    response = member_client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "text/calendar; charset=utf-8"
    text = response.content.decode()
    assert f"UID:reservation-{reservation.pk}@" in text and "METHOD" not in text
    assert admin_client_api.get(url).status_code == 200
    stranger = token_client(make_user(email="other@example.com"))
    assert stranger.get(url).status_code == 404
    assert token_client(rich_member).__class__ and member_client.get("/api/reservations/999999/ics/").status_code == 404


def test_reserving_and_cancelling_stay_within_two_queries_of_before(member_client, rich_member, slot):
    """Counted with the e-mail and the waiting-list check that run after the answer."""
    with CaptureQueriesContext(connection) as reserving:
        booked = reserve(member_client, slot)
    assert booked.status_code == 201
    with CaptureQueriesContext(connection) as cancelling:
        assert member_client.delete(f"/api/reservations/{booked.json()['id']}/").status_code == 200
    assert len(reserving) <= QUERIES_BEFORE["reserve"] + 2
    assert len(cancelling) <= QUERIES_BEFORE["cancel"] + 2
    assert Reservation.objects.get().status == "cancelled"


def test_text_values_are_escaped_and_long_lines_folded_between_characters():
    assert ics.escape("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
    line = "DESCRIPTION:" + "é" * 80
    folded = ics.fold(line)
    assert all(len(part.encode()) <= 75 for part in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == line


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_e_mails_times_are_the_members_local_day_and_clock(period, language):
    """slot_params writes the start's day and clock once and joins them as local_time does."""
    from django.utils import translation

    from app.bookings import notices
    from app.core import moments

    slot = make_slot(period, start_hour=9)
    zone = period.workplace.zone
    with translation.override(language):
        params = notices.slot_params(slot)
        start = slot.start.astimezone(zone)
        assert params["start"] == notices.local_time(slot.start, zone)
        assert params["start"] == f"{params['day']}, {params['start_time']}"
        assert (params["day"], params["start_time"]) == (moments.day_text(start), moments.clock_text(start, zone))
    assert params["start_time"] == ("9:00 a.m." if language == "en" else "9\xa0h\xa000")


def test_the_times_written_once_per_slot_follow_its_language_time_zone_and_deadline(period, settings):
    """notices._times keeps a slot's words per process: whatever they depend on is in its key."""
    from django.utils import translation

    from app.bookings import notices
    from app.core import moments

    slot = make_slot(period, start_hour=9)
    first = notices.slot_params(slot)
    assert notices.slot_params(slot) == first and notices.slot_params(slot) is not first
    with translation.override("fr"):
        assert notices.slot_params(slot)["start_time"] == "9\xa0h\xa000"
    settings.RESERVATION_CANCEL_DEADLINE_HOURS = 48
    assert notices.slot_params(slot)["cancel_deadline"] != first["cancel_deadline"]
    settings.RESERVATION_CANCEL_DEADLINE_HOURS = 24
    workplace = period.workplace
    workplace.timezone, workplace.city = "Asia/Kolkata", "Kolkata"
    in_kolkata = notices.slot_params(slot)
    assert in_kolkata["start_time"] == moments.clock_text(slot.start, workplace.zone) != first["start_time"]
    assert in_kolkata["zone_name"] == "Kolkata time (UTC+05:30)"
    slot.start += timedelta(minutes=30)
    assert notices.slot_params(slot)["start_time"] == moments.clock_text(slot.start, workplace.zone)
    assert notices.slot_params(slot)["start_time"] != in_kolkata["start_time"]


@pytest.mark.parametrize(
    "line, parts",
    [
        ("X" * 75, 1),  # 75 octets: one line
        ("X" * 76, 2),
        ("SUMMARY:" + "é" * 40, 2),  # 48 characters but 88 octets: folded all the same
        ("SUMMARY:" + "é" * 33, 1),  # 74 octets
    ],
)
def test_lines_are_folded_by_their_octets_not_their_characters(line, parts):
    folded = ics.fold(line)
    assert len(folded.split("\r\n ")) == parts and folded.replace("\r\n ", "") == line
    assert all(len(part.encode()) <= 75 for part in folded.split("\r\n"))


def test_a_french_member_is_told_of_a_cancellation_in_french(period, django_capture_on_commit_callbacks):
    member = give_tickets(make_user(email="fanny@example.com", first_name="Fanny", language="fr"), 5)
    client = token_client(member)
    booked = reserve(client, make_slot(period)).json()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.delete(f"/api/reservations/{booked['id']}/").status_code == 200
    [message] = mail.outbox
    assert "a été annulée comme vous l’avez demandé" in message.body and "Carte\u00a0:" in message.body
    assert "METHOD:CANCEL" in calendar_of(message)
    # The members' one way to write a time: the day in words and HNE/HAE, never an IANA id.
    assert "America/" not in message.body and ("HNE" in message.body or "HAE" in message.body)
    assert any(day in message.body for day in ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"))
