"""Sign up, activate, log in and out, reset a password: the API's serializers and services behind forms."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from app.accounts import services as accounts
from app.accounts import tokens
from app.core.exceptions import DomainError
from app.core.i18n import current_language
from app.security.login import LoginLocked, check_login
from app.web.feedback import show_on_form
from app.web.forms import EmailForm, LoginForm, NewPasswordForm, SignUpForm
from app.web.guard import attempt_allowed
from app.web.views.common import safe_next

BACKEND = "django.contrib.auth.backends.ModelBackend"
SIGNUP_EMAIL = "web:signup-email"


def _too_many(form: forms.Form, wait: float | None) -> forms.Form:
    return show_on_form(form, {None: [_("Too many attempts. Try again in %(seconds)s seconds.") % {"seconds": wait}]})


@require_http_methods(["GET", "HEAD", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "web/signup.html", {"form": SignUpForm()})
    form = SignUpForm(request.POST)
    allowed, wait = attempt_allowed(request, "signup")
    if not allowed:
        return render(request, "web/signup.html", {"form": _too_many(form, wait)}, status=429)
    if not form.is_valid():  # the services' validators, as POST /api/users/: the same rules and messages
        return render(request, "web/signup.html", {"form": form}, status=400)
    profile = {name: value for name, value in form.cleaned_data.items() if name not in ("email", "password")}
    try:
        user, email_sent = accounts.sign_up(
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password"],
            language=current_language(),
            **profile,
        )
    except DomainError as error:  # two sign-ups raced past the check
        return render(request, "web/signup.html", {"form": show_on_form(form, error)}, status=400)
    if user.is_active:
        messages.success(request, _("Your account is active: you can log in."))
        return redirect("login")
    request.session[SIGNUP_EMAIL] = user.email
    if not email_sent:
        messages.warning(request, _("The confirmation e-mail could not be sent. Use “Send it again” in a few minutes."))
    return redirect("signup-done")


@require_http_methods(["GET", "HEAD", "POST"])
def signup_done(request: HttpRequest) -> HttpResponse:
    email = request.session.get(SIGNUP_EMAIL)
    if email is None:
        return redirect("signup")
    if request.method == "POST":
        allowed, wait = attempt_allowed(request, "signup")
        if allowed:
            accounts.resend_activation(email)
            messages.success(request, _("If your account still waits for activation, a new link has been sent."))
        else:
            messages.error(request, _("Too many attempts. Try again in %(seconds)s seconds.") % {"seconds": wait})
        return redirect("signup-done")
    hours = settings.ACTIVATION_TOKEN_LIFETIME_HOURS
    return render(request, "web/signup_done.html", {"email": email, "hours": hours})


@require_http_methods(["GET", "HEAD", "POST"])
def activate(request: HttpRequest) -> HttpResponse:
    """GET checks the link and offers a button; the POST activates (mail scanners only GET links)."""
    token = (request.POST.get("token") if request.method == "POST" else request.GET.get("token")) or ""
    if request.method != "POST":
        error = None
        try:
            tokens.check_token(token, tokens.ACTIVATION)
        except tokens.TokenError as problem:
            error = str(problem)
        return render(request, "web/activate.html", {"token": token, "error": error}, status=400 if error else 200)
    try:
        user, _auth_token, _key = accounts.activate(token)
    except tokens.TokenError as problem:
        return render(request, "web/activate.html", {"token": "", "error": str(problem)}, status=400)
    login(request, user, backend=BACKEND)
    messages.success(request, _("Your account is confirmed and you are logged in. Welcome!"))
    return redirect("account")


@require_http_methods(["GET", "HEAD", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    next_path = safe_next(request, reverse("sessions"))
    if request.method != "POST":
        return render(request, "web/login.html", {"form": LoginForm(), "next": next_path})
    form = LoginForm(request.POST)
    allowed, wait = attempt_allowed(request, "login")
    if not allowed:
        return render(request, "web/login.html", {"form": _too_many(form, wait), "next": next_path}, status=429)
    if not form.is_valid():
        return render(request, "web/login.html", {"form": form, "next": next_path}, status=400)
    # What services.log_in checks, without minting an API token the browser does not need.
    try:
        user = check_login(request, form.cleaned_data["email"], form.cleaned_data["password"])
    except LoginLocked as locked:
        return render(request, "web/login.html", {"form": _too_many(form, locked.wait), "next": next_path}, status=429)
    if user is None:
        message = _("Unable to log in with this e-mail and password, or the account is not active.")
        return render(
            request, "web/login.html", {"form": show_on_form(form, {None: [message]}), "next": next_path}, status=400
        )
    login(request, user)  # also records last_login, which retires outstanding reset links
    return redirect(next_path)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.success(request, _("You are logged out."))
    return redirect("home")


@require_http_methods(["GET", "HEAD", "POST"])
def reset_password(request: HttpRequest) -> HttpResponse:
    token = request.POST.get("token") if request.method == "POST" else request.GET.get("token")
    if token is not None:
        return _set_new_password(request, token)
    if request.method != "POST":
        return render(request, "web/reset_request.html", {"form": EmailForm()})
    form = EmailForm(request.POST)
    allowed, wait = attempt_allowed(request, "password_reset")
    if not allowed:
        return render(request, "web/reset_request.html", {"form": _too_many(form, wait)}, status=429)
    if not form.is_valid():
        return render(request, "web/reset_request.html", {"form": form}, status=400)
    accounts.request_password_reset(form.cleaned_data["email"])
    minutes = settings.PASSWORD_RESET_TOKEN_LIFETIME_MINUTES
    return render(request, "web/reset_sent.html", {"minutes": minutes})


def _set_new_password(request: HttpRequest, token: str) -> HttpResponse:
    form = NewPasswordForm(request.POST or None)
    context = {"token": token, "form": form}
    try:
        accounts.user_for_reset_token(token)
    except tokens.TokenError as problem:
        return render(request, "web/reset_confirm.html", {**context, "error": problem.token_message}, status=400)
    if request.method != "POST":
        return render(request, "web/reset_confirm.html", context)
    allowed, wait = attempt_allowed(request, "login")  # as POST /api/password/reset/confirm/
    if not allowed:
        return render(request, "web/reset_confirm.html", {**context, "form": _too_many(form, wait)}, status=429)
    if not form.is_valid():
        return render(request, "web/reset_confirm.html", context, status=400)
    try:
        accounts.reset_password(token, form.cleaned_data["new_password"])
    except tokens.TokenError as problem:
        return render(request, "web/reset_confirm.html", {**context, "error": problem.token_message}, status=400)
    except (ValidationError, DomainError) as error:
        show_on_form(form, error)
        return render(request, "web/reset_confirm.html", context, status=400)
    messages.success(request, _("Your password has been changed. Log in with the new one."))
    return redirect("login")
