"""Spreadsheet exports (CSV and XLSX) of the admin's lists, streamed so that size does not matter.

An export reads its rows with `values_list(...).iterator()` (no model instances, a few thousand
rows in memory at a time). CSV goes out row by row (StreamingHttpResponse); XLSX is written by
XlsxWriter in constant-memory mode to a temporary file, then sent from it. On a stage
(STAFF_EXPORTS_TO_STORAGE, on with a media bucket) both are written to a file that goes to the
bucket, and the browser is redirected to a signed link: Lambda neither streams nor returns more
than 6 MB. Headers, choices and names are in the staff member's language (the request's); times
are the wall clock of a zone: a slot's in its workplace's (named in its own column), every other in
the site's (TIME_ZONE). XLSX cells are real dates and numbers; CSV follows the staff member's
locale (semicolons and decimal commas in French).
"""

import csv
import itertools
import os
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import FileResponse, HttpResponseRedirect, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django_stubs_ext import StrOrPromise

CHUNK = 2000
# A cell starting with one of these is run as a formula by spreadsheet programs (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@dataclass(frozen=True)
class Column:
    header: "StrOrPromise"  # translated when the export is written
    path: str  # a values_list() lookup
    zone_path: str = ""  # for a date-time: the lookup of the time zone it is shown in
    choices: tuple = ()  # (value, lazy label): labels in the staff member's language
    french_path: str = ""  # a name entered in French too (`name_fr`), used when the staff reads French


@dataclass(frozen=True)
class Export:
    slug: str  # in the URL: <slug>.csv, <slug>.xlsx
    title: "StrOrPromise"
    columns: tuple[Column, ...]
    # changelist queryset -> queryset of the exported model (default: itself)
    rows_of: "Callable[[QuerySet], QuerySet] | None" = None

    def queryset(self, changelist_queryset: "QuerySet[Any]") -> "QuerySet[Any]":
        return self.rows_of(changelist_queryset) if self.rows_of else changelist_queryset


def choices_of(model: Any, field: str) -> tuple[Any, ...]:
    return tuple(model._meta.get_field(field).choices)


def _french() -> bool:
    from app.core.i18n import current_language

    return current_language() == "fr"


def _cell(value: Any, column: Column, row: dict[str, Any], french: bool) -> Any:
    if isinstance(value, datetime):  # the wall clock of its zone; the zone has its own column
        zone_name = row.get(column.zone_path) if column.zone_path else None
        zone = _zone(zone_name) if zone_name else timezone.get_default_timezone()
        return value.astimezone(zone)
    if column.choices:
        return str(dict(column.choices).get(value, value))
    if french and column.french_path and row.get(column.french_path):
        return row[column.french_path]
    return value


def rows(export: Export, queryset: "QuerySet[Any]") -> Iterator[list[Any]]:
    """Header, then one list of cells per row (str, int, Decimal, bool, date, aware datetime, None),
    in the language of the request (the staff member's)."""
    columns, french = export.columns, _french()
    extra = [c.zone_path for c in columns if c.zone_path] + [c.french_path for c in columns if c.french_path]
    paths = list(dict.fromkeys([c.path for c in columns] + extra))
    yield [str(c.header) for c in columns]
    if not queryset.ordered:
        queryset = queryset.order_by("pk")
    for values in queryset.values_list(*paths).iterator(CHUNK):
        row = dict(zip(paths, values, strict=True))
        yield [_cell(row[c.path], c, row, french) for c in columns]


def _safe_text(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_text(value: Any, french: bool) -> Any:
    """A cell as a spreadsheet in the staff member's locale reads it: dates and numbers it
    recognises (a decimal comma in French), yes/no in words."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal | float):
        return str(value).replace(".", ",") if french else str(value)
    return _safe_text(value)


def csv_lines(export: Export, queryset: "QuerySet[Any]") -> Iterator[str]:
    """UTF-8 with a byte order mark. In French, columns are separated by semicolons and decimals
    written with a comma: what a French-locale spreadsheet (Excel, LibreOffice) splits into columns
    and reads as numbers when the file is opened (docs/staff.md#exports)."""
    french = _french()
    writer = csv.writer(_Echo(), delimiter=";" if french else ",")
    yield "\ufeff"  # byte order mark: spreadsheet programs then read UTF-8
    for cells in rows(export, queryset):
        yield writer.writerow([_csv_text(v, french) for v in cells])


def csv_response(export: Export, queryset: "QuerySet[Any]") -> StreamingHttpResponse | HttpResponseRedirect:
    if settings.STAFF_EXPORTS_TO_STORAGE:
        with tempfile.TemporaryFile() as file:
            file.writelines(line.encode() for line in csv_lines(export, queryset))
            return _stored(file, f"{_filename(export)}.csv")
    response = StreamingHttpResponse(csv_lines(export, queryset), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(export)}.csv"'
    return response


WIDTH_SAMPLE = 200  # rows read before writing, to size the columns (constant-memory mode writes rows at once)


def _width(values: list[Any]) -> int:
    texts = [f"{v:%Y-%m-%d %H:%M}" if isinstance(v, datetime) else str(v) for v in values if v not in (None, "")]
    return min(max([len(t) for t in texts] + [6]) + 2, 60)


def write_xlsx(export: Export, queryset: "QuerySet[Any]", path: str) -> None:
    """Real dates and times (the spreadsheet's own, in the zone's wall clock), numbers as numbers,
    sized columns, a filter on the header and the header frozen while scrolling."""
    import xlsxwriter  # loaded by exports only: it stays out of the cold start

    workbook = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_formulas": False})
    sheet = workbook.add_worksheet(str(export.title)[:31])
    bold = workbook.add_format({"bold": True})
    moment = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    day = workbook.add_format({"num_format": "yyyy-mm-dd"})
    produced = rows(export, queryset)
    header = next(produced)
    sample = list(itertools.islice(produced, WIDTH_SAMPLE))
    for column, title in enumerate(header):
        sheet.set_column(column, column, _width([title, *(cells[column] for cells in sample)]))
    sheet.freeze_panes(1, 0)
    last = 0
    for index, cells in enumerate(itertools.chain([header], sample, produced)):
        last = index
        for column, value in enumerate(cells):
            if value is None or value == "":
                continue
            if isinstance(value, bool):
                sheet.write_boolean(index, column, value)
            elif isinstance(value, datetime):
                sheet.write_datetime(index, column, value.replace(tzinfo=None), moment)
            elif isinstance(value, date):
                sheet.write_datetime(index, column, value, day)
            elif isinstance(value, int | float | Decimal):
                sheet.write_number(index, column, value)
            else:
                sheet.write_string(index, column, str(value), bold if index == 0 else None)
    sheet.autofilter(0, 0, last, len(header) - 1)
    workbook.close()


def xlsx_response(export: Export, queryset: "QuerySet[Any]") -> FileResponse | HttpResponseRedirect:
    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    try:
        write_xlsx(export, queryset, path)
        data = open(path, "rb")
    finally:
        os.unlink(path)  # the open handle keeps the file readable until it is sent
    filename = f"{_filename(export)}.xlsx"
    if settings.STAFF_EXPORTS_TO_STORAGE:
        with data:
            return _stored(data, filename)
    return FileResponse(data, as_attachment=True, filename=filename, content_type=XLSX_TYPE)


def _stored(file: Any, filename: str) -> HttpResponseRedirect:
    """On Lambda a response is at most 6 MB and is never streamed: the file goes to the media
    bucket and the browser is sent to a link there that expires (AWS_QUERYSTRING_AUTH)."""
    from django.core.files import File
    from django.core.files.storage import default_storage

    file.seek(0)
    name = default_storage.save(f"exports/{uuid.uuid4().hex}/{filename}", File(file))
    return HttpResponseRedirect(default_storage.url(name))


def _filename(export: Export) -> str:
    return f"{export.slug}-{timezone.localtime():%Y-%m-%d-%H%M}"


RESPONSES = {"csv": csv_response, "xlsx": xlsx_response}


# --- What each list exports -------------------------------------------------------------------


def users_export() -> Export:
    return Export(
        "users",
        _("Users"),
        (
            Column(_("id"), "id"),
            Column(_("e-mail"), "email"),
            Column(_("first name"), "first_name"),
            Column(_("last name"), "last_name"),
            Column(_("phone"), "phone"),
            Column(_("university"), "university__name"),
            Column(_("academic level"), "academic_level__name", french_path="academic_level__name_fr"),
            Column(_("academic field"), "academic_field__name", french_path="academic_field__name_fr"),
            Column(_("tickets"), "tickets"),
            Column(_("membership end"), "membership_end"),
            Column(_("active"), "is_active"),
            Column(_("staff"), "is_staff"),
            Column(_("joined"), "date_joined"),
            Column(_("last login"), "last_login"),
        ),
    )


def reservations_export() -> Export:
    from app.bookings.models import Reservation

    zone = "timeslot__period__workplace__timezone"
    columns = [
        Column(_("id"), "id"),
        Column(_("member e-mail"), "user__email"),
        Column(_("first name"), "user__first_name"),
        Column(_("last name"), "user__last_name"),
        Column(_("workplace"), "timeslot__period__workplace__name", french_path="timeslot__period__workplace__name_fr"),
        Column(_("time zone"), zone),
        Column(_("period"), "timeslot__period__name"),
        Column(_("slot id"), "timeslot_id"),
        Column(_("slot start"), "timeslot__start", zone_path=zone),
        Column(_("slot end"), "timeslot__end", zone_path=zone),
        Column(_("status"), "status", choices=choices_of(Reservation, "status")),
        Column(_("tickets paid"), "price"),
        Column(_("reserved at"), "created"),
        Column(_("cancelled at"), "cancelled_at"),
        Column(_("cancelled because"), "cancelled_because", choices=choices_of(Reservation, "cancelled_because")),
    ]
    if any(field.name == "is_present" for field in Reservation._meta.fields):  # attendance, once it exists
        columns.append(Column(_("present"), "is_present"))
    return Export("reservations", _("Reservations"), tuple(columns))


def orders_export() -> Export:
    from app.store.models import Order
    from app.store.services import taxes as sales_taxes

    # One column per tax charged today (orders keep theirs in `taxes`, in the same order).
    tax_columns = tuple(
        Column(sales_taxes.display_name(tax.name), f"taxes__{index}__amount")
        for index, tax in enumerate(sales_taxes.configured())
    )
    return Export(
        "orders",
        _("Orders"),
        (
            Column(_("reference"), "reference"),
            Column(_("member e-mail"), "user__email"),
            Column(_("status"), "status", choices=choices_of(Order, "status")),
            Column(_("currency"), "currency"),
            Column(_("subtotal"), "subtotal"),
            Column(_("coupon"), "coupon__code"),
            Column(_("discount"), "discount"),
            *tax_columns,
            Column(_("tax rate (%)"), "tax_rate"),
            Column(_("tax"), "tax"),
            Column(_("total"), "total"),
            Column(_("created"), "created"),
            Column(_("paid at"), "paid_at"),
            Column(_("refunded at"), "refunded_at"),
            Column(_("refund note"), "refund_note"),
        ),
    )


def order_lines_export() -> Export:
    from app.store.models import Order, OrderLine

    return Export(
        "order-lines",
        _("Order lines"),
        (
            Column(_("order"), "order__reference"),
            Column(_("order status"), "order__status", choices=choices_of(Order, "status")),
            Column(_("member e-mail"), "order__user__email"),
            Column(_("kind"), "kind", choices=choices_of(OrderLine, "kind")),
            Column(_("product"), "name", french_path="name_fr"),
            Column(_("unit price"), "unit_price"),
            Column(_("quantity"), "quantity"),
            Column(_("tickets per unit"), "tickets"),
            Column(_("days per unit"), "duration_days"),
            Column(_("membership start"), "membership_start"),
            Column(_("membership end"), "membership_end"),
            Column(_("paid at"), "order__paid_at"),
        ),
        rows_of=lambda orders: OrderLine.objects.filter(order__in=orders.values("pk")).order_by("order_id", "id"),
    )


def ticket_movements_export() -> Export:
    from app.accounts.models import TicketMovement

    return Export(
        "ticket-movements",
        _("Ticket movements"),
        (
            Column(_("when"), "created"),
            Column(_("member e-mail"), "user__email"),
            Column(_("change"), "delta"),
            Column(_("balance after"), "balance_after"),
            Column(_("reason"), "reason", choices=choices_of(TicketMovement, "reason")),
            Column(_("reference"), "reference"),
            Column(_("by"), "actor__email"),
        ),
    )
