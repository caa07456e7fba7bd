"""Activation and password-reset tokens: signed, expiring, single-use, with no table.

A token is a signed, timestamped `{"u": user id, "s": state}` where `state` is an HMAC of what
the token's use changes: the password hash, `last_login`, `is_active` and the e-mail. Activating
sets `is_active` and `last_login`; resetting sets the password. Either changes the state, so a
used token no longer matches: it works once. The signature's timestamp gives the expiry
(`ACTIVATION_TOKEN_LIFETIME_HOURS`, `PASSWORD_RESET_TOKEN_LIFETIME_MINUTES`). Each kind has its
own salt, so an activation token is never accepted as a reset token or the other way round.
"""

from django.conf import settings
from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from app.accounts.models import User
from app.core.exceptions import Invalid, Message

ACTIVATION = "activation"
PASSWORD_RESET = "password-reset"  # noqa: S105 - a salt name, not a secret


class TokenError(Invalid):
    """A token that cannot be used; the message is meant for the member and names the `token` field."""

    def __init__(self, message: Message) -> None:
        super().__init__(fields={"token": [message]})
        self.token_message = message

    def __str__(self) -> str:
        return str(self.token_message)


class TokenExpired(TokenError):
    pass


def invalid_token_message(kind: str) -> str:
    if kind == ACTIVATION:
        return _("This activation link is invalid or has already been used.")
    return _("This password reset link is invalid or has already been used.")


def _expired_message(kind: str) -> str:
    if kind == ACTIVATION:
        return _("This activation link has expired. Ask for a new one.")
    return _("This password reset link has expired. Ask for a new one.")


def _signer(kind: str) -> signing.TimestampSigner:
    # "." is outside the URL-safe base64 alphabet: the token needs no escaping in a link.
    return signing.TimestampSigner(salt=f"app.accounts.tokens.{kind}", sep=".")


def _state(user: User, kind: str) -> str:
    last_login = "" if user.last_login is None else user.last_login.replace(microsecond=0, tzinfo=None).isoformat()
    value = f"{user.pk}|{user.password}|{last_login}|{user.is_active}|{user.email.lower()}"
    return salted_hmac(f"app.accounts.tokens.{kind}.state", value, algorithm="sha256").hexdigest()[:32]


def _max_age(kind: str) -> int:
    if kind == ACTIVATION:
        return settings.ACTIVATION_TOKEN_LIFETIME_HOURS * 3600
    return settings.PASSWORD_RESET_TOKEN_LIFETIME_MINUTES * 60


def make_token(user: User, kind: str) -> str:
    return _signer(kind).sign_object({"u": user.pk, "s": _state(user, kind)})


def check_token(token: str, kind: str) -> User:
    """Return the user `token` was made for, or raise TokenError / TokenExpired."""
    try:
        payload = _signer(kind).unsign_object(str(token).strip(), max_age=_max_age(kind))
    except signing.SignatureExpired:
        raise TokenExpired(_expired_message(kind)) from None
    except (signing.BadSignature, ValueError, TypeError):
        raise TokenError(invalid_token_message(kind)) from None
    user_id = payload.get("u") if isinstance(payload, dict) else None
    user = User.objects.filter(pk=user_id).first() if isinstance(user_id, int) else None
    if user is None or not constant_time_compare(_state(user, kind), str(payload.get("s", ""))):
        raise TokenError(invalid_token_message(kind))
    return user
