from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

if TYPE_CHECKING:
    from app.accounts.models import AuthToken, User


class ExpiringTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>`; expired tokens are refused, live ones slide without a write per request."""

    keyword = "Token"

    def authenticate_credentials(self, key: str) -> tuple["User", "AuthToken"]:
        from app.accounts.models import AuthToken

        token = AuthToken.objects.find(key)
        if token is None:
            raise AuthenticationFailed(_("Invalid token."))
        if not token.user.is_active:
            raise AuthenticationFailed(_("User inactive or deleted."))
        if token.is_expired:
            raise AuthenticationFailed(_("Token has expired. Log in again."))
        token.renew_if_needed()
        return token.user, token
