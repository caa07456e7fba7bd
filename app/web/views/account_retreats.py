"""/account/retreats/: the member's retreat seats, cancelling one (with the policy's refund shown
first) and joining a virtual retreat through a view that logs the join, as the API's `/join/` does.

The rules are `app.retreats.services` (cancel, join) and `app.retreats.pages_support` (the refund a
cancellation gives now, the link window), imported on first use.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Case, F, IntegerField, Max, Min, Prefetch, Q, QuerySet, Value, When
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from app.core import moments
from app.core.exceptions import DomainError
from app.core.i18n import localized, money
from app.retreats.models import Retreat, RetreatDate, RetreatReservation
from app.web.feedback import show_on_page
from app.web.views import retreat_waitlist
from app.web.views.common import MemberRequest, not_found, now
from app.web.views.retreats import dates_of, when, where

SEATS_PER_PAGE = 20
Status = RetreatReservation.Status
# A released seat was never paid, and an exchange's hold is not a seat of its own (as the API lists them).
SHOWN = (Status.PENDING, Status.CONFIRMED, Status.CANCELLED)


def _mine(request: MemberRequest) -> QuerySet[RetreatReservation]:
    """The member's seats, those still to come (or under way) soonest first, then the others latest first."""
    moment = now()
    ahead = Q(last_end__gt=moment, status__in=RetreatReservation.HOLDS_A_SEAT)
    return (
        RetreatReservation.objects.filter(user=request.user, status__in=SHOWN, exchange_hold__isnull=True)
        .select_related("retreat")
        .prefetch_related(Prefetch("retreat__dates", queryset=RetreatDate.objects.order_by("start", "id")))
        .annotate(first_start=Min("retreat__dates__start"), last_end=Max("retreat__dates__end"))
        .annotate(
            is_past=Case(When(ahead, then=Value(0)), default=Value(1), output_field=IntegerField()),
            ahead_start=Case(When(ahead, then=F("first_start"))),
        )
        .order_by("is_past", F("ahead_start").asc(nulls_last=True), F("first_start").desc(), "-id")
    )


def _seat_view(seat: RetreatReservation, joinable: set[int]) -> dict[str, Any]:
    retreat = seat.retreat
    started = seat.first_start is not None and seat.first_start <= now()  # type: ignore[attr-defined]
    confirmed = seat.status == Status.CONFIRMED
    return {
        "id": seat.pk,
        "retreat": retreat,
        "name": localized(retreat, "name"),
        "when": when(retreat),
        "where": where(retreat),
        "dates": dates_of(retreat),
        "status": seat.get_status_display(),
        "refunded": seat.refunded_amount if seat.status == Status.CANCELLED else None,
        "can_cancel": confirmed and not started,
        "can_join": confirmed and retreat.kind == Retreat.Kind.VIRTUAL and retreat.pk in joinable,
    }


@login_required
@require_GET
def my_retreats(request: MemberRequest) -> HttpResponse:
    from app.retreats import pages_support

    page = Paginator(_mine(request), SEATS_PER_PAGE).get_page(request.GET.get("page"))
    seats = list(page.object_list)
    virtual = [
        seat.retreat_id
        for seat in seats
        if seat.status == Status.CONFIRMED and seat.retreat.kind == Retreat.Kind.VIRTUAL
    ]
    joinable = pages_support.open_dates(virtual)
    rows = [_seat_view(seat, joinable) for seat in seats]
    context = {
        "upcoming": [row for row, seat in zip(rows, seats, strict=True) if not seat.is_past],
        "past": [row for row, seat in zip(rows, seats, strict=True) if seat.is_past],
        "page": page,
        "currency": settings.STORE_CURRENCY,
        "minutes": settings.RETREAT_LINK_MINUTES_BEFORE,
        "waitlist": retreat_waitlist.entries_of(request),  # web/retreats/_my_waitlist.html, on every page
    }
    return render(request, "web/retreats/mine.html", context)


def _seat(request: MemberRequest, reservation_id: int) -> RetreatReservation | None:
    """The member's own seat with its retreat, order and first date's start (another member's is "not found")."""
    return (
        RetreatReservation.objects.select_related("retreat", "order_line__order")
        .annotate(first_start=Min("retreat__dates__start"))
        .filter(pk=reservation_id, user=request.user)
        .first()
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def cancel_seat(request: MemberRequest, reservation_id: int) -> HttpResponse:
    """GET: what cancelling now gives back, and the button; POST: cancel, through the API's service."""
    from app.retreats import pages_support, services

    seat = _seat(request, reservation_id)
    if seat is None:
        return not_found(request)
    if request.method == "POST":
        try:
            amount = services.cancel(seat, actor=request.user)
        except DomainError as error:
            show_on_page(request, error)
        else:
            messages.success(
                request,
                _("Your seat at “%(name)s” is cancelled: %(amount)s refunded to your card.")
                % {"name": localized(seat.retreat, "name"), "amount": money(amount, settings.STORE_CURRENCY)},
            )
        return redirect("account-retreats")
    first = seat.first_start  # type: ignore[attr-defined]
    refusal = None  # the service's own refusals (services.cancel), said before asking
    if seat.status != Status.CONFIRMED:
        refusal = _("Only a confirmed reservation can be cancelled.")
    elif first is not None and first <= now():
        refusal = _("The retreat has started: it can no longer be cancelled.")
    if refusal:
        messages.error(request, refusal)
        return redirect("account-retreats")
    preview = pages_support.refund_preview(seat)
    context = {
        "seat": seat,
        "name": localized(seat.retreat, "name"),
        "when": moments.moment_text(first, seat.retreat.zone) if first else "",  # its start, on its clock
        "preview": preview,
        "currency": settings.STORE_CURRENCY,
    }
    return render(request, "web/retreats/confirm_cancel.html", context)


@login_required
@require_GET
def join(request: MemberRequest, reservation_id: int) -> HttpResponse:
    """To the video link, logged as the API's `/join/` logs it; outside its window, back with the reason."""
    from app.retreats import services

    seat = _seat(request, reservation_id)
    if seat is None:
        return not_found(request)
    try:
        link = services.join(seat)
    except DomainError as error:
        show_on_page(request, error)
        return redirect("account-retreats")
    return redirect(link)
