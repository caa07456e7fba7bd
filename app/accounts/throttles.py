"""Per-client limits on the endpoints that guess passwords or send e-mail.

A client is the member when authenticated, else the address `app.security.client.client_ip`
decides (never a client-supplied `X-Forwarded-For`). The counters live in the database, shared
by every Lambda container, and only POSTs count. Rates are the `login`, `signup`,
`password_reset` and `email_sent` entries of `DEFAULT_THROTTLE_RATES`.
"""

from app.security.throttles import SharedEmailRateThrottle, SharedRateThrottle


class LoginThrottle(SharedRateThrottle):
    scope = "login"


class SignUpThrottle(SharedRateThrottle):
    scope = "signup"


class PasswordResetThrottle(SharedRateThrottle):
    scope = "password_reset"


class EmailSentThrottle(SharedEmailRateThrottle):
    """Reset and activation e-mails per target address, whichever client asks."""

    scope = "email_sent"
