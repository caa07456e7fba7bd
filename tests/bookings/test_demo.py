"""`load_demo_data` gives `make run` two workplaces, slots to reserve, and a member with tickets."""

from io import StringIO

from django.core.management import call_command

from app.accounts.models import User
from app.bookings.models import Period, TimeSlot, Workplace
from tests.conftest import token_client


def test_demo_data_is_idempotent_and_the_member_can_reserve_and_cancel(db, settings):
    settings.DEBUG = True
    call_command("load_demo_data", stdout=StringIO())
    counts = (Workplace.objects.count(), Period.objects.count(), TimeSlot.objects.count())
    member = User.objects.get(email="member@example.com")
    tickets = member.tickets
    call_command("load_demo_data", stdout=StringIO())
    member.refresh_from_db()
    assert (Workplace.objects.count(), Period.objects.count(), TimeSlot.objects.count()) == counts
    assert member.tickets == tickets >= 1
    assert set(Workplace.objects.values_list("timezone", flat=True)) == {"America/Montreal", "Asia/Kolkata"}

    client = token_client(member)
    slots = client.get("/api/timeslots/?upcoming=true").json()
    assert slots["count"] > 20
    slot = slots["results"][-1]
    reservation = client.post("/api/reservations/", {"timeslot": slot["id"]}, format="json")
    assert reservation.status_code == 201
    assert client.delete(f"/api/reservations/{reservation.json()['id']}/").status_code == 200
    member.refresh_from_db()
    assert member.tickets == tickets


def test_the_printed_admin_link_uses_the_port_make_run_serves_on(db, settings):
    settings.DEBUG = True
    out = StringIO()
    call_command("load_demo_data", "--port", "8001", stdout=out)
    assert "http://127.0.0.1:8001/admin/" in out.getvalue()
