"""What a member does with their own account's address: change its e-mail (closing the account and
taking one's data span the domains: app.members)."""

from typing import cast

from django.utils.translation import gettext as _
from rest_framework import generics, serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from app.accounts import email_change
from app.accounts.models import User
from app.accounts.throttles import LoginThrottle
from app.core.api_docs import extend_schema

DEFAULT_THROTTLES: list[type[BaseThrottle]] = list(api_settings.DEFAULT_THROTTLE_CLASSES)  # type: ignore[arg-type]


class EmailChangeSerializer(serializers.Serializer):
    new_email = serializers.EmailField(max_length=254)
    password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=500)


class EmailChangeAnswerSerializer(serializers.Serializer):
    detail = serializers.CharField()
    email_sent = serializers.BooleanField()


class EmailChangedSerializer(serializers.Serializer):
    email = serializers.EmailField()
    detail = serializers.CharField()


class EmailChangeView(generics.GenericAPIView):
    """Ask to change one's e-mail address: a link goes to the new one, a notice to the current one."""

    serializer_class = EmailChangeSerializer
    permission_classes = [IsAuthenticated]
    throttle_classes = [*DEFAULT_THROTTLES, LoginThrottle]  # it checks a password

    @extend_schema(responses={202: EmailChangeAnswerSerializer})
    def post(self, request: Request) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        sent = email_change.request_change(cast(User, request.user), **serializer.validated_data)
        if sent:
            detail = _("Check the new address: follow the link we sent there to confirm the change.")
        else:
            detail = _("The confirmation e-mail could not be sent. Your address is unchanged; try again later.")
        return Response({"detail": detail, "email_sent": sent}, status=status.HTTP_202_ACCEPTED)


class EmailChangeConfirmView(generics.GenericAPIView):
    """Confirm with the token of the e-mail: the address changes and every API token is revoked.

    POST only, and open to anyone holding the link (it may be opened on another device).
    """

    serializer_class = TokenSerializer
    authentication_classes = []  # a stale token sent along must not block the confirmation
    permission_classes = [AllowAny]
    throttle_classes = [*DEFAULT_THROTTLES, LoginThrottle]

    @extend_schema(responses=EmailChangedSerializer)
    def post(self, request: Request) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = email_change.confirm_change(serializer.validated_data["token"])
        return Response(
            {
                "email": user.email,
                "detail": _("Your e-mail address has been changed. Log in again with the new one."),
            }
        )
