"""The login check every login form calls: the API's `POST /api/auth/token/`, `/admin/login/`,
and any web page's form.

Failed attempts are counted per client address and per account, in the shared database
counters; past `LOGIN_FAILURES_PER_ADDRESS` or `LOGIN_FAILURES_PER_ACCOUNT` failures within
`LOGIN_LOCKOUT_MINUTES`, every attempt from that address or on that account is refused,
even with the right password, until the window ends. A lock-out check only reads; only a
failure writes (one row per scope and window).
"""

from django.conf import settings
from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import Throttled

from app.security import limits
from app.security.client import client_key

ADDRESS_SCOPE = "login-failures-address"
ACCOUNT_SCOPE = "login-failures-account"


class LoginLocked(Throttled):
    """Too many failures: no login is tried. A 429 in the API; a form shows `message`."""

    default_detail = _("Too many failed logins. Wait before trying again.")
    wait: float | None  # seconds; set by Throttled.__init__

    def __init__(self, wait):
        super().__init__(wait=wait)
        self.message = str(self.detail)


def _lockouts(request, email):
    window = settings.LOGIN_LOCKOUT_MINUTES * 60
    return [
        (ADDRESS_SCOPE, client_key(request), settings.LOGIN_FAILURES_PER_ADDRESS, window),
        (ACCOUNT_SCOPE, email.strip().lower(), settings.LOGIN_FAILURES_PER_ACCOUNT, window),
    ]


def check_login(request, email, password):
    """Return the active user these credentials name, None when they are wrong.

    Raises `LoginLocked` when the address or the account is locked out; then the password is
    not even checked, so a right guess during a lock-out reveals nothing.
    """
    lockouts = _lockouts(request, email or "")
    for scope, ident, limit, window in lockouts:
        failures = limits.usage(scope, ident, window)
        if failures.weighted > limit - 1:
            raise LoginLocked(failures.wait(limit))
    # ModelBackend runs the hasher for unknown e-mails too and refuses inactive accounts.
    user = authenticate(request, username=(email or "").strip(), password=password)
    if user is None:
        for scope, ident, _limit, window in lockouts:
            limits.hit(scope, ident, window)
    return user
