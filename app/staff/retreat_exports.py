"""Spreadsheet exports of retreats (app/staff/exports.py's mechanism): participants, and attendance per date.

From the admin's retreat list (the retreats its filters select) and its retreat joins list:
- participants: one row per seat (every status, so cancellations and their refunds show), with the
  number of dates the participant joined;
- attendance: one row per participant and date they attended (a virtual retreat's `/join/` log,
  app/retreats/services.py, or staff's marks at an in-person one, app/retreats/attendance.py), with
  the first join (the mark's time) and how many times they opened the link (a mark: 1).
Headers in the staff member's language; times on the retreat's own wall clock (its zone in a column).
Never the video link.
"""

from typing import Any

from django.db.models import Count, Min, QuerySet
from django.utils.translation import gettext_lazy as _

from app.staff.exports import Column, Export, choices_of


def participants_export() -> Export:
    from app.retreats.models import RetreatReservation

    def rows_of(retreats: QuerySet[Any]) -> QuerySet[Any]:
        return (
            RetreatReservation.objects.filter(retreat__in=retreats.values("pk"))
            .annotate(dates_joined=Count("joins__date", distinct=True))
            .order_by("retreat__name", "retreat_id", "user__email", "id")
        )

    return Export(
        "retreat-participants",
        _("Retreat participants"),
        (
            Column(_("retreat"), "retreat__name", french_path="retreat__name_fr"),
            Column(_("retreat id"), "retreat_id"),
            Column(_("member e-mail"), "user__email"),
            Column(_("first name"), "user__first_name"),
            Column(_("last name"), "user__last_name"),
            Column(_("status"), "status", choices=choices_of(RetreatReservation, "status")),
            Column(_("order"), "order_line__order__reference"),
            Column(_("price paid"), "order_line__unit_price"),
            Column(_("refunded"), "refunded_amount"),
            Column(_("reserved at"), "created"),
            Column(_("cancelled at"), "cancelled_at"),
            Column(_("reason"), "cancel_reason"),
            Column(_("dates joined"), "dates_joined"),
        ),
        rows_of=rows_of,
    )


def _attendance(joins: QuerySet[Any]) -> QuerySet[Any]:
    """One row per (seat, date) joined: the first join and how many joins."""
    return (
        joins.order_by()
        .values("reservation", "date")
        .annotate(first_join=Min("at"), times=Count("id"))
        .order_by("date__start", "date_id", "reservation__user__email", "reservation_id")
    )


def attendance_export(of_retreats: bool = True) -> Export:
    from app.retreats.models import RetreatJoin

    zone = "reservation__retreat__timezone"

    def rows_of(selected: QuerySet[Any]) -> QuerySet[Any]:
        if of_retreats:
            return _attendance(RetreatJoin.objects.filter(reservation__retreat__in=selected.values("pk")))
        return _attendance(RetreatJoin.objects.filter(pk__in=selected.values("pk")))

    return Export(
        "retreat-attendance",
        _("Retreat attendance"),
        (
            Column(_("retreat"), "reservation__retreat__name", french_path="reservation__retreat__name_fr"),
            Column(_("time zone"), zone),
            Column(_("date start"), "date__start", zone_path=zone),
            Column(_("date end"), "date__end", zone_path=zone),
            Column(_("member e-mail"), "reservation__user__email"),
            Column(_("first name"), "reservation__user__first_name"),
            Column(_("last name"), "reservation__user__last_name"),
            Column(_("first joined at"), "first_join", zone_path=zone),
            Column(_("times joined"), "times"),
        ),
        rows_of=rows_of,
    )


def joins_attendance_export() -> Export:
    """The same attendance, from the admin's retreat joins list (the joins its filters select)."""
    return attendance_export(of_retreats=False)
