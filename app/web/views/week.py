"""The member's week on the pages: confirmation steps, waiting lists, moving a booking, calendars.

Every step works without JavaScript: a link opens a page that says what will happen, and its one
button POSTs. The rules are the API's services (app.bookings: services, waitlist, moving, feed,
reminders); the pages only show their answers.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from app.accounts.models import User
from app.bookings import feed, ics, moving, selectors, waitlist
from app.bookings.models import Reservation, TimeSlot, WaitlistEntry, Workplace
from app.core.exceptions import DomainError
from app.core.i18n import localized
from app.web.feedback import show_on_page
from app.web.views.common import local_text, not_found, now, safe_next

MOVE_CHOICES = 30


def _member(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # behind login_required
    return user


def inside_deadline(slot: TimeSlot) -> bool:
    """Booked now, this seat could no longer be cancelled (or moved) by the member."""
    return now() > slot.start - timedelta(hours=settings.RESERVATION_CANCEL_DEADLINE_HOURS)


def place(workplace: Workplace) -> dict[str, str]:
    """What the pages show of where a session is: address, a map link (a link only), details."""
    return {
        "address": ics.address(workplace),
        "map_url": ics.map_url(workplace),
        "details": localized(workplace, "details"),
    }


def _slot_context(slot: TimeSlot) -> dict[str, object]:
    workplace = slot.period.workplace
    return {
        "slot": slot,
        "workplace": localized(workplace, "name"),
        "start": local_text(slot.start, workplace.zone),
        "end": f"{slot.end.astimezone(workplace.zone):%H:%M}",
        "place": place(workplace),
    }


@require_safe
@login_required
def confirm_reserve(request: HttpRequest, slot_id: int) -> HttpResponse:
    slot = selectors.timeslots_with_places().filter(pk=slot_id).first()
    if slot is None:
        return not_found(request)
    context = {**_slot_context(slot), "late": inside_deadline(slot), "next": safe_next(request, reverse("sessions"))}
    return render(request, "web/confirm_reserve.html", context)


def needs_confirmation(request: HttpRequest, slot_id: int) -> bool:
    """A booking inside the cancellation deadline is made only from its confirmation page."""
    if request.POST.get("confirm") == "1":
        return False
    slot = TimeSlot.objects.filter(pk=slot_id).only("start").first()
    return slot is not None and slot.start > now() and inside_deadline(slot)  # started: the service says so


def _active_reservation(request: HttpRequest, reservation_id: int) -> Reservation | None:
    """The member's own active reservation with its slot and workplace, or None."""
    return (
        Reservation.objects.filter(pk=reservation_id, user=_member(request), status=Reservation.Status.ACTIVE)
        .select_related("timeslot__period__workplace")
        .first()
    )


@require_safe
@login_required
def confirm_cancel(request: HttpRequest, reservation_id: int) -> HttpResponse:
    reservation = _active_reservation(request, reservation_id)
    if reservation is None:
        return not_found(request)
    return render(request, "web/confirm_cancel.html", {**_slot_context(reservation.timeslot), "r": reservation})


@require_POST
@login_required
def join_waitlist(request: HttpRequest, slot_id: int) -> HttpResponse:
    try:
        entry = waitlist.join(_member(request), slot_id)
    except DomainError as error:
        show_on_page(request, error)
        return redirect(safe_next(request, reverse("sessions")))
    position = WaitlistEntry.objects.filter(timeslot_id=slot_id, pk__lte=entry.pk).count()
    messages.success(
        request,
        _("You are on the waiting list, number %(position)d. We will e-mail you if a seat frees up.")
        % {"position": position},
    )
    return redirect(reverse("reservations") + "#waitlist")


@require_POST
@login_required
def leave_waitlist(request: HttpRequest, slot_id: int) -> HttpResponse:
    try:
        waitlist.leave(_member(request), slot_id)
    except DomainError as error:
        show_on_page(request, error)
    else:
        messages.success(request, _("You left the waiting list."))
    return redirect(reverse("reservations") + "#waitlist")


@require_POST
@login_required
def decline_offer(request: HttpRequest, entry_id: int) -> HttpResponse:
    try:
        waitlist.decline(entry_id, _member(request))
    except DomainError as error:
        show_on_page(request, error)
    else:
        messages.success(request, _("Seat declined: it goes to the next person waiting."))
    return redirect(reverse("reservations") + "#waitlist")


def waitlist_views(user: User) -> list[dict[str, object]]:
    """The member's entries for /account/reservations/ (one query)."""
    rows = []
    for entry in waitlist.entries(user):
        slot = entry.timeslot
        zone = slot.period.workplace.zone
        rows.append(
            {
                "id": entry.pk,
                "slot_id": slot.pk,
                "workplace": localized(slot.period.workplace, "name"),
                "start": local_text(slot.start, zone),
                "position": entry.position,  # type: ignore[attr-defined]  # annotated by waitlist.entries
                "offered": entry.status == WaitlistEntry.Status.OFFERED and entry.offer_expires_at > now(),  # type: ignore[operator]  # an offer has its expiry
                "expires": local_text(entry.offer_expires_at, zone) if entry.offer_expires_at else "",
            }
        )
    return rows


@login_required
def move(request: HttpRequest, reservation_id: int) -> HttpResponse:
    """GET: the sessions this booking can move to; POST `timeslot`: move it."""
    reservation = _active_reservation(request, reservation_id)
    if reservation is None:
        return not_found(request)
    if request.method == "POST":
        try:
            moving.move_reservation(reservation.pk, int(request.POST.get("timeslot", "0") or 0), actor=_member(request))
        except (DomainError, ValueError) as error:
            show_on_page(request, error if isinstance(error, DomainError) else DomainError())
            return redirect("move-reservation", reservation_id=reservation.pk)
        messages.success(request, _("Your reservation is moved. The e-mail we sent updates your calendar."))
        return redirect("reservations")
    slots = selectors.timeslots_with_places().filter(start__gt=now(), period__is_active=True)
    open_slots = slots.filter(places_remaining__gt=0).exclude(pk=reservation.timeslot_id)  # type: ignore[misc]
    choices = [_slot_context(slot) for slot in open_slots.order_by("start", "id")[:MOVE_CHOICES]]
    context = {**_slot_context(reservation.timeslot), "r": reservation, "choices": choices}
    return render(request, "web/move.html", context)


@require_POST
@login_required
def calendar_feed(request: HttpRequest) -> HttpResponse:
    """/account/: create or rotate the private feed (its URL is shown once), or turn it off."""
    user = _member(request)
    if request.POST.get("action") == "off":
        feed.CalendarFeed.objects.filter(user=user).delete()
        messages.success(request, _("Your calendar feed is off: its address no longer works."))
        return redirect(reverse("account") + "#calendar")
    secret = feed.rotate(user)
    url = request.build_absolute_uri(f"/api/calendar-feed/{secret}.ics")
    messages.success(
        request, _("Your calendar feed address (copy it now, it is shown only once): %(url)s") % {"url": url}
    )
    return redirect(reverse("account") + "#calendar")


@require_POST
@login_required
def reminders_setting(request: HttpRequest) -> HttpResponse:
    on = request.POST.get("session_reminders") == "on"
    User.objects.filter(pk=_member(request).pk).update(session_reminders=on)
    messages.success(request, _("Session reminders are on.") if on else _("Session reminders are off."))
    return redirect(reverse("account") + "#reminders")


def next_session(user: User) -> dict[str, object] | None:
    """The member's next booked session, for the home page (one query)."""
    reservation = (
        Reservation.objects.filter(user=user, status=Reservation.Status.ACTIVE, timeslot__start__gt=now())
        .select_related("timeslot__period__workplace")
        .order_by("timeslot__start")
        .first()
    )
    if reservation is None:
        return None
    return {**_slot_context(reservation.timeslot), "id": reservation.pk}


def account_context(user: User) -> dict[str, object]:
    return {"calendar_feed_on": feed.CalendarFeed.objects.filter(user=user).exists()}
