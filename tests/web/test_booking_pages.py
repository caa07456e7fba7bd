"""Home, /sessions/, Reserve, /account/ and /account/reservations/: the rules as a member meets them."""

import re
from datetime import timedelta

from django.utils import timezone

from app.accounts.models import User
from app.bookings.models import Reservation
from app.bookings.services import reservations, slots
from tests.bookings.conftest import KOLKATA, local
from tests.web.conftest import give_tickets, make_period, make_slot, make_user, make_workplace


def test_home_shows_next_sessions_per_workplace_in_local_time(client, slot):
    kolkata = make_workplace(name="Kolkata Hub", tz="Asia/Kolkata", seats=4, city="Kolkata")
    day = timezone.now().astimezone(KOLKATA).date() + timedelta(days=2)
    slots.create_timeslot(make_period(kolkata, price=3), local(day, 18, KOLKATA), local(day, 20, KOLKATA))
    html = client.get("/").content.decode()
    assert html.count("<h1>") == 1
    assert "Montreal Library" in html and "Kolkata Hub" in html
    # Each workplace's wall clock, its zone as members say it: never an IANA id.
    assert "6:00 p.m.–8:00 p.m." in html and "Kolkata</span>" in html
    assert "9:00 a.m.–12:00 p.m." in html and ("EST</span>" in html or "EDT</span>" in html)
    assert "Asia/Kolkata" not in html and "America/Montreal" not in html
    assert "3 tickets" in html and "4 seats left" in html
    assert 'href="/signup/"' in html and "Log in to reserve" in html


def test_sessions_filter_by_workplace_and_day(client, slot, period):
    other = make_workplace(name="Other Place")
    make_slot(make_period(other), days_ahead=4)
    html = client.get(f"/sessions/?workplace={other.pk}").content.decode()
    assert "Other Place" in html and "Montreal Library" not in html.split("<h2>", 1)[1]
    day = slot.local_date.isoformat()
    html = client.get(f"/sessions/?day={day}").content.decode()
    assert "Montreal Library" in html.split("<h2>", 1)[1] and "Other Place" not in html.split("<h2>", 1)[1]


def test_sessions_are_paginated(client, period):
    for days in range(1, 23):
        make_slot(period, days_ahead=days)
    first = client.get("/sessions/").content.decode()
    assert first.count('class="slot"') == 20 and "Page 1<" in first and 'rel="next"' in first
    assert 'rel="prev"' not in first  # the total is not counted: no "of 2" (app/web/paging.py)
    second = client.get("/sessions/?page=2").content.decode()
    assert second.count('class="slot"') == 2 and "Page 2<" in second
    assert 'rel="prev"' in second and 'rel="next"' not in second
    beyond = client.get("/sessions/?page=5").content.decode()
    assert beyond.count('class="slot"') == 0 and 'rel="prev"' in beyond  # a way back, not an error
    for nonsense in ("x", "-3", "0"):
        assert client.get(f"/sessions/?page={nonsense}").content.decode().count('class="slot"') == 20  # page 1
    huge = client.get("/sessions/?page=99999999999999999999")  # refused by app.security before the view
    assert huge.status_code == 400 and huge.json()["code"] == "invalid"


def test_reserve_spends_tickets_and_lists_the_reservation(logged_in, member, slot):
    page = logged_in.get("/sessions/").content.decode()
    assert f'action="/sessions/{slot.pk}/reserve/"' in page
    response = logged_in.post(f"/sessions/{slot.pk}/reserve/", follow=True)
    assert response.redirect_chain[-1][0] == "/account/reservations/"
    html = response.content.decode()
    assert "Reserved: Montreal Library" in html and "2 tickets spent" in html
    assert "Cancel until" in html and re.search(r" E[SD]T\.", html) and "America/Montreal" not in html
    assert User.objects.get(pk=member.pk).tickets == 3

    # The same POST again (a reload, a double click): refused, charged once.
    replay = logged_in.post(f"/sessions/{slot.pk}/reserve/", follow=True)
    assert "You already have a reservation for this time slot." in replay.content.decode()
    assert User.objects.get(pk=member.pk).tickets == 3
    assert Reservation.objects.filter(user=member, status="active").count() == 1
    assert "You have reserved this session." in logged_in.get("/sessions/").content.decode()


def test_sessions_say_why_a_seat_cannot_be_reserved(logged_in, member, workplace, period):
    full = make_slot(period, days_ahead=2)
    for n in range(2):
        reservations.reserve(give_tickets(make_user(email=f"m{n}@example.com"), 5), full.pk)
    dear = make_slot(make_period(make_workplace(name="Dear Place"), price=9), days_ahead=2)
    html = logged_in.get("/sessions/").content.decode()
    assert "Full: no seat left." in html
    make_slot(make_period(make_workplace(name="Dearer Place"), price=7), days_ahead=3)
    # The balance once, at the top, with the way to the store; each dear card a short reason;
    # one notice for the page, not one sentence per card.
    top = html.split('class="slots"')[0]
    assert "You have 5 tickets." in top and 'href="/store/"' in top
    html = logged_in.get("/sessions/").content.decode()
    assert html.count("Not enough tickets.") == 2
    assert html.count("Some sessions below cost more tickets than you have") == 1
    assert f"/sessions/{full.pk}/reserve/" not in html and f"/sessions/{dear.pk}/reserve/" not in html

    refused = logged_in.post(f"/sessions/{dear.pk}/reserve/", follow=True).content.decode()
    assert "This time slot costs 9 tickets; you have 5." in refused and "Go to the store" in refused
    assert User.objects.get(pk=member.pk).tickets == 5


def test_a_started_slot_cannot_be_reserved(logged_in, member, period):
    started = make_slot(period, days_ahead=0, start_hour=0, end_hour=23)
    if started.start > timezone.now():  # just after midnight: use yesterday's
        started = make_slot(period, days_ahead=-1, start_hour=0, end_hour=23)
    html = logged_in.get("/sessions/").content.decode()
    assert f"/sessions/{started.pk}/reserve/" not in html
    refused = logged_in.post(f"/sessions/{started.pk}/reserve/", follow=True).content.decode()
    assert "This time slot has already started." in refused
    assert not Reservation.objects.filter(user=member).exists()


def test_reserve_needs_a_login(client, slot):
    response = client.post(f"/sessions/{slot.pk}/reserve/")
    assert response.status_code == 302 and response["Location"].startswith("/login/?next=")
    assert not Reservation.objects.exists()


def test_cancel_before_the_deadline_refunds_once(logged_in, member, slot):
    reservation = reservations.reserve(member, slot.pk)
    response = logged_in.post(f"/account/reservations/{reservation.pk}/cancel/", follow=True)
    assert "Reservation cancelled: 2 tickets returned." in response.content.decode()
    assert User.objects.get(pk=member.pk).tickets == 5
    replay = logged_in.post(f"/account/reservations/{reservation.pk}/cancel/", follow=True)
    assert "This reservation is already cancelled." in replay.content.decode()
    assert User.objects.get(pk=member.pk).tickets == 5


def test_after_the_deadline_there_is_no_cancel_button(logged_in, member, period):
    start = timezone.now() + timedelta(hours=2)
    slot = slots.create_timeslot(period, start, start + timedelta(minutes=1))
    reservation = reservations.reserve(member, slot.pk)
    html = logged_in.get("/account/reservations/").content.decode()
    assert "The cancellation deadline has passed" in html
    assert f"/account/reservations/{reservation.pk}/cancel/" not in html
    refused = logged_in.post(f"/account/reservations/{reservation.pk}/cancel/", follow=True).content.decode()
    assert "Reservations can be cancelled until 24 hours before the start" in refused
    assert Reservation.objects.get(pk=reservation.pk).status == "active"


def test_another_members_reservation_is_not_found(logged_in, member, slot):
    other = give_tickets(make_user(email="other@example.com"), 5)
    theirs = reservations.reserve(other, slot.pk)
    assert "Montreal Library" not in logged_in.get("/account/reservations/").content.decode().split("<h2>", 1)[1]
    response = logged_in.post(f"/account/reservations/{theirs.pk}/cancel/")
    assert response.status_code == 404
    assert "Not found" in response.content.decode()
    assert Reservation.objects.get(pk=theirs.pk).status == "active"
    assert User.objects.get(pk=other.pk).tickets == 3


def test_account_shows_balance_and_saves_the_profile(logged_in, member):
    html = logged_in.get("/account/").content.decode()
    assert "member@example.com" in html and "<dd>5 ·" in html
    response = logged_in.post(
        "/account/", {"action": "profile", "first_name": "Maya", "last_name": "Writer", "phone": "514"}, follow=True
    )
    assert "Your profile is saved." in response.content.decode()
    member.refresh_from_db()
    assert (member.first_name, member.last_name, member.phone) == ("Maya", "Writer", "514")


def test_account_refuses_fields_a_member_may_not_change(logged_in, member):
    response = logged_in.post(
        "/account/", {"action": "profile", "first_name": "Maya", "last_name": "M", "tickets": "999"}
    )
    assert response.status_code == 400
    assert "Tickets are changed only by administrators and the store." in response.content.decode()
    member.refresh_from_db()
    assert member.tickets == 5 and member.first_name == "Mia"


def test_change_password(logged_in, member):
    wrong = logged_in.post(
        "/account/", {"action": "password", "old_password": "nope", "new_password": "another-passphrase-7"}
    )
    assert wrong.status_code == 400 and "The current password is wrong." in wrong.content.decode()
    done = logged_in.post(
        "/account/",
        {"action": "password", "old_password": "a-long-passphrase-1", "new_password": "another-passphrase-7"},
        follow=True,
    )
    assert "Your password has been changed." in done.content.decode()
    assert logged_in.get("/account/").status_code == 200  # still logged in here
    assert User.objects.get(pk=member.pk).check_password("another-passphrase-7")


def test_every_html_page_carries_the_content_security_policy(client, db):
    for path in ["/", "/sessions/", "/login/", "/admin/login/", "/api/docs/"]:
        policy = client.get(path)["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "style-src 'self'" in policy, path
        assert "unsafe-inline" not in policy, path
    docs = client.get("/api/docs/")
    assert "<script>" not in docs.content.decode()  # the start-up script is a file of its own


def test_a_member_sees_their_attendance_and_free_seats(logged_in, member, period):
    came = Reservation.objects.create(user=member, timeslot=make_slot(period, days_ahead=3), price=1, is_present=True)
    missed = Reservation.objects.create(
        user=member, timeslot=make_slot(period, days_ahead=4), price=1, is_present=False
    )
    offered = Reservation.objects.create(
        user=member, timeslot=make_slot(period, days_ahead=5), price=0, free_reason="Volunteer"
    )
    moment = timezone.now()
    for index, reservation in enumerate((came, missed)):
        start = moment - timedelta(days=2 + index)
        type(reservation.timeslot).objects.filter(pk=reservation.timeslot_id).update(
            start=start, end=start + timedelta(hours=1)
        )
    html = logged_in.get("/account/reservations/").content.decode()
    upcoming, past = html.split("Past and cancelled", 1)
    assert "Offered by our team: free" in upcoming and offered.free_reason not in html
    assert "Attendance: present" in past and "Attendance: absent" in past
