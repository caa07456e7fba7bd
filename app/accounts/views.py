"""REST endpoints for accounts. Rules live in services.py, which raises `app.core.exceptions`;
the project's exception handler (`app.core.errors`) answers them: no view converts errors."""

from typing import Any, cast

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from rest_framework import generics, mixins, status, viewsets
from rest_framework.authentication import BaseAuthentication
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny, BasePermission, IsAdminUser, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from app.accounts import serializers, services
from app.accounts.models import AcademicField, AcademicLevel, AuthToken, Domain, Organization, User
from app.accounts.throttles import EmailSentThrottle, LoginThrottle, PasswordResetThrottle, SignUpThrottle
from app.core.api_docs import extend_schema
from app.core.filtering import FilterSetOf
from app.core.permissions import IsAdminOrReadOnly

# DRF imports the classes its settings name (its stubs type them as the names).
DEFAULT_THROTTLES = cast(list[type[BaseThrottle]], list(api_settings.DEFAULT_THROTTLE_CLASSES))


class OrganizationViewSet(viewsets.ModelViewSet):
    queryset = Organization.objects.all()
    serializer_class = serializers.OrganizationSerializer
    permission_classes = [IsAdminOrReadOnly]
    filterset_class = FilterSetOf("app.accounts.filters.OrganizationFilter")


class DomainViewSet(viewsets.ModelViewSet):
    queryset = Domain.objects.all()
    serializer_class = serializers.DomainSerializer
    permission_classes = [IsAdminOrReadOnly]
    filterset_class = FilterSetOf("app.accounts.filters.DomainFilter")


class AcademicLevelViewSet(viewsets.ModelViewSet):
    queryset = AcademicLevel.objects.all()
    serializer_class = serializers.AcademicLevelSerializer
    permission_classes = [IsAdminOrReadOnly]
    filterset_class = FilterSetOf("app.accounts.filters.AcademicLevelFilter")


class AcademicFieldViewSet(viewsets.ModelViewSet):
    queryset = AcademicField.objects.all()
    serializer_class = serializers.AcademicFieldSerializer
    permission_classes = [IsAdminOrReadOnly]
    filterset_class = FilterSetOf("app.accounts.filters.AcademicFieldFilter")


def _method(view: object) -> str:
    # Schema generation builds views without a request.
    return getattr(getattr(view, "request", None), "method", "") or ""


def _token_answer(auth_token: AuthToken, key: str, status_code: int = status.HTTP_200_OK) -> Response:
    return Response({"token": key, "expires_at": auth_token.expires_at}, status=status_code)


class UserViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Sign-up and activation (anyone), own profile (member), every account (admin)."""

    queryset = User.objects.select_related("university", "academic_level", "academic_field")
    serializer_class = serializers.AdminUserSerializer
    filterset_class = FilterSetOf("app.accounts.filters.UserFilter")
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    lookup_value_regex = r"\d+"
    # Endpoints a visitor uses before having a token: a stale token sent along must not block them.
    anonymous_actions = {"create", "activate", "resend_activation"}

    def _action(self) -> str | None:
        # get_authenticators() runs before DRF sets self.action.
        return (getattr(self, "action_map", None) or {}).get(_method(self).lower())

    def get_authenticators(self) -> list[BaseAuthentication]:
        return [] if self._action() in self.anonymous_actions else super().get_authenticators()

    def get_queryset(self) -> QuerySet[Any]:
        users = super().get_queryset()
        if self.action == "list":  # each row's `held_memberships` ids, read with the page (one query)
            users = users.prefetch_related("held_memberships")
        return users

    def get_permissions(self) -> list[BasePermission]:
        if self.action in self.anonymous_actions:
            return [AllowAny()]
        return [IsAdminUser()]

    def get_throttles(self) -> list[BaseThrottle]:
        extra: list[type[BaseThrottle]] = [SignUpThrottle] if self.action in ("create", "resend_activation") else []
        if self.action == "resend_activation":
            extra.append(EmailSentThrottle)
        return [throttle() for throttle in [*DEFAULT_THROTTLES, *extra]]

    def get_serializer_class(self) -> Any:  # a serializer class
        return {
            "create": serializers.SignUpSerializer,
            "activate": serializers.ActivationSerializer,
            "resend_activation": serializers.EmailSerializer,
        }.get(self.action, serializers.AdminUserSerializer)

    @extend_schema(responses={201: serializers.SignUpResultSerializer})
    def create(self, request: Request) -> Response:
        """Sign up. 201 even when the confirmation e-mail could not be sent: the account is kept."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user, email_sent = services.sign_up(**serializer.validated_data)
        if user.is_active:
            detail = _("Your account is active: you can log in.")
        elif email_sent:
            detail = _("Check your e-mail: follow the link we sent to activate your account.")
        else:
            detail = _(
                "Your account was created but the confirmation e-mail could not be sent. "
                "Ask for a new one with /api/users/resend-activation/ in a few minutes."
            )
        result = {**{k: getattr(user, k) for k in ("id", "first_name", "last_name", "is_active")}}
        result.update(email_sent=email_sent, detail=detail)
        return Response(serializers.SignUpResultSerializer(result).data, status=status.HTTP_201_CREATED)

    def destroy(self, request: Request, pk: str | None = None) -> Response:
        """Deactivate: the account and its history stay; its tokens are revoked."""
        services.deactivate(self.get_object(), actor=cast(User, request.user))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses=serializers.TokenSerializer)
    @action(detail=False, methods=["post"])
    def activate(self, request: Request) -> Response:
        """Activate with the token of the confirmation e-mail; answers a login token."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        _, auth_token, key = services.activate(serializer.validated_data["token"])
        return _token_answer(auth_token, key)

    @extend_schema(responses=serializers.DetailSerializer)
    @action(detail=False, methods=["post"], url_path="resend-activation")
    def resend_activation(self, request: Request) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.resend_activation(serializer.validated_data["email"])
        # The same answer whether or not the address has an account waiting: nothing to enumerate.
        return Response(
            {"detail": _("If an account with this address waits for activation, a new link has been sent.")}
        )


class LoginView(generics.GenericAPIView):
    """POST: log in with e-mail and password -> `{token, expires_at}`. DELETE: log out (revoke this token)."""

    serializer_class = serializers.LoginSerializer
    throttle_classes = [*DEFAULT_THROTTLES, LoginThrottle]

    def get_authenticators(self) -> list[BaseAuthentication]:
        return [] if _method(self) == "POST" else super().get_authenticators()

    def get_permissions(self) -> list[BasePermission]:
        return [AllowAny()] if _method(self) == "POST" else [IsAuthenticated()]

    def get_throttles(self) -> list[BaseThrottle]:
        throttles = list(self.throttle_classes) if _method(self) == "POST" else DEFAULT_THROTTLES
        return [throttle() for throttle in throttles]

    @extend_schema(responses=serializers.TokenSerializer)
    def post(self, request: Request) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        auth_token, key = services.log_in(request, **serializer.validated_data)
        return _token_answer(auth_token, key)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request) -> Response:
        if not isinstance(request.auth, AuthToken):
            raise ValidationError({"detail": _("Log out by sending the token to revoke in the Authorization header.")})
        request.auth.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordResetView(generics.GenericAPIView):
    """Send a reset link. The answer is the same whether or not the address has an account."""

    serializer_class = serializers.EmailSerializer
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [*DEFAULT_THROTTLES, PasswordResetThrottle, EmailSentThrottle]

    @extend_schema(responses=serializers.DetailSerializer)
    def post(self, request: Request) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.request_password_reset(serializer.validated_data["email"])
        minutes = settings.PASSWORD_RESET_TOKEN_LIFETIME_MINUTES
        return Response(
            {
                "detail": _(
                    "If an active account uses this address, a reset link valid %(minutes)d minutes has been sent."
                )
                % {"minutes": minutes}
            }
        )


class PasswordResetConfirmView(generics.GenericAPIView):
    """Set a new password with the token of the reset e-mail; every token of the member is revoked."""

    serializer_class = serializers.ResetConfirmSerializer
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [*DEFAULT_THROTTLES, LoginThrottle]

    @extend_schema(responses=serializers.DetailSerializer)
    def post(self, request: Request) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.reset_password(serializer.validated_data["token"], serializer.validated_data["new_password"])
        return Response({"detail": _("Your password has been changed. Log in with the new one.")})


class PasswordChangeView(generics.GenericAPIView):
    """Change the password with the old one; the member's other tokens are revoked."""

    serializer_class = serializers.PasswordChangeSerializer
    permission_classes = [IsAuthenticated]
    throttle_classes = [*DEFAULT_THROTTLES, LoginThrottle]

    @extend_schema(responses=serializers.DetailSerializer)
    def post(self, request: Request) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        keep = request.auth if isinstance(request.auth, AuthToken) else None
        data = serializer.validated_data
        services.change_password(cast(User, request.user), data["old_password"], data["new_password"], keep_token=keep)
        return Response({"detail": _("Your password has been changed. Your other sessions are logged out.")})
