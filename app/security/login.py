"""The login check every login form calls: the API's `POST /api/auth/token/`, `/admin/login/`,
and the member pages' form.

Failed attempts are counted in the shared database counters (`app.security.limits`), within
`LOGIN_LOCKOUT_MINUTES`:
- per account *and client*: past `LOGIN_FAILURES_PER_ACCOUNT_AND_CLIENT` failures, that client is
  refused for that account (the owner, on another client, is not);
- per client: past `LOGIN_FAILURES_PER_ADDRESS` failures on any accounts, that client is refused
  altogether;
- per account, from every client: past `LOGIN_ACCOUNT_UNDER_ATTACK_AFTER` failures the account is
  under attack, and each client's budget on it shrinks to `LOGIN_FAILURES_PER_CLIENT_UNDER_ATTACK`.
  A client that has not failed still logs in at once: failures of others never stop the owner.
A lock-out check only reads; only a failure writes. A completed password reset, activation or
e-mail change forgets the account's counters (`forget_account_failures`).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import Throttled

from app.security import limits
from app.security.client import client_key
from app.security.emails import canonical_email

CLIENT_SCOPE = "login-failures-address"
ACCOUNT_CLIENT_SCOPE = "login-failures-account-client"
ACCOUNT_SCOPE = "login-failures-account"


class LoginLocked(Throttled):
    """Too many failures: no login is tried. A 429 in the API; a form shows `message`."""

    default_detail = _("Too many failed logins. Wait before trying again.")
    wait: float | None  # seconds; set by Throttled.__init__

    def __init__(self, wait: float | None) -> None:
        super().__init__(wait=wait)
        self.message = str(self.detail)


def _window() -> int:
    return settings.LOGIN_LOCKOUT_MINUTES * 60


def _refuse_if_over(scope: str, ident: object, limit: int) -> None:
    failures = limits.usage(scope, ident, _window())
    if failures.weighted > limit - 1:
        raise LoginLocked(failures.wait(limit))


def _account_client_limit(account: str) -> int:
    under_attack = limits.usage(ACCOUNT_SCOPE, account, _window()).weighted >= settings.LOGIN_ACCOUNT_UNDER_ATTACK_AFTER
    if under_attack:
        return min(settings.LOGIN_FAILURES_PER_CLIENT_UNDER_ATTACK, settings.LOGIN_FAILURES_PER_ACCOUNT_AND_CLIENT)
    return settings.LOGIN_FAILURES_PER_ACCOUNT_AND_CLIENT


def check_login(
    request: HttpRequest | None, email: str, password: str
) -> Any:  # the user model (app.accounts, which this package does not import) or None
    """Return the active user these credentials name, None when they are wrong.

    Raises `LoginLocked` when this client is locked out, for this account or altogether; then
    the password is not even checked, so a right guess during a lock-out reveals nothing.
    """
    client = client_key(request) if request is not None else "unknown"
    account = canonical_email(email)
    _refuse_if_over(CLIENT_SCOPE, client, settings.LOGIN_FAILURES_PER_ADDRESS)
    _refuse_if_over(ACCOUNT_CLIENT_SCOPE, (account, client), _account_client_limit(account))
    # ModelBackend runs the hasher for unknown e-mails too and refuses inactive accounts.
    user = authenticate(request, username=account, password=password)
    if user is None:
        limits.hit(CLIENT_SCOPE, client, _window())
        limits.hit(ACCOUNT_CLIENT_SCOPE, (account, client), _window())
        limits.hit(ACCOUNT_SCOPE, account, _window())
    return user


def forget_account_failures(*emails: str) -> None:
    """The owner proved control of the address (reset, activation or e-mail link): start afresh."""
    for email in emails:
        account = canonical_email(email)
        limits.forget(ACCOUNT_SCOPE, account)
        limits.forget(ACCOUNT_CLIENT_SCOPE, account)
