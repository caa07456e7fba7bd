"""The member's own account as one resource: GET/PATCH/DELETE /api/users/me/ and their data file."""

import json
from typing import cast

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import generics
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from app.accounts.models import User
from app.accounts.throttles import LoginThrottle
from app.core.api_docs import OpenApiResponse, OpenApiTypes, extend_schema
from app.members import closing, data_export
from app.members.serializers import ClosedAccountSerializer, MemberProfileSerializer, PasswordSerializer


class MeView(generics.GenericAPIView):
    """The member's own profile; DELETE closes the account (the password is asked again)."""

    serializer_class = MemberProfileSerializer
    permission_classes = [IsAuthenticated]

    def get(self, request: Request) -> Response:
        return Response(self.get_serializer(request.user).data)

    def patch(self, request: Request) -> Response:
        serializer = self.get_serializer(request.user, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        serializer.save()
        return Response(serializer.data)

    @extend_schema(
        request=PasswordSerializer,
        responses={200: ClosedAccountSerializer},
        description="Close the account: give the password; personal data are erased.",
    )
    def delete(self, request: Request) -> Response:
        """Throttled as a password check, like logging in."""
        throttle = LoginThrottle()
        if not throttle.allow_request(request, self):
            self.throttled(request, throttle.wait())  # type: ignore[arg-type]  # DRF takes None: no wait known
        serializer = PasswordSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        member = cast(User, request.user)
        summary = closing.close_account(member, password=serializer.validated_data["password"])
        detail = _("Your account is closed and your personal data erased. You can sign up again at any time.")
        return Response({"detail": detail, **summary})


class MyDataView(APIView):
    """Everything stored about the member, as a JSON file to download."""

    permission_classes = [IsAuthenticated]
    serializer_class = None  # the answer is a file, described by extend_schema below

    @extend_schema(
        request=None, responses={200: OpenApiResponse(OpenApiTypes.OBJECT, description="my-data-<date>.json")}
    )
    def get(self, request: Request) -> HttpResponse:
        member = cast(User, request.user)
        body = json.dumps(data_export.export_member_data(member), cls=DjangoJSONEncoder, indent=2)
        response = HttpResponse(body, content_type="application/json")
        filename = f"my-data-{timezone.localdate():%Y-%m-%d}.json"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = "no-store"
        return response
