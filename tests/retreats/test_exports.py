"""Staff export a retreat's participants and its attendance per date, as CSV or XLSX, in their language."""

import csv
import io
from datetime import datetime, timedelta

import pytest

from app.retreats.models import RetreatJoin, RetreatReservation
from tests.conftest import make_user
from tests.retreats.conftest import MONTREAL, make_retreat
from tests.staff.test_exports import read_xlsx, serial_time

pytestmark = pytest.mark.django_db
FIRST = datetime(2027, 3, 5, 9, tzinfo=MONTREAL)


def read_csv(response, delimiter=","):
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text), delimiter=delimiter))


@pytest.fixture
def retreat_with_joins():
    dates = [(FIRST, FIRST + timedelta(hours=8)), (FIRST + timedelta(days=1), FIRST + timedelta(days=1, hours=8))]
    retreat = make_retreat(kind="virtual", video_link="https://video.example.com/secret-room", dates=dates)
    first_day, second_day = retreat.dates.order_by("start")
    ada_user = make_user(email="ada@example.com", first_name="Ada", last_name="Byron")
    ada = RetreatReservation.objects.create(user=ada_user, retreat=retreat, status="confirmed")
    bob = RetreatReservation.objects.create(
        user=make_user(email="bob@example.com", first_name="Bob"), retreat=retreat, status="confirmed"
    )
    RetreatReservation.objects.create(
        user=make_user(email="cy@example.com"), retreat=retreat, status="cancelled", cancel_reason="Ill"
    )
    other = make_retreat(name="Other retreat")
    RetreatReservation.objects.create(user=make_user(email="other@example.com"), retreat=other, status="confirmed")
    joins = [(ada, first_day, 50), (ada, first_day, 55), (ada, second_day, 58), (bob, first_day, 59)]
    for reservation, date, minute in joins:
        join = RetreatJoin.objects.create(reservation=reservation, date=date)
        at = date.start.astimezone(MONTREAL).replace(hour=8, minute=minute)
        RetreatJoin.objects.filter(pk=join.pk).update(at=at)
    return retreat


def test_the_participants_of_the_retreats_listed_with_the_dates_they_joined(staff_browser, retreat_with_joins):
    url = f"/admin/retreats/retreat/export/retreat-participants.csv?q={retreat_with_joins.name.split()[0]}"
    rows = read_csv(staff_browser.get(url))
    assert [row["member e-mail"] for row in rows] == ["ada@example.com", "bob@example.com", "cy@example.com"]
    by_member = {row["member e-mail"]: row for row in rows}
    assert by_member["ada@example.com"]["dates joined"] == "2" and by_member["bob@example.com"]["dates joined"] == "1"
    assert by_member["cy@example.com"]["status"] == "Cancelled" and by_member["cy@example.com"]["reason"] == "Ill"
    assert "secret-room" not in str(rows)


def test_attendance_per_date_on_the_retreats_wall_clock_in_french(staff_browser, retreat_with_joins):
    response = staff_browser.get("/admin/retreats/retreat/export/retreat-attendance.csv", HTTP_ACCEPT_LANGUAGE="fr")
    rows = read_csv(response, delimiter=";")
    assert [(row["courriel du membre"], row["début de la date"], row["connexions"]) for row in rows] == [
        ("ada@example.com", "2027-03-05 09:00", "2"),
        ("bob@example.com", "2027-03-05 09:00", "1"),
        ("ada@example.com", "2027-03-06 09:00", "1"),
    ]
    assert rows[0]["retraite"] == "Retraite au lac" and rows[0]["première connexion"] == "2027-03-05 08:50"
    assert "secret-room" not in str(rows)


def test_attendance_from_the_joins_list_as_xlsx(staff_browser, retreat_with_joins):
    rows = read_xlsx(staff_browser.get("/admin/retreats/retreatjoin/export/retreat-attendance.xlsx"))
    assert len(rows) == 3 and serial_time(rows[0]["first joined at"]) == "08:50"


def test_members_cannot_export(member_client, client, member, retreat_with_joins):
    client.force_login(member)
    response = client.get("/admin/retreats/retreat/export/retreat-participants.csv")
    assert response.status_code == 302 and "/login/" in response["Location"]
