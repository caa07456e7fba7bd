"""Reminders before each session: due offsets, at most once, catch-up, opting out in one click."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from app.bookings import reminders
from app.bookings.models import ReminderSent, Reservation, TimeSlot
from app.bookings.services import reservations
from tests.bookings.conftest import give_tickets, make_slot
from tests.conftest import make_user


@pytest.fixture
def booked(rich_member, period):
    """A reservation made a week ago for a slot three days ahead."""
    reservation = reservations.reserve(rich_member, make_slot(period, days_ahead=3).pk)
    Reservation.objects.filter(pk=reservation.pk).update(created=timezone.now() - timedelta(days=7))
    mail.outbox.clear()
    return Reservation.objects.select_related("timeslot").get(pk=reservation.pk)


def starts_in(reservation, delta):
    start = timezone.now() + delta
    TimeSlot.objects.filter(pk=reservation.timeslot_id).update(start=start, end=start + timedelta(hours=3))


def run():
    call_command("send_reminders", stdout=open("/dev/null", "w"))


def test_nothing_goes_before_the_first_offset(booked):
    starts_in(booked, timedelta(hours=25))
    run()
    assert mail.outbox == []


def test_each_offset_goes_once(booked, settings):
    settings.REMINDER_HOURS = [24, 2]
    starts_in(booked, timedelta(hours=23))
    run()
    run()  # a second run, or a retry, sends nothing more
    [first] = mail.outbox
    assert "starts in 23 hours" in first.subject and "1 Main St" in first.body and "/reminders/off/" in first.body
    starts_in(booked, timedelta(hours=1, minutes=50))
    run()
    assert len(mail.outbox) == 2 and "in 2 hours" in mail.outbox[1].subject
    assert set(ReminderSent.objects.values_list("hours_before", flat=True)) == {24, 2}


def test_a_late_run_sends_only_the_latest_due_and_never_after_the_start(booked, settings):
    settings.REMINDER_HOURS = [24, 2]
    starts_in(booked, timedelta(hours=1))
    run()
    [only] = mail.outbox
    assert "in 1 hour" in only.subject
    assert set(ReminderSent.objects.values_list("hours_before", flat=True)) == {24, 2}
    ReminderSent.objects.all().delete()
    mail.outbox.clear()
    starts_in(booked, timedelta(minutes=-1))
    run()
    assert mail.outbox == []


def test_an_offset_already_past_at_booking_is_skipped(rich_member, period, settings):
    settings.REMINDER_HOURS = [24, 2]
    reservation = reservations.reserve(rich_member, make_slot(period, days_ahead=3).pk)
    starts_in(reservation, timedelta(hours=10))  # booked 10 h before: no "24 h" reminder
    mail.outbox.clear()
    run()
    assert mail.outbox == []


def test_members_who_turned_reminders_off_get_none(booked, member_client):
    response = member_client.patch("/api/users/me/", {"session_reminders": False}, format="json")
    assert response.status_code == 200 and response.json()["session_reminders"] is False
    starts_in(booked, timedelta(hours=1))
    run()
    assert mail.outbox == []


def test_the_one_click_link_turns_reminders_off_without_logging_in(booked, client, rich_member):
    url = reminders.opt_out_url(rich_member.pk).removeprefix("http://127.0.0.1:8000")
    page = client.get(url)
    assert page.status_code == 200 and b"Turn reminders off" in page.content
    rich_member.refresh_from_db()
    assert rich_member.session_reminders is True  # opening the link changes nothing
    assert client.post(url).status_code == 200
    rich_member.refresh_from_db()
    assert rich_member.session_reminders is False
    assert client.get(url[:-5] + "xxxx/").status_code == 404


def test_a_pair_claimed_by_one_run_is_not_claimed_by_another(booked):
    """Overlapping runs both try to insert the row: the unique key lets one insert through."""
    now = timezone.now()
    assert reminders._claim([(booked.pk, 24), (booked.pk, 2)], now) == {(booked.pk, 24), (booked.pk, 2)}
    assert reminders._claim([(booked.pk, 24)], now) == set()
    assert ReminderSent.objects.count() == 2


def test_a_french_member_is_reminded_in_french(period):
    fanny = give_tickets(make_user(email="fanny@example.com", first_name="Fanny", language="fr"), 5)
    reservation = reservations.reserve(fanny, make_slot(period).pk)
    Reservation.objects.filter(pk=reservation.pk).update(created=timezone.now() - timedelta(days=7))
    starts_in(reservation, timedelta(hours=3))
    mail.outbox.clear()
    run()
    [message] = mail.outbox
    assert "commence dans 3 heures" in message.subject and "Quand" in message.body


def test_batches_cost_the_same_queries_whatever_their_size(period, settings, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.REMINDER_HOURS = [24]
    counts = []
    for n in (5, 40):
        Reservation.objects.all().delete()
        for index in range(n):
            user = give_tickets(make_user(email=f"r{n}-{index}@example.com"), 1)
            reservation = reservations.reserve(user, make_slot(period, days_ahead=3 + index).pk)
            Reservation.objects.filter(pk=reservation.pk).update(created=timezone.now() - timedelta(days=30))
            starts_in(reservation, timedelta(hours=5))
        with CaptureQueriesContext(connection) as queries:
            assert reminders.send_reminders() == n
        counts.append(len(queries))
    assert counts[0] == counts[1]
