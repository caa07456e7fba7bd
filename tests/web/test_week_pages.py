"""The member's week on the pages, without JavaScript: where sessions are, confirmation steps,
waiting lists, moving a booking, reminders and the calendar feed on /account/."""

from datetime import timedelta

from django.utils import timezone

from app.accounts.models import User
from app.bookings.models import CalendarFeed, Reservation, TimeSlot, WaitlistEntry
from app.bookings.services import reservations
from tests.web.conftest import give_tickets, make_slot, make_user


def soon(period, hours=5):
    slot = make_slot(period, days_ahead=3)
    start = timezone.now() + timedelta(hours=hours)
    TimeSlot.objects.filter(pk=slot.pk).update(start=start, end=start + timedelta(hours=2))
    return slot


def test_sessions_show_the_address_and_a_map_link_only(client, slot, workplace):
    workplace.details = "Enter by the side door."
    workplace.save()
    html = client.get("/sessions/").content.decode()
    assert "1 Main St, Montreal, QC H2X 1Y4, Canada" in html or "Montreal" in html
    assert 'href="https://www.openstreetmap.org/search?query=' in html
    assert "Enter by the side door." in html
    assert "<iframe" not in html and "openstreetmap.org/" not in html.replace('href="https://www.openstreetmap', "")


def test_home_shows_the_members_next_session(logged_in, member, slot):
    assert "Your next session" not in logged_in.get("/").content.decode()
    reservation = reservations.reserve(member, slot.pk)
    html = logged_in.get("/").content.decode()
    assert "Your next session" in html and f"/api/reservations/{reservation.pk}/ics/" in html


def test_booking_inside_the_deadline_asks_first(logged_in, member, period):
    late = soon(period)
    html = logged_in.get("/sessions/").content.decode()
    assert f'href="/sessions/{late.pk}/reserve/confirm/' in html  # a link to the confirmation, not a POST
    asked = logged_in.post(f"/sessions/{late.pk}/reserve/", follow=True)  # straight POST: asked first
    assert "you won't be able to cancel it" in asked.content.decode()
    assert not Reservation.objects.exists()
    done = logged_in.post(f"/sessions/{late.pk}/reserve/", {"confirm": "1"}, follow=True)
    assert "Reserved: Montreal Library" in done.content.decode()
    assert Reservation.objects.get().timeslot_id == late.pk


def test_cancelling_asks_first(logged_in, member, slot):
    reservation = reservations.reserve(member, slot.pk)
    page = logged_in.get("/account/reservations/").content.decode()
    assert f'href="/account/reservations/{reservation.pk}/cancel/confirm/"' in page
    assert f'href="/api/reservations/{reservation.pk}/ics/"' in page  # Add to calendar
    confirm = logged_in.get(f"/account/reservations/{reservation.pk}/cancel/confirm/").content.decode()
    assert (
        "Cancel this reservation?" in confirm and f'action="/account/reservations/{reservation.pk}/cancel/"' in confirm
    )
    assert Reservation.objects.get().status == "active"  # opening the page changes nothing
    logged_in.post(f"/account/reservations/{reservation.pk}/cancel/")
    assert Reservation.objects.get().status == "cancelled"


def test_a_full_session_offers_its_waiting_list(logged_in, member, slot):
    for n in range(2):
        reservations.reserve(give_tickets(make_user(email=f"m{n}@example.com"), 5), slot.pk)
    html = logged_in.get("/sessions/").content.decode()
    assert f'action="/sessions/{slot.pk}/waitlist/"' in html and "Join the waiting list" in html
    joined = logged_in.post(f"/sessions/{slot.pk}/waitlist/", follow=True).content.decode()
    assert "You are on the waiting list, number 1." in joined and "Number 1 in line." in joined
    assert "You are on the waiting list of this session." in logged_in.get("/sessions/").content.decode()
    logged_in.post(f"/account/waitlist/{slot.pk}/leave/")
    assert not WaitlistEntry.objects.exists()


def test_an_offer_shows_reserve_and_decline_on_the_reservations_page(logged_in, member, slot):
    entry = WaitlistEntry.objects.create(
        user=member, timeslot=slot, status="offered", offer_expires_at=timezone.now() + timedelta(hours=1)
    )
    html = logged_in.get("/account/reservations/").content.decode()
    assert "A seat is held for you until" in html and f'action="/account/waitlist/{entry.pk}/decline/"' in html
    logged_in.post(f"/account/waitlist/{entry.pk}/decline/")
    assert not WaitlistEntry.objects.exists()


def test_moving_from_the_reservations_page(logged_in, member, slot, period):
    reservation = reservations.reserve(member, slot.pk)
    target = make_slot(period, days_ahead=5)
    page = logged_in.get(f"/account/reservations/{reservation.pk}/move/").content.decode()
    assert f'value="{target.pk}"' in page and f'value="{slot.pk}"' not in page
    done = logged_in.post(f"/account/reservations/{reservation.pk}/move/", {"timeslot": target.pk}, follow=True)
    assert "Your reservation is moved." in done.content.decode()
    assert Reservation.objects.get(status="active").timeslot_id == target.pk


def test_account_turns_reminders_off_and_makes_a_calendar_feed(logged_in, member, client):
    html = logged_in.get("/account/").content.decode()
    assert 'id="session-reminders" checked' in html and "Create my feed" in html
    logged_in.post("/account/reminders/", {})
    assert User.objects.get(pk=member.pk).session_reminders is False
    shown = logged_in.post("/account/calendar-feed/", {"action": "new"}, follow=True).content.decode()
    url = shown.split("shown only once): ", 1)[1].split("<", 1)[0].strip()
    assert CalendarFeed.objects.filter(user=member).exists()
    assert logged_in.get(url.removeprefix("http://testserver")).status_code == 200
    logged_in.post("/account/calendar-feed/", {"action": "off"})
    assert not CalendarFeed.objects.exists()


def test_the_pages_speak_french(logged_in, member, slot):
    logged_in.cookies["django_language"] = "fr"
    reservations.reserve(member, slot.pk)
    html = logged_in.get("/account/reservations/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Ajouter à l’agenda" in html and "Listes d’attente" in html
