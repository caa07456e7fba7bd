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

from app.accounts.models import User

ACTIVATION = "activation"
PASSWORD_RESET = "password-reset"  # noqa: S105 - a salt name, not a secret


class TokenError(Exception):
    """A token that cannot be used; the message is meant for the member."""


class TokenExpired(TokenError):
    pass


def _signer(kind):
    # "." is outside the URL-safe base64 alphabet: the token needs no escaping in a link.
    return signing.TimestampSigner(salt=f"app.accounts.tokens.{kind}", sep=".")


def _state(user, kind):
    last_login = "" if user.last_login is None else user.last_login.replace(microsecond=0, tzinfo=None).isoformat()
    value = f"{user.pk}|{user.password}|{last_login}|{user.is_active}|{user.email.lower()}"
    return salted_hmac(f"app.accounts.tokens.{kind}.state", value, algorithm="sha256").hexdigest()[:32]


def _max_age(kind):
    if kind == ACTIVATION:
        return settings.ACTIVATION_TOKEN_LIFETIME_HOURS * 3600
    return settings.PASSWORD_RESET_TOKEN_LIFETIME_MINUTES * 60


def make_token(user, kind):
    return _signer(kind).sign_object({"u": user.pk, "s": _state(user, kind)})


def check_token(token, kind):
    """Return the user `token` was made for, or raise TokenError / TokenExpired."""
    what = "activation link" if kind == ACTIVATION else "password reset link"
    try:
        payload = _signer(kind).unsign_object(str(token).strip(), max_age=_max_age(kind))
    except signing.SignatureExpired:
        raise TokenExpired(f"This {what} has expired. Ask for a new one.") from None
    except (signing.BadSignature, ValueError, TypeError):
        raise TokenError(f"This {what} is invalid or has already been used.") from None
    user = User.objects.filter(pk=payload.get("u") if isinstance(payload, dict) else None).first()
    if user is None or not constant_time_compare(_state(user, kind), str(payload.get("s", ""))):
        raise TokenError(f"This {what} is invalid or has already been used.")
    return user
