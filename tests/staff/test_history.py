"""History: who changed what and when, whether through the API, the admin or code; shown in the admin."""

import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from app.accounts.models import TicketMovement, User
from app.accounts.tickets import move_tickets
from app.bookings.models import Period, TimeSlot, Workplace
from app.store.models import Membership, Order, Package
from tests.conftest import make_user


def test_an_api_change_by_a_token_user_is_recorded_with_who_and_what(admin_client_api, admin_user, montreal):
    response = admin_client_api.patch(f"/api/workplaces/{montreal.pk}/", {"seats": 7}, format="json")
    assert response.status_code == 200

    latest, previous = montreal.history.all()[:2]
    assert latest.history_type == "~" and latest.history_user == admin_user
    assert [(c.field, c.old, c.new) for c in latest.diff_against(previous).changes] == [("seats", 3, 7)]


def test_an_admin_change_is_recorded_and_its_history_page_says_what_changed(staff_browser, admin_user, period):
    form = {
        "workplace": period.workplace_id,
        "name": "Autumn term",
        "start_date": period.start_date,
        "end_date": period.end_date,
        "price": 2,
        "is_active": "on",
    }
    response = staff_browser.post(f"/admin/bookings/period/{period.pk}/change/", form)
    assert response.status_code == 302

    latest = period.history.first()
    assert latest.history_user == admin_user and latest.name == "Autumn term" and latest.price == 2
    page = staff_browser.get(f"/admin/bookings/period/{period.pk}/history/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Autumn term" in text and "admin@example.com" in text
    assert "Term" in text  # the old name, shown beside the new one


def test_staff_flags_changed_in_the_admin_are_in_the_users_history(staff_browser, admin_user, member):
    user_page = staff_browser.get(f"/admin/accounts/user/{member.pk}/change/")
    assert user_page.status_code == 200
    form = {
        "email": member.email,
        "first_name": member.first_name,
        "last_name": member.last_name,
        "phone": "",
        "tickets": 0,
        "is_active": "on",
        "is_staff": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "10:00:00",
    }
    response = staff_browser.post(f"/admin/accounts/user/{member.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:2000]

    latest, previous = member.history.all()[:2]
    assert latest.history_user == admin_user
    assert ("is_staff", False, True) in [(c.field, c.old, c.new) for c in latest.diff_against(previous).changes]
    page = staff_browser.get(f"/admin/accounts/user/{member.pk}/history/").content.decode()
    assert re.search(r"Staff status:</strong>\s*False\s*&nbsp;&rarr;&nbsp;&nbsp;True", page)
    version = latest.history_id
    record_page = staff_browser.get(f"/admin/accounts/user/{member.pk}/history/{version}/")
    assert record_page.status_code == 200 and member.email in record_page.content.decode()


def test_the_members_history_page_shows_every_balance_change_from_the_ledger(
    staff_browser, admin_user, member, slot, member_client
):
    move_tickets(member, 5, TicketMovement.Reason.PURCHASE, reference="order ABC")
    move_tickets(member, 2, TicketMovement.Reason.ADMIN, actor=admin_user, reference="gift")
    assert member_client.post("/api/reservations/", {"timeslot": slot.pk}, format="json").status_code == 201

    page = staff_browser.get(f"/admin/accounts/user/{member.pk}/history/")
    assert page.status_code == 200
    ledger = page.content.decode().split('id="ticket-movements"')[1]
    rows = re.findall(r"<tr>\s*<td>.*?</td>\s*<td>(.*?)</td>\s*<td>(\d+)</td>\s*<td>(.*?)</td>", ledger, re.S)
    assert rows == [
        ("-1", "6", "Spent on a reservation"),
        ("+2", "7", "Set by an administrator"),
        ("+5", "5", "Bought in the store"),
    ]
    assert "admin@example.com" in ledger and "gift" in ledger and "order ABC" in ledger


def test_a_balance_typed_in_the_admin_goes_through_the_ledger_and_the_rest_into_the_history(
    staff_browser, admin_user, member
):
    form = {
        "email": member.email,
        "first_name": "Renamed",
        "last_name": member.last_name,
        "phone": "",
        "tickets": 4,
        "is_active": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "10:00:00",
    }
    assert staff_browser.post(f"/admin/accounts/user/{member.pk}/change/", form).status_code == 302
    assert member.history.first().first_name == "Renamed" and member.history.first().history_user == admin_user
    movement = TicketMovement.objects.get(user=member)
    assert (movement.delta, movement.balance_after, movement.actor) == (4, 4, admin_user)


def test_changes_made_by_code_or_a_command_are_recorded_without_a_user(db):
    call_command("load_demo_data", verbosity=0, force=True)
    workplace = Workplace.objects.first()
    assert workplace.history.filter(history_type="+", history_user=None).exists()
    assert TimeSlot.objects.first().history.exists() and Period.objects.first().history.exists()
    assert Membership.objects.first().history.exists() and Package.objects.first().history.exists()


def test_logging_in_leaves_no_history_row_and_no_password_is_ever_copied(anon_client, member):
    before = member.history.count()
    response = anon_client.post(
        "/api/auth/token/", {"email": member.email, "password": "a-long-passphrase-1"}, format="json"
    )
    assert response.status_code == 200
    assert member.history.count() == before
    assert "password" not in {field.name for field in User.history.model._meta.fields}


def test_an_order_change_is_recorded(member):
    order = Order.objects.create(user=member, currency="CAD", tax_rate=0, subtotal=10, tax=0, total=10)
    order.status = Order.Status.PAID
    order.save()
    assert [h.status for h in order.history.all()] == ["paid", "pending"]


def test_conditional_updates_of_orders_and_accounts_are_recorded(member, admin_user):
    order = Order.objects.create(user=member, currency="CAD", tax_rate=0, subtotal=10, tax=0, total=10)
    assert Order.objects.filter(pk=order.pk, status=Order.Status.PENDING).update(status=Order.Status.PAID) == 1
    assert Order.objects.filter(pk=order.pk, status=Order.Status.PENDING).update(status=Order.Status.FAILED) == 0
    assert [h.status for h in order.history.all()] == ["paid", "pending"]

    User.objects.filter(pk=member.pk).update(is_staff=True)
    latest, previous = member.history.all()[:2]
    assert ("is_staff", False, True) in [(c.field, c.old, c.new) for c in latest.diff_against(previous).changes]


def test_activating_an_account_through_the_api_is_recorded(anon_client, db):
    from app.accounts import tokens

    newcomer = make_user(email="new@example.com", is_active=False)
    token = tokens.make_token(newcomer, tokens.ACTIVATION)
    response = anon_client.post("/api/users/activate/", {"token": token}, format="json")
    assert response.status_code == 200, response.content
    assert [h.is_active for h in newcomer.history.all()[:2]] == [True, False]


@pytest.mark.parametrize(
    "url",
    [
        "/admin/bookings/workplace/{montreal}/history/",
        "/admin/bookings/period/{period}/history/",
        "/admin/bookings/timeslot/{slot}/history/",
        "/admin/accounts/user/{member}/history/",
        "/admin/store/order/{order}/history/",
        "/admin/store/membership/{membership}/history/",
        "/admin/store/package/{package}/history/",
    ],
)
def test_history_pages_load_with_a_bounded_number_of_queries(staff_browser, slot, member, url):
    membership = Membership.objects.create(name="Year", price=100, duration_days=365)
    package = Package.objects.create(name="Ten", price=50, tickets=10)
    order = Order.objects.create(user=member, currency="CAD", tax_rate=0, subtotal=10, tax=0, total=10)
    ids = {
        "montreal": slot.period.workplace_id,
        "period": slot.period_id,
        "slot": slot.pk,
        "member": member.pk,
        "order": order.pk,
        "membership": membership.pk,
        "package": package.pk,
    }
    path = url.format(**ids)

    def count():
        with CaptureQueriesContext(connection) as queries:
            page = staff_browser.get(path)
        assert page.status_code == 200
        return len(queries)

    count()  # the first load fills this process's caches (content types...): alone, it costs one query more
    few = count()
    for index in range(20):  # twenty more changes of each record
        for model, pk in [(Workplace, ids["montreal"]), (User, member.pk), (Order, order.pk)]:
            row = model.objects.get(pk=pk)
            row.save()
        move_tickets(member, 1, TicketMovement.Reason.ADMIN, actor=staff_browser.user, reference=f"r{index}")
        membership.save()
        package.save()
        slot.period.save()
        TimeSlot.objects.get(pk=slot.pk).save()
    assert count() == few <= 15


def test_the_change_form_links_to_the_history(staff_browser, member):
    page = staff_browser.get(f"/admin/accounts/user/{member.pk}/change/").content.decode()
    assert f"/admin/accounts/user/{member.pk}/history/" in page


def test_members_cannot_see_any_history(client, member):
    other = make_user(email="other@example.com")
    client.force_login(member)
    response = client.get(f"/admin/accounts/user/{other.pk}/history/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
