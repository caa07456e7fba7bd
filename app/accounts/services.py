"""Account rules as plain functions: views, serializers and the admin parse input and call these.

Failures raise `app.core.exceptions` (mostly `Invalid` naming the field); the API's exception
handler and the admin show them with the same words.
"""

import logging
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.models import update_last_login
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from app.accounts import tokens
from app.accounts.models import AuthToken, Domain, Organization, User
from app.accounts.tickets import set_tickets
from app.accounts.welcome import grant_welcome_tickets
from app.core.email import send_templated_email
from app.core.exceptions import Invalid, Message
from app.security.emails import canonical_email, validate_new_email
from app.security.login import check_login, forget_account_failures

logger = logging.getLogger(__name__)

_TOKEN_PLACEHOLDER = re.compile(r"\{\{\s*token\s*\}\}")


class LoginFailed(Invalid):
    # Wrong address, wrong password and inactive account give the same answer.
    default_message = gettext_lazy("Unable to log in with this e-mail and password, or the account is not active.")


def link_with_token(template: str, token: str) -> str:
    """`ACTIVATION_URL` / `FORGOT_PASSWORD_URL` with `{{token}}` replaced."""
    return _TOKEN_PLACEHOLDER.sub(lambda _: quote(token, safe=""), template)


def check_university(email: str, university: Organization | None, level: Any, field: Any) -> None:
    """A member who names a university signs up with one of its e-mail domains, and gives level and field."""
    if university is None:
        return
    errors = {}
    domain = email.rpartition("@")[2].strip().lower()
    if not Domain.objects.filter(organization=university, name__iexact=domain).exists():
        names = ", ".join(university.domains.values_list("name", flat=True)) or _("none registered")
        errors["email"] = [
            _("Use your %(university)s e-mail address to join it (domains: %(domains)s).")
            % {"university": university.name, "domains": names}
        ]
    if level is None:
        errors["academic_level"] = [_("Required when a university is given.")]
    if field is None:
        errors["academic_field"] = [_("Required when a university is given.")]
    if errors:
        raise Invalid(fields=errors)


def email_taken(email: str, exclude_pk: int | None = None) -> bool:
    same = User.objects.filter(email=canonical_email(email))
    if exclude_pk is not None:
        same = same.exclude(pk=exclude_pk)
    return same.exists()


def email_taken_error() -> Invalid:
    return Invalid(fields={"email": [_("An account with this e-mail address already exists.")]})


# Fields a member may read on their profile but never change, with the reason given back.
MEMBER_REFUSED = {
    "tickets": gettext_lazy("Tickets are changed only by administrators and the store."),
    "membership_end": gettext_lazy("Memberships are changed only by administrators and the store."),
    "is_staff": gettext_lazy("Staff status is changed only by administrators."),
    "is_superuser": gettext_lazy("Staff status is changed only by administrators."),
    "is_active": gettext_lazy("Only administrators activate or deactivate accounts."),
    "email": gettext_lazy("The e-mail address cannot be changed here; write to an administrator."),
    "password": gettext_lazy("Use /api/password/change/ to change your password."),
}


def check_refused(names: Iterable[str], refused: Mapping[str, Message]) -> None:
    """`Invalid` naming every field of `names` the caller may not change, instead of ignoring it silently."""
    errors = {name: [message] for name, message in refused.items() if name in names}
    if errors:
        raise Invalid(fields=errors)


def check_email_free(email: str, exclude_pk: int | None = None) -> None:
    """The validator for a new address (sign-up, profile): `Invalid` when an account already has it."""
    if email_taken(email, exclude_pk=exclude_pk):
        raise email_taken_error()


def check_new_email(email: str, *, field: str = "email") -> str:
    """The canonical form of an address a person enters for an account; `Invalid` on `field` for a
    look-alike letter or the closed-account domain (`app.security.emails`)."""
    try:
        validate_new_email(email)
    except DjangoValidationError as error:
        raise Invalid(fields={field: error.messages}) from None
    return canonical_email(email)


def check_new_password(password: str, user: User, *, field: str = "new_password") -> None:
    """Django's password validators, their messages under `field`."""
    try:
        validate_password(password, user=user)
    except DjangoValidationError as error:
        raise Invalid(fields={field: error.messages}) from None


def sign_up(*, email: str, password: str, **profile: Any) -> tuple[User, bool]:
    """Create the member (inactive unless AUTO_ACTIVATE_USER) and send the confirmation e-mail.

    Returns `(user, email_sent)`. The e-mail goes out after the commit: a provider failure
    never loses the account.
    """
    email = check_new_email(email)
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email=email, password=password, is_active=settings.AUTO_ACTIVATE_USER, **profile
            )
            if user.is_active:
                grant_welcome_tickets(user)
    except IntegrityError:
        # Two sign-ups with the same address raced past the serializer's check.
        raise email_taken_error() from None
    if user.is_active:
        return user, False
    return user, send_activation_email(user)


def send_activation_email(user: User) -> bool:
    token = tokens.make_token(user, tokens.ACTIVATION)
    return send_templated_email(
        language=user.language,
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


def resend_activation(email: str) -> None:
    """Send a new link if `email` names an account that was never activated; silent otherwise."""
    user = User.objects.filter(email=canonical_email(email), is_active=False, last_login__isnull=True).first()
    if user is not None:
        send_activation_email(user)


def issue_login_token(user: User) -> tuple[AuthToken, str]:
    """A new API token; logging in also records `last_login` (which retires outstanding reset links)."""
    update_last_login(User, user)  # a signal receiver: the sender is the model
    return AuthToken.objects.issue(user)


def activate(token: str) -> tuple[User, AuthToken, str]:
    """Activate the account a valid activation token names; return `(user, auth_token, key)`."""
    with transaction.atomic():
        user = tokens.check_token(token, tokens.ACTIVATION)
        # Conditional UPDATE: of two concurrent uses of one link, only one activates.
        if not User.objects.filter(pk=user.pk, is_active=False).update(is_active=True):
            raise tokens.TokenError(tokens.invalid_token_message(tokens.ACTIVATION))
        user.is_active = True
        grant_welcome_tickets(user)
        auth_token, key = issue_login_token(user)
        forget_account_failures(user.email)  # the owner followed the e-mail's link
    return user, auth_token, key


def log_in(request: HttpRequest | None, email: str, password: str) -> tuple[AuthToken, str]:
    # Wrong address, wrong password and inactive account all look the same; past too many
    # failures per address or account, check_login raises LoginLocked (a 429).
    user = check_login(request, email, password)
    if user is None:
        raise LoginFailed
    return issue_login_token(user)


def request_password_reset(email: str) -> None:
    """Send a reset link to an active member with this e-mail; the caller answers the same either way."""
    user = User.objects.filter(email=canonical_email(email), is_active=True).first()
    if user is None:
        return
    token = tokens.make_token(user, tokens.PASSWORD_RESET)
    send_templated_email(
        language=user.language,
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


def user_for_reset_token(token: str) -> User:
    user = tokens.check_token(token, tokens.PASSWORD_RESET)
    if not user.is_active:
        raise tokens.TokenError(tokens.invalid_token_message(tokens.PASSWORD_RESET))
    return user


def reset_password(token: str, new_password: str) -> User:
    """Use a reset link: check it and the new password, set it, revoke every API token of the member."""
    user = user_for_reset_token(token)
    check_new_password(new_password, user)
    with transaction.atomic():
        old_hash = user.password
        user.set_password(new_password)
        # Conditional UPDATE: of two concurrent uses of one link, only one sets a password.
        if not User.objects.filter(pk=user.pk, password=old_hash).update(password=user.password):
            raise tokens.TokenError(tokens.invalid_token_message(tokens.PASSWORD_RESET))
        AuthToken.objects.filter(user=user).delete()
        forget_account_failures(user.email)  # the owner proved the address: no lock from before
    return user


def change_password(user: User, old_password: str, new_password: str, *, keep_token: AuthToken | None = None) -> None:
    """Change the password (the old one must match) and revoke every API token of the member but `keep_token`."""
    if not user.check_password(old_password):
        raise Invalid(fields={"old_password": [_("The current password is wrong.")]})
    check_new_password(new_password, user)
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        revoked = AuthToken.objects.filter(user=user)
        if keep_token is not None:
            revoked = revoked.exclude(pk=keep_token.pk)
        revoked.delete()


def check_deactivation(user: User, *, actor: User | None) -> None:
    if actor is not None and user.pk == actor.pk:
        message = _("You cannot deactivate your own account.")
        raise Invalid(message, fields={"is_active": [message]})


def deactivate(user: User, *, actor: User | None) -> None:
    """What DELETE /api/users/<id>/ does: the row and its history stay, the member can no longer log in."""
    check_deactivation(user, actor=actor)
    with transaction.atomic():
        user.is_active = False
        user.save(update_fields=["is_active"])
        AuthToken.objects.filter(user=user).delete()


def update_member(user: User, changes: Mapping[str, Any], *, actor: User | None, reference: str) -> User:
    """An administrator changes a member (API or Django admin): the one place for balances and deactivation.

    Only the columns in `changes` are written, on the locked row: a full save would put back a
    stale `tickets` value over a purchase or reservation that committed meanwhile. A new balance
    goes through the ticket ledger; deactivating also revokes the member's API tokens.
    """
    changes = dict(changes)
    balance = changes.pop("tickets", None)
    if changes.get("is_active") is False:
        check_deactivation(user, actor=actor)
    with transaction.atomic():
        user.tickets = User.objects.select_for_update().values_list("tickets", flat=True).get(pk=user.pk)
        for name, value in changes.items():
            setattr(user, name, value)
        if changes:
            user.save(update_fields=list(changes))
        if balance is not None:
            set_tickets(user, balance, actor=actor, reference=reference)
        if changes.get("is_active") is False:
            AuthToken.objects.filter(user=user).delete()
    return user
