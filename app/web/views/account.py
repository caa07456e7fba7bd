"""/account/ (profile, balance, password) and /account/reservations/ (list, cancel)."""

from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from app.accounts import services as accounts
from app.accounts.models import User
from app.bookings.models import Reservation
from app.bookings.services.reservations import cancel_reservation
from app.core import moments
from app.core.exceptions import DomainError
from app.core.i18n import localized
from app.store.services import memberships
from app.web.feedback import show_on_form, show_on_page
from app.web.forms import EmailChangeForm, PasswordChangeForm, ProfileForm
from app.web.guard import attempt_allowed
from app.web.views import week
from app.web.views.common import MemberRequest, local_text, not_found, now, site_zone

RESERVATIONS_PER_PAGE = 20  # 200 reservations: 10 pages of about 15 KB of HTML, not one of 114 KB


def _profile_initial(user: User) -> dict[str, Any]:
    return {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "phone": user.phone,
        "birth_date": user.birth_date,
        "university": user.university_id,
        "academic_level": user.academic_level_id,
        "academic_field": user.academic_field_id,
        "language": user.language,
    }


def account_page(
    request: MemberRequest,
    profile_form: forms.Form | None = None,
    password_form: forms.Form | None = None,
    email_form: forms.Form | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    membership_end = None
    if user.has_membership:
        membership_end = local_text(user.membership_end, site_zone())  # type: ignore[arg-type]  # set when has_membership
    zone = site_zone()
    held = [
        {"name": localized(h.membership, "name") if h.membership else _("Membership"), "end": local_text(h.end, zone)}
        for h in memberships.current(user)
    ]
    context = {
        "profile_form": profile_form or ProfileForm(initial=_profile_initial(user)),
        "password_form": password_form or PasswordChangeForm(),
        "email_form": email_form or EmailChangeForm(),
        "membership_end": membership_end,
        "held_memberships": held,
        **week.account_context(user),  # calendar feed, session reminders
    }
    return render(request, "web/account.html", context, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def account(request: MemberRequest) -> HttpResponse:
    if request.method != "POST":
        return account_page(request)
    if request.POST.get("action") == "password":
        return _change_password(request)
    form = ProfileForm(request.POST, user=request.user)
    if not form.is_valid():  # the services' validators, as PATCH /api/users/me/
        return account_page(request, profile_form=form, status=400)
    accounts.update_member(request.user, form.changes(), actor=request.user, reference="profile")
    messages.success(request, _("Your profile is saved."))
    return redirect("account")


def _change_password(request: MemberRequest) -> HttpResponse:
    form = PasswordChangeForm(request.POST)
    allowed, wait = attempt_allowed(request, "login")  # as POST /api/password/change/
    if not allowed:
        message = _("Too many attempts. Try again in %(seconds)s seconds.") % {"seconds": wait}
        return account_page(request, password_form=show_on_form(form, {None: [message]}), status=429)
    if not form.is_valid():
        return account_page(request, password_form=form, status=400)
    user = request.user
    try:
        accounts.change_password(user, form.cleaned_data["old_password"], form.cleaned_data["new_password"])
    except (ValidationError, DomainError) as error:
        show_on_form(form, error)
        return account_page(request, password_form=form, status=400)
    update_session_auth_hash(request, user)  # this browser stays logged in; API tokens are revoked
    messages.success(request, _("Your password has been changed."))
    return redirect("account")


def _reservation_view(reservation: Reservation, moment: datetime) -> dict[str, Any]:
    slot = reservation.timeslot
    zone = slot.period.workplace.zone
    deadline = slot.start - timedelta(hours=settings.RESERVATION_CANCEL_DEADLINE_HOURS)
    return {
        "id": reservation.pk,
        "workplace": localized(slot.period.workplace, "name"),
        "start": local_text(slot.start, zone),
        "when": moments.slot_text(slot.start, slot.end, zone),
        "price": reservation.price,
        "active": reservation.status == Reservation.Status.ACTIVE,
        "status": _("Reserved") if reservation.status == Reservation.Status.ACTIVE else _("Cancelled"),
        "deadline": local_text(deadline, zone),
        "can_cancel": reservation.status == Reservation.Status.ACTIVE and moment <= deadline,
        "is_present": reservation.is_present,  # None until staff take attendance
        "free": bool(reservation.free_reason),
    }


def upcoming_first(reservations: QuerySet[Reservation], moment: datetime) -> QuerySet[Reservation]:
    """Upcoming active reservations soonest first, then the past and cancelled ones latest first."""
    upcoming = Q(timeslot__start__gt=moment, status=Reservation.Status.ACTIVE)
    return reservations.annotate(
        is_past=Case(When(upcoming, then=Value(0)), default=Value(1), output_field=IntegerField()),
        upcoming_start=Case(When(upcoming, then=F("timeslot__start"))),
    ).order_by("is_past", F("upcoming_start").asc(nulls_last=True), F("timeslot__start").desc(), "-id")


@login_required
def reservations(request: MemberRequest) -> HttpResponse:
    moment = now()
    mine = Reservation.objects.filter(user=request.user).select_related("timeslot__period__workplace")
    page = Paginator(upcoming_first(mine, moment), RESERVATIONS_PER_PAGE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    context = {
        "upcoming": [_reservation_view(r, moment) for r in rows if not r.is_past],
        "past": [_reservation_view(r, moment) for r in rows if r.is_past],
        "page": page,
        "deadline_hours": settings.RESERVATION_CANCEL_DEADLINE_HOURS,
        "waitlist": week.waitlist_views(request.user),
    }
    return render(request, "web/reservations.html", context)


@require_POST
@login_required
def cancel(request: MemberRequest, reservation_id: int) -> HttpResponse:
    # Another member's reservation is "not found": its existence is not revealed either.
    reservation = Reservation.objects.filter(pk=reservation_id, user=request.user).first()
    if reservation is None:
        return not_found(request)
    try:
        cancel_reservation(reservation, actor=request.user)
    except (ValidationError, DomainError) as error:
        show_on_page(request, error)
    else:
        messages.success(
            request,
            ngettext(
                "Reservation cancelled: %(count)s ticket returned.",
                "Reservation cancelled: %(count)s tickets returned.",
                reservation.price,
            )
            % {"count": reservation.price},
        )
    return redirect("reservations")
