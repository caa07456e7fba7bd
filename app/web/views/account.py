"""/account/ (profile, balance, password) and /account/reservations/ (list, cancel)."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from app.accounts import services as accounts
from app.accounts.serializers import ProfileSerializer
from app.bookings.models import Reservation
from app.bookings.services.reservations import cancel_reservation
from app.core import moments
from app.core.exceptions import DomainError
from app.core.i18n import localized
from app.store.services import memberships
from app.web.feedback import serializer_errors, show_on_form, show_on_page
from app.web.forms import EmailChangeForm, PasswordChangeForm, ProfileForm
from app.web.guard import attempt_allowed
from app.web.views.common import local_text, not_found, now, site_zone

PAST_SHOWN = 50


def _profile_initial(user):
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


def account_page(request, profile_form=None, password_form=None, email_form=None, status=200):
    user = request.user
    membership_end = None
    if user.has_membership:
        membership_end = local_text(user.membership_end, site_zone())
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
    }
    return render(request, "web/account.html", context, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def account(request):
    if request.method != "POST":
        return account_page(request)
    if request.POST.get("action") == "password":
        return _change_password(request)
    form = ProfileForm(request.POST)
    # The API's profile serializer: it refuses tickets, e-mail and the like, and checks the university.
    serializer = ProfileSerializer(request.user, data=request.POST, partial=True)
    errors = serializer_errors(serializer)
    if errors is not None:
        return account_page(request, profile_form=show_on_form(form, errors), status=400)
    serializer.save()
    messages.success(request, _("Your profile is saved."))
    return redirect("/account/")


def _change_password(request):
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
    return redirect("/account/")


def _reservation_view(reservation, moment):
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


@login_required
def reservations(request):
    moment = now()
    mine = Reservation.objects.filter(user=request.user).select_related("timeslot__period__workplace")
    upcoming = mine.filter(timeslot__start__gt=moment, status=Reservation.Status.ACTIVE).order_by("timeslot__start")
    past = mine.exclude(pk__in=upcoming.values("pk")).order_by("-timeslot__start")[:PAST_SHOWN]
    context = {
        "upcoming": [_reservation_view(r, moment) for r in upcoming],
        "past": [_reservation_view(r, moment) for r in past],
        "deadline_hours": settings.RESERVATION_CANCEL_DEADLINE_HOURS,
    }
    return render(request, "web/reservations.html", context)


@require_POST
@login_required
def cancel(request, reservation_id):
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
    return redirect("/account/reservations/")
