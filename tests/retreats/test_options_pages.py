"""A retreat's page lists its options; a member holding a seat adds one through the checkout page."""

from decimal import Decimal

import pytest

from app.retreats.models import RetreatOption, RetreatOptionPurchase, RetreatReservation
from tests.retreats.conftest import make_retreat
from tests.web.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def local_run(settings):
    settings.DEBUG = True
    settings.PAYMENT_GATEWAY = "test"
    settings.STORE_TAXES = "GST:5,QST:9.975"


def options_of(retreat):
    room = RetreatOption.objects.create(
        retreat=retreat, name="Single room", name_fr="Chambre simple", price=Decimal("80.00"), stock=3
    )
    meals = RetreatOption.objects.create(
        retreat=retreat, name="Meals", name_fr="Repas", price=Decimal("20.00"), stock=0
    )
    RetreatOption.objects.create(retreat=retreat, name="Old boat", price=Decimal("5.00"), stock=9, is_active=False)
    return room, meals


def test_the_page_lists_the_options_on_sale_with_what_is_left_and_only_a_seat_holder_may_add_one(client):
    retreat = make_retreat()
    room, meals = options_of(retreat)
    page = client.get(f"/retreats/{retreat.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Chambre simple" in page and "3 unités restantes" in page and "Old boat" not in page
    assert "Repas" in page and page.count("Complet") == 1  # the meals, none left
    assert "product=retreat_option" not in page  # a visitor holds no seat

    member = make_user()
    client.force_login(member)
    assert "product=retreat_option" not in client.get(f"/retreats/{retreat.pk}/").content.decode()
    RetreatReservation.objects.create(user=member, retreat=retreat, status="confirmed")
    page = client.get(f"/retreats/{retreat.pk}/").content.decode()
    assert f'href="/store/checkout/?product=retreat_option&amp;id={room.pk}"' in page
    assert f"id={meals.pk}" not in page  # sold out: nothing to add


def test_a_seat_holder_adds_an_option_through_the_checkout_page(client, local_run):
    retreat = make_retreat()
    room, _meals = options_of(retreat)
    member = make_user()
    client.force_login(member)
    RetreatReservation.objects.create(user=member, retreat=retreat, status="confirmed")
    checkout = client.get(f"/store/checkout/?product=retreat_option&id={room.pk}").content.decode()
    assert "Single room" in checkout and "$91.98" in checkout  # 80 + GST 4.00 + QST 7.98
    assert f'href="/retreats/{retreat.pk}/"' in checkout  # back to the retreat

    form = {"product": "retreat_option", "id": room.pk, "payment": "test-visa", "idempotency_key": "k-1"}
    paid = client.post("/store/checkout/", form)

    assert paid.status_code == 302 and paid["Location"] == "/account/retreats/"
    bought = RetreatOptionPurchase.objects.get()
    assert (bought.status, bought.quantity, bought.reservation.user) == ("confirmed", 1, member)


def test_without_a_confirmed_seat_or_with_no_unit_left_the_checkout_page_asks_for_no_card(client, local_run):
    retreat = make_retreat()
    room, meals = options_of(retreat)
    member = make_user()
    client.force_login(member)
    no_seat = client.get(f"/store/checkout/?product=retreat_option&id={room.pk}")
    assert no_seat.status_code == 400 and "sold only with a seat" in no_seat.content.decode()
    assert 'id="pay"' not in no_seat.content.decode()
    RetreatReservation.objects.create(user=member, retreat=retreat, status="confirmed")
    sold_out = client.get(f"/store/checkout/?product=retreat_option&id={meals.pk}")
    assert sold_out.status_code == 409 and 'id="pay"' not in sold_out.content.decode()
    assert client.get("/store/checkout/?product=retreat_option&id=999999").status_code == 404
