"""Exports: staff download the admin's lists as CSV or XLSX, with the list's filters; nobody else can."""

import csv
import io
import zipfile
from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from app.accounts.models import TicketMovement
from app.accounts.tickets import move_tickets
from app.bookings.services import reservations
from app.store.models import Order, OrderLine, Package
from tests.bookings.conftest import give_tickets, make_period, make_slot
from tests.conftest import make_user

SHEET = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def read_csv(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def read_xlsx(response):
    """Rows of the first sheet as lists of texts (XlsxWriter writes strings inline in constant-memory mode)."""
    assert response.status_code == 200
    assert "spreadsheetml" in response["Content-Type"]
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as book:
        root = ElementTree.fromstring(book.read("xl/worksheets/sheet1.xml"))  # noqa: S314 - our own file
    rows = []
    for row in root.iter(f"{SHEET}row"):
        rows.append(["".join(cell.itertext()) for cell in row.iter(f"{SHEET}c")])
    header, *body = rows
    return [dict(zip(header, cells, strict=False)) for cells in body]


def serial_time(text):
    """An XLSX date-time cell's serial number (days since 1899-12-30) -> its clock time."""
    moment = datetime(1899, 12, 30, tzinfo=UTC) + timedelta(days=float(text))
    return f"{moment + timedelta(seconds=30):%H:%M}"  # the serial is a float: round to the minute


@pytest.fixture
def week(montreal, kolkata):
    """Reservations in two zones: two members in Montreal, one in Kolkata, one cancelled."""
    montreal_slot = make_slot(make_period(montreal), days_ahead=3, start_hour=9, end_hour=12)
    kolkata_slot = make_slot(make_period(kolkata), days_ahead=3, start_hour=14, end_hour=17)
    members = [give_tickets(make_user(email=f"m{i}@example.com", first_name=f"M{i}"), 5) for i in range(3)]
    reservations.reserve(members[0], montreal_slot.pk)
    reservations.reserve(members[1], montreal_slot.pk)
    kept = reservations.reserve(members[2], kolkata_slot.pk)
    cancelled = reservations.reserve(members[0], kolkata_slot.pk)
    reservations.cancel_reservation(cancelled, actor=members[0])
    return {"montreal_slot": montreal_slot, "kolkata_slot": kolkata_slot, "members": members, "kept": kept}


def test_reservations_csv_has_the_filtered_rows_with_local_slot_times(staff_browser, week, montreal):
    page = staff_browser.get(f"/admin/bookings/reservation/?timeslot__period__workplace__id__exact={montreal.pk}")
    link = f"/admin/bookings/reservation/export/reservations.csv?timeslot__period__workplace__id__exact={montreal.pk}"
    assert link in page.content.decode().replace("&amp;", "&")

    rows = read_csv(staff_browser.get(link))
    assert sorted(row["member e-mail"] for row in rows) == ["m0@example.com", "m1@example.com"]
    start = week["montreal_slot"].start.astimezone(week["montreal_slot"].start.tzinfo)
    assert {row["workplace"] for row in rows} == {"Montreal Library"}
    assert {row["time zone"] for row in rows} == {"America/Montreal"}
    # The workplace's wall clock, as a spreadsheet reads a date and time; the zone in its own column.
    assert rows[0]["slot start"] == f"{start.date().isoformat()} 09:00"
    assert rows[0]["status"] == "Active"


def test_reservations_xlsx_shows_kolkata_slots_at_their_own_offset(staff_browser, week, kolkata):
    query = f"timeslot__period__workplace__id__exact={kolkata.pk}&status__exact=active"
    rows = read_xlsx(staff_browser.get(f"/admin/bookings/reservation/export/reservations.xlsx?{query}"))
    assert [row["member e-mail"] for row in rows] == ["m2@example.com"]
    # Real spreadsheet date-times (serial numbers with a date format), on Kolkata's wall clock.
    assert serial_time(rows[0]["slot start"]) == "14:00" and serial_time(rows[0]["slot end"]) == "17:00"
    assert rows[0]["tickets paid"] == "1"


def test_users_export_follows_the_search_and_neutralises_formulas(staff_browser, admin_user):
    make_user(email="hacker@example.com", first_name='=HYPERLINK("http://x")')
    make_user(email="plain@example.com")
    csv_rows = read_csv(staff_browser.get("/admin/accounts/user/export/users.csv?q=hacker"))
    assert [row["e-mail"] for row in csv_rows] == ["hacker@example.com"]
    assert csv_rows[0]["first name"].startswith("'=")  # shown as text, never run as a formula

    xlsx_rows = read_xlsx(staff_browser.get("/admin/accounts/user/export/users.xlsx?is_staff__exact=1"))
    assert [row["e-mail"] for row in xlsx_rows] == ["admin@example.com"]


@pytest.fixture
def orders(member):
    ten = Package.objects.create(name="Ten tickets", price=10, tickets=10)
    other = make_user(email="buyer@example.com")
    paid = Order.objects.create(user=member, currency="CAD", tax_rate=0, subtotal=20, tax=0, total=20, status="paid")
    OrderLine.objects.create(
        order=paid, kind="package", package=ten, name="Ten tickets", unit_price=10, quantity=2, tickets=10
    )
    failed = Order.objects.create(user=other, currency="CAD", tax_rate=0, subtotal=5, tax=0, total=5, status="failed")
    OrderLine.objects.create(
        order=failed, kind="package", package=ten, name="Five tickets", unit_price=5, quantity=1, tickets=5
    )
    return paid, failed


def test_orders_and_their_lines_export_with_the_status_filter(staff_browser, orders):
    paid, _ = orders
    order_rows = read_csv(staff_browser.get("/admin/store/order/export/orders.csv?status__exact=paid"))
    assert [(row["reference"], row["status"], row["total"]) for row in order_rows] == [
        (paid.reference, "Paid", "20.00")
    ]

    line_rows = read_xlsx(staff_browser.get("/admin/store/order/export/order-lines.xlsx?status__exact=paid"))
    assert [(row["order"], row["product"], row["quantity"]) for row in line_rows] == [
        (paid.reference, "Ten tickets", "2")
    ]


def test_ticket_movements_export_with_the_reason_filter(staff_browser, member, admin_user):
    move_tickets(member, 4, TicketMovement.Reason.PURCHASE, reference="order X")
    move_tickets(member, 2, TicketMovement.Reason.ADMIN, actor=admin_user, reference="gift")
    rows = read_csv(staff_browser.get("/admin/accounts/ticketmovement/export/ticket-movements.csv?reason__exact=admin"))
    assert [(r["member e-mail"], r["change"], r["balance after"], r["by"]) for r in rows] == [
        ("member@example.com", "2", "6", "admin@example.com")
    ]


@pytest.mark.parametrize(
    "url",
    [
        "/admin/accounts/user/export/users.csv",
        "/admin/bookings/reservation/export/reservations.xlsx",
        "/admin/store/order/export/order-lines.csv",
        "/admin/accounts/ticketmovement/export/ticket-movements.csv",
    ],
)
def test_members_and_visitors_cannot_export(client, member, url):
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/admin/login/" in anonymous["Location"]
    client.force_login(member)
    signed_in = client.get(url)
    assert signed_in.status_code == 302 and "/admin/login/" in signed_in["Location"]


def test_staff_without_the_view_permission_get_403(client, week):
    clerk = make_user(email="clerk@example.com", is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_user"))
    client.force_login(clerk)
    assert client.get("/admin/bookings/reservation/export/reservations.csv").status_code == 403
    assert read_csv(client.get("/admin/accounts/user/export/users.csv"))  # the one list clerk may see


def test_an_invalid_filter_is_a_400_that_names_it(staff_browser, db):
    response = staff_browser.get("/admin/bookings/reservation/export/reservations.csv?nonsense__field=1")
    assert response.status_code == 400
    assert "nonsense__field" in response.content.decode()


@pytest.mark.parametrize(
    ("changelist", "export"),
    [
        ("/admin/accounts/user/", "/admin/accounts/user/export/users.csv"),
        ("/admin/bookings/reservation/", "/admin/bookings/reservation/export/reservations.csv"),
        ("/admin/store/order/", "/admin/store/order/export/order-lines.xlsx"),
        ("/admin/accounts/ticketmovement/", "/admin/accounts/ticketmovement/export/ticket-movements.xlsx"),
    ],
)
def test_lists_and_exports_use_a_number_of_queries_that_does_not_grow_with_rows(
    staff_browser, period, changelist, export
):
    def queries(path):
        with CaptureQueriesContext(connection) as captured:
            response = staff_browser.get(path)
            if hasattr(response, "streaming_content"):
                b"".join(response.streaming_content)
        assert response.status_code == 200
        return len(captured)

    one = Package.objects.create(name="One", price=1, tickets=1)

    def add_rows(first, last):
        for index in range(first, last):
            member = give_tickets(make_user(email=f"row{index}@example.com"), 2)
            hour = 6 + 2 * (index % 6)
            reservations.reserve(
                member, make_slot(period, days_ahead=2 + index // 6, start_hour=hour, end_hour=hour + 1).pk
            )
            order = Order.objects.create(user=member, currency="CAD", tax_rate=0, subtotal=1, tax=0, total=1)
            OrderLine.objects.create(order=order, kind="package", package=one, name="One", unit_price=1, quantity=1)

    add_rows(0, 2)
    few = (queries(changelist), queries(export))
    add_rows(2, 12)
    assert (queries(changelist), queries(export)) == few
    assert few[0] <= 12 and few[1] <= 12


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_on_a_stage_the_export_is_a_link_to_a_file_in_the_media_storage(staff_browser, week, settings, fmt):
    """Lambda returns 6 MB at most and never streams: the file goes to the bucket, the browser to it."""
    from django.core.files.storage import default_storage

    settings.STAFF_EXPORTS_TO_STORAGE = True
    response = staff_browser.get(f"/admin/bookings/reservation/export/reservations.{fmt}?status__exact=active")
    assert response.status_code == 302
    name = response["Location"].removeprefix(settings.MEDIA_URL)
    assert name.startswith("exports/") and name.endswith(f".{fmt}")
    with default_storage.open(name) as stored:
        content = stored.read()
    expected = {"m0@example.com", "m1@example.com", "m2@example.com"}
    if fmt == "csv":
        text = content.decode("utf-8-sig")
        assert {row["member e-mail"] for row in csv.DictReader(io.StringIO(text))} == expected
    else:
        assert content.startswith(b"PK")  # a zip: the XLSX container


def test_a_french_speaking_staff_member_gets_a_csv_a_french_spreadsheet_splits(staff_browser, week, montreal):
    montreal.name_fr = "Bibliothèque de Montréal"
    montreal.save()
    link = f"/admin/bookings/reservation/export/reservations.csv?timeslot__period__workplace__id__exact={montreal.pk}"
    response = staff_browser.get(link, HTTP_ACCEPT_LANGUAGE="fr")
    raw = b"".join(response.streaming_content)
    assert raw.startswith("\ufeff".encode())  # UTF-8 with a byte order mark
    header, first, *_ = raw.decode("utf-8-sig").splitlines()
    # Semicolons: the list separator of a French-locale spreadsheet, which then opens it in columns.
    assert header.startswith("id;courriel du membre;prénom;nom;lieu de travail;")
    cells = dict(zip(header.split(";"), first.split(";"), strict=True))
    assert cells["lieu de travail"] == "Bibliothèque de Montréal" and cells["état"] == "Active"


def test_french_csv_numbers_use_a_decimal_comma(staff_browser, orders):
    response = staff_browser.get("/admin/store/order/export/orders.csv", HTTP_ACCEPT_LANGUAGE="fr")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert {row["total"] for row in rows} == {"20,00", "5,00"}
    assert {row["état"] for row in rows} == {"Payée", "Échouée"}


def test_xlsx_has_widths_a_filter_a_frozen_header_and_date_formats(staff_browser, week, kolkata):
    response = staff_browser.get("/admin/bookings/reservation/export/reservations.xlsx", HTTP_ACCEPT_LANGUAGE="fr")
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as book:
        sheet = ElementTree.fromstring(book.read("xl/worksheets/sheet1.xml"))  # noqa: S314 - our own file
        styles = book.read("xl/styles.xml").decode()
    widths = [float(col.get("width")) for col in sheet.iter(f"{SHEET}col")]
    assert len(widths) >= 10 and max(widths) > 15  # sized to their content, e-mails wider than ids
    assert sheet.find(f"{SHEET}autoFilter").get("ref").startswith("A1:")
    pane = sheet.find(f".//{SHEET}pane")
    assert pane.get("state") == "frozen" and pane.get("topLeftCell") == "A2"
    assert "yyyy-mm-dd hh:mm" in styles
    header = ["".join(cell.itertext()) for cell in next(sheet.iter(f"{SHEET}row")).iter(f"{SHEET}c")]
    assert "courriel du membre" in header and "début de la séance" in header  # the staff member's language
