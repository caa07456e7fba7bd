"""Per-client limits on the endpoints that guess passwords or send e-mail.

A client is the member when authenticated, else the address DRF reads from the request
(`REMOTE_ADDR`, or `X-Forwarded-For` when `NUM_PROXIES` is set). Rates are the
`login`, `signup` and `password_reset` entries of `DEFAULT_THROTTLE_RATES`.
"""

from rest_framework.throttling import SimpleRateThrottle


class _ClientThrottle(SimpleRateThrottle):
    def get_cache_key(self, request, view):
        user = getattr(request, "user", None)
        ident = f"user-{user.pk}" if user is not None and user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


class LoginThrottle(_ClientThrottle):
    scope = "login"


class SignUpThrottle(_ClientThrottle):
    scope = "signup"


class PasswordResetThrottle(_ClientThrottle):
    scope = "password_reset"
