"""The admin's attendance sheet of an in-person retreat: its confirmed participants × its dates that
have started, one checkbox each (app/retreats/attendance.py saves it, the API's rule)."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from app.accounts.models import User
from app.core.errors import user_message
from app.core.exceptions import DomainError
from app.retreats import attendance
from app.retreats.models import Retreat
from app.retreats.notices import date_text

if TYPE_CHECKING:
    from django.contrib.admin import ModelAdmin


def _checked(request: HttpRequest) -> set[tuple[int, int]]:
    """The boxes ticked: `present` values `<seat id>-<date id>` (anything else is ignored)."""
    checked: set[tuple[int, int]] = set()
    for value in request.POST.getlist("present"):
        seat, _sep, date = value.partition("-")
        if seat.isdigit() and date.isdigit():
            checked.add((int(seat), int(date)))
    return checked


def attendance_view(model_admin: ModelAdmin[Retreat], request: HttpRequest, retreat_id: int) -> HttpResponse:
    if not model_admin.has_view_permission(request):
        return redirect("admin:index")
    retreat = get_object_or_404(Retreat, pk=retreat_id)
    if retreat.kind != Retreat.Kind.PHYSICAL:
        raise Http404
    if request.method == "POST":
        if not model_admin.has_change_permission(request, retreat):
            return redirect("admin:index")
        try:
            changed = attendance.save_sheet(retreat, _checked(request), cast(User, request.user))
        except DomainError as error:
            model_admin.message_user(request, user_message(error), messages.ERROR)
        else:
            text = ngettext("%(count)d mark saved.", "%(count)d marks saved.", changed) % {"count": changed}
            model_admin.message_user(request, text, messages.SUCCESS)
        return HttpResponseRedirect(request.path)
    sheet = attendance.sheet(retreat)
    rows = [
        (seat, [(f"{seat.pk}-{date.pk}", (seat.pk, date.pk) in sheet.present) for date in sheet.dates])
        for seat in sheet.seats
    ]
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Attendance: %(retreat)s") % {"retreat": retreat},
        "retreat": retreat,
        "dates": [date_text(date, retreat) for date in sheet.dates],
        "rows": rows,
        "may_change": model_admin.has_change_permission(request, retreat),
        "opts": model_admin.model._meta,
    }
    return TemplateResponse(request, "admin/retreats/retreat/attendance.html", context)
