"""The waiting list of a sold-out retreat: joining, offers that hold a freed seat for one member, expiry."""

import json
from datetime import timedelta

import pytest
import responses
from django.utils import timezone

from app.core.exceptions import Conflict
from app.retreats import waitlist
from app.retreats.models import RetreatInvitation, RetreatReservation, RetreatWaitlistEntry
from tests.conftest import make_user, token_client
from tests.retreats.conftest import buy_retreat, make_retreat
from tests.store.conftest import AUTHS, SETTLEMENTS, approve, error_body

pytestmark = pytest.mark.django_db
REFUND_URL = f"{SETTLEMENTS}/settle-1/refunds"


def seated(retreat, email):
    """A member holding a confirmed seat (bought earlier)."""
    user = make_user(email=email)
    return RetreatReservation.objects.create(user=user, retreat=retreat, status="confirmed")


def waiting(retreat, count=2):
    """`count` members on the retreat's waiting list, in this order."""
    members = [make_user(email=f"w{n}@example.com") for n in range(count)]
    for member in members:
        waitlist.join(member, retreat.pk)
    return members


def join(client, retreat):
    return client.post("/api/retreat-waitlist/", {"retreat": retreat.pk}, format="json")


def test_a_member_joins_a_sold_out_retreats_list_sees_their_place_and_leaves(member_client):
    retreat = make_retreat(seats=1)
    assert join(member_client, retreat).json()["code"] == "waitlist_seat_available"  # a seat is for sale
    seated(retreat, "first@example.com")
    other = token_client(make_user(email="other@example.com"))
    assert join(other, retreat).status_code == 201
    answer = join(member_client, retreat)
    assert answer.status_code == 201, answer.json()
    assert (answer.json()["position"], answer.json()["status"]) == (2, "waiting")
    assert join(member_client, retreat).json()["code"] == "already_waiting"
    [mine] = member_client.get("/api/retreat-waitlist/").json()["results"]  # only their own
    assert mine["retreat"] == retreat.pk and mine["position"] == 2
    assert other.delete(f"/api/retreat-waitlist/{mine['id']}/").status_code == 404  # not theirs
    assert member_client.delete(f"/api/retreat-waitlist/{mine['id']}/").status_code == 204
    assert member_client.get("/api/retreat-waitlist/").json()["results"] == []


def test_joining_is_refused_with_a_seat_held_a_started_retreat_or_a_bad_id(member, member_client):
    retreat = make_retreat(seats=1)
    RetreatReservation.objects.create(user=member, retreat=retreat, status="confirmed")
    assert join(member_client, retreat).json()["code"] == "already_reserved"
    started = make_retreat(seats=1, days_ahead=-1)
    seated(started, "first@example.com")
    assert join(member_client, started).json()["code"] == "waitlist_closed"
    assert member_client.post("/api/retreat-waitlist/", {"retreat": "x"}, format="json").status_code == 400
    unknown = member_client.post("/api/retreat-waitlist/", {"retreat": 999999}, format="json")
    assert unknown.status_code == 400
    assert unknown.json()["fields"] == {"retreat": ["No retreat with this id."]}


def test_a_cancelled_seat_is_held_for_the_first_member_waiting_who_alone_may_buy_it(
    paysafe, member, member_client, anon_client, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.WAITLIST_HOLD_MINUTES = 60
    retreat = make_retreat(seats=1, days_ahead=40)
    approve(paysafe)
    assert buy_retreat(member_client, retreat).status_code == 201
    first_waiting = make_user(email="waiting@example.com", language="fr", first_name="Léa")
    second_waiting = make_user(email="second@example.com")
    assert join(token_client(first_waiting), retreat).status_code == 201
    assert join(token_client(second_waiting), retreat).status_code == 201
    mailoutbox.clear()
    seat = RetreatReservation.objects.get(user=member)
    paysafe.add(responses.POST, REFUND_URL, json={"id": "refund-1", "status": "PENDING"})

    with django_capture_on_commit_callbacks(execute=True):
        assert member_client.delete(f"/api/retreat-reservations/{seat.pk}/").status_code == 200

    offer = RetreatWaitlistEntry.objects.get(user=first_waiting)
    assert offer.status == "offered"
    assert timedelta(minutes=59) < offer.offer_expires_at - timezone.now() <= timedelta(minutes=60)
    assert RetreatWaitlistEntry.objects.get(user=second_waiting).status == "waiting"
    [offer_mail] = [message for message in mailoutbox if message.to == ["waiting@example.com"]]
    assert "Retraite au lac" in offer_mail.subject and "Bonjour Léa" in offer_mail.body
    assert "HNE" in offer_mail.body and "America/Montreal" not in offer_mail.body
    # The seat is held: the public sees none, and someone else is refused.
    assert anon_client.get(f"/api/retreats/{retreat.pk}/").json()["seats_remaining"] == 0
    sold_out = buy_retreat(token_client(second_waiting), retreat, token="tok-2")
    assert sold_out.status_code == 409 and sold_out.json()["code"] == "retreat_sold_out"
    assert join(member_client, retreat).json()["position"] == 3  # a held seat is not for sale: they queue

    bought = buy_retreat(token_client(first_waiting), retreat, token="tok-3")
    assert bought.status_code == 201, bought.json()
    assert RetreatReservation.objects.get(user=first_waiting).status == "confirmed"
    assert not RetreatWaitlistEntry.objects.filter(user=first_waiting).exists()  # the entry is done
    assert RetreatReservation.objects.filter(retreat=retreat, status__in=["pending", "confirmed"]).count() == 1


def test_an_expired_offer_goes_to_the_next_member_and_the_seat_is_never_lost(
    mailoutbox, django_capture_on_commit_callbacks
):
    retreat = make_retreat(seats=1)
    seat = seated(retreat, "first@example.com")
    members = waiting(retreat)
    RetreatReservation.objects.filter(pk=seat.pk).update(status="cancelled")
    with django_capture_on_commit_callbacks(execute=True):
        assert waitlist.process_waitlists() == 1
        assert waitlist.process_waitlists() == 0  # held: not offered twice
    assert RetreatWaitlistEntry.objects.get(user=members[0]).status == "offered"

    RetreatWaitlistEntry.objects.filter(user=members[0]).update(offer_expires_at=timezone.now() - timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert waitlist.process_waitlists() == 1
    assert not RetreatWaitlistEntry.objects.filter(user=members[0]).exists()
    assert RetreatWaitlistEntry.objects.get(user=members[1]).status == "offered"
    assert [message.to for message in mailoutbox] == [["w0@example.com"], ["w1@example.com"]]

    # The last one lets it expire too: nobody waits, the seat is for sale again.
    RetreatWaitlistEntry.objects.filter(user=members[1]).update(offer_expires_at=timezone.now() - timedelta(seconds=1))
    waitlist.process_waitlists()
    assert not RetreatWaitlistEntry.objects.exists()
    with pytest.raises(Conflict) as refused:
        waitlist.join(make_user(email="late@example.com"), retreat.pk)
    assert refused.value.code == "waitlist_seat_available"


def test_a_seat_released_after_a_declined_payment_is_offered(
    paysafe, member_client, django_capture_on_commit_callbacks
):
    retreat = make_retreat(seats=1)
    waiting = make_user(email="waiting@example.com")

    def decline_after_someone_queued(request):
        # While the payment is asked for, the last seat is held for the buyer: another member queues.
        waitlist.join(waiting, retreat.pk)
        return 402, {}, json.dumps(error_body("3009", "declined"))

    paysafe.add_callback(responses.POST, AUTHS, callback=decline_after_someone_queued)
    with django_capture_on_commit_callbacks(execute=True):
        assert buy_retreat(member_client, retreat).status_code == 402
    assert RetreatReservation.objects.get().status == "released"
    assert RetreatWaitlistEntry.objects.get(user=waiting).status == "offered"


def test_seats_of_a_released_invitation_and_a_left_offer_go_to_the_list(django_capture_on_commit_callbacks):
    retreat = make_retreat(seats=2)
    seated(retreat, "first@example.com")
    invitation = RetreatInvitation.objects.create(
        retreat=retreat, seats=1, release_at=timezone.now() + timedelta(days=1)
    )
    members = waiting(retreat)  # the last seat is kept for the invitation
    assert waitlist.process_waitlists() == 0
    RetreatInvitation.objects.filter(pk=invitation.pk).update(release_at=timezone.now() - timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert waitlist.process_waitlists() == 1
    offered = RetreatWaitlistEntry.objects.get(user=members[0])
    assert offered.status == "offered"
    with django_capture_on_commit_callbacks(execute=True):
        waitlist.leave(offered.pk, members[0])  # not for them: the next one gets it at once
    assert RetreatWaitlistEntry.objects.get(user=members[1]).status == "offered"


def test_an_offer_never_holds_a_seat_past_the_first_dates_start(settings):
    settings.WAITLIST_HOLD_MINUTES = 720
    start = timezone.now() + timedelta(hours=3)
    retreat = make_retreat(seats=1, dates=[(start, start + timedelta(days=1))])
    seat = seated(retreat, "first@example.com")
    waiting = make_user(email="waiting@example.com")
    waitlist.join(waiting, retreat.pk)
    RetreatReservation.objects.filter(pk=seat.pk).update(status="cancelled")
    waitlist.process_waitlists()
    assert RetreatWaitlistEntry.objects.get(user=waiting).offer_expires_at == start


def test_closing_an_account_passes_its_held_seat_to_the_next_member(django_capture_on_commit_callbacks):
    from app.members.closing import close_account
    from tests.conftest import PASSWORD

    retreat = make_retreat(seats=1)
    seat = seated(retreat, "first@example.com")
    leaving, next_one = make_user(email="leaving@example.com"), make_user(email="next@example.com")
    waitlist.join(leaving, retreat.pk)
    waitlist.join(next_one, retreat.pk)
    RetreatReservation.objects.filter(pk=seat.pk).update(status="cancelled")
    waitlist.process_waitlists()
    with django_capture_on_commit_callbacks(execute=True):
        close_account(leaving, password=PASSWORD)
    assert list(RetreatWaitlistEntry.objects.values_list("user__email", "status")) == [("next@example.com", "offered")]


def test_staff_removing_an_offered_entry_in_the_admin_passes_the_seat_on(
    staff_browser, django_capture_on_commit_callbacks
):
    retreat = make_retreat(seats=1)
    seat = seated(retreat, "first@example.com")
    members = waiting(retreat)
    RetreatReservation.objects.filter(pk=seat.pk).update(status="cancelled")
    waitlist.process_waitlists()
    offered = RetreatWaitlistEntry.objects.get(user=members[0])
    assert staff_browser.get("/admin/retreats/retreatwaitlistentry/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        answer = staff_browser.post(f"/admin/retreats/retreatwaitlistentry/{offered.pk}/delete/", {"post": "yes"})
    assert answer.status_code == 302
    assert list(RetreatWaitlistEntry.objects.values_list("user__email", "status")) == [("w1@example.com", "offered")]


def test_seats_added_by_staff_are_offered_at_once_and_an_unpublished_retreat_keeps_its_list(
    admin_client_api, django_capture_on_commit_callbacks
):
    retreat = make_retreat(seats=1)
    seated(retreat, "first@example.com")
    waiting = make_user(email="waiting@example.com")
    waitlist.join(waiting, retreat.pk)
    admin_client_api.patch(f"/api/retreats/{retreat.pk}/", {"is_published": False}, format="json")
    assert waitlist.process_waitlists() == 0 and RetreatWaitlistEntry.objects.get().status == "waiting"
    with django_capture_on_commit_callbacks(execute=True):
        answer = admin_client_api.patch(
            f"/api/retreats/{retreat.pk}/", {"seats": 2, "is_published": True}, format="json"
        )
    assert answer.status_code == 200
    assert RetreatWaitlistEntry.objects.get(user=waiting).status == "offered"
    assert admin_client_api.get(f"/api/retreats/{retreat.pk}/").json()["seats_remaining"] == 0  # held for them


def test_a_seat_exchanged_away_is_offered_to_the_old_retreats_list_and_offers_hold_at_the_new_one(
    paysafe, member, member_client, django_capture_on_commit_callbacks
):
    deadline = timezone.now() + timedelta(days=10)
    old = make_retreat(seats=1, exchange_deadline=deadline)
    new = make_retreat(name="Sea retreat", seats=2)
    approve(paysafe)
    assert buy_retreat(member_client, old).status_code == 201
    waiting_old = make_user(email="old@example.com")
    waitlist.join(waiting_old, old.pk)
    # At the new retreat the last seat is on offer to someone else: the exchange is refused.
    seated(new, "sea@example.com")
    waiting_new = make_user(email="sea-waiting@example.com")
    RetreatWaitlistEntry.objects.create(
        user=waiting_new, retreat=new, status="offered", offer_expires_at=timezone.now() + timedelta(hours=1)
    )
    seat = RetreatReservation.objects.get(user=member)
    url = f"/api/retreat-reservations/{seat.pk}/exchange/"
    refused = member_client.post(url, {"retreat": new.pk}, format="json", HTTP_IDEMPOTENCY_KEY="ex-1")
    assert refused.status_code == 409 and refused.json()["code"] == "retreat_sold_out"

    RetreatWaitlistEntry.objects.filter(user=waiting_new).delete()
    with django_capture_on_commit_callbacks(execute=True):
        moved = member_client.post(url, {"retreat": new.pk}, format="json", HTTP_IDEMPOTENCY_KEY="ex-2")
    assert moved.status_code in (200, 201), moved.json()
    assert RetreatReservation.objects.get(pk=seat.pk).retreat_id == new.pk
    assert RetreatWaitlistEntry.objects.get(user=waiting_old).status == "offered"
