"""The home page and /sessions/: upcoming time slots, and the Reserve button."""

from collections.abc import Iterable
from datetime import datetime, time, timedelta
from itertools import groupby
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.backends.utils import csrf_input
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from app.accounts.models import User
from app.bookings import selectors
from app.bookings.models import TimeSlot
from app.bookings.selectors import Availability
from app.bookings.services import reservations
from app.core import moments
from app.core.exceptions import DomainError, ErrorCode
from app.core.i18n import localized
from app.web.feedback import show_on_page
from app.web.forms import SlotFilterForm
from app.web.paging import uncounted_page
from app.web.views import week
from app.web.views.common import MemberRequest, now, safe_next, zone_label

HOME_DAYS = 3
HOME_MAX_SLOTS = 60
PAGE_SIZE = 20
PLACE = "web/_place.html"


def _upcoming(user: User | AnonymousUser) -> QuerySet[TimeSlot]:
    """Upcoming slots with what their cards show for `user` counted in the same query."""
    slots = selectors.with_counts(selectors.upcoming_timeslots(), user)
    return selectors.with_queue(slots, user) if user.is_authenticated else slots


def _why_not(state: Availability, slot: TimeSlot, user: User | AnonymousUser) -> str | None:
    """The words under a Reserve button that cannot be used, or None."""
    if state == Availability.RESERVED:
        return _("You have reserved this session.")
    if state == Availability.FULL:
        return _("Full: no seat left.")
    if state == Availability.NOT_ENOUGH_TICKETS:
        # Short on every card: the page says once, at the top, how to get tickets (sessions.html).
        return _("Not enough tickets.")
    return None


def _slot_views(slots: Iterable[TimeSlot], user: User | AnonymousUser) -> list[dict[str, Any]]:
    """What a slot's card shows, and why its Reserve button cannot be used when it cannot.

    Its words are made here, once a card (and what a workplace shows, once a workplace), not by
    template tags and filters: a page of 20 cards costs little more than one of 10."""
    slots = list(slots)
    found = selectors.availability(slots, user)
    queued = {slot.pk: entry for slot in slots if (entry := getattr(slot, "queued", None))}  # with_queue
    places: dict[int, tuple[str, str]] = {}  # workplace id -> its name, where it is (HTML)
    # Slots start at a few times of day, in a few zones: each clock time and zone name is written once.
    clocks: dict[time, str] = {}
    zones: dict[tuple[str, str | None], str] = {}

    def clock_text(moment: datetime, zone: ZoneInfo) -> str:
        if moment.time() not in clocks:
            clocks[moment.time()] = moments.clock_text(moment, zone)
        return clocks[moment.time()]

    def zone_text(moment: datetime, zone: ZoneInfo) -> str:
        key = (zone.key, moment.tzname())  # EST and EDT are two names of one zone
        if key not in zones:
            zones[key] = zone_label(moment, zone)
        return zones[key]

    cards = []
    for slot in slots:
        workplace = slot.period.workplace
        if workplace.pk not in places:
            places[workplace.pk] = (
                localized(workplace, "name"),
                render_to_string(PLACE, {"place": week.place(workplace)}),
            )
        name, where = places[workplace.pk]
        zone = workplace.zone
        start, end = slot.start.astimezone(zone), slot.end.astimezone(zone)
        state, seats_left = found[slot.pk].state, found[slot.pk].places_remaining
        offered = queued.get(slot.pk) == "offered"
        reason = _why_not(state, slot, user)
        if slot.pk in queued and not offered and state != Availability.RESERVED:
            reason = _("You are on the waiting list of this session.")
        clock = clock_text(start, zone)
        can_wait = state == Availability.FULL and slot.pk not in queued
        action, url = _action(slot, reason, can_wait=can_wait, signed_in=user.is_authenticated)
        cards.append(
            {
                "id": slot.pk,
                "workplace": workplace,
                "name": name,
                "day": start.date(),
                "start": clock,
                "end": clock_text(end, zone),
                "zone": zone_text(start, zone),
                "price": slot.price,
                "seats_left": seats_left,
                "facts": _facts(slot.price, seats_left),
                # The button's words for screen readers: which session it reserves.
                "label": f"{name} {start.date():%Y-%m-%d} {clock}",
                "reason": reason,
                "store_link": True if state == Availability.NOT_ENOUGH_TICKETS else None,
                "where": where,  # web/_place.html, made once a workplace
                "can_wait": can_wait,
                "offered": offered,
                "action": action,  # what the card's button does (web/slots.html), and where
                "action_url": url,
            }
        )
    return cards


def _action(slot: TimeSlot, reason: str | None, *, can_wait: bool, signed_in: bool) -> tuple[str | None, str]:
    """What a card's button does: join the waiting list, reserve (after a confirmation inside the
    cancellation deadline), log in first; nothing when a reason says why not."""
    if reason:
        return ("wait", reverse("join-waitlist", args=[slot.pk])) if can_wait and signed_in else (None, "")
    if not signed_in:
        return "log_in", reverse("login")
    if week.inside_deadline(slot):
        return "confirm", reverse("confirm-reserve", args=[slot.pk])
    return "reserve", reverse("reserve", args=[slot.pk])


def _card_words(request: HttpRequest) -> dict[str, Any]:
    """What every card of a page says alike (web/slots.html), made once a page."""
    here = request.get_full_path()
    words = {
        "reserve": _("Reserve"),
        "log_in": _("Log in to reserve"),
        "wait": _("Join the waiting list"),
        "held": _("A seat is held for you."),
    }
    signed_in = request.user.is_authenticated
    return {
        "here": here,
        "here_query": quote(here, safe="/"),
        "words": words,
        "signed_in": signed_in,
        "csrf_input": csrf_input(request),  # what {% csrf_token %} writes, once a page
    }


def _facts(price: int, seats: int) -> str:
    """`1 ticket · 3 seats left`."""
    tickets = ngettext("%(price)s ticket", "%(price)s tickets", price) % {"price": price}
    left = ngettext("%(seats)s seat left", "%(seats)s seats left", seats) % {"seats": seats}
    return f"{tickets} · {left}"


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    slots = _upcoming(request.user).filter(start__lt=now() + timedelta(days=HOME_DAYS))
    cards = _slot_views(
        slots.order_by("period__workplace__name", "period__workplace_id", "start")[:HOME_MAX_SLOTS], request.user
    )
    workplaces = [
        {
            "workplace": workplace,
            "days": [(day, list(in_day)) for day, in_day in groupby(group, key=lambda c: c["day"])],
        }
        for workplace, group in groupby(cards, key=lambda c: c["workplace"])
    ]
    upcoming = week.next_session(request.user) if request.user.is_authenticated else None
    context = {"workplaces": workplaces, "home_days": HOME_DAYS, "next": upcoming, **_card_words(request)}
    return render(request, "web/home.html", context)


@require_safe
def sessions(request: HttpRequest) -> HttpResponse:
    form = SlotFilterForm(request.GET or None)
    slots = _upcoming(request.user).order_by("start", "id")
    if form.is_bound and form.is_valid():
        if form.cleaned_data["workplace"]:
            slots = slots.filter(period__workplace=form.cleaned_data["workplace"])
        if form.cleaned_data["day"]:
            slots = slots.filter(local_date=form.cleaned_data["day"])
    page = uncounted_page(slots, PAGE_SIZE, request.GET.get("page"))  # no COUNT over every upcoming slot
    cards = _slot_views(page.object_list, request.user)
    days = [(day, list(in_day)) for day, in_day in groupby(cards, key=lambda c: c["day"])]
    query = request.GET.copy()
    query.pop("page", None)
    short = any(card["store_link"] for card in cards)
    return render(
        request,
        "web/sessions.html",
        {
            "form": form,
            "page": page,
            "days": days,
            "query": query.urlencode(),
            "short_of_tickets": short,
            **_card_words(request),
        },
    )


@require_POST
@login_required
def reserve(request: MemberRequest, slot_id: int) -> HttpResponse:
    back = safe_next(request, reverse("sessions"))
    if week.needs_confirmation(request, slot_id):  # inside the cancellation deadline: say so first
        return redirect(f"{reverse('confirm-reserve', args=[slot_id])}?next={quote(back)}")
    try:
        reservation = reservations.reserve(request.user, slot_id)
    except DomainError as error:
        show_on_page(request, error)
        if error.code == ErrorCode.NOT_ENOUGH_TICKETS:
            messages.info(request, _("Buy tickets in the store."), extra_tags="store")
        return redirect(back)
    slot = reservation.timeslot
    zone = slot.period.workplace.zone
    messages.success(
        request,
        ngettext(
            "Reserved: %(workplace)s, %(start)s. %(price)s ticket spent.",
            "Reserved: %(workplace)s, %(start)s. %(price)s tickets spent.",
            reservation.price,
        )
        % {
            "workplace": localized(slot.period.workplace, "name"),
            "start": moments.moment_text(slot.start, zone),
            "price": reservation.price,
        },
    )
    return redirect("reservations")
