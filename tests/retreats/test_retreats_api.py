"""Retreats: the catalogue, buying a seat through the store's checkout, the seats' states."""

from datetime import datetime
from decimal import Decimal

import pytest
import responses
from django.utils import timezone

from app.retreats.models import Retreat, RetreatReservation
from app.store.models import Coupon, HeldMembership, Membership, Order
from tests.conftest import make_user, token_client
from tests.retreats.conftest import MONTREAL, buy_retreat, make_retreat
from tests.store.conftest import AUTHS, approve, error_body

pytestmark = pytest.mark.django_db


def test_the_public_sees_published_retreats_with_dates_in_local_time_and_seats_left(anon_client):
    retreat = make_retreat(seats=3, video_link="https://meet.example.com/secret-room", kind="virtual")
    make_retreat(name="Draft", is_published=False)
    RetreatReservation.objects.create(user=make_user(), retreat=retreat, status="confirmed")
    RetreatReservation.objects.create(user=make_user(email="b@example.com"), retreat=retreat, status="released")

    listed = anon_client.get("/api/retreats/")
    assert listed.status_code == 200
    [only] = listed.json()["results"] if "results" in listed.json() else listed.json()
    assert only["name"] == "Lake retreat" and only["seats_remaining"] == 2  # a released seat is for sale again
    assert only["dates"][0]["start"].endswith(("-04:00", "-05:00")) and "T09:00:00" in only["dates"][0]["start"]
    assert "secret-room" not in listed.content.decode()
    assert "secret-room" not in anon_client.get(f"/api/retreats/{retreat.pk}/").content.decode()
    french = anon_client.get("/api/retreats/", HTTP_ACCEPT_LANGUAGE="fr")
    assert "Retraite au lac" in french.content.decode()


def test_a_date_across_the_change_of_time_keeps_its_local_hours(admin_client_api, anon_client):
    # 2026-11-01: Montréal goes from -04:00 to -05:00. A retreat from Oct 31 9:00 to Nov 2 17:00 local.
    body = {
        "name": "Autumn",
        "kind": "physical",
        "seats": 5,
        "price": "300.00",
        "timezone": "America/Montreal",
        "dates": [{"start": "2026-10-31T09:00:00-04:00", "end": "2026-11-02T17:00:00-05:00"}],
        "is_published": True,
    }
    created = admin_client_api.post("/api/retreats/", body, format="json")
    assert created.status_code == 201, created.json()
    [date] = anon_client.get(f"/api/retreats/{created.json()['id']}/").json()["dates"]
    assert date == {"start": "2026-10-31T09:00:00-04:00", "end": "2026-11-02T17:00:00-05:00"}
    retreat_date = Retreat.objects.get(pk=created.json()["id"]).dates.get()
    assert (retreat_date.end - retreat_date.start).total_seconds() == (2 * 24 + 9) * 3600  # one hour longer


def test_a_date_in_a_year_of_local_mean_time_is_a_clear_400_not_an_unreadable_answer(admin_client_api):
    # Found by the fuzz run: year 51 in Montréal is answered with a -05:17:32 offset, no date-time.
    body = {
        "name": "Ancient",
        "kind": "physical",
        "seats": 5,
        "price": "300.00",
        "timezone": "America/Montreal",
        "dates": [{"start": "0051-08-07T23:14:40-05:00", "end": "0051-08-08T23:14:40-05:00"}],
    }
    answer = admin_client_api.post("/api/retreats/", body, format="json")
    assert answer.status_code == 400 and answer.json()["code"] == "invalid"
    assert "2000" in str(answer.json()["fields"]["dates"])


def test_members_may_not_write_retreats_and_bad_input_is_a_clear_400(member_client, admin_client_api):
    assert member_client.post("/api/retreats/", {"name": "x"}, format="json").status_code == 403
    bad = {"name": "x", "seats": 1, "price": "1.00", "timezone": "Mars/Olympus", "dates": []}
    answer = admin_client_api.post("/api/retreats/", bad, format="json")
    assert answer.status_code == 400 and answer.json()["code"] == "invalid"
    assert {"timezone", "dates"} <= set(answer.json()["fields"])


def test_a_seat_is_bought_through_the_checkout_with_its_tax_and_a_replay_buys_nothing_more(paysafe, member_client):
    retreat = make_retreat(seats=1)
    approve(paysafe)
    first = buy_retreat(member_client, retreat, key="k-1")
    assert first.status_code == 201, first.json()
    assert (first.json()["subtotal"], first.json()["tax"], first.json()["total"]) == ("200.00", "29.95", "229.95")
    replay = buy_retreat(member_client, retreat, key="k-1")
    assert replay.status_code == 201 and replay.json()["id"] == first.json()["id"]
    assert len([call for call in paysafe.calls if call.request.url == AUTHS]) == 1
    [reservation] = member_client.get("/api/retreat-reservations/").json()["results"]
    assert reservation["status"] == "confirmed" and reservation["order"] == first.json()["id"]


def test_sold_out_is_a_409_and_a_declined_payment_puts_the_seat_back_on_sale(paysafe, member_client):
    retreat = make_retreat(seats=1)
    paysafe.add(responses.POST, AUTHS, json=error_body("3009", "declined"), status=402)
    declined = buy_retreat(member_client, retreat)
    assert declined.status_code == 402
    assert RetreatReservation.objects.get().status == "released"

    other = token_client(make_user(email="other@example.com"))
    approve(paysafe)
    assert buy_retreat(other, retreat).status_code == 201
    sold_out = buy_retreat(member_client, retreat, token="tok-2")
    assert sold_out.status_code == 409 and sold_out.json()["code"] == "retreat_sold_out"
    assert Order.objects.count() == 2  # the refused checkout left no order behind


def test_membership_holders_pay_the_member_price_and_a_coupon_may_target_the_retreat(paysafe, member, member_client):
    retreat = make_retreat(member_price="150.00")
    annual = Membership.objects.create(name="Annual", price=Decimal("40.00"), duration_days=365)
    now = timezone.now()
    HeldMembership.objects.create(
        user=member, membership=annual, start=now, end=now + timezone.timedelta(days=30), source="staff"
    )
    coupon = Coupon.objects.create(code="LAKE", amount_off=Decimal("50.00"))
    coupon.retreats.add(retreat)
    approve(paysafe)
    bought = buy_retreat(member_client, retreat, coupon="lake")
    assert bought.status_code == 201, bought.json()
    # 150.00 - 50.00 = 100.00, + 14.975 % = 114.98
    assert (bought.json()["subtotal"], bought.json()["discount"], bought.json()["total"]) == (
        "150.00",
        "50.00",
        "114.98",
    )


def test_a_retreat_not_for_sale_or_already_held_is_refused(paysafe, member_client):
    past = make_retreat(dates=[(datetime(2020, 5, 1, 9, tzinfo=MONTREAL), datetime(2020, 5, 3, 17, tzinfo=MONTREAL))])
    assert buy_retreat(member_client, past).json()["code"] == "invalid"
    draft = make_retreat(name="Draft", is_published=False)
    assert buy_retreat(member_client, draft).status_code == 400
    retreat = make_retreat(seats=5)
    approve(paysafe)
    assert buy_retreat(member_client, retreat).status_code == 201
    again = buy_retreat(member_client, retreat, token="tok-2")
    assert again.status_code == 400 and "already" in again.json()["detail"]


def test_staff_see_every_reservation_and_filter_by_retreat(admin_client_api, member_client, member):
    lake, sea = make_retreat(), make_retreat(name="Sea")
    RetreatReservation.objects.create(user=member, retreat=lake, status="confirmed")
    RetreatReservation.objects.create(user=make_user(email="b@example.com"), retreat=sea, status="confirmed")
    assert len(member_client.get("/api/retreat-reservations/").json()["results"]) == 1
    assert len(admin_client_api.get("/api/retreat-reservations/").json()["results"]) == 2
    filtered = admin_client_api.get(f"/api/retreat-reservations/?retreat={sea.pk}").json()["results"]
    assert [row["retreat"] for row in filtered] == [sea.pk]


def test_a_paid_seat_is_confirmed_in_the_members_language_with_every_date_in_the_calendar_entry(
    paysafe, member, member_client, mailoutbox, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    member.language = "fr"
    member.save(update_fields=["language"])
    first = datetime(2027, 3, 5, 9, tzinfo=MONTREAL)
    retreat = make_retreat(
        dates=[(first, first + timedelta(hours=8)), (first + timedelta(days=7), first + timedelta(days=7, hours=8))]
    )
    approve(paysafe)
    with django_capture_on_commit_callbacks(execute=True):
        assert buy_retreat(member_client, retreat).status_code == 201
    [confirmation] = [message for message in mailoutbox if "Retraite au lac" in message.subject]
    # Each date the members' one way (app.core.moments), in French, never an IANA id or an ISO date.
    body = confirmation.body.replace("\xa0", " ")
    assert "vendredi 5 mars 2027, 9 h 00–17 h 00 HNE" in body and "vendredi 12 mars 2027, 9 h 00" in body
    assert "America/Montreal" not in body and "2027-03-05" not in body
    [(name, calendar, _)] = confirmation.attachments
    assert name == "retreat.ics" and calendar.count("BEGIN:VEVENT") == 2
    assert "DTSTART:20270305T140000Z" in calendar and "Retraite d’écriture" in calendar.replace("\r\n ", "")
