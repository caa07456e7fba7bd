"""DRF throttles keyed on `client_ip`, never on a client-supplied `X-Forwarded-For`.

- `AnonRateThrottle` / `UserRateThrottle`: the global rates, counted in each process's memory
  (they run on GETs, which must never write to the database).
- `SharedRateThrottle`: the rates of the endpoints that guess passwords or send e-mail, counted
  in the database (`app.security.limits`) so that every Lambda container shares them. It counts
  POSTs only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rest_framework import throttling
from rest_framework.permissions import SAFE_METHODS

from app.security import limits
from app.security.client import client_key
from app.security.emails import canonical_email

if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.views import APIView

    from app.security.client import AnyRequest


class AnonRateThrottle(throttling.AnonRateThrottle):
    def get_ident(self, request: AnyRequest) -> str:
        return client_key(request)


class UserRateThrottle(throttling.UserRateThrottle):
    def get_ident(self, request: AnyRequest) -> str:
        return client_key(request)


class SharedRateThrottle(throttling.SimpleRateThrottle):
    """`scope`'s rate per client (the member when authenticated, else the address), shared by all processes."""

    # Set by SimpleRateThrottle.__init__ from the scope's rate (the stubs do not declare them).
    num_requests: int
    duration: int
    scope: str  # every subclass names one

    def ident(self, request: AnyRequest) -> str | None:
        user = getattr(request, "user", None)
        return f"user-{user.pk}" if user is not None and user.is_authenticated else client_key(request)

    def allow_request(self, request: AnyRequest, view: APIView | None) -> bool:
        if request.method in SAFE_METHODS or self.rate is None:
            return True
        ident = self.ident(request)
        if ident is None:
            return True
        used = limits.hit(self.scope, ident, self.duration)
        self._wait = used.wait(self.num_requests)
        return used.weighted <= self.num_requests

    def wait(self) -> float | None:
        return getattr(self, "_wait", None)


class SharedEmailRateThrottle(SharedRateThrottle):
    """Per target e-mail address (the `email` field of the body): rotating addresses does not help."""

    def ident(self, request: Request) -> str | None:  # type: ignore[override]  # the API only: it reads the body
        email = request.data.get("email") if hasattr(request.data, "get") else None
        return canonical_email(email) if isinstance(email, str) and email.strip() else None


class _ScopeThrottle(SharedRateThrottle):
    def __init__(self, scope: str) -> None:
        self.scope = scope
        super().__init__()


def attempt_allowed(request: AnyRequest, scope: str) -> tuple[bool, int]:
    """Count one POST of `scope` for this client, as the API's throttle of that scope does (one
    budget for the API, the pages and the admin); return (allowed, seconds to wait)."""
    throttle = _ScopeThrottle(scope)
    if throttle.allow_request(request, None):
        return True, 0
    return False, int(throttle.wait() or 1)
