"""Closing an account erases the person everywhere staff or anyone could read it again: the change
history, the admin and the exports; its replacement address cannot be taken first; the accounting
(orders, amounts, the ticket ledger) stays."""

import csv
import io
import json

from django.test import Client

from app.accounts.models import TicketMovement, User
from app.accounts.tickets import move_tickets
from app.members.data_export import export_member_data
from app.store.models import Order
from tests.accounts.conftest import PASSWORD, sign_up_data
from tests.conftest import make_user, token_client

ME = "/api/users/me/"
PERSONAL = ["old-address@example.com", "Unique-Surname", "Earlier-Name", "514-555-0199", "1990-04-05"]


def _close(client):
    return client.delete(ME, {"password": PASSWORD}, format="json")


def _a_member_with_a_past(staff_user):
    """A member whose history holds earlier names, phone, birth date and address."""
    member = make_user(email="old-address@example.com", first_name="Earlier-Name", last_name="Unique-Surname")
    client = token_client(member)
    patched = client.patch(ME, {"phone": "514-555-0199", "birth_date": "1990-04-05"}, format="json")
    assert patched.status_code == 200, patched.json()
    member.first_name = "Later"
    member.email = "new-address@example.com"
    member.save()
    move_tickets(member, 3, TicketMovement.Reason.ADMIN, reference="gift", actor=staff_user)
    Order.objects.create(user=member, status="paid", currency="CAD", tax_rate=0, subtotal=10, tax=0, total=10)
    assert member.history.filter(email="old-address@example.com").exists()  # what closing must erase
    return member, client


def _staff(staff_user):
    browser = Client()
    browser.force_login(staff_user)
    return browser


def test_closing_erases_the_person_from_the_change_history(staff_user):
    member, client = _a_member_with_a_past(staff_user)
    assert _close(client).status_code == 200
    for row in member.history.all():
        values = " ".join(str(value) for value in (row.email, row.first_name, row.last_name, row.phone, row.birth_date))
        assert not any(personal in values for personal in PERSONAL), values
    history_page = _staff(staff_user).get(f"/admin/accounts/user/{member.pk}/history/").content.decode()
    assert not any(personal in history_page for personal in PERSONAL)
    # The accounting stays, on the anonymised row.
    assert Order.objects.get(user=member).total == 10
    assert list(TicketMovement.objects.filter(user=member).values_list("delta", flat=True)) == [3]


def test_the_admin_and_the_exports_show_nothing_of_a_closed_account(staff_user):
    member, client = _a_member_with_a_past(staff_user)
    assert _close(client).status_code == 200
    staff = _staff(staff_user)
    change_page = staff.get(f"/admin/accounts/user/{member.pk}/change/").content.decode()
    export = b"".join(staff.get("/admin/accounts/user/export/users.csv").streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(export)))
    for text in (change_page, export):
        assert not any(personal in text for personal in [*PERSONAL, "new-address@example.com", "Later"])
    assert len(rows) == User.objects.count()  # the row is still there, anonymised
    # The data export (what the member, or staff for them, would download) holds nothing personal.
    exported = json.dumps(export_member_data(User.objects.get(pk=member.pk)), default=str)
    assert not any(personal in exported for personal in [*PERSONAL, "new-address@example.com", "Later"])
    assert "10.00" in exported  # the order's total: the accounting is still there


def test_the_replacement_address_cannot_be_guessed_or_taken_first(anon_client, db):
    member = make_user(email="leaving@example.com")
    # Before, the address was closed-<id>@closed.invalid: anyone could sign up with the next ids.
    for guess in (f"closed-{member.pk}@closed.invalid", f"closed-{member.pk + 1}@closed.invalid"):
        refused = anon_client.post("/api/users/", sign_up_data(email=guess))
        assert refused.status_code == 400
    make_user(email=f"closed-{member.pk}@other.example")  # a look-alike elsewhere changes nothing
    assert _close(token_client(member)).status_code == 200
    member.refresh_from_db()
    local, _, domain = member.email.partition("@")
    assert domain == "closed.invalid" and len(local.removeprefix("closed-")) >= 32  # 128 random bits


def test_two_closed_accounts_never_clash(db):
    first, second = make_user(email="one@example.com"), make_user(email="two@example.com")
    assert _close(token_client(first)).status_code == 200
    assert _close(token_client(second)).status_code == 200
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.email != second.email
