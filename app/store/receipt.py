"""The PDF receipt of an order (`GET /api/orders/<id>/receipt.pdf`), in the member's language.

What a Québec buyer needs to keep or claim taxes back: the seller, its address and registration
numbers, the date, the buyer, each line, the discount, each tax, the total, how it was paid and any
refund. fpdf2 is imported here, when a receipt is asked for: never at start-up (cold start). The
Lambda package leaves out Pillow, which fpdf2 needs only for images (zappa_settings.json).
The standard PDF fonts cover Latin-1, which French needs; the few typographic signs outside it are
written with their Latin-1 equivalents.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from app.core.exceptions import Conflict
from app.core.i18n import localized, money
from app.core.moments import moment_text
from app.store import display
from app.store.models import Order, OrderRefund

if TYPE_CHECKING:
    from fpdf import FPDF

# Typographic signs the standard fonts lack -> what they can draw.
LATIN_1 = str.maketrans({"−": "-", "–": "-", "—": "-", "’": "'", "\u202f": "\xa0", "…": "...", "×": "x"})
PRINTABLE = (Order.Status.PAID, Order.Status.PARTIALLY_REFUNDED, Order.Status.REFUNDED)


def _text(value: object) -> str:
    return str(value).translate(LATIN_1).encode("latin-1", "replace").decode("latin-1")


def filename(order: Order) -> str:
    # Translators: the start of the receipt's file name: ASCII letters only.
    return pgettext("file name", "receipt-%(reference)s.pdf") % {"reference": order.reference}


def render(order: Order) -> bytes:
    """The receipt of a paid (or refunded) order, in its member's language; `Conflict` otherwise."""
    if order.status not in PRINTABLE:
        raise Conflict(_("There is no receipt for this order: it was not paid."))
    with translation.override(order.user.language):
        return _draw(order)


def _draw(order: Order) -> bytes:
    with warnings.catch_warnings():  # the Lambda package leaves Pillow out: fpdf2 then draws no image
        warnings.filterwarnings("ignore", message="Pillow could not be imported")
        from fpdf import FPDF  # heavy: imported on use (see the module docstring)

    currency = order.currency
    pdf = FPDF(format="Letter")
    pdf.set_title(_text(_("Receipt %(reference)s") % {"reference": order.reference}))
    pdf.set_author(_text(seller_name()))
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    _line(pdf, seller_name(), height=9)
    pdf.set_font("Helvetica", size=10)
    if settings.STORE_SELLER_ADDRESS:
        _line(pdf, settings.STORE_SELLER_ADDRESS)
    for number in display.registration_numbers(order):
        _line(pdf, number)
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 13)
    _line(pdf, _("Receipt %(reference)s") % {"reference": order.reference}, height=8)
    pdf.set_font("Helvetica", size=10)
    if order.paid_at:
        _line(pdf, _("Paid on %(date)s") % {"date": moment_text(order.paid_at)})
    buyer = order.user.get_full_name()
    _line(pdf, _("Sold to: %(buyer)s") % {"buyer": f"{buyer} <{order.user.email}>" if buyer else order.user.email})
    pdf.ln(3)
    rows = [[_("Item"), _("Quantity"), _("Unit price"), _("Amount")]]
    rows += [
        [localized(line, "name"), str(line.quantity), money(line.unit_price, currency), money(line.amount, currency)]
        for line in order.lines.all()
    ]
    with pdf.table(col_widths=(90, 25, 35, 35), text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT"), line_height=6) as table:
        for cells in rows:
            row = table.row()
            for cell in cells:
                row.cell(_text(cell))
    pdf.ln(3)
    for total in display.total_rows(order):
        pdf.set_font("Helvetica", "B" if total.strong else "", 10)
        amount = ("−" if total.negative else "") + money(total.amount, currency)
        pdf.cell(150, 6, _text(total.label), align="R")
        pdf.cell(35, 6, _text(amount), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    pdf.ln(3)
    _line(pdf, _("Paid with: %(method)s") % {"method": display.payment_method(order)})
    for refunded in _refunds(order):
        _line(pdf, refunded)
    return bytes(pdf.output())


def _line(pdf: FPDF, text: str, height: float = 6) -> None:
    pdf.multi_cell(0, height, _text(text), new_x="LMARGIN", new_y="NEXT")


def _refunds(order: Order) -> list[str]:
    """One line per refund: partial ones from their records, a whole-order refund from the order."""
    done = order.refunds.filter(state=OrderRefund.State.DONE).order_by("number")
    lines = [
        _("Refunded on %(date)s: %(amount)s")
        % {"date": moment_text(refund.created), "amount": money(refund.amount, order.currency)}
        for refund in done
    ]
    counted = sum((refund.amount for refund in done), order.refunded_amount * 0)
    rest = order.refunded_amount - counted
    if rest > 0:
        when = moment_text(order.refunded_at) if order.refunded_at else ""
        lines.append(_("Refunded on %(date)s: %(amount)s") % {"date": when, "amount": money(rest, order.currency)})
    return lines


def seller_name() -> str:
    return settings.STORE_SELLER_NAME or settings.ORGANIZATION
