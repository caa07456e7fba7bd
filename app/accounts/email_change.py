"""A member changes their own e-mail address: asked with the password, done on confirmation.

Nothing is stored while a change waits. The confirmation token is Django-signed and timestamped
(`EMAIL_CHANGE_TOKEN_LIFETIME_HOURS`) and carries `{"u": user id, "e": new address, "s": state}`,
where the state is an HMAC of the password hash, `is_active` and the current address, as for
the activation and reset tokens (app/accounts/tokens.py). Confirming changes the address, so the
state no longer matches: a link works once, and every other link asked before dies with it;
changing the password or closing the account retires it too. `last_login` is left out of the
state on purpose: logging in elsewhere while the link waits must not kill it.
"""

import logging

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from app.accounts.models import AuthToken, User
from app.accounts.services import check_new_email, check_university, email_taken, link_with_token
from app.core.email import send_templated_email
from app.core.exceptions import Invalid
from app.security.emails import canonical_email
from app.security.login import forget_account_failures

logger = logging.getLogger(__name__)

_SALT = "app.accounts.email_change"


def _signer() -> signing.TimestampSigner:
    # "." is outside the URL-safe base64 alphabet: the token needs no escaping in a link.
    return signing.TimestampSigner(salt=_SALT, sep=".")


def _state(user: User) -> str:
    value = f"{user.pk}|{user.password}|{user.is_active}|{user.email.lower()}"
    return salted_hmac(f"{_SALT}.state", value, algorithm="sha256").hexdigest()[:32]


def _taken_error() -> Invalid:
    return Invalid(fields={"new_email": [_("An account with this e-mail address already exists.")]})


def make_token(user: User, new_email: str) -> str:
    return _signer().sign_object({"u": user.pk, "e": new_email, "s": _state(user)})


def request_change(user: User, *, new_email: str, password: str) -> bool:
    """Check the password and the new address, then mail the link; return True if it was sent."""
    if not user.check_password(password):
        raise Invalid(fields={"password": [_("The password is wrong.")]})
    new_email = check_new_email(new_email, field="new_email")
    if new_email == canonical_email(user.email):
        raise Invalid(fields={"new_email": [_("This is already your e-mail address.")]})
    if email_taken(new_email, exclude_pk=user.pk):
        raise _taken_error()
    try:
        check_university(new_email, user.university, user.academic_level, user.academic_field)
    except Invalid as error:
        messages = dict(error.fields)
        raise Invalid(error.message, fields={"new_email": messages.pop("email", []), **messages}) from None
    token = make_token(user, new_email)
    hours = settings.EMAIL_CHANGE_TOKEN_LIFETIME_HOURS
    names = {"first_name": user.first_name, "last_name": user.last_name, "new_email": new_email}
    sent = send_templated_email(
        language=user.language,
        to_email=new_email,
        to_name=user.get_full_name(),
        template_setting="CONFIRM_EMAIL_CHANGE",
        params={
            **names,
            "confirm_url": link_with_token(settings.EMAIL_CHANGE_URL, token),
            "token": token,
            "expires_in_hours": hours,
        },
        local_template="emails/confirm_email_change",
    )
    # The current address hears of it, so that a member whose password leaked can react.
    send_templated_email(
        language=user.language,
        to_email=user.email,
        to_name=user.get_full_name(),
        template_setting="EMAIL_CHANGE_NOTICE",
        params=names,
        local_template="emails/email_change_notice",
    )
    return sent


def confirm_change(token: str) -> User:
    """Apply the change a valid token names; revoke every API token of the member. Returns the user."""
    invalid = Invalid(fields={"token": [_("This e-mail change link is invalid or has already been used.")]})
    try:
        payload = _signer().unsign_object(str(token).strip(), max_age=settings.EMAIL_CHANGE_TOKEN_LIFETIME_HOURS * 3600)
    except signing.SignatureExpired:
        raise Invalid(fields={"token": [_("This e-mail change link has expired. Ask for a new one.")]}) from None
    except (signing.BadSignature, ValueError, TypeError):
        raise invalid from None
    if not isinstance(payload, dict) or not isinstance(payload.get("e"), str):
        raise invalid
    if not isinstance(payload.get("u"), int):
        raise invalid
    user = User.objects.filter(pk=payload["u"], is_active=True).first()
    if user is None or not constant_time_compare(_state(user), str(payload.get("s", ""))):
        raise invalid
    new_email = canonical_email(payload["e"])
    # The address was free when asked; someone may have taken it since.
    if email_taken(new_email, exclude_pk=user.pk):
        raise _taken_error()
    try:
        with transaction.atomic():
            # Conditional UPDATE: of two concurrent uses of one link, only one changes the address.
            if not User.objects.filter(pk=user.pk, email=user.email, password=user.password).update(email=new_email):
                raise invalid
            AuthToken.objects.filter(user=user).delete()
    except IntegrityError:
        # A sign-up with this address raced past the check above.
        raise _taken_error() from None
    forget_account_failures(user.email, new_email)  # the owner followed the link: both addresses start afresh
    logger.info("Member %s changed their e-mail address", user.pk)
    user.email = new_email
    return user
