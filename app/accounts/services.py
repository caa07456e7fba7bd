"""Account rules as plain functions: views parse requests and call these."""

import logging
import re
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.models import update_last_login
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from app.accounts import tokens
from app.accounts.models import AuthToken, Domain, User
from app.core.email import send_templated_email
from app.security.login import check_login

logger = logging.getLogger(__name__)

_TOKEN_PLACEHOLDER = re.compile(r"\{\{\s*token\s*\}\}")


class LoginFailed(Exception):
    pass


def link_with_token(template, token):
    """`ACTIVATION_URL` / `FORGOT_PASSWORD_URL` with `{{token}}` replaced."""
    return _TOKEN_PLACEHOLDER.sub(lambda _: quote(token, safe=""), template)


def check_university(email, university, level, field):
    """A member who names a university signs up with one of its e-mail domains, and gives level and field."""
    if university is None:
        return
    errors = {}
    domain = email.rpartition("@")[2].strip().lower()
    if not Domain.objects.filter(organization=university, name__iexact=domain).exists():
        names = ", ".join(university.domains.values_list("name", flat=True)) or "none registered"
        errors["email"] = [f"Use your {university.name} e-mail address to join it (domains: {names})."]
    if level is None:
        errors["academic_level"] = ["Required when a university is given."]
    if field is None:
        errors["academic_field"] = ["Required when a university is given."]
    if errors:
        raise ValidationError(errors)


def email_taken(email, exclude_pk=None):
    return User.objects.filter(email__iexact=email.strip()).exclude(pk=exclude_pk).exists()


def sign_up(*, email, password, **profile):
    """Create the member (inactive unless AUTO_ACTIVATE_USER) and send the confirmation e-mail.

    Returns `(user, email_sent)`. The e-mail goes out after the commit: a provider failure
    never loses the account.
    """
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email=email, password=password, is_active=settings.AUTO_ACTIVATE_USER, **profile
            )
    except IntegrityError:
        # Two sign-ups with the same address raced past the serializer's check.
        raise ValidationError({"email": ["An account with this e-mail address already exists."]}) from None
    if user.is_active:
        return user, False
    return user, send_activation_email(user)


def send_activation_email(user):
    token = tokens.make_token(user, tokens.ACTIVATION)
    return send_templated_email(
        to_email=user.email,
        to_name=user.get_full_name(),
        template_setting="CONFIRM_SIGN_UP",
        params={
            "first_name": user.first_name,
            "last_name": user.last_name,
            "activation_url": link_with_token(settings.ACTIVATION_URL, token),
            "token": token,
            "expires_in_hours": settings.ACTIVATION_TOKEN_LIFETIME_HOURS,
        },
        local_template="emails/confirm_sign_up",
    )


def resend_activation(email):
    """Send a new link if `email` names an account that was never activated; silent otherwise."""
    user = User.objects.filter(email__iexact=email.strip(), is_active=False, last_login__isnull=True).first()
    if user is not None:
        send_activation_email(user)


def issue_login_token(user):
    """A new API token; logging in also records `last_login` (which retires outstanding reset links)."""
    update_last_login(None, user)
    return AuthToken.objects.issue(user)


def activate(token):
    """Activate the account a valid activation token names; return `(user, auth_token, key)`."""
    with transaction.atomic():
        user = tokens.check_token(token, tokens.ACTIVATION)
        # Conditional UPDATE: of two concurrent uses of one link, only one activates.
        if not User.objects.filter(pk=user.pk, is_active=False).update(is_active=True):
            raise tokens.TokenError("This activation link is invalid or has already been used.")
        user.is_active = True
        auth_token, key = issue_login_token(user)
    return user, auth_token, key


def log_in(request, email, password):
    # Wrong address, wrong password and inactive account all look the same; past too many
    # failures per address or account, check_login raises LoginLocked (a 429).
    user = check_login(request, email, password)
    if user is None:
        raise LoginFailed
    return issue_login_token(user)


def request_password_reset(email):
    """Send a reset link to an active member with this e-mail; the caller answers the same either way."""
    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is None:
        return
    token = tokens.make_token(user, tokens.PASSWORD_RESET)
    send_templated_email(
        to_email=user.email,
        to_name=user.get_full_name(),
        template_setting="FORGOT_PASSWORD",
        params={
            "first_name": user.first_name,
            "last_name": user.last_name,
            "forgot_password_url": link_with_token(settings.FORGOT_PASSWORD_URL, token),
            "token": token,
            "expires_in_minutes": settings.PASSWORD_RESET_TOKEN_LIFETIME_MINUTES,
        },
        local_template="emails/forgot_password",
    )


def user_for_reset_token(token):
    user = tokens.check_token(token, tokens.PASSWORD_RESET)
    if not user.is_active:
        raise tokens.TokenError("This password reset link is invalid or has already been used.")
    return user


def reset_password(user, new_password):
    """Use a reset link (already checked by `user_for_reset_token`): set the password, revoke every token."""
    with transaction.atomic():
        old_hash = user.password
        user.set_password(new_password)
        # Conditional UPDATE: of two concurrent uses of one link, only one sets a password.
        if not User.objects.filter(pk=user.pk, password=old_hash).update(password=user.password):
            raise tokens.TokenError("This password reset link is invalid or has already been used.")
        AuthToken.objects.filter(user=user).delete()


def change_password(user, new_password, *, keep_token=None):
    """Change the password and revoke every API token of the member but `keep_token`."""
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        revoked = AuthToken.objects.filter(user=user)
        if keep_token is not None:
            revoked = revoked.exclude(pk=keep_token.pk)
        revoked.delete()


def deactivate(user):
    """What DELETE /api/users/<id>/ does: the row and its history stay, the member can no longer log in."""
    with transaction.atomic():
        user.is_active = False
        user.save(update_fields=["is_active"])
        AuthToken.objects.filter(user=user).delete()
