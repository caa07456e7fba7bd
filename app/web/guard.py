"""The one place the pages ask whether a client may try again (log in, sign up, reset a password).

It counts with the API's own throttles, so a client shares one budget between the API and the
pages. Re-point `attempt_allowed` when the limiter moves to a shared store.
"""

from django.http import HttpRequest
from rest_framework.views import APIView

from app.accounts.throttles import LoginThrottle, PasswordResetThrottle, SignUpThrottle

# The throttles key on the client, not on the view: any view stands for the page.
_PAGE_VIEW = APIView()
_THROTTLES = {"login": LoginThrottle, "signup": SignUpThrottle, "password_reset": PasswordResetThrottle}


def attempt_allowed(request: HttpRequest, scope: str) -> tuple[bool, int]:
    """Count one attempt of `scope` for this client; return (allowed, seconds to wait)."""
    throttle = _THROTTLES[scope]()
    if throttle.allow_request(request, _PAGE_VIEW):
        return True, 0
    return False, int(throttle.wait() or 1)
