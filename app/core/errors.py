"""JSON errors everywhere: `{"detail": "..."}` or `{"field": ["..."]}` with the right 4xx."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import JsonResponse
from rest_framework import exceptions
from rest_framework.views import exception_handler


def json_exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        # Model-level rules (clean(), validators) reach the client as a 400, never a 500.
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        if "__all__" in detail:
            detail = {**detail, "detail": " ".join(detail.pop("__all__"))}
        elif list(detail) == ["detail"]:
            detail = {"detail": " ".join(detail["detail"])}
        exc = exceptions.ValidationError(detail)
    return exception_handler(exc, context)


def not_found(request, exception=None):
    return JsonResponse({"detail": "Not found."}, status=404)


def server_error(request):
    return JsonResponse({"detail": "Server error. The team has been told."}, status=500)


def bad_request(request, exception=None):
    return JsonResponse({"detail": "Bad request."}, status=400)


def permission_denied(request, exception=None):
    return JsonResponse({"detail": "You do not have permission to perform this action."}, status=403)
