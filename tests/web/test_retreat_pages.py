"""/retreats/, a retreat's page, the invitation's page, buying a seat through the checkout page
(local test gateway) and "My retreats" under /account/ (cancel with the policy's refund, join)."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from app.retreats.models import (
    Retreat,
    RetreatDate,
    RetreatInvitation,
    RetreatJoin,
    RetreatReservation,
    RetreatWaitlistEntry,
)
from app.store.models import Coupon, HeldMembership, Membership, OrderRefund
from tests.retreats.conftest import MONTREAL, make_retreat
from tests.web.conftest import make_user

WEEKEND = (datetime(2027, 10, 30, 9, tzinfo=MONTREAL), datetime(2027, 10, 31, 17, tzinfo=MONTREAL))
CROSSING = (datetime(2027, 11, 6, 9, tzinfo=MONTREAL), datetime(2027, 11, 7, 12, tzinfo=MONTREAL))  # DST ends Nov 7


@pytest.fixture
def local_run(settings):
    settings.DEBUG = True
    settings.PAYMENT_GATEWAY = "test"
    settings.STORE_TAXES = "GST:5,QST:9.975"


def lake(**fields):
    fields.setdefault("address_line1", "12 rue du Lac")
    fields.setdefault("city", "Québec")
    fields.setdefault("state_province", "QC")
    fields.setdefault("postal_code", "G1R 4P5")
    fields.setdefault("country", "Canada")
    return make_retreat(**fields)


def buy(client, retreat, *, card="test-visa", key="key-1", invitation="", coupon=""):
    form = {"product": "retreat", "id": retreat.pk, "payment": card, "idempotency_key": key}
    if invitation:
        form["invitation"] = invitation
    if coupon:
        form["coupon"] = coupon
    return client.post("/store/checkout/", form)


def test_visitors_see_upcoming_published_retreats_with_dates_place_price_and_seats(client, db):
    retreat = lake(seats=12, dates=[WEEKEND, CROSSING], member_price="150.00")
    online = make_retreat(name="Online week", kind="virtual", days_ahead=10, price="80.00")
    make_retreat(name="Hidden draft", is_published=False)
    make_retreat(name="Already begun", days_ahead=-1)
    html = client.get("/retreats/").content.decode()
    assert "Lake retreat" in html and "Online week" in html
    assert "Hidden draft" not in html and "Already begun" not in html
    assert html.index("Online week") < html.index("Lake retreat")  # soonest first
    assert "Saturday, October 30, 2027 to Sunday, November 7, 2027 · Québec" in html
    assert "· Online" in html
    assert "$200.00" in html and "$150.00 for members" in html and "12 seats left" in html
    page = client.get(f"/retreats/{retreat.pk}/").content.decode()
    # Every date on the retreat's wall clock: 9:00 EDT before the change of time, 9:00 EST after it.
    assert "Saturday, October 30, 2027, 9:00 a.m. EDT to Sunday, October 31, 2027, 5:00 p.m. EDT" in page
    assert "Saturday, November 6, 2027, 9:00 a.m. EDT to Sunday, November 7, 2027, 12:00 p.m. EST" in page
    assert "12 rue du Lac, Québec, QC G1R 4P5, Canada" in page
    assert (
        'href="https://www.openstreetmap.org/search?query=12+rue+du+Lac%2C+Qu%C3%A9bec%2C+QC+G1R+4P5%2C+Canada"' in page
    )
    assert "Log in to buy" in page and "/store/checkout/" not in page
    assert client.get(f"/retreats/{online.pk}/").content.decode().count("openstreetmap") == 0
    assert client.get("/retreats/999999/").status_code == 404


def test_the_pages_in_french(client, db):
    retreat = lake(dates=[WEEKEND])
    client.cookies["django_language"] = "fr"
    html = client.get("/retreats/").content.decode()
    assert '<html lang="fr">' in html and "Retraite au lac" in html and "Retraites d’écriture" in html
    assert "samedi 30 octobre 2027 au dimanche 31 octobre 2027" in html and "2 places restantes" in html
    page = client.get(f"/retreats/{retreat.pk}/").content.decode()
    assert "samedi 30 octobre 2027, 9\xa0h\xa000 HAE au dimanche 31 octobre 2027, 17\xa0h\xa000 HAE" in page
    assert "Remboursement complet jusqu’à 30 jours avant la première date." in page
    assert "50\xa0% remboursé jusqu’à 14 jours avant\u202f; rien ensuite." in page
    assert "200,00\xa0$" in page and "Se connecter pour acheter" in page


def test_a_member_with_a_membership_sees_the_member_price_and_buys_through_the_checkout_page(client, db, local_run):
    member = make_user()
    client.force_login(member)
    annual = Membership.objects.create(name="Annual", price=Decimal("40.00"), duration_days=365)
    HeldMembership.objects.create(
        user=member, membership=annual, start=timezone.now() - timedelta(days=1), end=timezone.now() + timedelta(days=9)
    )
    retreat = lake(member_price="150.00")
    page = client.get(f"/retreats/{retreat.pk}/").content.decode()
    assert "$150.00" in page and "Members pay" not in page
    assert f'href="/store/checkout/?product=retreat&amp;id={retreat.pk}"' in page
    checkout = client.get(f"/store/checkout/?product=retreat&id={retreat.pk}").content.decode()
    assert "Lake retreat" in checkout and "$172.46" in checkout  # 150 + GST 7.50 + QST 14.96
    assert f'href="/retreats/{retreat.pk}/"' in checkout  # back to the retreat, not the store
    paid = buy(client, retreat)
    assert paid.status_code == 302 and paid["Location"] == "/account/retreats/"
    seat = RetreatReservation.objects.get()
    assert (seat.user, seat.status, seat.order_line.order.total) == (member, "confirmed", Decimal("172.46"))
    mine = client.get("/account/retreats/").content.decode()
    assert "Thank you! Order" in mine and "Lake retreat" in mine and "Confirmed" in mine
    # One seat per member: the page says why there is no button any more.
    assert "You already have a seat" in client.get(f"/retreats/{retreat.pk}/").content.decode()


def test_sold_out_says_so_everywhere_and_the_checkout_answers_409(client, db, local_run):
    retreat = lake(seats=1)
    first = make_user(email="first@example.com")
    client.force_login(first)
    assert buy(client, retreat).status_code == 302
    client.force_login(make_user(email="second@example.com"))
    assert "Sold out" in client.get("/retreats/").content.decode()
    page = client.get(f"/retreats/{retreat.pk}/").content.decode()
    assert "This retreat is sold out." in page and "/store/checkout/" not in page
    asked = client.get(f"/store/checkout/?product=retreat&id={retreat.pk}")
    assert asked.status_code == 409 and "The retreat “Lake retreat” is sold out." in asked.content.decode()
    assert 'id="pay"' not in asked.content.decode()  # no card asked for a seat there is not
    paying = buy(client, retreat, key="key-2")
    assert paying.status_code == 409 and "is sold out" in paying.content.decode()
    assert RetreatReservation.objects.count() == 1


def test_the_invitation_link_opens_its_kept_seats_and_carries_token_and_coupon_to_the_checkout(
    client, db, local_run, admin_client_api
):
    retreat = lake(seats=1)
    coupon = Coupon.objects.create(code="FRIENDS", percent_off=Decimal("10"))
    answer = admin_client_api.post(
        "/api/retreat-invitations/",
        {
            "retreat": retreat.pk,
            "seats": 1,
            "release_at": (timezone.now() + timedelta(days=7)).isoformat(),
            "coupon": coupon.pk,
        },
        format="json",
    ).json()
    token = answer["token"]
    assert answer["link"] == f"http://testserver/retreats/invitation/{token}/"
    client.force_login(make_user())
    public = client.get(f"/retreats/{retreat.pk}/").content.decode()
    assert "This retreat is sold out." in public  # its one seat is kept for the invitation
    invited = client.get(f"/retreats/invitation/{token}/").content.decode()
    assert "You are invited" in invited and "1 seat left" in invited and "FRIENDS" in invited
    buy_url = f"/store/checkout/?product=retreat&amp;id={retreat.pk}&amp;invitation={token}&amp;coupon=FRIENDS"
    assert buy_url in invited
    checkout = client.get(buy_url.replace("&amp;", "&")).content.decode()
    assert f'name="invitation" value="{token}"' in checkout and "Discount (coupon FRIENDS)" in checkout
    paid = buy(client, retreat, invitation=token, coupon="FRIENDS")
    assert paid.status_code == 302
    seat = RetreatReservation.objects.get()
    assert seat.invitation == RetreatInvitation.objects.get() and seat.order_line.order.coupon == coupon
    assert client.get("/retreats/invitation/not-a-token/").status_code == 404


@pytest.mark.parametrize(("days_ahead", "refund", "words"), [(30, "229.95", "100 %"), (29, "114.98", "50 %")])
def test_cancelling_shows_the_policys_refund_first_then_gives_exactly_that(
    client, db, local_run, days_ahead, refund, words
):
    """30 days before the first date (in the retreat's zone) is the last day of the full refund."""
    retreat = lake(days_ahead=days_ahead)
    client.force_login(make_user())
    buy(client, retreat)
    seat = RetreatReservation.objects.get()
    mine = client.get("/account/retreats/").content.decode()
    assert f'href="/account/retreats/{seat.pk}/cancel/"' in mine
    confirm = client.get(f"/account/retreats/{seat.pk}/cancel/").content.decode()
    assert f"Cancelled today, ${refund} comes back to your card ({words} of what you paid" in confirm
    assert RetreatReservation.objects.get().status == "confirmed"  # asking changes nothing
    done = client.post(f"/account/retreats/{seat.pk}/cancel/", follow=True).content.decode()
    assert f"is cancelled: ${refund} refunded to your card." in done
    assert OrderRefund.objects.get().amount == Decimal(refund)
    seat.refresh_from_db()
    assert (seat.status, seat.refunded_amount) == ("cancelled", Decimal(refund))
    assert f"${refund} refunded" in done  # under "Past and cancelled"


def test_late_cancelling_says_nothing_comes_back_and_another_members_seat_is_not_found(client, db, local_run):
    retreat = lake(days_ahead=5)
    client.force_login(make_user())
    buy(client, retreat)
    seat = RetreatReservation.objects.get()
    confirm = client.get(f"/account/retreats/{seat.pk}/cancel/").content.decode()
    assert "nothing is refunded" in confirm
    client.force_login(make_user(email="other@example.com"))
    assert client.get(f"/account/retreats/{seat.pk}/cancel/").status_code == 404
    assert client.post(f"/account/retreats/{seat.pk}/cancel/").status_code == 404
    assert client.get(f"/account/retreats/{seat.pk}/join/").status_code == 404
    assert RetreatReservation.objects.get().status == "confirmed"


def _bought_virtual(client, start_in):
    retreat = make_retreat(name="Online week", kind="virtual", video_link="https://meet.example.com/w", days_ahead=3)
    client.force_login(make_user())
    buy(client, retreat)
    start = timezone.now() + start_in
    RetreatDate.objects.filter(retreat=retreat).update(start=start, end=start + timedelta(hours=3))
    return RetreatReservation.objects.get()


def test_join_is_shown_inside_the_link_window_and_logs_the_join(client, db, local_run):
    seat = _bought_virtual(client, timedelta(minutes=10))  # the window opens 15 minutes before
    mine = client.get("/account/retreats/").content.decode()
    assert f'href="/account/retreats/{seat.pk}/join/"' in mine
    joined = client.get(f"/account/retreats/{seat.pk}/join/")
    assert joined.status_code == 302 and joined["Location"] == "https://meet.example.com/w"
    assert RetreatJoin.objects.get().reservation == seat
    assert "meet.example.com" not in mine


def test_join_is_not_shown_outside_the_window_and_the_view_says_why(client, db, local_run):
    seat = _bought_virtual(client, timedelta(minutes=20))
    mine = client.get("/account/retreats/").content.decode()
    assert "/join/" not in mine and "Cancel" in mine
    refused = client.get(f"/account/retreats/{seat.pk}/join/", follow=True).content.decode()
    assert "The video link is given from 15 minutes before" in refused
    assert not RetreatJoin.objects.exists()


def test_the_account_page_links_to_my_retreats(client, db):
    client.force_login(make_user())
    assert 'href="/account/retreats/"' in client.get("/account/").content.decode()
    assert "No upcoming retreat." in client.get("/account/retreats/").content.decode()
    assert Retreat.objects.count() == 0


def test_the_pages_count_seats_left_as_the_api_does(client, db):
    """Taken seats, seats kept for unreleased invitations (minus those used), released invitations."""
    retreat = lake(seats=6)
    soon, past = timezone.now() + timedelta(days=5), timezone.now() - timedelta(days=1)
    kept = RetreatInvitation.objects.create(retreat=retreat, seats=2, release_at=soon)
    RetreatInvitation.objects.create(retreat=retreat, seats=3, release_at=past)  # public again
    for n, (status, invitation) in enumerate(
        [("confirmed", None), ("pending", kept), ("cancelled", None), ("released", kept)]
    ):
        RetreatReservation.objects.create(
            user=make_user(email=f"s{n}@example.com"), retreat=retreat, status=status, invitation=invitation
        )
    offered = make_user(email="offered@example.com")
    RetreatWaitlistEntry.objects.create(user=offered, retreat=retreat, status="offered", offer_expires_at=soon)
    lapsed = make_user(email="lapsed@example.com")
    RetreatWaitlistEntry.objects.create(user=lapsed, retreat=retreat, status="offered", offer_expires_at=past)
    api = client.get(f"/api/retreats/{retreat.pk}/").json()["seats_remaining"]
    assert api == 2  # 6 - 2 taken - 1 still kept - 1 on offer to the waiting list
    assert f"{api} seats left" in client.get(f"/retreats/{retreat.pk}/").content.decode()
    assert f"{api} seats left" in client.get("/retreats/").content.decode()
    invited = client.get(f"/retreats/invitation/{kept.token}/").content.decode()
    assert "3 seats left" in invited and "(including 1 seat kept for your invitation)" in invited
    client.force_login(offered)  # the seat on offer is theirs to buy
    assert "3 seats left" in client.get(f"/retreats/{retreat.pk}/").content.decode()


def test_a_seat_on_offer_to_the_waiting_list_is_sold_to_that_member_only(client, db, local_run):
    retreat = lake(seats=1)
    offered = make_user(email="offered@example.com")
    later = timezone.now() + timedelta(hours=2)
    RetreatWaitlistEntry.objects.create(user=offered, retreat=retreat, status="offered", offer_expires_at=later)
    client.force_login(make_user())
    assert "This retreat is sold out." in client.get(f"/retreats/{retreat.pk}/").content.decode()
    assert client.get(f"/store/checkout/?product=retreat&id={retreat.pk}").status_code == 409
    client.force_login(offered)
    assert "1 seat left" in client.get(f"/retreats/{retreat.pk}/").content.decode()
    assert client.get(f"/store/checkout/?product=retreat&id={retreat.pk}").status_code == 200
    assert buy(client, retreat).status_code == 302
    assert RetreatReservation.objects.get().user == offered and not RetreatWaitlistEntry.objects.exists()


def test_the_demo_data_of_make_run_has_a_retreat_in_quebec_and_one_online(client, db, settings):
    from io import StringIO

    from django.core.management import call_command

    settings.DEBUG = True
    call_command("load_demo_data", stdout=StringIO())
    call_command("load_demo_data", stdout=StringIO())  # again: nothing doubled
    assert sorted(Retreat.objects.values_list("kind", "city")) == [("physical", "Québec"), ("virtual", "")]
    assert RetreatDate.objects.count() == 8
    html = client.get("/retreats/").content.decode()
    assert "Online writing week" in html and "Writing by the river" in html and "Québec" in html
    client.cookies["django_language"] = "fr"
    assert "Écrire au bord du fleuve" in client.get("/retreats/").content.decode()


def test_my_retreats_and_the_cancel_page_in_french(client, db, local_run):
    retreat = lake(days_ahead=20)
    assert client.get("/account/retreats/")["Location"] == "/login/?next=/account/retreats/"
    client.force_login(make_user())
    buy(client, retreat)
    seat = RetreatReservation.objects.get()
    client.cookies["django_language"] = "fr"
    mine = client.get("/account/retreats/").content.decode()
    assert "Mes retraites" in mine and "Retraite au lac" in mine and "Annuler…" in mine
    confirm = client.get(f"/account/retreats/{seat.pk}/cancel/").content.decode()
    assert "Annuler votre place\u202f?" in confirm
    assert (
        "Si vous annulez aujourd’hui, 114,98\xa0$ sera remboursé sur votre carte (50\xa0% de ce que vous avez payé"
        in confirm
    )
    done = client.post(f"/account/retreats/{seat.pk}/cancel/", follow=True).content.decode()
    assert "Votre place à «\xa0Retraite au lac\xa0» est annulée\xa0: 114,98\xa0$ remboursé sur votre carte." in done


def test_a_retreat_under_way_is_no_longer_sold_and_a_seat_holder_is_told_why_first(client, db, local_run):
    begun = make_retreat(name="Begun", days_ahead=-1)
    assert "This retreat has started: it is no longer sold." in client.get(f"/retreats/{begun.pk}/").content.decode()
    full = lake(seats=1)
    client.force_login(make_user())
    buy(client, full)
    page = client.get(f"/retreats/{full.pk}/").content.decode()
    assert "You already have a seat at the retreat “Lake retreat”." in page and "sold out" not in page


def test_the_refund_shown_counts_the_options_of_every_order_as_the_cancellation_then_does(client, db, local_run):
    from app.retreats.models import RetreatOption
    from tests.conftest import token_client

    retreat = lake(days_ahead=20)  # 20 days before: 50 %
    room = RetreatOption.objects.create(retreat=retreat, name="Single room", stock=1, price=Decimal("80.00"))
    meals = RetreatOption.objects.create(retreat=retreat, name="Meals", stock=10, price=Decimal("20.00"))
    member = make_user()
    api = token_client(member)
    lines = [{"product": "retreat", "id": retreat.pk, "quantity": 1}, {"product": "retreat_option", "id": room.pk}]
    first = api.post("/api/orders/", {"lines": lines, "single_use_token": "test-visa"}, format="json")
    more = [{"product": "retreat_option", "id": meals.pk, "quantity": 3}]
    second = api.post("/api/orders/", {"lines": more, "single_use_token": "test-mastercard"}, format="json")
    assert (first.json()["total"], second.json()["total"]) == ("321.93", "68.99")
    seat = RetreatReservation.objects.get()
    client.force_login(member)
    confirm = client.get(f"/account/retreats/{seat.pk}/cancel/").content.decode()
    # 50 % of 321.93 = 160.97, and 50 % of 68.99 = 34.50
    assert "Cancelled today, $195.47 comes back to your card (50 % of what you paid" in confirm
    done = client.post(f"/account/retreats/{seat.pk}/cancel/", follow=True).content.decode()
    assert "is cancelled: $195.47 refunded to your card." in done
    assert sorted(OrderRefund.objects.values_list("amount", flat=True)) == [Decimal("34.50"), Decimal("160.97")]
