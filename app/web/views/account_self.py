"""/account/ actions on one's own account (issue 15): change the e-mail address (asked here,
confirmed from the link on a page that POSTs), download one's data, close the account.
The rules are the API's services: app.accounts.email_change, app.members.data_export and closing."""

import json

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from app.accounts import email_change
from app.core.errors import user_message
from app.core.exceptions import DomainError
from app.members import closing, data_export
from app.web.feedback import show_on_form
from app.web.forms import CloseAccountForm, EmailChangeForm
from app.web.guard import attempt_allowed
from app.web.views.account import account_page
from app.web.views.common import MemberRequest, local_text, site_zone


@require_POST
@login_required
def change_email(request: MemberRequest) -> HttpResponse:
    form = EmailChangeForm(request.POST)
    allowed, wait = attempt_allowed(request, "login")  # it checks a password, as the API does
    if not allowed:
        message = _("Too many attempts. Try again in %(seconds)s seconds.") % {"seconds": wait}
        return account_page(request, email_form=show_on_form(form, {None: [message]}), status=429)
    if not form.is_valid():
        return account_page(request, email_form=form, status=400)
    try:
        sent = email_change.request_change(
            request.user, new_email=form.cleaned_data["new_email"], password=form.cleaned_data["password"]
        )
    except DomainError as error:
        return account_page(request, email_form=show_on_form(form, error), status=400)
    if sent:
        messages.success(
            request,
            _("We sent a link to %(email)s: your address changes when you open it.")
            % {"email": form.cleaned_data["new_email"]},
        )
    else:
        messages.warning(request, _("The confirmation e-mail could not be sent. Please try again in a few minutes."))
    return redirect("account")


@require_http_methods(["GET", "HEAD", "POST"])
def confirm_email(request: HttpRequest) -> HttpResponse:
    """The link from the e-mail lands here; only the button (a POST) changes the address, so that a
    mail scanner following links changes nothing."""
    token = (request.POST if request.method == "POST" else request.GET).get("token", "")
    if request.method != "POST":
        return render(request, "web/confirm_email.html", {"token": token})
    try:
        user = email_change.confirm_change(token)
    except DomainError as error:
        return render(request, "web/confirm_email.html", {"token": token, "error": user_message(error)}, status=400)
    messages.success(request, _("Your e-mail address is now %(email)s.") % {"email": user.email})
    return redirect("account" if request.user.is_authenticated else "login")


@require_safe
@login_required
def my_data(request: MemberRequest) -> HttpResponse:
    body = json.dumps(data_export.export_member_data(request.user), cls=DjangoJSONEncoder, indent=2)
    response = HttpResponse(body, content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="my-data-{timezone.localdate():%Y-%m-%d}.json"'
    response["Cache-Control"] = "no-store"
    return response


def _close_page(request: MemberRequest, form: forms.Form, status: int = 200) -> HttpResponse:
    """The confirmation step: what closing loses (tickets, reservations, membership), then the password."""
    loses = closing.what_closing_loses(request.user)
    end = loses["membership_end"]
    context = {"form": form, **loses, "membership_end": local_text(end, site_zone()) if end else None}
    return render(request, "web/close_account.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def close_account(request: MemberRequest) -> HttpResponse:
    if request.method == "GET":
        return _close_page(request, CloseAccountForm())
    form = CloseAccountForm(request.POST)
    allowed, wait = attempt_allowed(request, "login")
    if not allowed:
        message = _("Too many attempts. Try again in %(seconds)s seconds.") % {"seconds": wait}
        return _close_page(request, show_on_form(form, {None: [message]}), status=429)
    if not form.is_valid():
        return _close_page(request, form, status=400)
    try:
        closing.close_account(request.user, password=form.cleaned_data["password"])
    except DomainError as error:
        return _close_page(request, show_on_form(form, error), status=400)
    logout(request)
    messages.success(request, _("Your account is closed. Thank you for writing with us."))
    return redirect("home")
